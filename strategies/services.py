"""Writes for strategies and highlight reports: every write atomic, recording who did it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commissioning.models import User
from commissioning.periods import FinancialQuarter

from .models import CommissioningStrategy, HighlightReport, ReportEvent
from .selectors import EDITABLE_FIELDS, approved_snapshot_for

Status = HighlightReport.Status

# Narrative copied into next quarter's draft; RAG and dates are for the commissioner to set afresh.
CARRIED_FORWARD_FIELDS = [
    "summary",
    "needs_established",
    "outcomes_text",
    "success_note",
    "key_contracts_note",
    "pooled_budget_arrangements",
    "property_implications",
    "commercial_opportunities",
    "completed_by",
    "commissioners_comments",
    "scrutiny_note",
]
# Sections that must be complete before a report goes to the board: (field, how the council names it).
REQUIRED_FOR_SUBMISSION = [
    ("summary", "Summary description"),
    ("needs_established", 'How the "needs" have been established and agreed'),
    ("outcomes_text", 'The agreed "outcomes"'),
    ("completed_by", "Completed by"),
    ("rag", "Status (RAG)"),
]

DECISION_REFERENCE = re.compile(r"^[A-Z]{1,3}\d{4,8}$")


class TransitionNotAllowed(Exception):
    """A workflow move that the report's status or the user's role does not allow."""


class StaleEdit(Exception):
    """A save made on an older version of the report than the one now stored."""

    def __init__(self, *, current: HighlightReport):
        self.current = current
        super().__init__(f"The report has been changed since (now version {current.version}).")


# (from, to) -> the permission needed for the move, and the event it records.
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (Status.DRAFT, Status.SUBMITTED): ("strategies.submit_highlightreport", ReportEvent.Kind.SUBMITTED),
    (Status.SUBMITTED, Status.BOARD_REVIEWED): ("strategies.review_highlightreport", ReportEvent.Kind.BOARD_REVIEWED),
    (Status.BOARD_REVIEWED, Status.SCRUTINY_CONSIDERED): (
        "strategies.approve_highlightreport",
        ReportEvent.Kind.SCRUTINY_CONSIDERED,
    ),
    (Status.SCRUTINY_CONSIDERED, Status.APPROVED): ("strategies.approve_highlightreport", ReportEvent.Kind.APPROVED),
    (Status.SUBMITTED, Status.DRAFT): ("strategies.review_highlightreport", ReportEvent.Kind.RETURNED),
    (Status.BOARD_REVIEWED, Status.DRAFT): ("strategies.review_highlightreport", ReportEvent.Kind.RETURNED),
    (Status.SCRUTINY_CONSIDERED, Status.DRAFT): ("strategies.review_highlightreport", ReportEvent.Kind.RETURNED),
}


def can_edit_strategy(user: User, strategy: CommissioningStrategy | None, perm: str) -> bool:
    """Commissioners tied to a directorate edit only that directorate's strategies; administrators any."""
    if not user.has_perm(perm):
        return False
    if strategy is None or user.is_superuser or user.has_perm("strategies.review_highlightreport"):
        return True
    return user.directorate_id is None or user.directorate_id == strategy.directorate_id


def can_move(user: User, report: HighlightReport, to_status: str) -> bool:
    """Whether ``user`` may move ``report`` to ``to_status`` now."""
    rule = TRANSITIONS.get((report.status, to_status))
    if rule is None or not user.has_perm(rule[0]):
        return False
    return can_edit_strategy(user, report.strategy, rule[0])


def missing_sections(report: HighlightReport) -> dict[str, str]:
    return {
        field: f"Complete the section “{label}” before submitting the report."
        for field, label in REQUIRED_FOR_SUBMISSION
        if not str(getattr(report, field) or "").strip()
    }


def _lock(report: HighlightReport, expected_version: int) -> HighlightReport:
    current = HighlightReport.objects.select_for_update().select_related("strategy").get(pk=report.pk)
    if current.version != expected_version:
        raise StaleEdit(current=current)
    return current


