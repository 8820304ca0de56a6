"""Quarterly performance measures and their results. Achievement is computed, never typed."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from commissioning.models import TimeStampedModel
from commissioning.periods import FinancialQuarter


class Measure(TimeStampedModel):
    class Unit(models.TextChoices):
        PERCENTAGE = "percentage", "%"
        COUNT = "count", "Count"
        RATE_PER_100K = "rate_100k", "Rate per 100,000 population"
        RATE_PER_1000 = "rate_1000", "Rate per 1,000 population"
        DAYS = "days", "Days"
        WEEKS = "weeks", "Weeks"
        POUNDS = "pounds", "£"
        SCORE = "score", "Score"

    class Polarity(models.TextChoices):
        HIGHER_IS_BETTER = "higher", "Higher is better"
        LOWER_IS_BETTER = "lower", "Lower is better"

    class Framework(models.TextChoices):
        ASCOF = "ASCOF", "Adult Social Care Outcomes Framework"
        PHOF = "PHOF", "Public Health Outcomes Framework"
        NHSOF = "NHSOF", "NHS Outcomes Framework"
        LOCAL = "LOCAL", "Local measure"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    strategy = models.ForeignKey("strategies.CommissioningStrategy", on_delete=models.CASCADE, related_name="measures")
    outcome = models.ForeignKey(
        "strategies.Outcome", on_delete=models.SET_NULL, null=True, blank=True, related_name="measures"
    )
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.PERCENTAGE)
    decimal_places = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(4)])
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.HIGHER_IS_BETTER)
    is_targeted = models.BooleanField(
        default=True, help_text="Untick for a measure that is measured only, with no target."
    )
    framework = models.CharField(max_length=10, choices=Framework.choices, default=Framework.LOCAL)
    framework_code = models.CharField(max_length=30, blank=True, help_text="e.g. ASCOF 1A, PHOF 2.14.")
    data_source = models.CharField(max_length=255, blank=True)
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["strategy", "order", "pk"]

    def __str__(self):
        return self.name


class MeasureResult(TimeStampedModel):
    """A measure's value and target for one quarter of a financial year."""

    class Status(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"
        MEASURED_ONLY = "measured_only", "Measured only"
        AWAITING_DATA = "awaiting_data", "Awaiting data"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="results")
    year = models.PositiveSmallIntegerField(
        "Financial year",
        help_text="Year the financial year starts: 2018 is 2018/19.",
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    commentary = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "year", "quarter"], name="one_result_per_measure_quarter"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="quarter_is_1_to_4"),
        ]

    def __str__(self):
        return f"{self.measure}: {self.period}"

    @property
    def period(self) -> FinancialQuarter:
        return FinancialQuarter(self.year, self.quarter)

    @property
    def status(self) -> str:
        return compute_status(
            value=self.value, target=self.target, is_targeted=self.measure.is_targeted, polarity=self.measure.polarity
        )

    def get_status_display(self) -> str:
        return self.Status(self.status).label


def compute_status(*, value, target, is_targeted: bool, polarity: str) -> str:
    """Achieved when the value meets the target in the measure's direction; equal counts as achieved."""
    if value is None:
        return MeasureResult.Status.AWAITING_DATA
    if not is_targeted or target is None:
        return MeasureResult.Status.MEASURED_ONLY
    met = value <= target if polarity == Measure.Polarity.LOWER_IS_BETTER else value >= target
    return MeasureResult.Status.ACHIEVED if met else MeasureResult.Status.NOT_ACHIEVED
