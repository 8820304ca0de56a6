"""The dashboard's date arithmetic."""

import datetime

import pytest

from commissioning.periods import month_ends


@pytest.mark.parametrize(
    ("start", "end", "expected_last"),
    [
        (datetime.date(2018, 4, 1), datetime.date(2018, 12, 31), datetime.date(2018, 12, 31)),
        (datetime.date(2018, 4, 1), datetime.date(2019, 3, 31), datetime.date(2019, 3, 31)),
    ],
)
def test_month_ends_run_across_the_calendar_year_end(start, end, expected_last):
    days = month_ends(start=start, end=end)
    assert days[0] == datetime.date(2018, 4, 30)
    assert days[-1] == expected_last
    assert datetime.date(2019, 2, 28) in days or end < datetime.date(2019, 2, 1)
