"""Writes of what contract officers log about providers: visits, concerns, sanctions, action plans, escalation.

Services are keyword-only, atomic and record who did it (the history user). Each first checks that the
actor may make the change (``commissioning.permissions``: the role's model permission, and the directorate
of the contract the record is under), then the rules, raising ValidationError naming the field; a record
in the wrong state raises TransitionNotAllowed.

The ``*_many`` services write a batch (records brought from another system, the demo volume) with the same
rule functions as the one-record services, then insert in bulk with the history rows: every row is checked
first, and with any problem nothing is written and one ValidationError names each bad row by its position
and field (``commissioning.imports.refuse_rows``). Their ``by`` may be None: a command run on the server with no
user named; each row then names the officer who made the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from commissioning import permissions, roles
from commissioning.imports import refuse_rows
from commissioning.models import User
from commissioning.redaction import redact_fields
from contracts.models import Contract
from providers.models import Location, Provider
from providers.services import BATCH_SIZE

from . import safeguarding
from .models import (
    ActionPlan,
    Concern,
    Escalation,
    EscalationEvent,
    EscalationStep,
    GovernanceMeeting,
    PlanAction,
    Sanction,
    Visit,
)


def _done_by(record: Any, by: User | None) -> None:
    """Who made the change, for the record's history row (django-simple-history reads ``_history_user``)."""
    record._history_user = by


class TransitionNotAllowed(ValidationError):
    """The record is not in a state that allows this change."""


def _today() -> date:
    return timezone.localdate()


def _check_not_future(field: str, day: date | None, what: str) -> None:
    if day and day > _today():
        raise ValidationError({field: f"The {what} must be today or in the past."})


def _check_belongs(
    *,
    provider: Provider,
    location: Location | None,
    contract: Contract | None,
    shared: set[tuple[int, int]] | None = None,
) -> None:
    """A visit or concern's location must be the provider's, and the contract one the provider holds (as lead
    or as one of its other providers). ``shared``: a batch's (contract, other provider) pairs, read once."""
    if location is not None and location.provider_id != provider.pk:
        raise ValidationError({"location": f"{location} is not one of {provider}'s locations."})
    if contract is not None and contract.lead_provider_id != provider.pk:
        if shared is None:
            holds = contract.other_providers.filter(pk=provider.pk).exists()
        else:
            holds = (contract.pk, provider.pk) in shared
        if not holds:
            raise ValidationError({"contract": f"{provider} does not hold contract {contract.reference}."})


def _shared(records: Iterable[Any]) -> set[tuple[int, int]]:
    """(contract id, provider id) for the other providers of the contracts ``records`` name. One query."""
    ids = {record.contract_id for record in records if record.contract_id is not None}
    if not ids:
        return set()
    pairs = Contract.objects.filter(pk__in=ids, other_providers__isnull=False).values_list("pk", "other_providers")
    return set(pairs)


def _clean(record: models.Model, *, resolved: bool) -> None:
    """Validate every field. ``resolved``: a batch whose rows carry their related records in hand; checking
    each foreign key (and the table's constraints) again would cost a query per row and field."""
    if resolved:
        related = [f.name for f in record._meta.concrete_fields if f.is_relation]
        record.full_clean(exclude=related, validate_unique=False, validate_constraints=False)
    else:
        record.full_clean()


def _require_for_batch(by: User | None, perm: str, what: str, records: Sequence[Any]) -> None:
    """The actor's right to add every record of a batch: the role's permission first, then each record's
    directorate, naming the row refused. None is a command run on the server with no user named."""
    if by is None:
        return
    permissions.require(by, perm)
    for position, record in enumerate(records):
        try:
            permissions.require(by, perm, record)
        except PermissionDenied as error:
            raise PermissionDenied(f"{what}[{position}]: {error}") from error


