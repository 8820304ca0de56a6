import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from commissioning import roles
from oversight import selectors, services
from oversight.models import ActionPlan, Concern
from tests.factories import (
    ActionPlanFactory,
    ConcernFactory,
    ContractFactory,
    EscalationStepFactory,
    HighRiskAssessmentFactory,
    LocationFactory,
    PlanActionFactory,
    ProviderFactory,
    RiskAssessmentFactory,
    SanctionFactory,
)
from tests.providers.factories import MediumRiskAssessmentFactory, OfficerFactory

pytestmark = pytest.mark.django_db
d = datetime.date
TODAY = d(2018, 10, 1)


def _reader():
    return OfficerFactory(username="reader")


@pytest.fixture
def officer():
    return OfficerFactory(username="visiting-officer")


# --- Escalation -------------------------------------------------------------------------------------------


def _plan(level_factory, agreed_on, **kwargs):
    plan = ActionPlanFactory(agreed_on=agreed_on, **kwargs)
    if level_factory:
        level_factory(provider=plan.provider, assessed_on=d(2018, 6, 1))
    return plan


def test_a_medium_risk_provider_with_an_incomplete_plan_after_three_months_is_escalated():
    plan = _plan(MediumRiskAssessmentFactory, d(2018, 7, 1))
    assert list(selectors.action_plans_needing_escalation(user=_reader(), today=TODAY)) == [plan]


def test_a_plan_agreed_less_than_three_months_ago_is_not_yet_escalated():
    _plan(HighRiskAssessmentFactory, d(2018, 7, 2))
    assert not selectors.action_plans_needing_escalation(user=_reader(), today=TODAY).exists()


def test_a_low_risk_or_unassessed_provider_is_not_escalated():
    _plan(RiskAssessmentFactory, d(2018, 1, 1))
    _plan(None, d(2018, 1, 1))
    assert not selectors.action_plans_needing_escalation(user=_reader(), today=TODAY).exists()


def test_a_completed_plan_is_not_escalated():
    _plan(HighRiskAssessmentFactory, d(2018, 1, 1), status=ActionPlan.Status.COMPLETE)
    assert not selectors.action_plans_needing_escalation(user=_reader(), today=TODAY).exists()


def test_escalation_uses_the_current_risk_not_an_earlier_one():
    plan = _plan(HighRiskAssessmentFactory, d(2018, 1, 1))
    RiskAssessmentFactory(provider=plan.provider, assessed_on=d(2018, 9, 1))
    assert not selectors.action_plans_needing_escalation(user=_reader(), today=TODAY).exists()


def test_escalation_list_carries_the_steps_taken(django_assert_num_queries):
    plan = _plan(HighRiskAssessmentFactory, d(2018, 5, 1))
    EscalationStepFactory(plan=plan, step="reminder", taken_on=d(2018, 8, 1))
    EscalationStepFactory(plan=plan, step="meeting", taken_on=d(2018, 9, 1))
    reader = _reader()
    reader.role_names  # noqa: B018 - read once, as a page's middleware would
    with django_assert_num_queries(3):
        plans = list(selectors.action_plans_needing_escalation(user=reader, today=TODAY))
        assert [s.step for s in plans[0].escalation_steps.all()] == ["reminder", "meeting"]


def test_completing_every_action_completes_the_plan_and_takes_it_off_the_list(officer):
    plan = _plan(HighRiskAssessmentFactory, d(2018, 5, 1))
    first = PlanActionFactory(plan=plan)
    second = PlanActionFactory(plan=plan)
    services.plan_action_complete(action=first, completed_on=d(2018, 8, 1), by=officer)
    plan.refresh_from_db()
    assert plan.status == ActionPlan.Status.OPEN
    services.plan_action_complete(action=second, completed_on=d(2018, 9, 3), by=officer)
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on) == (ActionPlan.Status.COMPLETE, d(2018, 9, 3))
    assert not selectors.action_plans_needing_escalation(user=_reader(), today=TODAY).exists()


def test_an_escalation_step_cannot_be_recorded_on_a_complete_plan(officer):
    plan = ActionPlanFactory(status=ActionPlan.Status.COMPLETE)
    with pytest.raises(ValidationError):
        services.escalation_step_record(plan=plan, step="reminder", taken_on=d(2018, 9, 1), by=officer)


def test_action_plan_created_with_first_action(officer):
    provider = ProviderFactory()
    plan = services.action_plan_create(
        provider=provider,
        title="Medication improvement plan",
        agreed_on=d(2018, 7, 1),
        by=officer,
        actions=[{"description": "Audit MAR charts", "owner": "Registered manager", "due_on": d(2018, 8, 1)}],
    )
    assert [a.owner for a in plan.actions.all()] == ["Registered manager"]


def test_an_action_due_before_the_plan_was_agreed_is_refused_and_no_plan_saved(officer):
    with pytest.raises(ValidationError) as error:
        services.action_plan_create(
            provider=ProviderFactory(),
            title="Plan",
            agreed_on=d(2018, 7, 1),
            by=officer,
            actions=[{"description": "Audit", "owner": "Manager", "due_on": d(2018, 6, 1)}],
        )
    assert "due_on" in error.value.message_dict
    assert not ActionPlan.objects.exists()


# --- Concerns ---------------------------------------------------------------------------------------------


