"""Each oversight service: what it writes, what it refuses (writing nothing), and that a write touching
several rows is all or nothing.

Every service writes at least two rows (the record and django-simple-history's copy of it); some write
more (a plan and its actions, an action and its plan). A refusal must leave every table as it was.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError

from oversight import services
from oversight.models import ActionPlan, Concern, EscalationStep, PlanAction, Sanction, Visit
from tests.factories import (
    ActionPlanFactory,
    ConcernFactory,
    ContractFactory,
    DirectorateFactory,
    LocationFactory,
    PlanActionFactory,
    ProviderFactory,
    SanctionFactory,
)
from tests.providers.factories import CommissionerFactory, OfficerFactory

pytestmark = pytest.mark.django_db
d = datetime.date

MODELS = (Visit, Concern, Sanction, ActionPlan, PlanAction, EscalationStep)


def _rows() -> dict[str, int]:
    """How many rows each oversight table holds, history tables included."""
    counts = {}
    for model in MODELS:
        counts[model._meta.db_table] = model.objects.count()
        counts[model.history.model._meta.db_table] = model.history.count()
    return counts


@pytest.fixture
def officer():
    return OfficerFactory(username="oversight-officer")


@pytest.fixture
def provider():
    return ProviderFactory(name="Willow Care Ltd")


@pytest.fixture
def unchanged():
    """Call with a function that must be refused: asserts it raised ValidationError and wrote nothing."""

    def check(call, *, field: str | None = None):
        before = _rows()
        with pytest.raises(ValidationError) as error:
            call()
        assert _rows() == before
        if field is not None:
            assert field in error.value.message_dict
        return error.value

    return check


# --- Visits ------------------------------------------------------------------------------------------------


def test_visit_record_saves_the_visit_and_its_history(officer, provider):
    location = LocationFactory(provider=provider)
    contract = ContractFactory(lead_provider=provider)
    visit = services.visit_record(
        provider=provider,
        location=location,
        contract=contract,
        visited_on=d(2018, 9, 12),
        kind=Visit.Kind.UNANNOUNCED,
        by=officer,
        findings="  Residents well cared for.  ",
    )
    visit.refresh_from_db()
    assert (visit.location, visit.contract, visit.officer, visit.findings) == (
        location,
        contract,
        officer,
        "Residents well cared for.",
    )
    assert visit.history.get().history_user == officer


def test_visit_record_refuses_a_location_of_another_provider(officer, provider, unchanged):
    elsewhere = LocationFactory()
    unchanged(
        lambda: services.visit_record(
            provider=provider, location=elsewhere, visited_on=d(2018, 9, 12), kind="planned", by=officer
        ),
        field="location",
    )


def test_visit_record_refuses_a_contract_the_provider_does_not_hold(officer, provider, unchanged):
    unchanged(
        lambda: services.visit_record(
            provider=provider, contract=ContractFactory(), visited_on=d(2018, 9, 12), kind="planned", by=officer
        ),
        field="contract",
    )


# --- Concerns ----------------------------------------------------------------------------------------------


def test_concern_record_opens_a_concern(officer, provider):
    concern = services.concern_record(
        provider=provider, kind=Concern.Kind.SAFEGUARDING, raised_on=d(2018, 9, 1), summary="Bruising.", by=officer
    )
    concern.refresh_from_db()
    assert (concern.status, concern.recorded_by, concern.severity) == (Concern.Status.OPEN, officer, "medium")
    assert concern.history.count() == 1


def test_concern_record_refuses_an_empty_summary(officer, provider, unchanged):
    unchanged(
        lambda: services.concern_record(
            provider=provider, kind="complaint", raised_on=d(2018, 9, 1), summary="   ", by=officer
        ),
        field="summary",
    )


def test_concern_close_records_the_outcome(officer):
    concern = ConcernFactory(raised_on=d(2018, 9, 1))
    services.concern_close(concern=concern, closed_on=d(2018, 9, 20), outcome="Not substantiated.", by=officer)
    concern.refresh_from_db()
    assert (concern.status, concern.closed_on, concern.outcome) == ("closed", d(2018, 9, 20), "Not substantiated.")
    assert concern.history.latest().history_user == officer


def test_concern_close_refuses_a_date_before_it_was_raised(officer, unchanged):
    concern = ConcernFactory(raised_on=d(2018, 9, 1))
    unchanged(
        lambda: services.concern_close(concern=concern, closed_on=d(2018, 8, 1), outcome="Done.", by=officer),
        field="closed_on",
    )
    concern.refresh_from_db()
    assert concern.status == Concern.Status.OPEN


def test_concern_close_refuses_a_concern_already_closed(officer, unchanged):
    concern = ConcernFactory(raised_on=d(2018, 9, 1))
    services.concern_close(concern=concern, closed_on=d(2018, 9, 2), outcome="Done.", by=officer)
    error = unchanged(
        lambda: services.concern_close(concern=concern, closed_on=d(2018, 9, 3), outcome="Again.", by=officer)
    )
    assert isinstance(error, services.TransitionNotAllowed)


# --- Sanctions ---------------------------------------------------------------------------------------------


def test_sanction_record_saves_a_service_credit_with_its_amount(officer, provider):
    sanction = services.sanction_record(
        provider=provider,
        kind=Sanction.Kind.SERVICE_CREDIT,
        issued_on=d(2018, 9, 1),
        reason="Missed visits.",
        amount=Decimal("1250.00"),
        by=officer,
    )
    sanction.refresh_from_db()
    assert (sanction.amount, sanction.issued_by, sanction.is_in_force) == (Decimal("1250.00"), officer, True)


def test_sanction_record_refuses_a_service_credit_without_an_amount(officer, provider, unchanged):
    unchanged(
        lambda: services.sanction_record(
            provider=provider, kind=Sanction.Kind.SERVICE_CREDIT, issued_on=d(2018, 9, 1), reason="x", by=officer
        ),
        field="amount",
    )


def test_sanction_lift_records_the_lift_date(officer):
    sanction = SanctionFactory(issued_on=d(2018, 9, 1))
    services.sanction_lift(sanction=sanction, lifted_on=d(2018, 10, 1), by=officer)
    sanction.refresh_from_db()
    assert sanction.lifted_on == d(2018, 10, 1)
    assert sanction.history.latest().history_user == officer


def test_sanction_lift_refuses_a_date_before_it_started(officer, unchanged):
    sanction = SanctionFactory(issued_on=d(2018, 9, 1))
    unchanged(lambda: services.sanction_lift(sanction=sanction, lifted_on=d(2018, 8, 1), by=officer), field="lifted_on")


# --- Action plans, their actions and escalation ------------------------------------------------------------


def test_action_plan_create_saves_the_plan_with_its_first_actions(officer, provider):
    plan = services.action_plan_create(
        provider=provider,
        title="Medication improvement plan",
        agreed_on=d(2018, 7, 1),
        by=officer,
        actions=[
            {"description": "Audit MAR charts", "owner": "Registered manager", "due_on": d(2018, 8, 1)},
            {"description": "Train night staff", "owner": "Deputy manager", "due_on": d(2018, 9, 1)},
        ],
    )
    assert [a.description for a in plan.actions.all()] == ["Audit MAR charts", "Train night staff"]
    assert PlanAction.history.count() == 2
    assert plan.history.get().history_user == officer


def test_action_plan_create_refuses_an_empty_title(officer, provider, unchanged):
    unchanged(
        lambda: services.action_plan_create(provider=provider, title=" ", agreed_on=d(2018, 7, 1), by=officer),
        field="title",
    )


def test_action_plan_create_is_all_or_nothing(officer, provider, unchanged):
    """The first action is fine, the second is not: neither the plan nor the first action (nor their
    history) is kept."""
    unchanged(
        lambda: services.action_plan_create(
            provider=provider,
            title="Improvement plan",
            agreed_on=d(2018, 7, 1),
            by=officer,
            actions=[
                {"description": "Audit MAR charts", "owner": "Registered manager", "due_on": d(2018, 8, 1)},
                {"description": "Train night staff", "owner": "", "due_on": d(2018, 9, 1)},
            ],
        ),
        field="owner",
    )
    assert not ActionPlan.objects.exists()
    assert not PlanAction.objects.exists()


def test_plan_action_add_adds_an_action_to_an_open_plan(officer):
    plan = ActionPlanFactory(agreed_on=d(2018, 7, 1))
    action = services.plan_action_add(
        plan=plan, description=" Update care plans ", owner="Manager", due_on=d(2018, 8, 1), by=officer
    )
    assert (action.plan, action.description) == (plan, "Update care plans")
    assert action.history.get().history_user == officer


def test_plan_action_add_refuses_a_due_date_before_the_plan_was_agreed(officer, unchanged):
    plan = ActionPlanFactory(agreed_on=d(2018, 7, 1))
    unchanged(
        lambda: services.plan_action_add(
            plan=plan, description="Audit", owner="Manager", due_on=d(2018, 6, 1), by=officer
        ),
        field="due_on",
    )


def test_plan_action_add_refuses_a_complete_plan(officer, unchanged):
    plan = ActionPlanFactory(status=ActionPlan.Status.COMPLETE, completed_on=d(2018, 9, 1))
    error = unchanged(
        lambda: services.plan_action_add(
            plan=plan, description="Audit", owner="Manager", due_on=d(2018, 9, 1), by=officer
        )
    )
    assert isinstance(error, services.TransitionNotAllowed)


def test_plan_action_complete_completes_the_plan_with_its_last_action(officer):
    plan = ActionPlanFactory(agreed_on=d(2018, 7, 1))
    first = PlanActionFactory(plan=plan, due_on=d(2018, 8, 1))
    second = PlanActionFactory(plan=plan, due_on=d(2018, 9, 1))
    services.plan_action_complete(action=first, completed_on=d(2018, 8, 1), by=officer)
    plan.refresh_from_db()
    assert plan.status == ActionPlan.Status.OPEN
    services.plan_action_complete(action=second, completed_on=d(2018, 9, 3), by=officer)
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on) == (ActionPlan.Status.COMPLETE, d(2018, 9, 3))


def test_plan_action_complete_refuses_a_date_before_the_plan_was_agreed(officer, unchanged):
    action = PlanActionFactory(plan=ActionPlanFactory(agreed_on=d(2018, 7, 1)))
    unchanged(
        lambda: services.plan_action_complete(action=action, completed_on=d(2018, 6, 30), by=officer),
        field="completed_on",
    )


def test_plan_action_complete_is_all_or_nothing(officer, monkeypatch):
    """The action is saved first, then its plan marked complete: if the plan cannot be saved, the action
    is not marked done either."""
    plan = ActionPlanFactory(agreed_on=d(2018, 7, 1))
    action = PlanActionFactory(plan=plan, due_on=d(2018, 8, 1))
    before = _rows()

    def fail(self, *args, **kwargs):
        raise DatabaseError("the plan could not be saved")

    monkeypatch.setattr(ActionPlan, "save", fail)
    with pytest.raises(DatabaseError):
        services.plan_action_complete(action=action, completed_on=d(2018, 8, 1), by=officer)
    monkeypatch.undo()

    action.refresh_from_db()
    plan.refresh_from_db()
    assert action.completed_on is None
    assert plan.status == ActionPlan.Status.OPEN
    assert _rows() == before


def test_escalation_step_record_saves_the_step(officer):
    plan = ActionPlanFactory(agreed_on=d(2018, 7, 1))
    step = services.escalation_step_record(
        plan=plan, step=EscalationStep.Step.MEETING, taken_on=d(2018, 10, 2), note=" Met the manager ", by=officer
    )
    step.refresh_from_db()
    assert (step.plan, step.taken_by, step.note) == (plan, officer, "Met the manager")
    assert step.history.get().history_user == officer


def test_escalation_step_record_refuses_an_unknown_step(officer, unchanged):
    plan = ActionPlanFactory(agreed_on=d(2018, 7, 1))
    unchanged(
        lambda: services.escalation_step_record(plan=plan, step="shouting", taken_on=d(2018, 10, 2), by=officer),
        field="step",
    )


def test_escalation_step_record_refuses_a_complete_plan(officer, unchanged):
    plan = ActionPlanFactory(status=ActionPlan.Status.COMPLETE, completed_on=d(2018, 9, 1))
    error = unchanged(
        lambda: services.escalation_step_record(plan=plan, step="reminder", taken_on=d(2018, 10, 2), by=officer)
    )
    assert isinstance(error, services.TransitionNotAllowed)


# --- Who may: officers record; commissioners read; an officer of one directorate keeps its contracts' --------


@pytest.fixture
def commissioner():
    return CommissionerFactory()


def _refused(call, rows_before) -> None:
    with pytest.raises(PermissionDenied):
        call()
    assert _rows() == rows_before


def test_a_commissioner_may_record_nothing_about_a_provider(commissioner, provider):
    plan = ActionPlanFactory(provider=provider)
    before = _rows()
    day = d(2018, 9, 12)
    for call in (
        lambda: services.visit_record(provider=provider, visited_on=day, kind="planned", by=commissioner),
        lambda: services.concern_record(
            provider=provider, kind="complaint", raised_on=day, summary="Rude staff.", by=commissioner
        ),
        lambda: services.sanction_record(
            provider=provider, kind="default_notice", issued_on=day, reason="Staffing.", by=commissioner
        ),
        lambda: services.action_plan_create(provider=provider, title="Plan", agreed_on=day, by=commissioner),
        lambda: services.plan_action_add(
            plan=plan, description="Audit.", owner="Manager", due_on=d(2018, 9, 30), by=commissioner
        ),
        lambda: services.escalation_step_record(plan=plan, step="reminder", taken_on=day, by=commissioner),
    ):
        _refused(call, before)


def test_a_commissioner_may_not_close_lift_or_complete(commissioner):
    concern, sanction, action = ConcernFactory(), SanctionFactory(), PlanActionFactory()
    before = _rows()
    _refused(
        lambda: services.concern_close(concern=concern, closed_on=d(2018, 9, 20), outcome="Done.", by=commissioner),
        before,
    )
    _refused(lambda: services.sanction_lift(sanction=sanction, lifted_on=d(2018, 11, 1), by=commissioner), before)
    _refused(lambda: services.plan_action_complete(action=action, completed_on=d(2018, 9, 1), by=commissioner), before)


def test_an_officer_of_one_directorate_records_nothing_under_anothers_contract(provider):
    contract = ContractFactory(lead_provider=provider)
    elsewhere = OfficerFactory(directorate=DirectorateFactory(code="cs", name="Children's Services"))
    before = _rows()

    _refused(
        lambda: services.visit_record(
            provider=provider, contract=contract, visited_on=d(2018, 9, 12), kind="planned", by=elsewhere
        ),
        before,
    )
    # Without a contract the visit is the council's: any officer records it.
    assert services.visit_record(provider=provider, visited_on=d(2018, 9, 12), kind="planned", by=elsewhere).pk