def _check_each(what: str, records: Sequence[Any], check: Any) -> None:
    """Run ``check`` on every record and raise one ValidationError naming each bad row (nothing is written)."""
    problems: dict[int, ValidationError] = {}
    for position, record in enumerate(records):
        try:
            check(record)
        except ValidationError as error:
            problems[position] = error
    if problems:
        raise refuse_rows(what, problems)


# --- Visits ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitEntry:
    """One visit for ``visits_record_many``: what ``visit_record`` takes."""

    provider: Provider
    visited_on: date
    kind: str
    officer: User | None = None
    location: Location | None = None
    contract: Contract | None = None
    findings: str = ""
    environment: str = ""
    complaints_feedback: str = ""
    follow_up_actions: str = ""


def _visit(entry: VisitEntry, by: User | None) -> Visit:
    return Visit(
        provider=entry.provider,
        location=entry.location,
        contract=entry.contract,
        visited_on=entry.visited_on,
        kind=entry.kind,
        officer=entry.officer or by,
        findings=entry.findings.strip(),
        environment=entry.environment,
        complaints_feedback=entry.complaints_feedback,
        follow_up_actions=entry.follow_up_actions.strip(),
    )


def _check_visit(visit: Visit, *, shared: set[tuple[int, int]] | None = None, resolved: bool = False) -> None:
    """A visit's rules: not in the future, at one of the provider's locations, under a contract it holds."""
    _check_not_future("visited_on", visit.visited_on, "visit date")
    _check_belongs(provider=visit.provider, location=visit.location, contract=visit.contract, shared=shared)
    _clean(visit, resolved=resolved)


@transaction.atomic
def visit_record(
    *,
    provider: Provider,
    visited_on: date,
    kind: str,
    by: User,
    officer: User | None = None,
    location: Location | None = None,
    contract: Contract | None = None,
    findings: str = "",
    environment: str = "",
    complaints_feedback: str = "",
    follow_up_actions: str = "",
) -> Visit:
    """Record a contract management visit. The officer is the one who visited (the recorder by default)."""
    entry = VisitEntry(
        provider=provider,
        visited_on=visited_on,
        kind=kind,
        officer=officer,
        location=location,
        contract=contract,
        findings=findings,
        environment=environment,
        complaints_feedback=complaints_feedback,
        follow_up_actions=follow_up_actions,
    )
    visit = _visit(entry, by)
    permissions.require(by, "oversight.add_visit", visit)
    _check_visit(visit)
    _done_by(visit, by)
    visit.save()
    return visit


@transaction.atomic
def visits_record_many(*, visits: list[VisitEntry], by: User | None) -> list[Visit]:
    """Record many visits (brought from another system, the demo volume) by the rules of ``visit_record``,
    with their history rows. All or nothing: with any problem nothing is written and one ValidationError
    names each bad row (``visits[3].visited_on``). Returns the visits, saved, in the order given."""
    records = [_visit(entry, by) for entry in visits]
    _require_for_batch(by, "oversight.add_visit", "visits", records)
    shared = _shared(records)
    _check_each("visits", records, lambda visit: _check_visit(visit, shared=shared, resolved=True))
    return bulk_create_with_history(records, Visit, batch_size=BATCH_SIZE, default_user=by)


# --- Concerns ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConcernEntry:
    """One concern for ``concerns_record_many``: what ``concern_record`` takes, who recorded it, and, for a
    concern already closed, what ``concern_close`` takes."""

    provider: Provider
    kind: str
    raised_on: date
    summary: str
    severity: str = Concern.Severity.MEDIUM
    location: Location | None = None
    contract: Contract | None = None
    recorded_by: User | None = None
    closed_on: date | None = None
    outcome: str = ""
    sensitive: bool = False

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None or bool(self.outcome.strip())


def _concern(entry: ConcernEntry, by: User | None) -> Concern:
    return Concern(
        provider=entry.provider,
        location=entry.location,
        contract=entry.contract,
        kind=entry.kind,
        raised_on=entry.raised_on,
        severity=entry.severity,
        summary=entry.summary.strip(),
        status=Concern.Status.OPEN,
        recorded_by=entry.recorded_by or by,
        sensitive=entry.sensitive,
    )


