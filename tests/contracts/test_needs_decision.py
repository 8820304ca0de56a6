"""Needs a decision: every live contract past its latest possible end first, then those ending within 6, 12 and
18 months; and what can be recorded for a contract running past its end."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract, ContractChange
from contracts.selectors import (
    contracts_needing_decision,
    needs_decision_counts,
    needs_decision_groups,
    running_past_end_for,
)
from contracts.services import ENDED, contract_record_change, contract_record_decision
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 3)


def _ends(reference, end, **fields):
    return ContractFactory(reference=reference, start_date=datetime.date(2010, 4, 1), end_date=end, **fields)


@pytest.fixture
def register():
    _ends("RES-2018", datetime.date(2018, 3, 31), annual_value=Decimal("98000000"))
    _ends("DAY-2024", datetime.date(2024, 9, 30))
    _ends("HOME-5M", datetime.date(2027, 5, 1))
    _ends("HOME-11M", datetime.date(2027, 11, 1))
    _ends("HOME-17M", datetime.date(2028, 5, 1))
    _ends("HOME-30M", datetime.date(2029, 6, 1))
    _ends("DECIDED", datetime.date(2019, 3, 31), reprocurement_decision=Contract.Reprocurement.REPROCURE)
    _ends("EXPIRED", datetime.date(2019, 3, 31), status=Contract.Status.EXPIRED)


def _refs(months):
    return [c.reference for c in contracts_needing_decision(within_months=months, today=TODAY)]


def test_contracts_past_their_end_come_first_the_longest_past_first(register):
    assert _refs(6) == ["RES-2018", "DAY-2024", "HOME-5M"]
    assert _refs(18) == ["RES-2018", "DAY-2024", "HOME-5M", "HOME-11M", "HOME-17M"]


def test_past_end_contracts_are_listed_in_the_smallest_window_too(register):
    assert {"RES-2018", "DAY-2024"} <= set(_refs(6))


def test_a_contract_with_a_decision_or_no_longer_live_is_not_listed(register):
    assert not {"DECIDED", "EXPIRED"} & set(_refs(18))


@pytest.mark.parametrize(
    ("end", "words"),
    [
        (datetime.date(2018, 3, 31), "8 years 8 months"),
        (datetime.date(2025, 12, 3), "1 year"),
        (datetime.date(2026, 10, 3), "2 months"),
        (datetime.date(2026, 11, 12), "3 weeks"),
        (datetime.date(2026, 12, 2), "1 day"),
    ],
)
def test_how_long_a_contract_has_run_past_its_end_reads_as_a_person_says_it(end, words):
    assert running_past_end_for(end=end, today=TODAY) == words


def test_the_groups_head_past_end_first_then_the_windows(register):
    groups = needs_decision_groups(
        contracts=list(contracts_needing_decision(within_months=18, today=TODAY)), today=TODAY
    )
    assert [(g.heading, [c.reference for c in g.contracts]) for g in groups] == [
        ("Running past its end", ["RES-2018", "DAY-2024"]),
        ("Ending within 6 months", ["HOME-5M"]),
        ("Ending in 6 to 12 months", ["HOME-11M"]),
        ("Ending in 12 to 18 months", ["HOME-17M"]),
    ]
    assert groups[0].contracts[0].running_past_for == "8 years 8 months"


def test_the_counts_by_heading_come_in_one_query(register, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = needs_decision_counts(today=TODAY)
    assert counts.past_end == 2
    assert counts.within == {6: 1, 12: 2, 18: 3}


def test_the_page_shows_running_past_its_end_first_with_how_long(client_as_officer):
    today = timezone.localdate()
    _ends("LONG-PAST", today - datetime.timedelta(days=800))
    _ends("SOON", today + datetime.timedelta(days=40))
    response = client_as_officer.get(reverse("contracts:needs_decision"), {"within": 6})
    page = response.content.decode()
    assert [g.key for g in response.context["groups"]] == ["past_end", "within_6"]
    assert page.index("Running past its end") < page.index("LONG-PAST") < page.index("SOON")
    assert "2 years 2 months" in page or "2 years 1 month" in page


def test_the_api_lists_needs_a_decision_with_past_end_first(client_as_officer):
    today = timezone.localdate()
    _ends("SOON", today + datetime.timedelta(days=40))
    _ends("PAST", today - datetime.timedelta(days=3000))
    _ends("LATER", today + datetime.timedelta(days=500))
    body = client_as_officer.get("/api/v1/contracts/", {"needs_decision": "true", "within_months": 6}).json()
    assert [c["reference"] for c in body["results"]] == ["PAST", "SOON"]
    body = client_as_officer.get("/api/v1/contracts/", {"needs_decision": "true", "within_months": 18}).json()
    assert [c["reference"] for c in body["results"]] == ["PAST", "SOON", "LATER"]


def test_the_api_refuses_a_window_that_is_not_a_number_of_months(client_as_officer):
    response = client_as_officer.get("/api/v1/contracts/", {"needs_decision": "true", "within_months": "soon"})
    assert response.status_code == 400
    assert "within_months" in response.json()["errors"]


def test_the_schema_documents_the_needs_decision_filter(client_as_admin):
    text = client_as_admin.get("/api/schema/").content.decode()
    assert "needs_decision" in text
    assert "within_months" in text


# --- Recording what happens to a contract past its end -----------------------------------------------------


@pytest.fixture
def past_end():
    today = timezone.localdate()
    return _ends("RES-2018", today - datetime.timedelta(days=3000), extension_months=[12], extensions_used=1)


def test_rolling_on_needs_a_reason_and_takes_it_off_the_list(past_end, contract_officer):
    with pytest.raises(ValidationError) as error:
        contract_record_decision(
            contract=past_end, by=contract_officer, decision="roll_on", decided_on=timezone.localdate()
        )
    assert "reason" in error.value.message_dict
    contract_record_decision(
        contract=past_end,
        by=contract_officer,
        decision="roll_on",
        decided_on=timezone.localdate(),
        reason="Carries on while the residential framework is re-procured.",
    )
    past_end.refresh_from_db()
    assert past_end.reprocurement_decision == Contract.Reprocurement.ROLL_ON
    assert past_end.decision_reason.startswith("Carries on")
    assert not contracts_needing_decision(within_months=6).filter(pk=past_end.pk).exists()


def test_ended_makes_it_expired_on_the_day_it_ended(past_end, contract_officer):
    ended_on = past_end.end_date + datetime.timedelta(days=400)
    contract_record_decision(contract=past_end, by=contract_officer, decision=ENDED, decided_on=ended_on)
    past_end.refresh_from_db()
    assert past_end.status == Contract.Status.EXPIRED
    assert past_end.end_date == past_end.maximum_end_date == ended_on


def test_an_end_before_the_end_date_is_refused_as_a_termination(past_end, contract_officer):
    with pytest.raises(ValidationError) as error:
        contract_record_decision(
            contract=past_end,
            by=contract_officer,
            decision=ENDED,
            decided_on=past_end.end_date - datetime.timedelta(days=1),
        )
    assert "termination" in error.value.message_dict["decided_on"][0]
    past_end.refresh_from_db()
    assert past_end.status == Contract.Status.LIVE


def test_reprocured_links_the_successor_contract(past_end, contract_officer):
    successor = ContractFactory(
        reference="RES-2025", start_date=datetime.date(2025, 4, 1), end_date=datetime.date(2030, 3, 31)
    )
    contract_record_decision(
        contract=past_end,
        by=contract_officer,
        decision="reprocure",
        decided_on=timezone.localdate(),
        successor=successor,
    )
    successor.refresh_from_db()
    assert successor.predecessor == past_end
    assert list(past_end.successors.all()) == [successor]


def test_a_successor_only_goes_with_a_reprocurement(past_end, contract_officer):
    other = ContractFactory()
    with pytest.raises(ValidationError) as error:
        contract_record_decision(
            contract=past_end,
            by=contract_officer,
            decision="roll_on",
            decided_on=timezone.localdate(),
            reason="Carries on.",
            successor=other,
        )
    assert "successor" in error.value.message_dict
    other.refresh_from_db()
    assert other.predecessor is None


def test_extending_a_contract_past_its_end_is_a_change_with_who_approved_it(past_end, contract_officer):
    with pytest.raises(ValidationError) as error:
        contract_record_decision(
            contract=past_end, by=contract_officer, decision="extend", decided_on=timezone.localdate()
        )
    assert "record the extension" in error.value.message_dict["reprocurement_decision"][0]

    with pytest.raises(ValidationError) as error:
        contract_record_change(
            contract=past_end,
            by=contract_officer,
            kind=ContractChange.Kind.EXTENSION,
            effective_on=timezone.localdate(),
            description="Extended while re-procured.",
            extension_months=12,
        )
    assert "approved_by" in error.value.message_dict
    assert not past_end.changes.exists()

    head_of_service = UserFactory(username="head-of-commissioning")
    from django.contrib.auth.models import Group

    head_of_service.groups.add(Group.objects.get(name="Commissioner"))
    today = timezone.localdate()
    change = contract_record_change(
        contract=past_end,
        by=contract_officer,
        kind=ContractChange.Kind.EXTENSION,
        effective_on=today,
        description="Extended while re-procured.",
        extension_months=12,
        approved_by=head_of_service,
    )
    past_end.refresh_from_db()
    assert change.approved_by == head_of_service
    assert past_end.maximum_end_date >= today
    assert not contracts_needing_decision(within_months=6).filter(pk=past_end.pk).exists()


def test_the_decision_page_records_a_roll_on_and_shows_the_reason_error(client_as_officer, past_end):
    url = reverse("contracts:decision", args=[past_end.pk])
    today = timezone.localdate().isoformat()
    response = client_as_officer.post(url, {"reprocurement_decision": "roll_on", "decided_on": today})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    response = client_as_officer.post(
        url, {"reprocurement_decision": "roll_on", "decided_on": today, "reason": "Market shaping under way."}
    )
    assert response.status_code == 302


def test_the_api_records_an_end_and_refuses_a_roll_on_without_a_reason(client_as_officer, past_end):
    url = f"/api/v1/contracts/{past_end.pk}/decision/"
    today = timezone.localdate().isoformat()
    bad = client_as_officer.post(
        url, {"reprocurement_decision": "roll_on", "decided_on": today}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "reason" in bad.json()["errors"]
    ok = client_as_officer.post(
        url, {"reprocurement_decision": "ended", "decided_on": today}, content_type="application/json"
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "expired"


def test_the_dashboard_counts_past_end_and_each_window(client_as_officer, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    today = timezone.localdate()
    _ends("PAST", today - datetime.timedelta(days=100))
    _ends("SOON", today + datetime.timedelta(days=40))
    context = client_as_officer.get(reverse("dashboards:council")).context
    rows = {row["label"]: row["count"] for row in context["needs_decision_rows"]}
    assert rows == {
        "Running past their latest possible end": 1,
        "Ending within 6 months": 1,
        "Ending within 12 months": 1,
        "Ending within 18 months": 1,
    }
    assert context["needs_decision_rows"][0]["url"].startswith("/contracts/needs-decision/")
