"""Annual contract-management statistics, as the Commercial Team's annual report gives them (reads only).

Each figure is counted from the records for one financial year (April to March); the whole page
takes a fixed number of queries whatever the number of records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q

from commissioning.periods import financial_year_bounds, financial_year_label, month_ends
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
    year: int
    start: date
    end: date
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
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def visits_change(self) -> Decimal | None:
        return percentage_change(self.visits_previous_year, self.visits)


def _visits(start: date, end: date, user) -> dict:
    previous_start, previous_end = financial_year_bounds(start.year - 1)
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


def _risk(start: date, end: date, user) -> list[RiskCount]:
    """Providers at each level (their risk on the day: ``ProviderQuerySet.risk_level_on``) when the year began,
    at each month end and when it ended; lowest and highest are over the month ends."""
    before_start = start - timedelta(days=1)
    ends = month_ends(start=start, end=end)
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
    """Locations whose overall CQC rating moved from one category to another during the year:
    the rating in force when the year began against the one in force when it ended."""
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
    visits = _visits(start, end, user)
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
        year=year,
        start=start,
        end=end,
        visits=visits["total"],
        visits_previous_year=visits["previous"],
        visits_by_kind=[(kind.label, visits[f"kind_{kind.value}"]) for kind in Visit.Kind],
        visits_positive_feedback=share(visits["feedback_positive"], visits["feedback_known"]),
        visits_positive_environment=share(visits["environment_positive"], visits["environment_known"]),
        concerns_by_kind=[(kind.label, concerns[kind.value]) for kind in Concern.Kind],
        default_notices=sanctions["default_notices"],
        suspensions=sanctions["suspensions"],
        documents=_documents(start, end, user),
        risk=_risk(start, end, user),
        rating_changes=_rating_changes(start, end, user),
    )
