"""The contracts causing concern list and the governance meetings, through the selector and the services."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError

from oversight import governance
from oversight.models import ContractReturn, GovernanceMeeting
from oversight.services import TransitionNotAllowed
from tests.factories import ContractFactory

from .escalation_factories import (
    AgreedGovernanceMeetingFactory,
    ClosedEscalationFactory,
    EscalationFactory,
    EscalationStageFactory,
    GovernanceMeetingFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
JUNE = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


def returned(contract, month: datetime.date, *, rating: str = "green", jet: int = 6, submitted: bool = True):
    end = month + relativedelta(months=1, days=-1)
    return ContractReturn.objects.create(
        contract=contract,
        period_start=month,
        period_end=end,
        due_on=end + relativedelta(days=10),
        submitted_on=end + relativedelta(days=5) if submitted else None,
        risk_rating=rating if submitted else "",
        jet_score=jet if submitted else None,
    )


def _causing(user, month=JUNE):
    return {row.contract.reference: row.reasons for row in governance.contracts_causing_concern(month=month, user=user)}


def test_a_contract_whose_latest_return_is_red_causes_concern(contract_officer):
    red = ContractFactory(reference="RED-1")
    returned(red, datetime.date(2026, 5, 1), rating="red")
    green_again = ContractFactory(reference="GREEN-1")
    returned(green_again, datetime.date(2026, 4, 1), rating="red")
    returned(green_again, datetime.date(2026, 5, 1), rating="green")

    found = _causing(contract_officer)

    assert list(found) == ["RED-1"]
    assert found["RED-1"] == ["Red risk rating (return for May 2026)"]


def test_a_return_not_yet_submitted_does_not_count(contract_officer):
    contract = ContractFactory(reference="C-1")
    returned(contract, datetime.date(2026, 4, 1), rating="amber")
    returned(contract, datetime.date(2026, 5, 1), submitted=False)

    assert _causing(contract_officer) == {}


def test_a_return_after_the_month_is_not_read(contract_officer):
    contract = ContractFactory(reference="C-1")
    returned(contract, datetime.date(2026, 7, 1), rating="red")

    assert _causing(contract_officer) == {}
    assert "C-1" in _causing(contract_officer, month=datetime.date(2026, 7, 1))


def test_a_falling_grade_causes_concern(contract_officer):
    falling = ContractFactory(reference="FALL-1")
    returned(falling, datetime.date(2026, 4, 1), jet=7)
    returned(falling, datetime.date(2026, 5, 1), jet=5)
    rising = ContractFactory(reference="RISE-1")
    returned(rising, datetime.date(2026, 4, 1), jet=5)
    returned(rising, datetime.date(2026, 5, 1), jet=7)

    found = _causing(contract_officer)

    assert list(found) == ["FALL-1"]
    assert found["FALL-1"] == ["Falling grade: JET score 7 to 5"]


def test_an_escalation_open_at_the_months_end_causes_concern(contract_officer):
    open_one = ContractFactory(reference="ESC-1")
    EscalationFactory(provider=open_one.lead_provider, contract=open_one, opened_on=datetime.date(2026, 5, 1))
    closed = ContractFactory(reference="ESC-2")
    ClosedEscalationFactory(
        provider=closed.lead_provider, contract=closed, opened_on=datetime.date(2026, 4, 1), closed_on=JUNE
    )
    later = ContractFactory(reference="ESC-3")
    EscalationFactory(provider=later.lead_provider, contract=later, opened_on=datetime.date(2026, 7, 1))

    found = _causing(contract_officer)

    assert found == {"ESC-1": ["Open escalation"]}
    assert "ESC-2" in _causing(contract_officer, month=datetime.date(2026, 5, 1))


def test_every_reason_is_given(contract_officer):
    contract = ContractFactory(reference="ALL-1")
    returned(contract, datetime.date(2026, 4, 1), jet=6)
    returned(contract, datetime.date(2026, 5, 1), rating="red", jet=3)
    EscalationFactory(provider=contract.lead_provider, contract=contract)

    assert len(_causing(contract_officer)["ALL-1"]) == 3


def test_councillors_see_no_contracts_causing_concern(scrutiny_member):
    returned(ContractFactory(), datetime.date(2026, 5, 1), rating="red")
    assert _causing(scrutiny_member) == {}


def test_the_list_takes_constant_queries(contract_officer, django_assert_max_num_queries):
    for n in range(20):
        contract = ContractFactory()
        returned(contract, datetime.date(2026, 4, 1), jet=7)
        returned(contract, datetime.date(2026, 5, 1), rating="red" if n % 2 else "green", jet=5)
    with django_assert_max_num_queries(2):
        assert len(governance.contracts_causing_concern(month=JUNE, user=contract_officer)) == 20


# --- Meetings ---------------------------------------------------------------------------------------------


def test_a_governance_meeting_has_the_open_escalations_on_its_agenda_highest_stage_first(contract_officer):
    low, high = EscalationStageFactory(level=1), EscalationStageFactory(level=3)
    first = EscalationFactory(stage=low)
    second = EscalationFactory(stage=high)
    ClosedEscalationFactory(stage=high)

    meeting = governance.governance_meeting_create(
        kind=GovernanceMeeting.Kind.GOVERNANCE, held_on=TODAY, chair="Heather Lindley", by=contract_officer
    )

    assert [item.escalation for item in meeting.items.order_by("position")] == [second, first]
    assert meeting.status == GovernanceMeeting.Status.DRAFT


def test_a_review_has_the_months_contracts_causing_concern(contract_officer):
    contract = ContractFactory(reference="RED-9")
    returned(contract, datetime.date(2026, 5, 1), rating="red")

    meeting = governance.governance_meeting_create(
        kind=GovernanceMeeting.Kind.CAUSING_CONCERN, held_on=TODAY, chair="Head of commissioning", by=contract_officer
    )

    assert meeting.month == datetime.date(2026, 5, 1)
    item = meeting.items.get()
    assert item.contract == contract
    assert "Red risk rating" in item.reasons


def test_a_meeting_needs_a_chair(contract_officer):
    with pytest.raises(ValidationError) as error:
        governance.governance_meeting_create(
            kind=GovernanceMeeting.Kind.GOVERNANCE, held_on=TODAY, chair=" ", by=contract_officer
        )
    assert "chair" in error.value.message_dict


def test_commissioners_do_not_set_up_meetings(commissioner):
    with pytest.raises(PermissionDenied):
        governance.governance_meeting_create(
            kind=GovernanceMeeting.Kind.GOVERNANCE, held_on=TODAY, chair="Chair", by=commissioner
        )


def test_minutes_are_agreed_then_locked(contract_officer):
    meeting = GovernanceMeetingFactory()
    with pytest.raises(ValidationError) as empty:
        governance.governance_meeting_agree(meeting=meeting, by=contract_officer)
    assert "minutes" in empty.value.message_dict

    governance.governance_meeting_record_minutes(
        meeting=meeting, minutes="Discussed three providers.", by=contract_officer
    )
    agreed = governance.governance_meeting_agree(meeting=meeting, by=contract_officer)

    assert agreed.status == GovernanceMeeting.Status.AGREED
    with pytest.raises(TransitionNotAllowed):
        governance.governance_meeting_record_minutes(meeting=meeting, minutes="Changed.", by=contract_officer)
    with pytest.raises(TransitionNotAllowed):
        governance.governance_action_add(
            meeting=meeting, action="More", owner=contract_officer, due_on=TODAY, by=contract_officer
        )


def test_an_item_is_discussed_and_decided(contract_officer):
    meeting = GovernanceMeetingFactory()
    item = governance.governance_item_add(meeting=meeting, reasons="Market pressures", by=contract_officer)

    governance.governance_item_record(
        item=item, discussion="Fees rising.", decision="Review fees.", by=contract_officer
    )

    item.refresh_from_db()
    assert item.decision == "Review fees."
    assert item.position == 1


def test_an_agreed_meetings_items_do_not_change(contract_officer):
    meeting = AgreedGovernanceMeetingFactory()
    item = meeting.items.create(position=1, reasons="x")
    with pytest.raises(TransitionNotAllowed):
        governance.governance_item_record(item=item, discussion="New", decision="", by=contract_officer)


def test_a_meeting_action_is_on_one_of_its_escalations(contract_officer):
    escalation = EscalationFactory()
    meeting = GovernanceMeetingFactory()
    governance.governance_item_add(meeting=meeting, reasons="Escalated", escalation=escalation, by=contract_officer)

    action = governance.governance_action_add(
        meeting=meeting,
        action="Senior meeting with the owner",
        owner=contract_officer,
        due_on=TODAY,
        escalation=escalation,
        by=contract_officer,
    )

    assert action.meeting == meeting
    assert action.escalation == escalation
    with pytest.raises(ValidationError) as early:
        governance.governance_action_add(
            meeting=meeting, action="x", owner=contract_officer, due_on=datetime.date(2026, 1, 1), by=contract_officer
        )
    assert "due_on" in early.value.message_dict


def test_an_action_cannot_be_on_an_escalation_another_meeting_considers(contract_officer):
    elsewhere = EscalationFactory()
    other_meeting = GovernanceMeetingFactory()
    governance.governance_item_add(meeting=other_meeting, reasons="x", escalation=elsewhere, by=contract_officer)
    meeting = GovernanceMeetingFactory()

    with pytest.raises(ValidationError) as refused:
        governance.governance_action_add(
            meeting=meeting, action="x", owner=contract_officer, due_on=TODAY, escalation=elsewhere, by=contract_officer
        )

    assert refused.value.message_dict == {"escalation": ["That escalation is not on this meeting's agenda."]}
    assert list(governance.meeting_escalations(other_meeting)) == [elsewhere]
