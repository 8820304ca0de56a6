"""Providers of commissioned services, their locations (care settings), CQC ratings and risk."""

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from simple_history.models import HistoricalRecords

from commissioning.models import TimeStampedModel


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
CQC_RATING_RANK = {
    CqcRatingValue.INADEQUATE: 1,
    CqcRatingValue.REQUIRES_IMPROVEMENT: 2,
    CqcRatingValue.GOOD: 3,
    CqcRatingValue.OUTSTANDING: 4,
}


class ProviderQuerySet(models.QuerySet):
    def with_current_risk(self):
        """Annotate ``current_risk_level`` and ``current_risk_date`` from the latest assessment."""
        latest = RiskAssessment.objects.filter(provider=OuterRef("pk")).order_by("-assessed_on", "-pk")
        return self.annotate(
            current_risk_level=Subquery(latest.values("level")[:1]),
            current_risk_date=Subquery(latest.values("assessed_on")[:1]),
        )


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

    objects = ProviderQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        permissions = [("import_cqc_ratings", "Can import CQC ratings")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("providers:detail", args=[self.pk])


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

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["location", "published_on"], name="one_rating_per_location_per_day")
        ]

    def __str__(self):
        return f"{self.location}: {self.get_overall_display()} ({self.published_on:%d/%m/%Y})"


class RiskAssessment(TimeStampedModel):
    """One scoring of a provider against the risk matrix (see providers/risk.py)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="risk_assessments")
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Factor scores, 0 (no concern) to 3 (serious concern); keys are the matrix's factor codes.
    factors = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField(default=0)
    calculated_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    level = models.CharField("Resulting level", max_length=10, choices=RiskLevel.choices)
    override_reason = models.TextField(blank=True)
    rationale = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        get_latest_by = ["assessed_on", "pk"]

    def __str__(self):
        return f"{self.provider}: {self.get_level_display()} on {self.assessed_on:%d/%m/%Y}"

    @property
    def is_overridden(self) -> bool:
        return self.level != self.calculated_level
