"""Commissioning strategies and their quarterly highlight reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Exists, ExpressionWrapper, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from commissioning import permissions
from commissioning.models import Directorate, TimeStampedModel
from commissioning.periods import FinancialQuarter, financial_year_label


class Stage(models.TextChoices):
    """The four phases of the commissioning cycle: a strategy's own tick boxes (the highlight report's "Analyse,
    Plan, Do, Review"). Intentions point at the administrator's ``CycleStage`` rows, whose defaults are these."""

    ANALYSE = "analyse", "Analyse"
    PLAN = "plan", "Plan"
    DO = "do", "Do"
    REVIEW = "review", "Review"


_M = TypeVar("_M", bound=models.Model)


class ReadableQuerySet(models.QuerySet[_M]):
    """Rows everyone who may view the model reads (councillors included); nobody else any."""

    def visible_to(self, user: Any) -> ReadableQuerySet[_M]:
        if not permissions.may(user, f"{self.model._meta.app_label}.view_{self.model._meta.model_name}"):
            return self.none()
        return self


class CommissioningStrategy(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="strategies")
    purpose = models.TextField("Purpose statement", help_text="The purpose of this commissioning strategy is to …")
    sponsor = models.CharField(max_length=150, help_text="Role title of the sponsoring executive director.")
    commissioning_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="led_strategies"
    )
    lead_officer = models.CharField("Lead officer (if applicable)", max_length=150, blank=True)
    # A strategy can be at several stages at once (the template's "Analyse, Plan, Do, Review").
    stage_analyse = models.BooleanField("Analyse", default=False)
    stage_plan = models.BooleanField("Plan", default=False)
    stage_do = models.BooleanField("Do", default=False)
    stage_review = models.BooleanField("Review", default=False)
    summary = models.TextField("Summary description", blank=True)
    needs_established = models.TextField('How have the "needs" been established and agreed', blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    objects = ReadableQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "commissioning strategies"

    def __str__(self):
        return self.name

    @property
    def owning_directorate_id(self) -> int | None:
        return self.directorate_id

    def get_absolute_url(self):
        return reverse("strategies:detail", args=[self.pk])

    @property
    def stages(self) -> list[str]:
        return [label for value, label in Stage.choices if getattr(self, f"stage_{value}")]

    @property
    def stages_display(self) -> str:
        return ", ".join(self.stages)


class Outcome(TimeStampedModel):
    strategy = models.ForeignKey(CommissioningStrategy, on_delete=models.CASCADE, related_name="outcomes")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = ReadableQuerySet.as_manager()

    class Meta:
        ordering = ["strategy", "order", "pk"]

    def __str__(self):
        return self.title

    @property
    def owning_directorate_id(self) -> int | None:
        return self.strategy.directorate_id if self.strategy_id else None


class CycleStageQuerySet(ReadableQuerySet["CycleStage"]):
    def in_cycle_order(self) -> CycleStageQuerySet:
        """Phases by their order, each followed by its finer stages by theirs (``phase_order``, ``finer_order``)."""
        integer = models.IntegerField()
        return self.annotate(
            phase_order=Coalesce("parent__order", "order", output_field=integer),
            phase_key=Coalesce("parent_id", "id", output_field=integer),
            finer_order=Case(When(parent__isnull=True, then=Value(-1)), default=F("order"), output_field=integer),
        ).order_by("phase_order", "phase_key", "finer_order", "name")

    def active(self) -> CycleStageQuerySet:
        """Stages that may be chosen: active, and (for a finer stage) under an active phase."""
        return self.filter(active=True).exclude(parent__active=False)


class CycleStage(TimeStampedModel):
    """A stage of the council's commissioning cycle, set by an administrator. The phases (Analyse, Plan, Do,
    Review by default) have no parent; a finer stage (Somerset's "Design", "Prepare", …) sits under one phase."""

    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the cycle (within its phase).")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="finer_stages",
        verbose_name="Phase",
        help_text="Leave empty for a phase of the cycle; choose a phase for a finer stage within it.",
    )
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True, help_text="Inactive stages cannot be chosen for new intentions.")

    history = HistoricalRecords()

    objects = CycleStageQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="cycle_stage_name_unique_in_phase"),
            models.UniqueConstraint(fields=["name"], condition=Q(parent__isnull=True), name="cycle_phase_name_unique"),
        ]

    def __str__(self):
        return f"{self.parent.name}: {self.name}" if self.parent_id and self.parent else self.name

    @property
    def owning_directorate_id(self) -> int | None:
        return None  # the council's cycle: council-wide

    @property
    def is_phase(self) -> bool:
        return self.parent_id is None

    @property
    def phase(self) -> CycleStage:
        return self.parent if self.parent_id and self.parent else self

    @property
    def cycle_key(self) -> tuple[int, int, int]:
        """Where the stage sits in the cycle: (phase order, phase, order within the phase; -1 for the phase)."""
        phase = self.phase
        return phase.order, phase.pk or 0, -1 if self.is_phase else self.order

    def is_before(self, other: CycleStage) -> bool:
        """Whether this stage comes earlier in the cycle than ``other``. A phase and a finer stage within it
        count as the same point (neither is before the other)."""
        mine, theirs = self.cycle_key, other.cycle_key
        if mine[:2] != theirs[:2]:
            return mine[:2] < theirs[:2]
        if self.is_phase or other.is_phase:
            return False
        return mine[2] < theirs[2]


