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

from commissioning import permissions, roles
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


class EnquiryOutcome(models.TextChoices):
    """The outcome of a section 42 enquiry, in the Safeguarding Adults Collection's (NHS England) terms: whether
    a risk was identified and whether action was taken, or the enquiry ceased at the adult's request."""

    RISK_ACTION = "risk_action", "Risk identified and action taken"
    RISK_NO_ACTION = "risk_no_action", "Risk identified and no action taken"
    INCONCLUSIVE_ACTION = "inconclusive_action", "Risk assessment inconclusive and action taken"
    INCONCLUSIVE_NO_ACTION = "inconclusive_no_action", "Risk assessment inconclusive and no action taken"
    NO_RISK_ACTION = "no_risk_action", "No risk identified and action taken"
    NO_RISK_NO_ACTION = "no_risk_no_action", "No risk identified and no action taken"
    CEASED = "ceased", "Enquiry ceased at the adult's request and no action taken"


# Concern kinds readable only by those who need them (ConcernQuerySet.visible_to), every read recorded.
RESTRICTED_CONCERN_KINDS = ("safeguarding", "serious_incident")


def restricted_concern_q() -> Q:
    """The concerns read only by those who need them: safeguarding concerns, serious incidents, and any concern
    flagged sensitive (the one rule; ``Concern.is_restricted`` is the same for a concern in hand)."""
    return Q(kind__in=RESTRICTED_CONCERN_KINDS) | Q(sensitive=True)


class ConcernQuerySet(OfficerRecordQuerySet):
    def visible_to(self, user):
        """Concerns are officers' information (councillors see none). Safeguarding concerns and serious incidents
        only to those who need them: administrators, safeguarding leads, the officer who recorded the concern and
        the provider's officers (the contract manager or backup of one of the provider's live contracts).

        Aggregate counts (the dashboard, the annual statistics) count every concern: use ``counted_for``."""
        if not permissions.is_officer(user):
            return self.none()
        if user.is_superuser or permissions.has_role(user, roles.ADMINISTRATOR, roles.SAFEGUARDING_LEAD):
            return self
        return self.filter(~restricted_concern_q() | Q(recorded_by=user) | _provider_officer(user))

    def counted_for(self, user):
        """The concerns a figure counts for ``user``: every concern for officers (a count is not a read of a
        record), none for councillors."""
        return super().visible_to(user)

    def restricted(self):
        return self.filter(restricted_concern_q())


def _managed_live_contracts(user) -> models.QuerySet:
    return Contract.objects.filter(status=Contract.Status.LIVE).filter(
        Q(contract_manager=user) | Q(backup_manager=user)
    )


