"""Escalation governance ('Maximising Support, Minimising Risk', seed 001): its writes and its reads.

- **Stages** (contract manager, peer support, senior intervention, the Contract Management Governance group...)
  and **triggers** (an action plan not complete N months after it was agreed while the provider is medium or
  high risk, the provider's risk rising to High, a suspension of admissions, a serious incident or a high or
  critical concern, an officer's request for support) are configuration only administrators set
  (``oversight.change_escalationstage`` / ``oversight.change_escalationtrigger``).
- The daily sweep (``escalation_triggers_sweep``) evaluates every active trigger. A provider keeps one escalation
  while it is open: a situation of a provider with none open opens one (``Escalation.situation_key``, unique) at
  the trigger's stage; a situation of a provider with one open is added to it (an event with
  ``EscalationEvent.situation_key``, unique), moving it up to the trigger's stage if that is higher (never down).
  Each situation is escalated once, and the stage's people are told once through the core notifications (a link
  only). A closed escalation takes nothing new. An officer's request for support opens one by hand.
- An open escalation moves between stages (each move told to the new stage's people), records decisions and
  actions with owners and due dates, and is closed with its outcome once its actions are done.

Services are keyword-only and atomic, check the actor (``commissioning.permissions``) then the rules, raise
ValidationError naming the field and TransitionNotAllowed for a closed escalation, and write the escalation's
own history (``EscalationEvent``).
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from commissioning import permissions
from commissioning.models import User
from commissioning.notifications import notify
from contracts.models import Contract
from providers.models import Provider, RiskAssessment, RiskLevel

from .models import (
    ActionPlan,
    Concern,
    Escalation,
    EscalationAction,
    EscalationEvent,
    EscalationStage,
    EscalationTrigger,
    Sanction,
)
from .selectors import ESCALATION_RISK_LEVELS
from .services import TransitionNotAllowed, _check_belongs

Kind = EscalationTrigger.Kind
NOTIFICATION_KIND = "oversight.escalation"
# Event-like situations (a rise to High, a suspension, an incident) are looked for this many days back, so a
# sweep missed for a day still sees them and the first sweep does not escalate the whole history.
DEFAULT_LOOKBACK_DAYS = 31
# The event the sweep records when it adds a further situation to a provider's open escalation.
SITUATION_EVENT_KIND = EscalationEvent.Kind.SITUATION
# The home page counts the signed-in officer's open actions due within this many days (or overdue).
ACTIONS_DUE_WITHIN_DAYS = 7


def _today() -> date:
    return timezone.localdate()


def lookback_days() -> int:
    return int(getattr(settings, "ESCALATION_SWEEP_LOOKBACK_DAYS", DEFAULT_LOOKBACK_DAYS))


def _done_by(record: Any, by: User | None) -> None:
    record._history_user = by


def _check_day(field: str, day: date | None, *, not_before: date | None = None, what: str = "date") -> None:
    if day is None:
        raise ValidationError({field: f"Enter the {what}."})
    if day > _today():
        raise ValidationError({field: f"The {what} must be today or in the past."})
    if not_before is not None and day < not_before:
        raise ValidationError(
            {field: f"The {what} cannot be before the escalation was opened ({not_before:%d/%m/%Y})."}
        )


def _locked(escalation: Escalation) -> Escalation:
    return (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("provider", "contract", "stage")
        .get(pk=escalation.pk)
    )


def _require_open(escalation: Escalation) -> None:
    if escalation.status != Escalation.Status.OPEN:
        raise TransitionNotAllowed(f"This escalation was closed on {escalation.closed_on:%d/%m/%Y}: it cannot change.")


# --- Telling the people a stage names ------------------------------------------------------------------------


def stage_recipients(*, stage: EscalationStage, contract: Contract | None) -> list[User]:
    """The people an escalation reaching ``stage`` is told: those the stage names and, if it says so, the
    contract's manager and backup."""
    people = {user.pk: user for user in stage.notify_users.filter(is_active=True)}
    if stage.notify_contract_manager and contract is not None:
        for user in (contract.contract_manager, contract.backup_manager):
            if user is not None and user.is_active:
                people[user.pk] = user
    return list(people.values())


