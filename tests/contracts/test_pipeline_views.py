"""The procurement work plan's pages: the list with its filters and the year's figures, its CSV and Excel
exports, a project's page (its replaced and resulting contracts and forward plan entries), the add and edit form
with its errors on the fields, the stage move, and the pipeline notice page and CSV; all in a constant number of
queries."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from commissioning import roles
from contracts.models import ProcurementProject
from tests.factories import (
    ContractFactory,
    DeliveredProcurementProjectFactory,
    DirectorateFactory,
    ForwardPlanEntryFactory,
    ProcurementProjectFactory,
    TenderProcurementProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Stage = ProcurementProject.Stage
LIST = reverse("contracts:procurement")
READERS = [
    (roles.COMMISSIONER, 200),
    (roles.CONTRACT_OFFICER, 200),
    (roles.ADMINISTRATOR, 200),
    (roles.SCRUTINY_MEMBER, 403),
    (None, 302),
]
EDITORS = [
    (roles.COMMISSIONER, 403),
    (roles.CONTRACT_OFFICER, 200),
    (roles.ADMINISTRATOR, 200),
    (roles.SCRUTINY_MEMBER, 403),
    (None, 302),
]


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(("role", "status"), READERS)
@pytest.mark.parametrize(
    "name",
    [
        "contracts:procurement",
        "contracts:procurement_export_csv",
        "contracts:procurement_export_xlsx",
        "contracts:pipeline_notice",
        "contracts:pipeline_notice_csv",
    ],
)
def test_who_can_read_the_work_plan(client_for_role, role, status, name):
    ProcurementProjectFactory()
    assert client_for_role(role).get(reverse(name)).status_code == status


@pytest.mark.parametrize(("role", "status"), READERS)
def test_who_can_read_a_project(client_for_role, role, status):
    project = ProcurementProjectFactory()
    assert client_for_role(role).get(project.get_absolute_url()).status_code == status


@pytest.mark.parametrize(("role", "status"), EDITORS)
@pytest.mark.parametrize(
    "name", ["contracts:procurement_project_edit", "contracts:procurement_project_stage", "create"]
)
def test_who_can_keep_the_work_plan(client_for_role, role, status, name):
    project = ProcurementProjectFactory()
    url = reverse("contracts:procurement_project_create") if name == "create" else reverse(name, args=[project.pk])
    client = client_for_role(role)
    assert client.get(url).status_code == status
    assert client.post(url, {}).status_code == status


def test_the_list_filters_by_stage_year_and_directorate(client_as_officer):
    public_health = DirectorateFactory(name="Public Health", code="ph")
    ProcurementProjectFactory(reference="PP-PLANNED-1920", planned_start=datetime.date(2019, 6, 1))
    TenderProcurementProjectFactory(reference="PP-TENDER-1819", directorate=public_health)
    DeliveredProcurementProjectFactory(reference="PP-DELIVERED-1819")

    def references(**params) -> list[str]:
        response = client_as_officer.get(LIST, params)
        assert response.status_code == 200
        return [p.reference for p in response.context["projects"]]

    assert references(stage="tender") == ["PP-TENDER-1819"]
    assert references(year=2018) == ["PP-DELIVERED-1819", "PP-TENDER-1819"]
    assert references(year=2019) == ["PP-PLANNED-1920"]
    assert references(directorate=public_health.pk) == ["PP-TENDER-1819"]
    assert references(year=2018, stage="delivered") == ["PP-DELIVERED-1819"]


def test_the_list_shows_the_years_figures_at_the_top(client_as_officer):
    DeliveredProcurementProjectFactory(
        estimated_annual_value=Decimal("138000000"),
        whole_life_value=Decimal("360000000"),
        completed_on=datetime.date(2019, 1, 31),
    )
    TenderProcurementProjectFactory(estimated_annual_value=Decimal("49000000"))
    ProcurementProjectFactory(estimated_annual_value=Decimal("58000000"), planned_start=datetime.date(2019, 9, 2))

    response = client_as_officer.get(LIST, {"year": 2018})
    figures = response.context["figures"]
    assert (figures.delivered_count, figures.ongoing_count, figures.planned_count) == (1, 1, 1)
    page = response.content.decode()
    assert "2018/19 in figures" in page
    assert "£138,000,000" in page
    assert "£360,000,000" in page
    assert "£49,000,000" in page
    assert "planned for 2019/20" in page
    assert "£58,000,000" in page


def test_a_bad_year_in_the_filter_is_named_on_the_form(client_as_officer):
    response = client_as_officer.get(LIST, {"year": "1066"})
    assert response.status_code == 200
    assert "year" in response.context["filter"].form.errors


def test_the_csv_export_is_the_filtered_list(client_as_officer):
    old = ContractFactory(reference="ACCW-0010")
    project = TenderProcurementProjectFactory(
        reference="PP-HC-2020",
        title="Homecare re-procurement (2020)",
        estimated_annual_value=Decimal("18305000.00"),
        cpv_code="85312000-9",
        lead_officer=UserFactory(first_name="Ben", last_name="Shaw"),
    )
    project.replaces.add(old)
    ProcurementProjectFactory(reference="PP-OTHER")

    rows = _csv_rows(client_as_officer.get(reverse("contracts:procurement_export_csv"), {"stage": "tender"}))

    assert rows[0][:3] == ["Reference", "Project", "Service area"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Reference"], row["Stage"], row["Estimated annual value"]) == ("PP-HC-2020", "Tender", "18305000.00")
    assert (row["Planned start"], row["Lead officer"], row["CPV code"]) == ("01/09/2018", "Ben Shaw", "85312000-9")
    assert row["Contracts replaced"] == "ACCW-0010"


def test_the_excel_export_is_the_filtered_list(client_as_officer):
    TenderProcurementProjectFactory(reference="PP-TENDER")
    DeliveredProcurementProjectFactory(reference="PP-DONE")
    response = client_as_officer.get(reverse("contracts:procurement_export_xlsx"), {"stage": "delivered"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Reference"
    assert [row[0] for row in values[1:]] == ["PP-DONE"]
    assert values[1][12].date() == datetime.date(2018, 11, 15)


@pytest.mark.parametrize("projects", [3, 30])
def test_the_list_and_exports_run_in_constant_queries(client_as_officer, django_assert_max_num_queries, projects):
    contracts = ContractFactory.create_batch(3)
    for project in ProcurementProjectFactory.create_batch(projects, lead_officer=UserFactory()):
        project.replaces.set(contracts)
    # Sign-in and rights (5), the figures (1), the page (count, rows, two prefetches), the directorate filter,
    # the header's unread notifications, and the session saved (3).
    with django_assert_max_num_queries(15):
        assert client_as_officer.get(LIST).status_code == 200
    with django_assert_max_num_queries(10):
        response = client_as_officer.get(reverse("contracts:procurement_export_csv"))
        assert len(_csv_rows(response)) == projects + 1


@pytest.mark.parametrize("others", [0, 4])
def test_a_projects_page_shows_its_contracts_and_forward_plan_entries(
    client_as_officer, django_assert_max_num_queries, others
):
    project = ProcurementProjectFactory(stage=Stage.AWARD, planned_start=datetime.date(2018, 6, 1))
    project.replaces.add(ContractFactory(reference="ACCW-0002", title="LD - Community Supported Living"))
    project.resulting_contracts.add(ContractFactory(reference="ACCW-0102", title="CSL framework 2020"))
    entry = ForwardPlanEntryFactory(reference="I017601", title="Community supported living framework")
    entry.projects.add(project)
    for _ in range(others):
        ForwardPlanEntryFactory().projects.add(project)
        project.replaces.add(ContractFactory())

    # Sign-in and rights (5), the project, its two lists of contracts and its forward plan entries (4), the
    # header's unread notifications, and the session saved (3).
    with django_assert_max_num_queries(13):
        response = client_as_officer.get(project.get_absolute_url())
    page = response.content.decode()
    assert "ACCW-0002" in page
    assert "ACCW-0102" in page
    assert "I017601: Community supported living framework" in page
    assert reverse("contracts:procurement_project_stage", args=[project.pk]) in page


def test_a_closed_projects_page_offers_no_edit_or_move(client_as_officer):
    project = DeliveredProcurementProjectFactory()
    page = client_as_officer.get(project.get_absolute_url()).content.decode()
    assert reverse("contracts:procurement_project_stage", args=[project.pk]) not in page
    assert "No forward plan entry concerns this project." in page


def _form(directorate, **overrides) -> dict:
    data = {
        "reference": "PP-2019-031",
        "title": "Social prescribing and community connectors",
        "directorate": directorate.pk,
        "stage": "planned",
        "route": "open",
        "decision_route": "officer",
        "estimated_annual_value": "300000",
        "whole_life_value": "900000",
        "planned_start_0": "4",
        "planned_start_1": "11",
        "planned_start_2": "2019",
    }
    return {**data, **overrides}


def test_an_officer_adds_a_project_from_the_form(client_as_officer, directorate, contract_officer):
    response = client_as_officer.post(reverse("contracts:procurement_project_create"), _form(directorate))
    project = ProcurementProject.objects.get(reference="PP-2019-031")
    assert response.status_code == 302
    assert response.url == project.get_absolute_url()
    assert (project.planned_start, project.history.get().history_user) == (datetime.date(2019, 11, 4), contract_officer)


def test_the_form_shows_the_services_refusal_on_the_field(client_as_officer, directorate):
    response = client_as_officer.post(
        reverse("contracts:procurement_project_create"),
        _form(directorate, tender_notice_date_0="1", tender_notice_date_1="10", tender_notice_date_2="2019"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["tender_notice_date"] == [
        "The expected tender notice date must be on or after the planned start."
    ]
    assert not ProcurementProject.objects.exists()


def test_the_form_names_a_missing_title_and_a_taken_reference(client_as_officer, directorate):
    ProcurementProjectFactory(reference="PP-2019-031")
    response = client_as_officer.post(reverse("contracts:procurement_project_create"), _form(directorate, title=""))
    assert "title" in response.context["form"].errors
    response = client_as_officer.post(reverse("contracts:procurement_project_create"), _form(directorate))
    assert "reference" in response.context["form"].errors


def test_editing_a_project_links_the_contracts_it_replaces(client_as_officer):
    project = ProcurementProjectFactory()
    contract = ContractFactory()
    form = _form(project.directorate, reference=project.reference, title="Renamed project", replaces=[contract.pk])
    response = client_as_officer.post(reverse("contracts:procurement_project_edit", args=[project.pk]), form)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, list(project.replaces.all()), project.stage) == ("Renamed project", [contract], "planned")


def test_the_move_form_offers_the_next_stages_and_moves_the_project(client_as_officer):
    project = ProcurementProjectFactory(planned_start=datetime.date(2019, 6, 1))
    url = reverse("contracts:procurement_project_stage", args=[project.pk])
    choices = [value for value, _ in client_as_officer.get(url).context["form"].fields["stage"].choices]
    assert choices == ["pre_market", "tender", "abandoned"]

    response = client_as_officer.post(url, {"stage": "tender"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.completed_on) == (Stage.TENDER, None)


def test_abandoning_from_the_page_needs_the_reason_on_the_field(client_as_officer):
    project = TenderProcurementProjectFactory()
    url = reverse("contracts:procurement_project_stage", args=[project.pk])
    response = client_as_officer.post(
        url, {"stage": "abandoned", "completed_on_0": "4", "completed_on_1": "1", "completed_on_2": "2019"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Give the reason the project was abandoned."]
    project.refresh_from_db()
    assert project.stage == Stage.TENDER


def test_a_stage_not_offered_is_refused_on_the_field(client_as_officer):
    project = TenderProcurementProjectFactory()
    response = client_as_officer.post(
        reverse("contracts:procurement_project_stage", args=[project.pk]), {"stage": "delivered"}
    )
    assert response.status_code == 200
    assert "stage" in response.context["form"].errors


def test_the_pipeline_notice_page_and_csv(client_as_officer, contract_officer):
    contract_officer.phone = "01522 553000"
    contract_officer.save()
    ContractFactory(annual_value=Decimal("150000000"), end_date=datetime.date(2020, 3, 31))
    ProcurementProjectFactory(
        reference="PP1920-04",
        title="Integrated Community Equipment Services (ICES)",
        description="Equipment to help people live at home.",
        cpv_code="33190000-8",
        whole_life_value=Decimal("31500000"),
        planned_start=datetime.date(2019, 9, 2),
        tender_notice_date=datetime.date(2019, 10, 1),
        go_live_date=datetime.date(2021, 4, 1),
        lead_officer=contract_officer,
    )
    ProcurementProjectFactory(whole_life_value=Decimal("1000000"), tender_notice_date=datetime.date(2019, 10, 1))

    page = client_as_officer.get(reverse("contracts:pipeline_notice"), {"year": 2019})
    assert page.context["notice"].required
    assert "A pipeline notice is required." in page.content.decode()
    assert [p.reference for p in page.context["notice"].projects] == ["PP1920-04"]

    rows = _csv_rows(client_as_officer.get(reverse("contracts:pipeline_notice_csv"), {"year": 2019}))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2
    assert (row["Contract title"], row["CPV code"], row["Estimated value (whole life)"]) == (
        "Integrated Community Equipment Services (ICES)",
        "33190000-8",
        "31500000.00",
    )
    assert (row["Procedure"], row["Expected tender notice date"], row["Expected contract start date"]) == (
        "Open procedure",
        "01/10/2019",
        "01/04/2021",
    )
    assert (row["Contact email"], row["Contact telephone"]) == (contract_officer.email, "01522 553000")


def test_the_admin_shows_projects_and_their_history_and_changes_nothing(client_as_admin):
    project = TenderProcurementProjectFactory()
    assert client_as_admin.get(reverse("admin:contracts_procurementproject_changelist")).status_code == 200
    assert (
        client_as_admin.get(reverse("admin:contracts_procurementproject_change", args=[project.pk])).status_code == 200
    )
    history = reverse("admin:contracts_procurementproject_history", args=[project.pk])
    assert client_as_admin.get(history).status_code == 200
    assert client_as_admin.get(reverse("admin:contracts_procurementproject_add")).status_code == 403
    response = client_as_admin.post(
        reverse("admin:contracts_procurementproject_change", args=[project.pk]), {"title": "Changed"}
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title != "Changed"
