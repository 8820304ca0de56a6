"""Reads of measures and results. Status is computed in Python from the fetched rows by the shared
achievement rule (compute_status, ``commissioning.achievement``), so pages and PDFs agree with the model."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Min, Prefetch
from django.utils import timezone

from commissioning.charts import Chart, Series, line_chart
from commissioning.periods import FinancialQuarter, current_quarter

from .models import Measure, MeasureResult, compute_status, recordable_quarter


@dataclass
class MeasuresSummary:
    """The highlight report's "How is success measured?" box for one strategy and quarter."""

    total: int = 0
    targeted: int = 0
    measured_only: int = 0
    achieved: int = 0
    not_achieved: int = 0
    awaiting_data: int = 0
    achieved_names: list[str] = field(default_factory=list)
    not_achieved_names: list[str] = field(default_factory=list)


def measures_summary(*, strategy_ids: list[int], period: FinancialQuarter) -> dict[int, MeasuresSummary]:
    """Per strategy: how many measures, targeted vs measured only, achieving / not for ``period``.

    Two queries whatever the number of strategies and measures.
    """
    summaries: dict[int, MeasuresSummary] = defaultdict(MeasuresSummary)
    measures = list(
        Measure.objects.filter(strategy_id__in=strategy_ids, is_active=True).only(
            "pk", "strategy_id", "name", "is_targeted", "polarity"
        )
    )
    results = {
        r.measure_id: r
        for r in MeasureResult.objects.filter(
            measure__in=[m.pk for m in measures], year=period.year, quarter=period.quarter
        ).only("measure_id", "value", "target")
    }
    for measure in measures:
        summary = summaries[measure.strategy_id]
        summary.total += 1
        if measure.is_targeted:
            summary.targeted += 1
        else:
            summary.measured_only += 1
            continue
        result = results.get(measure.pk)
        status = compute_status(
            value=result.value if result else None,
            target=result.target if result else None,
            is_targeted=True,
            polarity=measure.polarity,
        )
        if status == MeasureResult.Status.ACHIEVED:
            summary.achieved += 1
            summary.achieved_names.append(measure.name)
        elif status == MeasureResult.Status.NOT_ACHIEVED:
            summary.not_achieved += 1
            summary.not_achieved_names.append(measure.name)
        else:
            summary.awaiting_data += 1
    return {sid: summaries[sid] for sid in strategy_ids}


def measures_with_results(*, strategy_id: int, periods: list[FinancialQuarter]) -> list[Measure]:
    """A strategy's active measures, with their outcome and the results for ``periods`` prefetched
    as ``period_results`` (oldest first)."""
    years = {p.year for p in periods}
    keys = {(p.year, p.quarter) for p in periods}
    results = MeasureResult.objects.filter(year__in=years).order_by("year", "quarter")
    measures: list[Measure] = list(
        Measure.objects.filter(strategy_id=strategy_id, is_active=True)
        .select_related("outcome")
        .prefetch_related(Prefetch("results", queryset=results, to_attr="_year_results"))
        .order_by("outcome__order", "order", "pk")
    )
    # Narrowing to exact quarters happens on the prefetched rows; years bound the query.
    for measure in measures:
        period_results = [r for r in getattr(measure, "_year_results") if (r.year, r.quarter) in keys]  # noqa: B009
        setattr(measure, "period_results", period_results)  # noqa: B010
    return measures


# --- Formatting shared by pages, the PDF and the import ---------------------------------------------------------

UNIT_SUFFIX: dict[str, str] = {
    Measure.Unit.PERCENTAGE: "%",
    Measure.Unit.COUNT: "",
    Measure.Unit.RATE_PER_100K: "per 100,000",
    Measure.Unit.RATE_PER_1000: "per 1,000",
    Measure.Unit.DAYS: "days",
    Measure.Unit.WEEKS: "weeks",
    Measure.Unit.POUNDS: "£",
    Measure.Unit.SCORE: "",
}