def _tell(escalation: Escalation, *, stage: EscalationStage, by: User | None, event: str, subject: str = "") -> None:
    """Notify the stage's people (a link, no personal details) and record who was told."""
    recipients = stage_recipients(stage=stage, contract=escalation.contract)
    notify(
        recipients=recipients,
        kind=NOTIFICATION_KIND,
        subject=(subject or f"An escalation has reached {stage.name}")[:100],
        link=escalation.get_absolute_url(),
        dedupe_key=f"escalation:{escalation.pk}:{event}",
        by=by,
    )
    if recipients:
        escalation.told_users.add(*recipients)
    if stage.who_must_be_told:
        line = f"{stage.name}: {stage.who_must_be_told}"
        if line not in escalation.told:
            escalation.told = f"{escalation.told}\n{line}".strip()
            escalation.save(update_fields=["told", "updated_at"])


# --- Configuration (administrators) --------------------------------------------------------------------------


@transaction.atomic
def escalation_stage_save(
    *,
    by: User,
    name: str,
    level: int,
    stage: EscalationStage | None = None,
    description: str = "",
    who_must_be_told: str = "",
    notify_users: list[User] | None = None,
    notify_contract_manager: bool = True,
    active: bool = True,
) -> EscalationStage:
    """Add a stage of the escalation ladder, or change one (administrators only). A stage that triggers open
    at cannot be switched off."""
    perm = "oversight.change_escalationstage" if stage else "oversight.add_escalationstage"
    permissions.require(by, perm)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the stage's name."})
    if level is None or level < 1:
        raise ValidationError({"level": "The level is a whole number from 1."})
    clash = EscalationStage.objects.exclude(pk=stage.pk) if stage else EscalationStage.objects.all()
    if clash.filter(level=level).exists():
        raise ValidationError({"level": f"Another stage is already at level {level}."})
    if clash.filter(name__iexact=name).exists():
        raise ValidationError({"name": "Another stage already has this name."})
    if stage is not None and not active and stage.triggers.filter(active=True).exists():
        raise ValidationError({"active": "Active triggers open escalations at this stage: move them first."})
    stage = stage or EscalationStage()
    stage.name, stage.level, stage.description = name, level, description.strip()
    stage.who_must_be_told, stage.notify_contract_manager, stage.active = (
        who_must_be_told.strip(),
        notify_contract_manager,
        active,
    )
    stage.save()
    if notify_users is not None:
        stage.notify_users.set(notify_users)
    return stage


@transaction.atomic
def escalation_trigger_save(
    *,
    by: User,
    kind: str,
    stage: EscalationStage,
    trigger: EscalationTrigger | None = None,
    months: int = 3,
    description: str = "",
    active: bool = True,
) -> EscalationTrigger:
    """Add a trigger (the situation and the stage it opens at), or change one (administrators only). Only one
    active trigger of each kind."""
    perm = "oversight.change_escalationtrigger" if trigger else "oversight.add_escalationtrigger"
    permissions.require(by, perm)
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose what triggers the escalation."})
    if stage is None or not stage.active:
        raise ValidationError({"stage": "Choose an active stage."})
    if kind == Kind.ACTION_PLAN_OVERDUE and not (months and 1 <= months <= 24):
        raise ValidationError({"months": "Enter the months, from 1 to 24."})
    others = EscalationTrigger.objects.filter(kind=kind, active=True)
    if trigger is not None:
        others = others.exclude(pk=trigger.pk)
    if active and others.exists():
        raise ValidationError({"kind": "There is already an active trigger of this kind: change that one."})
    trigger = trigger or EscalationTrigger()
    trigger.kind, trigger.stage, trigger.months = kind, stage, months or 3
    trigger.description, trigger.active = description.strip(), active
    trigger.save()
    return trigger


def active_trigger(kind: str) -> EscalationTrigger | None:
    return EscalationTrigger.objects.filter(kind=kind, active=True).select_related("stage").first()


