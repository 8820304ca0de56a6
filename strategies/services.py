"""Writes for strategies, their outcomes, intentions and risks, and highlight reports with their workflow.

Every write is a named service here: it checks the actor's role and directorate (``commissioning.permissions``),
the business rules, and records who did it (the history row, and a ReportEvent for each workflow move), all in
one transaction. Pages, the API and the admin call these; forms and serializers check only the shape of input.
Text arrives with browsers' line endings (\r\n) normalised to \n, so an untouched field never shows as changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from commissioning import permissions
from commissioning.models import User
from commissioning.periods import FinancialQuarter
from commissioning.text import normalise_newlines

from .models import (
    CommissioningIntention,
    CommissioningStrategy,
    CycleStage,
    HighlightReport,
    Outcome,
    ReportEvent,
    Saving,
    StrategicTheme,
    StrategyRisk,
    ThemeStatement,
)
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
]
# The RAG status is not among them: seed 000's reports went to the Executive with it left blank for four of the
# six strategies, and the dashboard counts those as "No RAG reported" rather than refusing the report.

DECISION_REFERENCE = re.compile(r"^[A-Z]{1,3}\d{4,8}$")


# What a page, the API or the admin may write on each model.
STRATEGY_FIELDS = [
    "name",
    "directorate",
    "purpose",
    "sponsor",
    "commissioning_lead",
    "lead_officer",
    "stage_analyse",
    "stage_plan",
    "stage_do",
    "stage_review",
    "summary",
    "needs_established",
    "period_start",
    "period_end",
]
OUTCOME_FIELDS = ["title", "description", "order"]
INTENTION_FIELDS = ["theme", "intention", "driver", "current_stage", "expected_stage", "activity", "order"]
# Written with the intention's fields, set after it is saved (many-to-many).
INTENTION_LINKS = ["savings"]
THEME_FIELDS = ["name", "order", "description"]
STATEMENT_FIELDS = ["text", "order"]
CYCLE_STAGE_FIELDS = ["name", "order", "parent", "description", "active"]
SAVING_FIELDS = [
    "reference",
    "directorate",
    "strategy",
    "year",
    "title",
    "description",
    "budgeted",
    "achieved",
    "reasons",
    "status",
]
SAVING_LINKS = ["contracts"]
# Financial years a saving may be recorded for (2000 is 2000/01).
SAVING_YEARS = range(2000, 2100)
RISK_FIELDS = ["cause", "event", "effect", "rating", "mitigation", "order"]


class TransitionNotAllowed(Exception):
    """A workflow move (or an edit) that the report's status does not allow."""


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
# Each target status needs one permission, whichever status the report starts from.
MOVE_PERMISSIONS: dict[str, str] = {to_status: perm for (_, to_status), (perm, _) in TRANSITIONS.items()}


# --- Shared pieces ----------------------------------------------------------------------------------


