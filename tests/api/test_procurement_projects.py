"""/api/v1/procurement-projects/: the procurement work plan through the API, with the page's filters (stage, work
plan year, directorate), the year's figures, the same refusals as the pages (a 400 naming the field), who may
read (officers) and write (contract officers and administrators), and a constant number of queries."""

import datetime
from decimal import Decimal

import pytest

from contracts.models import ProcurementProject
from tests.factories import (
    ContractFactory,
    DeliveredProcurementProjectFactory,
    DirectorateFactory,
    ProcurementProjectFactory,
    TenderProcurementProjectFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/procurement-projects/"
FIGURES = f"{URL}figures/"


def _body(directorate, **overrides) -> dict:
    body = {
        "reference": "PP1920-04",
        "title": "Integrated Community Equipment Services (ICES)",
        "directorate": directorate.pk,
        "route": "open",
        "estimated_annual_value": "4500000.00",
        "whole_life_value": "31500000.00",
        "planned_start": "2019-09-02",
        "tender_notice_date": "2019-10-01",
        "go_live_date": "2021-04-01",
        "cpv_code": "33190000-8",
    }
    return {**body, **overrides}


def _references(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [row["reference"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("officer", 200, 201), ("admin", 200, 201), ("commissioner", 200, 403), ("scrutiny", 403, 403), (None, 401, 401)],
)
def test_officers_read_the_work_plan_and_contract_officers_keep_it(api_client_for, directorate, role, read, write):
    ProcurementProjectFactory()
    client = api_client_for(role)
    assert client.get(URL).status_code == read
    assert client.get(FIGURES, {"year": 2018}).status_code == read
    response = client.post(URL, _body(directorate), format="json")
    assert response.status_code == write
    if write == 201:
        body = response.json()
        assert (body["stage"], body["work_plan_year"], body["directorate_name"]) == (
            "planned",
            2019,
            directorate.name,
        )
        assert ProcurementProject.objects.get(reference="PP1920-04").history.get().history_user == client.user


def test_the_list_filters_by_stage_year_and_directorate(api_client_for):
    public_health = DirectorateFactory(name="Public Health", code="ph")
    ProcurementProjectFactory(reference="PP-PLANNED-1920")
    TenderProcurementProjectFactory(reference="PP-TENDER-1819", directorate=public_health)
    DeliveredProcurementProjectFactory(reference="PP-DELIVERED-1819")
    client = api_client_for("officer")

    assert _references(client, stage="tender") == ["PP-TENDER-1819"]
    assert _references(client, year=2018) == ["PP-DELIVERED-1819", "PP-TENDER-1819"]
    assert _references(client, year=2019) == ["PP-PLANNED-1920"]
    assert _references(client, directorate=public_health.pk) == ["PP-TENDER-1819"]


def test_a_bad_filter_is_a_400_naming_it(api_client_for):
    response = api_client_for("officer").get(URL, {"stage": "signed", "year": "1066"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"stage", "year"}


def test_the_figures_are_computed_from_the_projects(api_client_for):
    DeliveredProcurementProjectFactory(
        estimated_annual_value=Decimal("100.00"),
        whole_life_value=Decimal("300.00"),
        completed_on=datetime.date(2018, 5, 1),
    )
    DeliveredProcurementProjectFactory(
        estimated_annual_value=Decimal("38.00"),
        whole_life_value=Decimal("60.00"),
        completed_on=datetime.date(2019, 3, 31),
    )
    TenderProcurementProjectFactory(estimated_annual_value=Decimal("49.00"))
    ProcurementProjectFactory(estimated_annual_value=Decimal("58.00"), planned_start=datetime.date(2019, 4, 1))
    ProcurementProjectFactory(estimated_annual_value=Decimal("1000.00"), planned_start=datetime.date(2020, 4, 1))

    body = api_client_for("officer").get(FIGURES, {"year": 2018}).json()

    assert body == {
        "year": 2018,
        "year_label": "2018/19",
        "delivered_count": 2,
        "delivered_annual_value": "138.00",
        "delivered_whole_life_value": "360.00",
        "ongoing_on": "2019-03-31",
        "ongoing_count": 1,
        "ongoing_annual_value": "49.00",
        "planned_year": 2019,
        "planned_label": "2019/20",
        "planned_count": 1,
        "planned_annual_value": "58.00",
    }


def test_the_figures_of_one_directorate(api_client_for, directorate):
    TenderProcurementProjectFactory(directorate=directorate, estimated_annual_value=Decimal("5.00"))
    TenderProcurementProjectFactory(estimated_annual_value=Decimal("7.00"))
    body = api_client_for("officer").get(FIGURES, {"year": 2018, "directorate": directorate.pk}).json()
    assert (body["ongoing_count"], body["ongoing_annual_value"]) == (1, "5.00")


@pytest.mark.parametrize(("params", "field"), [({"year": "last"}, "year"), ({"directorate": 999999}, "directorate")])
def test_bad_figures_parameters_are_a_400_naming_them(api_client_for, params, field):
    response = api_client_for("officer").get(FIGURES, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_the_services_refusal_is_a_400_on_the_field(api_client_for, directorate):
    client = api_client_for("officer")
    response = client.post(URL, _body(directorate, tender_notice_date="2019-08-01"), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "tender_notice_date": ["The expected tender notice date must be on or after the planned start."]
    }
    response = client.post(URL, _body(directorate, stage="delivered"), format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["stage"]
    response = client.post(URL, _body(directorate, estimated_annual_value="-5"), format="json")
    assert list(response.json()["errors"]) == ["estimated_annual_value"]
    assert not ProcurementProject.objects.exists()


def test_an_officer_of_another_directorate_may_not_change_the_project(api_client_for, directorate):
    other = DirectorateFactory(name="Public Health", code="ph")
    project = ProcurementProjectFactory(directorate=other)
    client = api_client_for("officer")  # tied to the fixture's directorate
    response = client.patch(f"{URL}{project.pk}/", {"title": "Renamed"}, format="json")
    assert response.status_code == 403
    response = client.post(f"{URL}{project.pk}/stage/", {"stage": "tender"}, format="json")
    assert response.status_code == 403


def test_patching_a_project_links_the_contracts_it_replaces(api_client_for, directorate):
    project = ProcurementProjectFactory(directorate=directorate)
    contract = ContractFactory()
    response = api_client_for("officer").patch(
        f"{URL}{project.pk}/", {"title": "Renamed", "replaces": [contract.pk]}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["replaces"]) == ("Renamed", [contract.pk])
    assert response.json()["stage"] == "planned"


def test_the_stage_action_moves_the_project_and_refuses_by_field(api_client_for, directorate):
    project = TenderProcurementProjectFactory(directorate=directorate)
    client = api_client_for("officer")
    url = f"{URL}{project.pk}/stage/"

    response = client.post(url, {"stage": "delivered", "completed_on": "2019-01-04"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"stage": ["A project at tender cannot move to delivered."]}

    response = client.post(url, {"stage": "abandoned", "completed_on": "2019-01-04"}, format="json")
    assert response.json()["errors"] == {"reason": ["Give the reason the project was abandoned."]}

    response = client.post(url, {"stage": "evaluation"}, format="json")
    assert response.status_code == 200
    assert response.json()["stage"] == "evaluation"


def test_a_closed_project_is_on_the_work_plan_of_the_year_it_closed(api_client_for):
    project = DeliveredProcurementProjectFactory(planned_start=datetime.date(2017, 11, 1))
    body = api_client_for("officer").get(f"{URL}{project.pk}/").json()
    assert (body["work_plan_year"], body["completed_on"]) == (2018, "2018-11-15")


@pytest.mark.parametrize("projects", [2, 20])
def test_the_list_runs_in_constant_queries(api_client_for, django_assert_max_num_queries, projects):
    client = api_client_for("officer")
    contracts = ContractFactory.create_batch(2)
    for project in ProcurementProjectFactory.create_batch(projects):
        project.replaces.set(contracts)
        project.resulting_contracts.set(contracts[:1])
    # Token, user, rights (4); count, page, two prefetches (4).
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.json()["count"] == projects
