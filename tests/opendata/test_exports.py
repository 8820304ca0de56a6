"""Open data: the Transparency Code contracts CSV, its invitations to tender, and the OCDS 1.1 release package
(validated against the official schemas in ../shared/standards/, with the declared extensions merged)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest

from contracts.models import Contract, ContractChange
from oversight.models import Sanction
from tests import factories as f
from tests.opendata.test_schema import OFFICIAL, validate

pytestmark = pytest.mark.django_db

TRANSPARENCY_COLUMNS = [
    "Reference number",
    "Title of agreement",
    "Department responsible",
    "Description of goods and services",
    "Supplier name",
    "Supplier address",
    "Supplier postcode",
    "Supplier Companies House registration number",
    "Supplier charity registration number",
    "SME",
    "VCSE",
    "Total value of contract (£)",
    "Estimated annual value (£)",
    "VAT that cannot be recovered (£)",
    "Start date",
    "End date",
    "Review date",
    "Invitation to quote or published invitation to tender",
    "Procurement route (detail)",
]


@pytest.fixture
def contract(directorate):
    provider = f.ProviderFactory(
        name="Lincs Carers Trust",
        is_sme=True,
        is_vcse=True,
        charity_number="1098765",
        companies_house_number="",
        address="The Old School\nHigh Street\nSleaford",
        postcode="NG34 7AA",
    )
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
    f.VisitFactory(provider=provider, contract=contract, findings="Mrs A's care plan was out of date.")
    f.SanctionFactory(provider=provider, contract=contract, kind=Sanction.Kind.SERVICE_CREDIT, amount=Decimal("2500"))
    f.ContractFactory(
        status=Contract.Status.PIPELINE,
        reference="ACCW-2020-001",
        title="Day opportunities",
        directorate=directorate,
        procurement_route="Request for quotation",
        total_value=Decimal("5000.01"),
    )
    return contract


def _csv(client, name):
    response = client.get(f"/api/v1/exports/{name}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _ocds(client):
    response = client.get("/api/v1/exports/ocds.json")
    assert response.status_code == 200
    return response.json()


def _release(package, reference):
    return next(r for r in package["releases"] if r["ocid"].endswith(reference))


# --- Transparency Code -------------------------------------------------------------------------------------


def test_the_csv_follows_the_transparency_code_columns(api_client_for, contract):
    header, rows = _csv(api_client_for("officer"), "contracts.csv")

    assert header == TRANSPARENCY_COLUMNS
    assert [r["Reference number"] for r in rows] == ["ACCW-2016-007"], "contracts in procurement are tenders"
    (row,) = rows
    assert row["Department responsible"] == "Adult Care and Community Wellbeing"
    assert row["Supplier name"] == "Lincs Carers Trust"
    assert row["Supplier address"] == "The Old School, High Street, Sleaford"
    assert row["Supplier postcode"] == "NG34 7AA"
    assert row["Supplier charity registration number"] == "1098765"
    assert row["Supplier Companies House registration number"] == ""
    assert (row["SME"], row["VCSE"]) == ("Yes", "Yes")
    assert row["Total value of contract (£)"] == "750000.00"
    assert row["VAT that cannot be recovered (£)"] == "1500.00"
    assert (row["Start date"], row["End date"], row["Review date"]) == ("2016-04-01", "2019-03-31", "2018-04-01")
    assert row["Invitation to quote or published invitation to tender"] == "Published invitation to tender"
    assert row["Procurement route (detail)"] == "Open procedure"


def test_invitations_to_tender_list_contracts_in_procurement_over_five_thousand_pounds(api_client_for, contract):
    f.ContractFactory(status=Contract.Status.PIPELINE, reference="SMALL-1", total_value=Decimal("5000.00"))
    f.ContractFactory(status=Contract.Status.PIPELINE, reference="OPEN-1", procurement_route="Open tender")

    header, rows = _csv(api_client_for("officer"), "invitations-to-tender.csv")

    assert header[:4] == [
        "Reference number",
        "Title",
        "Description of goods and services sought",
        "Department responsible",
    ]
    assert [r["Reference number"] for r in rows] == ["ACCW-2020-001", "OPEN-1"], "£5,000 exactly is not over it"
    first = rows[0]
    assert first["Estimated total value (£)"] == "5000.01"
    assert first["Invitation to quote or published invitation to tender"] == "Invitation to quote"
    assert first["Procurement route (detail)"] == "Request for quotation"
    assert rows[1]["Invitation to quote or published invitation to tender"] == "Published invitation to tender"


@pytest.mark.parametrize(
    ("route", "code"),
    [
        ("Open procedure", "Published invitation to tender"),
        ("Restricted procedure", "Published invitation to tender"),
        ("Residential framework 2018", "Published invitation to tender"),
        ("Three quotes", "Invitation to quote"),
        ("Single tender action", "Neither (not competed)"),
        ("Direct award", "Neither (not competed)"),
        ("Grant", ""),
        ("", ""),
    ],
)
def test_the_codes_procurement_route_is_read_from_the_register_route(route, code):
    from opendata.transparency import code_route

    assert code_route(route) == code


def test_transparency_csv_neutralises_formulas(client_as_officer):
    f.ContractFactory(title='=HYPERLINK("http://evil.example")', reference="CON-FORMULA")
    body = client_as_officer.get("/api/v1/exports/contracts.csv").content.decode()
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body


# --- OCDS ---------------------------------------------------------------------------------------------------


def test_the_ocds_package_is_valid_against_the_official_schemas(api_client_for, contract):
    package = _ocds(api_client_for("officer"))

    assert validate(package) == []
    assert set(package["extensions"]) >= {
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_performance_failures_extension/master/"
        "extension.json",
        "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
    }
    assert package["license"] == "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def test_a_let_contract_carries_its_supplier_award_period_and_performance_failure(api_client_for, contract):
    release = _release(_ocds(api_client_for("officer")), "ACCW-2016-007")

    supplier = next(p for p in release["parties"] if "supplier" in p["roles"])
    assert supplier["identifier"] == {"scheme": "GB-CHC", "id": "1098765", "legalName": "Lincs Carers Trust"}
    assert supplier["details"] == {"scale": "sme", "vcse": True}
    assert supplier["address"] == {
        "streetAddress": "The Old School, High Street, Sleaford",
        "postalCode": "NG34 7AA",
        "countryName": "United Kingdom",
    }
    (ocds_contract,) = release["contracts"]
    assert ocds_contract["awardID"] == release["awards"][0]["id"]
    assert ocds_contract["period"]["maxExtentDate"].startswith("2021-03-31")
    assert ocds_contract["value"] == {"amount": 750000.0, "currency": "GBP"}
    implementation = ocds_contract["implementation"]
    (document,) = implementation["documents"]
    assert "Mrs A" not in str(document), "visit findings are not published"
    (failure,) = implementation["performanceFailures"]
    assert failure["category"] == "Service credit"
    assert failure["penaltyImposed"] == "£2,500.00"
    assert failure["penaltyValue"] == {"amount": 2500.0, "currency": "GBP"}
    assert failure["suppliers"] == [{"id": supplier["id"], "name": "Lincs Carers Trust"}]
    assert "implementation" in release["tag"]


def test_default_notices_and_suspensions_without_a_penalty_are_not_performance_failures(api_client_for, directorate):
    plain = f.ContractFactory(reference="PLAIN-1")
    f.SanctionFactory(provider=plain.lead_provider, contract=plain, kind=Sanction.Kind.DEFAULT_NOTICE)
    f.SanctionFactory(provider=plain.lead_provider, contract=plain, kind=Sanction.Kind.SUSPENSION)
    ended = f.ContractFactory(reference="ENDED-1", status=Contract.Status.TERMINATED)
    f.SanctionFactory(provider=ended.lead_provider, contract=ended, kind=Sanction.Kind.TERMINATION)
    fined = f.ContractFactory(reference="FINED-1")
    f.SanctionFactory(
        provider=fined.lead_provider, contract=fined, kind=Sanction.Kind.DEFAULT_NOTICE, amount=Decimal("100")
    )

    package = _ocds(api_client_for("officer"))

    assert validate(package) == []
    assert "implementation" not in _release(package, "PLAIN-1")["contracts"][0]
    (termination,) = _release(package, "ENDED-1")["contracts"][0]["implementation"]["performanceFailures"]
    assert termination["penaltyImposed"] == "Contract terminated"
    assert _release(package, "ENDED-1")["contracts"][0]["status"] == "terminated"
    (fine,) = _release(package, "FINED-1")["contracts"][0]["implementation"]["performanceFailures"]
    assert (fine["category"], fine["penaltyImposed"]) == ("Default notice", "£100.00")


def test_variations_extensions_and_novations_are_contract_amendments(api_client_for, directorate):
    contract = f.ContractFactory(reference="CHANGED-1")
    newco = f.ProviderFactory(name="Newco Care Ltd")
    f.ContractChangeFactory(contract=contract, kind=ContractChange.Kind.VARIATION, value_change=Decimal("-1200"))
    f.ContractChangeFactory(
        contract=contract,
        kind=ContractChange.Kind.EXTENSION,
        extension_months=12,
        effective_on=datetime.date(2019, 3, 1),
        description="First extension option taken.",
    )
    f.ContractChangeFactory(
        contract=contract,
        kind=ContractChange.Kind.NOVATION,
        from_provider=contract.lead_provider,
        to_provider=newco,
        effective_on=datetime.date(2019, 6, 1),
        description="Novated on the sale of the business.",
    )

    package = _ocds(api_client_for("officer"))

    assert validate(package) == []
    release = _release(package, "CHANGED-1")
    amendments = release["contracts"][0]["amendments"]
    assert [a["rationale"] for a in amendments] == [
        "Variation changing the value by £-1,200.00",
        "Extension of 12 months",
        f"Novation from {contract.lead_provider.name} to Newco Care Ltd",
    ]
    assert amendments[1]["date"].startswith("2019-03-01")
    assert amendments[2]["description"] == "Novated on the sale of the business."
    assert "contractAmendment" in release["tag"]


def test_supplier_identifiers_come_only_from_registered_schemes(api_client_for, directorate):
    both = f.ProviderFactory(companies_house_number="01234567", charity_number="1000001", ppon_id="PZMN-1234-ABCD")
    ppon_only = f.ProviderFactory(companies_house_number="", ppon_id="PQRS-5678-WXYZ")
    none = f.ProviderFactory(companies_house_number="", is_sme=False)
    for reference, provider in (("BOTH", both), ("PPON", ppon_only), ("NONE", none)):
        f.ContractFactory(reference=reference, lead_provider=provider)

    package = _ocds(api_client_for("officer"))

    assert validate(package) == []
    assert "GB-LAE-SUPPLIER" not in str(package)

    def supplier(reference):
        return next(p for p in _release(package, reference)["parties"] if "supplier" in p["roles"])

    assert supplier("BOTH")["identifier"]["scheme"] == "GB-COH"
    assert supplier("BOTH")["additionalIdentifiers"] == [
        {"scheme": "GB-CHC", "id": "1000001"},
        {"scheme": "GB-PPON", "id": "PZMN-1234-ABCD"},
    ]
    assert supplier("PPON")["identifier"] == {"scheme": "GB-PPON", "id": "PQRS-5678-WXYZ", "legalName": ppon_only.name}
    assert "identifier" not in supplier("NONE")
    assert supplier("NONE")["details"] == {"scale": "large", "vcse": False}


def test_a_contract_in_procurement_is_published_as_a_tender(api_client_for, contract):
    package = _ocds(api_client_for("officer"))
    release = _release(package, "ACCW-2020-001")

    assert release["tag"] == ["tender"]
    assert "awards" not in release
    assert "contracts" not in release
    assert release["tender"]["status"] == "active"
    assert release["tender"]["value"] == {"amount": 5000.01, "currency": "GBP"}
    assert release["tender"]["procurementMethodDetails"] == "Request for quotation"
    assert [p["roles"] for p in release["parties"]] == [["buyer", "procuringEntity"]]


def test_the_schema_check_catches_what_the_old_export_got_wrong(api_client_for, contract):
    package = _ocds(api_client_for("officer"))
    let, tender = package["releases"]  # in reference order: ACCW-2016-007, ACCW-2020-001
    implementation = let["contracts"][0]["implementation"]
    implementation["performanceFailures"][0]["penaltyImposed"] = {"amount": 2500.0, "currency": "GBP"}
    del let["ocid"]
    tender["date"] = "2019-01-01"
    tender["contracts"] = [{"id": "x", "awardID": "y", "implementation": {"performanceFailures": []}}]

    messages = [str(e) for e in validate(package)]

    assert any("penaltyImposed" in m and "is not of type 'string'" in m for m in messages), messages
    assert any("'ocid' is a required property" in m for m in messages), messages
    assert any("releases/1/date" in m and "date-time" in m for m in messages), messages
    assert any("performanceFailures" in m and "non-empty" in m for m in messages), messages


@pytest.mark.parametrize("export", ["contracts.csv", "invitations-to-tender.csv", "ocds.json"])
@pytest.mark.parametrize(("role", "expected"), [(None, 401), ("scrutiny", 403), ("commissioner", 200)])
def test_exports_need_the_right_to_see_contracts(api_client_for, export, role, expected):
    assert api_client_for(role).get(f"/api/v1/exports/{export}").status_code == expected


# The OCDS package also reads the contracts' KPIs and published performance notices (2 queries)
@pytest.mark.parametrize(
    ("export", "queries"), [("contracts.csv", 9), ("invitations-to-tender.csv", 9), ("ocds.json", 11)]
)
def test_exports_run_constant_queries(api_client_for, django_assert_max_num_queries, export, queries):
    client = api_client_for("officer")
    for _ in range(3):
        contract = f.ContractFactory()
        f.SanctionFactory(provider=contract.lead_provider, contract=contract, amount=Decimal("10"))
        f.ContractChangeFactory(contract=contract)
    with django_assert_max_num_queries(queries):
        client.get(f"/api/v1/exports/{export}")
    for _ in range(20):
        contract = f.ContractFactory()
        f.VisitFactory(provider=contract.lead_provider, contract=contract)
        f.SanctionFactory(provider=contract.lead_provider, contract=contract, kind=Sanction.Kind.TERMINATION)
        f.ContractChangeFactory(contract=contract, kind=ContractChange.Kind.EXTENSION, extension_months=6)
        f.ContractFactory(status=Contract.Status.PIPELINE)
    with django_assert_max_num_queries(queries):
        assert client.get(f"/api/v1/exports/{export}").status_code == 200


def test_the_schemas_come_from_the_shared_standards_folder():
    assert (OFFICIAL / "ocds-1.1.5" / "release-package-schema.json").is_file()