def _input(data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    allowed = set(allowed)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(f"Not writable here: {', '.join(unknown)}.")
    return {name: normalise_newlines(value) for name, value in data.items()}


def _assign(instance: models.Model, data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    for name, value in _input(data, allowed).items():
        setattr(instance, name, value)


def _validate(instance: models.Model, *, rules: Mapping[str, str] | None = None, exclude=None) -> None:
    """The model's own validation (fields, clean(), uniqueness) and the service's ``rules`` (field -> message),
    raised together as one ValidationError naming each field."""
    errors: dict[str, list[str]] = {name: [message] for name, message in (rules or {}).items()}
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(m for m in messages if m not in errors[name])
    if errors:
        raise ValidationError(errors)


def record_by(instance: models.Model, by: User | None) -> None:
    """Name who makes the next save of ``instance`` in its history row (django-simple-history)."""
    instance._history_user = by  # type: ignore[attr-defined]


def _save(instance, by: User):
    record_by(instance, by)
    instance.save()
    return instance


# --- Strategies and their outcomes, intentions and risks -------------------------------------------


def strategy_rule_errors(strategy: CommissioningStrategy) -> dict[str, str]:
    """The strategy rules the model's own validation does not know: field -> message (empty when it passes)."""
    if strategy.period_start and strategy.period_end and strategy.period_end < strategy.period_start:
        return {"period_end": "The strategy must end after it starts."}
    return {}


@transaction.atomic
def strategy_create(*, by: User, data: Mapping[str, Any]) -> CommissioningStrategy:
    """Record a new commissioning strategy. A commissioner tied to a directorate adds only that directorate's."""
    strategy = CommissioningStrategy()
    _assign(strategy, data, STRATEGY_FIELDS)
    permissions.require(by, "strategies.add_commissioningstrategy", strategy)
    _validate(strategy, rules=strategy_rule_errors(strategy))
    return _save(strategy, by)


@transaction.atomic
def strategy_update(*, strategy: CommissioningStrategy, by: User, data: Mapping[str, Any]) -> CommissioningStrategy:
    """Change a strategy (``data`` holds only the fields to change); moving it to another directorate needs the
    right to change strategies there too."""
    perm = "strategies.change_commissioningstrategy"
    permissions.require(by, perm, strategy)
    strategy = CommissioningStrategy.objects.select_for_update().get(pk=strategy.pk)
    permissions.require(by, perm, strategy)
    _assign(strategy, data, STRATEGY_FIELDS)
    permissions.require(by, perm, strategy)
    _validate(strategy, rules=strategy_rule_errors(strategy))
    return _save(strategy, by)


def _part_create(model: type[models.Model], *, strategy, by: User, data, fields: list[str]):
    part = model(strategy=strategy)
    _assign(part, data, fields)
    permissions.require(by, f"strategies.add_{model._meta.model_name}", part)
    _validate(part)
    return _save(part, by)


def _part_update(part, *, by: User, data, fields: list[str]):
    model = type(part)
    perm = f"strategies.change_{model._meta.model_name}"
    permissions.require(by, perm, part)
    part = model._default_manager.select_for_update().select_related("strategy").get(pk=part.pk)
    permissions.require(by, perm, part)
    _assign(part, data, [*fields, "strategy"])
    permissions.require(by, perm, part)  # and on the strategy it moves to, if it moves
    _validate(part)
    return _save(part, by)


@transaction.atomic
def outcome_create(*, strategy: CommissioningStrategy, by: User, data: Mapping[str, Any]) -> Outcome:
    """Add an agreed outcome to a strategy."""
    return _part_create(Outcome, strategy=strategy, by=by, data=data, fields=OUTCOME_FIELDS)


@transaction.atomic
def outcome_update(*, outcome: Outcome, by: User, data: Mapping[str, Any]) -> Outcome:
    """Change an outcome (or move it to another strategy the actor may change)."""
    return _part_update(outcome, by=by, data=data, fields=OUTCOME_FIELDS)


def _links(data: Mapping[str, Any], names: Iterable[str]) -> tuple[dict[str, Any], dict[str, list]]:
    """``data`` split into the plain fields and the many-to-many links (``names``), each link as a list."""
    plain = {k: v for k, v in data.items() if k not in names}
    links = {k: list(v or []) for k, v in data.items() if k in names}
    return plain, links


def intention_rule_errors(
    intention: CommissioningIntention,
    *,
    savings: list[Saving] | None = None,
    was: CommissioningIntention | None = None,
) -> dict[str, str]:
    """The intention rules the model's own validation does not know: field -> message.

    - its theme is one of its strategy's (plan's) themes;
    - the expected progress is not earlier in the cycle than the existing position (a phase and a finer stage
      within it count as the same point: CycleStage.is_before);
    - a stage chosen anew is active (an intention keeps an inactive stage it already had);
    - the MTFP savings it delivers are its strategy's directorate's.
    """
    errors: dict[str, str] = {}
    theme = intention.theme if intention.theme_id else None
    if theme is not None and theme.strategy_id != intention.strategy_id:
        errors["theme"] = f"Choose one of the plan's own themes: “{theme.name}” belongs to another plan."
    current = intention.current_stage if intention.current_stage_id else None
    expected = intention.expected_stage if intention.expected_stage_id else None
    for name, stage in (("current_stage", current), ("expected_stage", expected)):
        unchanged = was is not None and getattr(was, f"{name}_id") == getattr(intention, f"{name}_id")
        if stage is not None and not unchanged and not (stage.active and stage.phase.active):
            errors[name] = f"“{stage}” is no longer an active stage of the cycle: choose another."
    if current is not None and expected is not None and expected.is_before(current):
        errors["expected_stage"] = (
            f"The expected progress cannot be earlier in the cycle than the existing position "
            f"(“{expected}” comes before “{current}”)."
        )
    directorate_id = intention.strategy.directorate_id if intention.strategy_id else None
    others = [s.reference for s in savings or [] if s.directorate_id != directorate_id]
    if others:
        errors["savings"] = (
            f"Link only savings of the plan's own directorate: {', '.join(others)} "
            f"{'belongs' if len(others) == 1 else 'belong'} to another directorate."
        )
    return errors


def _stages_loaded(intention: CommissioningIntention) -> None:
    """Read the chosen stages with their phases (the cycle rule compares phases)."""
    ids = [i for i in (intention.current_stage_id, intention.expected_stage_id) if i]
    stages = CycleStage.objects.select_related("parent").in_bulk(ids)
    if intention.current_stage_id in stages:
        intention.current_stage = stages[intention.current_stage_id]
    if intention.expected_stage_id in stages:
        intention.expected_stage = stages[intention.expected_stage_id]


def _intention_save(
    intention: CommissioningIntention, *, by: User, links: dict[str, list], was: CommissioningIntention | None
) -> CommissioningIntention:
    _stages_loaded(intention)
    savings = links.get("savings")
    current_savings = list(intention.savings.all()) if intention.pk and savings is None else savings
    _validate(intention, rules=intention_rule_errors(intention, savings=current_savings, was=was))
    _save(intention, by)
    if savings is not None:
        intention.savings.set(savings)
    return intention


@transaction.atomic
def intention_create(*, strategy: CommissioningStrategy, by: User, data: Mapping[str, Any]) -> CommissioningIntention:
    """Add a commissioning intention to a strategy (plan): its theme, existing and expected stage on the cycle,
    driver, activity and the MTFP savings it delivers (``savings``)."""
    plain, links = _links(data, INTENTION_LINKS)
    intention = CommissioningIntention(strategy=strategy)
    _assign(intention, plain, INTENTION_FIELDS)
    permissions.require(by, "strategies.add_commissioningintention", intention)
    return _intention_save(intention, by=by, links=links, was=None)


@transaction.atomic
def intention_update(*, intention: CommissioningIntention, by: User, data: Mapping[str, Any]) -> CommissioningIntention:
    """Change a commissioning intention (``data`` holds only what changes; ``savings`` replaces the links)."""
    perm = "strategies.change_commissioningintention"
    permissions.require(by, perm, intention)
    plain, links = _links(data, INTENTION_LINKS)
    intention = CommissioningIntention.objects.select_for_update().select_related("strategy").get(pk=intention.pk)
    permissions.require(by, perm, intention)
    was = CommissioningIntention(
        pk=intention.pk, current_stage_id=intention.current_stage_id, expected_stage_id=intention.expected_stage_id
    )
    _assign(intention, plain, [*INTENTION_FIELDS, "strategy"])
    permissions.require(by, perm, intention)
    return _intention_save(intention, by=by, links=links, was=was)


# --- Plans: themes and their "I" statements ---------------------------------------------------------


@transaction.atomic
def theme_create(*, strategy: CommissioningStrategy, by: User, data: Mapping[str, Any]) -> StrategicTheme:
    """Add a strategic theme to a plan (a strategy). Names are unique within the plan."""
    return _part_create(StrategicTheme, strategy=strategy, by=by, data=data, fields=THEME_FIELDS)


@transaction.atomic
def theme_update(*, theme: StrategicTheme, by: User, data: Mapping[str, Any]) -> StrategicTheme:
    """Rename or reorder a theme, or change its description. A theme stays with its plan (its intentions do)."""
    perm = "strategies.change_strategictheme"
    permissions.require(by, perm, theme)
    theme = StrategicTheme.objects.select_for_update().select_related("strategy").get(pk=theme.pk)
    _assign(theme, data, THEME_FIELDS)
    _validate(theme)
    return _save(theme, by)


@transaction.atomic
def theme_named(*, strategy: CommissioningStrategy, name: str, by: User) -> StrategicTheme:
    """The plan's theme called ``name`` (whatever its case), added at the end of the plan if there is none."""
    name = " ".join((name or "").split())
    found = strategy.themes.filter(name__iexact=name).first()
    if found is not None:
        return found
    last = strategy.themes.order_by("-order").values_list("order", flat=True).first() or 0
    return theme_create(strategy=strategy, by=by, data={"name": name, "order": last + 1})


@transaction.atomic
def statement_create(*, theme: StrategicTheme, by: User, data: Mapping[str, Any]) -> ThemeStatement:
    """Add an "I" statement (an outcome in the words of the people it is for) to a theme."""
    statement = ThemeStatement(theme=theme)
    _assign(statement, data, STATEMENT_FIELDS)
    permissions.require(by, "strategies.add_themestatement", statement)
    _validate(statement)
    return _save(statement, by)


@transaction.atomic
def statement_update(*, statement: ThemeStatement, by: User, data: Mapping[str, Any]) -> ThemeStatement:
    """Change an "I" statement's words or order."""
    perm = "strategies.change_themestatement"
    permissions.require(by, perm, statement)
    statement = ThemeStatement.objects.select_for_update().select_related("theme__strategy").get(pk=statement.pk)
    _assign(statement, data, STATEMENT_FIELDS)
    _validate(statement)
    return _save(statement, by)


# --- The commissioning cycle (an administrator's) ------------------------------------------------


def cycle_stage_rule_errors(stage: CycleStage) -> dict[str, str]:
    """A finer stage sits under a phase (one level only), and a phase that has finer stages stays a phase."""
    parent = stage.parent if stage.parent_id else None
    if parent is None:
        return {}
    if stage.pk is not None and parent.pk == stage.pk:
        return {"parent": "A stage cannot sit under itself."}
    if parent.parent_id is not None:
        return {"parent": f"Choose a phase of the cycle: “{parent}” is itself a finer stage."}
    if stage.pk is not None and CycleStage.objects.filter(parent_id=stage.pk).exists():
        return {"parent": f"“{stage.name}” has finer stages of its own, so it stays a phase of the cycle."}
    return {}


@transaction.atomic
def cycle_stage_create(*, by: User, data: Mapping[str, Any]) -> CycleStage:
    """Add a phase of the commissioning cycle, or a finer stage within a phase (e.g. Somerset's "Design" under
    Plan). An administrator's change: it applies to every plan of the council."""
    stage = CycleStage()
    _assign(stage, data, CYCLE_STAGE_FIELDS)
    permissions.require(by, "strategies.add_cyclestage", stage)
    _validate(stage, rules=cycle_stage_rule_errors(stage))
    return _save(stage, by)


@transaction.atomic
def cycle_stage_update(*, stage: CycleStage, by: User, data: Mapping[str, Any]) -> CycleStage:
    """Rename, reorder, move or deactivate a stage. Intentions at an inactive stage keep it; no new one may
    choose it."""
    permissions.require(by, "strategies.change_cyclestage", stage)
    stage = CycleStage.objects.select_for_update().get(pk=stage.pk)
    _assign(stage, data, CYCLE_STAGE_FIELDS)
    _validate(stage, rules=cycle_stage_rule_errors(stage))
    return _save(stage, by)


# --- Savings ---------------------------------------------------------------------------------------


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}".replace(".00", "")


def saving_rule_errors(saving: Saving, *, contracts: list | None = None) -> dict[str, str]:
    """The saving rules the model's own validation does not know: field -> message.

    - the financial year is one the council plans for (2000/01 to 2099/00);
    - its strategy, and the contracts it touches, are its directorate's;
    - a proposed saving has nothing achieved yet; an achieved one says how much;
    - a variation (achieved differing from budgeted), a saving at risk and an undeliverable one give reasons.
    """
    errors: dict[str, str] = {}
    status = Saving.Status
    if saving.year is not None and saving.year not in SAVING_YEARS:
        errors["year"] = "Enter the financial year by the year it starts, such as 2016 for 2016/17."
    directorate_id = saving.directorate_id
    strategy = saving.strategy if saving.strategy_id else None
    if strategy is not None and directorate_id and strategy.directorate_id != directorate_id:
        errors["strategy"] = f"Choose a strategy of the saving's directorate: “{saving.strategy}” is another's."
    others = [c.reference for c in contracts or [] if directorate_id and c.directorate_id != directorate_id]
    if others:
        errors["contracts"] = (
            f"A saving touches only its own directorate's contracts: {', '.join(others)} "
            f"{'is' if len(others) == 1 else 'are'} another directorate's."
        )
    if saving.achieved is not None and saving.status == status.PROPOSED:
        errors["achieved"] = "A proposed saving has achieved nothing yet: leave the achieved saving empty."
    if saving.achieved is None and saving.status == status.ACHIEVED:
        errors["achieved"] = "Enter the achieved saving: the saving is marked achieved."
    reasons = (saving.reasons or "").strip()
    variation = saving.variation_amount
    if not reasons:
        if saving.status in (status.AT_RISK, status.UNDELIVERABLE):
            errors["reasons"] = f"Enter the reasons the saving is {saving.get_status_display().lower()}."
        elif variation:
            errors["reasons"] = (
                f"Enter the reasons for the variation of {_pounds(abs(variation))} "
                f"{'short of' if variation > 0 else 'more than'} the budgeted saving."
            )
    return errors


def _saving_save(saving: Saving, *, by: User, links: dict[str, list]) -> Saving:
    contracts = links.get("contracts")
    checked = contracts if contracts is not None else (list(saving.contracts.all()) if saving.pk else [])
    _validate(saving, rules=saving_rule_errors(saving, contracts=checked))
    _save(saving, by)
    if contracts is not None:
        saving.contracts.set(contracts)
    return saving


@transaction.atomic
def saving_create(*, by: User, data: Mapping[str, Any]) -> Saving:
    """Record a commissioning saving of a directorate for a financial year, with the contracts it touches
    (``contracts``). A commissioner records only their own directorate's."""
    plain, links = _links(data, SAVING_LINKS)
    saving = Saving()
    _assign(saving, plain, SAVING_FIELDS)
    permissions.require(by, "strategies.add_saving", saving)
    return _saving_save(saving, by=by, links=links)


@transaction.atomic
def saving_update(*, saving: Saving, by: User, data: Mapping[str, Any]) -> Saving:
    """Change a saving (``data`` holds only what changes; ``contracts`` replaces the contracts it touches).
    Moving it to another directorate needs the right to change savings there too."""
    perm = "strategies.change_saving"
    permissions.require(by, perm, saving)
    plain, links = _links(data, SAVING_LINKS)
    saving = Saving.objects.select_for_update().get(pk=saving.pk)
    permissions.require(by, perm, saving)
    _assign(saving, plain, SAVING_FIELDS)
    permissions.require(by, perm, saving)
    return _saving_save(saving, by=by, links=links)


@transaction.atomic
def risk_create(*, strategy: CommissioningStrategy, by: User, data: Mapping[str, Any]) -> StrategyRisk:
    """Add a risk (cause, event, effect) to a strategy."""
    return _part_create(StrategyRisk, strategy=strategy, by=by, data=data, fields=RISK_FIELDS)


@transaction.atomic
def risk_update(*, risk: StrategyRisk, by: User, data: Mapping[str, Any]) -> StrategyRisk:
    """Change a risk."""
    return _part_update(risk, by=by, data=data, fields=RISK_FIELDS)


# --- Who may move a report --------------------------------------------------------------------------


def may_move(user: User, report: HighlightReport, to_status: str) -> bool:
    """Whether the user's role and directorate allow moving the report to ``to_status`` (whatever its status)."""
    return permissions.may(user, MOVE_PERMISSIONS[to_status], report)


def can_move(user: User, report: HighlightReport, to_status: str) -> bool:
    """Whether ``user`` may move ``report`` to ``to_status`` now."""
    return (report.status, to_status) in TRANSITIONS and may_move(user, report, to_status)


def require_move(*, report: HighlightReport, to_status: str, by: User) -> None:
    """PermissionDenied unless the actor's role and directorate allow the move (checked before reading input)."""
    permissions.require(by, MOVE_PERMISSIONS[to_status], report)


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


def _start_move(*, report: HighlightReport, to_status: str, by: User, expected_version: int):
    """Permission, then the version the actor read, then the report's status: the locked report and the event."""
    require_move(report=report, to_status=to_status, by=by)
    report = _lock(report, expected_version)
    require_move(report=report, to_status=to_status, by=by)
    rule = TRANSITIONS.get((report.status, to_status))
    if rule is None:
        raise TransitionNotAllowed(
            f"A report that is “{report.get_status_display()}” cannot be moved to “{Status(to_status).label}”."
        )
    return report, rule[1]


def _move(
    *, report: HighlightReport, to_status: str, by: User, kind: str, reason: str = "", fields: Iterable[str] = ()
) -> HighlightReport:
    from_status = report.status
    report.status = to_status
    report.version += 1
    record_by(report, by)
    report.save(update_fields=["status", "version", "updated_at", *fields])
    report.events.create(kind=kind, from_status=from_status, to_status=to_status, by=by, reason=reason)
    return report


# --- Report content ----------------------------------------------------------------------------


REPORT_CLEAN_EXCLUDE = ["strategy", "year", "quarter", "status", "version"]


@transaction.atomic
def highlight_report_update(
    *, report: HighlightReport, by: User, data: Mapping[str, Any], expected_version: int
) -> HighlightReport:
    """Save a commissioner's edits to a draft report, refusing a save made on a stale copy."""
    permissions.require(by, "strategies.change_highlightreport", report)
    current = _lock(report, expected_version)
    permissions.require(by, "strategies.change_highlightreport", current)
    if current.status != Status.DRAFT:
        raise TransitionNotAllowed(f"Only a draft report can be edited; this one is “{current.get_status_display()}”.")
    _assign(current, data, EDITABLE_FIELDS)
    _validate(current, exclude=REPORT_CLEAN_EXCLUDE)
    current.version += 1
    return _save(current, by)


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
    permissions.require(by, "strategies.add_highlightreport", HighlightReport(strategy=strategy))
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
    _save(report, by)
    reason = f"Copied from {previous.period}." if previous else "Started from the strategy."
    report.events.create(kind=ReportEvent.Kind.CREATED, to_status=Status.DRAFT, by=by, reason=reason)
    return report


# --- Workflow ----------------------------------------------------------------------------------


@transaction.atomic
def highlight_report_submit(*, report: HighlightReport, by: User, expected_version: int) -> HighlightReport:
    """Send a draft report to the Commissioning and Commercial Board."""
    report, kind = _start_move(report=report, to_status=Status.SUBMITTED, by=by, expected_version=expected_version)
    missing = missing_sections(report)
    if missing:
        raise ValidationError(missing)
    _validate(report, exclude=REPORT_CLEAN_EXCLUDE)
    return _move(report=report, to_status=Status.SUBMITTED, by=by, kind=kind)


@transaction.atomic
def highlight_report_board_review(
    *, report: HighlightReport, by: User, expected_version: int, board_comments: str
) -> HighlightReport:
    """Record the Commissioning and Commercial Board's review and its comments."""
    report, kind = _start_move(report=report, to_status=Status.BOARD_REVIEWED, by=by, expected_version=expected_version)
    board_comments = normalise_newlines(board_comments or "").strip()
    if not board_comments:
        raise ValidationError({"board_comments": "Enter the board's comments."})
    report.board_comments = board_comments
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
    report, kind = _start_move(
        report=report, to_status=Status.SCRUTINY_CONSIDERED, by=by, expected_version=expected_version
    )
    if meeting is None:
        raise ValidationError({"meeting": "Select the scrutiny meeting that considered the report."})
    note = normalise_newlines(note or "").strip()
    report.scrutiny_meeting = meeting
    reason = f"{meeting}." + (f" {note}" if note else "")
    return _move(
        report=report,
        to_status=Status.SCRUTINY_CONSIDERED,
        by=by,
        kind=kind,
        reason=reason,
        fields=["scrutiny_meeting"],
    )


def _approval_errors(report: HighlightReport, decision_reference: str, decision_date: date | None) -> dict:
    errors = {}
    if not DECISION_REFERENCE.match(decision_reference):
        errors["decision_reference"] = "Enter the Executive decision reference, such as I017457."
    if decision_date is None:
        errors["decision_date"] = "Enter the date of the Executive decision."
    elif decision_date < report.report_date:
        errors["decision_date"] = (
            f"The decision date must be on or after the report date ({report.report_date:%d/%m/%Y})."
        )
    return errors


@transaction.atomic
def highlight_report_approve(
    *, report: HighlightReport, by: User, expected_version: int, decision_reference: str, decision_date: date | None
) -> HighlightReport:
    """Record the Executive's approval and freeze what the report shows."""
    report, kind = _start_move(report=report, to_status=Status.APPROVED, by=by, expected_version=expected_version)
    decision_reference = (decision_reference or "").strip().upper()
    errors = _approval_errors(report, decision_reference, decision_date)
    if errors:
        raise ValidationError(errors)
    assert decision_date is not None  # for the type checker: _approval_errors refuses None
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
    report, kind = _start_move(report=report, to_status=Status.DRAFT, by=by, expected_version=expected_version)
    reason = normalise_newlines(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason the report is returned for changes."})
    return _move(report=report, to_status=Status.DRAFT, by=by, kind=kind, reason=reason)
