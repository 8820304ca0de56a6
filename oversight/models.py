"""What contract officers record about providers: visits, concerns, sanctions, action plans and escalation.

These models moved here from the contracts app; their tables kept their names (``contracts_visit``...)
so that no data moved with them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning import permissions
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
