"""Scrutiny committees, their meetings and conclusions, and the report packs members read."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from commissioning import permissions, roles
from commissioning.models import TimeStampedModel
from strategies.models import ReadableQuerySet


class ExemptParagraph(models.IntegerChoices):
    """The descriptions of exempt information in Part 1 of Schedule 12A to the Local Government Act 1972."""

    INDIVIDUAL = 1, "1: information relating to any individual"
    IDENTITY = 2, "2: information likely to reveal the identity of an individual"
    FINANCIAL = 3, "3: information about the financial or business affairs of any particular person"
    LABOUR_RELATIONS = 4, "4: consultations or negotiations in connection with a labour relations matter"
    LEGAL_PRIVILEGE = 5, "5: information in respect of which a claim to legal professional privilege could be made"
    NOTICES = 6, "6: information revealing that the authority proposes to give a notice or make an order"
    CRIME = 7, "7: action taken in connection with the prevention, investigation or prosecution of crime"


class Committee(TimeStampedModel):
    class Kind(models.TextChoices):
        """Where a committee sits in two-stage scrutiny (seed 000: subject committees, then the management
        board, whose comments go to the Executive)."""

        SUBJECT = "subject", "Subject scrutiny committee"
        MANAGEMENT_BOARD = "management_board", "Overview and Scrutiny Management Board"
        EXECUTIVE = "executive", "Executive (decision maker)"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SUBJECT)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="committees")

    history = HistoricalRecords()

    objects = ReadableQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("scrutiny:committee", args=[self.pk])


class Meeting(TimeStampedModel):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    venue = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    objects = ReadableQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "committee"]

    def __str__(self):
        return f"{self.committee} – {self.date:%-d %B %Y}"

    def get_absolute_url(self):
        return reverse("scrutiny:meeting", args=[self.pk])


class ScrutinyConclusion(TimeStampedModel):
    """What a committee concluded about a strategy at a meeting."""

    strategy = models.ForeignKey(
        "strategies.CommissioningStrategy", on_delete=models.CASCADE, related_name="scrutiny_conclusions"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="conclusions")
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    history = HistoricalRecords()

    objects = ReadableQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting__date", "pk"]

    def __str__(self):
        return f"{self.meeting.committee} on {self.strategy}"

    @property
    def owning_directorate_id(self) -> int | None:
        """Conclusions about a strategy are recorded by its directorate's commissioners (or council-wide staff)."""
        return self.strategy.directorate_id if self.strategy_id else None


class CouncilReport(models.Model):
    """The fields of a council report in the layout of seed 000, shared by a pack's scrutiny cover report and
    an Executive (decision) report: who it is for, when, what about, and the sections both print."""

    report_to = models.CharField(max_length=255)
    report_date = models.DateField()
    subject = models.CharField(max_length=255)
    summary = models.TextField(blank=True)
    background = models.TextField(blank=True)
    conclusion = models.TextField(blank=True)
    consultation = models.TextField(blank=True, help_text="Risks and impact analysis.")
    risks_analysed = models.BooleanField(
        "Risks and impact analysis carried out", null=True, blank=True, help_text="Blank: not stated."
    )
    background_papers = models.TextField(
        blank=True,
        default="No background papers (within the definition set out in Part VA of the Local Government Act 1972) "
        "were used in the preparation of this report.",
    )
    on_behalf_of = models.CharField(
        max_length=150, blank=True, help_text="Whose report it is, e.g. 'Helen Marsh, Executive Director - Commercial'."
    )
    author = models.CharField(max_length=150, blank=True)
    contact = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> DecisionQuerySet:
        """Decision records are democratic business: whoever may view decisions reads them all."""
        if not permissions.may(user, "scrutiny.view_decision"):
            return self.none()
        return self


