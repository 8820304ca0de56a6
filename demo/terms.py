"""A contract's estimated value over its whole term, for the demo's contracts (the seed's and the volume's)."""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta


def estimated_value(
    *, annual: Decimal, start: date, end: date, extension_months: Iterable[int], used: int = 0
) -> Decimal:
    """The estimated value of a contract over its whole term with every extension option still open taken
    (the Procurement Act 2023's "estimated value", section 52): the annual value for each month from the start
    to the latest possible end. ``end`` is the current end date, after the ``used`` options already taken."""
    remaining = list(extension_months)[used:]
    last = end + relativedelta(months=sum(int(m) for m in remaining))
    span = relativedelta(last + timedelta(days=1), start)
    months = span.years * 12 + span.months + (1 if span.days >= 15 else 0)
    return (annual * months / 12).quantize(Decimal("1"))
