# ruff: noqa: F811 - the fixtures imported from tests/api/conftest.py
"""/api/v1/contract-performance-notices/: its filters, drafting from an assessment or a breach, approval and
publication through the same services as the pages, with the same refusals."""

import datetime

import pytest
from django.urls import reverse

from oversight import notices
from oversight.models import ContractPerformanceNotice

from ..api.conftest import api_client_for, api_user  # noqa: F401 - the API clients per role, as fixtures
from ..factories import ContractBreachFactory, ContractPerformanceNoticeFactory, PublishedNoticeFactory
from .notice_helpers import assessed_contract, officer

pytestmark = pytest.mark.django_db

LIST = reverse("v1:contractperformancenotice-list")


def _url(name, notice):
    return reverse(f"v1:contractperformancenotice-{name}", args=[notice.pk])


def _ids(response):
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_the_list_filters_by_contract_status_and_period(api_client_for):
    client = api_client_for("officer")
    draft = ContractPerformanceNoticeFactory()
    published = PublishedNoticeFactory()
    older = ContractPerformanceNoticeFactory(
        period_start=datetime.date(2024, 4, 1), period_end=datetime.date(2025, 3, 31)
    )

    assert _ids(client.get(LIST)) == {draft.pk, published.pk, older.pk}
    assert _ids(client.get(LIST, {"contract": draft.contract_id})) == {draft.pk}
    assert _ids(client.get(LIST, {"status": "published"})) == {published.pk}
    assert _ids(client.get(LIST, {"period_from": "2025-04-01"})) == {draft.pk, published.pk}
    assert _ids(client.get(LIST, {"period_to": "2025-03-31"})) == {older.pk}
    assert client.get(LIST, {"period_from": "not a date"}).status_code == 400
    assert client.get(LIST, {"status": "nonsense"}).status_code == 400


@pytest.mark.parametrize(("role", "expected"), [(None, 401), ("scrutiny", 403), ("commissioner", 200), ("admin", 200)])
def test_who_reads_notices(api_client_for, role, expected):
    assert api_client_for(role).get(LIST).status_code == expected


def test_an_officer_drafts_approves_and_publishes_through_the_api(api_client_for, directorate):
    author = api_client_for("officer")
    _, assessment, _ = assessed_contract(by=author.user, directorate=directorate)

    created = author.post(LIST, {"assessment": assessment.pk}, format="json")
    assert created.status_code == 201, created.json()
    notice = ContractPerformanceNotice.objects.get(pk=created.json()["id"])
    assert created.json()["due_on"] == "2026-05-15"

    refused = author.post(_url("approve", notice), format="json")
    assert refused.status_code == 400
    assert "another officer must approve" in refused.json()["errors"]["non_field_errors"][0]

    approver = api_client_for("admin")
    approved = approver.post(_url("approve", notice), format="json")
    assert approved.status_code == 200
    assert approved.json()["content"]["kpis"][0]["rating"] == "good"
    published = approver.post(_url("publish", notice), format="json")
    assert published.json()["status"] == "published"

    assert approver.post(_url("publish", notice), format="json").status_code == 409
    assert approver.post(_url("cdp-id", notice), {"cdp_notice_id": "UK9-1"}, format="json").status_code == 200
    again = approver.post(_url("cdp-id", notice), {"cdp_notice_id": "UK9-2"}, format="json")
    assert again.status_code == 409
    assert approver.post(_url("cdp-id", notice), {}, format="json").status_code == 400


def test_approval_through_the_api_names_each_kpi_missing_evidence(api_client_for, directorate):
    author = officer("api-author")
    _, assessment, _ = assessed_contract(by=author, evidence=False, directorate=directorate)
    notice = notices.performance_notice_create(by=author, assessment=assessment)

    response = api_client_for("officer").post(_url("approve", notice), format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == [
        f"KPI {n}: no evidence is attached to the result for 31/03/2026." for n in (1, 2, 3)
    ]


def test_a_commissioner_may_not_draft_or_approve(api_client_for):
    _, assessment, _ = assessed_contract(by=officer("someone"))
    client = api_client_for("commissioner")

    assert client.post(LIST, {"assessment": assessment.pk}, format="json").status_code == 403
    assert client.post(_url("approve", ContractPerformanceNoticeFactory()), format="json").status_code == 403


def test_drafting_needs_one_of_assessment_or_breach(api_client_for):
    client = api_client_for("officer")

    assert "assessment" in client.post(LIST, {}, format="json").json()["errors"]
    assert client.post(LIST, {"assessment": 999999}, format="json").status_code == 400


def test_a_breach_notice_is_drafted_through_the_api_and_whole_termination_refused(api_client_for, directorate):
    client = api_client_for("officer")
    breach = ContractBreachFactory(contract__directorate=directorate)
    whole = ContractBreachFactory(
        contract__directorate=directorate, consequence="termination_whole", damages_amount=None
    )

    created = client.post(LIST, {"breach": breach.pk}, format="json")
    assert created.status_code == 201
    assert created.json()["due_on"] == "2026-03-03"
    refused = client.post(LIST, {"breach": whole.pk}, format="json")
    assert refused.status_code == 400
    assert "UK11" in refused.json()["errors"]["breach"][0]


def test_the_page_and_the_api_refuse_the_author_alike(api_client_for, client, directorate):
    author = api_client_for("officer")
    _, assessment, _ = assessed_contract(by=author.user, directorate=directorate)
    notice = notices.performance_notice_create(by=author.user, assessment=assessment)
    client.force_login(author.user)

    page = client.post(reverse("oversight:performance_notice_approve", args=[notice.pk]))
    api = author.post(_url("approve", notice), format="json")

    message = api.json()["errors"]["non_field_errors"][0]
    assert message in page.content.decode()


def test_the_list_runs_constant_queries(api_client_for, django_assert_max_num_queries):
    client = api_client_for("officer")
    PublishedNoticeFactory.create_batch(20)

    with django_assert_max_num_queries(8):
        assert client.get(LIST).status_code == 200


def test_the_schema_describes_the_notices_and_their_export(client):
    schema = client.get(reverse("schema"), {"format": "json"}).json()

    assert "/api/v1/contract-performance-notices/" in schema["paths"]
    assert "/api/v1/contract-performance-notices/{id}/approve/" in schema["paths"]
    assert "/api/v1/exports/contract-performance-notices.json" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/contract-performance-notices/"]["get"]["parameters"]}
    assert {"contract", "status", "period_from", "period_to"} <= parameters