STATUS_TAG: dict[str, str] = {
    MeasureResult.Status.ACHIEVED: "govuk-tag--green",
    MeasureResult.Status.NOT_ACHIEVED: "govuk-tag--red",
    MeasureResult.Status.MEASURED_ONLY: "govuk-tag--grey",
    MeasureResult.Status.AWAITING_DATA: "govuk-tag--yellow",
}


def format_measure_value(measure: Measure, value: Decimal | None) -> str:
    """A value as the council writes it: '66.7%', '1,719 per 100,000', '£12,000', '12 days'; '—' when missing."""
    if value is None:
        return "—"
    text = f"{value:,.{measure.decimal_places}f}"
    suffix = UNIT_SUFFIX.get(measure.unit, "")
    if suffix == "%":
        return f"{text}%"
    if suffix == "£":
        return f"£{text}"
    return f"{text} {suffix}".strip()


# --- Strategy performance (page and PDF fragment) ----------------------------------------------------------------

TREND_QUARTERS = 8


@dataclass
class MeasureRow:
    measure: Measure
    name: str
    framework: str
    framework_code: str
    unit: str
    value: str
    target: str
    status: str
    status_label: str
    status_tag: str
    commentary: str
    trend: Chart
    trend_svg: str


def _measure_row(measure: Measure, period: FinancialQuarter, periods: list[FinancialQuarter]) -> MeasureRow:
    by_period = {(r.year, r.quarter): r for r in getattr(measure, "period_results")}  # noqa: B009
    current = by_period.get((period.year, period.quarter))
    status = compute_status(
        value=current.value if current else None,
        target=current.target if current else None,
        is_targeted=measure.is_targeted,
        polarity=measure.polarity,
    )
    suffix = UNIT_SUFFIX.get(measure.unit, "")
    values = [by_period[(p.year, p.quarter)].value if (p.year, p.quarter) in by_period else None for p in periods]
    targets = [by_period[(p.year, p.quarter)].target if (p.year, p.quarter) in by_period else None for p in periods]
    has_target = measure.is_targeted and any(t is not None for t in targets)
    direction = measure.get_polarity_display().lower()
    trend = line_chart(
        title=f"{measure.name}: last {len(periods)} quarters",
        description=(
            f"Quarterly values from {periods[0]} to {periods[-1]}, {direction}"
            + (", with the target as a dashed line." if has_target else ".")
        ),
        series=[Series("Value", values)],
        labels=[f"Q{p.quarter} {p.financial_year_label}" for p in periods],
        unit=suffix,
        target=targets if has_target else None,
    )
    return MeasureRow(
        measure=measure,
        name=measure.name,
        framework=measure.get_framework_display(),
        framework_code=measure.framework_code,
        unit=measure.get_unit_display(),
        value=format_measure_value(measure, current.value if current else None),
        target=format_measure_value(measure, current.target if current else None) if measure.is_targeted else "",
        status=status,
        status_label=MeasureResult.Status(status).label,
        status_tag=STATUS_TAG[status],
        commentary=current.commentary if current else "",
        trend=trend,
        trend_svg=str(trend.svg),
    )


def strategy_performance_context(*, strategy, period: FinancialQuarter) -> dict:
    """Everything the strategy performance page and the highlight-report PDF show about a strategy's measures
    for ``period``: the purpose, each outcome with its measures (value with unit, target, status, trend chart
    over the last eight quarters). Three queries whatever the number of measures and results."""
    periods = period.last(TREND_QUARTERS)
    measures = measures_with_results(strategy_id=strategy.pk, periods=periods)
    outcomes = list(strategy.outcomes.order_by("order", "pk"))
    rows_by_outcome: dict[int | None, list[MeasureRow]] = defaultdict(list)
    for measure in measures:
        rows_by_outcome[measure.outcome_id].append(_measure_row(measure, period, periods))
    groups = [{"outcome": o, "title": o.title, "measures": rows_by_outcome.get(o.pk, [])} for o in outcomes]
    if rows_by_outcome.get(None):
        groups.append({"outcome": None, "title": "Other measures", "measures": rows_by_outcome[None]})
    rows = [row for group in groups for row in group["measures"]]
    counts = {status: sum(1 for r in rows if r.status == status) for status in MeasureResult.Status.values}
    return {
        "strategy": strategy,
        "purpose": strategy.purpose,
        "period": period,
        "periods": periods,
        "outcomes": groups,
        "measure_count": len(rows),
        "targeted_count": sum(1 for r in rows if r.measure.is_targeted),
        "status_counts": counts,
    }