def first_stage() -> EscalationStage | None:
    return EscalationStage.objects.filter(active=True).order_by("level", "pk").first()


def ladder() -> tuple[QuerySet[EscalationStage], QuerySet[EscalationTrigger]]:
    """The escalation ladder as configured: every stage (active or not) from the first level up with the people
    it tells, and every trigger by the stage it opens at."""
    return (
        EscalationStage.objects.prefetch_related("notify_users").order_by("level", "pk"),
        EscalationTrigger.objects.select_related("stage").order_by("stage__level", "kind", "pk"),
    )


# --- Opening, moving, deciding, acting, closing ---------------------------------------------------------------


def _open(
    *,
    provider: Provider,
    reason: str,
    stage: EscalationStage,
    trigger: EscalationTrigger | None,
    kind: str,
    opened_on: date,
    by: User | None,
    contract: Contract | None = None,
    situation_key: str = "",
) -> Escalation:
    escalation = Escalation(
        provider=provider,
        contract=contract,
        stage=stage,
        trigger=trigger,
        trigger_kind=kind,
        situation_key=situation_key,
        reason=reason,
        opened_on=opened_on,
        opened_by=by,
    )
    _done_by(escalation, by)
    escalation.save()
    escalation.events.create(kind=EscalationEvent.Kind.OPENED, stage=stage, happened_on=opened_on, text=reason, by=by)
    _tell(escalation, stage=stage, by=by, event="opened")
    return escalation


@transaction.atomic
def escalation_open(
    *,
    provider: Provider,
    reason: str,
    by: User,
    contract: Contract | None = None,
    stage: EscalationStage | None = None,
    opened_on: date | None = None,
    trigger: EscalationTrigger | None = None,
) -> Escalation:
    """Open an escalation by hand: an officer's request for support (or, with ``trigger``, a situation an
    officer records). It opens at the stage asked for, else the trigger's, else the officer-request trigger's,
    else the first stage; the stage's people are told."""
    opened_on = opened_on or _today()
    check = Escalation(provider=provider, contract=contract)
    permissions.require(by, "oversight.add_escalation", check)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why support or escalation is needed."})
    _check_belongs(provider=provider, location=None, contract=contract)
    _check_day("opened_on", opened_on, what="date opened")
    kind: str
    if trigger is None:
        trigger = active_trigger(Kind.OFFICER_REQUEST)
        kind = Kind.OFFICER_REQUEST
    else:
        kind = trigger.kind
    stage = stage or (trigger.stage if trigger else None) or first_stage()
    if stage is None:
        raise ValidationError({"stage": "No escalation stages are set up: ask an administrator."})
    if not stage.active:
        raise ValidationError({"stage": "Choose an active stage."})
    return _open(
        provider=provider,
        contract=contract,
        reason=reason,
        stage=stage,
        trigger=trigger,
        kind=kind,
        opened_on=opened_on,
        by=by,
    )


@transaction.atomic
def escalation_move_stage(
    *, escalation: Escalation, stage: EscalationStage, note: str, by: User, moved_on: date | None = None
) -> Escalation:
    """Move an open escalation to another stage (up to peer then senior intervention, or back down), saying
    why; the new stage's people are told."""
    escalation = _locked(escalation)
    permissions.require(by, "oversight.change_escalation", escalation)
    moved_on = moved_on or _today()
    _check_move(escalation, stage)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say why the escalation moves to this stage."})
    _check_day("moved_on", moved_on, not_before=escalation.opened_on, what="date moved")
    event = _move(escalation, stage=stage, note=note, moved_on=moved_on, by=by)
    _tell(escalation, stage=stage, by=by, event=f"stage:{event.pk}")
    return escalation


def _check_move(escalation: Escalation, stage: EscalationStage | None) -> None:
    """Which moves there are: an open escalation, to another stage in use (an officer's or the sweep's)."""
    _require_open(escalation)
    if stage is None or not stage.active:
        raise ValidationError({"stage": "Choose an active stage."})
    if stage.pk == escalation.stage_id:
        raise ValidationError({"stage": f"The escalation is already at {stage.name}."})


