"""Open data: the Transparency Code contracts CSV and the OCDS 1.1 release package."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from contracts.models import Contract
from opendata.transparency import CSV_COLUMNS
from tests import factories as f

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "ocds_release_package_schema.json").read_text())


@pytest.fixture
def contract(directorate):
    provider = f.ProviderFactory(name="Lincs Carers Trust", is_sme=True, is_vcse=True, charity_number="1098765")
    provider.companies_house_number = ""
    provider.save()
    contract = f.ContractFactory(
        reference="ACCW-2016-007",
        title="Carers' support service",
        directorate=directorate,
        lead_provider=provider,
        procurement_route="Open procedure",
        extension_months=[12, 12],
        review_date=datetime.date(2018, 4, 1),
        vat_not_recoverable=Decimal("1500.00"),
    )
    f.VisitFactory(provider=provider, contract=contract)
    f.SanctionFactory(provider=provider, contract=contract, amount=Decimal("2500.00"))
    f.ContractFactory(status=Contract.Status.PIPELINE, reference="ACCW-2020-001")
    return contract


def test_the_csv_follows_the_transparency_code_columns(api_client_for, contract):
    response = api_client_for("officer").get("/api/v1/exports/contracts.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == CSV_COLUMNS
    assert len(rows) == 2, "contracts still in procurement are not published"
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Reference number"] == "ACCW-2016-007"
    assert row["Department responsible"] == "Adult Care and Community Wellbeing"
    assert row["Supplier name"] == "Lincs Carers Trust"
    assert row["Supplier charity registration number"] == "1098765"
    assert (row["SME"], row["VCSE"]) == ("Yes", "Yes")
    assert row["Total value of contract (£)"] == "750000.00"
    assert row["VAT that cannot be recovered (£)"] == "1500.00"
    assert (row["Start date"], row["End date"], row["Review date"]) == ("2016-04-01", "2019-03-31", "2018-04-01")
    assert row["Procurement route"] == "Open procedure"


def test_the_ocds_package_is_valid_against_the_release_package_schema(api_client_for, contract):
    response = api_client_for("officer").get("/api/v1/exports/ocds.json")

    assert response.status_code == 200
    package = response.json()
    jsonschema.validate(package, SCHEMA, format_checker=jsonschema.FormatChecker())
    (release,) = package["releases"]
    supplier = next(p for p in release["parties"] if "supplier" in p["roles"])
    assert supplier["identifier"] == {"scheme": "GB-CHC", "id": "1098765", "legalName": "Lincs Carers Trust"}
    (ocds_contract,) = release["contracts"]
    assert ocds_contract["awardID"] == release["awards"][0]["id"]
    assert ocds_contract["period"]["maxExtentDate"].startswith("2021-03-31")
    assert ocds_contract["value"] == {"amount": 750000.0, "currency": "GBP"}
    implementation = ocds_contract["implementation"]
    assert len(implementation["documents"]) == 1
    (failure,) = implementation["performanceFailures"]
    assert failure["category"] == "Default notice"
    assert failure["penaltyImposed"] == {"amount": 2500.0, "currency": "GBP"}


def test_the_schema_check_would_catch_a_release_without_an_ocid(api_client_for, contract):
    package = api_client_for("officer").get("/api/v1/exports/ocds.json").json()
    del package["releases"][0]["ocid"]

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(package, SCHEMA)


@pytest.mark.parametrize("export", ["contracts.csv", "ocds.json"])
@pytest.mark.parametrize(("role", "expected"), [(None, 401), ("scrutiny", 403), ("commissioner", 200)])
def test_exports_need_the_right_to_see_contracts(api_client_for, export, role, expected):
    assert api_client_for(role).get(f"/api/v1/exports/{export}").status_code == expected


@pytest.mark.parametrize("export", ["contracts.csv", "ocds.json"])
def test_exports_run_constant_queries(api_client_for, django_assert_max_num_queries, export):
    client = api_client_for("officer")
    for _ in range(3):
        contract = f.ContractFactory()
        f.SanctionFactory(provider=contract.lead_provider, contract=contract)
    with django_assert_max_num_queries(8):
        client.get(f"/api/v1/exports/{export}")
    for _ in range(20):
        contract = f.ContractFactory()
        f.VisitFactory(provider=contract.lead_provider, contract=contract)
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/exports/{export}").status_code == 200


def test_transparency_csv_neutralises_formulas(client_as_officer):
    from tests.factories import ContractFactory

    ContractFactory(title='=HYPERLINK("http://evil.example")', reference="CON-FORMULA")
    response = client_as_officer.get("/api/v1/exports/contracts.csv")
    body = response.content.decode()
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body