class StrategicTheme(TimeStampedModel):
    """A theme of a commissioning plan (a strategy), e.g. Somerset's "Prevention", with its "I" statements."""

    strategy = models.ForeignKey(CommissioningStrategy, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=150)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True, help_text="What the theme is about, in a few sentences.")

    history = HistoricalRecords()

    objects = ReadableQuerySet.as_manager()

    class Meta:
        ordering = ["strategy", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "name"], name="theme_name_unique_in_strategy"),
        ]

    def __str__(self):
        return self.name

    @property
    def owning_directorate_id(self) -> int | None:
        return self.strategy.directorate_id if self.strategy_id else None


class ThemeStatement(TimeStampedModel):
    """An outcome of a theme in the words of the people it is for: "I have the information and support I need…"."""

    theme = models.ForeignKey(StrategicTheme, on_delete=models.CASCADE, related_name="statements")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField('"I" statement', help_text="e.g. “I am in control of planning my care and support.”")

    history = HistoricalRecords()

    objects = ReadableQuerySet.as_manager()

    class Meta:
        ordering = ["theme", "order", "pk"]

    def __str__(self):
        return self.text[:80]

    @property
    def owning_directorate_id(self) -> int | None:
        return self.theme.strategy.directorate_id if self.theme_id else None


class CommissioningIntention(TimeStampedModel):
    """What the plan intends to commission under one of its themes, where it stands on the council's cycle and
    where it is expected to get to, what drives it and the activity that gets it there."""

    strategy = models.ForeignKey(CommissioningStrategy, on_delete=models.CASCADE, related_name="intentions")
    order = models.PositiveSmallIntegerField(default=0)
    theme = models.ForeignKey(StrategicTheme, on_delete=models.PROTECT, related_name="intentions")
    intention = models.TextField("Commissioning intention / details")
    driver = models.CharField(
        max_length=255,
        blank=True,
        help_text="What drives it, e.g. Care Bill, Better Care Fund, TEASC recommendation (several: separate "
        "them with commas).",
    )
    current_stage = models.ForeignKey(
        CycleStage,
        on_delete=models.PROTECT,
        related_name="intentions_at",
        verbose_name="Existing position on the cycle",
    )
    expected_stage = models.ForeignKey(
        CycleStage,
        on_delete=models.PROTECT,
        related_name="intentions_expected",
        verbose_name="Expected progress",
    )
    activity = models.TextField(blank=True)
    savings: models.ManyToManyField[Saving, Any] = models.ManyToManyField(
        "Saving", blank=True, related_name="intentions", help_text="The MTFP savings the intention delivers."
    )

    history = HistoricalRecords()

    objects = ReadableQuerySet.as_manager()

    class Meta:
        ordering = ["strategy", "order", "pk"]

    def __str__(self):
        return self.intention[:80]

    @property
    def owning_directorate_id(self) -> int | None:
        return self.strategy.directorate_id if self.strategy_id else None