def _move(
    escalation: Escalation, *, stage: EscalationStage, note: str, moved_on: date, by: User | None
) -> EscalationEvent:
    """Write a move ``_check_move`` allowed, with its history; the caller tells the new stage's people."""
    escalation.stage = stage
    _done_by(escalation, by)
    escalation.save(update_fields=["stage", "updated_at"])
    return escalation.events.create(
        kind=EscalationEvent.Kind.STAGE, stage=stage, happened_on=moved_on, text=note, by=by
    )


@transaction.atomic
def escalation_record_decision(
    *, escalation: Escalation, decision: str, by: User, decided_on: date | None = None
) -> EscalationEvent:
    """Record a decision taken on an open escalation (at its current stage)."""
    escalation = _locked(escalation)
    event = EscalationEvent(escalation=escalation, kind=EscalationEvent.Kind.DECISION, stage=escalation.stage, by=by)
    permissions.require(by, "oversight.add_escalationevent", event)
    _require_open(escalation)
    decided_on = decided_on or _today()
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError({"decision": "Enter the decision."})
    _check_day("decided_on", decided_on, not_before=escalation.opened_on, what="date of the decision")
    event.text, event.happened_on = decision, decided_on
    event.save()
    return event


def _check_action(action: str, owner: User | None, due_on: date | None) -> str:
    action = (action or "").strip()
    if not action:
        raise ValidationError({"action": "Enter the action."})
    if owner is None:
        raise ValidationError({"owner": "Choose who owns the action."})
    if not owner.is_active:
        raise ValidationError({"owner": "Choose someone whose account is active."})
    if due_on is None:
        raise ValidationError({"due_on": "Enter the date the action is due."})
    return action


@transaction.atomic
def escalation_action_add(
    *, escalation: Escalation, action: str, owner: User, due_on: date, by: User
) -> EscalationAction:
    """Add an action due on an open escalation, with its owner. It cannot be due before the escalation opened."""
    escalation = _locked(escalation)
    record = EscalationAction(escalation=escalation, owner=owner, due_on=due_on, created_by=by)
    permissions.require(by, "oversight.add_escalationaction", record)
    _require_open(escalation)
    record.action = _check_action(action, owner, due_on)
    if due_on < escalation.opened_on:
        raise ValidationError({"due_on": "The action cannot be due before the escalation was opened."})
    record.save()
    return record


@transaction.atomic
def escalation_action_complete(*, action: EscalationAction, done_on: date, by: User) -> EscalationAction:
    """Mark an action (an escalation's or a meeting's) done. Done once; not in the future."""
    action = EscalationAction.objects.select_for_update(of=("self",)).select_related("escalation").get(pk=action.pk)
    permissions.require(by, "oversight.change_escalationaction", action)
    if action.done_on is not None:
        raise TransitionNotAllowed(f"This action was already done on {action.done_on:%d/%m/%Y}.")
    if done_on is None:
        raise ValidationError({"done_on": "Enter the date the action was done."})
    if done_on > _today():
        raise ValidationError({"done_on": "The date done must be today or in the past."})
    action.done_on = done_on
    action.save(update_fields=["done_on", "updated_at"])
    return action


@transaction.atomic
def escalation_close(*, escalation: Escalation, outcome: str, by: User, closed_on: date | None = None) -> Escalation:
    """Close an open escalation with its outcome, once every action on it is done."""
    escalation = _locked(escalation)
    permissions.require(by, "oversight.change_escalation", escalation)
    _require_open(escalation)
    closed_on = closed_on or _today()
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": "Enter the outcome."})
    _check_day("closed_on", closed_on, not_before=escalation.opened_on, what="date closed")
    open_actions = escalation.actions.filter(done_on__isnull=True).count()
    if open_actions:
        raise ValidationError(
            {"outcome": f"{open_actions} action{'s' if open_actions != 1 else ''} still to do: complete them first."}
        )
    escalation.status, escalation.closed_on, escalation.outcome = Escalation.Status.CLOSED, closed_on, outcome
    _done_by(escalation, by)
    escalation.save(update_fields=["status", "closed_on", "outcome", "updated_at"])
    escalation.events.create(
        kind=EscalationEvent.Kind.CLOSED, stage=escalation.stage, happened_on=closed_on, text=outcome, by=by
    )
    return escalation


