"""What contract officers record about providers: visits, concerns, sanctions, action plans and escalation.

These models moved here from the contracts app; their tables kept their names (``contracts_visit``...)
so that no data moved with them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning import permissions
from commissioning.achievement import Polarity
from commissioning.models import TimeStampedModel
from contracts.models import Contract


class OfficerRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What officers record about providers is officers' information: council officers see every
        record, councillors none."""
        return self if permissions.is_officer(user) else self.none()


class _AboutAProvider(TimeStampedModel):
    """A record about a provider, perhaps under one of its contracts: it belongs to that contract's
    directorate, or to the whole council when it names no contract (commissioning.permissions)."""

    class Meta:
        abstract = True

    @property
    def owning_directorate_id(self) -> int | None:
        contract = getattr(self, "contract", None)
        return contract.directorate_id if contract is not None else None


class _PartOfAPlan(TimeStampedModel):
    """An action or escalation step belongs where its action plan does."""

    class Meta:
        abstract = True

    @property
    def owning_directorate_id(self) -> int | None:
        return self.plan.owning_directorate_id  # type: ignore[attr-defined]


class Visit(_AboutAProvider):
    class Kind(models.TextChoices):
        PLANNED = "planned", "Planned"
        UNANNOUNCED = "unannounced", "Unannounced"
        REACTIVE = "reactive", "Reactive"

    class Level(models.TextChoices):
        GOOD = "good", "Good"
        ADEQUATE = "adequate", "Adequate"
        POOR = "poor", "Poor"

    class FeedbackLevel(models.TextChoices):
        NONE = "none", "None"
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="visits")
    location = models.ForeignKey(
        "providers.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    contract = models.ForeignKey(Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    visited_on = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="visits")
    findings = models.TextField(blank=True)
    environment = models.CharField("Service-user environment", max_length=20, choices=Level.choices, blank=True)
    complaints_feedback = models.CharField(
        "Complaints and feedback level", max_length=20, choices=FeedbackLevel.choices, blank=True
    )
    follow_up_actions = models.TextField(blank=True)

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords(table_name="contracts_historicalvisit")

    class Meta:
        db_table = "contracts_visit"
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} visit to {self.location or self.provider} on {self.visited_on:%d/%m/%Y}"


class Concern(_AboutAProvider):
    class Kind(models.TextChoices):
        POOR_PRACTICE = "poor_practice", "Poor practice concern"
        SAFEGUARDING = "safeguarding", "Safeguarding enquiry"
        SERIOUS_INCIDENT = "serious_incident", "Serious incident"
        COMPLAINT = "complaint", "Complaint"

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="concerns")
    location = models.ForeignKey(
        "providers.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="concerns"
    )
    contract = models.ForeignKey(Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="concerns")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    raised_on = models.DateField()
    severity = models.CharField(max_length=20, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    summary = models.TextField()
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords(table_name="contracts_historicalconcern")

    class Meta:
        db_table = "contracts_concern"
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_on__isnull=False), name="closed_concern_has_date"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.provider} raised {self.raised_on:%d/%m/%Y}"


class Sanction(_AboutAProvider):
    class Kind(models.TextChoices):
        DEFAULT_NOTICE = "default_notice", "Default notice"
        SUSPENSION = "suspension", "Suspension of new admissions"
        SERVICE_CREDIT = "service_credit", "Service credit"
        TERMINATION = "termination", "Termination"

    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="sanctions")
    location = models.ForeignKey(
        "providers.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="sanctions"
    )
    contract = models.ForeignKey(Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="sanctions")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    issued_on = models.DateField()
    lifted_on = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reason = models.TextField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords(table_name="contracts_historicalsanction")

    class Meta:
        db_table = "contracts_sanction"
        ordering = ["-issued_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.provider} from {self.issued_on:%d/%m/%Y}"

    @property
    def is_in_force(self) -> bool:
        return self.lifted_on is None or self.lifted_on > timezone.localdate()


class ActionPlan(_AboutAProvider):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETE = "complete", "Complete"

    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="action_plans")
    location = models.ForeignKey(
        "providers.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="action_plans"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_plans"
    )
    title = models.CharField(max_length=255)
    agreed_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords(table_name="contracts_historicalactionplan")

    class Meta:
        db_table = "contracts_actionplan"
        ordering = ["-agreed_on", "-pk"]

    def __str__(self):
        return self.title


