"""The Procurement Act 2023 in the open data: KPI targets as agreed metrics, the results published in contract
performance notices as implementation metrics with the UK measureClassification, the notices as implementation
documents, change notices' amendments (proposed before they take effect), and the published notices as JSON.
Every package is validated against the official schemas in ../shared/standards/ (metrics and UK extensions)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from opendata import schema
from oversight import notices
from tests import factories as f
from tests.opendata.test_schema import OFFICIAL, validate
from tests.oversight.notice_helpers import assessed_contract, officer

pytestmark = pytest.mark.django_db

METRICS = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/master/extension.json"


def _ocds(client) -> dict:
    response = client.get(reverse("v1:export-ocds"))
    assert response.status_code == 200
    return response.json()


def _release(package, reference):
    return next(r for r in package["releases"] if "contracts" in r and r["contracts"][0]["id"] == reference)


@pytest.fixture
def published(db):
    author, approver = officer("ocds-author"), officer("ocds-approver")
    contract, assessment, results = assessed_contract(by=author, reference="PA23-HOMECARE")
    results[1].rating, results[1].value = "approaching_target", Decimal("93.5")
    results[1].save()
    notice = notices.performance_notice_create(by=author, assessment=assessment)
    notices.performance_notice_approve(by=approver, notice=notice)
    notice = notices.performance_notice_publish(by=approver, notice=notice)
    notices.performance_notice_record_cdp_id(by=approver, notice=notice, cdp_notice_id="UK9-2026-0001")
    return contract, notice


def test_the_package_with_kpis_and_notices_is_valid_against_the_official_schemas(api_client_for, published):
    package = _ocds(api_client_for("officer"))

    assert METRICS in package["extensions"]
    assert validate(package) == []


def test_kpi_targets_are_agreed_metrics(api_client_for, published):
    contract, _ = published
    ocds_contract = _release(_ocds(api_client_for("officer")), "PA23-HOMECARE")["contracts"][0]

    first = ocds_contract["agreedMetrics"][0]
    kpi = contract.kpis.order_by("position").first()
    assert first["id"] == f"kpi-{kpi.pk}"
    assert first["title"] == "KPI 1"
    assert first["observations"] == [{"id": f"kpi-{kpi.pk}-target", "measure": 95.0, "unit": {"name": "%"}}]


def test_published_results_carry_the_uk_measure_classification(api_client_for, published):
    _, notice = published
    implementation = _release(_ocds(api_client_for("officer")), "PA23-HOMECARE")["contracts"][0]["implementation"]

    observations = [metric["observations"][0] for metric in implementation["metrics"]]
    assert [o["measureClassification"]["id"] for o in observations] == ["met", "slightlyBelow", "met"]
    assert observations[1]["measure"] == 93.5
    assert observations[1]["measureClassification"]["description"] == "Approaching target"
    assert observations[0]["period"]["startDate"].startswith("2025-04-01")
    (document,) = [d for d in implementation["documents"] if d["id"] == f"notice-{notice.pk}"]
    assert document["documentType"] == "implementationNotice"
    assert document["noticeType"] == "UK9"


def test_the_document_type_is_in_the_uk_codelist():
    codelist = (OFFICIAL / "ocds-extensions/uk/codelists/+documentType.csv").read_text()
    assert ",implementationNotice," in codelist


def test_drafts_and_approved_notices_are_not_published(api_client_for, db):
    author, approver = officer("draft-author"), officer("draft-approver")
    _, assessment, _ = assessed_contract(by=author, reference="PA23-DRAFT")
    notice = notices.performance_notice_create(by=author, assessment=assessment)
    notices.performance_notice_approve(by=approver, notice=notice)

    ocds_contract = _release(_ocds(api_client_for("officer")), "PA23-DRAFT")["contracts"][0]

    assert "metrics" not in ocds_contract.get("implementation", {})
    assert not [d for d in ocds_contract.get("implementation", {}).get("documents", []) if d["id"].startswith("notice")]
    assert "agreedMetrics" in ocds_contract


def test_a_recorded_kpi_exemption_is_the_no_agreed_metrics_rationale(api_client_for, db):
    f.ActContractFactory(reference="PA23-EXEMPT", kpi_exemption_reason="Outcomes are personal to each person.")

    ocds_contract = _release(_ocds(api_client_for("officer")), "PA23-EXEMPT")["contracts"][0]

    assert ocds_contract["noAgreedMetricsRationale"] == "Outcomes are personal to each person."


def test_a_change_needing_a_change_notice_is_proposed_until_it_takes_effect(api_client_for, db):
    contract = f.ActContractFactory(reference="PA23-CHANGE")
    today = timezone.localdate()
    f.ContractChangeFactory(
        contract=contract, effective_on=today + datetime.timedelta(days=40), change_notice_required=True
    )
    f.ContractChangeFactory(
        contract=contract, effective_on=today - datetime.timedelta(days=5), change_notice_required=True
    )
    f.ContractChangeFactory(contract=contract, effective_on=today + datetime.timedelta(days=40))

    package = _ocds(api_client_for("officer"))
    ocds_contract = _release(package, "PA23-CHANGE")["contracts"][0]

    assert len(ocds_contract["proposedAmendments"]) == 1
    assert len(ocds_contract["amendments"]) == 2
    assert validate(package) == []


def test_the_metrics_extension_is_merged_and_bundled():
    release = schema.release_schema(extensions=(METRICS, schema.UK_EXTENSION_URL), folder=OFFICIAL)
    observation = release["definitions"]["Observation"]["properties"]
    assert {"measure", "period", "measureClassification"} <= set(observation)
    for name in ("release-schema.json", "extension.json", "LICENSE"):
        relative = f"ocds-extensions/metrics/{name}"
        assert (schema.BUNDLED_DIR / relative).read_bytes() == (OFFICIAL / relative).read_bytes()


def test_a_wrong_classification_would_be_caught(api_client_for, published):
    package = _ocds(api_client_for("officer"))
    release = _release(package, "PA23-HOMECARE")
    release["contracts"][0]["implementation"]["metrics"][0]["observations"][0]["measureClassification"] = "met"

    assert any("measureClassification" in error.path for error in validate(package))


# --- The JSON export of published notices ---------------------------------------------------------------------


def test_the_json_export_holds_published_notices_with_their_fixed_content(api_client_for, published):
    contract, notice = published
    other = officer("other-author")
    _, draft_assessment, _ = assessed_contract(by=other, reference="PA23-OTHER")
    notices.performance_notice_create(by=other, assessment=draft_assessment)  # a draft: not in the export

    response = api_client_for("officer").get(reverse("v1:export-contract-performance-notices"))

    assert response.status_code == 200
    body = response.json()
    (record,) = body["notices"]
    assert record["id"] == notice.pk
    assert record["ocid"] == "ocds-lcc001-PA23-HOMECARE"
    assert record["cdpNoticeId"] == "UK9-2026-0001"
    assert record["content"] == notice.content
    assert [k["rating"] for k in record["content"]["kpis"]] == ["good", "approaching_target", "good"]


@pytest.mark.parametrize(("role", "expected"), [(None, 401), ("scrutiny", 403), ("commissioner", 200)])
def test_the_json_export_needs_the_right_to_see_notices(api_client_for, role, expected):
    assert api_client_for(role).get(reverse("v1:export-contract-performance-notices")).status_code == expected


def test_the_json_export_is_public_when_open_data_is(api_client_for, published, settings):
    settings.OPEN_DATA_PUBLIC = True

    response = api_client_for(None).get(reverse("v1:export-contract-performance-notices"))

    assert response.status_code == 200
    assert len(response.json()["notices"]) == 1
    assert api_client_for(None).post(reverse("v1:export-contract-performance-notices")).status_code == 405