# --- The triggers' situations and the daily sweep -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Situation:
    """A situation a trigger sees: ``key`` names it, so it opens one escalation only."""

    trigger: EscalationTrigger
    key: str
    provider: Provider
    contract: Contract | None
    since: date
    reason: str


def _plans_overdue(trigger: EscalationTrigger, today: date, since: date | None) -> list[Situation]:
    cutoff = today - relativedelta(months=trigger.months)
    plans = (
        ActionPlan.objects.filter(status=ActionPlan.Status.OPEN, agreed_on__lte=cutoff)
        .annotate(provider_risk_level=RiskAssessment.objects.level_on(today, provider=OuterRef("provider_id")))
        .filter(provider_risk_level__in=ESCALATION_RISK_LEVELS)
        .select_related("provider", "contract__contract_manager", "contract__backup_manager")
        .order_by("agreed_on", "pk")
    )
    if since is not None:
        plans = plans.filter(agreed_on__gte=since - relativedelta(months=trigger.months))
    return [
        Situation(
            trigger=trigger,
            key=f"action_plan_overdue:{plan.pk}",
            provider=plan.provider,
            contract=plan.contract,
            since=plan.agreed_on + relativedelta(months=trigger.months),
            reason=f"Action plan '{plan.title}' agreed on {plan.agreed_on:%d/%m/%Y} is not complete after "
            f"{trigger.months} months; the provider is {RiskLevel(plan.provider_risk_level).label.lower()} risk.",
        )
        for plan in plans
    ]


def _risk_high(trigger: EscalationTrigger, today: date, since: date | None) -> list[Situation]:
    """Providers whose risk is High on ``today``: the situation is the assessment that began the current run of
    High (the first High after a lower level, or the first assessment). Three queries."""
    high = Provider.objects.annotate(
        level_today=RiskAssessment.objects.level_on(today, provider=OuterRef("pk"))
    ).filter(level_today=RiskLevel.HIGH)
    rows = (
        RiskAssessment.objects.filter(provider__in=high.values("pk"), assessed_on__lte=today)
        .order_by("provider_id", "assessed_on", "pk")
        .values_list("pk", "provider_id", "assessed_on", "level")
    )
    runs: dict[int, tuple[int, date, str | None]] = {}
    previous: dict[int, str] = {}
    for pk, provider_id, assessed_on, level in rows:
        before = previous.get(provider_id)
        if level == RiskLevel.HIGH and before != RiskLevel.HIGH:
            runs[provider_id] = (pk, assessed_on, before)
        previous[provider_id] = level
    if since is not None:
        runs = {provider_id: run for provider_id, run in runs.items() if run[1] >= since}
    providers = Provider.objects.in_bulk(list(runs))
    found = []
    for provider_id, (pk, assessed_on, before) in sorted(runs.items(), key=lambda item: (item[1][1], item[1][0])):
        found.append(
            Situation(
                trigger=trigger,
                key=f"risk_high:{pk}",
                provider=providers[provider_id],
                contract=None,
                since=assessed_on,
                reason=f"The provider's risk rose to High on {assessed_on:%d/%m/%Y}"
                + (f" (from {RiskLevel(before).label})." if before else "."),
            )
        )
    return found


def _suspensions(trigger: EscalationTrigger, today: date, since: date | None) -> list[Situation]:
    sanctions = (
        Sanction.objects.filter(kind=Sanction.Kind.SUSPENSION, issued_on__lte=today)
        .filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=today))
        .select_related("provider", "contract__contract_manager", "contract__backup_manager")
        .order_by("issued_on", "pk")
    )
    if since is not None:
        sanctions = sanctions.filter(issued_on__gte=since)
    return [
        Situation(
            trigger=trigger,
            key=f"suspension:{sanction.pk}",
            provider=sanction.provider,
            contract=sanction.contract,
            since=sanction.issued_on,
            reason=f"New admissions suspended from {sanction.issued_on:%d/%m/%Y}.",
        )
        for sanction in sanctions
    ]


