"""Quarterly performance measures and their results. Achievement is computed, never typed
(``commissioning.achievement``, the rule contract KPIs share)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from commissioning.achievement import Achievement, Polarity, achievement
from commissioning.models import TimeStampedModel
from commissioning.periods import FinancialQuarter

# The financial years results are recorded for (2000 is 2000/01). A quarter outside them is no quarter of
# this service: a 404 in an address, a clear refusal in a query string, a field error in a form or the API.
FIRST_YEAR = 2000
LAST_YEAR = 2100


def recordable_quarter(year: int, quarter: int) -> FinancialQuarter:
    """The quarter ``quarter`` of financial year ``year``, if results can be recorded for it.

    Raises ValueError naming the problem (a quarter other than 1 to 4, a year outside 2000 to 2100)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            f"Results are recorded for the financial years {FIRST_YEAR}/{(FIRST_YEAR + 1) % 100:02d} to "
            f"{LAST_YEAR}/{(LAST_YEAR + 1) % 100:02d}, not {year}."
        )
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"A financial year has quarters 1 to 4, not {quarter}.")
    return FinancialQuarter(year, quarter)


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

    Polarity = Polarity

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

    @property
    def owning_directorate_id(self) -> int | None:
        """A measure belongs to its strategy's directorate (``commissioning.permissions``)."""
        return self.strategy.directorate_id


class MeasureResult(TimeStampedModel):
    """A measure's value and target for one quarter of a financial year."""

    Status = Achievement

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="results")
    year = models.PositiveSmallIntegerField(
        "Financial year",
        help_text="Year the financial year starts: 2018 is 2018/19.",
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
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
    def owning_directorate_id(self) -> int | None:
        """A result belongs to its measure's strategy's directorate (``commissioning.permissions``)."""
        return self.measure.owning_directorate_id

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


def compute_status(*, value: Decimal | None, target: Decimal | None, is_targeted: bool, polarity: str) -> str:
    """A result's status by the council's achievement rule (``commissioning.achievement``); measures have no
    tolerance."""
    return achievement(value=value, target=target, polarity=polarity, is_targeted=is_targeted)
