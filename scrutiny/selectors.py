"""Reads of committees, meetings, conclusions and packs."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from commissioning import permissions
from strategies.models import HighlightReport

from .models import (
    Committee,
    ExemptDocument,
    Meeting,
    PackAppendix,
    PackRevision,
    ReportRender,
    ScrutinyConclusion,
    ScrutinyPack,
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
