"""Round trip: the contract register downloaded as CSV imports into an empty register (keeping the
directorates and strategies it names) and gives the same contracts, providers and values."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.imports import HEADERS, import_contracts
from contracts.models import Contract
from providers.models import Provider
from tests import factories as f

pytestmark = pytest.mark.django_db


def _snapshot():
    """Every field the register file carries, per contract, with the provider by name and number."""
    rows = {}
    for c in Contract.objects.select_related("lead_provider", "directorate", "strategy"):
        provider = c.lead_provider
        rows[c.reference] = {
            "title": c.title,
            "directorate": c.directorate.code,
            "strategy": c.strategy.name if c.strategy else None,
            "provider": (provider.name, provider.companies_house_number) if provider else None,
            "provider_summary": c.provider_summary,
            "category": c.category,
            "contract_type": c.contract_type,
            "procurement_route": c.procurement_route,
            "start_date": c.start_date,
            "end_date": c.end_date,
            "extension_months": list(c.extension_months),
            "extensions_used": c.extensions_used,
            "maximum_end_date": c.maximum_end_date,
            "review_date": c.review_date,
            "annual_value": c.annual_value,
            "total_value": c.total_value,
            "status": c.status,
            "performance": c.performance,
            "has_kpis": c.has_kpis,
            "politically_sensitive": c.politically_sensitive,
            "payment_terms": c.payment_terms,
            "payment_basis": c.payment_basis,
            "volume_sensitive": c.volume_sensitive,
            "corrective_measures": c.corrective_measures,
            "description": c.description,
        }
    return rows


@pytest.fixture
def register(directorate):
    strategy = f.StrategyFactory(name="Carers strategy 2018-2021", directorate=directorate)
    shared = f.ProviderFactory(name="Lincs Home Care Ltd", companies_house_number="07654321")
    no_number = f.ProviderFactory(name="Boston Community Trust", companies_house_number="")
    f.ContractFactory(
        reference="ACCW-2016-007",
        title='Carers\' support service, with "quotes", commas',
        directorate=directorate,
        strategy=strategy,
        lead_provider=shared,
        procurement_route="Open procedure",
        extension_months=[12, 12],
        extensions_used=1,
        end_date=datetime.date(2020, 3, 31),
        review_date=datetime.date(2019, 10, 1),
        annual_value=Decimal("250000.01"),
        total_value=Decimal("1000000.99"),
        has_kpis=True,
        politically_sensitive=True,
        corrective_measures="Monthly review meetings.",
        payment_terms=Contract.PaymentTerms.choices[-1][0],
        payment_basis=Contract.PaymentBasis.choices[-1][0],
        volume_sensitive=Contract.VolumeSensitive.choices[-1][0],
        description="Information, advice and breaks for carers.\nSecond line.",
    )
    f.ContractFactory(reference="ACCW-2017-002", directorate=directorate, lead_provider=shared, has_kpis=False)
    f.ContractFactory(
        reference="ACCW-2018-010", directorate=directorate, lead_provider=no_number, annual_value=Decimal("0")
    )
    f.ContractFactory(
        reference="ACCW-2014-001",
        directorate=directorate,
        lead_provider=None,
        provider_summary="315 x Provider Contracts",
        status=Contract.Status.EXPIRED,
        contract_type=Contract.ContractType.choices[-1][0],
        category=Contract.Category.choices[-1][0],
    )
    f.ContractFactory(
        reference="ACCW-2020-001",
        directorate=directorate,
        lead_provider=None,
        status=Contract.Status.PIPELINE,
        start_date=datetime.date(2020, 4, 1),
        end_date=datetime.date(2023, 3, 31),
    )


def _export(client):
    response = client.get(reverse("contracts:export_csv"))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_register_export_uses_the_import_headings(client_as_officer, register):
    header = _export(client_as_officer).decode("utf-8-sig").splitlines()[0]

    assert header.split(",") == HEADERS


def test_the_register_exported_as_csv_imports_into_an_empty_register_unchanged(client_as_officer, register):
    before = _snapshot()
    providers_before = sorted(Provider.objects.values_list("name", "companies_house_number"))
    content = _export(client_as_officer)

    Contract.objects.all().delete()
    Provider.objects.all().delete()
    report = import_contracts(content=content, filename="register.csv", by=None, create_providers=True)

    assert report.errors == []
    assert report.created == 5
    assert sorted(report.new_providers) == ["Boston Community Trust", "Lincs Home Care Ltd"]
    assert sorted(Provider.objects.values_list("name", "companies_house_number")) == providers_before
    after = _snapshot()
    assert after == before
    assert after["ACCW-2016-007"]["total_value"] == Decimal("1000000.99")
    assert after["ACCW-2016-007"]["maximum_end_date"] == datetime.date(2021, 3, 31)


def test_a_second_import_of_the_same_export_changes_nothing(client_as_officer, register):
    content = _export(client_as_officer)

    report = import_contracts(content=content, filename="register.csv", by=None)

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
