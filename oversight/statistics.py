"""Contract-management statistics, as the Commercial Team's annual report gives them (reads only).

Each figure is counted from the records for one period: a financial year (April to March), a half or a
quarter of one, or dates the reader chooses (the report gives its documents for "the last six months").
The whole page takes a fixed number of queries whatever the number of records or the length of the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import dateformat, timezone

from commissioning.periods import (
    FinancialQuarter,
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
    month_ends,
)
from contracts.models import Contract, ContractChange
from providers.models import CQC_RATING_RANK, CqcRating, CqcRatingValue, Provider, RiskLevel

from .models import Concern, Sanction, Visit


def percentage_change(before: int, after: int) -> Decimal | None:
    """Change from ``before`` to ``after`` in per cent, to the nearest whole number; None when before is 0."""
    if not before:
        return None
    return (Decimal(after - before) * 100 / before).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


# --- The period counted --------------------------------------------------------------------------------------

# The first financial year the page counts, and the longest period of dates a reader may choose: a longer one
# says nothing the yearly figures do not, and the risk table would have a column of month ends per month.
EARLIEST_YEAR = 2000
LONGEST_PERIOD_YEARS = 5

PERIOD_CHOICES = [
    ("year", "Whole financial year"),
    ("h1", "First half (April to September)"),
    ("h2", "Second half (October to March)"),
    ("q1", "Quarter 1 (April to June)"),
    ("q2", "Quarter 2 (July to September)"),
    ("q3", "Quarter 3 (October to December)"),
    ("q4", "Quarter 4 (January to March)"),
    ("custom", "Dates you choose"),
]
PERIOD_KINDS = [kind for kind, _ in PERIOD_CHOICES]
# A half is two quarters of the year: (first, last).
HALF_QUARTERS = {"h1": (1, 2), "h2": (3, 4)}


def in_words(day: date) -> str:
    return dateformat.format(day, "j F Y")


@dataclass(frozen=True)
class StatisticsPeriod:
    """The dates every figure is counted between, both included, and which kind of period they make."""

    kind: str
    start: date
    end: date

    @property
    def year(self) -> int:
        """The financial year the period starts in (the year picker's value)."""
        return financial_year_of(self.start)

    @property
    def is_financial_year(self) -> bool:
        return self.kind == "year"

    @property
    def dates_in_words(self) -> str:
        return f"{in_words(self.start)} to {in_words(self.end)}"

    @property
    def label(self) -> str:
        """The period's name: "2018/19", "H2 2018/19", "Q3 2018/19", or the dates of one the reader chose."""
        if self.kind == "custom":
            return self.dates_in_words
        year = financial_year_label(self.year)
        return year if self.kind == "year" else f"{self.kind.upper()} {year}"

    @property
    def heading(self) -> str:
        """A financial year by its name, as the annual report does; any other period by its dates in words."""
        return self.label if self.is_financial_year else self.dates_in_words

    @property
    def during(self) -> str:
        """When, in a sentence: "in 2018/19", "in H2 2018/19", "from 1 October 2018 to 31 March 2019"."""
        return f"from {self.dates_in_words}" if self.kind == "custom" else f"in {self.label}"

    @property
    def compared_with(self) -> str:
        return "the previous year" if self.is_financial_year else "the same period a year earlier"

    @property
    def a_year_earlier(self) -> tuple[date, date]:
        """The same dates a year before (29 February becomes the 28th), for "on the previous year"."""
        return self.start - relativedelta(years=1), self.end - relativedelta(years=1)

    @property
    def snapshot_days(self) -> list[date]:
        """The days a snapshot figure is taken on: each month end in the period, then its last day (the
        same as the last month end for a year, half or quarter)."""
        return [day for day in month_ends(start=self.start, end=self.end) if day < self.end] + [self.end]


def latest_year(today: date | None = None) -> int:
    """The last financial year the page counts: the one after the current one (as the year picker always
    allowed), so that a figure recorded ahead is never out of reach."""
    return financial_year_of(today or timezone.localdate()) + 1


def statistics_period(
    *,
    kind: str = "year",
    year: int | None = None,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> StatisticsPeriod:
    """The period the statistics are counted for: the financial year starting in April of ``year`` (the
    current one when not given), its half (``h1``, ``h2``) or quarter (``q1`` to ``q4``), or the dates from
    ``start`` to ``end`` (``custom``). Raises ValidationError naming the field at fault (``period``, ``year``,
    ``from``, ``to``), as the page's query parameters are named."""
    today = today or timezone.localdate()
    latest = latest_year(today)
    if kind not in PERIOD_KINDS:
        raise ValidationError({"period": "Select a period from the list"})
    if kind == "custom":
        return _chosen_dates(start=start, end=end, last_year=latest)
    if year is None:
        year = financial_year_of(today)
    if not EARLIEST_YEAR <= year <= latest:
        raise ValidationError(
            {
                "year": f"The financial year must be from {financial_year_label(EARLIEST_YEAR)} "
                f"to {financial_year_label(latest)}"
            }
        )
    if kind == "year":
        first_day, last_day = financial_year_bounds(year)
        return StatisticsPeriod(kind, first_day, last_day)
    first, last = HALF_QUARTERS.get(kind) or (int(kind[1]), int(kind[1]))
    return StatisticsPeriod(kind, FinancialQuarter(year, first).start, FinancialQuarter(year, last).end)


def _chosen_dates(*, start: date | None, end: date | None, last_year: int) -> StatisticsPeriod:
    """Dates the reader chose: both given, in order, within the years the page counts and at most
    ``LONGEST_PERIOD_YEARS`` long."""
    earliest = financial_year_bounds(EARLIEST_YEAR)[0]
    latest = financial_year_bounds(last_year)[1]
    errors: dict[str, str] = {}
    if start is None:
        errors["from"] = "Enter the from date as day, month and year"
    elif start < earliest:
        errors["from"] = f"The from date must be on or after {in_words(earliest)}"
    if end is None:
        errors["to"] = "Enter the to date as day, month and year"
    elif end > latest:
        errors["to"] = f"The to date must be on or before {in_words(latest)}"
    if start is None or end is None or errors:
        raise ValidationError(errors)
    longest_end = start + relativedelta(years=LONGEST_PERIOD_YEARS) - timedelta(days=1)
    if end < start:
        raise ValidationError({"to": "The to date must be on or after the from date"})
    if end > longest_end:
        raise ValidationError(
            {
                "to": f"The period can be at most {LONGEST_PERIOD_YEARS} years: "
                f"the to date must be on or before {in_words(longest_end)}"
            }
        )
    return StatisticsPeriod("custom", start, end)


@dataclass
class RiskCount:
    level: str
    label: str
    at_start: int
    at_end: int
    lowest: int
    highest: int

    @property
    def change(self) -> Decimal | None:
        return percentage_change(self.at_start, self.at_end)


@dataclass
class RatingChange:
    from_rating: str
    to_rating: str
    locations: list[str]

    @property
    def from_label(self) -> str:
        return CqcRatingValue(self.from_rating).label

    @property
    def to_label(self) -> str:
        return CqcRatingValue(self.to_rating).label

    @property
    def improved(self) -> bool:
        return CQC_RATING_RANK[self.to_rating] > CQC_RATING_RANK[self.from_rating]

    @property
    def count(self) -> int:
        return len(self.locations)


@dataclass
class AnnualStatistics:
    period: StatisticsPeriod
    visits: int
    visits_previous_year: int
    visits_by_kind: list[tuple[str, int]]
    visits_positive_feedback: Decimal | None
    visits_positive_environment: Decimal | None
    concerns_by_kind: list[tuple[str, int]]
    default_notices: int
    suspensions: int
    documents: list[tuple[str, int]]
    risk: list[RiskCount]
    rating_changes: list[RatingChange] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def concerns_rows(self) -> list[tuple[str, int]]:
        """The concerns table's rows, each kind in the plural ("Safeguarding enquiries")."""
        return [(label[:-1] + "ies" if label.endswith("y") else label + "s", n) for label, n in self.concerns_by_kind]

    @property
    def visits_change(self) -> Decimal | None:
        return percentage_change(self.visits_previous_year, self.visits)


def _visits(period: StatisticsPeriod, user) -> dict:
    """Visits in the period, and in the same dates a year earlier to compare with."""
    start, end = period.start, period.end
    previous_start, previous_end = period.a_year_earlier
    in_year = Q(visited_on__range=(start, end))
    aggregates = {
        "total": Count("pk", filter=in_year),
        "previous": Count("pk", filter=Q(visited_on__range=(previous_start, previous_end))),
        "feedback_known": Count("pk", filter=in_year & ~Q(complaints_feedback="")),
        "feedback_positive": Count("pk", filter=in_year & Q(complaints_feedback__in=["none", "low"])),
        "environment_known": Count("pk", filter=in_year & ~Q(environment="")),
        "environment_positive": Count("pk", filter=in_year & Q(environment__in=["good", "adequate"])),
    }
    for kind in Visit.Kind:
        aggregates[f"kind_{kind.value}"] = Count("pk", filter=in_year & Q(kind=kind))
    # One range covering both (they overlap when a chosen period is longer than a year).
    return Visit.objects.visible_to(user).filter(visited_on__range=(previous_start, end)).aggregate(**aggregates)


def _documents(start: date, end: date, user) -> list[tuple[str, int]]:
    changes = (
        ContractChange.objects.visible_to(user)
        .filter(effective_on__range=(start, end))
        .aggregate(
            variations=Count("pk", filter=Q(kind__in=[ContractChange.Kind.VARIATION, ContractChange.Kind.EXTENSION])),
            novations=Count("pk", filter=Q(kind=ContractChange.Kind.NOVATION)),
        )
    )
    through = Contract.locations.through
    out_of_county = Exists(through.objects.filter(contract_id=OuterRef("pk"), location__in_county=False))
    not_grant = ~Q(contract_type=Contract.ContractType.GRANT)
    new = (
        Contract.objects.visible_to(user)
        .filter(start_date__range=(start, end))
        .annotate(has_out_of_county_location=out_of_county)
        .aggregate(
            grants=Count("pk", filter=Q(contract_type=Contract.ContractType.GRANT)),
            out_of_county=Count("pk", filter=Q(has_out_of_county_location=True) & not_grant),
            other=Count("pk", filter=Q(has_out_of_county_location=False) & not_grant),
        )
    )
    return [
        ("Contract documents", new["other"]),
        ("Out of county agreements", new["out_of_county"]),
        ("Variations/Extensions", changes["variations"]),
        ("Grant agreements", new["grants"]),
        ("Novations", changes["novations"]),
    ]


def _risk(period: StatisticsPeriod, user) -> list[RiskCount]:
    """Providers at each level (their risk on the day: ``ProviderQuerySet.risk_level_on``) when the period
    began, at each month end in it and on its last day; lowest and highest are over those days."""
    before_start = period.start - timedelta(days=1)
    ends = period.snapshot_days
    counts = Provider.objects.visible_to(user).risk_counts_on([before_start, *ends])
    at_month_ends = [counts[day] for day in ends]
    return [
        RiskCount(
            level=level.value,
            label=level.label,
            at_start=counts[before_start][level],
            at_end=counts[ends[-1]][level],
            lowest=min(c[level] for c in at_month_ends),
            highest=max(c[level] for c in at_month_ends),
        )
        for level in RiskLevel
    ]


def _rating_changes(start: date, end: date, user) -> list[RatingChange]:
    """Locations whose overall CQC rating moved from one category to another during the period:
    the rating in force when it began against the one in force on its last day."""
    ratings = (
        CqcRating.objects.visible_to(user)
        .filter(published_on__lte=end)
        .order_by("location_id", "published_on", "pk")
        .values_list("location_id", "location__name", "published_on", "overall")
    )
    before: dict[int, str] = {}
    after: dict[int, tuple[str, date, str]] = {}
    for location_id, name, published_on, overall in ratings.iterator():
        if published_on < start:
            before[location_id] = overall
        after[location_id] = (overall, published_on, name)
    moves: dict[tuple[str, str], list[str]] = {}
    for location_id, (overall, published_on, name) in after.items():
        was = before.get(location_id)
        if was is None or published_on < start or was == overall:
            continue
        if was not in CQC_RATING_RANK or overall not in CQC_RATING_RANK:
            continue  # "not yet rated" is not a category to move between
        moves.setdefault((was, overall), []).append(name)
    changes = [RatingChange(was, now, sorted(names)) for (was, now), names in moves.items()]
    # Improvements first, biggest groups first.
    changes.sort(key=lambda c: (not c.improved, -c.count, c.from_rating, c.to_rating))
    return changes


def annual_statistics(*, year: int, user) -> AnnualStatistics:
    """Contract-management statistics for the financial year starting in April of ``year``, counted from
    the records ``user`` may see."""
    start, end = financial_year_bounds(year)
    return period_statistics(period=StatisticsPeriod("year", start, end), user=user)


def period_statistics(*, period: StatisticsPeriod, user) -> AnnualStatistics:
    """Contract-management statistics for ``period`` (``statistics_period``), counted from the records
    ``user`` may see. Counts are of what happened in the period; risk and CQC ratings compare the day before
    it began with its last day."""
    start, end = period.start, period.end
    visits = _visits(period, user)
    concerns = (
        Concern.objects.counted_for(user)
        .filter(raised_on__range=(start, end))
        .aggregate(**{kind.value: Count("pk", filter=Q(kind=kind)) for kind in Concern.Kind})
    )
    sanctions = (
        Sanction.objects.visible_to(user)
        .filter(issued_on__range=(start, end))
        .aggregate(
            default_notices=Count("pk", filter=Q(kind=Sanction.Kind.DEFAULT_NOTICE)),
            suspensions=Count("pk", filter=Q(kind=Sanction.Kind.SUSPENSION)),
        )
    )
    return AnnualStatistics(
        period=period,
        visits=visits["total"],
        visits_previous_year=visits["previous"],
        visits_by_kind=[(kind.label, visits[f"kind_{kind.value}"]) for kind in Visit.Kind],
        visits_positive_feedback=share(visits["feedback_positive"], visits["feedback_known"]),
        visits_positive_environment=share(visits["environment_positive"], visits["environment_known"]),
        concerns_by_kind=[(kind.label, concerns[kind.value]) for kind in Concern.Kind],
        default_notices=sanctions["default_notices"],
        suspensions=sanctions["suspensions"],
        documents=_documents(start, end, user),
        risk=_risk(period, user),
        rating_changes=_rating_changes(start, end, user),
    )
