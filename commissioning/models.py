"""The shared core: the council's directorates, the people who use the system, their notifications, and
documents attached to any record."""

import uuid
from pathlib import PurePath

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Directorate(TimeStampedModel):
    """A council directorate, e.g. Adult Care and Community Wellbeing."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=40, unique=True, help_text="Short code used in references, e.g. ACCW.")
    executive_director = models.CharField(max_length=120, blank=True, help_text="Role title of the sponsor.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A council officer or councillor. What they may do comes from their role groups."""

    job_title = models.CharField(max_length=150, blank=True)
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        help_text="Commissioners may edit strategies of their own directorate only; leave blank for council-wide.",
    )
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> set[str]:
        # Cached per instance: templates ask several times per page.
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.role_names & set(roles))


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person should look at, shown at /notifications/ and e-mailed once as a link.

    Written only by ``commissioning.notifications.notify``; the e-mail is sent by a Celery task. The subject
    is short generic text and the link a path inside the service: neither carries free text from records.
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60, help_text="What happened, e.g. scrutiny.pack_published.")
    subject = models.CharField(max_length=100)
    link = models.CharField(max_length=300, help_text="A path inside the service, e.g. /scrutiny/packs/12/.")
    dedupe_key = models.CharField(
        max_length=200, help_text="The same key for the same recipient is recorded and e-mailed once only."
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the e-mail was handed to the mail server (empty: not sent)."
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once_per_recipient"),
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_inbox")]

    def __str__(self):
        return f"{self.subject} (to {self.recipient})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def document_upload_to(instance: "Document", filename: str) -> str:
    """A random name under documents/: the original name (which may hold personal data) stays in the database."""
    extension = PurePath(filename).suffix.lower()
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class Document(models.Model):
    """A file attached to any record (a strategy, a contract, a visit...). Written only through
    ``commissioning.documents``: attach_document checks the file before storing it, remove_document deletes it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    file = models.FileField(upload_to=document_upload_to, max_length=255)
    title = models.CharField(max_length=200)
    original_filename = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(help_text="In bytes.")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="document_record")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("document-download", args=[self.pk])


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ImportJobQuerySet":
        """A job's file and rows are its creator's business: others see only jobs they started, administrators
        (and superusers) every job."""
        from . import roles

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_role(roles.ADMINISTRATOR):
            return self
        return self.filter(created_by=user)


def import_upload_to(instance: "ImportJob", filename: str) -> str:
    """Under imports/, which protected_media serves to no one: only the import task reads the stored file."""
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class ImportJob(models.Model):
    """A file imported in the background (``commissioning.imports.run_or_queue``), or an inline import that
    found problems, kept so that its error report can be downloaded. Seen only by who started it and
    administrators (``visible_to``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    importer = models.CharField(max_length=200, help_text="Dotted path of the import function.")
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=import_upload_to, max_length=255, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    dry_run = models.BooleanField(default=False)
    options = models.JSONField(default=dict, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="Why the file as a whole was refused, or the task failed.")
    result = models.JSONField(null=True, blank=True)
    error_report = models.TextField(blank=True, help_text="CSV of row, column, value and problem.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Import of {self.filename} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("commissioning:import_job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class RecordRead(models.Model):
    """One read of a restricted record (a safeguarding concern, a serious incident): who, when, which record and
    through what (a page or the API). Written only by ``commissioning.audit.record_reads``, never changed."""

    class Via(models.TextChoices):
        PAGE = "page", "Page"
        API = "api", "API"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="record_reads")
    read_at = models.DateTimeField(default=timezone.now, db_index=True)
    app_label = models.CharField(max_length=100)
    model = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField()
    via = models.CharField(max_length=10, choices=Via.choices)

    class Meta:
        ordering = ["-read_at", "-id"]
        indexes = [models.Index(fields=["app_label", "model", "object_id"], name="record_read_record")]

    def __str__(self):
        return f"{self.user} read {self.app_label}.{self.model} {self.object_id} ({self.via})"


# --- Single sign-on: directory group mapping ------------------------------------------------------
from . import roles as _roles  # noqa: E402  (the role names only; roles.py imports no model)


class DirectoryGroupMapping(TimeStampedModel):
    """What a directory group (or an app role) means here: a role, a directorate, or both. Kept by an
    administrator in the Django admin; read at every single sign-on by ``commissioning.sso``, which replaces the
    user's role groups with the mapped ones."""

    ROLE_CHOICES = [(name, name) for name in _roles.ALL_ROLES]

    claim_value = models.CharField(
        max_length=200,
        unique=True,
        help_text=(
            "The group's object ID as Microsoft Entra ID sends it (e.g. 5f1c...-...), a group name, or an app "
            "role's value (the roles claim)."
        ),
    )
    description = models.CharField(max_length=200, blank=True, help_text="The group's name in the directory.")
    role = models.CharField(max_length=40, choices=ROLE_CHOICES, blank=True)
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="directory_groups"
    )

    class Meta:
        ordering = ["claim_value"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="") | models.Q(directorate__isnull=False),
                name="directory_group_maps_to_something",
                violation_error_message="Choose the role, the directorate, or both, that this group gives.",
            )
        ]

    def __str__(self):
        return self.description or self.claim_value


class SsoIdentity(models.Model):
    """The directory account (issuer and subject) a user signs in with: the stable link, whatever their name or
    e-mail becomes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sso_identities")
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    first_signed_in_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_once")]

    def __str__(self):
        return f"{self.user} at {self.issuer}"


# --- API tokens, backup codes ---------------------------------------------------------------------


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None) -> "ApiTokenQuerySet":
        """Tokens that still let a client in: not revoked and not past their expiry."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A key a program sends to use the API as its owner. Only a hash of the key is kept: the key itself is
    shown once, when it is made, and its first characters (the prefix) identify it on the tokens page."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the Power BI report.")
    prefix = models.CharField(max_length=16, db_index=True)
    # SHA-256 of the whole key, hex: the key is 256 random bits, so a plain hash is enough (no salt, no stretching).
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…) of {self.user}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def allows_writes(self) -> bool:
        return self.scope == self.Scope.READ_WRITE


class BackupCode(models.Model):
    """One single-use code that stands in for the authenticator app (a lost phone). Only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="backup_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="backup_code_unique_per_user")]

    def __str__(self):
        return f"Backup code {self.pk} of {self.user} ({'used' if self.used_at else 'unused'})"
