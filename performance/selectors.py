"""Reads of measures and results. Status is computed in Python from the fetched rows
(compute_status), so pages and PDFs agree with the model's rule exactly."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Min, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from commissioning.charts import Chart, Series, bar_chart, line_chart, stacked_bar
from commissioning.periods import FinancialQuarter, current_quarter, financial_year_bounds

from .models import Measure, MeasureResult, compute_status


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
    measures = (
        Measure.objects.filter(strategy_id=strategy_id, is_active=True)
        .select_related("outcome")
        .prefetch_related(Prefetch("results", queryset=results, to_attr="_year_results"))
        .order_by("outcome__order", "order", "pk")
    )
    # Narrowing to exact quarters happens on the prefetched rows; years bound the query.
    measures = list(measures)
    for measure in measures:
        measure.period_results = [r for r in measure._year_results if (r.year, r.quarter) in keys]
    return measures


# --- Formatting shared by pages, the PDF and the import ---------------------------------------------------------

UNIT_SUFFIX = {
    Measure.Unit.PERCENTAGE: "%",
    Measure.Unit.COUNT: "",
    Measure.Unit.RATE_PER_100K: "per 100,000",
    Measure.Unit.RATE_PER_1000: "per 1,000",
    Measure.Unit.DAYS: "days",
    Measure.Unit.WEEKS: "weeks",
    Measure.Unit.POUNDS: "£",
    Measure.Unit.SCORE: "",
}

STATUS_TAG = {
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
    by_period = {(r.year, r.quarter): r for r in measure.period_results}
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


# --- Council dashboard -------------------------------------------------------------------------------------------

RAG_ORDER = ("red", "amber", "green", "none")
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "none": "No RAG reported"}
RISK_ORDER = ("high", "medium", "low", "none")
RISK_LABELS = {"high": "High", "medium": "Medium", "low": "Low", "none": "Not assessed"}
RISK_COLOURS = {"high": "#d4351c", "medium": "#b35900", "low": "#00703c", "none": "#505a5f"}
GOOD_RATINGS = ("good", "outstanding")
NEEDS_DECISION_MONTHS = 12


def strategies_rag(*, period: FinancialQuarter) -> list:
    """Every strategy with ``quarter_rag``: the RAG of its highlight report for ``period`` ("none" if no report
    or no RAG given). One query."""
    from strategies.models import CommissioningStrategy, HighlightReport

    report_rag = HighlightReport.objects.filter(strategy=OuterRef("pk"), year=period.year, quarter=period.quarter)
    strategies = list(
        CommissioningStrategy.objects.annotate(report_rag=Subquery(report_rag.values("rag")[:1])).order_by("name")
    )
    for strategy in strategies:
        strategy.quarter_rag = strategy.report_rag or "none"
    return strategies


def month_ends(*, start: date, end: date) -> list[date]:
    """The last day of each month from ``start``'s month to ``end``'s month."""
    days = []
    month = date(start.year, start.month, 1)
    while month <= end:
        following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        days.append(following - timedelta(days=1))
        month = following
    return days


def provider_risk_trend(*, days: list[date]) -> dict[date, dict[str, int]]:
    """For each day, how many providers stood at each risk level (their latest assessment on or before that
    day). One query: assessments are swept in date order."""
    from providers.models import RiskAssessment

    if not days:
        return {}
    assessments = (
        RiskAssessment.objects.filter(assessed_on__lte=max(days))
        .order_by("assessed_on", "pk")
        .values_list("provider_id", "assessed_on", "level")
    )
    current: dict[int, str] = {}
    trend = {}
    pending = iter(assessments)
    upcoming = next(pending, None)
    for day in sorted(days):
        while upcoming is not None and upcoming[1] <= day:
            current[upcoming[0]] = upcoming[2]
            upcoming = next(pending, None)
        counts = dict.fromkeys(RISK_ORDER[:3], 0)
        for level in current.values():
            counts[level] = counts.get(level, 0) + 1
        trend[day] = counts
    return trend


def _link(path: str, **params) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def dashboard_context_cached(*, period: FinancialQuarter, show_contracts: bool, show_providers: bool) -> dict:
    """``dashboard_context``, kept for ``settings.DASHBOARD_CACHE_SECONDS`` (a minute by default): at quarter-end
    everyone opens the dashboard at once, and its council-wide counts are the same for everyone who sees the
    same panels. The page says when its figures were counted."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    today = timezone.localdate()
    if not seconds:
        return dashboard_context(period=period, show_contracts=show_contracts, show_providers=show_providers)
    key = f"dashboard:v1:{period.key}:{int(show_contracts)}{int(show_providers)}:{today.isoformat()}"
    context = cache.get(key)
    if context is None:
        context = dashboard_context(
            period=period, show_contracts=show_contracts, show_providers=show_providers, today=today
        )
        cache.set(key, context, seconds)
    return context


