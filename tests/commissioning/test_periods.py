from datetime import date

import pytest

from commissioning.periods import FinancialQuarter, financial_year_label, financial_year_of


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2018, 4, 1), FinancialQuarter(2018, 1)),
        (date(2018, 6, 30), FinancialQuarter(2018, 1)),
        (date(2018, 12, 5), FinancialQuarter(2018, 3)),
        (date(2019, 1, 1), FinancialQuarter(2018, 4)),
        (date(2019, 3, 31), FinancialQuarter(2018, 4)),
    ],
)
def test_quarter_of_a_date_follows_the_april_financial_year(day, expected):
    assert FinancialQuarter.containing(day) == expected


def test_quarter_four_runs_january_to_march_of_the_next_calendar_year():
    q4 = FinancialQuarter(2018, 4)
    assert (q4.start, q4.end) == (date(2019, 1, 1), date(2019, 3, 31))
    assert str(q4) == "Q4 2018/19"


def test_next_quarter_after_quarter_four_is_quarter_one_of_the_next_year():
    assert FinancialQuarter(2018, 4).next() == FinancialQuarter(2019, 1)
    assert FinancialQuarter(2019, 1).previous() == FinancialQuarter(2018, 4)


def test_last_eight_quarters_cross_the_year_end_oldest_first():
    quarters = FinancialQuarter(2018, 3).last(8)
    assert [q.key for q in quarters] == [
        "2016-Q4",
        "2017-Q1",
        "2017-Q2",
        "2017-Q3",
        "2017-Q4",
        "2018-Q1",
        "2018-Q2",
        "2018-Q3",
    ]


@pytest.mark.parametrize("text", ["Q3 2018/19", "2018-Q3", "2018/19 Q3"])
def test_parse_reads_the_ways_officers_write_a_quarter(text):
    assert FinancialQuarter.parse(text) == FinancialQuarter(2018, 3)


def test_parse_rejects_nonsense_with_a_message():
    with pytest.raises(ValueError, match="not a financial quarter"):
        FinancialQuarter.parse("next spring")


def test_financial_year_helpers():
    assert financial_year_of(date(2019, 2, 1)) == 2018
    assert financial_year_label(2018) == "2018/19"
    assert financial_year_label(2099) == "2099/00"
