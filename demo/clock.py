"""The demo clock: one rule for every demo date.

The seed reports' facts keep their real dates, as history (the 2018/19 year, the 2019 decision and packs).
Generated activity (visits, concerns, returns, results, assessments) covers the 13 months up to the day
``load_demo`` runs, so every page a new user opens today shows data.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.utils import timezone

# How far back the generated activity reaches from the day the demo is loaded.
RECENT_MONTHS = 13


def load_day() -> date:
    """The day ``load_demo`` runs: the last day generated activity may fall on."""
    return timezone.localdate()


def recent_start(today: date | None = None) -> date:
    """The first day of generated activity: the first of the month 13 months before the load day's month
    (so the window holds 13 whole months before the current one, and the current month up to today)."""
    today = today or load_day()
    return today.replace(day=1) - relativedelta(months=RECENT_MONTHS)


def recent_month_starts(today: date | None = None) -> list[date]:
    """The first day of each month in the window, oldest first, the load day's month last."""
    today = today or load_day()
    first = recent_start(today)
    months = []
    while first <= today:
        months.append(first)
        first += relativedelta(months=1)
    return months