def dashboard_context(*, period: FinancialQuarter, show_contracts: bool, show_providers: bool, today=None) -> dict:
    """The council dashboard for ``period``: strategies by RAG, measures achieving or not by strategy and,
    for officers, contracts needing a decision, providers by risk with the monthly trend, visits and concerns
    against last quarter, and CQC ratings. Each figure comes with the link to the records behind it.
    A fixed number of queries whatever the number of strategies, measures, contracts and providers."""
    today = today or timezone.localdate()
    quarter_key = period.key
    context: dict = {
        "period": period,
        "show_contracts": show_contracts,
        "show_providers": show_providers,
        "counted_at": timezone.now(),
    }

    # Strategies by RAG.
    strategies = strategies_rag(period=period)
    rag_counts = {rag: sum(1 for s in strategies if s.quarter_rag == rag) for rag in RAG_ORDER}
    rag_links = [_link("/strategies/", rag=rag, quarter=quarter_key) for rag in RAG_ORDER]
    context["strategies"] = strategies
    context["rag_counts"] = rag_counts
    context["rag_rows"] = [
        {"rag": rag, "label": RAG_LABELS[rag], "count": rag_counts[rag], "url": url}
        for rag, url in zip(RAG_ORDER, rag_links, strict=True)
    ]
    context["rag_chart"] = bar_chart(
        title=f"Strategies by RAG status, {period}",
        description="Number of commissioning strategies whose highlight report for the quarter is red, amber, green "
        "or has no RAG.",
        series=[
            Series(
                "Strategies",
                [rag_counts[r] for r in RAG_ORDER],
                links=rag_links,
            )
        ],
        labels=[RAG_LABELS[r] for r in RAG_ORDER],
        label_heading="RAG status",
    )

    # Measures achieving or not, by strategy.
    summaries = measures_summary(strategy_ids=[s.pk for s in strategies], period=period)
    measured = [s for s in strategies if summaries[s.pk].total]
    links = [_link(f"/performance/strategies/{s.pk}/", quarter=quarter_key) for s in measured]
    context["measure_rows"] = [
        {"strategy": s, "summary": summaries[s.pk], "url": url} for s, url in zip(measured, links, strict=True)
    ]
    context["measure_totals"] = {
        name: sum(getattr(summaries[s.pk], name) for s in measured)
        for name in ("total", "targeted", "measured_only", "achieved", "not_achieved", "awaiting_data")
    }
    context["measures_chart"] = stacked_bar(
        title=f"Targeted measures achieving or not, by strategy, {period}",
        description="For each strategy, how many targeted measures achieved their target, did not, or have no "
        "value yet.",
        series=[
            Series("Achieved", [summaries[s.pk].achieved for s in measured], links=links, colour="#00703c"),
            Series("Not achieved", [summaries[s.pk].not_achieved for s in measured], links=links, colour="#d4351c"),
            Series("Awaiting data", [summaries[s.pk].awaiting_data for s in measured], links=links, colour="#505a5f"),
        ],
        labels=[s.name for s in measured],
        label_heading="Strategy",
        width=640,
    )

    if show_contracts:
        context.update(_contracts_panels(period=period, today=today))
    if show_providers:
        context.update(_providers_panels(period=period, today=today))
    return context


