"""Status rules in the council's words, and quarter arithmetic across financial-year ends."""

import datetime
from decimal import Decimal

import pytest

from commissioning.periods import FinancialQuarter
from performance.models import Measure, MeasureResult, compute_status
from performance.selectors import late_results, quarter_picker
from tests.factories import MeasureFactory, MeasureResultFactory

HIGHER, LOWER = Measure.Polarity.HIGHER_IS_BETTER, Measure.Polarity.LOWER_IS_BETTER
S = MeasureResult.Status


@pytest.mark.parametrize(
    ("value", "target", "is_targeted", "polarity", "expected"),
    [
        (Decimal("66.7"), Decimal("60"), True, HIGHER, S.ACHIEVED),
        (Decimal("33.2"), Decimal("38"), True, HIGHER, S.NOT_ACHIEVED),
        (Decimal("60"), Decimal("60"), True, HIGHER, S.ACHIEVED),
        (Decimal("12"), Decimal("14"), True, LOWER, S.ACHIEVED),
        (Decimal("16"), Decimal("14"), True, LOWER, S.NOT_ACHIEVED),
        (Decimal("14"), Decimal("14"), True, LOWER, S.ACHIEVED),
        (Decimal("84.8"), None, False, HIGHER, S.MEASURED_ONLY),
        (Decimal("84.8"), Decimal("90"), False, HIGHER, S.MEASURED_ONLY),
        (Decimal("84.8"), None, True, HIGHER, S.MEASURED_ONLY),
        (None, Decimal("60"), True, HIGHER, S.AWAITING_DATA),
        (None, None, False, LOWER, S.AWAITING_DATA),
    ],
)
def test_status_follows_polarity_target_and_missing_data(value, target, is_targeted, polarity, expected):
    assert compute_status(value=value, target=target, is_targeted=is_targeted, polarity=polarity) == expected


def test_eight_quarter_trend_crosses_financial_years_oldest_first():
    quarters = FinancialQuarter(2018, 3).last(8)
    assert [q.key for q in quarters] == [
        "2016-Q4", "2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4", "2018-Q1", "2018-Q2", "2018-Q3",
    ]  # fmt: skip
    assert quarters[0].start == datetime.date(2017, 1, 1)


def test_quarter_picker_lists_newest_first_and_keeps_an_older_selected_quarter():
    choices = quarter_picker(selected=FinancialQuarter(2015, 2), today=datetime.date(2019, 1, 15), count=4)
    assert [key for key, _ in choices] == ["2018-Q4", "2018-Q3", "2018-Q2", "2018-Q1", "2015-Q2"]
    assert choices[0][1] == "Q4 2018/19"


@pytest.mark.django_db
def test_results_are_late_six_weeks_after_the_quarter_ends_across_the_year_end(settings):
    settings.RESULTS_LATE_AFTER_WEEKS = 6
    measure = MeasureFactory(name="Delayed transfers of care")
    MeasureResultFactory(measure=measure, year=2018, quarter=1)
    # Q3 2018/19 ended 31 December; 6 weeks on is 11 February 2019.
    on_time = {(r.period.key) for r in late_results(today=datetime.date(2019, 2, 11))}
    assert on_time == {"2018-Q2"}
    overdue = {(r.period.key) for r in late_results(today=datetime.date(2019, 2, 12))}
    assert overdue == {"2018-Q2", "2018-Q3"}
    # Q4 ends 31 March 2019 (next calendar year): late from 13 May 2019.
    assert {r.period.key for r in late_results(today=datetime.date(2019, 5, 13))} == {"2018-Q2", "2018-Q3", "2018-Q4"}
    late = late_results(today=datetime.date(2019, 2, 12))
    assert late[-1].due_on == datetime.date(2019, 2, 11)


@pytest.mark.django_db
def test_late_results_look_back_four_quarters_from_the_first_result_and_skip_monthly_and_inactive(settings):
    settings.RESULTS_LATE_AFTER_WEEKS = 6
    old = MeasureFactory(name="Long-running measure")
    MeasureResultFactory(measure=old, year=2015, quarter=1)
    MeasureResultFactory(measure=old, year=2018, quarter=2, value=Decimal("1"))
    MeasureResultFactory(measure=old, year=2018, quarter=3, value=None)  # a row with no value is still late
    MeasureFactory(name="Never reported")  # no first result: nothing to chase yet
    monthly = MeasureFactory(frequency=Measure.Frequency.MONTHLY)
    MeasureResultFactory(measure=monthly, year=2017, quarter=1)
    inactive = MeasureFactory(is_active=False)
    MeasureResultFactory(measure=inactive, year=2017, quarter=1)

    late = late_results(today=datetime.date(2019, 2, 12))

    assert [(r.measure.name, r.period.key) for r in late] == [
        ("Long-running measure", "2017-Q4"),
        ("Long-running measure", "2018-Q1"),
        ("Long-running measure", "2018-Q3"),
    ]


@pytest.mark.django_db
def test_late_results_page_lists_them(client_as_scrutiny, settings):
    settings.RESULTS_LATE_AFTER_WEEKS = 6
    measure = MeasureFactory(name="Chlamydia diagnoses")
    MeasureResultFactory(measure=measure, year=2015, quarter=1)
    response = client_as_scrutiny.get("/performance/late/")
    assert response.status_code == 200
    assert b"Chlamydia diagnoses" in response.content
    assert b"Enter results" not in response.content


def test_performance_uses_the_councils_one_achievement_rule():
    from commissioning.achievement import Achievement, Polarity

    assert Measure.Polarity is Polarity
    assert MeasureResult.Status is Achievement


@pytest.mark.parametrize(
    ("year", "quarter", "words"),
    [(1999, 4, "2000/01 to 2100/01, not 1999"), (2101, 1, "not 2101"), (2018, 0, "quarters 1 to 4, not 0")],
)
def test_results_are_recorded_only_for_quarters_that_can_be(year, quarter, words):
    from performance.models import recordable_quarter

    with pytest.raises(ValueError, match=words):
        recordable_quarter(year, quarter)
    assert recordable_quarter(2000, 1) == FinancialQuarter(2000, 1)
    assert recordable_quarter(2100, 4) == FinancialQuarter(2100, 4)


@pytest.mark.django_db
def test_the_quarter_asked_for_is_read_or_refused_in_words():
    from performance.selectors import selected_period

    assert selected_period(" Q3 2018/19 ") == FinancialQuarter(2018, 3)
    with pytest.raises(ValueError, match="'soon' is not a quarter"):
        selected_period("soon")
    with pytest.raises(ValueError, match="not 0"):
        selected_period("0000-Q1")
    with pytest.raises(ValueError, match="…"):
        selected_period("x" * 200)  # what is echoed back is cut short
