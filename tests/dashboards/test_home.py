"""The home page: each role's starting points; for contract officers, "My contracts" and the contracts running
past their end."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from tests.factories import ActContractFactory, ContractAlertFactory, ContractFactory, FrozenContractKpiFactory
from tests.providers.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def _ends(reference, days_from_today, **fields):
    today = timezone.localdate()
    return ContractFactory(
        reference=reference,
        start_date=today - datetime.timedelta(days=4000),
        end_date=today + datetime.timedelta(days=days_from_today),
        **fields,
    )


def test_my_contracts_lists_those_i_manage_or_back_up_past_end_first(client_as_officer, contract_officer):
    other = OfficerFactory()
    _ends("MINE-LATER", 300, contract_manager=contract_officer)
    _ends("MINE-PAST", -900, contract_manager=other, backup_manager=contract_officer)
    _ends("MINE-SOON", 30, contract_manager=contract_officer, backup_manager=other)
    _ends("NOT-MINE", -50, contract_manager=other)
    _ends("MINE-ENDED", -50, contract_manager=contract_officer, status=Contract.Status.EXPIRED)

    response = client_as_officer.get(reverse("home"))

    assert [c.reference for c in response.context["my_contracts"]] == ["MINE-PAST", "MINE-SOON", "MINE-LATER"]
    page = response.content.decode()
    assert "My contracts" in page
    assert "Running past its end: 2 years" in page
    assert response.context["running_past_end_count"] == 2  # MINE-PAST and NOT-MINE


def test_commissioners_and_councillors_see_no_contract_panel(client_as_commissioner, client_as_scrutiny):
    _ends("PAST", -50)
    for client in (client_as_commissioner, client_as_scrutiny):
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert "my_contracts" not in response.context
        assert "My contracts" not in response.content.decode()


def test_the_home_page_keeps_every_roles_links(client_as_admin):
    page = client_as_admin.get(reverse("home")).content.decode()
    for heading in ("Commissioning", "Contract management", "Scrutiny", "Administration", "My contracts"):
        assert heading in page
    assert reverse("contracts:needs_decision") in page


def test_an_officer_sees_their_alerts_and_the_act_duties_due(client_as_officer, contract_officer):
    """The alert sent to the manager, and the Act contract whose KPIs were frozen over a year ago and never
    assessed, are on the manager's home page."""
    act = ActContractFactory(reference="ACT-HOME", contract_manager=contract_officer)
    FrozenContractKpiFactory(contract=act, frozen_on=timezone.localdate() - datetime.timedelta(days=400))
    ContractAlertFactory(contract=act, kind="end_date", due_on=timezone.localdate() + datetime.timedelta(days=90))

    response = client_as_officer.get(reverse("home"))

    assert [a.contract.reference for a in response.context["open_alerts"]] == ["ACT-HOME"]
    assert [row.contract.reference for row in response.context["assessments_overdue"]] == ["ACT-HOME"]
    page = response.content.decode()
    assert "Alerts to acknowledge" in page
    assert "1</strong> performance assessment overdue" in page


@pytest.mark.parametrize("count", [3, 30])
def test_the_home_page_runs_constant_queries(client_as_officer, contract_officer, django_assert_max_num_queries, count):
    for n in range(count):
        contract = _ends(f"MINE-{n}", n - 10, contract_manager=contract_officer)
        ContractAlertFactory(contract=contract, kind="end_date", due_on=contract.end_date)
    # session, user, roles, my contracts (and their count past 20), the past-end count, alerts (and their
    # count past 5), assessments overdue, notices due (3), permissions x2, unread notifications, session save x3,
    # and issue 15's panels: contract returns due (1), open escalations and actions due (2, and their count past
    # 5), safeguarding enquiries open (1): the same however many contracts and alerts
    with django_assert_max_num_queries(23):
        response = client_as_officer.get(reverse("home"))
    assert len(response.context["my_contracts"]) == min(count, 20)
    assert response.context["my_contracts_count"] == count


def test_the_dashboard_counts_the_act_duties_due_for_officers(client_as_officer, client_as_scrutiny):
    act = ActContractFactory(reference="ACT-DASH")
    FrozenContractKpiFactory(contract=act, frozen_on=timezone.localdate() - datetime.timedelta(days=400))
    ActContractFactory(reference="ACT-NO-KPIS")  # in scope, no KPIs: missing (and not yet due an assessment)

    response = client_as_officer.get(reverse("dashboards:council"))

    assert response.status_code == 200
    # ACT-DASH has one KPI of three; ACT-NO-KPIS none. Both started on 1 April 2025, so both owe the assessment
    # of the contract year that ended on 31 March 2026.
    assert response.context["act_missing_kpis"] == 2
    assert response.context["act_assessments_overdue"] == 2
    assert "Procurement Act 2023 contract performance" in response.content.decode()
    assert "act_missing_kpis" not in client_as_scrutiny.get(reverse("dashboards:council")).context