def _serious_incidents(trigger: EscalationTrigger, today: date, since: date | None) -> list[Situation]:
    concerns = (
        Concern.objects.filter(status=Concern.Status.OPEN, raised_on__lte=today)
        .filter(
            Q(kind=Concern.Kind.SERIOUS_INCIDENT) | Q(severity__in=(Concern.Severity.HIGH, Concern.Severity.CRITICAL))
        )
        .select_related("provider", "contract__contract_manager", "contract__backup_manager")
        .order_by("raised_on", "pk")
    )
    if since is not None:
        concerns = concerns.filter(raised_on__gte=since)
    # Neither the summary nor the kind is copied: a concern's detail (a safeguarding enquiry) stays on the concern,
    # read by those who may read it.
    return [
        Situation(
            trigger=trigger,
            key=f"serious_incident:{concern.pk}",
            provider=concern.provider,
            contract=concern.contract,
            since=concern.raised_on,
            reason=f"A serious incident or concern ({concern.get_severity_display().lower()} severity) was raised on "
            f"{concern.raised_on:%d/%m/%Y}: see the provider's concerns.",
        )
        for concern in concerns
    ]


_SITUATIONS = {
    Kind.ACTION_PLAN_OVERDUE: _plans_overdue,
    Kind.RISK_HIGH: _risk_high,
    Kind.SUSPENSION: _suspensions,
    Kind.SERIOUS_INCIDENT: _serious_incidents,
}


def active_triggers() -> list[EscalationTrigger]:
    """The triggers in use, at stages in use, with their stage."""
    return list(EscalationTrigger.objects.filter(active=True, stage__active=True).select_related("stage"))


def trigger_situations(
    *,
    today: date,
    lookback: int | None = None,
    new_only: bool = False,
    triggers: list[EscalationTrigger] | None = None,
) -> list[Situation]:
    """What every active trigger (or each of ``triggers``) sees on ``today`` (an officer's request is made by hand,
    so has none). ``lookback`` (days) keeps the situations that arose that recently; ``new_only`` drops those
    already escalated. A few queries per trigger, whatever the number of records."""
    since = today - timedelta(days=lookback) if lookback is not None else None
    found: list[Situation] = []
    for trigger in active_triggers() if triggers is None else triggers:
        finder = _SITUATIONS.get(Kind(trigger.kind))
        if finder is not None:
            found.extend(finder(trigger, today, since))
    if new_only and found:
        taken = _escalated_keys([s.key for s in found])
        found = [s for s in found if s.key not in taken]
    return found


def _escalated_keys(keys: list[str]) -> set[str]:
    """Those of ``keys`` already escalated: each opened an escalation or was added to an open one. One query."""
    opened = Escalation.objects.filter(situation_key__in=keys).order_by().values_list("situation_key", flat=True)
    added = EscalationEvent.objects.filter(situation_key__in=keys).order_by().values_list("situation_key", flat=True)
    return set(opened.union(added))


def _open_escalation_of(situation: Situation) -> Escalation | None:
    """The provider's open escalation (locked), the one under the situation's contract first, else the oldest:
    normally there is only one, but an officer may have opened another by hand."""
    same_contract = Case(When(contract=situation.contract, then=Value(0)), default=Value(1))
    return (
        Escalation.objects.select_for_update(of=("self",))
        .filter(provider=situation.provider, status=Escalation.Status.OPEN)
        .select_related("provider", "contract", "stage")
        .order_by(same_contract, "opened_on", "pk")
        .first()
    )


