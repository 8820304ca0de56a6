"""The procurement work plan's writes (contracts.services): who may add and change projects, the stage moves
(a small table; delivered and abandoned close a project with the day it closed, abandoning needs its reason, a
closed project moves no further), the dates, and linking the contracts a project replaces and awards. Each write
leaves a history row naming who made it."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commissioning import roles
from contracts import services
from contracts.models import ProcurementProject
from tests.factories import (
    ContractFactory,
    DeliveredProcurementProjectFactory,
    DirectorateFactory,
    ProcurementProjectFactory,
    TenderProcurementProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Stage = ProcurementProject.Stage


def _fields(directorate, **overrides):
    fields = {
        "reference": "PP-2019-001",
        "title": "Carers support service",
        "directorate": directorate,
        "route": ProcurementProject.Route.OPEN,
        "estimated_annual_value": Decimal("2400000.00"),
        "whole_life_value": Decimal("12000000.00"),
        "planned_start": datetime.date(2019, 6, 3),
        "tender_notice_date": datetime.date(2019, 9, 2),
        "go_live_date": datetime.date(2020, 4, 1),
    }
    return {**fields, **overrides}


def _officer_of(directorate):
    user = UserFactory(directorate=directorate)
    user.groups.add(Group.objects.get(name=roles.CONTRACT_OFFICER))
    return user


def _messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


def test_a_contract_officer_puts_a_project_on_the_work_plan_and_its_history_names_them(contract_officer, directorate):
    project = services.procurement_project_create(by=contract_officer, **_fields(directorate))

    assert (project.stage, project.reference) == (Stage.PLANNED, "PP-2019-001")
    assert project.history.get().history_user == contract_officer


def test_a_commissioner_reads_the_work_plan_but_does_not_keep_it(commissioner, directorate):
    with pytest.raises(PermissionDenied):
        services.procurement_project_create(by=commissioner, **_fields(directorate))


def test_an_officer_tied_to_a_directorate_keeps_only_that_directorates_projects(directorate):
    other = DirectorateFactory(name="Public Health", code="ph")
    officer = _officer_of(other)
    with pytest.raises(PermissionDenied, match="only your own directorate"):
        services.procurement_project_create(by=officer, **_fields(directorate))

    own = services.procurement_project_create(by=officer, **_fields(other))
    with pytest.raises(PermissionDenied):
        services.procurement_project_update(project=own, by=officer, directorate=directorate)
    own.refresh_from_db()
    assert own.directorate == other


def test_a_reference_is_used_once(contract_officer, directorate):
    services.procurement_project_create(by=contract_officer, **_fields(directorate))
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_create(by=contract_officer, **_fields(directorate, title="Another"))
    assert "reference" in caught.value.message_dict


def test_a_new_project_cannot_start_closed(contract_officer, directorate):
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_create(by=contract_officer, **_fields(directorate, stage=Stage.DELIVERED))
    assert "open stage" in _messages(caught.value, "stage")


def test_a_project_recorded_under_way_needs_the_day_it_started(contract_officer, directorate):
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_create(
            by=contract_officer, **_fields(directorate, stage=Stage.TENDER, planned_start=None)
        )
    assert "under way" in _messages(caught.value, "planned_start")

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_create(
            by=contract_officer,
            **_fields(directorate, stage=Stage.TENDER, planned_start=tomorrow, tender_notice_date=None),
        )
    assert "cannot start in the future" in _messages(caught.value, "planned_start")


def test_the_dates_run_from_start_to_tender_notice_to_go_live(contract_officer, directorate):
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_create(
            by=contract_officer, **_fields(directorate, tender_notice_date=datetime.date(2019, 5, 1))
        )
    assert "on or after the planned start" in _messages(caught.value, "tender_notice_date")

    with pytest.raises(ValidationError) as caught:
        services.procurement_project_create(
            by=contract_officer, **_fields(directorate, go_live_date=datetime.date(2019, 8, 1))
        )
    assert "on or after the expected tender notice date" in _messages(caught.value, "go_live_date")


def test_values_cannot_be_negative(contract_officer, directorate):
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_create(
            by=contract_officer, **_fields(directorate, estimated_annual_value=Decimal("-1"))
        )
    assert "estimated_annual_value" in caught.value.message_dict


def test_the_lead_officer_is_an_active_council_officer(contract_officer, scrutiny_member, directorate):
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_create(by=contract_officer, **_fields(directorate, lead_officer=scrutiny_member))
    assert "council officer" in _messages(caught.value, "lead_officer")

    project = services.procurement_project_create(
        by=contract_officer, **_fields(directorate, lead_officer=contract_officer)
    )
    assert project.lead_officer == contract_officer


def test_the_stage_moves_only_through_its_own_service(contract_officer):
    project = ProcurementProjectFactory()
    with pytest.raises(TypeError, match="stage"):
        services.procurement_project_update(project=project, by=contract_officer, stage=Stage.TENDER)


def test_a_planned_project_goes_to_tender_and_on_to_evaluation(contract_officer):
    project = ProcurementProjectFactory(planned_start=datetime.date(2019, 6, 1))

    project = services.procurement_project_move(project=project, by=contract_officer, stage=Stage.TENDER)
    project = services.procurement_project_move(project=project, by=contract_officer, stage=Stage.EVALUATION)

    assert project.stage == Stage.EVALUATION
    assert [h.stage for h in project.history.order_by("history_date", "history_id")] == [
        Stage.PLANNED,
        Stage.TENDER,
        Stage.EVALUATION,
    ]
    assert project.history.latest().history_user == contract_officer


def test_a_stage_cannot_be_skipped_unless_the_route_has_no_competition(contract_officer):
    open_procedure = ProcurementProjectFactory()
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_move(project=open_procedure, by=contract_officer, stage=Stage.AWARD)
    assert _messages(caught.value, "stage") == "A project at planned cannot move to award."

    direct = ProcurementProjectFactory(route=ProcurementProject.Route.DIRECT_AWARD)
    assert services.procurement_project_move(project=direct, by=contract_officer, stage=Stage.AWARD).stage == (
        Stage.AWARD
    )


def test_leaving_planning_needs_a_start_that_has_come(contract_officer):
    undated = ProcurementProjectFactory(planned_start=None)
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_move(project=undated, by=contract_officer, stage=Stage.PRE_MARKET)
    assert "planned_start" in caught.value.message_dict

    future = ProcurementProjectFactory(planned_start=timezone.localdate() + datetime.timedelta(days=30))
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_move(project=future, by=contract_officer, stage=Stage.PRE_MARKET)
    assert "cannot start in the future" in _messages(caught.value, "planned_start")
    future.refresh_from_db()
    assert future.stage == Stage.PLANNED


def test_delivering_a_project_needs_the_day_it_was_delivered_today_or_before(contract_officer):
    project = ProcurementProjectFactory(stage=Stage.AWARD, planned_start=datetime.date(2018, 6, 1))
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_move(project=project, by=contract_officer, stage=Stage.DELIVERED)
    assert "Enter the date the project was delivered" in _messages(caught.value, "completed_on")

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_move(
            project=project, by=contract_officer, stage=Stage.DELIVERED, completed_on=tomorrow
        )
    assert "today or in the past" in _messages(caught.value, "completed_on")

    with pytest.raises(ValidationError) as caught:
        services.procurement_project_move(
            project=project, by=contract_officer, stage=Stage.DELIVERED, completed_on=datetime.date(2018, 5, 31)
        )
    assert "on or after the project started" in _messages(caught.value, "completed_on")

    delivered = services.procurement_project_move(
        project=project, by=contract_officer, stage=Stage.DELIVERED, completed_on=datetime.date(2019, 3, 29)
    )
    assert (delivered.stage, delivered.completed_on) == (Stage.DELIVERED, datetime.date(2019, 3, 29))


def test_abandoning_a_project_needs_the_reason(contract_officer):
    project = TenderProcurementProjectFactory()
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_move(
            project=project, by=contract_officer, stage=Stage.ABANDONED, completed_on=datetime.date(2019, 1, 4)
        )
    assert _messages(caught.value, "reason") == "Give the reason the project was abandoned."

    abandoned = services.procurement_project_move(
        project=project,
        by=contract_officer,
        stage=Stage.ABANDONED,
        completed_on=datetime.date(2019, 1, 4),
        reason="  No compliant bids: the service is to be remodelled.  ",
    )
    assert (abandoned.stage, abandoned.abandoned_reason) == (
        Stage.ABANDONED,
        "No compliant bids: the service is to be remodelled.",
    )


def test_only_a_closing_move_has_a_completion_date(contract_officer):
    project = ProcurementProjectFactory()
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_move(
            project=project, by=contract_officer, stage=Stage.TENDER, completed_on=datetime.date(2019, 1, 4)
        )
    assert "completed_on" in caught.value.message_dict


@pytest.mark.parametrize("stage", [Stage.TENDER, Stage.ABANDONED, Stage.LIVE])
def test_a_delivered_project_moves_no_further_and_keeps_its_record(contract_officer, stage):
    project = DeliveredProcurementProjectFactory()
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_move(
            project=project, by=contract_officer, stage=stage, completed_on=datetime.date(2019, 1, 4), reason="x"
        )
    assert "moves no further" in _messages(caught.value, "stage")
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_update(project=project, by=contract_officer, title="Renamed")
    assert "cannot be changed" in _messages(caught.value, "stage")


def test_a_commissioner_cannot_move_a_project(commissioner):
    with pytest.raises(PermissionDenied):
        services.procurement_project_move(project=ProcurementProjectFactory(), by=commissioner, stage=Stage.TENDER)


def test_an_unknown_stage_is_refused_by_name(contract_officer):
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_move(project=ProcurementProjectFactory(), by=contract_officer, stage="signed")
    assert "'signed' is not a stage" in _messages(caught.value, "stage")


def test_resulting_contracts_are_linked_once_the_project_reaches_award(contract_officer):
    old, new = ContractFactory(), ContractFactory()
    project = TenderProcurementProjectFactory()
    project = services.procurement_project_link_contracts(project=project, by=contract_officer, replaces=[old])
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_link_contracts(project=project, by=contract_officer, resulting_contracts=[new])
    assert "once it reaches award" in _messages(caught.value, "resulting_contracts")

    project.stage = Stage.AWARD
    project.save()
    rows = project.history.count()
    services.procurement_project_link_contracts(project=project, by=contract_officer, resulting_contracts=[new])

    assert list(project.replaces.all()) == [old]
    assert list(project.resulting_contracts.all()) == [new]
    assert project.history.count() == rows + 1
    assert project.history.latest().history_user == contract_officer


def test_a_contract_is_not_both_replaced_and_awarded_by_one_project(contract_officer):
    contract = ContractFactory(reference="ACCW-0010")
    project = ProcurementProjectFactory(stage=Stage.AWARD, planned_start=datetime.date(2018, 6, 1))
    with pytest.raises(ValidationError) as caught:
        services.procurement_project_update(
            project=project, by=contract_officer, replaces=[contract], resulting_contracts=[contract]
        )
    assert "ACCW-0010" in _messages(caught.value, "resulting_contracts")
    assert not project.replaces.exists()


def test_the_next_stages_follow_the_table():
    assert services.procurement_project_next_stages(project=ProcurementProjectFactory()) == [
        Stage.PRE_MARKET,
        Stage.TENDER,
        Stage.ABANDONED,
    ]
    assert services.procurement_project_next_stages(project=DeliveredProcurementProjectFactory()) == []