def _check_move(*, report: HighlightReport, to_status: str, by: User) -> ReportEvent.Kind:
    rule = TRANSITIONS.get((report.status, to_status))
    if rule is None:
        raise TransitionNotAllowed(
            f"A report that is “{report.get_status_display()}” cannot be moved to “{Status(to_status).label}”."
        )
    if not can_move(by, report, to_status):
        raise TransitionNotAllowed("You do not have permission to make this move.")
    return rule[1]


def _move(
    *, report: HighlightReport, to_status: str, by: User, kind: str, reason: str = "", fields: list[str] = ()
) -> HighlightReport:
    from_status = report.status
    report.status = to_status
    report.version += 1
    report._history_user = by
    report.save(update_fields=["status", "version", "updated_at", *fields])
    report.events.create(kind=kind, from_status=from_status, to_status=to_status, by=by, reason=reason)
    return report


# --- Report content ----------------------------------------------------------------------------


@transaction.atomic
def highlight_report_update(
    *, report: HighlightReport, by: User, data: dict[str, Any], expected_version: int
) -> HighlightReport:
    """Save a commissioner's edits to a draft report, refusing a save made on a stale copy."""
    current = _lock(report, expected_version)
    if current.status != Status.DRAFT:
        raise TransitionNotAllowed(f"Only a draft report can be edited; this one is “{current.get_status_display()}”.")
    for field, value in data.items():
        if field not in EDITABLE_FIELDS:
            raise ValueError(f"{field} is not an editable section of the report.")
        setattr(current, field, value)
    current.full_clean(exclude=["strategy", "year", "quarter", "status", "version"])
    current.version += 1
    current._history_user = by
    current.save()
    return current


def _date_in(period: FinancialQuarter, today: date) -> date:
    if period.contains(today):
        return today
    return period.end if today > period.end else period.start


def next_quarter_for(strategy: CommissioningStrategy, today: date | None = None) -> FinancialQuarter:
    """The quarter after the strategy's latest report, or the current quarter if it has none."""
    latest = strategy.highlight_reports.order_by("-year", "-quarter").first()
    if latest is None:
        return FinancialQuarter.containing(today or timezone.localdate())
    return latest.period.next()


@transaction.atomic
def highlight_report_start_next(
    *, strategy: CommissioningStrategy, by: User, period: FinancialQuarter | None = None, today: date | None = None
) -> HighlightReport:
    """Start a draft report for the next quarter (or ``period``), copying the narrative of the latest report."""
    today = today or timezone.localdate()
    # Lock the strategy so that two clicks cannot create two drafts for the same quarter.
    strategy = CommissioningStrategy.objects.select_for_update().get(pk=strategy.pk)
    period = period or next_quarter_for(strategy, today)
    if strategy.highlight_reports.filter(year=period.year, quarter=period.quarter).exists():
        raise ValidationError(f"There is already a highlight report for {period}.")
    previous = (
        strategy.highlight_reports.filter(Q(year__lt=period.year) | Q(year=period.year, quarter__lt=period.quarter))
        .order_by("-year", "-quarter")
        .first()
    )
    report = HighlightReport(strategy=strategy, year=period.year, quarter=period.quarter)
    report.report_date = _date_in(period, today)
    if previous is None:
        report.summary = strategy.summary
        report.needs_established = strategy.needs_established
        report.outcomes_text = "\n".join(f"• {o.title}" for o in strategy.outcomes.all())
    else:
        for field in CARRIED_FORWARD_FIELDS:
            setattr(report, field, getattr(previous, field))
    report._history_user = by
    report.save()
    reason = f"Copied from {previous.period}." if previous else "Started from the strategy."
    report.events.create(kind=ReportEvent.Kind.CREATED, to_status=Status.DRAFT, by=by, reason=reason)
    return report


# --- Workflow ----------------------------------------------------------------------------------


