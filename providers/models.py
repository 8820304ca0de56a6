"""Providers of commissioned services, their locations (care settings), CQC ratings and risk."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import cast

from django.conf import settings
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning import permissions
from commissioning.models import TimeStampedModel
from commissioning.periods import month_ends


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class CqcRatingValue(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    NOT_RATED = "not_rated", "Not yet rated"


# Higher is better: a fall in this rank is a rating that dropped.
CQC_RATING_RANK: dict[str, int] = {
    CqcRatingValue.INADEQUATE: 1,
    CqcRatingValue.REQUIRES_IMPROVEMENT: 2,
    CqcRatingValue.GOOD: 3,
    CqcRatingValue.OUTSTANDING: 4,
}
# How a rating alert names the question that fell (the drops JSON keys).
QUESTION_LABELS = {
    "overall": "Overall",
    "safe": "Safe",
    "effective": "Effective",
    "caring": "Caring",
    "responsive": "Responsive",
    "well_led": "Well-led",
}


class _OfficersOnly(models.QuerySet):
    def visible_to(self, user):
        """Officers' information: council officers see every record, councillors none."""
        return self if permissions.is_officer(user) else self.none()


class ProviderQuerySet(_OfficersOnly):
    def risk_level_on(self, day: date) -> ProviderQuerySet:
        """Annotate ``risk_level`` and ``risk_assessed_on``: the provider's risk on ``day``, which is the stored
        level of its latest assessment on or before that day (None if it had none, or if it had left the market
        on or before that day: ``exited_on``). The one definition of a provider's risk at a date: lists, the risk
        overview, the annual statistics and the dashboards use it."""
        in_market = Q(exited_on__isnull=True) | Q(exited_on__gt=day)
        return self.annotate(
            risk_level=Case(
                When(in_market, then=RiskAssessment.objects.level_on(day, provider=OuterRef("pk"))),
                default=Value(None, output_field=models.CharField()),
            ),
            risk_assessed_on=Case(
                When(
                    in_market,
                    then=RiskAssessment.objects.level_on(day, provider=OuterRef("pk"), field="assessed_on"),
                ),
                default=Value(None, output_field=models.DateField()),
            ),
        )

    def in_market_on(self, day: date) -> ProviderQuerySet:
        """Providers that had not left the market by ``day`` (no ``exited_on``, or a later one)."""
        return self.filter(Q(exited_on__isnull=True) | Q(exited_on__gt=day))

    def with_current_risk(self, today: date | None = None) -> ProviderQuerySet:
        """Annotate ``current_risk_level`` and ``current_risk_date``: the risk on ``today`` (``risk_level_on``)."""
        return self.risk_level_on(today or timezone.localdate()).annotate(
            current_risk_level=F("risk_level"), current_risk_date=F("risk_assessed_on")
        )

    def risk_counts_on(self, days: Iterable[date]) -> dict[date, dict[str, int]]:
        """For each day, how many of these providers stood at each level on it (``risk_level_on``). One query."""
        assessments = RiskAssessment.objects.all()
        if self.query.has_filters() or self.query.is_empty():
            assessments = assessments.filter(provider__in=self.values("pk"))
        return assessments.counts_on(days)

    def risk_counts_by_month_end(self, start: date, end: date) -> dict[date, dict[str, int]]:
        """Providers at each level on the last day of each month from ``start``'s month to ``end``'s
        (``commissioning.periods.month_ends``), in date order."""
        return self.risk_counts_on(month_ends(start=start, end=end))


