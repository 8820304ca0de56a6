"""Records and data protection: retention rules, legal holds and what was disposed of; subject access
searches and redactions; the public statements."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class RetentionRule(models.Model):
    """How long one type of record is kept, from which date, and what then happens to it (records.retention)."""

    class Trigger(models.TextChoices):
        CONTRACT_END = "contract_end", "Contract end"
        MEETING_DATE = "meeting_date", "Meeting date"
        VISIT_DATE = "visit_date", "Visit date"
        CLOSURE = "closure", "Closure or conclusion date"
        CREATION = "creation", "Creation"

    class Action(models.TextChoices):
        DELETE = "delete", "Delete"
        ANONYMISE = "anonymise", "Anonymise"
        REVIEW = "review", "Review (a person decides)"

    record_type = models.CharField(max_length=60, unique=True, help_text="A key of records.retention.REGISTRY.")
    period_years = models.PositiveSmallIntegerField("Period in years")
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    action = models.CharField(max_length=20, choices=Action.choices)
    note = models.TextField("Note or legal basis", blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["record_type"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_years__gte=1), name="retention_period_positive")
        ]

    def __str__(self) -> str:
        return (
            f"{self.record_type}: {self.get_action_display().lower()} {self.period_years} years after "
            f"{self.get_trigger_display().lower()}"
        )


class LegalHoldQuerySet(models.QuerySet):
    def in_force(self) -> "LegalHoldQuerySet":
        return self.filter(released_on__isnull=True)


class LegalHold(models.Model):
    """A hold on one record (litigation, an inquiry, a complaint to the ICO): while in force, neither the record
    nor its children are disposed of, whatever the schedule says."""

    app_label = models.CharField(max_length=60)
    model = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=255, help_text="What the record was, when the hold was placed.")
    reason = models.TextField()
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_on = models.DateField()
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_on = models.DateField(null=True, blank=True)
    release_reason = models.TextField(blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_on", "-pk"]
        indexes = [models.Index(fields=["app_label", "model", "object_id"], name="legalhold_target")]

    def __str__(self) -> str:
        return f"Hold on {self.label}"

    @property
    def record_type(self) -> str:
        return f"{self.app_label}.{self.model}"

    @property
    def in_force(self) -> bool:
        return self.released_on is None


class DisposalRecord(models.Model):
    """What the retention schedule did to one record: insert-only, the audit trail of disposal. A dry run writes
    none."""

    record_type = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=255)
    action = models.CharField(max_length=20, choices=RetentionRule.Action.choices)
    rule = models.ForeignKey(RetentionRule, on_delete=models.SET_NULL, null=True, related_name="disposals")
    # None: the daily task.
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-applied_at", "-pk"]
        indexes = [models.Index(fields=["record_type", "object_id"], name="disposal_target")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A disposal record is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A disposal record is never deleted.")


from django.conf import settings as _settings  # noqa: E402
from django.urls import reverse as _reverse  # noqa: E402
from django.utils import timezone as _timezone  # noqa: E402


class SubjectAccessSearch(models.Model):
    """A search for a person's details (UK GDPR article 15), kept as the audit of it: who searched, when, for
    what and under which request. The results are not stored: exporting re-runs the search."""

    by = models.ForeignKey(_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subject_access_searches")
    searched_at = models.DateTimeField(default=_timezone.now, db_index=True)
    terms = models.TextField(help_text="The names or identifiers searched for, one a line.")
    reference = models.CharField("Request reference", max_length=100)
    reason = models.TextField(blank=True)
    result_count = models.PositiveIntegerField(default=0)
    truncated = models.BooleanField(default=False, help_text="More hits than the cap: only the first were listed.")

    class Meta:
        ordering = ["-searched_at", "-pk"]

    def __str__(self):
        return f"Subject access search {self.reference} ({self.searched_at:%d/%m/%Y})"

    def get_absolute_url(self):
        return _reverse("records:subject_access_results", args=[self.pk])

    @property
    def term_list(self) -> list[str]:
        return [term for term in self.terms.splitlines() if term.strip()]


class Redaction(models.Model):
    """That a person's details were replaced in one field of one record: who, when, why and how many times,
    never the text that was replaced."""

    by = models.ForeignKey(_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="redactions")
    redacted_at = models.DateTimeField(default=_timezone.now, db_index=True)
    search = models.ForeignKey(
        SubjectAccessSearch, on_delete=models.PROTECT, null=True, blank=True, related_name="redactions"
    )
    reason = models.TextField()
    app_label = models.CharField(max_length=100)
    model = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=100)
    replacement = models.CharField(max_length=100, default="[redacted]")
    replacements = models.PositiveIntegerField(help_text="How many times the person's details were replaced.")

    class Meta:
        ordering = ["-redacted_at", "-pk"]
        indexes = [models.Index(fields=["app_label", "model", "object_id"])]

    def __str__(self):
        return f"Redaction of {self.app_label}.{self.model} {self.object_id} {self.field}"


class PublicStatement(models.Model):
    """The accessibility statement or the privacy notice, as an administrator last wrote it (history kept).
    The body is plain text: a line starting "## " is a heading, a blank line ends a paragraph, "- " starts a
    list item; it is escaped when shown, so no one's HTML reaches the public page (records.public.render_body).
    Until an administrator writes one, the page shows the default text built from the council's settings."""

    class Kind(models.TextChoices):
        ACCESSIBILITY = "accessibility", "Accessibility statement"
        PRIVACY = "privacy", "Privacy notice"

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    body = models.TextField()
    # The results of the app's own automated accessibility (axe) check, as last run and entered by an
    # administrator: a production server cannot run the browser test itself, so the statement says what
    # was checked and when rather than pretending to know now.
    pages_checked = models.PositiveIntegerField(null=True, blank=True)
    serious_violations = models.PositiveIntegerField("serious or critical violations", null=True, blank=True)
    date_checked = models.DateField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()