class Decision(CouncilReport, TimeStampedModel):
    """A decision record (seed 000's Executive report, decision reference I017457): the decision maker's
    report with its recommendations, alternatives, reasons, statutory implications and consultation, and the
    outcome once decided. Printed as the Executive report a pack carries as an appendix."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Not yet decided"
        APPROVED = "approved", "Approved"
        APPROVED_WITH_AMENDMENTS = "approved_with_amendments", "Approved with amendments"
        DEFERRED = "deferred", "Deferred"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    reference = models.CharField("Decision reference", max_length=30, unique=True)
    decision_maker = models.CharField(max_length=150, help_text="e.g. 'Executive' or an Executive Councillor.")
    key_decision = models.BooleanField("Key decision", default=False)
    recommendations = models.TextField("Recommendation(s)", blank=True)
    alternatives_considered = models.TextField(blank=True, help_text="One alternative per line.")
    reasons = models.TextField("Reasons for recommendation", blank=True)
    # Legal issues the decision maker must have regard to.
    equality_implications = models.TextField(
        "Equality Act 2010 (section 149)", blank=True, help_text="The public sector equality duty."
    )
    jsna_implications = models.TextField(
        "Joint Strategic Needs Assessment and Joint Health and Wellbeing Strategy", blank=True
    )
    crime_and_disorder_implications = models.TextField("Crime and Disorder Act 1998 (section 17)", blank=True)
    climate_implications = models.TextField("Climate and environment", blank=True)
    legal_comments = models.TextField(blank=True)
    resource_comments = models.TextField(blank=True, help_text="Financial and other resource implications.")
    # Consultation, as the report form asks it.
    local_member_consulted = models.BooleanField(
        "Local member consulted", null=True, blank=True, help_text="Blank: not stated."
    )
    executive_councillor_consulted = models.BooleanField(
        "Executive councillor consulted", null=True, blank=True, help_text="Blank: not stated."
    )
    scrutiny_comments = models.TextField(blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, default=Outcome.PENDING)
    decided_on = models.DateField(null=True, blank=True, help_text="When the decision maker decided.")
    outcome_notes = models.TextField(blank=True, help_text="The decision as recorded, with any amendments.")
    strategies = models.ManyToManyField("strategies.CommissioningStrategy", blank=True, related_name="decisions")
    reports = models.ManyToManyField("strategies.HighlightReport", blank=True, related_name="decisions")

    history = HistoricalRecords()

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-report_date", "reference"]

    def __str__(self):
        return f"{self.reference}: {self.subject}"

    def get_absolute_url(self):
        return reverse("scrutiny:decision", args=[self.pk])


class ScrutinyPackQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ScrutinyPackQuerySet:
        """Packs ``user`` may open: every pack for those who may change packs (they prepare them), published
        ones for everyone else who reads packs. Every page, API endpoint and file download starts here."""
        if not permissions.may(user, "scrutiny.view_scrutinypack"):
            return self.none()
        if permissions.may(user, "scrutiny.change_scrutinypack"):
            return self
        # Published, or published before and now being revised: readers keep the revisions they were sent.
        return self.filter(
            models.Q(status=ScrutinyPack.Status.PUBLISHED) | models.Q(revisions__isnull=False)
        ).distinct()


class ScrutinyPack(CouncilReport, TimeStampedModel):
    """A report pack for a meeting: a cover report and one appendix per chosen strategy, as one PDF."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class RenderStatus(models.TextChoices):
        NOT_RENDERED = "not_rendered", "Not rendered"
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="packs")
    title = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    strategies = models.ManyToManyField(
        "strategies.CommissioningStrategy", through="PackAppendix", related_name="scrutiny_packs"
    )
    # The cover report's own section (the rest are CouncilReport's).
    actions_required = models.TextField(blank=True)
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packs",
        help_text="The Executive report the pack carries as its first appendix, the highlight reports as its own.",
    )
    # Rendering.
    render_status = models.CharField(max_length=20, choices=RenderStatus.choices, default=RenderStatus.NOT_RENDERED)
    render_error = models.TextField(blank=True)
    progress_done = models.PositiveSmallIntegerField(default=0)
    progress_total = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="packs/", blank=True)
    html_file = models.FileField(
        upload_to="packs/", blank=True, help_text="The same document as HTML, marked with the PDF's page numbers."
    )
    checksum = models.CharField(max_length=64, blank=True, help_text="Of the inputs the file was rendered from.")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_clear_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Clear working days between the pack's first publication and its meeting "
        "(services.clear_days_between).",
    )
    late_publication_reason = models.TextField(
        blank=True,
        help_text="Why the pack was published fewer than five clear days before its meeting.",
    )

    history = HistoricalRecords()

    objects = ScrutinyPackQuerySet.as_manager()

    class Meta:
        ordering = ["-report_date", "-pk"]
        permissions = [("publish_scrutinypack", "Can publish a scrutiny pack")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("scrutiny:pack", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        """A published pack is what the members were sent: it is not changed, re-rendered or re-published."""
        return self.status == self.Status.PUBLISHED

    # The letter of the Executive report's appendix that holds the highlight reports (seed 000: "Appendix A").
    EXECUTIVE_APPENDIX_LETTER = "A"

    @property
    def appendix_letter(self) -> str:
        """ "A" when the pack carries an Executive report: the highlight reports are then that report's
        Appendix A, printed A1, A2…; otherwise the pack's own Appendix 1, 2…"""
        return self.EXECUTIVE_APPENDIX_LETTER if self.decision_id else ""


class PackRevisionQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> PackRevisionQuerySet:
        """Revisions of the packs ``user`` may open: each one is published, so whoever reads the pack reads
        all of its revisions (superseded ones marked so)."""
        return self.filter(pack__in=ScrutinyPack.objects.visible_to(user))


class PackRevision(models.Model):
    """What the members were sent when a pack was published: the PDF's bytes (by checksum), page count, when
    and by whom. Written once by ``services.pack_publish`` and never changed: a change to the pack makes the
    next revision, and earlier ones stay readable, marked superseded."""

    pack = models.ForeignKey(ScrutinyPack, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to="packs/published/")
    html_file = models.FileField(
        upload_to="packs/published/", blank=True, help_text="The revision as HTML, marked with the PDF's page numbers."
    )
    sha256 = models.CharField("SHA-256 of the PDF", max_length=64)
    page_count = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    change_note = models.TextField(blank=True, help_text="What changed since the previous revision.")

    objects = PackRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["pack", "-number"]
        constraints = [models.UniqueConstraint(fields=["pack", "number"], name="one_revision_number_per_pack")]

    def __str__(self):
        return f"{self.pack}, revision {self.number}"

    def save(self, *args, **kwargs):
        # Published means fixed: the row is written once (services.pack_publish) and never again.
        if not self._state.adding:
            raise PublishedRevisionChanged(f"Revision {self.number} of {self.pack_id} is published and cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PublishedRevisionChanged(f"Revision {self.number} of {self.pack_id} is published and cannot be deleted.")

    def get_download_url(self) -> str:
        return reverse("scrutiny:revision_download", args=[self.pack_id, self.number])


class PublishedRevisionChanged(Exception):
    """Someone tried to change or delete what members were sent."""


class ExemptDocumentQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ExemptDocumentQuerySet:
        """Exempt items are read by councillors (scrutiny members) who are not excluded from the item, and by
        administrators; never by officers, the public, open data or anyone not signed in."""
        revisions = PackRevision.objects.visible_to(user)
        if permissions.has_role(user, roles.ADMINISTRATOR):
            return self.filter(revision__in=revisions)
        if not permissions.has_role(user, roles.SCRUTINY_MEMBER):
            return self.none()
        return self.filter(revision__in=revisions).exclude(excluded_members=user)


class ExemptDocument(models.Model):
    """The restricted document of one exempt item of a published revision: written once, like the revision."""

    revision = models.ForeignKey(PackRevision, on_delete=models.PROTECT, related_name="exempt_documents")
    appendix_number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=255)
    exempt_paragraph = models.PositiveSmallIntegerField(choices=ExemptParagraph.choices)
    file = models.FileField(upload_to="packs/exempt/")
    sha256 = models.CharField("SHA-256 of the PDF", max_length=64)
    page_count = models.PositiveIntegerField()
    # Who may not read it, as recorded for the item when the revision was published.
    excluded_members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    objects = ExemptDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["revision", "appendix_number"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "appendix_number"], name="one_exempt_document_per_item")
        ]

    def __str__(self):
        return f"{self.revision}, exempt appendix {self.appendix_number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PublishedRevisionChanged(f"{self} is published and cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PublishedRevisionChanged(f"{self} is published and cannot be deleted.")

    def get_download_url(self) -> str:
        return reverse("scrutiny:exempt_download", args=[self.pk])


