"""Demo-sized data for the strategies pages, at any scale."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import (
    ContractFactory,
    HighlightReportFactory,
    IntentionFactory,
    KeyContractFactory,
    MeasureFactory,
    MeasureResultFactory,
    MeetingFactory,
    OutcomeFactory,
    PooledBudgetFactory,
    ScrutinyConclusionFactory,
    StrategyFactory,
    StrategyRiskFactory,
)


def build_strategy(*, directorate, scale: int = 1):
    """A strategy as the demo data has them: outcomes, intentions, risks, measures with results,
    key and other contracts, pooled budgets, scrutiny conclusions and a highlight report.
    ``scale`` multiplies the number of contracts, measures, conclusions and budgets."""
    strategy = StrategyFactory(directorate=directorate)
    outcomes = OutcomeFactory.create_batch(2, strategy=strategy)
    IntentionFactory.create_batch(2 * scale, strategy=strategy)
    StrategyRiskFactory.create_batch(2 * scale, strategy=strategy)
    for n in range(3 * scale):
        measure = MeasureFactory(strategy=strategy, outcome=outcomes[n % 2], is_targeted=n % 3 != 2)
        MeasureResultFactory(measure=measure, year=2018, quarter=3, value=Decimal(70 + n % 20))
        MeasureResultFactory(measure=measure, year=2018, quarter=2)
    KeyContractFactory.create_batch(2 * scale, strategy=strategy, directorate=directorate, has_kpis=True)
    ContractFactory.create_batch(2 * scale, strategy=strategy, directorate=directorate)
    PooledBudgetFactory.create_batch(scale, strategy=strategy)
    meeting = MeetingFactory(date=datetime.date(2018, 9, 5))
    ScrutinyConclusionFactory.create_batch(scale, strategy=strategy, meeting=meeting)
    HighlightReportFactory(strategy=strategy, year=2018, quarter=3)
    return strategy


@pytest.fixture
def demo(directorate):
    """Build ``count`` strategies at ``scale``; returns them."""

    def make(count: int = 3, scale: int = 1):
        return [build_strategy(directorate=directorate, scale=scale) for _ in range(count)]

    return make