def _provider_officer(user) -> Q:
    """Concerns about a provider ``user`` manages or backs up a live contract of (as lead or other provider)."""
    managed = _managed_live_contracts(user)
    shared = Contract.other_providers.through.objects.filter(contract__in=managed).values("provider_id")
    return Q(provider_id__in=managed.values("lead_provider_id")) | Q(provider_id__in=shared)


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
    # Any concern may be flagged sensitive (it names a vulnerable person, a member of staff under investigation):
    # then it is read only by those who need it, as a safeguarding concern is (restricted_concern_q).
    sensitive = models.BooleanField(
        "Sensitive: need to know only",
        default=False,
        help_text="Only administrators, safeguarding leads, the officer who recorded it and the provider's contract "
        "managers may read it; every read is recorded.",
    )
    # The council's section 42 (Care Act 2014) enquiry into a safeguarding concern: its reference, when it
    # started, and its outcome as the Safeguarding Adults Collection records it. Set through
    # oversight.safeguarding (concern_enquiry_record, concern_enquiry_conclude), never typed into the concern form.
    s42_reference = models.CharField("Section 42 enquiry reference", max_length=40, blank=True)
    s42_started_on = models.DateField("Section 42 enquiry started on", null=True, blank=True)
    s42_outcome = models.CharField(
        "Section 42 enquiry outcome", max_length=40, choices=EnquiryOutcome.choices, blank=True
    )
    s42_concluded_on = models.DateField("Section 42 enquiry concluded on", null=True, blank=True)

    objects = ConcernQuerySet.as_manager()
    history = HistoricalRecords(table_name="contracts_historicalconcern")

    class Meta:
        db_table = "contracts_concern"
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_on__isnull=False), name="closed_concern_has_date"
            ),
            models.UniqueConstraint(
                fields=["s42_reference"], condition=~Q(s42_reference=""), name="concern_s42_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(s42_outcome="") | Q(s42_concluded_on__isnull=False), name="concluded_enquiry_has_date"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.provider} raised {self.raised_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("oversight:concern", args=[self.pk])

    @property
    def is_restricted(self) -> bool:
        """A safeguarding concern, serious incident or sensitive concern: read only by those who need it, every read
        recorded."""
        return self.kind in RESTRICTED_CONCERN_KINDS or self.sensitive

    @property
    def enquiry_status(self) -> str:
        if self.s42_outcome:
            return "Concluded"
        if self.s42_reference:
            return "Under way"
        return "Not started"


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


from oversight import grading  # noqa: E402 - pure rules with no models: the JET scale

# --- Contract returns and JET grading (seed 002) ------------------------------------------------------------
# Every managed contract's manager tells commissioning "of the overall risk rating and contract performance for
# that contract on a monthly basis" (quarterly for low-risk, low-value contracts: oversight.returns): the RAG
# risk rating and the JET score (oversight.grading), with strengths, weaknesses and the KPI descriptor.


class Rag(models.TextChoices):
    """Red, Amber or Green: a contract return's risk rating and a market indicator's level."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class ContractReturnQuerySet(OfficerRecordQuerySet):
    def submitted(self) -> "ContractReturnQuerySet":
        return self.filter(submitted_on__isnull=False)

    def outstanding(self) -> "ContractReturnQuerySet":
        """Returns not yet submitted (due or overdue)."""
        return self.filter(submitted_on__isnull=True)

    def overdue_on(self, day) -> "ContractReturnQuerySet":
        return self.filter(submitted_on__isnull=True, due_on__lt=day)


class ContractReturn(_AboutAContract):
    """A contract manager's return for one month or quarter of a contract: the RAG risk rating, the JET score
    (1 Poor to 9 Exceptional) with its strengths and weaknesses, and the KPI descriptor computed from the
    contract's KPI results for the period. Made due by ``oversight.returns.returns_schedule``; filled in only by
    ``contract_return_submit``, which also derives the contract's older Good / Average / Poor field."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="returns")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    period_start = models.DateField(help_text="The first day of the month or quarter the return covers.")
    period_end = models.DateField()
    due_on = models.DateField()
    submitted_on = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    risk_rating = models.CharField("Risk rating (RAG)", max_length=10, choices=Rag.choices, blank=True)
    jet_score = models.PositiveSmallIntegerField(
        "JET score", null=True, blank=True, help_text="1 (Poor) to 9 (Exceptional); set when submitted."
    )
    kpi_descriptor = models.CharField("KPI descriptor", max_length=120, blank=True)
    commentary = models.TextField(blank=True)
    chased_on = models.DateField(null=True, blank=True)
    chase_count = models.PositiveSmallIntegerField(default=0)

    objects = ContractReturnQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "contract"]
        verbose_name = "contract return"
        constraints = [
            models.UniqueConstraint(fields=["contract", "period_start"], name="contract_return_once_per_period"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="contract_return_period"
            ),
            models.CheckConstraint(
                condition=Q(jet_score__isnull=True) | Q(jet_score__gte=1, jet_score__lte=9),
                name="contract_return_jet_score_1_to_9",
            ),
            models.CheckConstraint(
                condition=Q(submitted_on__isnull=True) | (Q(jet_score__isnull=False) & ~Q(risk_rating="")),
                name="submitted_return_is_graded",
            ),
        ]

    def __str__(self):
        return f"Return for {self.contract.reference}, {self.period_label}"

    def get_absolute_url(self):
        return reverse("oversight:return", args=[self.pk])

    @property
    def period_label(self) -> str:
        if self.frequency == self.Frequency.QUARTERLY:
            return f"{self.period_start:%B} to {self.period_end:%B %Y}"
        return f"{self.period_start:%B %Y}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_on is not None

    def is_overdue(self, today=None) -> bool:
        return self.submitted_on is None and self.due_on < (today or timezone.localdate())

    @property
    def grade(self) -> str:
        """The rolled-up grade (Outstanding / Good / Requires Improvement / Inadequate) of the JET score, or ""."""
        return grading.grade_for(self.jet_score) if self.jet_score else ""

    @property
    def grade_label(self) -> str:
        return grading.JetGrade(self.grade).label if self.grade else ""

    @property
    def jet_descriptor(self) -> str:
        return grading.JET_SCALE[self.jet_score].descriptor if self.jet_score else ""


