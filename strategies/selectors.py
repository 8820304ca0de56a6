"""Reads of strategies and highlight reports: the list, the strategy page, the report document."""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from commissioning import permissions
from commissioning.periods import FinancialQuarter, current_quarter, financial_year_label
from contracts.models import Contract, PooledBudget
from contracts.selectors import key_contracts_for_strategies
from performance.models import Measure, MeasureResult, compute_status
from performance.selectors import measures_summary, measures_with_results
from providers.models import Provider

from .models import (
    CommissioningIntention,
    CommissioningStrategy,
    CycleStage,
    HighlightReport,
    Saving,
    StrategicTheme,
    ThemeStatement,
)

# Narrative sections of the template, in order: (field, heading).
NARRATIVE_SECTIONS = [
    ("summary", "Summary description"),
    ("needs_established", 'How have the "needs" been established and agreed'),
    ("outcomes_text", 'What are the agreed "outcomes"'),
]
# Fields a commissioner writes, in the template's order; the history page and the conflict page use them.
EDITABLE_FIELDS = [
    "report_date",
    "summary",
    "needs_established",
    "outcomes_text",
    "success_note",
    "key_contracts_note",
    "pooled_budget_arrangements",
    "property_implications",
    "commercial_opportunities",
    "completed_by",
    "rag",
    "rag_comment",
    "commissioners_comments",
    "scrutiny_note",
]
# Fields whose changes the history page shows (the commissioner's text and the workflow records).
HISTORY_FIELDS = [*EDITABLE_FIELDS, "status", "board_comments", "decision_reference", "decision_date"]

KEY_CONTRACT_COLUMNS = [
    ("service", "Service contracted"),
    ("provider", "Provider"),
    ("duration", "Duration"),
    ("review_date", "Review date"),
    ("kpis", "Contract KPIs (Y/N)"),
    ("performance", "Performance (Good/Ave/Poor)"),
    ("corrective_measures", "Corrective measures (if needed)"),
    ("payment_terms", "Payment terms (Arrears/Advance)"),
    ("payment_basis", "Performance driven / independent?"),
    ("volume_sensitive", "Volume sensitive (Y/N)?"),
]


# --- Strategy list ---------------------------------------------------------------------------


def strategy_list(*, user) -> QuerySet[CommissioningStrategy]:
    """The strategies ``user`` may read, each annotated with the id, RAG, year, quarter and status of its latest
    report that ``user`` may read (a councillor is not shown the RAG of a draft). Filter with filters.StrategyFilter."""
    latest = HighlightReport.objects.visible_to(user).filter(strategy=OuterRef("pk")).order_by("-year", "-quarter")

    def latest_(field: str) -> Subquery:
        return Subquery(latest.values(field)[:1])

    return (
        CommissioningStrategy.objects.visible_to(user)
        .select_related("directorate", "commissioning_lead")
        .annotate(
            latest_report_id=latest_("pk"),
            latest_rag=latest_("rag"),
            latest_year=latest_("year"),
            latest_quarter=latest_("quarter"),
            latest_status=latest_("status"),
        )
        .order_by("name")
    )


@dataclass
class LatestMeasures:
    achieved: int = 0
    not_achieved: int = 0


def measures_for_latest_reports(strategies: list[CommissioningStrategy]) -> dict[int, LatestMeasures]:
    """Per strategy: targeted measures achieving / not achieving in the quarter of its latest report.

    Two queries whatever the number of strategies (each may have a different latest quarter).
    """
    periods = {
        s.pk: (s.latest_year, s.latest_quarter)  # type: ignore[attr-defined]  # annotated by strategy_list
        for s in strategies
        if getattr(s, "latest_year", None) is not None
    }
    counts: dict[int, LatestMeasures] = {s.pk: LatestMeasures() for s in strategies}
    if not periods:
        return counts
    measures = list(
        Measure.objects.filter(strategy_id__in=list(periods), is_active=True, is_targeted=True).only(
            "pk", "strategy_id", "polarity", "is_targeted"
        )
    )
    years = {year for year, _ in periods.values()}
    results = {
        (r.measure_id, r.year, r.quarter): r
        for r in MeasureResult.objects.filter(measure__in=[m.pk for m in measures], year__in=years).only(
            "measure_id", "year", "quarter", "value", "target"
        )
    }
    for measure in measures:
        year, quarter = periods[measure.strategy_id]
        result = results.get((measure.pk, year, quarter))
        status = compute_status(
            value=result.value if result else None,
            target=result.target if result else None,
            is_targeted=True,
            polarity=measure.polarity,
        )
        if status == MeasureResult.Status.ACHIEVED:
            counts[measure.strategy_id].achieved += 1
        elif status == MeasureResult.Status.NOT_ACHIEVED:
            counts[measure.strategy_id].not_achieved += 1
    return counts