class Provider(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        IN_ADMINISTRATION = "in_administration", "In administration"
        EXITED = "exited", "Exited the market"

    name = models.CharField(max_length=200)
    trading_name = models.CharField(max_length=200, blank=True)
    companies_house_number = models.CharField(max_length=12, blank=True)
    charity_number = models.CharField(max_length=12, blank=True)
    cqc_provider_id = models.CharField("CQC provider ID", max_length=20, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    is_sme = models.BooleanField("SME", default=False, help_text="Small or medium-sized enterprise.")
    is_vcse = models.BooleanField("VCSE", default=False, help_text="Voluntary, community or social enterprise.")
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    contact_email = models.EmailField(blank=True)
    # Central Digital Platform's Public Procurement Organisation Number (Procurement Act 2023), when held.
    ppon_id = models.CharField("PPON", max_length=20, blank=True, help_text="Public Procurement Organisation Number.")
    # The day the provider left the market (exit, administration ending in closure): from then on it is no longer
    # counted in the risk methodology or the market. Set through provider_record_exit.
    exited_on = models.DateField("Left the market on", null=True, blank=True)

    objects = ProviderQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        permissions = [("import_cqc_ratings", "Can import CQC ratings")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("providers:detail", args=[self.pk])


class LocationQuerySet(_OfficersOnly):
    pass


class Location(TimeStampedModel):
    """A care setting or service location, as CQC registers it."""

    class SettingType(models.TextChoices):
        CARE_HOME = "care_home", "Care home"
        CARE_HOME_NURSING = "care_home_nursing", "Care home with nursing"
        HOMECARE = "homecare", "Homecare agency"
        SUPPORTED_LIVING = "supported_living", "Supported living"
        DAY_SERVICE = "day_service", "Day service"
        COMMUNITY = "community", "Community service"
        CLINIC = "clinic", "Clinic or hospital"
        OFFICE = "office", "Office base"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSING = "closing", "Closing"
        CLOSED = "closed", "Closed"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=200)
    cqc_location_id = models.CharField("CQC location ID", max_length=20, blank=True, db_index=True)
    setting_type = models.CharField(max_length=30, choices=SettingType.choices, default=SettingType.CARE_HOME)
    is_care_home = models.BooleanField(default=False)
    beds = models.PositiveIntegerField(null=True, blank=True)
    district = models.CharField(max_length=80, blank=True)
    zone = models.CharField(max_length=80, blank=True, help_text="Contract-management zone or locality.")
    in_county = models.BooleanField(default=True)
    postcode = models.CharField(max_length=10, blank=True)
    # What CQC's HSCA active locations file says of the location (kept current by its import).
    address = models.TextField(blank=True)
    local_authority = models.CharField(max_length=100, blank=True)
    registered_manager = models.CharField(max_length=200, blank=True)
    is_dormant = models.BooleanField("Dormant", default=False, help_text="Registered, but not providing care.")
    last_seen_in_cqc_file = models.DateField(null=True, blank=True)
    # Set when a CQC file the council imports no longer lists the location; cleared when it reappears.
    cqc_review_reason = models.CharField("CQC review", max_length=300, blank=True)
    cqc_review_since = models.DateField(null=True, blank=True)
    # A change of owner: CQC registers the same service under a new location ID with an inherited rating.
    previous_location = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="successor_locations"
    )

    # Whether the service is open, closing (notice given, residents moving) or closed, with the dates: set through
    # location_record_status, never typed into the location's own form.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closing_from = models.DateField("Closing announced on", null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    objects = LocationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cqc_location_id"],
                condition=~models.Q(cqc_location_id=""),
                name="unique_cqc_location_id",
            )
        ]

    def __str__(self):
        return self.name


class CqcRatingQuerySet(_OfficersOnly):
    pass


