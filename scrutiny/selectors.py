"""Reads of committees, meetings, conclusions and packs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from commissioning import permissions
from commissioning.periods import FinancialQuarter
from contracts.models import Contract, ProcurementProject
from strategies.models import CommissioningStrategy, HighlightReport

from .models import (
    Committee,
    Decision,
    ExemptDocument,
    ForwardPlanEntry,
    Meeting,
    PackAppendix,
    PackRevision,
    RecommendationAction,
    ReportRender,
    ScrutinyConclusion,
    ScrutinyPack,
    ScrutinyRecommendation,
    ScrutinyStage,
)


def conclusions_for_strategies(*, strategy_ids: list[int], up_to=None) -> QuerySet[ScrutinyConclusion]:
    """Committees' conclusions about the given strategies, newest meeting first; ``up_to`` limits
    them to meetings held on or before that date (what a report of that date could know)."""
    conclusions = ScrutinyConclusion.objects.filter(strategy_id__in=strategy_ids).select_related("meeting__committee")
    if up_to is not None:
        conclusions = conclusions.filter(meeting__date__lte=up_to)
    return conclusions.order_by("strategy_id", "-meeting__date", "pk")


def packs_visible_to(user) -> QuerySet[ScrutinyPack]:
    """ScrutinyPack.visible_to(user), with the meeting and committee each page names loaded."""
    return ScrutinyPack.objects.visible_to(user).select_related("meeting__committee")


def pack_file_readable(user, path: str) -> bool:
    """Whether a file under media/packs/ is the user's to read: any published revision of a pack they may open;
    a pack's working render only to those who prepare packs, or while the pack is published (the render is
    then the published revision's bytes: a published pack is never rendered again)."""
    if PackRevision.objects.visible_to(user).filter(file=path).exists():
        return True
    packs = ScrutinyPack.objects.visible_to(user)
    if not permissions.may(user, "scrutiny.change_scrutinypack"):
        packs = packs.filter(status=ScrutinyPack.Status.PUBLISHED)
    return packs.filter(file=path).exists()


def revisions_of(pack: ScrutinyPack, *, user) -> list[PackRevision]:
    """The pack's published revisions the user may read, newest first, each marked ``superseded`` but the
    latest, with ``readable_exempt``: the restricted documents of its exempt items the user may read."""
    revisions = list(PackRevision.objects.visible_to(user).filter(pack=pack).select_related("published_by"))
    revisions.sort(key=lambda r: -r.number)
    exempt = exempt_documents_of(pack, user=user) if revisions else {}
    for position, revision in enumerate(revisions):
        revision.superseded = position > 0
        revision.readable_exempt = exempt.get(revision.pk, [])  # the user's to read: not excluded
    return revisions


def exempt_documents_of(pack: ScrutinyPack, *, user) -> dict[int, list[ExemptDocument]]:
    """The restricted documents of the pack's exempt items that the user may read, by revision ID."""
    found: dict[int, list[ExemptDocument]] = {}
    for document in ExemptDocument.objects.visible_to(user).filter(revision__pack=pack).order_by("appendix_number"):
        found.setdefault(document.revision_id, []).append(document)
    return found


def report_renders_visible_to(user) -> QuerySet[ReportRender]:
    """The PDFs of the highlight reports ``user`` may read (HighlightReport.visible_to)."""
    return ReportRender.objects.filter(report__in=HighlightReport.objects.visible_to(user))


def committees_with_counts(*, user) -> QuerySet[Committee]:
    """Every committee with its number of meetings, the next meeting date and whether the user sits on it."""
    today = timezone.localdate()
    return (
        Committee.objects.visible_to(user)
        .annotate(
            meeting_count=Count("meetings", distinct=True),
            next_meeting=Min("meetings__date", filter=Q(meetings__date__gte=today)),
            is_member=Exists(Committee.members.through.objects.filter(committee_id=OuterRef("pk"), user_id=user.pk)),
        )
        .order_by("-is_member", "name")
    )


