"""A named contract manager and backup on every live contract; change notices (UK10) above the section 75
thresholds; terminations for the termination notice (UK11)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract, ContractChange
from contracts.services import (
    contract_change_record_notice,
    contract_record_change,
    contract_record_termination,
    contract_record_termination_notice,
    contract_update,
)
from tests.factories import ContractFactory
from tests.providers.factories import CommissionerFactory, OfficerFactory

pytestmark = pytest.mark.django_db

R = Contract.Regime


# --- Manager and backup ----------------------------------------------------------------------------------


def test_the_backup_must_be_someone_other_than_the_manager(contract_officer):
    officer = OfficerFactory()
    contract = ContractFactory()
    with pytest.raises(ValidationError) as error:
        contract_update(contract=contract, by=contract_officer, contract_manager=officer, backup_manager=officer)
    assert "someone other than" in error.value.message_dict["backup_manager"][0]
    contract.refresh_from_db()
    assert contract.contract_manager is None


def test_the_backup_must_be_an_active_contract_officer(contract_officer):
    contract = ContractFactory()
    with pytest.raises(ValidationError) as error:
        contract_update(contract=contract, by=contract_officer, backup_manager=CommissionerFactory())
    assert "active contract officer" in error.value.message_dict["backup_manager"][0]
    gone = OfficerFactory(is_active=False)
    with pytest.raises(ValidationError):
        contract_update(contract=contract, by=contract_officer, backup_manager=gone)


def test_a_live_contract_without_a_manager_or_backup_is_flagged_and_filtered(client_as_officer):
    manager, backup = OfficerFactory(), OfficerFactory()
    ContractFactory(reference="BOTH", contract_manager=manager, backup_manager=backup)
    ContractFactory(reference="NO-BACKUP", contract_manager=manager)
    ContractFactory(reference="NONE")
    ContractFactory(reference="ENDED", status=Contract.Status.EXPIRED)
    listed = client_as_officer.get(reverse("contracts:list"), {"no_manager": "1"}).context["contracts"]
    assert sorted(c.reference for c in listed) == ["NO-BACKUP", "NONE"]

    none = Contract.objects.get(reference="NONE")
    page = client_as_officer.get(reverse("contracts:detail", args=[none.pk])).content.decode()
    assert "no named contract manager and no backup" in page
    both = Contract.objects.get(reference="BOTH")
    page = client_as_officer.get(reverse("contracts:detail", args=[both.pk])).content.decode()
    assert 'data-flag="no-manager"' not in page


def test_the_register_filters_by_manager_or_backup_on_the_page_and_in_the_api(client_as_officer):
    priya, sam = OfficerFactory(), OfficerFactory()
    ContractFactory(reference="PRIYA-MANAGES", contract_manager=priya)
    ContractFactory(reference="PRIYA-BACKS-UP", contract_manager=sam, backup_manager=priya)
    ContractFactory(reference="SAM-ONLY", contract_manager=sam)
    page = client_as_officer.get(reverse("contracts:list"), {"manager": priya.pk}).context["contracts"]
    assert sorted(c.reference for c in page) == ["PRIYA-BACKS-UP", "PRIYA-MANAGES"]
    api = client_as_officer.get("/api/v1/contracts/", {"manager": priya.pk}).json()["results"]
    assert sorted(c["reference"] for c in api) == ["PRIYA-BACKS-UP", "PRIYA-MANAGES"]


def test_the_api_refuses_the_same_person_as_manager_and_backup(client_as_officer):
    officer = OfficerFactory()
    contract = ContractFactory()
    response = client_as_officer.patch(
        f"/api/v1/contracts/{contract.pk}/",
        {"contract_manager": officer.pk, "backup_manager": officer.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "backup_manager" in response.json()["errors"]


# --- Change notices (UK10) -------------------------------------------------------------------------------


def _act(**fields):
    defaults = {
        "regime": R.PROCUREMENT_ACT_2023,
        "estimated_value": Decimal("10000000"),
        "total_value": Decimal("10000000"),
        "start_date": datetime.date(2025, 4, 1),
        "end_date": datetime.date(2035, 3, 31),  # 119 months
        "extension_months": [12, 24],
    }
    return ContractFactory(**{**defaults, **fields})


def _vary(contract, by, value_change):
    return contract_record_change(
        contract=contract,
        by=by,
        kind=ContractChange.Kind.VARIATION,
        effective_on=datetime.date(2026, 1, 1),
        description="Added night-time visits.",
        value_change=Decimal(value_change),
    )


@pytest.mark.parametrize(
    ("supply", "value_change", "due"),
    [
        (Contract.Supply.SERVICES, "1000000", False),  # exactly 10 %: not above
        (Contract.Supply.SERVICES, "1000000.01", True),
        (Contract.Supply.SERVICES, "-1000000.01", True),  # a reduction counts too
        (Contract.Supply.WORKS, "1500000", False),  # exactly 15 % for works
        (Contract.Supply.WORKS, "1200000", False),
        (Contract.Supply.WORKS, "1500000.01", True),
    ],
)
def test_a_change_notice_is_due_only_above_the_value_thresholds(contract_officer, supply, value_change, due):
    change = _vary(_act(supply_type=supply), contract_officer, value_change)
    assert change.change_notice_required is due
    assert change.change_notice_reason


def test_a_change_notice_is_due_for_an_extension_over_a_tenth_of_the_term(contract_officer):
    # The term is 119 months: the first option (12 months) is over 10 %; with a 240-month term it is not.
    long_term = _act(end_date=datetime.date(2045, 4, 1), extension_months=[12])
    change = contract_record_change(
        contract=_act(),
        by=contract_officer,
        kind=ContractChange.Kind.EXTENSION,
        effective_on=datetime.date(2035, 4, 1),
        description="First extension.",
    )
    assert change.change_notice_required is True
    assert "over 10 % of the term" in change.change_notice_reason
    change = contract_record_change(
        contract=long_term,
        by=contract_officer,
        kind=ContractChange.Kind.EXTENSION,
        effective_on=datetime.date(2045, 4, 2),
        description="Extension.",
    )
    assert change.change_notice_required is False


@pytest.mark.parametrize("regime", [R.LIGHT_TOUCH, R.PCR_2015])
def test_a_light_touch_or_2015_contract_never_needs_a_change_notice(contract_officer, regime):
    change = _vary(_act(regime=regime), contract_officer, "5000000")
    assert change.change_notice_required is False


def test_the_published_notice_is_recorded_once_due_with_its_identifier_and_date(contract_officer):
    change = _vary(_act(), contract_officer, "2000000")
    with pytest.raises(ValidationError) as error:
        contract_change_record_notice(
            change=change, by=contract_officer, notice_id="", published_on=timezone.localdate()
        )
    assert "change_notice_id" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        contract_change_record_notice(
            change=change,
            by=contract_officer,
            notice_id="UK10-001",
            published_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "change_notice_published_on" in error.value.message_dict
    contract_change_record_notice(
        change=change, by=contract_officer, notice_id="UK10-001", published_on=datetime.date(2026, 1, 10)
    )
    change.refresh_from_db()
    assert (change.change_notice_id, change.change_notice_published_on) == ("UK10-001", datetime.date(2026, 1, 10))


def test_no_notice_is_recorded_for_a_change_below_the_thresholds(contract_officer):
    change = _vary(_act(), contract_officer, "100")
    with pytest.raises(ValidationError):
        contract_change_record_notice(
            change=change, by=contract_officer, notice_id="UK10-2", published_on=datetime.date(2026, 1, 10)
        )


def test_the_change_page_says_a_notice_is_due_and_records_it(client_as_officer, contract_officer):
    change = _vary(_act(), contract_officer, "2000000")
    url = reverse("contracts:change", args=[change.contract_id, change.pk])
    page = client_as_officer.get(url)
    assert page.status_code == 200
    assert "Due" in page.content.decode()
    bad = client_as_officer.post(url, {"change_notice_id": "", "change_notice_published_on": "2026-01-10"})
    assert bad.status_code == 200
    assert "change_notice_id" in bad.context["form"].errors
    ok = client_as_officer.post(url, {"change_notice_id": "UK10-77", "change_notice_published_on": "2026-01-10"})
    assert ok.status_code == 302
    change.refresh_from_db()
    assert change.change_notice_id == "UK10-77"


def test_the_api_records_the_change_notice(client_as_officer, contract_officer):
    change = _vary(_act(), contract_officer, "2000000")
    url = f"/api/v1/contracts/{change.contract_id}/changes/{change.pk}/notice/"
    bad = client_as_officer.post(url, {"change_notice_id": "UK10-9"}, content_type="application/json")
    assert bad.status_code == 400
    assert "change_notice_published_on" in bad.json()["errors"]
    ok = client_as_officer.post(
        url, {"change_notice_id": "UK10-9", "change_notice_published_on": "2026-01-10"}, content_type="application/json"
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["change_notice_id"] == "UK10-9"


# --- Termination (UK11) ----------------------------------------------------------------------------------


def test_terminating_the_whole_contract_makes_it_terminated(contract_officer):
    contract = _act()
    contract_record_termination(
        contract=contract,
        by=contract_officer,
        terminated_on=datetime.date(2026, 6, 30),
        extent=Contract.TerminationExtent.WHOLE,
        reason="Persistent failure to meet staffing levels after notice.",
    )
    contract.refresh_from_db()
    assert contract.status == Contract.Status.TERMINATED
    assert contract.terminated_on == datetime.date(2026, 6, 30)
    contract_record_termination_notice(contract=contract, by=contract_officer, notice_id="UK11-42")
    contract.refresh_from_db()
    assert contract.termination_notice_id == "UK11-42"


def test_terminating_part_keeps_the_contract_live(contract_officer):
    contract = _act()
    contract_record_termination(
        contract=contract,
        by=contract_officer,
        terminated_on=datetime.date(2026, 6, 30),
        extent=Contract.TerminationExtent.PART,
        reason="The night-sitting lot ends.",
    )
    contract.refresh_from_db()
    assert contract.status == Contract.Status.LIVE
    assert contract.termination_extent == Contract.TerminationExtent.PART


def test_a_termination_needs_a_reason_a_past_date_and_a_live_contract(contract_officer):
    contract = _act()
    with pytest.raises(ValidationError) as error:
        contract_record_termination(
            contract=contract,
            by=contract_officer,
            terminated_on=timezone.localdate() + datetime.timedelta(days=5),
            extent="all",
            reason=" ",
        )
    assert set(error.value.message_dict) == {"terminated_on", "termination_extent", "reason"}
    contract.refresh_from_db()
    assert contract.terminated_on is None
    ended = _act(status=Contract.Status.EXPIRED)
    with pytest.raises(ValidationError):
        contract_record_termination(
            contract=ended, by=contract_officer, terminated_on=datetime.date(2026, 1, 1), extent="whole", reason="x"
        )


def test_the_termination_notice_waits_for_the_termination(contract_officer):
    with pytest.raises(ValidationError):
        contract_record_termination_notice(contract=_act(), by=contract_officer, notice_id="UK11-1")


def test_the_termination_page_records_it_and_then_asks_for_the_notice(client_as_officer):
    contract = _act()
    url = reverse("contracts:termination", args=[contract.pk])
    bad = client_as_officer.post(url, {"terminated_on": "2026-06-30", "termination_extent": "whole", "reason": ""})
    assert bad.status_code == 200
    assert "reason" in bad.context["form"].errors
    ok = client_as_officer.post(
        url, {"terminated_on": "2026-06-30", "termination_extent": "whole", "reason": "Insolvency."}
    )
    assert ok.status_code == 302
    page = client_as_officer.get(url)
    assert "termination_notice_id" in page.context["form"].fields
    client_as_officer.post(url, {"termination_notice_id": "UK11-5"})
    contract.refresh_from_db()
    assert (contract.status, contract.termination_notice_id) == (Contract.Status.TERMINATED, "UK11-5")


def test_the_api_records_a_termination_with_field_errors(client_as_officer):
    contract = _act()
    url = f"/api/v1/contracts/{contract.pk}/termination/"
    bad = client_as_officer.post(
        url, {"terminated_on": "2026-06-30", "termination_extent": "some"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert {"termination_extent", "reason"} <= set(bad.json()["errors"])
    ok = client_as_officer.post(
        url,
        {"terminated_on": "2026-06-30", "termination_extent": "whole", "reason": "Insolvency."},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "terminated"