class StrategyRisk(TimeStampedModel):
    """A risk written as cause, event and effect."""

    class Rating(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    strategy = models.ForeignKey(CommissioningStrategy, on_delete=models.CASCADE, related_name="risks")
    order = models.PositiveSmallIntegerField(default=0)
    cause = models.TextField()
    event = models.TextField()
    effect = models.TextField()
    rating = models.CharField(max_length=10, choices=Rating.choices, default=Rating.MEDIUM)
    mitigation = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = ReadableQuerySet.as_manager()

    class Meta:
        ordering = ["strategy", "order", "pk"]

    def __str__(self):
        return self.event[:80]

    @property
    def owning_directorate_id(self) -> int | None:
        return self.strategy.directorate_id if self.strategy_id else None


class SavingQuerySet(ReadableQuerySet["Saving"]):
    def with_variation(self) -> SavingQuerySet:
        """Annotate ``variation``: budgeted less achieved, in SQL (None while nothing achieved is recorded).
        A positive variation is a shortfall against the budget, a negative one more saved than budgeted,
        as seed 004's "16-17 Variation" column reads."""
        return self.annotate(
            variation=ExpressionWrapper(
                F("budgeted") - F("achieved"), output_field=models.DecimalField(max_digits=14, decimal_places=2)
            )
        )


class Saving(TimeStampedModel):
    """A commissioning saving (an MTFP saving) of a directorate in a financial year: what the budget counts on,
    what was achieved, and why they differ."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        AGREED = "agreed", "Agreed"
        ACHIEVED = "achieved", "Achieved"
        AT_RISK = "at_risk", "At risk"
        UNDELIVERABLE = "undeliverable", "Undeliverable"

    reference = models.CharField(max_length=30, unique=True, help_text="The council's reference, e.g. ASC-1617-01.")
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="savings")
    strategy = models.ForeignKey(
        CommissioningStrategy, on_delete=models.SET_NULL, null=True, blank=True, related_name="savings"
    )
    year = models.PositiveSmallIntegerField(
        "Financial year", help_text="Year the financial year starts: 2016 is 2016/17."
    )
    title = models.CharField("Proposal", max_length=255)
    description = models.TextField(blank=True)
    budgeted = models.DecimalField(
        "Budgeted saving (£)", max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    achieved = models.DecimalField(
        "Achieved saving (£)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Leave empty until the year's outturn is known.",
    )
    reasons = models.TextField("Reasons for the variation", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    contracts = models.ManyToManyField(
        "contracts.Contract", blank=True, related_name="savings", help_text="The contracts the saving touches."
    )

    history = HistoricalRecords()

    objects = SavingQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "directorate__name", "reference"]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("strategies:saving", args=[self.pk])

    @property
    def owning_directorate_id(self) -> int | None:
        return self.directorate_id

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)

    @property
    def variation_amount(self) -> Decimal | None:
        """Budgeted less achieved (None until an achieved figure is recorded)."""
        if self.achieved is None or self.budgeted is None:
            return None
        return self.budgeted - self.achieved


def _later_than(ref: Any) -> Q:
    """Reports that come before the referenced one in a pack's choice: a later report date, then a later quarter."""
    return (
        Q(report_date__gt=ref("report_date"))
        | Q(report_date=ref("report_date"), year__gt=ref("year"))
        | Q(report_date=ref("report_date"), year=ref("year"), quarter__gt=ref("quarter"))
    )


def _two_up(name: str) -> OuterRef:
    return OuterRef(OuterRef(name))


class HighlightReportQuerySet(models.QuerySet["HighlightReport"]):
    def visible_to(self, user: Any) -> HighlightReportQuerySet:
        """The reports ``user`` may read. Officers read every report, drafts included (their working copies).
        A scrutiny member reads a report once it has gone to scrutiny: considered by scrutiny or approved, sent
        to a committee meeting, or printed in a published pack; not while it is with the officers' board
        (submitted, board reviewed), and never a draft.

        Every page, API endpoint, history, PDF and file download that shows reports starts here."""
        if not permissions.may(user, "strategies.view_highlightreport"):
            return self.none()
        if permissions.may_see_drafts(user):
            return self
        return self.gone_to_scrutiny()

    def gone_to_scrutiny(self) -> HighlightReportQuerySet:
        """Reports that have gone to scrutiny (what a scrutiny member reads): considered by scrutiny or approved,
        sent to a committee meeting (the report's meeting, or a stage of its two-stage scrutiny), or printed in a
        published pack. Never a draft."""
        status = HighlightReport.Status
        # Scrutiny sits above strategies: its stages are reached through the reverse relation.
        stage_model: Any = HighlightReport._meta.get_field("scrutiny_stages").related_model
        gone = (
            Q(status__in=[status.SCRUTINY_CONSIDERED, status.APPROVED])
            | Q(scrutiny_meeting__isnull=False)
            | Q(Exists(stage_model.objects.filter(report=OuterRef("pk"))))
            | self._printed_in_a_published_pack()
        )
        return self.exclude(status=status.DRAFT).filter(gone)

    def printable(self) -> HighlightReportQuerySet:
        """Reports a pack may print: past the officers' board (board reviewed, considered by scrutiny or
        approved). Never a draft, nor a report still with the board."""
        return self.filter(status__in=HighlightReport.PRINTABLE_STATUSES)

    def printed_for_pack(self, *, strategy_id: int, on_or_before: date) -> HighlightReport | None:
        """The report a pack dated ``on_or_before`` prints for a strategy: its latest printable report dated on
        or before the pack's date, or None (the pack then says no report was submitted for the quarter)."""
        return self.printed_for_packs(strategy_ids=[strategy_id], on_or_before=on_or_before).get(strategy_id)

    def printed_for_packs(self, *, strategy_ids: list[int], on_or_before: date) -> dict[int, HighlightReport]:
        """``printed_for_pack`` for several strategies in one query: strategy ID → the report it prints."""
        reports = self.printable().filter(strategy_id__in=strategy_ids, report_date__lte=on_or_before)
        chosen: dict[int, HighlightReport] = {}
        for report in reports.order_by("strategy_id", "-report_date", "-year", "-quarter"):
            chosen.setdefault(report.strategy_id, report)
        return chosen

    def _printed_in_a_published_pack(self) -> Q:
        """``printed_for_pack`` in SQL, for every published pack that appends the report's strategy, and every
        published supplement that adds it as a late item (a supplement prints as of its pack's date).

        Scrutiny sits above strategies: its models are reached through the strategy's reverse relations."""
        pack_model: Any = CommissioningStrategy._meta.get_field("scrutiny_packs").related_model
        supplement_model: Any = CommissioningStrategy._meta.get_field("pack_supplements").related_model
        printable = HighlightReport.objects.printable()

        def later_in(pack_date: str) -> models.QuerySet:
            # Inside the document: a later printable report of the strategy, also dated on or before its date.
            return printable.filter(strategy_id=_two_up("strategy_id"), report_date__lte=OuterRef(pack_date)).filter(
                _later_than(_two_up)
            )

        packs = pack_model.objects.filter(
            status=pack_model.Status.PUBLISHED,
            strategies=OuterRef("strategy_id"),
            report_date__gte=OuterRef("report_date"),
        ).filter(~Exists(later_in("report_date")))
        supplements = supplement_model.objects.filter(
            status=supplement_model.Status.PUBLISHED,
            strategies=OuterRef("strategy_id"),
            pack__report_date__gte=OuterRef("report_date"),
        ).filter(~Exists(later_in("pack__report_date")))
        return Q(status__in=HighlightReport.PRINTABLE_STATUSES) & (Q(Exists(packs)) | Q(Exists(supplements)))


class HighlightReport(TimeStampedModel):
    """A strategy's quarterly highlight report, following the council's template section by section."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted to the Commissioning and Commercial Board"
        BOARD_REVIEWED = "board_reviewed", "Board reviewed"
        SCRUTINY_CONSIDERED = "scrutiny_considered", "Considered by scrutiny"
        APPROVED = "approved", "Approved by the Executive"

    # What a scrutiny pack may print: the officers' board has finished with the report.
    PRINTABLE_STATUSES = (Status.BOARD_REVIEWED, Status.SCRUTINY_CONSIDERED, Status.APPROVED)

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"

    strategy = models.ForeignKey(CommissioningStrategy, on_delete=models.CASCADE, related_name="highlight_reports")
    year = models.PositiveSmallIntegerField(
        "Financial year", help_text="Year the financial year starts: 2018 is 2018/19."
    )
    quarter = models.PositiveSmallIntegerField()
    report_date = models.DateField()
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up on every save; a save on an older version is refused."
    )

    # Narrative sections of the template.
    summary = models.TextField("Summary description", blank=True)
    needs_established = models.TextField('How have the "needs" been established and agreed', blank=True)
    outcomes_text = models.TextField('What are the agreed "outcomes"', blank=True)
    success_note = models.TextField("Note on how success is measured", blank=True)
    key_contracts_note = models.TextField("Note on key contracts", blank=True)
    pooled_budget_arrangements = models.TextField("Existing pooled budget / co-commissioning arrangements", blank=True)
    property_implications = models.TextField(blank=True)
    commercial_opportunities = models.TextField(blank=True)
    scrutiny_note = models.TextField("Note on conclusions from scrutiny", blank=True)
    # Commissioners' comments.
    completed_by = models.CharField(max_length=255, blank=True)
    rag = models.CharField("Status (RAG)", max_length=10, choices=Rag.choices, blank=True)
    rag_comment = models.TextField("Supporting comment if Red or Amber", blank=True)
    commissioners_comments = models.TextField(blank=True)
    # Workflow records.
    board_comments = models.TextField("Commissioning and Commercial Board comments", blank=True)
    scrutiny_meeting = models.ForeignKey(
        "scrutiny.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="highlight_reports"
    )
    decision_reference = models.CharField(
        max_length=30, blank=True, help_text="Executive decision reference, e.g. I017457."
    )
    decision_date = models.DateField(null=True, blank=True)
    # What the report showed when approved: contracts, measures and conclusions, frozen.
    approved_snapshot = models.JSONField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    objects = HighlightReportQuerySet.as_manager()

    class Meta:
        ordering = ["strategy", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "year", "quarter"], name="one_report_per_strategy_quarter"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="report_quarter_is_1_to_4"),
        ]
        permissions = [
            ("submit_highlightreport", "Can submit a highlight report to the board"),
            ("review_highlightreport", "Can record the board's review of a highlight report"),
            ("approve_highlightreport", "Can record scrutiny and Executive approval of a highlight report"),
        ]

    def __str__(self):
        return f"{self.strategy} highlight report, {self.period}"

    def get_absolute_url(self):
        return reverse("strategies:report", args=[self.pk])

    @property
    def period(self) -> FinancialQuarter:
        return FinancialQuarter(self.year, self.quarter)

    @property
    def owning_directorate_id(self) -> int | None:
        return self.strategy.directorate_id if self.strategy_id else None

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.APPROVED

    def clean(self):
        errors = {}
        if self.quarter and self.year and self.report_date and not self.period.contains(self.report_date):
            errors["report_date"] = (
                f"The report date must fall in {self.period} "
                f"({self.period.start:%d/%m/%Y} to {self.period.end:%d/%m/%Y})."
            )
        if self.rag in (self.Rag.RED, self.Rag.AMBER) and not self.rag_comment.strip():
            errors["rag_comment"] = f"Enter a supporting comment: a {self.get_rag_display()} status needs one."
        if errors:
            raise ValidationError(errors)


class ReportEvent(models.Model):
    """One move on a highlight report's timeline: who, when, why."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        SUBMITTED = "submitted", "Submitted to the board"
        BOARD_REVIEWED = "board_reviewed", "Reviewed by the board"
        SCRUTINY_CONSIDERED = "scrutiny_considered", "Considered by scrutiny"
        APPROVED = "approved", "Approved by the Executive"
        RETURNED = "returned", "Returned for changes"

    report = models.ForeignKey(HighlightReport, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.by} at {self.at:%d/%m/%Y %H:%M}"