class CqcRating(TimeStampedModel):
    """A published CQC inspection rating: overall and the five key questions."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="cqc_ratings")
    published_on = models.DateField()
    overall = models.CharField(max_length=30, choices=CqcRatingValue.choices)
    safe = models.CharField(max_length=30, choices=CqcRatingValue.choices, blank=True)
    effective = models.CharField(max_length=30, choices=CqcRatingValue.choices, blank=True)
    caring = models.CharField(max_length=30, choices=CqcRatingValue.choices, blank=True)
    responsive = models.CharField(max_length=30, choices=CqcRatingValue.choices, blank=True)
    well_led = models.CharField("Well-led", max_length=30, choices=CqcRatingValue.choices, blank=True)
    # CQC shows a new registration (a change of owner) with the rating of the service it took over.
    inherited = models.BooleanField(default=False)

    objects = CqcRatingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["location", "published_on"], name="one_rating_per_location_per_day")
        ]

    def __str__(self):
        return f"{self.location}: {self.get_overall_display()} ({self.published_on:%d/%m/%Y})"


class RiskMethodQuerySet(_OfficersOnly):
    def in_force_on(self, day: date) -> RiskMethod | None:
        """The method in force on ``day``: the one with the latest ``effective_from`` on or before it."""
        latest = self.filter(effective_from__lte=day).order_by("-effective_from", "-version").first()
        return cast("RiskMethod | None", latest)


class RiskMethod(TimeStampedModel):
    """A version of the council's risk method: the factors an officer answers, the points each allowed answer
    carries, each factor's weight, and the weighted scores at which Medium and High begin (Low from 0).

    The council defines it (an administrator records each version through ``risk_method_create``); the one in
    force on an assessment's date scores it, and a method any assessment used is never changed: a change is a
    new version, from its own date."""

    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(unique=True)
    effective_from = models.DateField("In force from")
    # [{"code", "name", "description", "weight": int >= 1, "answers": [{"score": int >= 0, "label": str}, ...]}]
    factors = models.JSONField(default=list)
    # {"medium": lowest weighted score of Medium, "high": lowest of High}
    thresholds = models.JSONField(default=dict)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RiskMethodQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"{self.name} (version {self.version})"

    def get_absolute_url(self):
        return reverse("providers:risk_method_detail", args=[self.pk])

    @property
    def max_score(self) -> int:
        """The highest weighted score: every factor at its highest answer."""
        return sum(
            int(factor["weight"]) * max((int(a["score"]) for a in factor.get("answers", [])), default=0)
            for factor in self.factors
        )

    def bands(self) -> list[tuple[str, str, int, int]]:
        """The levels as (level, label, lowest, highest) weighted score, Low first."""
        medium, high = int(self.thresholds["medium"]), int(self.thresholds["high"])
        return [
            (RiskLevel.LOW.value, RiskLevel.LOW.label, 0, medium - 1),
            (RiskLevel.MEDIUM.value, RiskLevel.MEDIUM.label, medium, high - 1),
            (RiskLevel.HIGH.value, RiskLevel.HIGH.label, high, self.max_score),
        ]


class RiskAssessmentQuerySet(_OfficersOnly):
    def level_on(self, day: date, *, provider: OuterRef | int, field: str = "level") -> Subquery:
        """SQL for ``field`` of ``provider``'s latest assessment on or before ``day`` (NULL if none), for an
        annotation: ``provider`` is an OuterRef to the provider's id in the outer query."""
        latest = self.filter(provider=provider, assessed_on__lte=day).order_by("-assessed_on", "-pk")
        return Subquery(latest.values(field)[:1])

    def counts_on(self, days: Iterable[date]) -> dict[date, dict[str, int]]:
        """For each day, how many providers stood at each level on it, by the stored level of their latest
        assessment (among these) on or before that day, leaving out providers that had left the market on or
        before it (``Provider.exited_on``). One query: the assessments are swept once in date order."""
        days = sorted(set(days))
        if not days:
            return {}
        rows = (
            self.filter(assessed_on__lte=days[-1])
            .order_by("assessed_on", "pk")
            .values_list("provider_id", "assessed_on", "level", "provider__exited_on")
        )
        current: dict[int, tuple[str, date | None]] = {}
        counts: dict[date, dict[str, int]] = {}
        pending = rows.iterator()
        upcoming = next(pending, None)
        for day in days:
            while upcoming is not None and upcoming[1] <= day:
                current[upcoming[0]] = (upcoming[2], upcoming[3])
                upcoming = next(pending, None)
            counted = dict.fromkeys(RiskLevel.values, 0)
            for level, exited_on in current.values():
                if exited_on is None or exited_on > day:  # a provider that left the market is not counted
                    counted[level] = counted.get(level, 0) + 1
            counts[day] = counted
        return counts


class RiskAssessment(TimeStampedModel):
    """One scoring of a provider by the council's risk method in force on its date (``RiskMethod``): the
    answer given to each factor, the weighted score and the level they give, and the resulting level."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="risk_assessments")
    method = models.ForeignKey(RiskMethod, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The answer given to each of the method's factors, as the answer's points: {factor code: score}.
    factors = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField(default=0)
    calculated_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    level = models.CharField("Resulting level", max_length=10, choices=RiskLevel.choices)
    override_reason = models.TextField(blank=True)
    rationale = models.TextField(blank=True)

    objects = RiskAssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        get_latest_by = ["assessed_on", "pk"]

    def __str__(self):
        return f"{self.provider}: {self.get_level_display()} on {self.assessed_on:%d/%m/%Y}"

    @property
    def is_overridden(self) -> bool:
        return self.level != self.calculated_level

    def answered_factors(self) -> list[dict]:
        """The method's factors with the answer given to each: name, weight, score, label and points."""
        rows = []
        for factor in self.method.factors:
            score = self.factors.get(factor["code"])
            label = next((a["label"] for a in factor["answers"] if a["score"] == score), "")
            points = None if score is None else int(factor["weight"]) * int(score)
            rows.append({**factor, "score": score, "label": label, "points": points})
        return rows


class CqcRatingAlertQuerySet(_OfficersOnly):
    pass


class CqcRatingAlert(TimeStampedModel):
    """A fall in a location's CQC rating (overall or a key question, down between two real ratings), shown
    on the provider page and dashboard until a contract officer acknowledges it."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="cqc_rating_alerts")
    rating = models.OneToOneField(CqcRating, on_delete=models.CASCADE, related_name="alert")
    previous_rating = models.ForeignKey(CqcRating, on_delete=models.CASCADE, related_name="+")
    # [{"question": "overall" | "safe" | ..., "previous": value, "new": value}, ...]
    drops = models.JSONField(default=list)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True)

    objects = CqcRatingAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("acknowledge_cqcratingalert", "Can acknowledge a CQC rating alert")]

    def __str__(self):
        return f"{self.location}: rating fell ({self.rating.published_on:%d/%m/%Y})"