class PackAppendix(models.Model):
    pack = models.ForeignKey(ScrutinyPack, on_delete=models.CASCADE, related_name="appendices")
    strategy = models.ForeignKey("strategies.CommissioningStrategy", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    # Exempt information (Schedule 12A): the public pack prints the item's title and paragraph only; its content
    # goes into a restricted document of its own.
    exempt_paragraph = models.PositiveSmallIntegerField(
        choices=ExemptParagraph.choices, null=True, blank=True, help_text="Blank: an open item."
    )
    public_interest_reasoning = models.TextField(
        blank=True, help_text="Why the public interest in keeping it exempt outweighs the interest in disclosing it."
    )
    exclusion_resolution = models.TextField(
        blank=True, help_text="The meeting's resolution to exclude the press and public for the item."
    )
    excluded_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="Councillors who may not read the item (e.g. a disclosable pecuniary interest).",
    )
    exclusion_reasons = models.TextField(blank=True, help_text="Why each of them is excluded.")

    @property
    def is_exempt(self) -> bool:
        return self.exempt_paragraph is not None

    class Meta:
        ordering = ["pack", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["pack", "strategy"], name="strategy_once_per_pack")]

    def __str__(self):
        return f"Appendix {self.order} of {self.pack}: {self.strategy}"


class ReportRender(TimeStampedModel):
    """The PDF of one highlight report and where its background rendering stands."""

    Status = ScrutinyPack.RenderStatus

    report = models.OneToOneField("strategies.HighlightReport", on_delete=models.CASCADE, related_name="pdf_render")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_RENDERED)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/", blank=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="Of the inputs the file was rendered from.")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return f"PDF of {self.report_id}: {self.get_status_display()}"


