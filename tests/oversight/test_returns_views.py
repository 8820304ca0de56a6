"""The pages of contract returns: the officer's list, the return's form (pre-filled, refusals on the form, 403),
a contract's grading page, the monthly report, the home page block, the dashboard panel, and their query bounds."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from contracts.models import Contract
from dashboards.returns_panel import returns_panel
from dashboards.selectors import Audience
from oversight.models import ContractReturn
from tests.oversight.returns_factories import (
    ContractReturnFactory,
    ManagedContractFactory,
    OverdueContractReturnFactory,
    ReturnFindingFactory,
    SubmittedContractReturnFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def contract(contract_officer):
    return ManagedContractFactory(contract_manager=contract_officer)


def _form(**overrides):
    data = {
        "risk_rating": "amber",
        "jet_score": "5",
        "strengths": "Good engagement with families\n\nStable staff",
        "minor_weaknesses": "",
        "moderate_weaknesses": "Waiting times above the specification",
        "major_weaknesses": "",
        "commentary": "Improving.",
    }
    data.update(overrides)
    return data


# --- The list -------------------------------------------------------------------------------------------------


def test_the_officers_list_shows_overdue_due_and_submitted(client_as_officer, contract):
    OverdueContractReturnFactory(contract=contract)
    ContractReturnFactory(contract=contract)
    SubmittedContractReturnFactory(contract=contract, period_start=datetime.date(2026, 3, 1), jet_score=8)
    ContractReturnFactory(contract=ManagedContractFactory(reference="NOT-MINE"))

    response = client_as_officer.get(reverse("oversight:returns"))

    assert response.status_code == 200
    assert [r.period_label for r in response.context["overdue"]] == ["April 2026"]
    assert [r.period_label for r in response.context["due"]] == ["May 2026"]
    assert [r.jet_score for r in response.context["submitted"]] == [8]
    assert b"NOT-MINE" not in response.content
    assert b"NOT-MINE" in client_as_officer.get(reverse("oversight:returns"), {"all": "1"}).content


def test_the_list_runs_constant_queries(client_as_officer, contract_officer, django_assert_max_num_queries):
    for n in range(15):
        c = ManagedContractFactory(contract_manager=contract_officer)
        OverdueContractReturnFactory(contract=c)
        ContractReturnFactory(contract=c)
        SubmittedContractReturnFactory(contract=c, period_start=datetime.date(2026, 3, 1), jet_score=(n % 9) + 1)

    with django_assert_max_num_queries(12):
        assert client_as_officer.get(reverse("oversight:returns"), {"all": "1"}).status_code == 200


@pytest.mark.parametrize(
    ("client_name", "status"),
    [("client", 302), ("client_as_scrutiny", 403), ("client_as_commissioner", 200), ("client_as_admin", 200)],
)
def test_who_may_see_the_returns_pages(request, client_name, status):
    client = request.getfixturevalue(client_name)
    ret = ContractReturnFactory()

    for url in (
        reverse("oversight:returns"),
        reverse("oversight:return", args=[ret.pk]),
        reverse("oversight:contract_grading", args=[ret.contract_id]),
        reverse("oversight:returns_report"),
    ):
        assert client.get(url).status_code == status, url


# --- The form -------------------------------------------------------------------------------------------------


def test_the_form_is_pre_filled_from_the_last_return(client_as_officer, contract):
    SubmittedContractReturnFactory(contract=contract, risk_rating="red", jet_score=6, commentary="Watch staffing.")
    due = ContractReturnFactory(contract=contract)

    response = client_as_officer.get(reverse("oversight:return", args=[due.pk]))

    assert response.status_code == 200
    assert response.context["form"].initial == {"risk_rating": "red", "jet_score": 6, "commentary": "Watch staffing."}
    assert b"No KPIs" in response.content
    assert b"Exceptionally strong with essentially no weaknesses" in response.content


def test_submitting_on_the_page_grades_the_contract(client_as_officer, contract, contract_officer):
    due = ContractReturnFactory(contract=contract)

    response = client_as_officer.post(reverse("oversight:return", args=[due.pk]), _form())

    assert response.status_code == 302
    assert response["Location"] == reverse("oversight:contract_grading", args=[contract.pk])
    due.refresh_from_db()
    assert (due.jet_score, due.risk_rating, due.submitted_by) == (5, "amber", contract_officer)
    assert sorted(due.findings.values_list("kind", "severity", "text")) == [
        ("strength", "", "Good engagement with families"),
        ("strength", "", "Stable staff"),
        ("weakness", "moderate", "Waiting times above the specification"),
    ]
    contract.refresh_from_db()
    assert contract.performance == Contract.Performance.AVERAGE


def test_a_score_that_does_not_fit_the_weaknesses_is_shown_on_the_field(client_as_officer, contract):
    due = ContractReturnFactory(contract=contract)

    response = client_as_officer.post(reverse("oversight:return", args=[due.pk]), _form(jet_score="8"))

    assert response.status_code == 200
    assert "cannot have a moderate weakness" in response.context["form"].errors["jet_score"][0]
    due.refresh_from_db()
    assert due.submitted_on is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"risk_rating": "purple"}, "risk_rating"), ({"jet_score": "12"}, "jet_score"), ({"jet_score": ""}, "jet_score")],
)
def test_bad_input_is_an_error_on_the_form_not_a_500(client_as_officer, contract, changes, field):
    due = ContractReturnFactory(contract=contract)

    response = client_as_officer.post(reverse("oversight:return", args=[due.pk]), _form(**changes))

    assert response.status_code == 200
    assert field in response.context["form"].errors


def test_a_submitted_return_shows_what_it_said_and_refuses_a_second_submission(client_as_officer, contract):
    done = SubmittedContractReturnFactory(contract=contract)
    ReturnFindingFactory(contract_return=done, text="Outcomes evidenced")

    page = client_as_officer.get(reverse("oversight:return", args=[done.pk]))
    again = client_as_officer.post(reverse("oversight:return", args=[done.pk]), _form())

    assert page.status_code == 200
    assert b"Outcomes evidenced" in page.content
    assert "form" not in page.context
    assert again.status_code == 200
    assert any("cannot be submitted again" in e for e in again.context["form"].non_field_errors())


def test_a_commissioner_reads_the_return_and_may_not_submit_it(client_as_commissioner, contract):
    due = ContractReturnFactory(contract=contract)

    assert "form" not in client_as_commissioner.get(reverse("oversight:return", args=[due.pk])).context
    assert client_as_commissioner.post(reverse("oversight:return", args=[due.pk]), _form()).status_code == 403
    due.refresh_from_db()
    assert due.submitted_on is None


def test_an_unknown_return_is_404(client_as_officer):
    assert client_as_officer.get(reverse("oversight:return", args=[999999])).status_code == 404


# --- The grading page -----------------------------------------------------------------------------------------


def test_the_grading_page_shows_the_history_and_how_the_scales_relate(client_as_officer, contract):
    SubmittedContractReturnFactory(contract=contract, period_start=datetime.date(2026, 3, 1), jet_score=9)
    latest = SubmittedContractReturnFactory(contract=contract, jet_score=6)
    ReturnFindingFactory(contract_return=latest, kind="weakness", severity="minor", text="Late monitoring data")
    ContractReturnFactory(contract=contract)

    response = client_as_officer.get(reverse("oversight:contract_grading", args=[contract.pk]))

    assert response.status_code == 200
    assert [r.jet_score for r in response.context["history"]] == [6, 9]
    body = response.content.decode()
    assert "Minor weakness: Late monitoring data" in body
    assert "How the three scales relate" in body
    assert "Approaching target" in body  # the statutory KPI scale
    assert "Requires Improvement → Average" in body


def test_the_grading_page_runs_constant_queries(client_as_officer, contract, django_assert_max_num_queries):
    for month in range(1, 13):
        ret = SubmittedContractReturnFactory(contract=contract, period_start=datetime.date(2025, month, 1))
        ReturnFindingFactory(contract_return=ret)

    with django_assert_max_num_queries(16):
        assert client_as_officer.get(reverse("oversight:contract_grading", args=[contract.pk])).status_code == 200


def test_the_contract_page_links_to_its_grading(client_as_officer, contract):
    body = client_as_officer.get(contract.get_absolute_url()).content.decode()

    assert reverse("oversight:contract_grading", args=[contract.pk]) in body


# --- The report -----------------------------------------------------------------------------------------------


def test_the_monthly_report_for_the_assistant_director(client_as_officer, contract):
    SubmittedContractReturnFactory(contract=contract, period_start=datetime.date(2026, 3, 1), jet_score=7)
    SubmittedContractReturnFactory(contract=contract, period_start=datetime.date(2026, 4, 1), jet_score=3)
    OverdueContractReturnFactory()

    response = client_as_officer.get(reverse("oversight:returns_report"), {"month": "2026-04"})

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.total.submitted, report.total.overdue) == (1, 1)
    assert [r.contract for r in report.total.fell] == [contract]
    assert "Contract returns: April 2026" in response.content.decode()


def test_the_report_defaults_to_last_month(client_as_officer):
    assert client_as_officer.get(reverse("oversight:returns_report")).context["month"] == datetime.date(2026, 5, 1)


@pytest.mark.parametrize("month", ["2026-13", "April", "2026-4", "'; drop table"])
def test_a_bad_month_is_a_400_with_the_error_not_a_500(client_as_officer, month):
    response = client_as_officer.get(reverse("oversight:returns_report"), {"month": month})

    assert response.status_code == 400
    assert "Enter the month as YYYY-MM" in response.content.decode()


def test_the_report_runs_constant_queries(client_as_officer, django_assert_max_num_queries):
    for _ in range(20):
        c = ManagedContractFactory()
        SubmittedContractReturnFactory(contract=c, period_start=datetime.date(2026, 3, 1), jet_score=8)
        SubmittedContractReturnFactory(contract=c, jet_score=4)

    with django_assert_max_num_queries(10):
        assert client_as_officer.get(reverse("oversight:returns_report"), {"month": "2026-04"}).status_code == 200


# --- Home and dashboard ---------------------------------------------------------------------------------------


def test_the_home_page_says_how_many_returns_are_due_and_overdue(client_as_officer, contract):
    OverdueContractReturnFactory(contract=contract)
    ContractReturnFactory(contract=contract)
    ContractReturnFactory(contract=contract, period_start=datetime.date(2026, 6, 1))
    SubmittedContractReturnFactory(contract=contract, period_start=datetime.date(2026, 3, 1))

    response = client_as_officer.get(reverse("home"))

    assert (len(response.context["returns_due"]), len(response.context["returns_overdue"])) == (2, 1)
    assert "Contract returns: " in response.content.decode()
    assert reverse("oversight:returns") in response.content.decode()


def test_the_dashboard_panel_counts_grades_and_rag_for_officers_only(contract):
    SubmittedContractReturnFactory(contract=contract, jet_score=4, risk_rating="amber")

    panel = returns_panel(Audience(officer=True, drafts=True))

    assert dict(panel["returns_grades"].grade_rows)["Requires Improvement"] == 1
    assert dict(panel["returns_grades"].rag_rows)["Amber"] == 1
    assert returns_panel(Audience(officer=False, drafts=False)) == {}


def test_the_panel_template_renders(contract):
    from django.template.loader import render_to_string

    SubmittedContractReturnFactory(contract=contract, jet_score=9)
    html = render_to_string("dashboards/_returns.html", returns_panel(Audience(officer=True, drafts=True)))

    assert "Contract grades and risk now" in html
    assert "Outstanding" in html
    assert ContractReturn.objects.count() == 1
