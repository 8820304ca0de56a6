"""/api/v1/contract-returns/: the list and its filters, submitting through the service (POST submit/ or PATCH),
400 with field errors, 401/403, the same refusal as the page; and Contract.performance, derived and no longer
typed (the contract's form, API and import)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.imports import import_contracts
from contracts.models import Contract
from oversight.models import ContractReturn
from tests.factories import DirectorateFactory
from tests.oversight.returns_factories import (
    ContractReturnFactory,
    ManagedContractFactory,
    OverdueContractReturnFactory,
    ReturnFindingFactory,
    SubmittedContractReturnFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/contract-returns/"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def contract(contract_officer):
    return ManagedContractFactory(contract_manager=contract_officer)


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


GOOD = {
    "risk_rating": "green",
    "jet_score": 7,
    "commentary": "On track.",
    "findings": [
        {"kind": "strength", "text": "Stable staff"},
        {"kind": "weakness", "severity": "minor", "text": "Late data"},
    ],
}


def test_returns_are_listed_with_status_grade_and_findings(contract_officer, contract):
    done = SubmittedContractReturnFactory(contract=contract, jet_score=8)
    ReturnFindingFactory(contract_return=done, text="Outcomes evidenced")
    OverdueContractReturnFactory(contract=contract, period_start=datetime.date(2026, 3, 1))
    ContractReturnFactory(contract=contract)

    body = _api(contract_officer).get(LIST, {"contract": contract.pk}).json()

    rows = {row["period_start"]: row for row in body["results"]}
    assert rows["2026-04-01"]["status"] == "submitted"
    assert rows["2026-04-01"]["grade"] == "outstanding"
    assert rows["2026-04-01"]["jet_descriptor"] == "Outstanding"
    assert rows["2026-04-01"]["findings"] == [{"kind": "strength", "severity": "", "text": "Outcomes evidenced"}]
    assert rows["2026-03-01"]["status"] == "overdue"
    assert rows["2026-05-01"]["status"] == "due"


@pytest.mark.parametrize(("status", "count"), [("due", 1), ("overdue", 1), ("submitted", 1)])
def test_returns_filter_by_status(contract_officer, contract, status, count):
    SubmittedContractReturnFactory(contract=contract)
    OverdueContractReturnFactory(contract=contract, period_start=datetime.date(2026, 3, 1))
    ContractReturnFactory(contract=contract)

    body = _api(contract_officer).get(LIST, {"status": status}).json()

    assert [row["status"] for row in body["results"]] == [status] * count


def test_mine_lists_only_the_contracts_i_manage_or_back_up(contract_officer, contract):
    ContractReturnFactory(contract=contract)
    ContractReturnFactory()

    assert _api(contract_officer).get(LIST, {"mine": "true"}).json()["count"] == 1
    assert _api(contract_officer).get(LIST).json()["count"] == 2


def test_the_list_runs_constant_queries(contract_officer, django_assert_max_num_queries):
    for _ in range(20):
        ret = SubmittedContractReturnFactory()
        ReturnFindingFactory(contract_return=ret)

    with django_assert_max_num_queries(8):
        assert _api(contract_officer).get(LIST).status_code == 200


def test_a_return_is_submitted_through_the_api(contract_officer, contract):
    due = ContractReturnFactory(contract=contract)

    response = _api(contract_officer).post(f"{LIST}{due.pk}/submit/", GOOD, format="json")

    assert response.status_code == 200, response.json()
    assert (response.json()["grade"], response.json()["status"]) == ("good", "submitted")
    contract.refresh_from_db()
    assert contract.performance == "good"


def test_patch_submits_through_the_same_service(contract_officer, contract):
    due = ContractReturnFactory(contract=contract)

    response = _api(contract_officer).patch(f"{LIST}{due.pk}/", {**GOOD, "jet_score": 9}, format="json")

    assert response.status_code == 200
    assert response.json()["jet_descriptor"] == "Exceptional"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"jet_score": 3}, "jet_score"),  # a major weakness is needed
        ({"jet_score": 11}, "jet_score"),
        ({"risk_rating": "blue"}, "risk_rating"),
        ({"findings": [{"kind": "weakness", "text": "no severity"}]}, "findings"),
        ({"jet_score": "seven"}, "jet_score"),
        ({"findings": "not a list"}, "findings"),
    ],
)
def test_bad_submissions_are_400_with_field_errors(contract_officer, contract, changes, field):
    due = ContractReturnFactory(contract=contract)

    response = _api(contract_officer).post(f"{LIST}{due.pk}/submit/", {**GOOD, **changes}, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    due.refresh_from_db()
    assert due.submitted_on is None


def test_a_second_submission_is_400(contract_officer, contract):
    done = SubmittedContractReturnFactory(contract=contract)

    response = _api(contract_officer).post(f"{LIST}{done.pk}/submit/", GOOD, format="json")

    assert response.status_code == 400
    assert "cannot be submitted again" in response.json()["errors"]["submitted_on"][0]


def test_anonymous_is_401_and_councillors_403(scrutiny_member, contract):
    due = ContractReturnFactory(contract=contract)

    assert _api().get(LIST).status_code == 401
    assert _api(scrutiny_member).get(LIST).status_code == 403
    assert _api(scrutiny_member).post(f"{LIST}{due.pk}/submit/", GOOD, format="json").status_code == 403


def test_commissioners_read_but_may_not_submit(commissioner, contract):
    due = ContractReturnFactory(contract=contract)

    assert _api(commissioner).get(f"{LIST}{due.pk}/").status_code == 200
    assert _api(commissioner).post(f"{LIST}{due.pk}/submit/", GOOD, format="json").status_code == 403
    assert _api(commissioner).patch(f"{LIST}{due.pk}/", GOOD, format="json").status_code == 403


def test_returns_cannot_be_created_or_deleted(administrator, contract):
    due = ContractReturnFactory(contract=contract)

    assert _api(administrator).post(LIST, GOOD, format="json").status_code == 405
    assert _api(administrator).delete(f"{LIST}{due.pk}/").status_code == 405
    assert ContractReturn.objects.filter(pk=due.pk).exists()


# --- Parity: the page and the API refuse the same way ---------------------------------------------------------


def test_another_directorates_officer_is_refused_by_page_and_api(client, contract):
    from commissioning import roles
    from tests.conftest import _user_with_role

    stranger = _user_with_role(roles.CONTRACT_OFFICER, username="stranger", directorate=DirectorateFactory(code="zz"))
    due = ContractReturnFactory(contract=contract)
    client.force_login(stranger)

    page = client.post(reverse("oversight:return", args=[due.pk]), {"risk_rating": "green", "jet_score": "7"})
    api = _api(stranger).post(f"{LIST}{due.pk}/submit/", GOOD, format="json")

    assert (page.status_code, api.status_code) == (403, 403)


def test_the_same_bad_score_gets_the_same_message_on_page_and_api(client_as_officer, contract_officer, contract):
    due = ContractReturnFactory(contract=contract)

    page = client_as_officer.post(
        reverse("oversight:return", args=[due.pk]),
        {"risk_rating": "green", "jet_score": "8", "major_weaknesses": "Capacity shortfall"},
    )
    api = _api(contract_officer).post(
        f"{LIST}{due.pk}/submit/",
        {**GOOD, "jet_score": 8, "findings": [{"kind": "weakness", "severity": "major", "text": "Capacity shortfall"}]},
        format="json",
    )

    assert page.context["form"].errors["jet_score"] == api.json()["errors"]["jet_score"]


# --- Contract.performance is derived, not typed ---------------------------------------------------------------


def test_the_contract_form_no_longer_offers_performance(client_as_officer, contract):
    response = client_as_officer.get(reverse("contracts:edit", args=[contract.pk]))

    assert response.status_code == 200
    assert "performance" not in response.context["form"].fields
    assert "performance_note" in response.context["form"].fields


def test_the_api_ignores_a_typed_performance(contract_officer, contract):
    response = _api(contract_officer).patch(f"/api/v1/contracts/{contract.pk}/", {"performance": "poor"}, format="json")

    assert response.status_code == 200
    contract.refresh_from_db()
    assert contract.performance == Contract.Performance.NOT_ASSESSED
    assert response.json()["performance"] == "not_assessed"


def _register_csv(reference, performance):
    header = "Reference,Service contracted,Directorate,Category,Type,Start date,End date,Performance"
    row = f"{reference},Carers support,{{code}},Community,Block,01/04/2024,31/03/2028,{performance}"
    return header, row


def test_the_import_refuses_changing_a_contracts_performance_with_a_clear_message(contract_officer, contract):
    header, row = _register_csv(contract.reference, "Good")
    content = f"{header}\n{row.format(code=contract.directorate.code)}\n".encode()

    report = import_contracts(content=content, filename="register.csv", by=contract_officer)

    assert not report.ok
    assert any("derived from the grade of the contract's returns" in e.message for e in report.errors)
    contract.refresh_from_db()
    assert contract.performance == Contract.Performance.NOT_ASSESSED


def test_a_new_contracts_performance_cell_is_not_imported(contract_officer, contract):
    header, row = _register_csv("NEW-001", "Good")
    content = f"{header}\n{row.format(code=contract.directorate.code)}\n".encode()

    assert import_contracts(content=content, filename="register.csv", by=contract_officer).ok
    assert Contract.objects.get(reference="NEW-001").performance == Contract.Performance.NOT_ASSESSED


def test_the_import_accepts_the_contracts_own_value_as_exported(contract_officer, contract):
    header, row = _register_csv(contract.reference, "")
    blank = f"{header}\n{row.format(code=contract.directorate.code)}\n".encode()
    same = blank.replace(b",\n", b",Not assessed\n")

    assert import_contracts(content=blank, filename="register.csv", by=contract_officer).ok
    assert import_contracts(content=same, filename="register.csv", by=contract_officer).ok
