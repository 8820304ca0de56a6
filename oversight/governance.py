"""Governance of contract management: the Contract Management Governance group (seed 001), whose agenda is the
open escalations, and the monthly contracts causing concern review (seed 002), whose agenda is that month's list.

- ``contracts_causing_concern(month=, user=)``: the contracts whose latest submitted return in or before the
  month is rated Red, whose grade is falling (the latest submitted JET score below the one before it), or that
  have an escalation open at the month's end, each with its reasons.
- ``governance_meeting_create`` builds the agenda; minutes, items and actions are kept while the meeting is a
  draft; ``governance_meeting_agree`` locks the minutes (actions can still be marked done).

Services are keyword-only and atomic, check the actor then the rules, and raise ValidationError naming the field
(TransitionNotAllowed for agreed minutes).
"""

from __future__ import annotations

import dataclasses
from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from commissioning import permissions
from commissioning.models import User
from contracts.models import Contract

from .escalation import _check_action
from .models import (
    ContractReturn,
    Escalation,
    EscalationAction,
    GovernanceItem,
    GovernanceMeeting,
    Rag,
)
from .services import TransitionNotAllowed

MeetingKind = GovernanceMeeting.Kind


def _today() -> date:
    return timezone.localdate()


def month_bounds(month: date) -> tuple[date, date]:
    start = month.replace(day=1)
    return start, start + relativedelta(months=1, days=-1)


# --- The contracts causing concern ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CausingConcern:
    contract: Contract
    reasons: list[str]


def contracts_causing_concern(*, month: date, user) -> list[CausingConcern]:
    """The contracts ``user`` may see that cause concern in ``month``: latest submitted return (in or before the
    month) rated Red, a falling grade, or an escalation open at the month's end. One query (and the role check)."""
    _, end = month_bounds(month)
    submitted = ContractReturn.objects.filter(
        contract=OuterRef("pk"), submitted_on__isnull=False, period_start__lte=end
    ).order_by("-period_start", "-pk")
    graded = submitted.filter(jet_score__isnull=False)
    open_escalations = Escalation.objects.filter(contract=OuterRef("pk"), opened_on__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=end)
    )
    contracts = (
        Contract.objects.visible_to(user)
        .annotate(
            latest_risk=Subquery(submitted.values("risk_rating")[:1]),
            latest_return_start=Subquery(submitted.values("period_start")[:1]),
            latest_jet=Subquery(graded.values("jet_score")[:1]),
            previous_jet=Subquery(graded.values("jet_score")[1:2]),
            escalated=Exists(open_escalations),
        )
        .filter(Q(latest_risk=Rag.RED) | Q(latest_jet__lt=F("previous_jet")) | Q(escalated=True))
        .select_related("lead_provider", "contract_manager", "directorate")
        .order_by("reference", "pk")
    )
    rows = []
    for contract in contracts:
        reasons = []
        if contract.latest_risk == Rag.RED:
            reasons.append(f"Red risk rating (return for {contract.latest_return_start:%B %Y})")
        if None not in (contract.latest_jet, contract.previous_jet) and contract.latest_jet < contract.previous_jet:
            reasons.append(f"Falling grade: JET score {contract.previous_jet} to {contract.latest_jet}")
        if contract.escalated:
            reasons.append("Open escalation")
        rows.append(CausingConcern(contract=contract, reasons=reasons))
    return rows


# --- Meetings ---------------------------------------------------------------------------------------------


