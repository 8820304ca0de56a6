"""The escalation and governance pages: who may use them, writes through the services with field errors, bad
input without a 500, and constant queries on every list."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from oversight.models import Escalation, EscalationStage, EscalationTrigger, GovernanceMeeting
from tests.factories import ContractFactory, ProviderFactory, SanctionFactory

from .escalation_factories import (
    AgreedGovernanceMeetingFactory,
    EscalationActionFactory,
    EscalationFactory,
    EscalationTriggerFactory,
    GovernanceMeetingFactory,
    ladder,
)
from .test_governance_services import returned

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _date(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def test_the_escalation_page_lists_open_escalations_by_stage_and_new_situations(client_as_officer):
    stages = ladder()
    EscalationFactory(stage=stages[2], provider=ProviderFactory(name="Willow Care Ltd"))
    EscalationTriggerFactory(kind=EscalationTrigger.Kind.SUSPENSION, stage=stages[1])
    SanctionFactory(kind="suspension", issued_on=datetime.date(2026, 6, 1), provider=ProviderFactory(name="Oak Ltd"))

    text = client_as_officer.get(reverse("oversight:escalation")).text

    assert "Senior intervention (1)" in text
    assert "Willow Care Ltd" in text
    assert "Oak Ltd: New admissions suspended from 01/06/2026." in text


def test_the_escalation_page_runs_constant_queries(client_as_officer, django_assert_max_num_queries):
    stages = ladder()
    for kind in ("action_plan_overdue", "risk_high", "suspension", "serious_incident"):
        EscalationTriggerFactory(kind=kind, stage=stages[2])
    for n in range(30):
        EscalationFactory(stage=stages[n % 4])
        SanctionFactory(kind="suspension", issued_on=datetime.date(2026, 6, 1))
    with django_assert_max_num_queries(25):
        assert client_as_officer.get(reverse("oversight:escalation")).status_code == 200


def test_councillors_do_not_see_escalations(client_as_scrutiny):
    escalation = EscalationFactory()
    assert client_as_scrutiny.get(reverse("oversight:escalation_detail", args=[escalation.pk])).status_code == 403
    assert client_as_scrutiny.get(reverse("oversight:governance_meetings")).status_code == 403


def test_an_officer_asks_for_support(client_as_officer):
    stages = ladder()
    contract = ContractFactory()

    response = client_as_officer.post(
        reverse("oversight:escalation_new"),
        {"provider": contract.lead_provider.pk, "contract": contract.pk, "reason": "Owner blocks the manager."},
    )

    escalation = Escalation.objects.get()
    assert response.status_code == 302
    assert response.url == escalation.get_absolute_url()
    assert escalation.stage == stages[1]


def test_a_request_without_a_reason_or_with_another_providers_contract_shows_the_error(client_as_officer):
    ladder()
    provider = ProviderFactory()
    empty = client_as_officer.post(reverse("oversight:escalation_new"), {"provider": provider.pk, "reason": ""})
    other = client_as_officer.post(
        reverse("oversight:escalation_new"),
        {"provider": provider.pk, "contract": ContractFactory().pk, "reason": "Help"},
    )

    assert empty.status_code == 200
    assert "Enter a value" in empty.text or "This field is required" in empty.text
    assert other.status_code == 200
    assert "does not hold contract" in other.text
    assert not Escalation.objects.exists()


def test_commissioners_read_but_do_not_open_escalations(client_as_commissioner):
    escalation = EscalationFactory()
    assert client_as_commissioner.get(escalation.get_absolute_url()).status_code == 200
    assert client_as_commissioner.get(reverse("oversight:escalation_new")).status_code == 403


def test_the_detail_shows_history_actions_and_who_was_told(client_as_officer, contract_officer):
    action = EscalationActionFactory(action="Meet the owner", owner=contract_officer)
    escalation = action.escalation
    escalation.told = "Peer support: Senior Contract Officer"
    escalation.save()
    escalation.events.create(kind="decision", happened_on=datetime.date(2026, 5, 2), text="Visit weekly.")

    text = client_as_officer.get(escalation.get_absolute_url()).text

    assert "Meet the owner" in text
    assert "Visit weekly." in text
    assert "Senior Contract Officer" in text


def test_an_unknown_escalation_is_404(client_as_officer):
    assert client_as_officer.get(reverse("oversight:escalation_detail", args=[999])).status_code == 404


def test_moving_deciding_adding_an_action_and_closing_through_the_pages(client_as_officer, contract_officer):
    stages = ladder()
    escalation = EscalationFactory(stage=stages[1])
    url = lambda name: reverse(f"oversight:{name}", args=[escalation.pk])  # noqa: E731

    moved = client_as_officer.post(
        url("escalation_move"), {"stage": stages[2].pk, "note": "Stuck", **_date("moved_on", TODAY)}
    )
    decided = client_as_officer.post(url("escalation_decision"), {"decision": "Suspend", **_date("decided_on", TODAY)})
    added = client_as_officer.post(
        url("escalation_action_add"), {"action": "Visit", "owner": contract_officer.pk, **_date("due_on", TODAY)}
    )
    refused = client_as_officer.post(url("escalation_close"), {"outcome": "Done", **_date("closed_on", TODAY)})
    action = escalation.actions.get()
    done = client_as_officer.post(
        reverse("oversight:escalation_action_done", args=[action.pk]), _date("done_on", TODAY)
    )
    closed = client_as_officer.post(url("escalation_close"), {"outcome": "Done", **_date("closed_on", TODAY)})

    assert [r.status_code for r in (moved, decided, added, refused, done, closed)] == [302, 302, 302, 200, 302, 302]
    assert "still to do" in refused.text
    escalation.refresh_from_db()
    assert escalation.stage == stages[2]
    assert escalation.status == "closed"


def test_a_future_date_is_refused_on_the_page(client_as_officer):
    escalation = EscalationFactory()
    response = client_as_officer.post(
        reverse("oversight:escalation_decision", args=[escalation.pk]),
        {"decision": "x", **_date("decided_on", datetime.date(2026, 7, 1))},
    )
    assert response.status_code == 200
    assert "today or in the past" in response.text


def test_a_bad_date_is_a_form_error_not_a_500(client_as_officer):
    escalation = EscalationFactory()
    response = client_as_officer.post(
        reverse("oversight:escalation_decision", args=[escalation.pk]),
        {"decision": "x", "decided_on_0": "31", "decided_on_1": "2", "decided_on_2": "2026"},
    )
    assert response.status_code == 200


# --- Stages and triggers ------------------------------------------------------------------------------------


def test_only_administrators_reach_the_stage_and_trigger_pages(client_as_officer, client_as_admin):
    for name in ("escalation_config", "escalation_stage_add", "escalation_trigger_add"):
        assert client_as_officer.get(reverse(f"oversight:{name}")).status_code == 403
        assert client_as_admin.get(reverse(f"oversight:{name}")).status_code == 200


def test_an_administrator_adds_a_stage_and_a_trigger(client_as_admin):
    stage = client_as_admin.post(
        reverse("oversight:escalation_stage_add"),
        {"name": "Peer support", "level": "2", "who_must_be_told": "Senior Contract Officer", "active": "on"},
    )
    made = EscalationStage.objects.get()
    trigger = client_as_admin.post(
        reverse("oversight:escalation_trigger_add"),
        {"kind": "action_plan_overdue", "stage": made.pk, "months": "3", "active": "on"},
    )
    duplicate = client_as_admin.post(
        reverse("oversight:escalation_trigger_add"),
        {"kind": "action_plan_overdue", "stage": made.pk, "months": "3", "active": "on"},
    )

    assert (stage.status_code, trigger.status_code, duplicate.status_code) == (302, 302, 200)
    assert "already an active trigger" in duplicate.text
    assert EscalationTrigger.objects.get().stage == made


def test_the_config_page_runs_constant_queries(client_as_admin, django_assert_max_num_queries):
    stages = ladder()
    for kind in ("risk_high", "suspension", "serious_incident"):
        EscalationTriggerFactory(kind=kind, stage=stages[2])
    with django_assert_max_num_queries(12):
        assert client_as_admin.get(reverse("oversight:escalation_config")).status_code == 200


def test_an_administrator_edits_a_trigger(client_as_admin):
    trigger = EscalationTriggerFactory(kind="action_plan_overdue")
    response = client_as_admin.post(
        reverse("oversight:escalation_trigger_edit", args=[trigger.pk]),
        {"kind": "action_plan_overdue", "stage": trigger.stage_id, "months": "4", "active": "on"},
    )
    trigger.refresh_from_db()
    assert response.status_code == 302
    assert trigger.months == 4


# --- Governance ---------------------------------------------------------------------------------------------


def test_setting_up_a_governance_meeting_builds_its_agenda(client_as_officer):
    escalation = EscalationFactory(provider=ProviderFactory(name="Beech Homes"))
    response = client_as_officer.post(
        reverse("oversight:governance_meeting_add"),
        {"kind": "contract_management_governance", "chair": "Heather Lindley", **_date("held_on", TODAY)},
    )
    meeting = GovernanceMeeting.objects.get()
    assert response.status_code == 302
    assert meeting.items.get().escalation == escalation
    assert "Beech Homes" in client_as_officer.get(meeting.get_absolute_url()).text


def test_a_meeting_without_a_chair_shows_the_error(client_as_officer):
    response = client_as_officer.post(
        reverse("oversight:governance_meeting_add"),
        {"kind": "contract_management_governance", "chair": "", **_date("held_on", TODAY)},
    )
    assert response.status_code == 200
    assert not GovernanceMeeting.objects.exists()


def test_minutes_items_actions_and_agreement_through_the_pages(client_as_officer, contract_officer):
    meeting = GovernanceMeetingFactory()
    item = meeting.items.create(position=1, reasons="Market")
    url = lambda name: reverse(f"oversight:{name}", args=[meeting.pk])  # noqa: E731

    minutes = client_as_officer.post(
        url("governance_minutes"), {"minutes": "Three providers discussed.", "attendees": "HL"}
    )
    recorded = client_as_officer.post(
        reverse("oversight:governance_item", args=[item.pk]), {"discussion": "Fees", "decision": "Review"}
    )
    added_item = client_as_officer.post(url("governance_item_add"), {"reasons": "Any other business"})
    action = client_as_officer.post(
        url("governance_action_add"),
        {"action": "Write to owner", "owner": contract_officer.pk, **_date("due_on", TODAY)},
    )
    agreed = client_as_officer.post(url("governance_agree"), _date("agreed_on", TODAY))
    locked = client_as_officer.post(url("governance_minutes"), {"minutes": "Changed"})

    assert [r.status_code for r in (minutes, recorded, added_item, action, agreed, locked)] == [302] * 5 + [200]
    assert "cannot change" in locked.text
    meeting.refresh_from_db()
    assert meeting.minutes == "Three providers discussed."
    assert meeting.is_locked


def test_the_meetings_list_runs_constant_queries(client_as_officer, django_assert_max_num_queries):
    for n in range(25):
        GovernanceMeetingFactory(held_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    AgreedGovernanceMeetingFactory()
    with django_assert_max_num_queries(12):
        response = client_as_officer.get(reverse("oversight:governance_meetings"))
    assert response.status_code == 200
    assert client_as_officer.get(reverse("oversight:governance_meetings"), {"kind": "nonsense"}).status_code == 200


def test_the_meeting_page_runs_constant_queries(client_as_officer, contract_officer, django_assert_max_num_queries):
    meeting = GovernanceMeetingFactory()
    for n in range(10):
        escalation = EscalationFactory()
        meeting.items.create(position=n, escalation=escalation, contract=ContractFactory(), reasons="x")
        EscalationActionFactory(escalation=escalation, meeting=meeting, owner=contract_officer)
    with django_assert_max_num_queries(14):
        assert client_as_officer.get(meeting.get_absolute_url()).status_code == 200


def test_the_causing_concern_list_for_a_month(client_as_officer, django_assert_max_num_queries):
    for n in range(15):
        returned(ContractFactory(reference=f"RED-{n}"), datetime.date(2026, 5, 1), rating="red")
    with django_assert_max_num_queries(12):
        response = client_as_officer.get(reverse("oversight:causing_concern"), {"month": "2026-05"})
    assert response.status_code == 200
    assert "RED-14" in response.text
    assert "15 contracts causing concern" in response.text


def test_a_bad_month_is_a_400_with_the_error(client_as_officer):
    for bad in ("2026-13", "nonsense", "1900-01"):
        response = client_as_officer.get(reverse("oversight:causing_concern"), {"month": bad})
        assert response.status_code == 400
        assert "Enter a month as yyyy-mm" in response.text


def test_the_home_page_counts_open_escalations_and_my_actions_due(client_as_officer, contract_officer):
    EscalationFactory()
    EscalationActionFactory(owner=contract_officer, due_on=datetime.date(2026, 6, 18), action="Call the owner")
    EscalationActionFactory(owner=contract_officer, due_on=datetime.date(2026, 8, 1))

    text = client_as_officer.get(reverse("home")).text

    assert "<strong>3</strong> open escalations" in text  # one, and one for each action
    assert "<strong>1</strong> of your escalation and governance action due" in text
    assert "Call the owner" in text


def test_the_escalation_list_uses_the_action_plan_triggers_months(client_as_officer):
    from tests.factories import ActionPlanFactory

    from .escalation_factories import risk

    stages = ladder()
    EscalationTriggerFactory(kind="action_plan_overdue", months=2, stage=stages[1])
    plan = ActionPlanFactory(title="Night staffing plan", agreed_on=datetime.date(2026, 4, 1))
    risk(plan.provider, datetime.date(2026, 3, 1), "high")

    text = client_as_officer.get(reverse("oversight:escalation")).text

    assert "Night staffing plan" in text
    assert "not complete 2 months after they were agreed" in text