class PlanAction(_PartOfAPlan):
    """One action in an action plan, with an owner and a due date."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=150)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords(table_name="contracts_historicalplanaction")

    class Meta:
        db_table = "contracts_planaction"
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description[:60]


class EscalationStep(_PartOfAPlan):
    """A step taken when an action plan is not complete in time (the escalation process)."""

    class Step(models.TextChoices):
        REMINDER = "reminder", "Reminder to provider"
        MEETING = "meeting", "Meeting with registered manager"
        SENIOR_MEETING = "senior_meeting", "Meeting with provider's senior management"
        DEFAULT_NOTICE = "default_notice", "Default notice issued"
        SUSPENSION = "suspension", "Suspension of new admissions"
        TERMINATION = "termination", "Termination considered"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="escalation_steps")
    step = models.CharField(max_length=30, choices=Step.choices)
    taken_on = models.DateField()
    note = models.TextField(blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords(table_name="contracts_historicalescalationstep")

    class Meta:
        db_table = "contracts_escalationstep"
        ordering = ["taken_on", "pk"]

    def __str__(self):
        return f"{self.get_step_display()} on {self.taken_on:%d/%m/%Y}"


# --- Contract performance under the Procurement Act 2023 ------------------------------------------------------
# KPIs (section 52), their results, assessments and contract performance notices (UK9, section 71), breaches
# (section 71(5)); which contracts carry these duties is contracts.duties.


class _AboutAContract(TimeStampedModel):
    """A record under one contract belongs to its directorate."""

    class Meta:
        abstract = True

    @property
    def owning_directorate_id(self) -> int | None:
        return self.contract.directorate_id  # type: ignore[attr-defined]


class KpiRating(models.TextChoices):
    """The statutory scale of regulation 39 of the Procurement Regulations 2024, with the UK OCDS extension's
    measureClassification code for each (contracts[].implementation.metrics[].observations)."""

    GOOD = "good", "Good"
    APPROACHING_TARGET = "approaching_target", "Approaching target"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    OTHER = "other", "Other"


MEASURE_CLASSIFICATION = {
    KpiRating.GOOD: "met",
    KpiRating.APPROACHING_TARGET: "slightlyBelow",
    KpiRating.REQUIRES_IMPROVEMENT: "below",
    KpiRating.INADEQUATE: "significantlyBelow",
    KpiRating.OTHER: "other",
}


class ContractKpi(_AboutAContract):
    """A key performance indicator of one contract, set at award and frozen then: a later change is a contract
    change (``changed_by``) that retires this KPI and adds its replacement."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        SIX_MONTHLY = "six_monthly", "Six-monthly"
        ANNUALLY = "annually", "Annually"

    class Source(models.TextChoices):
        SUPPLIER_RETURN = "supplier_return", "Supplier return"
        COUNCIL_DATA = "council_data", "Council data"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    measure = models.CharField("How it is measured", max_length=255)
    unit = models.CharField(max_length=40, help_text="e.g. %, days, visits.")
    target = models.DecimalField(max_digits=14, decimal_places=4)
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.HIGHER_IS_BETTER)
    tolerance = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="How far short of the target, in the KPI's unit, still counts as approaching it.",
    )
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SUPPLIER_RETURN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_kpis"
    )
    position = models.PositiveSmallIntegerField(default=0)
    frozen_on = models.DateField(null=True, blank=True, help_text="When the KPI was fixed at award.")
    retired_on = models.DateField(null=True, blank=True)
    changed_by = models.ForeignKey(
        "contracts.ContractChange",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kpis",
        help_text="The contract change that added this KPI after award or retired it.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "position", "pk"]
        verbose_name = "contract KPI"

    def __str__(self):
        return self.name

    @property
    def is_frozen(self) -> bool:
        return self.frozen_on is not None


class KpiResult(TimeStampedModel):
    """A KPI's result for one reporting period, rated on the statutory scale: the rating is suggested by the
    achievement rule and may be overridden with a reason."""

    kpi = models.ForeignKey(ContractKpi, on_delete=models.CASCADE, related_name="results")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    suggested_rating = models.CharField(max_length=30, choices=KpiRating.choices, blank=True)
    rating = models.CharField(max_length=30, choices=KpiRating.choices, blank=True)
    override_reason = models.TextField(blank=True)
    commentary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi", "-period_start"]
        verbose_name = "KPI result"
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period_start"], name="kpi_result_once_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="kpi_result_period"),
        ]

    def __str__(self):
        return f"{self.kpi} for {self.period_start:%d/%m/%Y} to {self.period_end:%d/%m/%Y}"

    @property
    def owning_directorate_id(self) -> int | None:
        return self.kpi.contract.directorate_id

    @property
    def is_overridden(self) -> bool:
        return bool(self.rating) and self.rating != self.suggested_rating


