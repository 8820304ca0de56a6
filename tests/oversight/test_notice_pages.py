"""The notice, breach and stage pages that had no page test of their own: once saved through the service they go
back where the officer came from with the message, and a refusal is shown on the form (200), nothing saved."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from oversight.models import ContractBreach, ContractPerformanceNotice

from ..factories import ContractBreachFactory, PublishedNoticeFactory
from .escalation_factories import EscalationStageFactory

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_cdp_identifier_is_recorded_on_its_page_once(client_as_officer):
    notice = PublishedNoticeFactory()
    url = reverse("oversight:performance_notice_cdp_id", args=[notice.pk])

    first = client_as_officer.post(url, {"cdp_notice_id": " UK9-001 "})
    again = client_as_officer.post(url, {"cdp_notice_id": "UK9-002"})

    assert first.status_code == 302
    assert first["Location"] == f"/oversight/notices/{notice.pk}/"
    assert _messages(first) == ["Central Digital Platform identifier recorded."]
    assert again.status_code == 200
    assert "already recorded (UK9-001): it cannot change" in again.text
    notice.refresh_from_db()
    assert notice.cdp_notice_id == "UK9-001"


def test_a_breach_consequence_is_recorded_and_goes_back_to_the_contracts_breaches(client_as_officer):
    breach = ContractBreachFactory(consequence="none_yet", consequence_on=None, damages_amount=None)
    url = reverse("oversight:breach_consequence", args=[breach.pk])
    settled = {
        "consequence": "settlement",
        "consequence_on_0": "3",
        "consequence_on_1": "2",
        "consequence_on_2": "2026",
        "settlement_amount": "1500",
    }

    response = client_as_officer.post(url, settled)

    assert response.status_code == 302
    assert response["Location"] == f"/oversight/breaches/?contract={breach.contract_id}"
    assert _messages(response) == ["Consequence recorded."]
    breach.refresh_from_db()
    assert (breach.consequence, breach.consequence_on) == ("settlement", datetime.date(2026, 2, 3))
    assert breach.settlement_amount == Decimal("1500")


def test_a_settlement_without_its_sum_is_refused_on_the_consequence_page(client_as_officer):
    breach = ContractBreachFactory(consequence="none_yet", consequence_on=None, damages_amount=None)
    url = reverse("oversight:breach_consequence", args=[breach.pk])

    response = client_as_officer.post(
        url, {"consequence": "settlement", "consequence_on_0": "3", "consequence_on_1": "2", "consequence_on_2": "2026"}
    )

    assert response.status_code == 200
    assert "settlement_amount" in response.context["form"].errors
    breach.refresh_from_db()
    assert breach.consequence == ContractBreach.Consequence.NONE_YET


def test_a_breach_notice_page_says_when_it_is_due_and_drafts_it_once(client_as_officer):
    # Damages awarded on 1 February 2026: the notice is due 30 days later, on 3 March 2026.
    breach = ContractBreachFactory()
    url = reverse("oversight:breach_notice_create", args=[breach.pk])

    page = client_as_officer.get(url)
    drafted = client_as_officer.post(url)
    again = client_as_officer.post(url)

    assert page.status_code == 200
    assert "It must be published by 03/03/2026." in page.text
    notice = ContractPerformanceNotice.objects.get()
    assert drafted.status_code == 302
    assert drafted["Location"] == f"/oversight/notices/{notice.pk}/"
    assert _messages(drafted) == ["Section 71(5) notice drafted."]
    assert again.status_code == 200
    assert "already has a contract performance notice" in again.text


def test_an_administrator_changes_a_stage_and_a_clashing_level_is_refused(client_as_admin):
    stage = EscalationStageFactory(name="Peer support", level=2)
    EscalationStageFactory(name="Formal escalation", level=3)
    url = reverse("oversight:escalation_stage_edit", args=[stage.pk])
    form = {"name": "Peer review", "level": "2", "who_must_be_told": "Senior Contract Officer", "active": "on"}

    saved = client_as_admin.post(url, form)
    clash = client_as_admin.post(url, {**form, "name": "Peer support", "level": "3"})

    assert saved.status_code == 302
    assert saved["Location"] == "/oversight/escalation/settings/"
    assert _messages(saved) == ["Stage saved."]
    assert clash.status_code == 200
    assert "Another stage is already at level 3." in clash.text
    assert "Change stage: Peer review" in clash.text
    stage.refresh_from_db()
    assert (stage.name, stage.level) == ("Peer review", 2)