# --- Strategy page ---------------------------------------------------------------------------


def strategy_for_page(*, pk: int, user) -> CommissioningStrategy:
    """A strategy with everything its page lists prefetched: the reports ``user`` may read and, for officers,
    its contracts and pooled budgets (councillors see those only as the highlight reports and packs print them:
    Contract.visible_to, PooledBudget.visible_to)."""
    related: list = [
        "outcomes",
        Prefetch(
            "intentions",
            queryset=CommissioningIntention.objects.select_related(
                "theme", "current_stage__parent", "expected_stage__parent"
            ),
        ),
        "risks",
        Prefetch(
            "highlight_reports",
            queryset=HighlightReport.objects.visible_to(user).order_by("-year", "-quarter"),
            to_attr="visible_reports",
        ),
    ]
    if permissions.is_officer(user):
        contracts = (
            Contract.objects.visible_to(user)
            .with_is_key()
            .select_related("lead_provider")
            .order_by("-is_key_contract", "-annual_value", "reference")
        )
        budgets = PooledBudget.objects.visible_to(user).order_by("name")
        related += [
            Prefetch("contracts", queryset=contracts, to_attr="page_contracts"),
            Prefetch("pooled_budgets", queryset=budgets, to_attr="page_pooled_budgets"),
        ]
    return (
        CommissioningStrategy.objects.visible_to(user)
        .select_related("directorate", "commissioning_lead")
        .prefetch_related(*related)
        .get(pk=pk)
    )


def strategy_page_extras(*, strategy: CommissioningStrategy) -> dict:
    """Measures with the latest results and scrutiny conclusions for the strategy page (after strategy_for_page)."""
    reports = strategy.visible_reports  # type: ignore[attr-defined]  # prefetched by strategy_for_page
    periods = current_quarter().last(4)
    if reports:
        periods = reports[0].period.last(4)
    measures = measures_with_results(strategy_id=strategy.pk, periods=periods)
    for measure in measures:
        results = measure.period_results  # type: ignore[attr-defined]  # set by measures_with_results
        measure.latest_result = results[-1] if results else None  # type: ignore[attr-defined]
    conclusions = list(_conclusions(strategy))
    return {
        "reports": reports,
        # None: not the reader's to see on this page (they are in the highlight reports).
        "contracts": getattr(strategy, "page_contracts", None),
        "pooled_budgets": getattr(strategy, "page_pooled_budgets", None),
        "measures": measures,
        "measure_periods": periods,
        "conclusions": conclusions,
    }


# --- Report document (page, print view and PDF) ----------------------------------------------


def _conclusions(strategy: CommissioningStrategy, *, up_to: date | None = None) -> QuerySet:
    """Committees' conclusions about the strategy, newest meeting first; ``up_to`` limits them to meetings
    held on or before that date (what a report of that date could know).

    Scrutiny sits above strategies, so its conclusions are read through the reverse relation, not imported.
    """
    conclusions = strategy.scrutiny_conclusions.select_related("meeting__committee")
    if up_to is not None:
        conclusions = conclusions.filter(meeting__date__lte=up_to)
    return conclusions.order_by("-meeting__date", "pk")


def conclusion_key(*, committee: str, meeting_date: str, text: str) -> tuple[str, str, str]:
    """What makes two printed conclusions the same: committee, meeting date ("5 September 2018") and words."""
    return committee, meeting_date, " ".join(text.split())


