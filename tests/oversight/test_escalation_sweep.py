"""The daily sweep keeps one escalation per provider while it is open (seed 001, 'Maximising Support, Minimising
Risk'): a further situation is added to the open escalation once, moves it up to its trigger's stage if that is
higher, and tells the stage's people once; a closed escalation takes nothing new."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError

from commissioning.models import Notification
from oversight import escalation as rules
from oversight.models import Escalation, EscalationEvent, EscalationTrigger
from tests.factories import ContractFactory, ProviderFactory, SanctionFactory, UserFactory

from .escalation_factories import (
    ClosedEscalationFactory,
    EscalationFactory,
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


@pytest.fixture
def stages():
    """Contract manager (1), peer support (2), senior intervention (3), Contract Management Governance (4)."""
    return ladder()


def _risk_high_then_suspended(provider, contract=None):
    """A rise to High on 1 June, then a suspension of admissions on 10 June."""
    risk(provider, datetime.date(2026, 1, 1), "medium")
    risk(provider, datetime.date(2026, 6, 1), "high")
    return SanctionFactory(
        provider=provider, contract=contract, kind="suspension", issued_on=datetime.date(2026, 6, 10)
    )


def _added(escalation):
    return escalation.events.exclude(situation_key="")


def test_a_suspension_after_a_rise_to_high_joins_the_providers_open_escalation(stages):
    EscalationTriggerFactory(kind=Kind.RISK_HIGH, stage=stages[0])
    EscalationTriggerFactory(kind=Kind.SUSPENSION, stage=stages[0])
    provider = ProviderFactory()
    suspension = _risk_high_then_suspended(provider)

    assert rules.escalation_triggers_sweep(today=TODAY) == 1
    assert rules.escalation_triggers_sweep(today=TODAY) == 0

    escalation = Escalation.objects.get()
    assert escalation.provider == provider
    assert escalation.situation_key.startswith("risk_high:")
    added = _added(escalation).get()
    assert added.situation_key == f"suspension:{suspension.pk}"
    assert added.text == "Further situation (Suspension of new admissions): New admissions suspended from 10/06/2026."
    assert added.happened_on == TODAY
    assert added.by is None
    assert escalation.stage == stages[0]


def test_a_situation_is_added_once_however_often_the_sweep_runs(stages):
    escalation = EscalationFactory(stage=stages[1])
    EscalationTriggerFactory(kind=Kind.SUSPENSION, stage=stages[1])
    SanctionFactory(provider=escalation.provider, kind="suspension", issued_on=datetime.date(2026, 6, 10))

    for _ in range(3):
        assert rules.escalation_triggers_sweep(today=TODAY) == 0

    assert Escalation.objects.count() == 1
    assert _added(escalation).count() == 1
    assert rules.trigger_situations(today=TODAY, lookback=31, new_only=True) == []


def test_a_closed_escalation_does_not_take_a_new_situation(stages):
    closed = ClosedEscalationFactory(stage=stages[1])
    EscalationTriggerFactory(kind=Kind.SUSPENSION, stage=stages[1])
    SanctionFactory(provider=closed.provider, kind="suspension", issued_on=datetime.date(2026, 6, 10))

    assert rules.escalation_triggers_sweep(today=TODAY) == 1

    assert not _added(closed).exists()
    opened = Escalation.objects.get(status=Escalation.Status.OPEN)
    assert opened.provider == closed.provider
    assert opened.pk != closed.pk


def test_each_provider_gets_its_own_escalation(stages):
    EscalationTriggerFactory(kind=Kind.RISK_HIGH, stage=stages[0])
    EscalationTriggerFactory(kind=Kind.SUSPENSION, stage=stages[0])
    first, second = ProviderFactory(), ProviderFactory()
    _risk_high_then_suspended(first)
    _risk_high_then_suspended(second)

    assert rules.escalation_triggers_sweep(today=TODAY) == 2

    for provider in (first, second):
        escalation = Escalation.objects.get(provider=provider)
        assert _added(escalation).get().situation_key.startswith("suspension:")
    assert EscalationEvent.objects.exclude(situation_key="").count() == 2


def test_the_stages_people_are_told_of_a_further_situation_once_with_a_link_only(stages):
    duty = UserFactory(username="duty")
    stages[1].notify_users.add(duty)
    manager = UserFactory(username="mgr")
    contract = ContractFactory(contract_manager=manager)
    escalation = EscalationFactory(provider=contract.lead_provider, contract=contract, stage=stages[1])
    EscalationTriggerFactory(kind=Kind.SUSPENSION, stage=stages[0])
    SanctionFactory(
        provider=contract.lead_provider, contract=contract, kind="suspension", issued_on=datetime.date(2026, 6, 10)
    )

    rules.escalation_triggers_sweep(today=TODAY)
    rules.escalation_triggers_sweep(today=TODAY)

    note = Notification.objects.get(recipient=duty)
    assert note.link == f"/oversight/escalation/{escalation.pk}/"
    assert note.subject == "A further situation was added to an escalation at Peer support"
    assert contract.lead_provider.name not in note.subject
    assert Notification.objects.filter(recipient=manager).count() == 1
    assert Notification.objects.count() == 2


def test_a_trigger_at_a_higher_stage_moves_the_open_escalation_up_and_tells_that_stage_once(stages):
    peer, senior = UserFactory(username="peer"), UserFactory(username="senior")
    stages[1].notify_users.add(peer)
    stages[2].notify_users.add(senior)
    escalation = EscalationFactory(stage=stages[1])
    EscalationTriggerFactory(kind=Kind.SUSPENSION, stage=stages[2])
    SanctionFactory(provider=escalation.provider, kind="suspension", issued_on=datetime.date(2026, 6, 10))

    rules.escalation_triggers_sweep(today=TODAY)
    rules.escalation_triggers_sweep(today=TODAY)

    escalation.refresh_from_db()
    assert escalation.stage == stages[2]
    added = _added(escalation).get()
    assert added.stage == stages[1]  # recorded at the stage it found the escalation at
    move = escalation.events.get(kind=EscalationEvent.Kind.STAGE)
    assert move.stage == stages[2]
    assert move.happened_on == TODAY
    assert move.text == "Moved up by the daily sweep: Suspension of new admissions opens at Senior intervention."
    assert Notification.objects.get(recipient=senior).subject == "An escalation has reached Senior intervention"
    assert not Notification.objects.filter(recipient=peer).exists()
    assert senior in escalation.told_users.all()


def test_a_trigger_at_a_lower_stage_does_not_move_the_escalation_down(stages):
    escalation = EscalationFactory(stage=stages[2])
    EscalationTriggerFactory(kind=Kind.SUSPENSION, stage=stages[0])
    SanctionFactory(provider=escalation.provider, kind="suspension", issued_on=datetime.date(2026, 6, 10))

    rules.escalation_triggers_sweep(today=TODAY)

    escalation.refresh_from_db()
    assert escalation.stage == stages[2]
    assert not escalation.events.filter(kind=EscalationEvent.Kind.STAGE).exists()
    assert _added(escalation).get().stage == stages[2]


def test_the_first_situation_opens_and_a_later_one_of_the_same_sweep_joins_it(stages):
    EscalationTriggerFactory(kind=Kind.RISK_HIGH, stage=stages[0])
    EscalationTriggerFactory(kind=Kind.SUSPENSION, stage=stages[2])
    provider = ProviderFactory()
    suspension = _risk_high_then_suspended(provider)

    assert rules.escalation_triggers_sweep(today=TODAY) == 1

    escalation = Escalation.objects.get()
    assert escalation.reason == "The provider's risk rose to High on 01/06/2026 (from Medium)."
    assert _added(escalation).get().situation_key == f"suspension:{suspension.pk}"
    assert escalation.stage == stages[2]


def test_a_situation_under_a_contract_joins_that_contracts_escalation(stages):
    contract = ContractFactory()
    provider = contract.lead_provider
    general = EscalationFactory(provider=provider, stage=stages[1], opened_on=datetime.date(2026, 5, 1))
    under_contract = EscalationFactory(
        provider=provider, contract=contract, stage=stages[1], opened_on=datetime.date(2026, 5, 20)
    )
    EscalationTriggerFactory(kind=Kind.SUSPENSION, stage=stages[1])
    SanctionFactory(provider=provider, contract=contract, kind="suspension", issued_on=datetime.date(2026, 6, 10))

    rules.escalation_triggers_sweep(today=TODAY)

    assert _added(under_contract).count() == 1
    assert not _added(general).exists()


def test_a_situation_is_recorded_on_one_event_only():
    escalation = EscalationFactory()
    escalation.events.create(kind="decision", happened_on=TODAY, situation_key="suspension:1")

    with pytest.raises(IntegrityError):
        escalation.events.create(kind="decision", happened_on=TODAY, situation_key="suspension:1")