def _agenda(meeting: GovernanceMeeting, by: User) -> list[GovernanceItem]:
    items: list[GovernanceItem] = []
    if meeting.kind == MeetingKind.GOVERNANCE:
        escalations = (
            Escalation.objects.visible_to(by)
            .filter(status=Escalation.Status.OPEN, opened_on__lte=meeting.held_on)
            .select_related("provider", "stage", "contract")
            .order_by("-stage__level", "opened_on", "pk")
        )
        for position, escalation in enumerate(escalations, start=1):
            where = f" ({escalation.contract.reference})" if escalation.contract else ""
            items.append(
                GovernanceItem(
                    meeting=meeting,
                    position=position,
                    escalation=escalation,
                    contract=escalation.contract,
                    reasons=f"{escalation.provider}{where}, {escalation.stage.name}: {escalation.reason}",
                )
            )
    else:
        for position, row in enumerate(contracts_causing_concern(month=meeting.month or meeting.held_on, user=by), 1):
            items.append(
                GovernanceItem(
                    meeting=meeting, position=position, contract=row.contract, reasons="; ".join(row.reasons)
                )
            )
    return GovernanceItem.objects.bulk_create(items)


@transaction.atomic
def governance_meeting_create(
    *,
    kind: str,
    held_on: date,
    chair: str,
    by: User,
    attendees: str = "",
    month: date | None = None,
) -> GovernanceMeeting:
    """Set up a Contract Management Governance meeting (agenda: the escalations open on the day, highest stage
    first) or a contracts causing concern review (agenda: the month's list; the month defaults to the one
    before the meeting). It starts as a draft."""
    meeting = GovernanceMeeting(kind=kind, held_on=held_on, chair=(chair or "").strip(), created_by=by)
    permissions.require(by, "oversight.add_governancemeeting", meeting)
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": "Choose the kind of meeting."})
    if held_on is None:
        raise ValidationError({"held_on": "Enter the date of the meeting."})
    if held_on > _today() + relativedelta(years=1):
        raise ValidationError({"held_on": "The meeting must be within the next year."})
    if not meeting.chair:
        raise ValidationError({"chair": "Enter who chairs the meeting."})
    if kind == MeetingKind.CAUSING_CONCERN:
        month = (month or held_on - relativedelta(months=1)).replace(day=1)
        if month > held_on:
            raise ValidationError({"month": "The month reviewed cannot be after the meeting."})
        meeting.month = month
    meeting.attendees = (attendees or "").strip()
    meeting.save()
    _agenda(meeting, by)
    return meeting


def _locked(meeting: GovernanceMeeting) -> GovernanceMeeting:
    meeting = GovernanceMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_locked:
        raise TransitionNotAllowed(f"These minutes were agreed on {meeting.agreed_on:%d/%m/%Y}: they cannot change.")
    return meeting


@transaction.atomic
def governance_meeting_record_minutes(
    *, meeting: GovernanceMeeting, minutes: str, by: User, attendees: str | None = None
) -> GovernanceMeeting:
    """Write a draft meeting's minutes (and who attended)."""
    permissions.require(by, "oversight.change_governancemeeting", meeting)
    meeting = _locked(meeting)
    meeting.minutes = (minutes or "").strip()
    if attendees is not None:
        meeting.attendees = attendees.strip()
    meeting._history_user = by  # type: ignore[attr-defined]
    meeting.save(update_fields=["minutes", "attendees", "updated_at"])
    return meeting