def meetings_for_committee(*, committee: Committee, user) -> QuerySet[Meeting]:
    """A committee's meetings, newest first, with how many packs the user can open for each."""
    visible = packs_visible_to(user).filter(meeting=OuterRef("pk")).values("meeting").annotate(n=Count("pk"))
    return (
        committee.meetings.annotate(
            pack_count=Coalesce(Subquery(visible.values("n")[:1], output_field=IntegerField()), 0),
            conclusion_count=Count("conclusions", distinct=True),
        )
        .select_related("committee")
        .order_by("-date")
    )


def packs_for_meeting(*, meeting: Meeting, user) -> list[ScrutinyPack]:
    """The packs for a meeting the user can open, each with its appendices' strategies loaded and its latest
    published revision (``latest_revision``, ``latest_pages``: None if never published)."""
    revisions = PackRevision.objects.filter(pack=OuterRef("pk")).order_by("-number")
    return list(
        packs_visible_to(user)
        .filter(meeting=meeting)
        .annotate(
            latest_revision=Subquery(revisions.values("number")[:1]),
            latest_pages=Subquery(revisions.values("page_count")[:1]),
        )
        .prefetch_related(Prefetch("appendices", queryset=PackAppendix.objects.select_related("strategy")))
        .order_by("-report_date", "-pk")
    )


def pack_for_page(*, pk: int, user) -> ScrutinyPack:
    """A pack the user may open, with its appendices (in order) and their strategies; 404 otherwise."""
    return get_object_or_404(
        packs_visible_to(user).prefetch_related(
            Prefetch("appendices", queryset=PackAppendix.objects.select_related("strategy").order_by("order", "pk"))
        ),
        pk=pk,
    )


def archive_packs(*, user, committee_id: int | None = None, today=None) -> QuerySet[ScrutinyPack]:
    """Published packs of meetings already held (those being revised too: their revisions stay published),
    newest first, with their appendix count and latest revision."""
    today = today or timezone.localdate()
    revisions = PackRevision.objects.filter(pack=OuterRef("pk")).order_by("-number")
    published = Q(status=ScrutinyPack.Status.PUBLISHED) | Q(Exists(revisions))
    packs = (
        packs_visible_to(user)
        .filter(published, meeting__date__lt=today)
        .annotate(
            appendix_count=Count("appendices"),
            latest_revision=Subquery(revisions.values("number")[:1]),
            latest_pages=Subquery(revisions.values("page_count")[:1]),
        )
        .order_by("-meeting__date", "-pk")
    )
    if committee_id:
        packs = packs.filter(meeting__committee_id=committee_id)
    return packs


def conclusions_at_meeting(*, meeting: Meeting) -> QuerySet[ScrutinyConclusion]:
    return meeting.conclusions.select_related("strategy", "recorded_by").order_by("strategy__name", "pk")


# --- Two-stage scrutiny and recommendations ---


def stage_for_page(*, pk: int, user) -> ScrutinyStage:
    """A stage of a report ``user`` may read; 404 otherwise."""
    return get_object_or_404(
        ScrutinyStage.objects.visible_to(user).select_related(
            "report__strategy__directorate", "meeting__committee", "conclusion"
        ),
        pk=pk,
    )


def overdue_condition(today: date) -> Q:
    """The overdue rule: no response, not closed, and ``today`` past the response due date."""
    return Q(response="", response_due__lt=today) & ~Q(status=ScrutinyRecommendation.Status.CLOSED)


def recommendations_overdue(*, today: date | None = None) -> QuerySet[ScrutinyRecommendation]:
    """Recommendations whose response is overdue: no response yet, and today is past the response due date."""
    return ScrutinyRecommendation.objects.filter(overdue_condition(today or timezone.localdate()))


def is_overdue(recommendation: ScrutinyRecommendation, *, today: date | None = None) -> bool:
    """The overdue rule of ``recommendations_overdue``, for one recommendation in hand."""
    today = today or timezone.localdate()
    return bool(
        not recommendation.response
        and recommendation.status != ScrutinyRecommendation.Status.CLOSED
        and recommendation.response_due
        and today > recommendation.response_due
    )