def _check_concern(concern: Concern, *, shared: set[tuple[int, int]] | None = None, resolved: bool = False) -> None:
    """A concern's rules: raised today or before, about the provider's own location and contract, with a summary."""
    _check_not_future("raised_on", concern.raised_on, "date raised")
    _check_belongs(provider=concern.provider, location=concern.location, contract=concern.contract, shared=shared)
    if not concern.summary:
        raise ValidationError({"summary": "Enter a summary of the concern."})
    _clean(concern, resolved=resolved)


def _check_close(concern: Concern, *, closed_on: date | None, outcome: str) -> None:
    """Closing's rules: an outcome, and a date on or after the concern was raised and not in the future."""
    errors = {}
    if not outcome.strip():
        errors["outcome"] = "Enter the outcome of the concern."
    if closed_on is None:
        errors["closed_on"] = "Enter the date closed."
    elif closed_on < concern.raised_on:
        errors["closed_on"] = f"The date closed must be on or after the date raised ({concern.raised_on:%d/%m/%Y})."
    elif closed_on > _today():
        errors["closed_on"] = "The date closed must be today or in the past."
    if errors:
        raise ValidationError(errors)


def _close(concern: Concern, *, closed_on: date | None, outcome: str) -> None:
    concern.status = Concern.Status.CLOSED
    concern.closed_on = closed_on
    concern.outcome = outcome.strip()


@transaction.atomic
def concern_record(
    *,
    provider: Provider,
    kind: str,
    raised_on: date,
    summary: str,
    by: User,
    severity: str = Concern.Severity.MEDIUM,
    location: Location | None = None,
    contract: Contract | None = None,
    sensitive: bool = False,
) -> Concern:
    """Record a poor practice concern, safeguarding enquiry, serious incident or complaint. It starts open;
    ``sensitive`` makes it need-to-know, as a safeguarding concern is (``restricted_concern_q``)."""
    entry = ConcernEntry(
        provider=provider,
        kind=kind,
        raised_on=raised_on,
        summary=summary,
        severity=severity,
        location=location,
        contract=contract,
        sensitive=sensitive,
    )
    concern = _concern(entry, by)
    permissions.require(by, "oversight.add_concern", concern)
    _check_concern(concern)
    _done_by(concern, by)
    concern.save()
    # A high-severity safeguarding concern or a serious incident: the provider's officers and the duty lead now.
    safeguarding.alert_on_record(concern, by=by)
    return concern


def may_lift_sensitive(user: User) -> bool:
    """Whether ``user`` may lift a concern's sensitive flag, which widens who may read it: an administrator or a
    safeguarding lead (the page offers the button on this rule; ``concern_mark_sensitive`` enforces it)."""
    return permissions.has_role(user, roles.ADMINISTRATOR, roles.SAFEGUARDING_LEAD)


@transaction.atomic
def concern_mark_sensitive(*, concern: Concern, sensitive: bool, by: User) -> Concern:
    """Flag a concern sensitive (whoever may change it), or lift the flag, which widens who may read it, so only an
    administrator or a safeguarding lead may. A safeguarding concern or serious incident stays restricted by its
    kind whatever the flag says."""
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    permissions.require(by, "oversight.change_concern", concern)
    if not sensitive and concern.sensitive and not may_lift_sensitive(by):
        raise PermissionDenied("Only an administrator or a safeguarding lead may lift the sensitive flag.")
    if concern.sensitive != sensitive:
        concern.sensitive = sensitive
        _done_by(concern, by)
        concern.save(update_fields=["sensitive", "updated_at"])
    return concern


