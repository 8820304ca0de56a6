"""/api/v1/contract-kpis/, /api/v1/kpi-results/ and /api/v1/performance-assessments/: filters, writes through the
services, 400 with field errors, and the same refusal as the pages."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from oversight.models import ContractKpi, KpiResult, PerformanceAssessment
from tests.factories import (
    ActContractFactory,
    ContractChangeFactory,
    DueAssessmentFactory,
    FrozenContractKpiFactory,
    KpiResultFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _url(name, *args):
    return reverse(f"v1:{name}", args=args)


def test_kpis_are_listed_by_contract(client_as_officer):
    mine = FrozenContractKpiFactory()
    FrozenContractKpiFactory()

    body = client_as_officer.get(_url("contractkpi-list"), {"contract": mine.contract_id}).json()

    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert body["results"][0]["is_frozen"] is True


def test_a_kpi_is_added_through_the_api(client_as_officer, contract_officer):
    contract = ActContractFactory()

    answer = client_as_officer.post(
        _url("contractkpi-list"),
        {
            "contract": contract.pk,
            "name": "Visits on time",
            "measure": "Visits started within 15 minutes",
            "unit": "%",
            "target": "95",
            "owner": contract_officer.pk,
        },
        content_type="application/json",
    )

    assert answer.status_code == 201, answer.json()
    assert answer.json()["name"] == "Visits on time"


def test_a_frozen_kpi_changed_without_a_contract_change_is_a_400_naming_the_field(client_as_officer):
    kpi = FrozenContractKpiFactory()

    answer = client_as_officer.patch(
        _url("contractkpi-detail", kpi.pk), {"target": "90"}, content_type="application/json"
    )

    assert answer.status_code == 400
    assert "change" in answer.json()["errors"]


def test_a_frozen_kpi_is_changed_through_a_contract_change(client_as_officer, contract_officer):
    kpi = FrozenContractKpiFactory(owner=contract_officer)
    change = ContractChangeFactory(contract=kpi.contract, effective_on=datetime.date(2026, 5, 1))

    answer = client_as_officer.patch(
        _url("contractkpi-detail", kpi.pk), {"target": "90", "change": change.pk}, content_type="application/json"
    )

    assert answer.status_code == 200, answer.json()
    assert answer.json()["id"] != kpi.pk
    assert answer.json()["target"] == "90.0000"
    assert ContractKpi.objects.get(pk=kpi.pk).retired_on == datetime.date(2026, 5, 1)


def test_a_result_is_recorded_with_its_suggested_rating(client_as_officer):
    kpi = FrozenContractKpiFactory()

    answer = client_as_officer.post(
        _url("kpiresult-list"),
        {"kpi": kpi.pk, "period_start": "2026-05-01", "period_end": "2026-05-31", "value": "92"},
        content_type="application/json",
    )

    assert answer.status_code == 201, answer.json()
    assert (answer.json()["suggested_rating"], answer.json()["rating"]) == ("requires_improvement",) * 2


def test_an_override_without_a_reason_is_refused_alike_by_page_and_api(client_as_officer):
    kpi = FrozenContractKpiFactory()

    api = client_as_officer.post(
        _url("kpiresult-list"),
        {"kpi": kpi.pk, "period_start": "2026-05-01", "period_end": "2026-05-31", "value": "92", "rating": "good"},
        content_type="application/json",
    )
    page = client_as_officer.post(
        reverse("oversight:kpi_result_add", args=[kpi.pk]),
        {"period": "2026-05-01_2026-05-31", "value": "92", "rating": "good"},
    )

    message = api.json()["errors"]["override_reason"][0]
    assert api.status_code == 400
    assert message.replace("'", "&#x27;") in page.content.decode()
    assert not KpiResult.objects.exists()


def test_results_are_filtered_by_contract_kpi_and_period(client_as_officer):
    kpi = FrozenContractKpiFactory()
    april = KpiResultFactory(kpi=kpi)
    may = KpiResultFactory(kpi=kpi, period_start=datetime.date(2025, 5, 1), period_end=datetime.date(2025, 5, 31))
    KpiResultFactory()

    def ids(**query):
        return {row["id"] for row in client_as_officer.get(_url("kpiresult-list"), query).json()["results"]}

    assert ids(contract=kpi.contract_id) == {april.pk, may.pk}
    assert ids(kpi=kpi.pk, period_from="2025-05-01") == {may.pk}
    assert ids(kpi=kpi.pk, period_to="2025-04-30") == {april.pk}


def test_a_bad_filter_is_a_400(client_as_officer):
    assert client_as_officer.get(_url("kpiresult-list"), {"period_from": "yesterday"}).status_code == 400


def test_an_assessment_is_started_and_completed_through_the_api(client_as_officer):
    contract = ActContractFactory()
    kpi = FrozenContractKpiFactory(contract=contract, frequency="annually")

    started = client_as_officer.post(
        _url("performanceassessment-list"),
        {"contract": contract.pk, "kind": "annual", "period_start": "2025-04-01", "period_end": "2026-03-31"},
        content_type="application/json",
    )
    pk = started.json()["id"]
    refused = client_as_officer.post(
        _url("performanceassessment-complete", pk),
        {"summary": "Good.", "assessed_on": "2026-04-20"},
        content_type="application/json",
    )
    KpiResultFactory(kpi=kpi, period_start=datetime.date(2025, 4, 1), period_end=datetime.date(2026, 3, 31))
    done = client_as_officer.post(
        _url("performanceassessment-complete", pk),
        {"summary": "Good.", "assessed_on": "2026-04-20"},
        content_type="application/json",
    )

    assert started.status_code == 201
    assert started.json()["due_on"] == "2026-04-01"
    assert refused.status_code == 400
    assert "has no rated result" in refused.json()["errors"]["non_field_errors"][0]
    assert done.status_code == 200
    assert done.json()["status"] == "complete"


def test_assessments_are_filtered_by_status(client_as_officer):
    due = DueAssessmentFactory()

    body = client_as_officer.get(_url("performanceassessment-list"), {"status": "due"}).json()

    assert [row["id"] for row in body["results"]] == [due.pk]
    assert PerformanceAssessment.objects.count() == 1


def test_assessments_are_filtered_by_contract_and_period(client_as_officer):
    first_year = DueAssessmentFactory()
    second_year = DueAssessmentFactory(
        contract=first_year.contract,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2027, 3, 31),
        due_on=datetime.date(2027, 4, 1),
    )
    other = DueAssessmentFactory()

    def ids(**query):
        return [row["id"] for row in client_as_officer.get(_url("performanceassessment-list"), query).json()["results"]]

    assert sorted(ids(contract=first_year.contract_id)) == [first_year.pk, second_year.pk]
    assert ids(contract=first_year.contract_id, period_from="2026-04-01") == [second_year.pk]
    assert ids(contract=first_year.contract_id, period_to="2026-03-31") == [first_year.pk]
    assert sorted(ids(period_to="2026-03-31")) == sorted([first_year.pk, other.pk])
    assert client_as_officer.get(_url("performanceassessment-list"), {"period_from": "31/31/2026"}).status_code == 400


def test_the_schema_describes_the_kpi_result_and_assessment_paths_and_their_filters(client):
    schema = client.get(reverse("schema"), {"format": "json"}).json()

    expected = {
        "/api/v1/contract-kpis/": {"contract", "active"},
        "/api/v1/kpi-results/": {"contract", "kpi", "period_from", "period_to"},
        "/api/v1/performance-assessments/": {"contract", "status", "period_from", "period_to"},
    }
    for path, filters in expected.items():
        assert path in schema["paths"], path
        parameters = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert filters <= parameters, path
        assert "post" in schema["paths"][path], path


@pytest.mark.parametrize(("client_fixture", "status"), [("client_as_commissioner", 200), ("client_as_scrutiny", 403)])
def test_commissioners_read_and_councillors_do_not(request, client_fixture, status):
    FrozenContractKpiFactory()

    assert request.getfixturevalue(client_fixture).get(_url("contractkpi-list")).status_code == status


def test_a_commissioner_may_not_record_a_result(client_as_commissioner):
    kpi = FrozenContractKpiFactory()

    answer = client_as_commissioner.post(
        _url("kpiresult-list"),
        {"kpi": kpi.pk, "period_start": "2026-05-01", "period_end": "2026-05-31", "value": "92"},
        content_type="application/json",
    )

    assert answer.status_code == 403


@pytest.mark.parametrize("count", [1, 30])
def test_the_kpi_list_runs_constant_queries(client_as_officer, django_assert_max_num_queries, count):
    FrozenContractKpiFactory.create_batch(count)

    with django_assert_max_num_queries(10):
        assert client_as_officer.get(_url("contractkpi-list")).status_code == 200


def test_results_values_are_decimal_strings(client_as_officer):
    KpiResultFactory(value=Decimal("96.5"))

    assert client_as_officer.get(_url("kpiresult-list")).json()["results"][0]["value"] == "96.5000"