class ReturnFinding(TimeStampedModel):
    """A strength or a weakness a contract return records; a weakness has its severity (seed 002: minor, an
    easily addressable weakness; moderate, one that lessens impact; major, one that severely limits impact)."""

    class Kind(models.TextChoices):
        STRENGTH = "strength", "Strength"
        WEAKNESS = "weakness", "Weakness"

    class Severity(models.TextChoices):
        MINOR = "minor", "Minor"
        MODERATE = "moderate", "Moderate"
        MAJOR = "major", "Major"

    contract_return = models.ForeignKey(ContractReturn, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    objects = OfficerRecordQuerySet.as_manager()

    class Meta:
        ordering = ["contract_return", "kind", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="weakness") & ~Q(severity="")) | (Q(kind="strength") & Q(severity="")),
                name="return_finding_severity_for_weaknesses_only",
            ),
        ]

    def __str__(self):
        if self.severity:
            return f"{self.get_severity_display()} weakness: {self.text[:60]}"
        return f"Strength: {self.text[:60]}"

    @property
    def owning_directorate_id(self) -> int | None:
        return self.contract_return.contract.directorate_id


def _manages_the_contract(user, obj) -> bool | None:
    """A contract's named manager or backup makes its returns, whichever directorate it sits in."""
    contract = getattr(obj, "contract", obj)
    user_id = getattr(user, "pk", None)
    if not hasattr(contract, "backup_manager_id") or user_id is None:
        return None
    if user_id in (contract.contract_manager_id, contract.backup_manager_id):
        return True
    return None


permissions.add_relation_rule(
    ("oversight.add_contractreturn", "oversight.change_contractreturn"), _manages_the_contract
)
# 'Maximising Support, Minimising Risk' (seed 001): the escalation stages and the situations that open an
# escalation are the council's to set (administrators); each escalation records its stage history, who was
# told, decisions and due actions; the Contract Management Governance group and the monthly contracts causing
# concern review (seed 002) keep minutes, items and actions. Rules: oversight.escalation, oversight.governance.