@transaction.atomic
def concern_close(*, concern: Concern, closed_on: date, outcome: str, by: User) -> Concern:
    """Close an open concern with its outcome. The closing date cannot be before the concern was raised."""
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    permissions.require(by, "oversight.change_concern", concern)
    if concern.status != Concern.Status.OPEN:
        raise TransitionNotAllowed(f"This concern was already closed on {concern.closed_on:%d/%m/%Y}.")
    _check_close(concern, closed_on=closed_on, outcome=outcome)
    _close(concern, closed_on=closed_on, outcome=outcome)
    _done_by(concern, by)
    concern.save(update_fields=["status", "closed_on", "outcome", "updated_at"])
    return concern


@transaction.atomic
def concerns_record_many(*, concerns: list[ConcernEntry], by: User | None) -> list[Concern]:
    """Record many concerns (brought from another system, the demo volume) by the rules of ``concern_record``,
    and close those given a date closed and an outcome by the rules of ``concern_close``, with their history
    rows (one each, as the concern stands: open, or closed). All or nothing: with any problem nothing is
    written and one ValidationError names each bad row (``concerns[3].summary``). Returns the concerns, saved,
    in the order given."""
    records = [_concern(entry, by) for entry in concerns]
    _require_for_batch(by, "oversight.add_concern", "concerns", records)
    if any(entry.is_closed for entry in concerns):
        _require_for_batch(by, "oversight.change_concern", "concerns", records)
    shared = _shared(records)

    def check(position: int) -> None:
        concern, entry = records[position], concerns[position]
        _check_concern(concern, shared=shared, resolved=True)
        if entry.is_closed:
            _check_close(concern, closed_on=entry.closed_on, outcome=entry.outcome)
            _close(concern, closed_on=entry.closed_on, outcome=entry.outcome)

    _check_each("concerns", range(len(records)), check)
    saved = bulk_create_with_history(records, Concern, batch_size=BATCH_SIZE, default_user=by)
    # The alert of a high-severity safeguarding concern or serious incident, for those open and recent.
    safeguarding.alert_on_record_many(saved, by=by)
    return saved


# --- Sanctions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SanctionEntry:
    """One sanction for ``sanctions_record_many``: what ``sanction_record`` takes, and who issued it."""

    provider: Provider
    kind: str
    issued_on: date
    reason: str
    location: Location | None = None
    contract: Contract | None = None
    amount: Decimal | None = None
    lifted_on: date | None = None
    issued_by: User | None = None


def _sanction(entry: SanctionEntry, by: User | None) -> Sanction:
    return Sanction(
        provider=entry.provider,
        location=entry.location,
        contract=entry.contract,
        kind=entry.kind,
        issued_on=entry.issued_on,
        lifted_on=entry.lifted_on,
        amount=entry.amount,
        reason=entry.reason.strip(),
        issued_by=entry.issued_by or by,
    )


def _check_sanction(sanction: Sanction, *, shared: set[tuple[int, int]] | None = None, resolved: bool = False) -> None:
    """A sanction's rules: a reason, an amount for a service credit and for nothing else, a lift date on or
    after the start."""
    _check_belongs(provider=sanction.provider, location=sanction.location, contract=sanction.contract, shared=shared)
    errors = {}
    if not sanction.reason:
        errors["reason"] = "Enter the reason for the sanction."
    if sanction.kind == Sanction.Kind.SERVICE_CREDIT and (sanction.amount is None or sanction.amount <= 0):
        errors["amount"] = "Enter the amount of the service credit in pounds."
    if sanction.amount is not None and sanction.kind != Sanction.Kind.SERVICE_CREDIT:
        errors["amount"] = "Only a service credit has an amount."
    if sanction.lifted_on is not None and sanction.lifted_on < sanction.issued_on:
        errors["lifted_on"] = "The lift date must be on or after the start date."
    if errors:
        raise ValidationError(errors)
    _clean(sanction, resolved=resolved)


