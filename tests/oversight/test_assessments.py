"""Performance assessments (section 71(2)): due 12 months after the last one (or after the KPIs were frozen), and
within 30 days of termination; completed only with every KPI rated; the overdue list, the alerts and the
contract's performance page."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from contracts.models import Contract
from oversight.models import PerformanceAssessment
from oversight.performance import (
    assessment_alerts_due,
    assessments_overdue,
    next_assessment_due,
    performance_assessment_complete,
    performance_assessment_start,
)
from tests.factories import (
    ActContractFactory,
    CompletedAssessmentFactory,
    ContractFactory,
    ContractKpiFactory,
    DueAssessmentFactory,
    FrozenContractKpiFactory,
    KpiResultFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


# --- The due-date rule --------------------------------------------------------------------------------------


def test_the_first_assessment_is_due_12_months_after_the_kpis_were_frozen():
    contract = ActContractFactory(start_date=datetime.date(2025, 4, 1))
    FrozenContractKpiFactory(contract=contract, frozen_on=datetime.date(2025, 5, 10))

    assert next_assessment_due(contract=contract) == datetime.date(2026, 5, 10)


def test_with_no_kpis_frozen_the_first_is_due_12_months_after_the_start():
    contract = ActContractFactory(start_date=datetime.date(2025, 9, 1))
    ContractKpiFactory(contract=contract)

    assert next_assessment_due(contract=contract) == datetime.date(2026, 9, 1)


def test_the_next_is_due_12_months_after_the_last_completed_assessments_period():
    contract = ActContractFactory()
    FrozenContractKpiFactory(contract=contract)
    CompletedAssessmentFactory(contract=contract, period_end=datetime.date(2026, 3, 31))
    DueAssessmentFactory(contract=contract, period_end=datetime.date(2027, 3, 31), due_on=datetime.date(2027, 3, 31))

    assert next_assessment_due(contract=contract) == datetime.date(2027, 3, 31)


def test_a_terminated_contract_is_assessed_within_30_days_of_termination():
    contract = ActContractFactory(terminated_on=datetime.date(2026, 5, 20), status=Contract.Status.TERMINATED)
    FrozenContractKpiFactory(contract=contract)
    CompletedAssessmentFactory(contract=contract, period_end=datetime.date(2026, 3, 31))

    assert next_assessment_due(contract=contract) == datetime.date(2026, 6, 19)


def test_an_expired_contract_is_assessed_within_30_days_of_its_end():
    contract = ActContractFactory(end_date=datetime.date(2026, 3, 31), status=Contract.Status.EXPIRED)

    assert next_assessment_due(contract=contract) == datetime.date(2026, 4, 30)


def test_once_the_assessment_on_termination_is_complete_nothing_more_is_due():
    contract = ActContractFactory(terminated_on=datetime.date(2026, 5, 20), status=Contract.Status.TERMINATED)
    CompletedAssessmentFactory(contract=contract, kind="termination", period_end=datetime.date(2026, 5, 20))

    assert next_assessment_due(contract=contract) is None


@pytest.mark.parametrize(
    "outside",
    [{"regime": Contract.Regime.PCR_2015}, {"estimated_value": Decimal("4000000")}, {"is_concession": True}],
)
def test_no_assessment_is_due_where_the_duty_does_not_apply(outside):
    assert next_assessment_due(contract=ActContractFactory(**outside)) is None


# --- Starting and completing --------------------------------------------------------------------------------


def test_an_annual_assessment_starts_with_its_due_date_computed(contract_officer):
    contract = ActContractFactory()
    FrozenContractKpiFactory(contract=contract, frozen_on=datetime.date(2025, 4, 1))

    assessment = performance_assessment_start(
        by=contract_officer,
        contract=contract,
        kind="annual",
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
    )

    assert assessment.due_on == datetime.date(2026, 4, 1)
    assert assessment.status == PerformanceAssessment.Status.DUE


def test_an_assessment_on_termination_needs_the_contract_to_have_ended(contract_officer):
    live = ActContractFactory()
    ended = ActContractFactory(terminated_on=datetime.date(2026, 5, 20), status=Contract.Status.TERMINATED)
    period = {"period_start": datetime.date(2026, 4, 1), "period_end": datetime.date(2026, 5, 20)}

    with pytest.raises(ValidationError) as refused:
        performance_assessment_start(by=contract_officer, contract=live, kind="termination", **period)
    assessment = performance_assessment_start(by=contract_officer, contract=ended, kind="termination", **period)

    assert "kind" in refused.value.message_dict
    assert assessment.due_on == datetime.date(2026, 6, 19)


def test_an_assessment_period_ends_after_it_starts(contract_officer):
    with pytest.raises(ValidationError) as refused:
        performance_assessment_start(
            by=contract_officer,
            contract=ActContractFactory(),
            kind="annual",
            period_start=datetime.date(2026, 4, 1),
            period_end=datetime.date(2026, 3, 31),
        )

    assert "period_end" in refused.value.message_dict


def test_a_commissioner_may_not_start_an_assessment(commissioner):
    with pytest.raises(PermissionDenied):
        performance_assessment_start(
            by=commissioner,
            contract=ActContractFactory(directorate=commissioner.directorate),
            kind="annual",
            period_start=datetime.date(2025, 4, 1),
            period_end=datetime.date(2026, 3, 31),
        )


def _quarterly_contract():
    contract = ActContractFactory()
    kpis = FrozenContractKpiFactory.create_batch(2, contract=contract, frequency="quarterly")
    return contract, kpis


def _rate_every_quarter(kpi, skip=()):
    for start in (
        datetime.date(2025, 4, 1),
        datetime.date(2025, 7, 1),
        datetime.date(2025, 10, 1),
        datetime.date(2026, 1, 1),
    ):
        if start in skip:
            continue
        end = (start + datetime.timedelta(days=95)).replace(day=1) - datetime.timedelta(days=1)
        KpiResultFactory(kpi=kpi, period_start=start, period_end=end)


def test_an_assessment_is_refused_while_a_kpi_has_an_unrated_period(contract_officer):
    contract, (first, second) = _quarterly_contract()
    _rate_every_quarter(first)
    _rate_every_quarter(second, skip={datetime.date(2025, 10, 1)})
    assessment = DueAssessmentFactory(contract=contract)

    with pytest.raises(ValidationError) as refused:
        performance_assessment_complete(
            by=contract_officer, assessment=assessment, summary="Good.", assessed_on=datetime.date(2026, 4, 20)
        )

    message = " ".join(refused.value.messages)
    assert second.name in message
    assert "1 October 2025" in message
    assert first.name not in message
    assessment.refresh_from_db()
    assert assessment.status == PerformanceAssessment.Status.DUE


def test_a_result_without_a_rating_does_not_count(contract_officer):
    contract, (first, second) = _quarterly_contract()
    _rate_every_quarter(first)
    _rate_every_quarter(second)
    second.results.filter(period_start=datetime.date(2026, 1, 1)).update(rating="")

    with pytest.raises(ValidationError):
        performance_assessment_complete(
            by=contract_officer,
            assessment=DueAssessmentFactory(contract=contract),
            summary="Good.",
            assessed_on=datetime.date(2026, 4, 20),
        )


def test_an_assessment_with_every_kpi_rated_is_completed(contract_officer):
    contract, kpis = _quarterly_contract()
    for kpi in kpis:
        _rate_every_quarter(kpi)
    # A KPI retired before the period began is not asked for.
    FrozenContractKpiFactory(contract=contract, retired_on=datetime.date(2025, 4, 1))
    assessment = DueAssessmentFactory(contract=contract)

    done = performance_assessment_complete(
        by=contract_officer, assessment=assessment, summary="Good overall.", assessed_on=datetime.date(2026, 4, 20)
    )

    assert (done.status, done.assessed_by, done.assessed_on) == (
        "complete",
        contract_officer,
        datetime.date(2026, 4, 20),
    )
    assert next_assessment_due(contract=contract) == datetime.date(2027, 3, 31)


def test_a_complete_assessment_is_not_completed_again(contract_officer):
    with pytest.raises(ValidationError):
        performance_assessment_complete(
            by=contract_officer,
            assessment=CompletedAssessmentFactory(),
            summary="Again.",
            assessed_on=datetime.date(2026, 4, 20),
        )


def test_an_assessment_needs_a_summary_and_a_date_not_to_come(contract_officer):
    assessment = DueAssessmentFactory()

    with pytest.raises(ValidationError) as no_summary:
        performance_assessment_complete(
            by=contract_officer, assessment=assessment, summary=" ", assessed_on=datetime.date(2026, 4, 20)
        )
    with pytest.raises(ValidationError) as future:
        performance_assessment_complete(
            by=contract_officer, assessment=assessment, summary="Good.", assessed_on=TODAY + datetime.timedelta(days=1)
        )

    assert "summary" in no_summary.value.message_dict
    assert "assessed_on" in future.value.message_dict


# --- Overdue and alerts -------------------------------------------------------------------------------------


def test_overdue_assessments_are_listed_with_how_many_days(contract_officer):
    overdue = ActContractFactory(reference="PA-OVERDUE")
    FrozenContractKpiFactory(contract=overdue, frozen_on=datetime.date(2025, 4, 1))
    on_time = ActContractFactory(reference="PA-ON-TIME")
    FrozenContractKpiFactory(contract=on_time, frozen_on=datetime.date(2025, 9, 1))
    ContractFactory()  # outside the duty

    found = assessments_overdue(user=contract_officer)

    assert [(item.contract.reference, item.due_on, item.days_overdue) for item in found] == [
        ("PA-OVERDUE", datetime.date(2026, 4, 1), 75)
    ]


def test_assessment_alerts_cover_those_due_within_30_days_and_those_overdue():
    overdue = ActContractFactory()
    FrozenContractKpiFactory(contract=overdue, frozen_on=datetime.date(2025, 4, 1))
    soon = ActContractFactory()
    FrozenContractKpiFactory(contract=soon, frozen_on=datetime.date(2025, 7, 10))
    later = ActContractFactory()
    FrozenContractKpiFactory(contract=later, frozen_on=datetime.date(2025, 9, 1))

    alerts = assessment_alerts_due(today=TODAY)

    assert {(c, kind, due) for c, kind, due, _ in alerts} == {
        (overdue, "assessment_due", datetime.date(2026, 4, 1)),
        (soon, "assessment_due", datetime.date(2026, 7, 10)),
    }
    keys = [key for *_, key in alerts]
    assert len(set(keys)) == 2
    assert keys == [key for *_, key in assessment_alerts_due(today=TODAY + datetime.timedelta(days=1))]


# --- Pages --------------------------------------------------------------------------------------------------


def test_the_performance_page_says_plainly_when_the_acts_duties_do_not_apply(client_as_officer):
    contract = ContractFactory()

    page = client_as_officer.get(reverse("oversight:contract_performance", args=[contract.pk])).content.decode()

    assert "duties do not apply" in page
    assert "Public Contracts Regulations 2015" in page


def test_the_performance_page_flags_missing_kpis_and_shows_the_next_assessment(client_as_officer):
    contract = ActContractFactory()
    FrozenContractKpiFactory(contract=contract, frozen_on=datetime.date(2025, 4, 1))

    page = client_as_officer.get(reverse("oversight:contract_performance", args=[contract.pk])).content.decode()

    assert "needs at least 3 KPIs for this contract: it has 1" in page
    assert "1 April 2026" in page


def test_the_performance_page_marks_an_overridden_rating(client_as_officer):
    contract = ActContractFactory()
    KpiResultFactory(
        kpi=FrozenContractKpiFactory(contract=contract),
        value=Decimal("92"),
        suggested_rating="requires_improvement",
        rating="good",
        override_reason="Outage.",
    )

    page = client_as_officer.get(reverse("oversight:contract_performance", args=[contract.pk])).content.decode()

    assert "overridden; suggested Requires improvement" in page


def test_the_performance_page_runs_constant_queries(client_as_officer, django_assert_max_num_queries):
    contract = ActContractFactory()
    for kpi in FrozenContractKpiFactory.create_batch(8, contract=contract, frequency="quarterly"):
        _rate_every_quarter(kpi)
    CompletedAssessmentFactory.create_batch(3, contract=contract)
    DueAssessmentFactory(contract=contract)

    with django_assert_max_num_queries(20):
        assert client_as_officer.get(reverse("oversight:contract_performance", args=[contract.pk])).status_code == 200


def test_the_overdue_page_lists_overdue_contracts(client_as_officer):
    contract = ActContractFactory(title="Extra care housing")
    FrozenContractKpiFactory(contract=contract, frozen_on=datetime.date(2025, 4, 1))

    page = client_as_officer.get(reverse("oversight:assessments_overdue"))

    assert "Extra care housing" in page.content.decode()


def test_the_complete_page_shows_which_results_are_missing(client_as_officer):
    contract, _ = _quarterly_contract()
    assessment = DueAssessmentFactory(contract=contract)

    detail = client_as_officer.get(reverse("oversight:assessment", args=[assessment.pk]))
    refused = client_as_officer.post(
        reverse("oversight:assessment_complete", args=[assessment.pk]),
        {"summary": "Good.", "assessed_on_0": "20", "assessed_on_1": "4", "assessed_on_2": "2026"},
    )

    assert "Results still needed" in detail.content.decode()
    assert refused.status_code == 200
    assert "has no rated result" in refused.content.decode()


# Who may do what, written by hand: commissioners read, contract officers keep, councillors see nothing.
PAGE_EXPECTATIONS = {
    "client_as_commissioner": {"performance": 200, "overdue": 200, "kpi_add": 403, "assessment_start": 403},
    "client_as_officer": {"performance": 200, "overdue": 200, "kpi_add": 200, "assessment_start": 200},
    "client_as_scrutiny": {"performance": 403, "overdue": 403, "kpi_add": 403, "assessment_start": 403},
}


@pytest.mark.parametrize("client_fixture", sorted(PAGE_EXPECTATIONS))
def test_who_may_see_and_keep_contract_performance(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    contract = ActContractFactory()
    urls = {
        "performance": reverse("oversight:contract_performance", args=[contract.pk]),
        "overdue": reverse("oversight:assessments_overdue"),
        "kpi_add": reverse("oversight:kpi_add", args=[contract.pk]),
        "assessment_start": reverse("oversight:assessment_start", args=[contract.pk]),
    }

    answers = {name: client.get(url).status_code for name, url in urls.items()}

    assert answers == PAGE_EXPECTATIONS[client_fixture]
