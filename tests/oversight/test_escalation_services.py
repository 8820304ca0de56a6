"""Escalation governance through its services: configuration by administrators only, opening by an officer's
request, moving between stages, decisions, actions, closing, and the daily sweep of every trigger kind."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning.models import Notification
from oversight import escalation as rules
from oversight.models import Escalation, EscalationEvent, EscalationTrigger
from oversight.services import TransitionNotAllowed
from tests.factories import (
    ActionPlanFactory,
    ConcernFactory,
    ContractFactory,
    ProviderFactory,
    SanctionFactory,
    UserFactory,
)

from .escalation_factories import (
    ClosedEscalationFactory,
    EscalationActionFactory,
    EscalationFactory,
    EscalationStageFactory,
    EscalationTriggerFactory,
    ladder,
    risk,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
Kind = EscalationTrigger.Kind


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


# --- Configuration ----------------------------------------------------------------------------------------


def test_only_an_administrator_sets_up_stages(contract_officer, administrator):
    with pytest.raises(PermissionDenied):
        rules.escalation_stage_save(by=contract_officer, name="Peer support", level=1)

    stage = rules.escalation_stage_save(by=administrator, name="Peer support", level=1)

    assert stage.level == 1


def test_two_stages_cannot_share_a_level(administrator):
    rules.escalation_stage_save(by=administrator, name="Peer support", level=2)

    with pytest.raises(ValidationError) as error:
        rules.escalation_stage_save(by=administrator, name="Senior intervention", level=2)

    assert "level" in error.value.message_dict


def test_only_an_administrator_sets_up_triggers(contract_officer, administrator):
    stage = EscalationStageFactory()
    with pytest.raises(PermissionDenied):
        rules.escalation_trigger_save(by=contract_officer, kind=Kind.RISK_HIGH, stage=stage)

    trigger = rules.escalation_trigger_save(by=administrator, kind=Kind.ACTION_PLAN_OVERDUE, stage=stage, months=4)

    assert trigger.months == 4


def test_one_active_trigger_of_each_kind(administrator):
    stage = EscalationStageFactory()
    rules.escalation_trigger_save(by=administrator, kind=Kind.SUSPENSION, stage=stage)

    with pytest.raises(ValidationError) as error:
        rules.escalation_trigger_save(by=administrator, kind=Kind.SUSPENSION, stage=stage)

    assert "kind" in error.value.message_dict


def test_a_stage_that_triggers_open_at_cannot_be_switched_off(administrator):
    stage = EscalationStageFactory()
    EscalationTriggerFactory(kind=Kind.RISK_HIGH, stage=stage)

    with pytest.raises(ValidationError) as error:
        rules.escalation_stage_save(by=administrator, stage=stage, name=stage.name, level=stage.level, active=False)

    assert "active" in error.value.message_dict


# --- An officer's request and the life of an escalation --------------------------------------------------------


def test_an_officers_request_opens_at_the_request_triggers_stage_and_tells_its_people(contract_officer):
    stages = ladder()
    lead = UserFactory(username="senior")
    stages[1].notify_users.add(lead)
    manager = UserFactory(username="manager")
    contract = ContractFactory(contract_manager=manager)

    escalation = rules.escalation_open(
        provider=contract.lead_provider, contract=contract, reason="Owner blocks improvements.", by=contract_officer
    )

    assert escalation.stage == stages[1]
    assert escalation.trigger_kind == Kind.OFFICER_REQUEST
    assert set(escalation.told_users.all()) == {lead, manager}
    assert "Senior Contract Officer" in escalation.told
    note = Notification.objects.get(recipient=lead)
    assert note.link == f"/oversight/escalation/{escalation.pk}/"
    assert contract.lead_provider.name not in note.subject
    assert escalation.events.get().kind == EscalationEvent.Kind.OPENED


def test_a_request_needs_a_reason(contract_officer):
    ladder()
    with pytest.raises(ValidationError) as error:
        rules.escalation_open(provider=ProviderFactory(), reason="  ", by=contract_officer)
    assert "reason" in error.value.message_dict


def test_a_request_names_a_contract_the_provider_holds(contract_officer):
    ladder()
    with pytest.raises(ValidationError) as error:
        rules.escalation_open(
            provider=ProviderFactory(), contract=ContractFactory(), reason="Help needed.", by=contract_officer
        )
    assert "contract" in error.value.message_dict


def test_a_request_needs_a_stage_set_up(contract_officer):
    with pytest.raises(ValidationError) as error:
        rules.escalation_open(provider=ProviderFactory(), reason="Help needed.", by=contract_officer)
    assert "stage" in error.value.message_dict


def test_councillors_and_commissioners_do_not_open_escalations(scrutiny_member, commissioner):
    ladder()
    for who in (scrutiny_member, commissioner):
        with pytest.raises(PermissionDenied):
            rules.escalation_open(provider=ProviderFactory(), reason="Help needed.", by=who)


def test_moving_to_senior_intervention_is_recorded_and_told(contract_officer):
    stages = ladder()
    director = UserFactory(username="director")
    stages[2].notify_users.add(director)
    escalation = EscalationFactory(stage=stages[1])

    rules.escalation_move_stage(escalation=escalation, stage=stages[2], note="No progress.", by=contract_officer)

    escalation.refresh_from_db()
    assert escalation.stage == stages[2]
    assert escalation.events.get(kind=EscalationEvent.Kind.STAGE).text == "No progress."
    assert Notification.objects.filter(recipient=director).count() == 1
    assert director in escalation.told_users.all()


def test_a_move_needs_another_stage_and_a_reason(contract_officer):
    stages = ladder()
    escalation = EscalationFactory(stage=stages[1])

    with pytest.raises(ValidationError) as same:
        rules.escalation_move_stage(escalation=escalation, stage=stages[1], note="Why", by=contract_officer)
    with pytest.raises(ValidationError) as no_note:
        rules.escalation_move_stage(escalation=escalation, stage=stages[2], note="", by=contract_officer)

    assert "stage" in same.value.message_dict
    assert "note" in no_note.value.message_dict


def test_a_decision_is_recorded_at_the_current_stage(contract_officer):
    escalation = EscalationFactory()

    event = rules.escalation_record_decision(
        escalation=escalation, decision="Suspend new admissions.", by=contract_officer
    )

    assert event.stage == escalation.stage
    assert event.happened_on == TODAY


def test_a_decision_cannot_predate_the_escalation(contract_officer):
    escalation = EscalationFactory(opened_on=datetime.date(2026, 5, 1))
    with pytest.raises(ValidationError) as error:
        rules.escalation_record_decision(
            escalation=escalation, decision="x", decided_on=datetime.date(2026, 4, 1), by=contract_officer
        )
    assert "decided_on" in error.value.message_dict


def test_an_action_is_added_and_done(contract_officer):
    escalation = EscalationFactory()

    action = rules.escalation_action_add(
        escalation=escalation, action="Visit", owner=contract_officer, due_on=TODAY, by=contract_officer
    )
    rules.escalation_action_complete(action=action, done_on=TODAY, by=contract_officer)

    action.refresh_from_db()
    assert action.done_on == TODAY
    with pytest.raises(TransitionNotAllowed):
        rules.escalation_action_complete(action=action, done_on=TODAY, by=contract_officer)


def test_an_action_needs_an_owner_and_cannot_be_due_before_the_escalation(contract_officer):
    escalation = EscalationFactory(opened_on=datetime.date(2026, 5, 1))
    with pytest.raises(ValidationError) as early:
        rules.escalation_action_add(
            escalation=escalation,
            action="Visit",
            owner=contract_officer,
            due_on=datetime.date(2026, 4, 1),
            by=contract_officer,
        )
    with pytest.raises(ValidationError) as no_owner:
        rules.escalation_action_add(
            escalation=escalation, action="Visit", owner=None, due_on=TODAY, by=contract_officer
        )
    assert "due_on" in early.value.message_dict
    assert "owner" in no_owner.value.message_dict


def test_an_escalation_closes_only_once_its_actions_are_done(contract_officer):
    action = EscalationActionFactory()
    escalation = action.escalation

    with pytest.raises(ValidationError) as error:
        rules.escalation_close(escalation=escalation, outcome="Resolved.", by=contract_officer)
    assert "outcome" in error.value.message_dict
    assert "still to do" in str(error.value)

    rules.escalation_action_complete(action=action, done_on=TODAY, by=contract_officer)
    closed = rules.escalation_close(escalation=escalation, outcome="Resolved.", by=contract_officer)

    assert closed.status == Escalation.Status.CLOSED
    assert closed.closed_on == TODAY


def test_a_closed_escalation_does_not_change(contract_officer):
    escalation = ClosedEscalationFactory()
    with pytest.raises(TransitionNotAllowed):
        rules.escalation_record_decision(escalation=escalation, decision="More", by=contract_officer)


# --- The daily sweep ----------------------------------------------------------------------------------------


def _trigger(kind, **kwargs):
    return EscalationTriggerFactory(kind=kind, **kwargs)


def test_the_three_month_rule_opens_one_escalation_per_plan():
    trigger = _trigger(Kind.ACTION_PLAN_OVERDUE, months=3)
    plan = ActionPlanFactory(agreed_on=datetime.date(2026, 3, 1))
    risk(plan.provider, datetime.date(2026, 2, 1), "medium")

    assert rules.escalation_triggers_sweep(today=TODAY) == 1
    assert rules.escalation_triggers_sweep(today=TODAY) == 0

    escalation = Escalation.objects.get()
    assert escalation.stage == trigger.stage
    assert escalation.situation_key == f"action_plan_overdue:{plan.pk}"
    assert escalation.opened_by is None


def test_a_plan_within_its_months_or_a_low_risk_provider_is_not_escalated():
    _trigger(Kind.ACTION_PLAN_OVERDUE, months=3)
    recent = ActionPlanFactory(agreed_on=datetime.date(2026, 4, 1))
    risk(recent.provider, datetime.date(2026, 2, 1), "high")
    low = ActionPlanFactory(agreed_on=datetime.date(2026, 3, 1))
    risk(low.provider, datetime.date(2026, 2, 1), "low")

    assert rules.escalation_triggers_sweep(today=TODAY) == 0


def test_the_trigger_sets_the_months():
    _trigger(Kind.ACTION_PLAN_OVERDUE, months=2)
    plan = ActionPlanFactory(agreed_on=datetime.date(2026, 4, 1))
    risk(plan.provider, datetime.date(2026, 2, 1), "high")

    assert rules.escalation_triggers_sweep(today=TODAY) == 1


def test_a_provider_rising_to_high_risk_is_escalated_once():
    _trigger(Kind.RISK_HIGH)
    provider = ProviderFactory()
    risk(provider, datetime.date(2026, 1, 1), "medium")
    risk(provider, datetime.date(2026, 6, 1), "high")

    assert rules.escalation_triggers_sweep(today=TODAY) == 1
    assert rules.escalation_triggers_sweep(today=TODAY) == 0
    assert "from Medium" in Escalation.objects.get().reason


def test_a_provider_already_high_is_not_a_new_rise():
    _trigger(Kind.RISK_HIGH)
    provider = ProviderFactory()
    risk(provider, datetime.date(2026, 6, 1), "high")
    risk(provider, datetime.date(2026, 6, 10), "high")
    fallen = ProviderFactory()
    risk(fallen, datetime.date(2026, 6, 1), "high")
    risk(fallen, datetime.date(2026, 6, 10), "low")

    assert rules.escalation_triggers_sweep(today=TODAY) == 1
    assert Escalation.objects.get().provider == provider


def test_a_suspension_in_force_is_escalated_under_its_contract():
    _trigger(Kind.SUSPENSION)
    contract = ContractFactory()
    SanctionFactory(
        provider=contract.lead_provider, contract=contract, kind="suspension", issued_on=datetime.date(2026, 6, 10)
    )
    SanctionFactory(kind="suspension", issued_on=datetime.date(2026, 6, 1), lifted_on=datetime.date(2026, 6, 5))
    SanctionFactory(kind="default_notice", issued_on=datetime.date(2026, 6, 10))

    assert rules.escalation_triggers_sweep(today=TODAY) == 1
    assert Escalation.objects.get().contract == contract


def test_a_serious_incident_or_a_high_concern_is_escalated_without_its_detail():
    _trigger(Kind.SERIOUS_INCIDENT)
    ConcernFactory(
        kind="serious_incident", severity="medium", raised_on=datetime.date(2026, 6, 12), summary="Mr X fell"
    )
    ConcernFactory(kind="safeguarding", severity="critical", raised_on=datetime.date(2026, 6, 12))
    ConcernFactory(kind="complaint", severity="low", raised_on=datetime.date(2026, 6, 12))

    assert rules.escalation_triggers_sweep(today=TODAY) == 2
    assert not Escalation.objects.filter(reason__contains="Mr X").exists()
    assert not Escalation.objects.filter(reason__icontains="safeguarding").exists()


def test_situations_older_than_the_look_back_are_not_swept(settings):
    settings.ESCALATION_SWEEP_LOOKBACK_DAYS = 31
    _trigger(Kind.SUSPENSION)
    SanctionFactory(kind="suspension", issued_on=datetime.date(2025, 1, 10))

    assert rules.escalation_triggers_sweep(today=TODAY) == 0
    assert len(rules.trigger_situations(today=TODAY)) == 1


def test_an_inactive_trigger_opens_nothing():
    _trigger(Kind.SUSPENSION, active=False)
    SanctionFactory(kind="suspension", issued_on=datetime.date(2026, 6, 10))

    assert rules.escalation_triggers_sweep(today=TODAY) == 0


def test_the_sweep_tells_the_stage_and_the_contract_manager():
    stage = EscalationStageFactory()
    duty = UserFactory(username="duty")
    stage.notify_users.add(duty)
    _trigger(Kind.SUSPENSION, stage=stage)
    manager = UserFactory(username="mgr")
    contract = ContractFactory(contract_manager=manager)
    SanctionFactory(
        provider=contract.lead_provider, contract=contract, kind="suspension", issued_on=datetime.date(2026, 6, 10)
    )

    rules.escalation_triggers_sweep(today=TODAY)
    rules.escalation_triggers_sweep(today=TODAY)

    assert Notification.objects.filter(recipient=duty).count() == 1
    assert Notification.objects.filter(recipient=manager).count() == 1


def test_the_situations_take_constant_queries(django_assert_max_num_queries):
    for kind in (Kind.ACTION_PLAN_OVERDUE, Kind.RISK_HIGH, Kind.SUSPENSION, Kind.SERIOUS_INCIDENT):
        _trigger(kind)
    for _ in range(15):
        plan = ActionPlanFactory(agreed_on=datetime.date(2026, 1, 1))
        risk(plan.provider, datetime.date(2026, 6, 1), "high")
        SanctionFactory(kind="suspension", issued_on=datetime.date(2026, 6, 10))
        ConcernFactory(kind="serious_incident", raised_on=datetime.date(2026, 6, 10))

    with django_assert_max_num_queries(7):
        found = rules.trigger_situations(today=TODAY, new_only=True)

    assert len(found) == 60


def test_the_daily_task_runs_the_sweep():
    from oversight.tasks import sweep_escalation_triggers

    _trigger(Kind.SUSPENSION)
    SanctionFactory(kind="suspension", issued_on=datetime.date(2026, 6, 10))

    assert sweep_escalation_triggers() == 1
    assert sweep_escalation_triggers() == 0