@transaction.atomic
def sanction_record(
    *,
    provider: Provider,
    kind: str,
    issued_on: date,
    reason: str,
    by: User,
    location: Location | None = None,
    contract: Contract | None = None,
    amount: Decimal | None = None,
    lifted_on: date | None = None,
) -> Sanction:
    """Record a default notice, suspension of new admissions, service credit or termination."""
    entry = SanctionEntry(
        provider=provider,
        kind=kind,
        issued_on=issued_on,
        reason=reason,
        location=location,
        contract=contract,
        amount=amount,
        lifted_on=lifted_on,
    )
    sanction = _sanction(entry, by)
    permissions.require(by, "oversight.add_sanction", sanction)
    _check_sanction(sanction)
    _done_by(sanction, by)
    sanction.save()
    return sanction


@transaction.atomic
def sanctions_record_many(*, sanctions: list[SanctionEntry], by: User | None) -> list[Sanction]:
    """Record many sanctions (brought from another system, the demo volume) by the rules of ``sanction_record``,
    with their history rows. All or nothing: with any problem nothing is written and one ValidationError names
    each bad row (``sanctions[3].amount``). Returns the sanctions, saved, in the order given."""
    records = [_sanction(entry, by) for entry in sanctions]
    _require_for_batch(by, "oversight.add_sanction", "sanctions", records)
    shared = _shared(records)
    _check_each("sanctions", records, lambda sanction: _check_sanction(sanction, shared=shared, resolved=True))
    return bulk_create_with_history(records, Sanction, batch_size=BATCH_SIZE, default_user=by)


@transaction.atomic
def sanction_lift(*, sanction: Sanction, lifted_on: date, by: User) -> Sanction:
    """Lift a sanction (e.g. a suspension of new admissions) from a date on or after it started."""
    sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
    permissions.require(by, "oversight.change_sanction", sanction)
    if sanction.lifted_on is not None:
        raise TransitionNotAllowed(f"This sanction was already lifted on {sanction.lifted_on:%d/%m/%Y}.")
    if lifted_on < sanction.issued_on:
        raise ValidationError(
            {"lifted_on": f"The lift date must be on or after the start date ({sanction.issued_on:%d/%m/%Y})."}
        )
    sanction.lifted_on = lifted_on
    _done_by(sanction, by)
    sanction.save(update_fields=["lifted_on", "updated_at"])
    return sanction


# --- Action plans and escalation ----------------------------------------------------------------------------


def _check_plan(plan: ActionPlan, *, shared: set[tuple[int, int]] | None = None) -> None:
    """A plan's rules: agreed today or before, with the provider's own location and contract, and a title."""
    _check_not_future("agreed_on", plan.agreed_on, "date agreed")
    _check_belongs(provider=plan.provider, location=plan.location, contract=plan.contract, shared=shared)
    if not plan.title:
        raise ValidationError({"title": "Enter a title for the action plan."})


def _check_action(action: PlanAction) -> None:
    """An action's rules: its plan still open, a description and an owner, due on or after the plan was agreed."""
    plan = action.plan
    if plan.status == ActionPlan.Status.COMPLETE:
        raise TransitionNotAllowed("This action plan is complete; agree a new plan for further actions.")
    errors = {}
    if not action.description:
        errors["description"] = "Enter the action."
    if not action.owner:
        errors["owner"] = "Enter who owns the action."
    if action.due_on < plan.agreed_on:
        errors["due_on"] = f"The due date must be on or after the plan was agreed ({plan.agreed_on:%d/%m/%Y})."
    if errors:
        raise ValidationError(errors)


def _check_completion(action: PlanAction, completed_on: date) -> None:
    """Completing an action: on or after its plan was agreed, and not in the future."""
    if completed_on < action.plan.agreed_on:
        agreed = f"{action.plan.agreed_on:%d/%m/%Y}"
        raise ValidationError({"completed_on": f"The date completed must be on or after the date agreed ({agreed})."})
    _check_not_future("completed_on", completed_on, "date completed")