def with_overdue(queryset: QuerySet[ScrutinyRecommendation], *, today: date | None = None) -> QuerySet:
    """``queryset`` with ``is_overdue`` annotated (the rule of ``recommendations_overdue``)."""
    overdue = overdue_condition(today or timezone.localdate())
    return queryset.annotate(
        is_overdue=Case(When(overdue, then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def recommendations_for_list(*, user, today: date | None = None) -> QuerySet[ScrutinyRecommendation]:
    """The recommendations ``user`` may read, newest meeting first, with committee, meeting and strategy loaded
    and ``is_overdue`` annotated. Filter with filters.RecommendationFilter."""
    queryset = ScrutinyRecommendation.objects.visible_to(user)
    return (
        with_overdue(queryset, today=today)
        .select_related("committee", "meeting", "strategy")
        .order_by("-meeting__date", "committee__name", "number", "pk")
    )


def recommendation_for_page(*, pk: int, user, today: date | None = None) -> ScrutinyRecommendation:
    """A recommendation ``user`` may read, with its actions in order and its stage; 404 otherwise."""
    return get_object_or_404(
        recommendations_for_list(user=user, today=today)
        .select_related("stage__meeting__committee", "stage__report", "strategy__directorate")
        .prefetch_related(Prefetch("actions", queryset=RecommendationAction.objects.order_by("due_date", "pk"))),
        pk=pk,
    )


def tracker_recommendations(
    *, committee: Committee, period: FinancialQuarter, user, today: date | None = None
) -> list[ScrutinyRecommendation]:
    """A committee's quarterly tracker: its recommendations made by the quarter's end that were still open at
    the quarter's start or made during it (those closed before the quarter are in earlier trackers), oldest
    meeting first, each with its actions."""
    queryset = (
        recommendations_for_list(user=user, today=today)
        .filter(committee=committee, meeting__date__lte=period.end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.start))
        .prefetch_related(Prefetch("actions", queryset=RecommendationAction.objects.order_by("due_date", "pk")))
        .order_by("meeting__date", "number", "pk")
    )
    return list(queryset)


def tracker_counts(recommendations: list[ScrutinyRecommendation]) -> dict[str, int]:
    """The tracker's summary: how many, by status, and how many overdue."""
    counts = dict.fromkeys(ScrutinyRecommendation.Status.values, 0)
    for recommendation in recommendations:
        counts[recommendation.status] += 1
    counts["total"] = len(recommendations)
    counts["overdue"] = sum(1 for r in recommendations if getattr(r, "is_overdue", False))
    return counts


# The tracker's columns (page, CSV and PDF), in the order of a committee's quarterly recommendation tracker.
TRACKER_HEADERS = [
    "Committee",
    "Meeting",
    "Number",
    "Recommendation",
    "Addressed to",
    "Strategy",
    "Reported to the Executive",
    "Response due",
    "Response",
    "Reasons",
    "Responded by",
    "Responded on",
    "Actions",
    "Implementation due",
    "Status",
    "Overdue",
    "Closed on",
    "Closing note",
]


def _tracker_date(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def tracker_row(recommendation: ScrutinyRecommendation) -> list[str]:
    """One row of the tracker, every cell a string (``actions`` prefetched; ``is_overdue`` annotated)."""
    actions = "; ".join(
        f"{a.description}"
        + (f" ({a.owner})" if a.owner else "")
        + (f", completed {_tracker_date(a.completed_on)}" if a.completed_on else ", open")
        for a in recommendation.actions.all()
    )
    return [
        recommendation.committee.name,
        _tracker_date(recommendation.meeting.date),
        str(recommendation.number),
        recommendation.text,
        recommendation.addressed_to,
        recommendation.strategy.name if recommendation.strategy else "",
        _tracker_date(recommendation.reported_on),
        _tracker_date(recommendation.response_due),
        recommendation.get_response_display() if recommendation.response else "",
        recommendation.response_reasons,
        recommendation.responded_by,
        _tracker_date(recommendation.responded_on),
        actions,
        _tracker_date(recommendation.due_date),
        recommendation.get_status_display(),
        "Yes" if getattr(recommendation, "is_overdue", False) else "No",
        _tracker_date(recommendation.closed_on),
        recommendation.closing_note,
    ]


# --- Forward plan ----------------------------------------------------------------------------------------


NOTICE_CLEAR_DAYS = 28
"""Regulation 9(1): the notice of a key decision is published at least 28 clear days before it is made."""
GENERAL_EXCEPTION_CLEAR_DAYS = 5
"""Regulation 10(2)(c): under the general exception, 5 clear days after the chair was told and the notice made
available."""
KEY_DECISION_THRESHOLD = Decimal("500000")
"""The council's threshold of a key decision: expenditure or savings of £500,000 or more (Lincolnshire County
Council's constitution, whose Executive report I017457 is seed 000's key decision). A contract whose annual value
reaches it needs a key decision to re-procure, bring in-house or decommission, so that decision goes on the plan."""
REPROCUREMENT_KEY_DECISIONS = (
    Contract.Reprocurement.REPROCURE,
    Contract.Reprocurement.BRING_IN_HOUSE,
    Contract.Reprocurement.DECOMMISSION,
)
"""Re-procurement decisions that are the Executive's to take (an extension is within the contract's terms)."""
UPCOMING = (ForwardPlanEntry.Status.PLANNED, ForwardPlanEntry.Status.DEFERRED)


def clear_days(first: date, last: date) -> int:
    """The clear days between two dates: the days in between, leaving out both the day of ``first`` (the
    notice's publication) and the day of ``last`` (the decision). Published on 1 May for 30 May: 28 clear days.
    Never below 0 (a decision on or before the day of publication has none). The one place they are counted."""
    return max((last - first).days - 1, 0)


def notice_clear_days(entry: ForwardPlanEntry) -> int | None:
    """The clear days' notice the entry gives of its decision (None until it is published)."""
    if entry.first_published is None or entry.decision_due is None:
        return None
    return clear_days(entry.first_published, entry.decision_due)


def notice_given(entry: ForwardPlanEntry) -> bool:
    """Whether the plan gave the 28 clear days' notice of regulation 9."""
    days = notice_clear_days(entry)
    return days is not None and days >= NOTICE_CLEAR_DAYS


def with_notice(entries) -> list[ForwardPlanEntry]:
    """The entries as a list, each with ``clear_days`` (its notice, in clear days) and ``notice_given``."""
    listed = list(entries)
    for entry in listed:
        entry.clear_days = notice_clear_days(entry)
        entry.notice_given = notice_given(entry)
    return listed


def forward_plan_entries(*, user) -> QuerySet[ForwardPlanEntry]:
    """Every entry ``user`` may read, with its directorate and decision loaded and the projects and contracts it
    concerns that the user may see (``visible_projects``, ``visible_contracts``: officers' records, so none for
    councillors) and its strategies."""
    return (
        ForwardPlanEntry.objects.visible_to(user)
        .select_related("directorate", "decision")
        .prefetch_related(
            Prefetch(
                "projects",
                queryset=ProcurementProject.objects.visible_to(user).order_by("reference"),
                to_attr="visible_projects",
            ),
            Prefetch(
                "contracts",
                queryset=Contract.objects.visible_to(user).order_by("reference"),
                to_attr="visible_contracts",
            ),
            Prefetch("strategies", queryset=CommissioningStrategy.objects.order_by("name")),
        )
        .order_by("decision_due", "reference")
    )


def forward_plan_published(*, user, today: date | None = None) -> QuerySet[ForwardPlanEntry]:
    """The forward plan as the council publishes it: the decisions still to be taken (planned or deferred) from
    ``today`` on, soonest first."""
    today = today or timezone.localdate()
    return forward_plan_entries(user=user).filter(status__in=UPCOMING, decision_due__gte=today)


def forward_plan_as_at(*, user, on: date) -> QuerySet[ForwardPlanEntry]:
    """The plan as it stood at the end of ``on``, from the entries' history: those published by then whose
    decision was still to come (planned or deferred, on or after that day), with what they said then (their
    links are today's, so none are loaded)."""
    if not permissions.may(user, "scrutiny.view_forwardplanentry"):
        return ForwardPlanEntry.objects.none()
    end_of_day = timezone.make_aware(datetime.combine(on, datetime.max.time()))
    return (
        ForwardPlanEntry.history.as_of(end_of_day)
        .filter(first_published__lte=on, decision_due__gte=on, status__in=UPCOMING)
        .order_by("decision_due", "reference")
    )


def forward_plan_by_month(entries) -> list[tuple[date, list[ForwardPlanEntry]]]:
    """The entries (in date order) grouped by the month of their decision, as the published plan sets them out:
    [(first day of the month, entries), ...]."""
    months: dict[date, list[ForwardPlanEntry]] = {}
    for entry in entries:
        months.setdefault(entry.decision_due.replace(day=1), []).append(entry)
    return list(months.items())


def forward_plan_short_notice(*, user, upcoming_from: date | None = None) -> QuerySet[ForwardPlanEntry]:
    """Key decisions with fewer than 28 clear days between first publication and the date of decision (taken, if
    at all, under the general exception or special urgency), soonest first. ``upcoming_from``: only those still
    to be decided (planned or deferred) due on or after that day."""
    gap = ExpressionWrapper(F("decision_due") - F("first_published"), output_field=DurationField())
    entries = (
        forward_plan_entries(user=user)
        .filter(key_decision=True, first_published__isnull=False)
        .annotate(notice_gap=gap)
        .filter(notice_gap__lt=timedelta(days=NOTICE_CLEAR_DAYS + 1))
    )
    if upcoming_from is not None:
        entries = entries.filter(status__in=UPCOMING, decision_due__gte=upcoming_from)
    return entries


def forward_plan_entry_for_page(*, pk: int, user) -> ForwardPlanEntry:
    """An entry the user may read, with ``clear_days`` and ``notice_given``; 404 otherwise."""
    return with_notice([get_object_or_404(forward_plan_entries(user=user), pk=pk)])[0]


def forward_plan_entry_of_decision(*, decision: Decision, user) -> ForwardPlanEntry | None:
    """The forward plan entry of a decision record, with its notice, or None."""
    entry = ForwardPlanEntry.objects.visible_to(user).filter(decision=decision).first()
    return with_notice([entry])[0] if entry is not None else None


def forward_plan_decision_makers(*, user) -> list[str]:
    """The decision makers the plan names, for its filter."""
    makers = ForwardPlanEntry.objects.visible_to(user).order_by().values_list("decision_maker", flat=True).distinct()
    return sorted(set(makers))


def contracts_missing_from_forward_plan(*, user) -> QuerySet[Contract]:
    """Decisions missing from the forward plan: live contracts whose recorded re-procurement decision (re-procure,
    bring in-house, decommission) is a key decision by their annual value (``KEY_DECISION_THRESHOLD``) and that no
    entry carries, directly or through a procurement project replacing them (withdrawn entries do not count).
    Soonest ending first."""
    on_plan = ForwardPlanEntry.objects.exclude(status=ForwardPlanEntry.Status.WITHDRAWN)
    return (
        Contract.objects.visible_to(user)
        .filter(
            status=Contract.Status.LIVE,
            reprocurement_decision__in=REPROCUREMENT_KEY_DECISIONS,
            annual_value__gte=KEY_DECISION_THRESHOLD,
        )
        .exclude(Exists(on_plan.filter(contracts=OuterRef("pk"))))
        .exclude(Exists(on_plan.filter(projects__replaces=OuterRef("pk"))))
        .select_related("directorate", "lead_provider")
        .order_by("maximum_end_date", "reference")
    )
