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


# --- Batches (records brought from another system, the demo volume) -----------------------------------------


def _history(model) -> list[tuple]:
    """What each history row says, without ids and times: the record's fields and who made the change."""
    skip = {"id", "created_at", "updated_at", "history_id", "history_date", "history_change_reason", "plan"}
    fields = [f.attname for f in model.history.model._meta.concrete_fields if f.name not in skip]
    return sorted(model.history.values_list(*fields))


def _start_again(*models) -> None:
    for model in models:
        model.objects.all().delete()  # deleting writes a history row of its own: the history goes after
        model.history.all().delete()


def test_a_batch_of_visits_is_saved_with_the_rows_and_history_one_at_a_time_would_write(officer, provider):
    location = LocationFactory(provider=provider)
    contract = ContractFactory(lead_provider=provider)
    visit = {"provider": provider, "location": location, "contract": contract, "visited_on": d(2018, 9, 12)}
    services.visit_record(kind="planned", findings=" Well led. ", by=officer, **visit)
    one_at_a_time = (_history(Visit), list(Visit.objects.values_list("findings", "officer", "kind")))
    _start_again(Visit)

    saved = services.visits_record_many(
        visits=[services.VisitEntry(kind="planned", findings=" Well led. ", **visit)], by=officer
    )

    assert [v.pk for v in saved] == list(Visit.objects.values_list("pk", flat=True))
    assert (_history(Visit), list(Visit.objects.values_list("findings", "officer", "kind"))) == one_at_a_time


def test_a_batch_of_visits_names_the_officer_who_visited_and_the_system_recorded_it(officer, provider):
    [visit] = services.visits_record_many(
        visits=[services.VisitEntry(provider=provider, visited_on=d(2018, 9, 12), kind="planned", officer=officer)],
        by=None,
    )
    assert (visit.officer, visit.history.get().history_user) == (officer, None)


def test_a_batch_with_one_bad_visit_names_the_row_and_field_and_saves_none(officer, provider, unchanged):
    shared = ContractFactory()
    shared.other_providers.add(provider)
    good = services.VisitEntry(provider=provider, contract=shared, visited_on=d(2018, 9, 12), kind="planned")
    error = unchanged(
        lambda: services.visits_record_many(
            visits=[
                good,
                services.VisitEntry(provider=provider, location=LocationFactory(), visited_on=d(2018, 9, 12), kind="x"),
                services.VisitEntry(provider=provider, visited_on=d(2100, 1, 1), kind="planned"),
                services.VisitEntry(
                    provider=provider, contract=ContractFactory(), visited_on=d(2018, 9, 1), kind="planned"
                ),
            ],
            by=officer,
        )
    )
    assert set(error.message_dict) == {"visits[1].location", "visits[2].visited_on", "visits[3].contract"}


def test_a_commissioner_may_record_no_batch_about_a_provider(commissioner, provider):
    before = _rows()
    day = d(2018, 9, 12)
    for call in (
        lambda: services.visits_record_many(
            visits=[services.VisitEntry(provider=provider, visited_on=day, kind="planned")], by=commissioner
        ),
        lambda: services.concerns_record_many(
            concerns=[services.ConcernEntry(provider=provider, kind="complaint", raised_on=day, summary="Rude.")],
            by=commissioner,
        ),
        lambda: services.sanctions_record_many(
            sanctions=[
                services.SanctionEntry(provider=provider, kind="default_notice", issued_on=day, reason="Staff.")
            ],
            by=commissioner,
        ),
        lambda: services.action_plans_create_many(
            plans=[services.ActionPlanEntry(provider=provider, title="Plan", agreed_on=day)], by=commissioner
        ),
    ):
        _refused(call, before)


def test_a_batch_names_the_row_under_another_directorates_contract(provider):
    elsewhere = OfficerFactory(directorate=DirectorateFactory(code="cs", name="Children's Services"))
    contract = ContractFactory(lead_provider=provider)
    before = _rows()
    with pytest.raises(PermissionDenied, match=r"visits\[1\]"):
        services.visits_record_many(
            visits=[
                services.VisitEntry(provider=provider, visited_on=d(2018, 9, 12), kind="planned"),
                services.VisitEntry(provider=provider, contract=contract, visited_on=d(2018, 9, 12), kind="planned"),
            ],
            by=elsewhere,
        )
    assert _rows() == before


def test_a_batch_of_concerns_opens_them_as_one_at_a_time_would(officer, provider):
    concern = {
        "provider": provider,
        "kind": Concern.Kind.SAFEGUARDING,
        "raised_on": d(2018, 9, 1),
        "summary": " Bruising. ",
    }
    services.concern_record(by=officer, **concern)
    one_at_a_time = _history(Concern)
    _start_again(Concern)

    services.concerns_record_many(concerns=[services.ConcernEntry(**concern)], by=officer)

    assert _history(Concern) == one_at_a_time