@transaction.atomic
def highlight_report_submit(*, report: HighlightReport, by: User, expected_version: int) -> HighlightReport:
    """Send a draft report to the Commissioning and Commercial Board."""
    report = _lock(report, expected_version)
    kind = _check_move(report=report, to_status=Status.SUBMITTED, by=by)
    missing = missing_sections(report)
    if missing:
        raise ValidationError(missing)
    report.full_clean(exclude=["strategy", "year", "quarter", "status", "version"])
    return _move(report=report, to_status=Status.SUBMITTED, by=by, kind=kind)


@transaction.atomic
def highlight_report_board_review(
    *, report: HighlightReport, by: User, expected_version: int, board_comments: str
) -> HighlightReport:
    """Record the Commissioning and Commercial Board's review and its comments."""
    report = _lock(report, expected_version)
    kind = _check_move(report=report, to_status=Status.BOARD_REVIEWED, by=by)
    if not board_comments.strip():
        raise ValidationError({"board_comments": "Enter the board's comments."})
    report.board_comments = board_comments.strip()
    return _move(
        report=report,
        to_status=Status.BOARD_REVIEWED,
        by=by,
        kind=kind,
        reason=report.board_comments,
        fields=["board_comments"],
    )


@transaction.atomic
def highlight_report_scrutiny_considered(
    *, report: HighlightReport, by: User, expected_version: int, meeting, note: str = ""
) -> HighlightReport:
    """Record that a scrutiny committee considered the report at ``meeting``."""
    report = _lock(report, expected_version)
    kind = _check_move(report=report, to_status=Status.SCRUTINY_CONSIDERED, by=by)
    if meeting is None:
        raise ValidationError({"meeting": "Select the scrutiny meeting that considered the report."})
    report.scrutiny_meeting = meeting
    reason = f"{meeting}." + (f" {note.strip()}" if note.strip() else "")
    return _move(
        report=report,
        to_status=Status.SCRUTINY_CONSIDERED,
        by=by,
        kind=kind,
        reason=reason,
        fields=["scrutiny_meeting"],
    )


@transaction.atomic
def highlight_report_approve(
    *, report: HighlightReport, by: User, expected_version: int, decision_reference: str, decision_date: date
) -> HighlightReport:
    """Record the Executive's approval and freeze what the report shows."""
    report = _lock(report, expected_version)
    kind = _check_move(report=report, to_status=Status.APPROVED, by=by)
    decision_reference = (decision_reference or "").strip().upper()
    errors = {}
    if not DECISION_REFERENCE.match(decision_reference):
        errors["decision_reference"] = "Enter the Executive decision reference, such as I017457."
    if decision_date is None:
        errors["decision_date"] = "Enter the date of the Executive decision."
    elif decision_date < report.report_date:
        errors["decision_date"] = (
            f"The decision date must be on or after the report date ({report.report_date:%d/%m/%Y})."
        )
    if errors:
        raise ValidationError(errors)
    report.decision_reference = decision_reference
    report.decision_date = decision_date
    report.approved_snapshot = approved_snapshot_for(report)
    return _move(
        report=report,
        to_status=Status.APPROVED,
        by=by,
        kind=kind,
        reason=f"Decision {decision_reference} on {decision_date:%d/%m/%Y}.",
        fields=["decision_reference", "decision_date", "approved_snapshot"],
    )


@transaction.atomic
def highlight_report_return(
    *, report: HighlightReport, by: User, expected_version: int, reason: str
) -> HighlightReport:
    """Send a report back to draft for changes, saying why."""
    report = _lock(report, expected_version)
    kind = _check_move(report=report, to_status=Status.DRAFT, by=by)
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason the report is returned for changes."})
    return _move(report=report, to_status=Status.DRAFT, by=by, kind=kind, reason=reason.strip())


# --- Strategies and their parts ---------------------------------------------------------------


@transaction.atomic
def save_with_history(*, instance, by: User):
    """Save a strategy, outcome, intention or risk, recording who changed it."""
    instance.full_clean()
    instance._history_user = by
    instance.save()
    return instance
