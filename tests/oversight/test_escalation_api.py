"""/api/v1/escalations/ and /api/v1/governance-meetings/: reads, writes through the services, 400 with field
errors, and the same refusals as the pages."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from oversight.models import Escalation, GovernanceMeeting
from tests.factories import ContractFactory, ProviderFactory

from .escalation_factories import (
    EscalationActionFactory,
    EscalationFactory,
    GovernanceMeetingFactory,
    ladder,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _url(name, *args):
    return reverse(f"v1:{name}", args=args)


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_escalations_are_listed_with_stage_history_and_actions(client_as_officer):
    action = EscalationActionFactory()
    action.escalation.events.create(kind="opened", happened_on=datetime.date(2026, 5, 1), text="Opened")
    EscalationFactory(status="closed", closed_on=TODAY, outcome="Done")

    body = client_as_officer.get(_url("escalation-list"), {"status": "open"}).json()

    assert [row["id"] for row in body["results"]] == [action.escalation_id]
    row = body["results"][0]
    assert row["actions"][0]["action"] == action.action
    assert row["events"][0]["kind"] == "opened"
    assert row["stage_name"] == action.escalation.stage.name


def test_the_list_runs_constant_queries(client_as_officer, django_assert_max_num_queries):
    for _ in range(20):
        EscalationActionFactory()
    with django_assert_max_num_queries(14):
        assert client_as_officer.get(_url("escalation-list")).status_code == 200


def test_an_officer_asks_for_support_through_the_api(client_as_officer):
    stages = ladder()
    contract = ContractFactory()

    answer = _post(
        client_as_officer,
        _url("escalation-list"),
        {"provider": contract.lead_provider_id, "contract": contract.pk, "reason": "Owner hampers manager."},
    )

    assert answer.status_code == 201, answer.json()
    assert answer.json()["stage"] == stages[1].pk
    assert answer.json()["trigger_kind"] == "officer_request"


def test_the_api_names_the_field_in_error(client_as_officer):
    ladder()
    provider = ProviderFactory()
    no_reason = _post(client_as_officer, _url("escalation-list"), {"provider": provider.pk, "reason": ""})
    other = _post(
        client_as_officer,
        _url("escalation-list"),
        {"provider": provider.pk, "contract": ContractFactory().pk, "reason": "Help"},
    )
    shape = _post(client_as_officer, _url("escalation-list"), {"provider": "x", "reason": "Help"})

    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["errors"]
    assert other.status_code == 400
    assert "contract" in other.json()["errors"]
    assert shape.status_code == 400
    assert "provider" in shape.json()["errors"]
    assert not Escalation.objects.exists()


def test_councillors_commissioners_and_anonymous_are_refused(client_as_scrutiny, client_as_commissioner):
    ladder()
    provider = ProviderFactory()
    assert client_as_scrutiny.get(_url("escalation-list")).status_code == 403
    assert (
        _post(client_as_commissioner, _url("escalation-list"), {"provider": provider.pk, "reason": "x"}).status_code
        == 403
    )
    assert Client().get(_url("escalation-list")).status_code == 401
    assert client_as_commissioner.get(_url("escalation-list")).status_code == 200


def test_move_decide_act_and_close_through_the_api(client_as_officer, contract_officer):
    stages = ladder()
    escalation = EscalationFactory(stage=stages[1])

    moved = _post(client_as_officer, _url("escalation-move", escalation.pk), {"stage": stages[2].pk, "note": "Stuck"})
    decided = _post(client_as_officer, _url("escalation-decisions", escalation.pk), {"decision": "Weekly visits"})
    added = _post(
        client_as_officer,
        _url("escalation-actions", escalation.pk),
        {"action": "Visit", "owner": contract_officer.pk, "due_on": "2026-06-20"},
    )
    refused = _post(client_as_officer, _url("escalation-close", escalation.pk), {"outcome": "Done"})
    done = _post(
        client_as_officer,
        _url("escalation-complete-action", escalation.pk),
        {"action": added.json()["id"], "done_on": "2026-06-15"},
    )
    closed = _post(client_as_officer, _url("escalation-close", escalation.pk), {"outcome": "Done"})

    assert [r.status_code for r in (moved, decided, added, refused, done, closed)] == [200, 201, 201, 400, 200, 200]
    assert "outcome" in refused.json()["errors"]
    assert moved.json()["stage"] == stages[2].pk
    assert closed.json()["status"] == "closed"


def test_a_move_to_the_same_stage_is_400(client_as_officer):
    escalation = EscalationFactory()
    answer = _post(
        client_as_officer, _url("escalation-move", escalation.pk), {"stage": escalation.stage_id, "note": "x"}
    )
    assert answer.status_code == 400
    assert "stage" in answer.json()["errors"]


def test_an_action_of_another_escalation_is_not_completed_here(client_as_officer):
    escalation = EscalationFactory()
    other = EscalationActionFactory()
    answer = _post(
        client_as_officer,
        _url("escalation-complete-action", escalation.pk),
        {"action": other.pk, "done_on": "2026-06-15"},
    )
    assert answer.status_code == 400
    assert "action" in answer.json()["errors"]


def test_governance_meetings_are_listed_and_set_up(client_as_officer):
    EscalationFactory()
    GovernanceMeetingFactory()

    listed = client_as_officer.get(_url("governancemeeting-list")).json()
    made = _post(
        client_as_officer,
        _url("governancemeeting-list"),
        {"kind": "contract_management_governance", "held_on": "2026-06-15", "chair": "Heather Lindley"},
    )
    bad = _post(
        client_as_officer,
        _url("governancemeeting-list"),
        {"kind": "contract_management_governance", "held_on": "2026-06-15", "chair": ""},
    )

    assert listed["count"] == 1
    assert made.status_code == 201
    assert len(made.json()["items"]) == 1
    assert bad.status_code == 400
    assert "chair" in bad.json()["errors"]
    assert GovernanceMeeting.objects.count() == 2


def test_the_meetings_list_runs_constant_queries(client_as_officer, django_assert_max_num_queries):
    for n in range(20):
        meeting = GovernanceMeetingFactory(held_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
        meeting.items.create(position=1, contract=ContractFactory(), reasons="x")
    with django_assert_max_num_queries(14):
        assert client_as_officer.get(_url("governancemeeting-list")).status_code == 200


def test_councillors_see_no_governance_meetings(client_as_scrutiny):
    assert client_as_scrutiny.get(_url("governancemeeting-list")).status_code == 403


def test_the_page_and_the_api_give_the_same_refusal_and_field_error(client_as_officer, client_as_commissioner):
    ladder()
    contract = ContractFactory()
    other = ProviderFactory()
    body = {"provider": other.pk, "contract": contract.pk, "reason": "Help"}

    page = client_as_officer.post(reverse("oversight:escalation_new"), body)
    api = _post(client_as_officer, _url("escalation-list"), body)

    assert page.context["form"].errors["contract"] == api.json()["errors"]["contract"]
    assert client_as_commissioner.post(reverse("oversight:escalation_new"), body).status_code == 403
    assert _post(client_as_commissioner, _url("escalation-list"), body).status_code == 403