def _plan_completed_on(completed: Sequence[date | None]) -> date | None:
    """A plan is complete when every one of its actions is done, on the day the last was done."""
    if not completed or any(day is None for day in completed):
        return None
    return max(day for day in completed if day is not None)


def _check_step(escalation: EscalationStep, *, resolved: bool = False) -> None:
    """An escalation step's rules: its plan not complete, taken today or before and on or after the plan was
    agreed, and a step of the escalation process."""
    plan = escalation.plan
    if plan.status == ActionPlan.Status.COMPLETE:
        raise TransitionNotAllowed("This action plan is complete: there is nothing to escalate.")
    _check_not_future("taken_on", escalation.taken_on, "date taken")
    if escalation.taken_on < plan.agreed_on:
        raise ValidationError(
            {"taken_on": f"The date must be on or after the plan was agreed ({plan.agreed_on:%d/%m/%Y})."}
        )
    _clean(escalation, resolved=resolved)


@transaction.atomic
def action_plan_create(
    *,
    provider: Provider,
    title: str,
    agreed_on: date,
    by: User,
    location: Location | None = None,
    contract: Contract | None = None,
    actions: list[dict] | None = None,
) -> ActionPlan:
    """Agree an action plan with a provider, with its first actions (each: description, owner, due_on).

    All or nothing: if one action is refused, neither the plan nor any of its actions is saved.
    """
    plan = ActionPlan(provider=provider, location=location, contract=contract, title=title.strip(), agreed_on=agreed_on)
    permissions.require(by, "oversight.add_actionplan", plan)
    _check_plan(plan)
    _done_by(plan, by)
    plan.save()
    for action in actions or []:
        plan_action_add(plan=plan, by=by, **action)
    return plan


@transaction.atomic
def plan_action_add(*, plan: ActionPlan, description: str, owner: str, due_on: date, by: User) -> PlanAction:
    """Add an action, with its owner and due date, to an open action plan."""
    action = PlanAction(plan=plan, description=description.strip(), owner=owner.strip(), due_on=due_on)
    permissions.require(by, "oversight.add_planaction", action)
    _check_action(action)
    _done_by(action, by)
    action.save()
    return action


@transaction.atomic
def plan_action_complete(*, action: PlanAction, completed_on: date, by: User) -> PlanAction:
    """Mark an action done. When every action in the plan is done, the plan is complete."""
    action = PlanAction.objects.select_for_update().select_related("plan").get(pk=action.pk)
    permissions.require(by, "oversight.change_planaction", action)
    if action.completed_on is not None:
        raise TransitionNotAllowed(f"This action was already completed on {action.completed_on:%d/%m/%Y}.")
    _check_completion(action, completed_on)
    action.completed_on = completed_on
    _done_by(action, by)
    action.save(update_fields=["completed_on", "updated_at"])
    plan = action.plan
    plan_done_on = _plan_completed_on(list(plan.actions.values_list("completed_on", flat=True)))
    if plan_done_on is not None:
        plan.status = ActionPlan.Status.COMPLETE
        plan.completed_on = plan_done_on
        _done_by(plan, by)
        plan.save(update_fields=["status", "completed_on", "updated_at"])
    return action


@transaction.atomic
def escalation_step_record(*, plan: ActionPlan, step: str, taken_on: date, by: User, note: str = "") -> EscalationStep:
    """Record an escalation step taken on an action plan that is not complete."""
    escalation = EscalationStep(plan=plan, step=step, taken_on=taken_on, note=note.strip(), taken_by=by)
    permissions.require(by, "oversight.add_escalationstep", escalation)
    _check_step(escalation)
    _done_by(escalation, by)
    escalation.save()
    return escalation


@dataclass(frozen=True)
class PlanActionEntry:
    """One action of an ``ActionPlanEntry``: what ``plan_action_add`` takes, and the day it was done, if it was
    (what ``plan_action_complete`` takes)."""

    description: str
    owner: str
    due_on: date
    completed_on: date | None = None