def scrutiny_stages(report: HighlightReport) -> list[dict]:
    """The report's way through two-stage scrutiny, in order: each stage's step, committee, meeting date, its
    conclusions (once recorded) and the next stage it "will be reported to". One query.

    These are the report's workflow records, read live like the board's comments (an approved report's frozen
    conclusions are its snapshot's). Scrutiny sits above strategies: read through the reverse relation."""
    stages = list(
        report.scrutiny_stages.select_related("meeting__committee", "conclusion").order_by("meeting__date", "pk")
    )
    rows = []
    for position, stage in enumerate(stages, start=1):
        following = stages[position] if position < len(stages) else None
        reported_to = ""
        if following is not None:
            reported_to = f"{following.meeting.committee.name} on {following.meeting.date:%-d %B %Y}"
        rows.append(
            {
                "pk": stage.pk,
                "step": stage.step,
                "step_label": stage.get_step_display(),
                "committee": stage.meeting.committee.name,
                "meeting_date": f"{stage.meeting.date:%-d %B %Y}",
                "concluded_on": _date(stage.concluded_on),
                "text": stage.conclusion.text if stage.conclusion is not None else "",
                "reported_to": reported_to,
            }
        )
    return rows


def _money(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"£{value:,.0f}"


def _yes_no(value: bool | None) -> str:
    return {True: "Y", False: "N", None: "N/A"}[value]


def _date(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def key_contract_row(contract: Contract) -> dict[str, str]:
    """One row of the template's key contracts table, every column already a string."""
    provider = contract.provider_summary or (contract.lead_provider.name if contract.lead_provider else "")
    duration = contract.duration_note or (
        f"{_date(contract.start_date)} to {_date(contract.end_date)} ({contract.extension_pattern})"
    )
    payment_terms = contract.payment_terms_note or (
        f"{contract.get_payment_terms_display()} – {contract.get_payment_frequency_display().lower()}"
        if contract.payment_frequency != Contract.PaymentFrequency.NOT_APPLICABLE
        else contract.get_payment_terms_display()
    )
    return {
        "reference": contract.reference,
        "annual_value": _money(contract.annual_value),
        "service": contract.title,
        "provider": provider,
        "duration": duration,
        "review_date": contract.review_note or _date(contract.review_date) or "N/A",
        "kpis": _yes_no(contract.has_kpis),
        "performance": contract.performance_note or contract.get_performance_display(),
        "corrective_measures": contract.corrective_measures,
        "payment_terms": payment_terms,
        "payment_basis": contract.get_payment_basis_display(),
        "volume_sensitive": contract.get_volume_sensitive_display(),
    }


def _number(value: Decimal | None, places: int) -> str:
    if value is None:
        return ""
    return f"{value:,.{places}f}"


def _known_data(report: HighlightReport) -> dict:
    """What the system knows for the report: header, measures, key contracts, pooled budgets, conclusions.

    JSON-serialisable (strings, ints, lists, dicts) so that approval can freeze it as it is.
    A constant number of queries whatever the number of contracts, measures or conclusions.
    """
    strategy = report.strategy
    period = report.period
    summary = measures_summary(strategy_ids=[strategy.pk], period=period)[strategy.pk]
    measures = measures_with_results(strategy_id=strategy.pk, periods=[period])
    measure_rows = []
    for measure in measures:
        results = measure.period_results  # type: ignore[attr-defined]  # set by measures_with_results
        result = results[0] if results else None
        status = compute_status(
            value=result.value if result else None,
            target=result.target if result else None,
            is_targeted=measure.is_targeted,
            polarity=measure.polarity,
        )
        unit = measure.get_unit_display() if measure.unit in (Measure.Unit.PERCENTAGE, Measure.Unit.POUNDS) else ""
        measure_rows.append(
            {
                "name": measure.name,
                "outcome": measure.outcome.title if measure.outcome else "",
                "framework_code": measure.framework_code,
                "value": _number(result.value if result else None, measure.decimal_places),
                "target": _number(result.target if result else None, measure.decimal_places),
                "unit": unit,
                "status": status,
                "status_label": MeasureResult.Status(status).label,
            }
        )
    up_to = report.report_date
    meeting = report.scrutiny_meeting
    if meeting is not None and meeting.date > up_to:
        up_to = meeting.date
    conclusions = [
        {
            "committee": c.meeting.committee.name,
            "meeting_date": f"{c.meeting.date:%-d %B %Y}",
            "text": c.text,
        }
        for c in _conclusions(strategy, up_to=up_to)
    ]
    pooled = [
        {
            "name": b.name,
            "arrangement": b.get_arrangement_type_display(),
            "partner": b.partner,
            "total_value": _money(b.total_value),
            "partner_contribution": _money(b.partner_contribution),
            "council_contribution": _money(b.council_contribution),
            "risk_share": "Yes" if b.risk_share else "No",
        }
        for b in PooledBudget.objects.filter(strategy_id=strategy.pk).order_by("name")
    ]
    return {
        "header": {
            "strategy": strategy.name,
            "directorate": strategy.directorate.name,
            "sponsor": strategy.sponsor,
            "commissioning_lead": str(strategy.commissioning_lead) if strategy.commissioning_lead else "",
            "lead_officer": strategy.lead_officer or "N/A",
            "stage": strategy.stages_display,
            "purpose": strategy.purpose,
        },
        "success": {
            "total": summary.total,
            "targeted": summary.targeted,
            "measured_only": summary.measured_only,
            "achieved": summary.achieved,
            "not_achieved": summary.not_achieved,
            "awaiting_data": summary.awaiting_data,
            "achieved_names": list(summary.achieved_names),
            "not_achieved_names": list(summary.not_achieved_names),
        },
        "measures": measure_rows,
        "key_contracts": [key_contract_row(c) for c in key_contracts_for_strategies(strategy_ids=[strategy.pk])],
        "pooled_budgets": pooled,
        "conclusions": conclusions,
    }


def approved_snapshot_for(report: HighlightReport) -> dict:
    """The frozen copy stored on approval."""
    data = _known_data(report)
    data["frozen_at"] = timezone.now().isoformat()
    return data


def highlight_report_document(*, report: HighlightReport) -> dict:
    """Everything the report shows, for its page, the print view and the PDF.

    An approved report reads its contracts, measures, conclusions and header from ``approved_snapshot``
    (as they were when approved); any other report reads them live.
    """
    if report.status == HighlightReport.Status.APPROVED and report.approved_snapshot:
        known = report.approved_snapshot
        frozen = True
    else:
        known = _known_data(report)
        frozen = False
    stages = scrutiny_stages(report)
    stage_keys = {
        conclusion_key(committee=s["committee"], meeting_date=s["meeting_date"], text=s["text"])
        for s in stages
        if s["text"]
    }
    period = report.period
    return {
        "pk": report.pk,
        "title": f"{known['header']['strategy']} Commissioning Highlight Report",
        "report_date": _date(report.report_date),
        "period": str(period),
        "period_key": period.key,
        "status": report.status,
        "status_label": report.get_status_display(),
        "is_frozen": frozen,
        "version": report.version,
        "header": known["header"],
        "sections": [
            {"key": field, "heading": heading, "text": getattr(report, field)} for field, heading in NARRATIVE_SECTIONS
        ],
        "success": known["success"],
        "success_note": report.success_note,
        "measures": known["measures"],
        "key_contract_columns": [{"key": key, "label": label} for key, label in KEY_CONTRACT_COLUMNS],
        "key_contracts": known["key_contracts"],
        "key_contracts_note": report.key_contracts_note,
        "pooled_budgets": known["pooled_budgets"],
        "pooled_budget_arrangements": report.pooled_budget_arrangements,
        "property_implications": report.property_implications,
        "commercial_opportunities": report.commercial_opportunities,
        "commissioners_comments": {
            "completed_by": report.completed_by,
            "rag": report.rag,
            "rag_label": report.get_rag_display() if report.rag else "Not set",
            "rag_comment": report.rag_comment,
            "comments": report.commissioners_comments,
        },
        # Each stage once: a conclusion the report's stages show is not listed again among the others.
        "scrutiny_stages": stages,
        # Past the officers' board: what a scrutiny pack may print, and what may go to a scrutiny stage.
        "may_go_to_scrutiny": report.status in HighlightReport.PRINTABLE_STATUSES,
        "conclusions": [
            c
            for c in known["conclusions"]
            if conclusion_key(committee=c.get("committee", ""), meeting_date=c.get("meeting_date", ""), text=c["text"])
            not in stage_keys
        ],
        "scrutiny_note": report.scrutiny_note,
        "board_comments": report.board_comments,
        "decision_reference": report.decision_reference,
        "decision_date": _date(report.decision_date),
    }


def report_for_page(*, pk: int, user) -> HighlightReport:
    """A report ``user`` may read, with its strategy, lead, directorate, meeting and timeline loaded.
    HighlightReport.DoesNotExist if there is none (or not one for ``user``)."""
    return (
        HighlightReport.objects.visible_to(user)
        .select_related("strategy__directorate", "strategy__commissioning_lead", "scrutiny_meeting__committee")
        .prefetch_related("events__by")
        .get(pk=pk)
    )


# --- History ---------------------------------------------------------------------------------


def visible_versions(*, report: HighlightReport, user) -> QuerySet:
    """The saved versions of a report ``user`` may read, under the rule of HighlightReport.visible_to: a version
    saved while the report was a draft is an officers' working copy. Start from a report that ``user`` may read."""
    versions = report.history.all()
    if not permissions.may_see_drafts(user):
        versions = versions.exclude(status=HighlightReport.Status.DRAFT)
    return versions


def report_versions(*, report: HighlightReport, user) -> list:
    """The versions of the report ``user`` may read, newest first, with who saved each and which fields
    changed since the one before it."""
    versions = list(
        visible_versions(report=report, user=user)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        if older is None:
            newer.changed_fields = []
            continue
        newer.changed_fields = [
            report_field(name).verbose_name for name in HISTORY_FIELDS if getattr(newer, name) != getattr(older, name)
        ]
    return versions


def report_field(name: str) -> models.Field:
    """A field of HighlightReport by name (never a relation's reverse side)."""
    field = HighlightReport._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def field_label(name: str) -> str:
    """A report field's name as the pages show it: "Summary description"."""
    return str(report_field(name).verbose_name).capitalize()


def _display(record, name: str) -> str:
    return display_value(name, getattr(record, name))


def display_value(name: str, value) -> str:
    """A report field's value as the pages show it."""
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    field = report_field(name)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    return str(value)


def text_diff(old: str, new: str) -> SafeString:
    """Word-level diff as HTML with <del>/<ins>, everything escaped."""
    old_words, new_words = old.split(" "), new.split(" ")
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(old_words[a1:a2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f'<del class="app-diff-del">{escape(" ".join(old_words[a1:a2]))}</del>')
        if op in ("insert", "replace"):
            parts.append(f'<ins class="app-diff-ins">{escape(" ".join(new_words[b1:b2]))}</ins>')
    # Safe: every piece above is escaped.
    return mark_safe(" ".join(parts))  # nosec B308 B703


def versions_diff(*, older, newer) -> list[dict]:
    """Field by field, what changed between two saved versions."""
    rows = []
    for name in HISTORY_FIELDS:
        old, new = _display(older, name), _display(newer, name)
        if old != new:
            rows.append(
                {
                    "field": name,
                    "label": field_label(name),
                    "diff": text_diff(old, new),
                }
            )
    return rows


# --- Council-wide quarter page ---------------------------------------------------------------


def reports_for_quarter(*, period: FinancialQuarter, user, today: date | None = None) -> list[dict]:
    """Every strategy with its report for ``period`` (or none), whether it is overdue, and the report as ``user``
    may open it (``shown``: None for a report still with the officers, as far as a councillor is concerned).

    A report is overdue when the quarter has ended and it is still a draft, or was never started.
    """
    today = today or timezone.localdate()
    reports = HighlightReport.objects.filter(year=period.year, quarter=period.quarter)
    visible = set(
        HighlightReport.objects.visible_to(user)
        .filter(year=period.year, quarter=period.quarter)
        .values_list("pk", flat=True)
    )
    strategies = (
        CommissioningStrategy.objects.visible_to(user)
        .select_related("directorate", "commissioning_lead")
        .prefetch_related(Prefetch("highlight_reports", queryset=reports, to_attr="quarter_reports"))
        .order_by("directorate__name", "name")
    )
    ended = today > period.end
    rows = []
    for strategy in strategies:
        report = strategy.quarter_reports[0] if strategy.quarter_reports else None
        overdue = ended and (report is None or report.status == HighlightReport.Status.DRAFT)
        shown = report if report is not None and report.pk in visible else None
        rows.append({"strategy": strategy, "report": report, "shown": shown, "overdue": overdue})
    return rows


def quarter_counts(rows: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        report = row["report"]
        counts["strategies"] += 1
        counts["missing" if report is None else report.status] += 1
        if row["overdue"]:
            counts["overdue"] += 1
    return dict(counts)


# --- Commissioning plans (themes, "I" statements, intentions on the cycle) and savings ---------------
# (Issue 16: plans as the council defines them, and savings. Kept together here, after the reports' reads.)


def cycle_stages(*, include: list[int] | tuple[int, ...] = ()) -> list[CycleStage]:
    """The council's cycle in order: the active stages, each phase followed by its finer stages, and any
    inactive stage ``include`` names (an intention still at it). One query."""
    wanted = models.Q(active=True) & ~models.Q(parent__active=False)
    if include:
        wanted |= models.Q(pk__in=list(include))
    return list(CycleStage.objects.filter(wanted).select_related("parent").in_cycle_order())


@dataclass
class StageCell:
    stage: CycleStage
    existing: bool
    expected: bool

    @property
    def label(self) -> str:
        """What the cell says (words, not only its colour)."""
        if self.existing and self.expected:
            return "Existing and expected"
        return "Existing" if self.existing else "Expected" if self.expected else ""


def _marks(stage: CycleStage, chosen: CycleStage) -> bool:
    """Whether the cell of ``stage`` marks ``chosen``: its own cell, or every finer cell of a chosen phase
    that has finer stages shown (the whole phase is the position)."""
    return stage.pk == chosen.pk or (chosen.is_phase and stage.parent_id == chosen.pk)


def plan_for_page(*, strategy: CommissioningStrategy) -> dict:
    """Seed 003's "Commissioning Intentions by Strategic Theme" for a plan (a strategy): its themes in order,
    each with its "I" statements and its intentions, every intention with a row of cells along the cycle
    marking its existing position and expected progress. Five queries whatever the size of the plan."""
    savings: models.Prefetch = models.Prefetch("savings", queryset=Saving.objects.order_by("-year", "reference"))
    intentions: models.Prefetch = models.Prefetch(
        "intentions",
        queryset=CommissioningIntention.objects.select_related("current_stage__parent", "expected_stage__parent")
        .prefetch_related(savings)
        .order_by("order", "pk"),
    )
    statements: models.Prefetch = models.Prefetch("statements", queryset=ThemeStatement.objects.order_by("order", "pk"))
    themes = list(
        StrategicTheme.objects.filter(strategy=strategy)
        .order_by("order", "pk")
        .prefetch_related(statements, intentions)
    )
    used = {i.current_stage_id for t in themes for i in t.intentions.all()} | {
        i.expected_stage_id for t in themes for i in t.intentions.all()
    }
    stages = cycle_stages(include=tuple(sorted(used)))
    phases_with_finer = {s.parent_id for s in stages if not s.is_phase}
    # A phase whose finer stages are shown is a heading over them, not a cell of its own.
    columns = [s for s in stages if not (s.is_phase and s.pk in phases_with_finer)]
    headings = []
    for stage in stages:
        if stage.is_phase:
            span = sum(1 for c in columns if c.phase.pk == stage.pk)
            if span:
                headings.append({"stage": stage, "span": span, "has_finer": stage.pk in phases_with_finer})
    rows = []
    for theme in themes:
        theme_rows = []
        for intention in theme.intentions.all():
            cells = [
                StageCell(
                    stage=column,
                    existing=_marks(column, intention.current_stage),
                    expected=_marks(column, intention.expected_stage),
                )
                for column in columns
            ]
            theme_rows.append({"intention": intention, "cells": cells})
        rows.append({"theme": theme, "statements": list(theme.statements.all()), "intentions": theme_rows})
    return {
        "themes": rows,
        "columns": columns,
        "headings": headings,
        "two_heading_rows": bool(phases_with_finer),
    }


# --- Savings -------------------------------------------------------------------------------------


def saving_list(*, user) -> QuerySet[Saving]:
    """The savings ``user`` may read, with their directorate and strategy and ``variation`` (budgeted less
    achieved) in SQL, newest year first. Filter with filters.SavingFilter."""
    return (
        Saving.objects.with_variation()
        .visible_to(user)
        .select_related("directorate", "strategy")
        .order_by("-year", "directorate__name", "reference")
    )


@dataclass
class YearFigures:
    budgeted: Decimal = Decimal("0")
    achieved: Decimal | None = None
    variation: Decimal | None = None
    count: int = 0

    def add(self, other: YearFigures) -> None:
        self.budgeted += other.budgeted
        self.count += other.count
        if other.achieved is not None:
            self.achieved = (self.achieved or Decimal("0")) + other.achieved
        if other.variation is not None:
            self.variation = (self.variation or Decimal("0")) + other.variation


@dataclass
class SavingsTable:
    """Seed 004's table: per directorate, per financial year, the budgeted and achieved savings and their
    variation (budgeted less achieved; positive is a shortfall), with a total row."""

    years: list[int]
    rows: list[dict]
    totals: dict[int, YearFigures]

    @property
    def year_labels(self) -> list[tuple[int, str]]:
        return [(year, financial_year_label(year)) for year in self.years]


def savings_table(*, savings: QuerySet[Saving]) -> SavingsTable:
    """``savings`` summed by directorate and financial year, in one query. Achieved and variation add up only
    the savings with an achieved figure (a proposal for a year not yet over has none): a year with none shows
    no achieved figure rather than £0."""
    variation = models.ExpressionWrapper(
        models.F("budgeted") - models.F("achieved"), output_field=models.DecimalField(max_digits=14, decimal_places=2)
    )
    grouped = (
        savings.order_by()
        .values("directorate_id", "directorate__name", "year")
        .annotate(
            sum_budgeted=models.Sum("budgeted"),
            sum_achieved=models.Sum("achieved"),
            sum_variation=models.Sum(variation),
            n=models.Count("pk"),
        )
        .order_by("directorate__name", "year")
    )
    by_directorate: dict[int, dict] = {}
    years: set[int] = set()
    for row in grouped:
        figures = YearFigures(
            budgeted=row["sum_budgeted"] or Decimal("0"),
            achieved=row["sum_achieved"],
            variation=row["sum_variation"],
            count=row["n"],
        )
        entry = by_directorate.setdefault(
            row["directorate_id"],
            {"directorate_id": row["directorate_id"], "directorate": row["directorate__name"], "years": {}},
        )
        entry["years"][row["year"]] = figures
        years.add(row["year"])
    ordered_years = sorted(years)
    totals = {year: YearFigures() for year in ordered_years}
    rows = []
    for entry in by_directorate.values():
        entry["cells"] = [entry["years"].get(year, YearFigures()) for year in ordered_years]
        for year, figures in entry["years"].items():
            totals[year].add(figures)
        rows.append(entry)
    return SavingsTable(years=ordered_years, rows=rows, totals=totals)


def saving_for_page(*, pk: int, user) -> Saving:
    """A saving with its directorate, strategy, intentions and (for officers: the register is theirs) the
    contracts it touches with their providers."""
    related: list = [
        models.Prefetch(
            "intentions", queryset=CommissioningIntention.objects.select_related("strategy", "theme").order_by("pk")
        )
    ]
    if permissions.is_officer(user):
        related.append(
            models.Prefetch(
                "contracts",
                queryset=Contract.objects.select_related("lead_provider", "directorate")
                .prefetch_related("other_providers")
                .order_by("reference"),
                to_attr="touched_contracts",
            )
        )
    return saving_list(user=user).prefetch_related(*related).get(pk=pk)


@dataclass
class SharedProvider:
    """A provider of a contract the saving touches that also holds live contracts in other directorates."""

    provider: Provider
    touched: list[str]  # references of the saving's contracts it holds
    elsewhere: list[dict]  # per other directorate: name, contracts (reference, title), annual value


@dataclass
class ProviderCheck:
    """Seed 004's check before a saving: would it destabilise a provider that other directorates also use?"""

    providers: list[SharedProvider]
    touched_provider_count: int

    @property
    def only_this_directorate(self) -> int:
        return self.touched_provider_count - len(self.providers)


def saving_provider_check(*, saving: Saving) -> ProviderCheck:
    """The providers (lead and other providers) of the contracts ``saving`` touches who also hold live contracts
    in another directorate, with those directorates, their contracts and annual values. Three queries, in SQL,
    however many contracts and providers: the providers' contracts as lead and as other provider are read
    together as (provider, contract) pairs."""
    through = Contract.other_providers.through
    touched_ids = models.Q(lead_contracts__savings=saving) | models.Q(shared_contracts__savings=saving)
    providers = Provider.objects.filter(touched_ids).distinct()
    F = models.F
    touched = {
        (row["p_id"], row["c_ref"])
        for row in Contract.objects.filter(savings=saving, lead_provider__isnull=False)
        .order_by()
        .values(p_id=F("lead_provider_id"), c_ref=F("reference"))
        .union(
            through.objects.filter(contract__savings=saving)
            .order_by()
            .values(p_id=F("provider_id"), c_ref=F("contract__reference")),
            all=True,
        )
    }
    touched_providers = {provider_id for provider_id, _ in touched}
    other_live = Contract.objects.filter(status=Contract.Status.LIVE).exclude(directorate_id=saving.directorate_id)
    pairs = (
        other_live.filter(lead_provider__in=providers)
        .order_by()
        .values(
            p_id=F("lead_provider_id"),
            c_id=F("pk"),
            c_ref=F("reference"),
            c_title=F("title"),
            c_value=F("annual_value"),
            d_name=F("directorate__name"),
        )
        .union(
            through.objects.filter(provider__in=providers, contract__in=other_live)
            .order_by()
            .values(
                p_id=F("provider_id"),
                c_id=F("contract_id"),
                c_ref=F("contract__reference"),
                c_title=F("contract__title"),
                c_value=F("contract__annual_value"),
                d_name=F("contract__directorate__name"),
            ),
            all=True,
        )
    )
    elsewhere: dict[int, dict[str, dict]] = defaultdict(dict)
    seen: set[tuple[int, int]] = set()
    for row in sorted(pairs, key=lambda r: (r["d_name"], r["c_ref"])):
        if (row["p_id"], row["c_id"]) in seen:
            continue
        seen.add((row["p_id"], row["c_id"]))
        entry = elsewhere[row["p_id"]].setdefault(
            row["d_name"], {"directorate": row["d_name"], "contracts": [], "annual_value": Decimal("0")}
        )
        entry["contracts"].append({"reference": row["c_ref"], "title": row["c_title"]})
        entry["annual_value"] += row["c_value"] or Decimal("0")
    shared = []
    if elsewhere:
        for provider in Provider.objects.filter(pk__in=list(elsewhere)).order_by("name"):
            shared.append(
                SharedProvider(
                    provider=provider,
                    touched=sorted(ref for pid, ref in touched if pid == provider.pk),
                    elsewhere=list(elsewhere[provider.pk].values()),
                )
            )
    return ProviderCheck(providers=shared, touched_provider_count=len(touched_providers))
