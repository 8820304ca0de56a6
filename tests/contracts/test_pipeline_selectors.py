"""The work plan's figures for a financial year (delivered in it, live and ongoing at its end or today, planned
for the year after), the work plan year of a project, and the pipeline notice (Procurement Act 2023 s.93: more
than £100m expected spend; contracts of £2m or more; tender notices in the 18 months from the start of the year).
Every expectation below is worked out by hand from the projects the test makes."""

import datetime
from decimal import Decimal

import pytest

from contracts.models import Contract, ProcurementProject
from contracts.selectors import pipeline_notice, procurement_projects, work_plan_figures, work_plan_year_q
from tests.factories import (
    ContractFactory,
    DirectorateFactory,
    ProcurementProjectFactory,
)

pytestmark = pytest.mark.django_db

Stage = ProcurementProject.Stage
d = datetime.date


def _project(stage, annual, whole_life="0", **kwargs):
    return ProcurementProjectFactory(
        stage=stage, estimated_annual_value=Decimal(annual), whole_life_value=Decimal(whole_life), **kwargs
    )


@pytest.fixture
def work_plan(directorate):
    """Projects around 2018/19, by what each should count as."""
    return {
        # Delivered in 2018/19, the first and last days of the year included.
        "a": _project(Stage.DELIVERED, "100.00", "300.00", planned_start=d(2018, 4, 1), completed_on=d(2018, 4, 1)),
        "b": _project(Stage.DELIVERED, "50.50", "200.00", planned_start=d(2018, 7, 1), completed_on=d(2019, 3, 31)),
        # Delivered the day after the year ended: not delivered in 2018/19, but under way at its end.
        "c": _project(Stage.DELIVERED, "7.00", "70.00", planned_start=d(2018, 6, 1), completed_on=d(2019, 4, 1)),
        # Abandoned in the year: neither delivered nor ongoing at its end.
        "d": _project(Stage.ABANDONED, "900.00", "900.00", planned_start=d(2018, 5, 1), completed_on=d(2018, 12, 1)),
        # Out to tender since September 2018: ongoing.
        "e": _project(Stage.TENDER, "20.00", planned_start=d(2018, 9, 1), directorate=directorate),
        # Out to tender, but started after the year end: not ongoing at it.
        "f": _project(Stage.TENDER, "40.00", planned_start=d(2019, 4, 2)),
        # Planned for 2019/20 (first and last days), and for 2020/21 (not counted).
        "g": _project(Stage.PLANNED, "11.00", planned_start=d(2019, 4, 1)),
        "h": _project(Stage.PLANNED, "13.00", planned_start=d(2020, 3, 31), directorate=directorate),
        "i": _project(Stage.PLANNED, "17.00", planned_start=d(2020, 4, 1)),
        # Still at planning though its start has passed: not under way.
        "j": _project(Stage.PLANNED, "19.00", planned_start=d(2018, 6, 1)),
    }


def test_the_years_figures_count_delivered_ongoing_and_planned_projects(work_plan):
    figures = work_plan_figures(year=2018, today=d(2026, 12, 2))

    # Delivered: a + b. Ongoing on 31 March 2019: c (delivered after it) + e. Planned for 2019/20: g + h.
    assert (figures.delivered_count, figures.delivered_annual_value, figures.delivered_whole_life_value) == (
        2,
        Decimal("150.50"),
        Decimal("500.00"),
    )
    assert (figures.ongoing_on, figures.ongoing_count, figures.ongoing_annual_value) == (
        d(2019, 3, 31),
        2,
        Decimal("27.00"),
    )
    assert (figures.planned_count, figures.planned_annual_value) == (2, Decimal("24.00"))
    assert (figures.label, figures.planned_label) == ("2018/19", "2019/20")
    assert isinstance(figures.delivered_annual_value, Decimal)


def test_while_the_year_runs_ongoing_is_counted_today(work_plan):
    figures = work_plan_figures(year=2018, today=d(2018, 10, 1))

    # On 1 October 2018: b (started July, delivered March), c (June, delivered April) and e (September) are under
    # way; a closed in April and d is abandoned later but started in May, so it too was under way then.
    assert figures.ongoing_on == d(2018, 10, 1)
    assert (figures.ongoing_count, figures.ongoing_annual_value) == (4, Decimal("50.50") + 7 + 900 + 20)


def test_a_year_with_no_projects_counts_zero_pounds():
    figures = work_plan_figures(year=2010, today=d(2026, 1, 1))
    assert (figures.delivered_count, figures.delivered_annual_value, figures.planned_annual_value) == (
        0,
        Decimal("0"),
        Decimal("0"),
    )


def test_the_figures_of_one_directorate(work_plan, directorate):
    figures = work_plan_figures(year=2018, directorate=directorate, today=d(2026, 1, 1))
    assert (figures.delivered_count, figures.ongoing_count, figures.planned_count) == (0, 1, 1)
    assert (figures.ongoing_annual_value, figures.planned_annual_value) == (Decimal("20.00"), Decimal("13.00"))