@dataclass(frozen=True)
class EscalationEntry:
    """One escalation step of an ``ActionPlanEntry``: what ``escalation_step_record`` takes, and who took it."""

    step: str
    taken_on: date
    note: str = ""
    taken_by: User | None = None


@dataclass(frozen=True)
class ActionPlanEntry:
    """One plan for ``action_plans_create_many``: what ``action_plan_create`` takes, with its actions and the
    escalation steps taken on it."""

    provider: Provider
    title: str
    agreed_on: date
    location: Location | None = None
    contract: Contract | None = None
    actions: list[PlanActionEntry] = field(default_factory=list)
    escalation_steps: list[EscalationEntry] = field(default_factory=list)


def _check_plan_entry(
    plan: ActionPlan,
    actions: list[tuple[PlanAction, date | None]],
    steps: list[EscalationStep],
    *,
    shared: set[tuple[int, int]],
) -> None:
    """A plan of a batch, in the order the one-record services would go: agree the plan with its actions,
    take the escalation steps while it is open, then complete the actions done (which may complete the plan).
    Raises one ValidationError naming the plan's field or the action or step (``actions[1].due_on``)."""
    errors: dict[str, Any] = {}
    try:
        _check_plan(plan, shared=shared)
    except ValidationError as error:
        error.update_error_dict(errors)
    action_problems: dict[int, ValidationError] = {}
    for position, (action, completed_on) in enumerate(actions):
        try:
            _check_action(action)
            if completed_on is not None:
                _check_completion(action, completed_on)
        except ValidationError as error:
            action_problems[position] = error
    step_problems: dict[int, ValidationError] = {}
    for position, escalation in enumerate(steps):
        try:
            _check_step(escalation, resolved=True)
        except ValidationError as error:
            step_problems[position] = error
    if action_problems:
        refuse_rows("actions", action_problems).update_error_dict(errors)
    if step_problems:
        refuse_rows("escalation_steps", step_problems).update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    for action, completed_on in actions:
        action.completed_on = completed_on
    plan.completed_on = _plan_completed_on([completed_on for _, completed_on in actions])
    if plan.completed_on is not None:
        plan.status = ActionPlan.Status.COMPLETE


@transaction.atomic
def action_plans_create_many(*, plans: list[ActionPlanEntry], by: User | None) -> list[ActionPlan]:
    """Agree many action plans (brought from another system, the demo volume) with their actions and escalation
    steps, by the rules of ``action_plan_create``, ``plan_action_add``, ``escalation_step_record`` and
    ``plan_action_complete`` (a plan whose actions are all done is complete, on the day the last was done),
    with their history rows (one each, as the record stands). All or nothing: with any problem nothing is
    written and one ValidationError names each bad row (``action_plans[3].actions[1].due_on``). Returns the
    plans, saved, in the order given."""
    records: list[ActionPlan] = []
    actions: list[list[tuple[PlanAction, date | None]]] = []
    steps: list[list[EscalationStep]] = []
    for entry in plans:
        plan = ActionPlan(
            provider=entry.provider,
            location=entry.location,
            contract=entry.contract,
            title=entry.title.strip(),
            agreed_on=entry.agreed_on,
        )
        records.append(plan)
        actions.append(
            [
                (
                    PlanAction(plan=plan, description=a.description.strip(), owner=a.owner.strip(), due_on=a.due_on),
                    a.completed_on,
                )
                for a in entry.actions
            ]
        )
        steps.append(
            [
                EscalationStep(
                    plan=plan, step=s.step, taken_on=s.taken_on, note=s.note.strip(), taken_by=s.taken_by or by
                )
                for s in entry.escalation_steps
            ]
        )
    _require_for_batch(by, "oversight.add_actionplan", "action_plans", records)
    # Actions and steps belong where their plan does (the directorate checked above): only the role's rights remain.
    if by is not None:
        if any(actions):
            permissions.require(by, "oversight.add_planaction")
        if any(done is not None for plan_actions in actions for _, done in plan_actions):
            permissions.require(by, "oversight.change_planaction")
        if any(steps):
            permissions.require(by, "oversight.add_escalationstep")
    shared = _shared(records)
    _check_each(
        "action_plans",
        range(len(records)),
        lambda position: _check_plan_entry(records[position], actions[position], steps[position], shared=shared),
    )
    # The plans first: their actions and steps take the plans' new ids when they are inserted.
    for model, rows in (
        (ActionPlan, records),
        (PlanAction, [action for plan_actions in actions for action, _ in plan_actions]),
        (EscalationStep, [escalation for plan_steps in steps for escalation in plan_steps]),
    ):
        if rows:
            bulk_create_with_history(rows, model, batch_size=BATCH_SIZE, default_user=by)
    return records