def _add_situation(escalation: Escalation, *, situation: Situation, today: date) -> None:
    """Record a further situation on the provider's open escalation, move it up to the trigger's stage if that is
    higher (an escalation is never moved down by a trigger), and tell its stage's people once."""
    # Not before the escalation opened, so its history stays in order if a past day's sweep is run again.
    on = max(today, escalation.opened_on)
    stage = situation.trigger.stage
    escalation.events.create(
        kind=SITUATION_EVENT_KIND,
        stage=escalation.stage,
        happened_on=on,
        text=f"Further situation ({situation.trigger}): {situation.reason}",
        by=None,
        situation_key=situation.key,
    )
    tell = f"situation:{situation.key}"
    if stage.level > escalation.stage.level:
        _check_move(escalation, stage)
        _move(
            escalation,
            stage=stage,
            note=f"Moved up by the daily sweep: {situation.trigger} opens at {stage.name}.",
            moved_on=on,
            by=None,
        )
        _tell(escalation, stage=stage, by=None, event=tell)
    else:
        _tell(
            escalation,
            stage=escalation.stage,
            by=None,
            event=tell,
            subject=f"A further situation was added to an escalation at {escalation.stage.name}",
        )


def escalation_triggers_sweep(*, today: date) -> int:
    """Daily: escalate each situation the active triggers see that arose within the look-back
    (``ESCALATION_SWEEP_LOOKBACK_DAYS``) and is not yet escalated. A provider with an open escalation has the
    situation added to it (moved up to the trigger's stage if that is higher); any other provider has one opened
    at the trigger's stage. The stage's people are told. Safe to run again: each situation is escalated once.
    Returns how many escalations were opened."""
    opened = 0
    # Oldest first, so a provider's escalation opens for its first situation and the later ones join it.
    situations = sorted(
        trigger_situations(today=today, lookback=lookback_days(), new_only=True), key=lambda s: (s.since, s.key)
    )
    for situation in situations:
        with transaction.atomic():
            # The provider's row is locked so that two sweeps at once neither open two escalations for it nor
            # escalate a situation twice.
            list(Provider.objects.select_for_update().filter(pk=situation.provider.pk).values_list("pk", flat=True))
            if _escalated_keys([situation.key]):
                continue
            escalation = _open_escalation_of(situation)
            if escalation is not None:
                _add_situation(escalation, situation=situation, today=today)
                continue
            _open(
                provider=situation.provider,
                contract=situation.contract,
                reason=situation.reason,
                stage=situation.trigger.stage,
                trigger=situation.trigger,
                kind=situation.trigger.kind,
                opened_on=today,
                by=None,
                situation_key=situation.key,
            )
            opened += 1
    return opened


# --- Reads ----------------------------------------------------------------------------------------------------


def escalation_list(*, user, status: str = "", stage: EscalationStage | None = None) -> QuerySet[Escalation]:
    """The escalations ``user`` may see, by stage then oldest first, with their open-action count."""
    queryset = Escalation.objects.visible_to(user).select_related("provider", "contract", "stage", "opened_by")
    if status:
        queryset = queryset.filter(status=status)
    if stage is not None:
        queryset = queryset.filter(stage=stage)
    return queryset.annotate(open_actions=Count("actions", filter=Q(actions__done_on__isnull=True))).order_by(
        "stage__level", "opened_on", "pk"
    )


def escalation_detail(*, user, pk: int) -> Escalation:
    """One escalation with its history, actions and who was told (raises DoesNotExist if not visible)."""
    return (
        Escalation.objects.visible_to(user)
        .select_related("provider", "contract", "stage", "trigger", "opened_by")
        .prefetch_related(
            Prefetch(
                "events", queryset=EscalationEvent.objects.select_related("stage", "by").order_by("happened_on", "pk")
            ),
            Prefetch("actions", queryset=EscalationAction.objects.select_related("owner").order_by("due_on", "pk")),
            "told_users",
            "governance_items__meeting",
        )
        .get(pk=pk)
    )


def actions_due_for(*, user, today: date | None = None) -> QuerySet[EscalationAction]:
    """The user's own actions not done and due within ``ACTIONS_DUE_WITHIN_DAYS`` (or overdue)."""
    today = today or _today()
    return (
        EscalationAction.objects.visible_to(user)
        .filter(owner=user, done_on__isnull=True, due_on__lte=today + timedelta(days=ACTIONS_DUE_WITHIN_DAYS))
        .select_related("escalation__provider", "meeting")
        .order_by("due_on", "pk")
    )