def _contracts_panels(*, period: FinancialQuarter, today: date) -> dict:
    from contracts.models import Concern, Visit
    from contracts.selectors import contracts_needing_decision

    # The panel shows the count and the ten soonest: fetch only those rows, however many there are.
    needing_all = contracts_needing_decision(within_months=NEEDS_DECISION_MONTHS, today=today)
    needing = list(needing_all[:10])
    needing_count = needing_all.count()
    previous = period.previous()
    this_range, last_range = (period.start, period.end), (previous.start, previous.end)
    visits = Visit.objects.aggregate(
        this=Count("pk", filter=Q(visited_on__range=this_range)),
        last=Count("pk", filter=Q(visited_on__range=last_range)),
    )
    concern_counts = {
        row["kind"]: row
        for row in Concern.objects.filter(raised_on__range=(previous.start, period.end))
        .values("kind")
        .annotate(
            this=Count("pk", filter=Q(raised_on__range=this_range)),
            last=Count("pk", filter=Q(raised_on__range=last_range)),
        )
        .order_by()
    }

    def dates(q: FinancialQuarter) -> dict:
        return {"from": q.start.isoformat(), "to": q.end.isoformat()}

    concern_rows = [
        {
            "kind": kind,
            "label": label,
            "this": concern_counts.get(kind, {}).get("this", 0),
            "last": concern_counts.get(kind, {}).get("last", 0),
            "this_url": _link("/contracts/concerns/", **dates(period), kind=kind),
            "last_url": _link("/contracts/concerns/", **dates(previous), kind=kind),
        }
        for kind, label in Concern.Kind.choices
    ]
    activity_labels = ["Visits", *[r["label"] for r in concern_rows]]
    this_links = [_link("/contracts/visits/", **dates(period)), *[r["this_url"] for r in concern_rows]]
    last_links = [_link("/contracts/visits/", **dates(previous)), *[r["last_url"] for r in concern_rows]]
    return {
        "previous_period": previous,
        "needs_decision": needing,
        "needs_decision_count": needing_count,
        "needs_decision_url": _link("/contracts/needs-decision/", within=NEEDS_DECISION_MONTHS),
        "visits": {
            "this": visits["this"],
            "last": visits["last"],
            "this_url": this_links[0],
            "last_url": last_links[0],
        },
        "concern_rows": concern_rows,
        "activity_chart": bar_chart(
            title=f"Visits and concerns, {period} against {previous}",
            description="Number of contract-monitoring visits and of concerns raised, by kind, this quarter "
            "beside last quarter.",
            series=[
                Series(str(previous), [visits["last"], *[r["last"] for r in concern_rows]], links=last_links),
                Series(str(period), [visits["this"], *[r["this"] for r in concern_rows]], links=this_links),
            ],
            labels=activity_labels,
            label_heading="Activity",
            width=640,
        ),
    }


def _providers_panels(*, period: FinancialQuarter, today: date) -> dict:
    from providers.models import CqcRating, CqcRatingValue, Location, Provider

    risk_counts = dict.fromkeys(RISK_ORDER, 0)
    for row in Provider.objects.with_current_risk().values("current_risk_level").annotate(n=Count("pk")).order_by():
        risk_counts[row["current_risk_level"] or "none"] += row["n"]
    risk_rows = [
        {
            "level": level,
            "label": RISK_LABELS[level],
            "count": risk_counts[level],
            "url": _link("/providers/", risk=level),
        }
        for level in RISK_ORDER
    ]
    start, _ = financial_year_bounds(period.year)
    days = month_ends(start=start, end=min(period.end, today))
    trend = provider_risk_trend(days=days)
    risk_trend_chart = line_chart(
        title=f"Providers by risk level at each month end, {period.financial_year_label}",
        description="Number of providers at high, medium and low risk at the end of each month of the financial "
        "year, from their latest risk assessment at that date.",
        series=[
            Series(RISK_LABELS[level], [trend[d][level] for d in days], colour=RISK_COLOURS[level])
            for level in RISK_ORDER[:3]
        ],
        labels=[f"{d:%b %Y}" for d in days],
        width=640,
    )

    latest = CqcRating.objects.filter(location=OuterRef("pk")).order_by("-published_on", "-pk")
    rating_counts = {
        row["latest_overall"]: row["n"]
        for row in Location.objects.annotate(latest_overall=Subquery(latest.values("overall")[:1]))
        .filter(latest_overall__isnull=False)
        .values("latest_overall")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rated = sum(n for rating, n in rating_counts.items() if rating != CqcRatingValue.NOT_RATED)
    good = sum(rating_counts.get(r, 0) for r in GOOD_RATINGS)
    rating_rows = [
        {
            "rating": value,
            "label": label,
            "count": rating_counts.get(value, 0),
            "url": _link("/providers/locations/", cqc=value),
        }
        for value, label in CqcRatingValue.choices
    ]
    return {
        "risk_rows": risk_rows,
        "risk_chart": bar_chart(
            title="Providers by current risk level",
            description="Number of providers at each risk level from their latest risk assessment.",
            series=[Series("Providers", [r["count"] for r in risk_rows], links=[r["url"] for r in risk_rows])],
            labels=[r["label"] for r in risk_rows],
            label_heading="Risk level",
        ),
        "risk_trend_chart": risk_trend_chart,
        "cqc": {
            "rated": rated,
            "good_or_outstanding": good,
            "share": round(Decimal(good * 100) / rated, 1) if rated else None,
            "good_url": _link("/providers/locations/", cqc="good"),
            "rows": rating_rows,
        },
        "cqc_chart": bar_chart(
            title="Commissioned locations by latest CQC overall rating",
            description="Number of care locations at each overall CQC rating, from the latest published "
            "inspection of each.",
            series=[Series("Locations", [r["count"] for r in rating_rows], links=[r["url"] for r in rating_rows])],
            labels=[r["label"] for r in rating_rows],
            label_heading="CQC rating",
        ),
    }
