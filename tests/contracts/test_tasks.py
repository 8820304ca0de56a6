import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from contracts.models import Contract
from contracts.tasks import send_needs_decision_digest
from tests.factories import ContractFactory, StrategyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _due(strategy, reference, months_left=3, **kwargs):
    today = timezone.localdate()
    return ContractFactory(
        reference=reference,
        strategy=strategy,
        start_date=today - datetime.timedelta(days=700),
        end_date=today + datetime.timedelta(days=30 * months_left),
        **kwargs,
    )


def test_each_commissioning_lead_gets_one_email_listing_their_contracts():
    lead_a = UserFactory(username="lead-a", email="lead.a@council.example")
    lead_b = UserFactory(username="lead-b", email="lead.b@council.example")
    frailty = StrategyFactory(commissioning_lead=lead_a)
    carers = StrategyFactory(commissioning_lead=lead_a)
    wellbeing = StrategyFactory(commissioning_lead=lead_b)
    _due(frailty, "HBR-01")
    _due(carers, "CARERS-01", months_left=17)
    _due(wellbeing, "WELL-01")
    _due(wellbeing, "DECIDED-01", reprocurement_decision=Contract.Reprocurement.EXTEND)
    _due(wellbeing, "LATER-01", months_left=30)
    _due(None, "NO-STRATEGY")

    sent = send_needs_decision_digest.delay().get()

    assert sent == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"lead.a@council.example", "lead.b@council.example"}
    a_body = by_recipient["lead.a@council.example"].body
    assert "HBR-01" in a_body
    assert "CARERS-01" in a_body
    assert "WELL-01" not in a_body
    b_body = by_recipient["lead.b@council.example"].body
    assert "WELL-01" in b_body
    assert "DECIDED-01" not in b_body
    assert "LATER-01" not in b_body
    assert by_recipient["lead.a@council.example"].subject.startswith("Contracts needing a decision: 2")


def test_no_email_when_nothing_needs_a_decision():
    assert send_needs_decision_digest.delay().get() == 0
    assert mail.outbox == []


def test_digest_is_scheduled_weekly_on_monday_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["contracts-needs-decision-digest"]
    assert entry["task"] == send_needs_decision_digest.name
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1}
    assert schedule.hour == {7}
    assert schedule.minute == {0}