def test_the_work_plan_year_is_the_start_for_open_projects_and_the_close_for_closed_ones(work_plan):
    in_2018 = set(ProcurementProject.objects.filter(work_plan_year_q(2018)).values_list("pk", flat=True))
    expected = {work_plan[key].pk for key in ("a", "b", "d", "e", "j")}
    assert in_2018 == expected
    in_2019 = set(ProcurementProject.objects.filter(work_plan_year_q(2019)).values_list("pk", flat=True))
    assert in_2019 == {work_plan[key].pk for key in ("c", "f", "g", "h")}


def test_councillors_see_no_projects_and_officers_all(work_plan, scrutiny_member, contract_officer):
    assert not procurement_projects(user=scrutiny_member).exists()
    assert procurement_projects(user=contract_officer).count() == len(work_plan)
    assert work_plan_figures(year=2018, user=scrutiny_member).delivered_count == 0


# --- The pipeline notice --------------------------------------------------------------------------------------


def _notice_project(whole_life: str, tender_notice_date: datetime.date, **kwargs):
    return ProcurementProjectFactory(
        whole_life_value=Decimal(whole_life),
        planned_start=d(2019, 1, 1),
        tender_notice_date=tender_notice_date,
        **kwargs,
    )


def test_the_notice_lists_contracts_of_two_million_pounds_or_more(contract_officer):
    exactly = _notice_project("2000000.00", d(2019, 6, 1))
    _notice_project("1999999.99", d(2019, 6, 1))
    notice = pipeline_notice(year=2019, user=contract_officer)
    assert list(notice.projects) == [exactly]


def test_the_notice_covers_tender_notices_in_the_18_months_from_the_start_of_the_year(contract_officer):
    first = _notice_project("5000000", d(2019, 4, 1))
    last = _notice_project("5000000", d(2020, 9, 30))
    _notice_project("5000000", d(2019, 3, 31))
    _notice_project("5000000", d(2020, 10, 1))
    notice = pipeline_notice(year=2019, user=contract_officer)
    assert list(notice.projects) == [first, last]
    assert (notice.window_start, notice.window_end) == (d(2019, 4, 1), d(2020, 9, 30))


def test_the_notice_leaves_out_abandoned_projects(contract_officer):
    _notice_project("5000000", d(2019, 6, 1), stage=Stage.ABANDONED, completed_on=d(2019, 2, 1))
    assert not pipeline_notice(year=2019, user=contract_officer).projects.exists()


def test_a_notice_is_required_only_above_one_hundred_million_pounds(contract_officer):
    # Live on some day of 2019/20: £60m + £40m. Left out: a contract ended before it, one still in procurement.
    ContractFactory(annual_value=Decimal("60000000"), start_date=d(2018, 4, 1), end_date=d(2020, 3, 31))
    ContractFactory(annual_value=Decimal("40000000"), start_date=d(2020, 3, 31), end_date=d(2022, 3, 31))
    ContractFactory(annual_value=Decimal("70000000"), start_date=d(2016, 4, 1), end_date=d(2019, 3, 31))
    ContractFactory(
        annual_value=Decimal("80000000"),
        start_date=d(2019, 6, 1),
        end_date=d(2022, 3, 31),
        status=Contract.Status.PIPELINE,
    )
    notice = pipeline_notice(year=2019, user=contract_officer)
    assert (notice.contracts_spend, notice.projects_spend) == (Decimal("100000000"), Decimal("0"))
    assert not notice.required

    # A project going live in the year adds its annual value; one going live after it, an abandoned one and one
    # whose contract is already linked (and counted as a contract) do not.
    ProcurementProjectFactory(estimated_annual_value=Decimal("0.01"), go_live_date=d(2020, 3, 31))
    ProcurementProjectFactory(estimated_annual_value=Decimal("5"), go_live_date=d(2020, 4, 1))
    ProcurementProjectFactory(
        estimated_annual_value=Decimal("5"),
        go_live_date=d(2019, 10, 1),
        stage=Stage.ABANDONED,
        completed_on=d(2019, 2, 1),
    )
    awarded = ProcurementProjectFactory(
        estimated_annual_value=Decimal("5"), go_live_date=d(2019, 10, 1), stage=Stage.AWARD
    )
    awarded.resulting_contracts.add(ContractFactory(status=Contract.Status.PIPELINE))
    notice = pipeline_notice(year=2019, user=contract_officer)
    assert notice.projects_spend == Decimal("0.01")
    assert notice.expected_spend == Decimal("100000000.01")
    assert notice.required


def test_the_notice_loads_the_lead_officers_contact_details(contract_officer, django_assert_max_num_queries):
    DirectorateFactory()
    for n in range(5):
        _notice_project("3000000", d(2019, 5, n + 1), lead_officer=contract_officer)
    notice = pipeline_notice(year=2019, user=contract_officer)
    with django_assert_max_num_queries(1):
        emails = [p.lead_officer.email for p in notice.projects]
    assert emails == [contract_officer.email] * 5
