"""Reads of measures and results. Status is computed in Python from the fetched rows
(compute_status), so pages and PDFs agree with the model's rule exactly."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from commissioning.periods import FinancialQuarter

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
