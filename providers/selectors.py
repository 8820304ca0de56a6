"""Reads for provider pages: lists, the cross-directorate provider page, CQC rating drops, the risk overview.

Contracts, visits and the other records officers keep are reached through the reverse relations
(``lead_contracts``, ``visits``...) so that this, the lowest domain app, imports nothing above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from commissioning.periods import financial_year_bounds, financial_year_label, financial_year_of, month_ends

from .models import (
    CqcRating,
    CqcRatingAlert,
    CqcRatingValue,
    Location,
    Provider,
    RiskAssessment,
    RiskLevel,
    RiskMethod,
)


def locations_with_ratings(queryset: QuerySet[Location] | None = None) -> QuerySet[Location]:
    """Locations annotated with their current and previous CQC overall rating, and whether a fall in a rating
    waits to be acknowledged (an open ``CqcRatingAlert``: the drop rule is the rating service's, applied once
    when the rating is recorded).

    Annotates ``current_overall``, ``current_published_on``, ``previous_overall``, ``has_rating_drop``.
    """
    queryset = Location.objects.all() if queryset is None else queryset
    ratings = CqcRating.objects.filter(location=OuterRef("pk")).order_by("-published_on", "-pk")
    open_alerts = CqcRatingAlert.objects.filter(location=OuterRef("pk"), acknowledged_at__isnull=True)
    return queryset.annotate(
        current_overall=Subquery(ratings.values("overall")[:1]),
        current_published_on=Subquery(ratings.values("published_on")[:1]),
        previous_overall=Subquery(ratings.values("overall")[1:2]),
        has_rating_drop=Exists(open_alerts),
    )


def _directorate_provider_ids(directorate_id: int) -> QuerySet:
    return Provider.objects.filter(
        Q(lead_contracts__directorate_id=directorate_id) | Q(shared_contracts__directorate_id=directorate_id)
    ).values("pk")


def filter_providers(
    queryset: QuerySet[Provider],
    *,
    risk: str = "",
    cqc: str = "",
    status: str = "",
    directorate: int | None = None,
    q: str = "",
) -> QuerySet[Provider]:
    """Narrow providers: current risk level (needs ``with_current_risk``), current CQC overall rating of
    any of their locations, status, directorate of any contract they hold (lead or partner), and search."""
    if risk:
        queryset = queryset.filter(Q(current_risk_level=risk))
    if cqc:
        queryset = queryset.filter(
            Exists(filter_locations(locations_with_ratings(Location.objects.filter(provider=OuterRef("pk"))), cqc=cqc))
        )
    if status:
        queryset = queryset.filter(status=status)
    if directorate:
        queryset = queryset.filter(pk__in=_directorate_provider_ids(directorate))
    if q:
        matching_locations = Location.objects.filter(Q(name__icontains=q) | Q(cqc_location_id__iexact=q))
        queryset = queryset.filter(
            Q(name__icontains=q)
            | Q(trading_name__icontains=q)
            | Q(cqc_provider_id__iexact=q)
            | Q(pk__in=matching_locations.values("provider"))
        )
    return queryset


def provider_list(*, user, **filters) -> QuerySet[Provider]:
    """The providers ``user`` may see, with current risk, number of locations and a rating-drop flag;
    ``filters`` as filter_providers."""
    location_count = (
        Location.objects.filter(provider=OuterRef("pk"))
        .order_by()
        .values("provider")
        .annotate(n=Count("pk"))
        .values("n")
    )
    dropped = locations_with_ratings(Location.objects.filter(provider=OuterRef("pk"))).filter(Q(has_rating_drop=True))
    queryset = (
        Provider.objects.visible_to(user)
        .with_current_risk()
        .annotate(
            location_count=Subquery(location_count, output_field=IntegerField()),
            has_rating_drop=Exists(dropped),
        )
    )
    return filter_providers(queryset, **filters).order_by("name", "pk")


def provider_contracts(provider: Provider) -> QuerySet:
    """Every contract the provider holds, as lead or partner, in every directorate."""
    Contract = provider.lead_contracts.model
    return (
        Contract.objects.filter(Q(lead_provider=provider) | Q(other_providers=provider))
        .distinct()
        .select_related("directorate", "lead_provider")
        .order_by("directorate__name", "reference")
    )


@dataclass
class ProviderPage:
    provider: Provider
    contracts: list
    locations: list
    assessments: list
    visits: list
    concerns: list
    sanctions: list
    action_plans: list
    open_actions: list
    directorates: list = field(default_factory=list)

    @property
    def current_assessment(self):
        return self.assessments[0] if self.assessments else None


def provider_page(*, provider_id: int, user) -> ProviderPage:
    """Everything on the provider page, in a fixed number of queries whatever the provider holds.
    Raises Provider.DoesNotExist for a provider ``user`` may not see."""
    provider = Provider.objects.visible_to(user).with_current_risk().get(pk=provider_id)
    contracts = list(provider_contracts(provider))
    locations = list(
        locations_with_ratings(provider.locations.all()).prefetch_related(
            Prefetch("cqc_ratings", queryset=CqcRating.objects.order_by("-published_on", "-pk"))
        )
    )
    assessments = list(
        provider.risk_assessments.select_related("assessed_by", "method").order_by("-assessed_on", "-pk")
    )
    visits = list(provider.visits.select_related("location", "officer", "contract"))
    concerns = list(provider.concerns.visible_to(user).select_related("location", "contract"))
    sanctions = list(provider.sanctions.select_related("location", "contract"))
    PlanAction = provider.action_plans.model.actions.rel.related_model
    action_plans = list(
        provider.action_plans.select_related("location", "contract").prefetch_related(
            Prefetch("actions", queryset=PlanAction.objects.order_by("due_on", "pk")),
            "escalation_steps",
        )
    )
    open_actions = sorted(
        (action for plan in action_plans for action in plan.actions.all() if action.completed_on is None),
        key=lambda action: (action.due_on, action.pk),
    )
    directorates = sorted({contract.directorate.name for contract in contracts})
    return ProviderPage(
        provider=provider,
        contracts=contracts,
        locations=locations,
        assessments=assessments,
        visits=visits,
        concerns=concerns,
        sanctions=sanctions,
        action_plans=action_plans,
        open_actions=open_actions,
        directorates=directorates,
    )


def filter_locations(queryset: QuerySet[Location], *, cqc: str = "", q: str = "") -> QuerySet[Location]:
    """Narrow locations annotated by locations_with_ratings: current overall rating, and search."""
    if cqc == CqcRatingValue.NOT_RATED:
        queryset = queryset.filter(Q(current_overall__isnull=True) | Q(current_overall=cqc))
    elif cqc:
        queryset = queryset.filter(Q(current_overall=cqc))
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(provider__name__icontains=q) | Q(cqc_location_id__iexact=q))
    return queryset


def location_list(*, user, **filters) -> QuerySet[Location]:
    """The locations ``user`` may see, with their provider and current CQC rating; ``filters`` as
    filter_locations."""
    queryset = locations_with_ratings(Location.objects.visible_to(user).select_related("provider"))
    return filter_locations(queryset, **filters).order_by("name", "pk")


# --- Risk methods --------------------------------------------------------------------------------------------


def risk_method_in_force(day: date) -> RiskMethod | None:
    """The council's risk method in force on ``day``: the version with the latest ``effective_from`` on or
    before it (None before the first). It scores every assessment dated ``day``."""
    return RiskMethod.objects.in_force_on(day)


def current_risk_method(today: date | None = None) -> RiskMethod | None:
    """The current risk method: the one in force today (``risk_method_in_force``)."""
    return risk_method_in_force(today or timezone.localdate())


def risk_method_list(*, user) -> QuerySet[RiskMethod]:
    """The methods ``user`` may see, newest version first, with ``assessment_count`` (how many assessments each
    scored) and who recorded it loaded. One query."""
    return (
        RiskMethod.objects.visible_to(user)
        .select_related("created_by")
        .annotate(assessment_count=Count("assessments"))
        .order_by("-version")
    )


def risk_assessment_detail(*, user, assessment_id: int) -> RiskAssessment:
    """One assessment with its provider, method and assessor (RiskAssessment.DoesNotExist if not visible)."""
    return (
        RiskAssessment.objects.visible_to(user)
        .select_related("provider", "method", "assessed_by")
        .get(pk=assessment_id)
    )


# --- Risk overview -------------------------------------------------------------------------------------------


@dataclass
class LevelSummary:
    level: str
    label: str
    at_start: int
    now: int
    lowest: int
    highest: int

    @property
    def change(self) -> int:
        return self.now - self.at_start

    @property
    def change_percent(self) -> int | None:
        if not self.at_start:
            return None
        return round(100 * self.change / self.at_start)

    @property
    def change_size(self) -> int:
        return abs(self.change)

    @property
    def change_percent_size(self) -> int | None:
        return None if self.change_percent is None else abs(self.change_percent)


@dataclass
class RiskOverview:
    year: int
    start: date
    as_at: date
    months: list[tuple[date, dict[str, int]]]
    summaries: list[LevelSummary]
    years: list[int]

    @property
    def label(self) -> str:
        return financial_year_label(self.year)


def latest_assessment_year() -> int | None:
    latest = RiskAssessment.objects.aggregate(latest=Max("assessed_on"))["latest"]
    return financial_year_of(latest) if latest else None


def risk_overview(*, user, year: int | None = None, today: date | None = None) -> RiskOverview | None:
    """Low / medium / high provider counts at each month end of a financial year.

    A provider counts at a date by its risk on that date (``ProviderQuerySet.risk_level_on``). "At start" is
    the position on 1 April; "now" is today, or 31 March for a finished year. Lowest and highest are over
    the month ends and now, so a part-month change is never outside the year's range.
    Two queries: the years on offer, and the assessments up to the year end.
    """
    today = today or timezone.localdate()
    years_on_offer = sorted(
        {financial_year_of(day) for day in RiskAssessment.objects.visible_to(user).dates("assessed_on", "month")},
        reverse=True,
    )
    if year is None:
        if not years_on_offer:
            return None
        year = years_on_offer[0]
    start, end = financial_year_bounds(year)
    as_at = min(today, end)
    ends = [day for day in month_ends(start=start, end=as_at) if day <= as_at]
    counts = Provider.objects.visible_to(user).risk_counts_on([start, *ends, as_at])
    months = [(day, counts[day]) for day in ends]
    at_start, now = counts[start], counts[as_at]
    summaries = []
    for level in RiskLevel:
        series = [counts[day][level.value] for day in ends] + [now[level.value]]
        summaries.append(
            LevelSummary(
                level=level.value,
                label=level.label,
                at_start=at_start[level.value],
                now=now[level.value],
                lowest=min(series),
                highest=max(series),
            )
        )
    return RiskOverview(year=year, start=start, as_at=as_at, months=months, summaries=summaries, years=years_on_offer)


# CQC rating alerts: falls in a rating (services.rating_drops_between), open until acknowledged.


def rating_alerts(*, user, acknowledged: bool | None = None) -> QuerySet[CqcRatingAlert]:
    """The CQC rating alerts ``user`` may see (officers: all; councillors: none), newest first, with their
    location, provider, both ratings and who acknowledged them loaded; ``acknowledged`` True or False for only
    those acknowledged or still to acknowledge."""
    alerts = CqcRatingAlert.objects.visible_to(user)
    if acknowledged is not None:
        alerts = alerts.filter(acknowledged_at__isnull=not acknowledged)
    return alerts.select_related("location__provider", "rating", "previous_rating", "acknowledged_by").order_by(
        "-created_at", "-pk"
    )


def rating_alerts_open(*, user) -> QuerySet[CqcRatingAlert]:
    """Alerts not yet acknowledged: the dashboard's and provider page's "CQC rating falls to acknowledge"."""
    return rating_alerts(user=user, acknowledged=False)


@dataclass
class ProviderAlerts:
    open: list[CqcRatingAlert]
    acknowledged: list[CqcRatingAlert]


def provider_rating_alerts(*, provider: Provider, user) -> ProviderAlerts:
    """A provider's alerts, split into those to acknowledge and those acknowledged (the page's history).
    One query."""
    alerts = list(rating_alerts(user=user).filter(location__provider=provider))
    return ProviderAlerts(
        open=[alert for alert in alerts if alert.acknowledged_at is None],
        acknowledged=[alert for alert in alerts if alert.acknowledged_at is not None],
    )
