"""The demo's escalation governance (demo.escalation): seed 001's ladder and triggers, escalations in the demo
clock's window, governance meetings and contracts causing concern reviews, all made through the services."""

import pytest
from django.test import Client
from django.urls import reverse

from demo.clock import load_day, recent_start
from oversight import governance
from oversight.models import Escalation, EscalationStage, EscalationTrigger, GovernanceMeeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_database, db):
    """The demo data, loaded once for the run (tests/conftest.py)."""


def test_the_ladder_and_the_triggers_are_the_seeds(demo):
    assert list(EscalationStage.objects.values_list("name", flat=True)) == [
        "Contract officer",
        "Peer support",
        "Senior intervention",
        "Contract Management Governance",
    ]
    three_months = EscalationTrigger.objects.get(kind="action_plan_overdue")
    assert three_months.months == 3
    assert set(EscalationTrigger.objects.values_list("kind", flat=True)) == set(EscalationTrigger.Kind.values)


def test_escalations_fall_in_the_demo_window_with_history_and_actions(demo):
    by_hand = Escalation.objects.filter(situation_key="")
    assert by_hand.count() == 6
    assert all(recent_start() <= e.opened_on <= load_day() for e in by_hand)
    assert by_hand.filter(status="closed").count() == 2
    assert by_hand.filter(stage__level=4).exists()
    assert all(e.events.exists() and e.actions.exists() for e in by_hand)


def test_two_governance_meetings_and_two_reviews_with_minutes_and_actions(demo):
    meetings = GovernanceMeeting.objects.all()
    assert meetings.filter(kind="contract_management_governance").count() == 2
    assert meetings.filter(kind="contracts_causing_concern_review").count() == 2
    assert meetings.filter(status="agreed").count() == 2
    assert all(m.minutes and m.actions.exists() for m in meetings)
    assert all(m.items.exists() for m in meetings)


def test_last_months_review_has_contracts_causing_concern(demo):
    review = GovernanceMeeting.objects.filter(kind="contracts_causing_concern_review").order_by("-month").first()
    officer = review.created_by
    assert governance.contracts_causing_concern(month=review.month, user=officer)


def test_the_demo_officer_sees_open_escalations_and_actions_due(demo):
    client = Client()
    client.force_login(GovernanceMeeting.objects.first().created_by)
    text = client.get(reverse("home")).text
    assert "open escalation" in text
    assert "<strong>0</strong> open escalation" not in text
    assert "<strong>0</strong> of your escalation" not in text
    assert client.get(reverse("oversight:escalation")).status_code == 200
    assert client.get(reverse("oversight:causing_concern")).status_code == 200
