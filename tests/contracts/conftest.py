"""Fixtures for the contract register's tests."""

import datetime

import pytest

from tests.factories import ContractFactory, ProviderFactory, StrategyFactory, UserFactory


@pytest.fixture
def allied_reablement(db):
    """The Home Based Reablement Service, 3+1+1, with Allied Healthcare as lead provider."""
    lead = UserFactory(username="reablement-lead", email="reablement.lead@council.example")
    strategy = StrategyFactory(name="Adult Frailty and Long Term Conditions", commissioning_lead=lead)
    return ContractFactory(
        reference="ACCW-HBR-01",
        title="Home Based Reablement Service",
        strategy=strategy,
        directorate=strategy.directorate,
        lead_provider=ProviderFactory(name="Nestor Primecare Services t/a Allied Healthcare"),
        start_date=datetime.date(2015, 11, 3),
        end_date=datetime.date(2018, 11, 2),
        extension_months=[12, 12],
        annual_value="3500000.00",
        total_value="10500000.00",
    )