# --- Quarters ----------------------------------------------------------------------------------------------------


def latest_result_period() -> FinancialQuarter | None:
    """The latest quarter holding any result, or None when nothing has been entered."""
    latest = MeasureResult.objects.order_by("-year", "-quarter").values_list("year", "quarter").first()
    return FinancialQuarter(*latest) if latest else None


def selected_period(text: str = "") -> FinancialQuarter:
    """The quarter named by ``text`` (2018-Q3), else the latest with any result, else the current one.

    Raises ValueError, with words to show the person who asked, when ``text`` is not a quarter or is one
    this service records nothing for (Q1 to Q4 of 2000/01 to 2100/01)."""
    text = text.strip()
    if not text:
        return latest_result_period() or current_quarter()
    shown = text if len(text) <= 40 else f"{text[:40]}…"
    try:
        period = FinancialQuarter.parse(text)
    except ValueError:
        raise ValueError(f"'{shown}' is not a quarter: choose one, or write it like 2018-Q3.") from None
    try:
        return recordable_quarter(period.year, period.quarter)
    except ValueError as error:
        raise ValueError(f"'{shown}' is not a quarter this service records. {error}") from None


def quarter_picker(*, selected: FinancialQuarter, today: date | None = None, count: int = 12) -> list[tuple[str, str]]:
    """Choices for the quarter picker: the ``count`` quarters up to the current one (newest first), plus the
    selected quarter if it is older."""
    quarters = current_quarter(today).last(count)
    if selected not in quarters:
        quarters.append(selected)
    return [(q.key, str(q)) for q in sorted(quarters, reverse=True)]


# --- Late results ------------------------------------------------------------------------------------------------


@dataclass
class LateResult:
    measure: Measure
    period: FinancialQuarter
    due_on: date


def late_results(*, today: date | None = None, weeks: int | None = None, quarters: int = 4) -> list[LateResult]:
    """Active quarterly measures with no value for a quarter that ended more than ``weeks`` weeks ago
    (settings.RESULTS_LATE_AFTER_WEEKS), from the measure's first result onwards, looking back ``quarters``
    overdue quarters. Three queries whatever the number of measures."""
    today = today or timezone.localdate()
    weeks = settings.RESULTS_LATE_AFTER_WEEKS if weeks is None else weeks
    grace = timedelta(weeks=weeks)
    last_due = current_quarter(today)
    while last_due.end + grace >= today:
        last_due = last_due.previous()
    due = last_due.last(quarters)
    measures = list(
        Measure.objects.filter(is_active=True, frequency=Measure.Frequency.QUARTERLY)
        .select_related("strategy")
        .order_by("strategy__name", "order", "pk")
    )
    first = _first_result_periods([m.pk for m in measures])
    filled = set(
        MeasureResult.objects.filter(
            measure__in=[m.pk for m in measures], year__in={p.year for p in due}, value__isnull=False
        ).values_list("measure_id", "year", "quarter")
    )
    late = []
    for measure in measures:
        start = first.get(measure.pk)
        if start is None:
            continue
        for p in due:
            if p >= start and (measure.pk, p.year, p.quarter) not in filled:
                late.append(LateResult(measure=measure, period=p, due_on=p.end + grace))
    return late


def _first_result_periods(measure_ids: list[int]) -> dict[int, FinancialQuarter]:
    # year * 10 + quarter orders quarters, so one grouped MIN finds each measure's first result (portable SQL).
    rows = (
        MeasureResult.objects.filter(measure__in=measure_ids)
        .values("measure_id")
        .annotate(first=Min(F("year") * 10 + F("quarter")))
        .order_by()
    )
    return {row["measure_id"]: FinancialQuarter(row["first"] // 10, row["first"] % 10) for row in rows}