class EscalationStage(TimeStampedModel):
    """One step of the escalation ladder (contract manager, peer support, senior intervention, governance
    group...): set by administrators. ``level`` orders them; who is told when an escalation reaches it."""

    name = models.CharField(max_length=100, unique=True)
    level = models.PositiveSmallIntegerField(unique=True, help_text="Its place on the ladder: 1 is the first.")
    description = models.TextField(blank=True)
    who_must_be_told = models.TextField(blank=True, help_text="Who is told when an escalation reaches this stage.")
    notify_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", help_text="People notified (a link only)."
    )
    notify_contract_manager = models.BooleanField(
        default=True, help_text="Notify the contract's manager and backup too."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["level", "pk"]

    def __str__(self):
        return self.name


class EscalationTrigger(TimeStampedModel):
    """A situation that opens an escalation at a stage: set by administrators. The daily sweep
    (``oversight.escalation.escalation_triggers_sweep``) evaluates every active one."""

    class Kind(models.TextChoices):
        ACTION_PLAN_OVERDUE = "action_plan_overdue", "Action plan not complete in time (medium or high risk)"
        RISK_HIGH = "risk_high", "Provider's risk rising to High"
        SUSPENSION = "suspension", "Suspension of new admissions"
        SERIOUS_INCIDENT = "serious_incident", "Serious incident or a high or critical concern"
        OFFICER_REQUEST = "officer_request", "Officer's request for support"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    months = models.PositiveSmallIntegerField(
        default=3, help_text="For an action plan: months after it was agreed (the 3-month rule)."
    )
    stage = models.ForeignKey(EscalationStage, on_delete=models.PROTECT, related_name="triggers")
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["stage__level", "kind", "pk"]

    def __str__(self):
        if self.kind == self.Kind.ACTION_PLAN_OVERDUE:
            return f"Action plan not complete {self.months} months after it was agreed"
        return self.get_kind_display()


class Escalation(_AboutAProvider):
    """A provider (perhaps under one contract) escalated: opened by a trigger's situation (``situation_key``,
    once each) or an officer's request for support; moved through the stages until closed with its outcome."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="escalations")
    contract = models.ForeignKey(Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="escalations")
    stage = models.ForeignKey(EscalationStage, on_delete=models.PROTECT, related_name="escalations")
    trigger = models.ForeignKey(
        EscalationTrigger, on_delete=models.SET_NULL, null=True, blank=True, related_name="escalations"
    )
    trigger_kind = models.CharField(max_length=30, choices=EscalationTrigger.Kind.choices)
    situation_key = models.CharField(
        max_length=100, blank=True, help_text="The situation a trigger opened it for (once per situation)."
    )
    reason = models.TextField()
    opened_on = models.DateField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    told_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    told = models.TextField("Who was told", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["situation_key"], condition=~Q(situation_key=""), name="escalation_once_per_situation"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_on__isnull=False), name="closed_escalation_has_date"
            ),
        ]

    def __str__(self):
        return f"Escalation of {self.provider} opened {self.opened_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("oversight:escalation_detail", args=[self.pk])


class EscalationEvent(TimeStampedModel):
    """The escalation's history: opened, moved to a stage, a decision, a further situation the sweep added
    (``situation_key``, once each), closed."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        STAGE = "stage", "Moved to a stage"
        DECISION = "decision", "Decision"
        SITUATION = "situation", "Further situation"
        CLOSED = "closed", "Closed"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    stage = models.ForeignKey(EscalationStage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    happened_on = models.DateField()
    text = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    situation_key = models.CharField(
        max_length=100, blank=True, help_text="A trigger's situation the sweep added to the open escalation (once)."
    )

    class Meta:
        ordering = ["happened_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["situation_key"], condition=~Q(situation_key=""), name="escalation_event_once_per_situation"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.happened_on:%d/%m/%Y}"

    @property
    def owning_directorate_id(self) -> int | None:
        return self.escalation.owning_directorate_id


class GovernanceMeeting(TimeStampedModel):
    """A Contract Management Governance meeting (agenda: the open escalations) or a monthly contracts causing
    concern review (agenda: that month's list). Its minutes are locked once agreed."""

    class Kind(models.TextChoices):
        GOVERNANCE = "contract_management_governance", "Contract Management Governance"
        CAUSING_CONCERN = "contracts_causing_concern_review", "Contracts causing concern review"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AGREED = "agreed", "Agreed"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    held_on = models.DateField()
    month = models.DateField(null=True, blank=True, help_text="The month a review looks at (its first day).")
    chair = models.CharField(max_length=150)
    attendees = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    agreed_on = models.DateField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(agreed_on__isnull=False), name="agreed_meeting_has_date"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.held_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("oversight:governance_meeting", args=[self.pk])

    @property
    def owning_directorate_id(self) -> int | None:
        return None

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.AGREED


class GovernanceItem(TimeStampedModel):
    """One agenda item: an open escalation (governance) or a contract causing concern (review), with why it is
    there, what was discussed and decided."""

    meeting = models.ForeignKey(GovernanceMeeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    escalation = models.ForeignKey(
        Escalation, on_delete=models.SET_NULL, null=True, blank=True, related_name="governance_items"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="governance_items"
    )
    reasons = models.TextField(blank=True, help_text="Why it is on the agenda.")
    discussion = models.TextField(blank=True)
    decision = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "position", "pk"]

    def __str__(self):
        return f"Item {self.position} of {self.meeting}"

    @property
    def owning_directorate_id(self) -> int | None:
        return None


class EscalationAction(TimeStampedModel):
    """An action due: from an escalation or from a governance meeting (or both), with its owner."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, null=True, blank=True, related_name="actions")
    meeting = models.ForeignKey(
        GovernanceMeeting, on_delete=models.CASCADE, null=True, blank=True, related_name="actions"
    )
    action = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalation_actions")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = OfficerRecordQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation__isnull=False) | Q(meeting__isnull=False),
                name="escalation_action_from_escalation_or_meeting",
            )
        ]

    def __str__(self):
        return self.action[:60]

    @property
    def owning_directorate_id(self) -> int | None:
        return self.escalation.owning_directorate_id if self.escalation is not None else None


# Provider failure and closure cases, market sustainability indicators and quality frameworks (seeds 001 and 004).
# Writes: oversight.market and oversight.quality.


class ProviderFailureCase(_AboutAProvider):
    """A provider failure or service closure the council managed: a home closing, a provider in administration
    or leaving the market, a contract handed back; who was affected and moved, staff transferred, novation."""

    class Kind(models.TextChoices):
        CLOSURE = "closure", "Service or home closure"
        ADMINISTRATION = "administration", "Provider in administration"
        EXIT = "exit", "Provider exit from the market"
        HANDBACK = "handback", "Contract handed back"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="failure_cases")
    location = models.ForeignKey(
        "providers.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="failure_cases"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="failure_cases"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    announced_on = models.DateField("Announced or known on")
    ended_on = models.DateField("Case closed on", null=True, blank=True)
    service_users_affected = models.PositiveIntegerField(default=0)
    service_users_moved = models.PositiveIntegerField("Service users moved to another service", default=0)
    staff_transferred = models.PositiveIntegerField(default=0)
    novation = models.BooleanField("Contract novated", default=False)
    novated_to = models.ForeignKey(
        "providers.Provider", on_delete=models.SET_NULL, null=True, blank=True, related_name="novations_received"
    )
    summary = models.TextField()
    lessons = models.TextField("Lessons learnt", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-announced_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.provider} ({self.announced_on:%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("oversight:failure_case", args=[self.pk])


class MarketIndicatorQuerySet(OfficerRecordQuerySet):
    def current(self) -> "MarketIndicatorQuerySet":
        """The current indicators: the latest of each (provider, kind), by date recorded then entry."""
        latest = (
            MarketIndicator.objects.filter(provider=models.OuterRef("provider"), kind=models.OuterRef("kind"))
            .order_by("-recorded_on", "-pk")
            .values("pk")[:1]
        )
        return self.filter(pk=models.Subquery(latest))


class MarketIndicator(_AboutAProvider):
    """One reading of a provider's market sustainability (seed 004's monitoring indicators): its level, Red /
    Amber / Green, on a day. Readings are history: the latest per provider and kind is the current one."""

    class Kind(models.TextChoices):
        HARD_TO_REPLACE = "hard_to_replace", "Hard to replace"
        OCCUPANCY = "occupancy", "Occupancy and vacancies"
        WORKFORCE = "workforce", "Workforce and staffing"
        FINANCIAL_VIABILITY = "financial_viability", "Financial viability"
        FEE_PRESSURE = "fee_pressure", "Fee pressure"
        MARKET_EXIT_RISK = "market_exit_risk", "Risk of leaving the market"
        QUALITY = "quality", "Quality concerns"

    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="market_indicators")
    contract = models.ForeignKey(
        Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="market_indicators"
    )
    service_area = models.CharField("Service or setting", max_length=120, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    level = models.CharField(max_length=10, choices=Rag.choices)
    recorded_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = MarketIndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_on", "-pk"]
        indexes = [models.Index(fields=["provider", "kind", "recorded_on"], name="oversight_mi_current")]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.provider}: {self.get_level_display()} ({self.recorded_on:%d/%m/%Y})"


class QualityFramework(TimeStampedModel):
    """A quality framework of a service or setting (seed 004's ASC Quality Framework): tiers with criteria, an
    enhanced rate tied to a tier. Set up by administrators; council-wide."""

    name = models.CharField(max_length=200)
    service_area = models.CharField("Service or setting", max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("oversight:quality_framework", args=[self.pk])


class QualityTier(TimeStampedModel):
    """A tier of a framework; rank 1 is the highest quality. The enhanced rate (an uplift, as a percentage of
    the usual fee or pounds per week) is paid to providers currently assessed at the tier."""

    class RateUnit(models.TextChoices):
        PERCENT = "percent", "% of the usual fee"
        PER_WEEK = "per_week", "£ per week"

    framework = models.ForeignKey(QualityFramework, on_delete=models.CASCADE, related_name="tiers")
    rank = models.PositiveSmallIntegerField(help_text="1 is the highest quality.")
    name = models.CharField(max_length=120)
    criteria = models.TextField()
    enhanced_rate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    enhanced_rate_unit = models.CharField(max_length=10, choices=RateUnit.choices, blank=True)

    objects = OfficerRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["framework", "rank"]
        constraints = [models.UniqueConstraint(fields=["framework", "rank"], name="oversight_tier_rank_unique")]

    def __str__(self):
        return f"{self.name} ({self.framework})"

    @property
    def enhanced_rate_display(self) -> str:
        if self.enhanced_rate is None:
            return ""
        if self.enhanced_rate_unit == self.RateUnit.PERCENT:
            return f"{self.enhanced_rate.normalize():f}% uplift"
        return f"£{self.enhanced_rate:,.2f} a week uplift"


class ProviderQualityTierQuerySet(OfficerRecordQuerySet):
    def latest_per_service(self) -> "ProviderQualityTierQuerySet":
        """Each (framework, provider, location)'s latest assessment: earlier ones are history."""
        latest = (
            ProviderQualityTier.objects.filter(
                framework=models.OuterRef("framework"),
                provider=models.OuterRef("provider"),
                location=models.OuterRef("location"),
            )
            .order_by("-assessed_on", "-pk")
            .values("pk")[:1]
        )
        no_location = (
            ProviderQualityTier.objects.filter(
                framework=models.OuterRef("framework"), provider=models.OuterRef("provider"), location__isnull=True
            )
            .order_by("-assessed_on", "-pk")
            .values("pk")[:1]
        )
        return self.filter(
            Q(location__isnull=False, pk=models.Subquery(latest))
            | Q(location__isnull=True, pk=models.Subquery(no_location))
        )

    def in_force_on(self, day) -> "ProviderQualityTierQuerySet":
        """Assessed by ``day``, still valid on it, and not withdrawn on it (or reinstated since)."""
        return self.filter(assessed_on__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day) | Q(reinstated_on__lte=day),
        )


class ProviderQualityTier(TimeStampedModel):
    """A provider's (or one of its locations') assessed tier on a framework, with its dates; the enhanced rate
    may be withdrawn (with the reason) when monitoring finds standards fell, and reinstated once improvements
    are evidenced. A new assessment is a new row: earlier ones are kept as history."""

    framework = models.ForeignKey(QualityFramework, on_delete=models.CASCADE, related_name="awards")
    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="quality_tiers")
    location = models.ForeignKey(
        "providers.Location", on_delete=models.CASCADE, null=True, blank=True, related_name="quality_tiers"
    )
    tier = models.ForeignKey(QualityTier, on_delete=models.PROTECT, related_name="awards")
    assessed_on = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    reinstated_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = ProviderQualityTierQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = "provider quality tier"

    def __str__(self):
        where = self.location.name if self.location_id else str(self.provider)
        return f"{where}: {self.tier.name} ({self.assessed_on:%d/%m/%Y})"

    @property
    def owning_directorate_id(self) -> int | None:
        return None

    @property
    def is_withdrawn(self) -> bool:
        """Withdrawn now: a withdrawal not (yet) followed by a reinstatement."""
        return self.withdrawn_on is not None and self.reinstated_on is None


class SafeguardingDutyLeadQuerySet(models.QuerySet):
    def on(self, day):
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class SafeguardingDutyLead(TimeStampedModel):
    """Who is the safeguarding duty lead from one day to another (the rota, kept by administrators): told at
    once of every high-severity safeguarding concern and serious incident recorded on those days."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="safeguarding_duties")
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = SafeguardingDutyLeadQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = "safeguarding duty lead"
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="duty_lead_dates_in_order")
        ]

    def __str__(self):
        return f"{self.user} on duty {self.starts_on:%d/%m/%Y} to {self.ends_on:%d/%m/%Y}"
