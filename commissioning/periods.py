"""Financial years and quarters, computed from dates.

UK councils run April to March: quarter 1 is April-June, quarter 4 is January-March.
A financial year is named by the calendar year it starts in (2018 is "2018/19").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

QUARTER_START_MONTHS = {1: 4, 2: 7, 3: 10, 4: 1}


def financial_year_of(day: date) -> int:
    """The starting calendar year of the financial year containing ``day``."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def financial_year_choices(years: Iterable[int]) -> list[tuple[int, str]]:
    """(2018, "2018/19") pairs for a year picker, in the order given."""
    return [(year, financial_year_label(year)) for year in years]


def financial_year_bounds(year: int) -> tuple[date, date]:
    return date(year, 4, 1), date(year + 1, 3, 31)


@dataclass(frozen=True, order=True)
class FinancialQuarter:
    """A quarter of a financial year, e.g. FinancialQuarter(2018, 3) is Q3 2018/19 (Oct-Dec 2018)."""

    year: int
    quarter: int

    def __post_init__(self):
        if self.quarter not in (1, 2, 3, 4):
            raise ValueError(f"Quarter must be 1 to 4, not {self.quarter}.")

    @classmethod
    def containing(cls, day: date) -> FinancialQuarter:
        year = financial_year_of(day)
        quarter = {4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 3, 11: 3, 12: 3, 1: 4, 2: 4, 3: 4}[day.month]
        return cls(year, quarter)

    @classmethod
    def parse(cls, text: str) -> FinancialQuarter:
        """Read "2018-Q3", "Q3 2018/19" or "2018/19 Q3"."""
        cleaned = text.strip().upper().replace("/", " ").replace("-", " ")
        parts = cleaned.split()
        quarter = next((int(p[1:]) for p in parts if p.startswith("Q") and p[1:].isdigit()), None)
        year = next((int(p) for p in parts if p.isdigit() and len(p) == 4), None)
        if quarter is None or year is None:
            raise ValueError(f"'{text}' is not a financial quarter such as 'Q3 2018/19'.")
        return cls(year, quarter)

    @property
    def start(self) -> date:
        month = QUARTER_START_MONTHS[self.quarter]
        return date(self.year if self.quarter != 4 else self.year + 1, month, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> FinancialQuarter:
        return (
            FinancialQuarter(self.year + 1, 1) if self.quarter == 4 else FinancialQuarter(self.year, self.quarter + 1)
        )

    def previous(self) -> FinancialQuarter:
        return (
            FinancialQuarter(self.year - 1, 4) if self.quarter == 1 else FinancialQuarter(self.year, self.quarter - 1)
        )

    def last(self, count: int) -> list[FinancialQuarter]:
        """This quarter and the ``count - 1`` before it, oldest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return list(reversed(quarters))

    @property
    def financial_year_label(self) -> str:
        return financial_year_label(self.year)

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def __str__(self) -> str:
        return f"Q{self.quarter} {self.financial_year_label}"


def current_quarter(today: date | None = None) -> FinancialQuarter:
    from django.utils import timezone

    return FinancialQuarter.containing(today or timezone.localdate())


def quarter_choices(around: date | None = None, before: int = 8, after: int = 4) -> list[tuple[str, str]]:
    """Choices for a quarter field: from ``before`` quarters ago to ``after`` ahead."""
    centre = current_quarter(around)
    quarters = centre.last(before + 1)
    following = centre
    for _ in range(after):
        following = following.next()
        quarters.append(following)
    return [(q.key, str(q)) for q in reversed(quarters)]


def month_ends(*, start: date, end: date) -> list[date]:
    """The last day of each month from ``start``'s month to ``end``'s month, both included (so the last may
    fall after ``end``: the end of the month ``end`` is in)."""
    days = []
    month = date(start.year, start.month, 1)
    while month <= end:
        following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        days.append(following - timedelta(days=1))
        month = following
    return days