class PerformanceAssessment(_AboutAContract):
    """An assessment of the supplier against the contract's KPIs (section 71(2)): at least every 12 months and
    on termination. ``due_on`` is computed when it is scheduled (oversight services)."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "Annual assessment"
        TERMINATION = "termination", "Assessment on termination"
        INTERIM = "interim", "Interim assessment"

    class Status(models.TextChoices):
        DUE = "due", "Due"
        COMPLETE = "complete", "Complete"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="performance_assessments")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ANNUAL)
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DUE)
    assessed_on = models.DateField(null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(blank=True)

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="assessment_period_in_order"
            ),
            models.CheckConstraint(
                condition=Q(status="due") | Q(assessed_on__isnull=False), name="complete_assessment_has_date"
            ),
        ]

    def __str__(self):
        period = f"{self.period_start:%d/%m/%Y} to {self.period_end:%d/%m/%Y}"
        return f"{self.get_kind_display()} of {self.contract.reference}, {period}"

    def get_absolute_url(self):
        return reverse("oversight:assessment", args=[self.pk])


class ContractBreach(_AboutAContract):
    """A breach of contract, or a failure to improve after notice (section 71(5)): published within 30 days of
    the termination, damages or settlement, unless it ended in termination of the whole contract (UK11).
    A sanction officers already record (a default notice, a suspension) is linked, but is not by itself one."""

    class Kind(models.TextChoices):
        BREACH = "breach", "Breach of contract"
        FAILURE_TO_IMPROVE = "failure_to_improve", "Failure to improve after notice"

    class Consequence(models.TextChoices):
        TERMINATION_WHOLE = "termination_whole", "Termination of the whole contract"
        TERMINATION_PART = "termination_part", "Termination of part of the contract"
        DAMAGES = "damages", "Damages awarded"
        SETTLEMENT = "settlement", "Settlement agreed"
        NONE_YET = "none_yet", "No consequence yet"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="breaches")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    what_happened = models.TextField()
    occurred_on = models.DateField()
    consequence = models.CharField(max_length=30, choices=Consequence.choices, default=Consequence.NONE_YET)
    consequence_on = models.DateField(
        null=True, blank=True, help_text="When the contract was terminated, damages awarded or settlement agreed."
    )
    damages_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    settlement_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    sanctions = models.ManyToManyField(Sanction, blank=True, related_name="breaches")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name_plural = "contract breaches"

    def __str__(self):
        return f"{self.get_kind_display()} of {self.contract.reference} on {self.occurred_on:%d/%m/%Y}"


class ContractPerformanceNotice(_AboutAContract):
    """A contract performance notice (UK9): built from an assessment (section 71(2)) or a breach (section
    71(5)); draft, approved, then published; once published its ``content`` never changes."""

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", "KPI assessment (section 71(2))"
        BREACH = "breach", "Breach or failure to improve (section 71(5))"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="performance_notices")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ASSESSMENT)
    assessment = models.ForeignKey(
        PerformanceAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )
    breach = models.ForeignKey(ContractBreach, on_delete=models.PROTECT, null=True, blank=True, related_name="notices")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    due_on = models.DateField(null=True, blank=True, help_text="The date by which it must be published.")
    # The regulation 39 fields as published: fixed at approval, never changed once published.
    content = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    cdp_notice_id = models.CharField(
        "Central Digital Platform notice identifier",
        max_length=100,
        blank=True,
        help_text="Recorded once the notice is published on the Central Digital Platform.",
    )

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "-pk"]
        permissions = [("approve_contractperformancenotice", "Can approve and publish contract performance notices")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="published_notice_has_date"
            ),
            models.CheckConstraint(
                condition=Q(assessment__isnull=False) | Q(breach__isnull=False), name="notice_from_assessment_or_breach"
            ),
        ]

    def __str__(self):
        period = f"{self.period_start:%d/%m/%Y} to {self.period_end:%d/%m/%Y}"
        return f"Contract performance notice for {self.contract.reference}, {period}"

    def get_absolute_url(self):
        return reverse("oversight:performance_notice", args=[self.pk])


# --- Alerts on contracts: statutory and end-date alerts, and users' own -----------------------------------------


class ContractAlertRule(TimeStampedModel):
    """A user's own alert: on one contract, or on every contract a saved register search finds, so many days
    before one of its dates. (The statutory and end-date alerts to manager and backup need no rule.)"""

    class DateKind(models.TextChoices):
        END_DATE = "end_date", "End date"
        NOTICE_DATE = "notice_date", "Notice date"
        REVIEW_DATE = "review_date", "Review date"
        MAXIMUM_END_DATE = "maximum_end_date", "Latest possible end date"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contract_alert_rules")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, null=True, blank=True, related_name="alert_rules")
    saved_search = models.CharField(
        max_length=500, blank=True, help_text="A register search (its query string) whose contracts are watched."
    )
    name = models.CharField(max_length=120, blank=True)
    date_kind = models.CharField(max_length=20, choices=DateKind.choices, default=DateKind.END_DATE)
    lead_days = models.PositiveSmallIntegerField(default=90)

    class Meta:
        ordering = ["user", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract__isnull=False) | ~Q(saved_search=""), name="alert_rule_on_contract_or_search"
            )
        ]

    def __str__(self):
        return self.name or f"{self.get_date_kind_display()} alert, {self.lead_days} days ahead"


class ContractAlert(TimeStampedModel):
    """One alert raised about a contract's date (or a statutory deadline), sent once: ``key`` names the event.
    A statutory alert not acknowledged within the escalation time goes to the team lead too."""

    class Kind(models.TextChoices):
        END_DATE = "end_date", "End date"
        NOTICE_DATE = "notice_date", "Notice date"
        REVIEW_DATE = "review_date", "Review date"
        MAXIMUM_END_DATE = "maximum_end_date", "Latest possible end date"
        PAST_END = "past_end", "Running past its end"
        ASSESSMENT_DUE = "assessment_due", "Performance assessment due"
        NOTICE_DUE = "notice_due", "Contract performance notice due"
        NO_MANAGER = "no_manager", "No contract manager"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    statutory = models.BooleanField(
        default=True, help_text="Statutory and end-date alerts go to the manager and backup and cannot be switched off."
    )
    rule = models.ForeignKey(ContractAlertRule, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts")
    due_on = models.DateField(help_text="The date the alert is about.")
    key = models.CharField(max_length=200, unique=True)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="contract_alerts")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OfficerRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.contract.reference} ({self.due_on:%d/%m/%Y})"

    @property
    def owning_directorate_id(self) -> int | None:
        return self.contract.directorate_id