@transaction.atomic
def governance_item_add(
    *,
    meeting: GovernanceMeeting,
    reasons: str,
    by: User,
    contract: Contract | None = None,
    escalation: Escalation | None = None,
) -> GovernanceItem:
    """Add an item to a draft meeting's agenda (any other business, or a contract or escalation raised on the
    day)."""
    meeting = _locked(meeting)
    item = GovernanceItem(meeting=meeting, contract=contract, escalation=escalation, reasons=(reasons or "").strip())
    permissions.require(by, "oversight.add_governanceitem", item)
    if not item.reasons:
        raise ValidationError({"reasons": "Say what the item is about."})
    item.position = (meeting.items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    item.save()
    return item


@transaction.atomic
def governance_item_record(*, item: GovernanceItem, discussion: str, decision: str, by: User) -> GovernanceItem:
    """Record what a draft meeting discussed and decided on one item."""
    item = GovernanceItem.objects.select_related("meeting").get(pk=item.pk)
    permissions.require(by, "oversight.change_governanceitem", item)
    _locked(item.meeting)
    item.discussion, item.decision = (discussion or "").strip(), (decision or "").strip()
    if not item.discussion and not item.decision:
        raise ValidationError({"discussion": "Enter what was discussed or decided."})
    item.save(update_fields=["discussion", "decision", "updated_at"])
    return item


@transaction.atomic
def meeting_escalations(meeting: GovernanceMeeting) -> QuerySet[Escalation]:
    """The open escalations on ``meeting``'s agenda: those an action from it may be on (the page's choices and the
    service's rule)."""
    return (
        Escalation.objects.filter(governance_items__meeting=meeting, status=Escalation.Status.OPEN)
        .select_related("provider")
        .distinct()
    )


def governance_action_add(
    *,
    meeting: GovernanceMeeting,
    action: str,
    owner: User,
    due_on: date,
    by: User,
    escalation: Escalation | None = None,
) -> EscalationAction:
    """Add an action from a draft meeting (on one of its escalations, if named), with its owner and due date."""
    meeting = _locked(meeting)
    record = EscalationAction(meeting=meeting, escalation=escalation, owner=owner, due_on=due_on, created_by=by)
    permissions.require(by, "oversight.add_escalationaction", record)
    record.action = _check_action(action, owner, due_on)
    if due_on < meeting.held_on:
        raise ValidationError({"due_on": "The action cannot be due before the meeting."})
    if escalation is not None and escalation.status != Escalation.Status.OPEN:
        raise ValidationError({"escalation": "That escalation is closed."})
    if escalation is not None and not meeting_escalations(meeting).filter(pk=escalation.pk).exists():
        raise ValidationError({"escalation": "That escalation is not on this meeting's agenda."})
    record.save()
    return record


@transaction.atomic
def governance_meeting_agree(
    *, meeting: GovernanceMeeting, by: User, agreed_on: date | None = None
) -> GovernanceMeeting:
    """Agree a meeting's minutes: from then on nothing in them changes (actions are still marked done)."""
    permissions.require(by, "oversight.change_governancemeeting", meeting)
    meeting = _locked(meeting)
    agreed_on = agreed_on or _today()
    if not meeting.minutes:
        raise ValidationError({"minutes": "Write the minutes before they are agreed."})
    if agreed_on < meeting.held_on:
        raise ValidationError({"agreed_on": "Minutes cannot be agreed before the meeting."})
    if agreed_on > _today():
        raise ValidationError({"agreed_on": "The date agreed must be today or in the past."})
    meeting.status, meeting.agreed_on, meeting.agreed_by = GovernanceMeeting.Status.AGREED, agreed_on, by
    meeting._history_user = by  # type: ignore[attr-defined]
    meeting.save(update_fields=["status", "agreed_on", "agreed_by", "updated_at"])
    return meeting


# --- Reads ------------------------------------------------------------------------------------------------


def governance_meetings(*, user, kind: str = "") -> QuerySet[GovernanceMeeting]:
    """The meetings ``user`` may see, latest first, with their item and open-action counts."""
    queryset = GovernanceMeeting.objects.visible_to(user)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.annotate(
        item_count=Count("items", distinct=True),
        open_actions=Count("actions", filter=Q(actions__done_on__isnull=True), distinct=True),
    ).order_by("-held_on", "-pk")


def governance_meeting_detail(*, user, pk: int) -> GovernanceMeeting:
    """One meeting with its agenda and actions (raises DoesNotExist if not visible)."""
    return (
        GovernanceMeeting.objects.visible_to(user)
        .select_related("agreed_by", "created_by")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=GovernanceItem.objects.select_related(
                    "contract", "escalation__provider", "escalation__stage"
                ).order_by("position", "pk"),
            ),
            Prefetch(
                "actions",
                queryset=EscalationAction.objects.select_related("owner", "escalation__provider").order_by(
                    "due_on", "pk"
                ),
            ),
        )
        .get(pk=pk)
    )