def test_a_batch_closes_the_concerns_given_an_outcome_by_the_closing_rules(officer, provider, unchanged):
    raised = {"provider": provider, "kind": "complaint", "raised_on": d(2018, 9, 1), "summary": "Food."}
    [closed, still_open] = services.concerns_record_many(
        concerns=[
            services.ConcernEntry(closed_on=d(2018, 9, 20), outcome=" Not substantiated. ", **raised),
            services.ConcernEntry(recorded_by=officer, **raised),
        ],
        by=None,
    )
    assert (closed.status, closed.closed_on, closed.outcome) == ("closed", d(2018, 9, 20), "Not substantiated.")
    assert (still_open.status, still_open.recorded_by) == ("open", officer)

    error = unchanged(
        lambda: services.concerns_record_many(
            concerns=[
                services.ConcernEntry(closed_on=d(2018, 8, 1), outcome="Done.", **raised),
                services.ConcernEntry(closed_on=d(2018, 9, 2), **raised),
                services.ConcernEntry(**{**raised, "summary": " "}),
            ],
            by=officer,
        )
    )
    assert set(error.message_dict) == {"concerns[0].closed_on", "concerns[1].outcome", "concerns[2].summary"}


def test_a_batch_of_sanctions_is_saved_as_one_at_a_time_would_and_a_bad_one_saves_none(officer, provider, unchanged):
    credit = {
        "provider": provider,
        "kind": Sanction.Kind.SERVICE_CREDIT,
        "issued_on": d(2018, 10, 1),
        "reason": "Late.",
    }
    services.sanction_record(amount=Decimal("250.00"), by=officer, **credit)
    one_at_a_time = _history(Sanction)
    _start_again(Sanction)

    services.sanctions_record_many(sanctions=[services.SanctionEntry(amount=Decimal("250.00"), **credit)], by=officer)
    assert _history(Sanction) == one_at_a_time

    error = unchanged(
        lambda: services.sanctions_record_many(
            sanctions=[
                services.SanctionEntry(**credit),
                services.SanctionEntry(lifted_on=d(2018, 9, 1), **{**credit, "kind": "suspension"}),
            ],
            by=officer,
        )
    )
    assert error.message_dict == {
        "sanctions[0].amount": ["Enter the amount of the service credit in pounds."],
        "sanctions[1].lifted_on": ["The lift date must be on or after the start date."],
    }


def test_a_batch_of_open_plans_is_saved_as_one_at_a_time_would(officer, provider):
    action = {"description": "Audit falls.", "owner": "Manager", "due_on": d(2018, 8, 1)}
    plan = services.action_plan_create(
        provider=provider, title="Quality plan", agreed_on=d(2018, 7, 1), actions=[action], by=officer
    )
    services.escalation_step_record(plan=plan, step="reminder", taken_on=d(2018, 10, 2), note="Late.", by=officer)
    one_at_a_time = [_history(model) for model in (ActionPlan, PlanAction, EscalationStep)]
    _start_again(EscalationStep, PlanAction, ActionPlan)

    services.action_plans_create_many(
        plans=[
            services.ActionPlanEntry(
                provider=provider,
                title="Quality plan",
                agreed_on=d(2018, 7, 1),
                actions=[services.PlanActionEntry(**action)],
                escalation_steps=[services.EscalationEntry(step="reminder", taken_on=d(2018, 10, 2), note="Late.")],
            )
        ],
        by=officer,
    )

    assert [_history(model) for model in (ActionPlan, PlanAction, EscalationStep)] == one_at_a_time


def test_a_plan_whose_actions_are_all_done_is_complete_on_the_last_ones_day(officer, provider):
    [plan] = services.action_plans_create_many(
        plans=[
            services.ActionPlanEntry(
                provider=provider,
                title="Quality plan",
                agreed_on=d(2018, 7, 1),
                actions=[
                    services.PlanActionEntry("Audit.", "Manager", d(2018, 8, 1), completed_on=d(2018, 8, 20)),
                    services.PlanActionEntry("Train.", "Manager", d(2018, 9, 1), completed_on=d(2018, 8, 5)),
                ],
            )
        ],
        by=None,
    )
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on) == ("complete", d(2018, 8, 20))
    assert sorted(plan.actions.values_list("completed_on", flat=True)) == [d(2018, 8, 5), d(2018, 8, 20)]


def test_a_batch_with_a_bad_action_or_step_names_the_plan_and_the_row_and_saves_none(officer, provider, unchanged):
    good = services.ActionPlanEntry(provider=provider, title="Plan", agreed_on=d(2018, 7, 1))
    bad = services.ActionPlanEntry(
        provider=provider,
        title=" ",
        agreed_on=d(2018, 7, 1),
        actions=[
            services.PlanActionEntry("Audit.", "Manager", d(2018, 8, 1)),
            services.PlanActionEntry("Train.", "Manager", d(2018, 6, 1)),
        ],
        escalation_steps=[services.EscalationEntry(step="shouting", taken_on=d(2018, 10, 2))],
    )
    error = unchanged(lambda: services.action_plans_create_many(plans=[good, bad], by=officer))
    assert set(error.message_dict) == {
        "action_plans[1].title",
        "action_plans[1].actions[1].due_on",
        "action_plans[1].escalation_steps[0].step",
    }
