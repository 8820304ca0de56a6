"""Writes of what contract officers log about providers: visits, concerns, sanctions, action plans, escalation.

Services are keyword-only, atomic and record who did it (the history user). Each first checks that the
actor may make the change (``commissioning.permissions``: the role's model permission, and the directorate
of the contract the record is under), then the rules, raising ValidationError naming the field; a record
in the wrong state raises TransitionNotAllowed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from commissioning import permissions
from commissioning.models import User
from contracts.models import Contract
from providers.models import Location, Provider

from .models import ActionPlan, Concern, EscalationStep, PlanAction, Sanction, Visit


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


def _check_belongs(*, provider: Provider, location: Location | None, contract: Contract | None) -> None:
    """A visit or concern's location must be the provider's, and the contract one the provider holds."""
    if location is not None and location.provider_id != provider.pk:
        raise ValidationError({"location": f"{location} is not one of {provider}'s locations."})
    if contract is not None:
        holds = contract.lead_provider_id == provider.pk or contract.other_providers.filter(pk=provider.pk).exists()
        if not holds:
            raise ValidationError({"contract": f"{provider} does not hold contract {contract.reference}."})


# --- Visits ------------------------------------------------------------------------------------------------


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
    visit = Visit(
        provider=provider,
        location=location,
        contract=contract,
        visited_on=visited_on,
        kind=kind,
        officer=officer or by,
        findings=findings.strip(),
        environment=environment,
        complaints_feedback=complaints_feedback,
        follow_up_actions=follow_up_actions.strip(),
    )
    permissions.require(by, "oversight.add_visit", visit)
    _check_not_future("visited_on", visited_on, "visit date")
    _check_belongs(provider=provider, location=location, contract=contract)
    visit.full_clean()
    _done_by(visit, by)
    visit.save()
    return visit


# --- Concerns ----------------------------------------------------------------------------------------------


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
) -> Concern:
    """Record a poor practice concern, safeguarding enquiry, serious incident or complaint. It starts open."""
    concern = Concern(
        provider=provider,
        location=location,
        contract=contract,
        kind=kind,
        raised_on=raised_on,
        severity=severity,
        summary=summary.strip(),
        status=Concern.Status.OPEN,
        recorded_by=by,
    )
    permissions.require(by, "oversight.add_concern", concern)
    _check_not_future("raised_on", raised_on, "date raised")
    _check_belongs(provider=provider, location=location, contract=contract)
    if not summary.strip():
        raise ValidationError({"summary": "Enter a summary of the concern."})
    concern.full_clean()
    _done_by(concern, by)
    concern.save()
    return concern


@transaction.atomic
def concern_close(*, concern: Concern, closed_on: date, outcome: str, by: User) -> Concern:
    """Close an open concern with its outcome. The closing date cannot be before the concern was raised."""
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    permissions.require(by, "oversight.change_concern", concern)
    if concern.status != Concern.Status.OPEN:
        raise TransitionNotAllowed(f"This concern was already closed on {concern.closed_on:%d/%m/%Y}.")
    errors = {}
    if not outcome.strip():
        errors["outcome"] = "Enter the outcome of the concern."
    if closed_on < concern.raised_on:
        errors["closed_on"] = f"The date closed must be on or after the date raised ({concern.raised_on:%d/%m/%Y})."
    elif closed_on > _today():
        errors["closed_on"] = "The date closed must be today or in the past."
    if errors:
        raise ValidationError(errors)
    concern.status = Concern.Status.CLOSED
    concern.closed_on = closed_on
    concern.outcome = outcome.strip()
    _done_by(concern, by)
    concern.save(update_fields=["status", "closed_on", "outcome", "updated_at"])
    return concern


# --- Sanctions ---------------------------------------------------------------------------------------------


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
    permissions.require(by, "oversight.add_sanction", Sanction(provider=provider, contract=contract))
    _check_belongs(provider=provider, location=location, contract=contract)
    errors = {}
    if not reason.strip():
        errors["reason"] = "Enter the reason for the sanction."
    if kind == Sanction.Kind.SERVICE_CREDIT and (amount is None or amount <= 0):
        errors["amount"] = "Enter the amount of the service credit in pounds."
    if amount is not None and kind != Sanction.Kind.SERVICE_CREDIT:
        errors["amount"] = "Only a service credit has an amount."
    if lifted_on is not None and lifted_on < issued_on:
        errors["lifted_on"] = "The lift date must be on or after the start date."
    if errors:
        raise ValidationError(errors)
    sanction = Sanction(
        provider=provider,
        location=location,
        contract=contract,
        kind=kind,
        issued_on=issued_on,
        lifted_on=lifted_on,
        amount=amount,
        reason=reason.strip(),
        issued_by=by,
    )
    sanction.full_clean()
    _done_by(sanction, by)
    sanction.save()
    return sanction


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
    permissions.require(by, "oversight.add_actionplan", ActionPlan(provider=provider, contract=contract))
    _check_not_future("agreed_on", agreed_on, "date agreed")
    _check_belongs(provider=provider, location=location, contract=contract)
    if not title.strip():
        raise ValidationError({"title": "Enter a title for the action plan."})
    plan = ActionPlan(provider=provider, location=location, contract=contract, title=title.strip(), agreed_on=agreed_on)
    _done_by(plan, by)
    plan.save()
    for action in actions or []:
        plan_action_add(plan=plan, by=by, **action)
    return plan


@transaction.atomic
def plan_action_add(*, plan: ActionPlan, description: str, owner: str, due_on: date, by: User) -> PlanAction:
    """Add an action, with its owner and due date, to an open action plan."""
    permissions.require(by, "oversight.add_planaction", PlanAction(plan=plan))
    if plan.status == ActionPlan.Status.COMPLETE:
        raise TransitionNotAllowed("This action plan is complete; agree a new plan for further actions.")
    errors = {}
    if not description.strip():
        errors["description"] = "Enter the action."
    if not owner.strip():
        errors["owner"] = "Enter who owns the action."
    if due_on < plan.agreed_on:
        errors["due_on"] = f"The due date must be on or after the plan was agreed ({plan.agreed_on:%d/%m/%Y})."
    if errors:
        raise ValidationError(errors)
    action = PlanAction(plan=plan, description=description.strip(), owner=owner.strip(), due_on=due_on)
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
    if completed_on < action.plan.agreed_on:
        agreed = f"{action.plan.agreed_on:%d/%m/%Y}"
        raise ValidationError({"completed_on": f"The date completed must be on or after the date agreed ({agreed})."})
    _check_not_future("completed_on", completed_on, "date completed")
    action.completed_on = completed_on
    _done_by(action, by)
    action.save(update_fields=["completed_on", "updated_at"])
    plan = action.plan
    if not plan.actions.filter(completed_on__isnull=True).exists():
        plan.status = ActionPlan.Status.COMPLETE
        plan.completed_on = plan.actions.aggregate(last=Max("completed_on"))["last"]
        _done_by(plan, by)
        plan.save(update_fields=["status", "completed_on", "updated_at"])
    return action


@transaction.atomic
def escalation_step_record(*, plan: ActionPlan, step: str, taken_on: date, by: User, note: str = "") -> EscalationStep:
    """Record an escalation step taken on an action plan that is not complete."""
    permissions.require(by, "oversight.add_escalationstep", EscalationStep(plan=plan))
    if plan.status == ActionPlan.Status.COMPLETE:
        raise TransitionNotAllowed("This action plan is complete: there is nothing to escalate.")
    _check_not_future("taken_on", taken_on, "date taken")
    if taken_on < plan.agreed_on:
        raise ValidationError(
            {"taken_on": f"The date must be on or after the plan was agreed ({plan.agreed_on:%d/%m/%Y})."}
        )
    escalation = EscalationStep(plan=plan, step=step, taken_on=taken_on, note=note.strip(), taken_by=by)
    escalation.full_clean()
    _done_by(escalation, by)
    escalation.save()
    return escalation