ANONYMISED_TEXT = "Anonymised under the retention schedule."


def _keep_only_latest_history(record: Concern | Visit) -> None:
    """Earlier history rows are copies of what was anonymised: only the anonymised version is kept."""
    latest = record.history.order_by("-history_date", "-history_id").values_list("history_id", flat=True).first()
    record.history.exclude(history_id=latest).delete()


@transaction.atomic
def concern_anonymise(*, concern: Concern, by: User | None) -> Concern:
    """Remove what could identify a person from a closed concern (its summary, outcome, section 42 reference and
    who recorded it) and from its history, keeping the kind, severity, provider and dates the statistics count.
    ``by`` None: the daily retention task (``records.retention``, which checks legal holds first)."""
    if by is not None:
        permissions.require(by, "oversight.change_concern", concern)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status != Concern.Status.CLOSED:
        raise ValidationError({"status": "An open concern cannot be anonymised."})
    concern.summary = ANONYMISED_TEXT
    concern.outcome = ""
    concern.s42_reference = ""
    concern.recorded_by = None
    _done_by(concern, by)
    concern.save(update_fields=["summary", "outcome", "s42_reference", "recorded_by", "updated_at"])
    _keep_only_latest_history(concern)
    return concern


@transaction.atomic
def visit_anonymise(*, visit: Visit, by: User | None) -> Visit:
    """Remove what could identify a person from a visit (its findings and follow-up actions) and from its history,
    keeping the provider, date, kind and levels. ``by`` None: the daily retention task."""
    if by is not None:
        permissions.require(by, "oversight.change_visit", visit)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    visit.findings = ANONYMISED_TEXT
    visit.follow_up_actions = ""
    _done_by(visit, by)
    visit.save(update_fields=["findings", "follow_up_actions", "updated_at"])
    _keep_only_latest_history(visit)
    return visit


# The text fields a person's details may be redacted from, per record type. Identifiers with a uniqueness rule
# (a concern's s42 reference) are searched but never replaced: two redacted references would collide.
REDACTABLE_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Visit: ("findings", "follow_up_actions"),
    Concern: ("summary", "outcome"),
    ActionPlan: ("title",),
    PlanAction: ("description", "owner"),
    EscalationStep: ("note",),
    Escalation: ("reason", "told", "outcome"),
    EscalationEvent: ("text",),
    GovernanceMeeting: ("attendees", "minutes"),
}


@transaction.atomic
def officer_record_redact(
    *, record: models.Model, fields: Sequence[str], terms: Sequence[str], replacement: str, by: User
) -> dict[str, int]:
    """Replace a person's details (``terms``) with ``replacement`` in chosen fields of a visit, concern, action
    plan, action or escalation step (UK GDPR erasure or rectification); returns the replacements per field."""
    model = type(record)
    if model not in REDACTABLE_FIELDS:
        raise ValidationError(f"A {model._meta.verbose_name} is not redacted here.")
    locked = model.objects.select_for_update().get(pk=record.pk)  # type: ignore[attr-defined]
    return redact_fields(
        record=locked, allowed=REDACTABLE_FIELDS[model], fields=fields, terms=terms, replacement=replacement, by=by
    )