def test_a_concern_is_closed_with_outcome_and_date(officer):
    concern = ConcernFactory(raised_on=d(2018, 9, 1))
    services.concern_close(concern=concern, closed_on=d(2018, 9, 20), outcome="Not substantiated.", by=officer)
    concern.refresh_from_db()
    assert (concern.status, concern.closed_on, concern.outcome) == ("closed", d(2018, 9, 20), "Not substantiated.")


@pytest.mark.parametrize(
    ("closed_on", "outcome", "field"),
    [(d(2018, 8, 31), "Resolved.", "closed_on"), (d(2018, 9, 2), "  ", "outcome")],
)
def test_closing_a_concern_needs_an_outcome_and_a_date_not_before_it_was_raised(officer, closed_on, outcome, field):
    concern = ConcernFactory(raised_on=d(2018, 9, 1))
    with pytest.raises(ValidationError) as error:
        services.concern_close(concern=concern, closed_on=closed_on, outcome=outcome, by=officer)
    assert field in error.value.message_dict
    concern.refresh_from_db()
    assert concern.status == Concern.Status.OPEN


def test_a_closed_concern_cannot_be_closed_again(officer):
    concern = ConcernFactory(raised_on=d(2018, 9, 1))
    services.concern_close(concern=concern, closed_on=d(2018, 9, 2), outcome="Done.", by=officer)
    with pytest.raises(ValidationError, match="already closed"):
        services.concern_close(concern=concern, closed_on=d(2018, 9, 3), outcome="Again.", by=officer)


def test_a_concern_at_another_providers_location_is_refused(officer):
    with pytest.raises(ValidationError) as error:
        services.concern_record(
            provider=ProviderFactory(),
            kind="safeguarding",
            raised_on=d(2018, 9, 1),
            summary="Unexplained bruising.",
            location=LocationFactory(),
            by=officer,
        )
    assert "location" in error.value.message_dict


def test_concern_list_filters_by_dates_type_and_status():
    ConcernFactory(kind="safeguarding", raised_on=d(2018, 5, 1))
    wanted = ConcernFactory(kind="safeguarding", raised_on=d(2018, 9, 1))
    ConcernFactory(kind="complaint", raised_on=d(2018, 9, 1))
    ConcernFactory(kind="safeguarding", raised_on=d(2018, 9, 2), status="closed", closed_on=d(2018, 9, 3))
    # A safeguarding lead reads every safeguarding concern (tests/oversight/test_safeguarding.py: who may).
    reader = _reader()
    reader.groups.add(Group.objects.get(name=roles.SAFEGUARDING_LEAD))
    found = selectors.concern_list(
        user=reader,
        date_from=d(2018, 6, 1),
        date_to=d(2018, 12, 31),
        kind="safeguarding",
        status="open",
    )
    assert list(found) == [wanted]


# --- Visits and sanctions ---------------------------------------------------------------------------------


def test_a_visit_is_recorded_against_the_provider_and_officer(officer):
    provider = ProviderFactory()
    location = LocationFactory(provider=provider)
    contract = ContractFactory(lead_provider=provider)
    visit = services.visit_record(
        provider=provider,
        location=location,
        contract=contract,
        visited_on=d(2018, 9, 12),
        kind="unannounced",
        by=officer,
        findings="Good interaction between staff and residents.",
        environment="good",
        complaints_feedback="low",
    )
    assert (visit.officer, visit.location, visit.kind) == (officer, location, "unannounced")


def test_a_visit_in_the_future_is_refused(officer):
    with pytest.raises(ValidationError) as error:
        services.visit_record(provider=ProviderFactory(), visited_on=d(2100, 1, 1), kind="planned", by=officer)
    assert "visited_on" in error.value.message_dict


def test_a_suspension_of_new_admissions_is_lifted_from_a_date(officer):
    provider = ProviderFactory()
    sanction = services.sanction_record(
        provider=provider, kind="suspension", issued_on=d(2018, 9, 1), reason="Unsafe staffing.", by=officer
    )
    assert selectors.sanction_list(user=_reader(), in_force_on=d(2018, 9, 15)).get() == sanction
    services.sanction_lift(sanction=sanction, lifted_on=d(2018, 10, 1), by=officer)
    assert not selectors.sanction_list(user=_reader(), in_force_on=d(2018, 10, 2)).exists()
    with pytest.raises(ValidationError, match="already lifted"):
        services.sanction_lift(sanction=sanction, lifted_on=d(2018, 10, 5), by=officer)


def test_a_lift_date_before_the_start_is_refused(officer):
    sanction = SanctionFactory(kind="suspension", issued_on=d(2018, 9, 1))
    with pytest.raises(ValidationError) as error:
        services.sanction_lift(sanction=sanction, lifted_on=d(2018, 8, 1), by=officer)
    assert "lifted_on" in error.value.message_dict


def test_a_service_credit_needs_an_amount(officer):
    with pytest.raises(ValidationError) as error:
        services.sanction_record(
            provider=ProviderFactory(),
            kind="service_credit",
            issued_on=d(2018, 9, 1),
            reason="Late visits.",
            by=officer,
        )
    assert "amount" in error.value.message_dict
    credit = services.sanction_record(
        provider=ProviderFactory(),
        kind="service_credit",
        issued_on=d(2018, 9, 1),
        reason="Late visits.",
        amount=Decimal("1250.00"),
        by=officer,
    )
    assert credit.amount == Decimal("1250.00")