# --- Agenda items and supplements ----------------------------------------------------------------------------


class AgendaItemQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> AgendaItemQuerySet:
        """A meeting's agenda: all of it for those who prepare packs; for other readers of meetings, the agenda
        as published: the items of a meeting whose pack has been published, less late items whose supplement
        has not been published yet."""
        meetings = Meeting.objects.visible_to(user)
        if permissions.may(user, "scrutiny.change_scrutinypack"):
            return self.filter(meeting__in=meetings)
        published = PackRevision.objects.filter(pack__meeting=models.OuterRef("meeting"))
        return (
            self.filter(meeting__in=meetings)
            .filter(models.Exists(published))
            .filter(
                models.Q(late=False) | models.Q(supplement__status=PackSupplement.Status.PUBLISHED),
            )
        )


class AgendaItem(TimeStampedModel):
    """One item of a meeting's agenda, in the agenda's order. An item that considers a strategy's highlight
    report is an appendix of the meeting's pack (the pack is built from the agenda); an item added after the
    agenda was published is late and is printed in a supplement to the pack."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda_items")
    number = models.PositiveSmallIntegerField(help_text="The item's place on the agenda: 1, 2, 3…")
    title = models.CharField(max_length=255)
    description = models.TextField("Purpose", blank=True, help_text="What the committee is asked to do.")
    strategy = models.ForeignKey(
        "strategies.CommissioningStrategy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        help_text="The strategy whose highlight report the item considers (blank: an item with no report).",
    )
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items")
    late = models.BooleanField(
        default=False, help_text="Added after the agenda was published: printed in a supplement to the pack."
    )
    supplement = models.ForeignKey(
        "PackSupplement", on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )

    history = HistoricalRecords()

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="one_agenda_item_per_number"),
            models.UniqueConstraint(
                fields=["meeting", "strategy"],
                condition=models.Q(strategy__isnull=False),
                name="strategy_once_per_agenda",
            ),
        ]

    def __str__(self):
        return f"Item {self.number}: {self.title}"


class PackSupplementQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> PackSupplementQuerySet:
        """Supplements of the packs ``user`` may open: drafts too for those who prepare packs, published ones
        for every other reader of the pack."""
        supplements = self.filter(pack__in=ScrutinyPack.objects.visible_to(user))
        if permissions.may(user, "scrutiny.change_scrutinypack"):
            return supplements
        return supplements.filter(status=PackSupplement.Status.PUBLISHED)


class PackSupplement(models.Model):
    """A supplement to a published pack: late items (strategies' highlight reports) added to the agenda after
    it was published, with the chair's reasons for urgency (s.100B(4)(b) Local Government Act 1972). Its pages
    continue the pack's numbering (``first_page``) and its appendices the pack's. Once published it is what the
    members were sent: never changed or deleted."""

    Status = ScrutinyPack.Status
    RenderStatus = ScrutinyPack.RenderStatus

    pack = models.ForeignKey(ScrutinyPack, on_delete=models.PROTECT, related_name="supplements")
    number = models.PositiveSmallIntegerField()
    reason_for_urgency = models.TextField(
        help_text="The chair's reasons for considering the items as a matter of urgency (s.100B(4)(b) of the "
        "Local Government Act 1972)."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    strategies = models.ManyToManyField(
        "strategies.CommissioningStrategy", through="SupplementItem", related_name="pack_supplements"
    )
    # Rendering, as a pack's.
    render_status = models.CharField(max_length=20, choices=RenderStatus.choices, default=RenderStatus.NOT_RENDERED)
    render_error = models.TextField(blank=True)
    file = models.FileField(upload_to="packs/supplements/", blank=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="Of the inputs the file was rendered from.")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    first_page = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Its first printed page number: the page after the pack's and earlier supplements'.",
    )
    generated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Publication.
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sha256 = models.CharField("SHA-256 of the PDF", max_length=64, blank=True)
    chair_agreed_by = models.CharField(
        "chair who agreed", max_length=200, blank=True, help_text="The chair (or vice-chair) who agreed the items."
    )
    chair_agreed_on = models.DateField("date the chair agreed", null=True, blank=True)

    objects = PackSupplementQuerySet.as_manager()

    class Meta:
        ordering = ["pack", "number"]
        constraints = [models.UniqueConstraint(fields=["pack", "number"], name="one_supplement_number_per_pack")]

    def __str__(self):
        return f"Supplement {self.number} to {self.pack}"

    def get_absolute_url(self):
        return reverse("scrutiny:supplement", args=[self.pack_id, self.number])

    def get_download_url(self) -> str:
        return reverse("scrutiny:supplement_download", args=[self.pack_id, self.number])

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def last_page(self) -> int | None:
        if self.first_page is None or not self.page_count:
            return None
        return self.first_page + self.page_count - 1

    def _published_in_database(self) -> bool:
        return PackSupplement.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists()

    def save(self, *args, **kwargs):
        # Published means fixed, as a revision: services.supplement_publish's save is the last one.
        if not self._state.adding and self._published_in_database():
            raise PublishedRevisionChanged(f"{self} is published and cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._published_in_database():
            raise PublishedRevisionChanged(f"{self} is published and cannot be deleted.")
        return super().delete(*args, **kwargs)


class SupplementItem(models.Model):
    """A late item of a supplement: the strategy whose highlight report it prints, in the supplement's order."""

    supplement = models.ForeignKey(PackSupplement, on_delete=models.CASCADE, related_name="items")
    strategy = models.ForeignKey("strategies.CommissioningStrategy", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["supplement", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["supplement", "strategy"], name="strategy_once_per_supplement")]

    def __str__(self):
        return f"Item {self.order} of {self.supplement}: {self.strategy}"


class ForwardPlanEntryQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ForwardPlanEntryQuerySet:
        """The forward plan is published: whoever may view it reads every entry (exempt ones say so)."""
        if not permissions.may(user, "scrutiny.view_forwardplanentry"):
            return self.none()
        return self


class ForwardPlanEntry(TimeStampedModel):
    """A decision on the forward plan (the Executive Arrangements Regulations 2012, regulation 9): published
    28 clear days before it is taken, or taken under the general exception (regulation 10) or special
    urgency (regulation 11) with the reasons recorded."""

    class NoticeRoute(models.TextChoices):
        NOTICE = "notice", "28 clear days' notice (regulation 9)"
        GENERAL_EXCEPTION = "general_exception", "General exception (regulation 10)"
        SPECIAL_URGENCY = "special_urgency", "Special urgency (regulation 11)"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DECIDED = "decided", "Decided"
        DEFERRED = "deferred", "Deferred"
        WITHDRAWN = "withdrawn", "Withdrawn"

    reference = models.CharField("Decision reference", max_length=30, unique=True)
    title = models.CharField("Matter for decision", max_length=255)
    description = models.TextField(blank=True)
    decision_maker = models.CharField(max_length=150)
    key_decision = models.BooleanField("Key decision", default=True)
    directorate = models.ForeignKey(
        "commissioning.Directorate", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_due = models.DateField("Date of decision")
    first_published = models.DateField(
        "Date first published", null=True, blank=True, help_text="When the entry first appeared on the plan."
    )
    notice_route = models.CharField(max_length=20, choices=NoticeRoute.choices, default=NoticeRoute.NOTICE)
    urgency_reasons = models.TextField(
        blank=True, help_text="Why the decision cannot wait for 28 clear days' notice (regulations 10 and 11)."
    )
    chair_informed_on = models.DateField(
        "Overview and scrutiny chair informed on", null=True, blank=True, help_text="Regulation 10(2)(a)."
    )
    urgency_agreed_by = models.CharField(
        max_length=150, blank=True, help_text="Who agreed the decision is urgent (regulation 11)."
    )
    urgency_agreed_on = models.DateField(null=True, blank=True)
    exempt = models.BooleanField("Contains exempt information", default=False)
    exempt_paragraph = models.PositiveSmallIntegerField(choices=ExemptParagraph.choices, null=True, blank=True)
    documents = models.TextField("Documents to be submitted to the decision maker", blank=True)
    consultation = models.TextField("How and when to make representations", blank=True)
    contact_officer = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    decision = models.OneToOneField(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="forward_plan_entry"
    )
    projects = models.ManyToManyField("contracts.ProcurementProject", blank=True, related_name="forward_plan_entries")
    contracts = models.ManyToManyField("contracts.Contract", blank=True, related_name="forward_plan_entries")
    strategies = models.ManyToManyField(
        "strategies.CommissioningStrategy", blank=True, related_name="forward_plan_entries"
    )

    history = HistoricalRecords()

    objects = ForwardPlanEntryQuerySet.as_manager()

    class Meta:
        ordering = ["decision_due", "reference"]
        verbose_name_plural = "forward plan entries"

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("scrutiny:forward_plan_entry", args=[self.pk])

    @property
    def owning_directorate_id(self) -> int | None:
        return self.directorate_id


class ScrutinyStageQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ScrutinyStageQuerySet:
        """A report's scrutiny stages are read with the reports the user may read."""
        if not permissions.may(user, "scrutiny.view_scrutinystage"):
            return self.none()
        report_model: Any = self.model._meta.get_field("report").related_model
        return self.filter(report__in=report_model.objects.visible_to(user))


class ScrutinyStage(TimeStampedModel):
    """One step of a highlight report's two-stage scrutiny: a subject committee (one or more), then the
    Overview and Scrutiny Management Board, then the decision maker. The stage's conclusions are the
    committee's ``ScrutinyConclusion`` about the report's strategy at that meeting."""

    class Step(models.TextChoices):
        SUBJECT_COMMITTEE = "subject_committee", "Subject scrutiny committee"
        MANAGEMENT_BOARD = "management_board", "Overview and Scrutiny Management Board"
        DECISION_MAKER = "decision_maker", "Decision maker"

    report = models.ForeignKey("strategies.HighlightReport", on_delete=models.CASCADE, related_name="scrutiny_stages")
    step = models.CharField(max_length=20, choices=Step.choices)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="report_stages")
    conclusion = models.OneToOneField(
        ScrutinyConclusion, on_delete=models.SET_NULL, null=True, blank=True, related_name="stage"
    )
    concluded_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    history = HistoricalRecords()

    objects = ScrutinyStageQuerySet.as_manager()

    class Meta:
        ordering = ["report", "meeting__date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "meeting"], name="one_stage_per_report_meeting"),
        ]

    def __str__(self):
        return f"{self.get_step_display()}: {self.meeting}"

    @property
    def owning_directorate_id(self) -> int | None:
        return self.report.strategy.directorate_id if self.report_id else None


class ScrutinyRecommendationQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ScrutinyRecommendationQuerySet:
        """Scrutiny's recommendations and the Executive's responses are public business."""
        if not permissions.may(user, "scrutiny.view_scrutinyrecommendation"):
            return self.none()
        return self


class ScrutinyRecommendation(TimeStampedModel):
    """A committee's recommendation, tracked until the Executive has responded (within two months of
    receiving the committee's report, Local Government Act 2000 s.9FE) and acted on it."""

    class Response(models.TextChoices):
        NONE = "", "No response yet"
        ACCEPTED = "accepted", "Accepted"
        PARTLY_ACCEPTED = "partly_accepted", "Partly accepted"
        REJECTED = "rejected", "Rejected"

    class Status(models.TextChoices):
        AWAITING_RESPONSE = "awaiting_response", "Awaiting response"
        IN_PROGRESS = "in_progress", "Actions in progress"
        CLOSED = "closed", "Closed"

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="recommendations")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="recommendations")
    number = models.PositiveSmallIntegerField(default=1, help_text="Its number in the committee's report.")
    text = models.TextField("Recommendation")
    addressed_to = models.CharField(max_length=150, help_text="e.g. 'Executive' or an Executive Councillor.")
    strategy = models.ForeignKey(
        "strategies.CommissioningStrategy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scrutiny_recommendations",
    )
    stage = models.ForeignKey(
        ScrutinyStage, on_delete=models.SET_NULL, null=True, blank=True, related_name="recommendations"
    )
    reported_on = models.DateField(
        "Reported to the Executive on", null=True, blank=True, help_text="Starts the two months for a response."
    )
    response_due = models.DateField(null=True, blank=True, editable=False)
    due_date = models.DateField("Implementation due", null=True, blank=True)
    response = models.CharField(max_length=20, choices=Response.choices, blank=True, default="")
    response_reasons = models.TextField(blank=True)
    responded_by = models.CharField(max_length=150, blank=True, help_text="Who gave the response.")
    responded_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_RESPONSE)
    closed_on = models.DateField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    objects = ScrutinyRecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting__date", "committee", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "committee", "number"], name="one_recommendation_number"),
        ]

    def __str__(self):
        return f"{self.committee}, {self.meeting.date:%-d %B %Y}, recommendation {self.number}"

    def get_absolute_url(self):
        return reverse("scrutiny:recommendation", args=[self.pk])

    @property
    def owning_directorate_id(self) -> int | None:
        """A recommendation about a strategy is answered by its directorate; one about none is council-wide."""
        strategy = self.strategy if self.strategy_id else None
        return strategy.directorate_id if strategy is not None else None


class RecommendationAction(TimeStampedModel):
    """An action agreed in response to a recommendation, with its owner, due date and progress."""

    recommendation = models.ForeignKey(ScrutinyRecommendation, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=150, blank=True)
    due_date = models.DateField(null=True, blank=True)
    progress = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "due_date", "pk"]

    def __str__(self):
        return self.description[:80]

    @property
    def owning_directorate_id(self) -> int | None:
        return self.recommendation.owning_directorate_id
