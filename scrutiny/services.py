"""Writes of the scrutiny app: committees and meetings, packs and their appendices, rendering, publishing,
conclusions. Each service checks the actor's permission (``commissioning.permissions``) and the rules, and
records who did it, in one transaction; pages, the API, the admin, the command and the tasks call these.

Rendering is split in two so a crash can never leave a half-written file marked ready:
``*_request_render`` marks the job queued and queues the Celery task on commit; ``run_*_render``
(called by the task and the ``render_pack`` command) builds the HTML, reuses the stored file when
the checksum of the inputs is unchanged, otherwise writes a new file under a checksum-derived
name and only then, in one transaction, points the row at it and marks it ready.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import holidays
from celery import current_app
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from commissioning import permissions, roles
from commissioning.models import User
from commissioning.notifications import notify
from commissioning.pdf import html_to_paged_pdf, html_to_pdf
from commissioning.redaction import redact_fields
from commissioning.text import normalise_newlines
from contracts.models import Contract, ProcurementProject
from strategies import services as strategy_services
from strategies.models import CommissioningStrategy, HighlightReport
from strategies.services import record_by

from . import documents
from . import selectors as stage_selectors
from .models import (
    AgendaItem,
    Committee,
    Decision,
    ExemptDocument,
    ExemptParagraph,
    ForwardPlanEntry,
    Meeting,
    PackAppendix,
    PackRevision,
    PackSupplement,
    RecommendationAction,
    ReportRender,
    ScrutinyConclusion,
    ScrutinyPack,
    ScrutinyRecommendation,
    ScrutinyStage,
    SupplementItem,
)
from .selectors import (
    GENERAL_EXCEPTION_CLEAR_DAYS,
    NOTICE_CLEAR_DAYS,
    clear_days,
    notice_given,
)

logger = logging.getLogger(__name__)

RenderStatus = ScrutinyPack.RenderStatus
# A rendering job beats (touches its row) every HEARTBEAT while it works; one silent for RENDERING_STALE_AFTER
# has lost its worker (killed, out of memory) and the page offers a retry. A queued job may wait behind others.
HEARTBEAT = timedelta(seconds=15)
RENDERING_STALE_AFTER = timedelta(minutes=1)
QUEUED_STALE_AFTER = timedelta(minutes=10)
# Errors worth retrying: storage or database briefly unavailable. Anything else is a real failure.
TRANSIENT_ERRORS = (OSError, OperationalError)

COVER_FIELDS = [
    "title",
    "report_to",
    "report_date",
    "subject",
    "summary",
    "actions_required",
    "decision",
    "background",
    "conclusion",
    "consultation",
    "risks_analysed",
    "background_papers",
    "on_behalf_of",
    "author",
    "contact",
]


# The render tasks, by their Celery name. The tasks call the services below, so the services find the tasks
# through the Celery app rather than importing tasks.py (that would be an import cycle).
RENDER_PACK_TASK = "scrutiny.tasks.render_pack"
# The screen stylesheet of a pack's HTML copy (a static file: the site's CSP refuses inline styles).
PAGED_HTML_STYLESHEET = "css/paged-html.css"
RENDER_REPORT_TASK = "scrutiny.tasks.render_report"


class RenderNotAllowed(Exception):
    pass


def _queue_on_commit(task_name: str, *args, **kwargs) -> None:
    """Send the Celery task ``task_name`` once the current transaction commits (eagerly without a broker)."""

    def send() -> None:
        if task_name not in current_app.tasks:
            # A web process imports task modules only when asked; the worker autodiscovers them at start.
            current_app.loader.import_default_modules()
        current_app.tasks[task_name].delay(*args, **kwargs)

    transaction.on_commit(send)


@dataclass
class RenderOutcome:
    reused: bool
    page_count: int
    data_seconds: float
    layout_seconds: float
    file_name: str

    @property
    def total_seconds(self) -> float:
        return self.data_seconds + self.layout_seconds


def is_stale(*, status: str, updated_at, now=None) -> bool:
    """A queued or rendering job whose worker has gone quiet for too long (a render beats every HEARTBEAT)."""
    now = now or timezone.now()
    if status == RenderStatus.RENDERING:
        return updated_at < now - RENDERING_STALE_AFTER
    return status == RenderStatus.QUEUED and updated_at < now - QUEUED_STALE_AFTER


@contextmanager
def _heartbeat(touch: Callable[[], None]) -> Iterator[None]:
    """Call ``touch`` every HEARTBEAT from a thread while the block runs (the layout can take minutes without
    any other write), so a render whose worker dies goes quiet and is seen as stale within a minute.

    Only in autocommit: inside a caller's transaction (a test, an eager task) no other connection could see the
    beats, and a second writer would wait on the caller's lock."""
    if transaction.get_connection().in_atomic_block:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT.total_seconds()):
                touch()
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name="render-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def can_request_render(*, status: str, updated_at) -> bool:
    return status not in (RenderStatus.QUEUED, RenderStatus.RENDERING) or is_stale(status=status, updated_at=updated_at)


# --- Committees and meetings -----------------------------------------------------------------------


COMMITTEE_FIELDS = ["name", "kind"]
MEETING_FIELDS = ["committee", "date", "venue"]


def _validated_save(instance, by: User, *, errors: Mapping[str, str] | None = None):
    """Save after the model's validation and the service's ``errors``, raised together naming each field."""
    found: dict[str, list[str]] = {name: [message] for name, message in (errors or {}).items()}
    try:
        instance.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            found.setdefault(name, []).extend(messages)
    if found:
        raise ValidationError(found)
    record_by(instance, by)
    instance.save()
    return instance


def _assign(instance, data: Mapping[str, Any], allowed: list[str]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValueError(f"Not writable here: {', '.join(unknown)}.")
    for name, value in data.items():
        setattr(instance, name, normalise_newlines(value))


def _member_errors(members: list[User] | None) -> dict[str, str]:
    """Those who sit on a committee are active councillors (the scrutiny member role)."""
    others = [m for m in members or [] if not (m.is_active and m.has_role(roles.SCRUTINY_MEMBER))]
    if others:
        names = ", ".join(sorted(m.get_full_name() or m.username for m in others))
        return {"members": f"Only active scrutiny members sit on a committee: {names} is not one."}
    return {}


def _meeting_errors(meeting: Meeting) -> dict[str, str]:
    if meeting.committee_id and meeting.date:
        same_day = Meeting.objects.filter(committee_id=meeting.committee_id, date=meeting.date).exclude(pk=meeting.pk)
        if same_day.exists():
            return {"date": f"The committee already has a meeting on {meeting.date:%-d %B %Y}."}
    return {}


@transaction.atomic
def committee_create(*, by: User, data: Mapping[str, Any], members: list[User] | None = None) -> Committee:
    """Add a scrutiny committee and the councillors who sit on it."""
    permissions.require(by, "scrutiny.add_committee")
    committee = Committee()
    _assign(committee, data, COMMITTEE_FIELDS)
    _validated_save(committee, by, errors=_member_errors(members))
    committee.members.set(members or [])
    return committee


@transaction.atomic
def committee_update(
    *, committee: Committee, by: User, data: Mapping[str, Any], members: list[User] | None = None
) -> Committee:
    """Rename a committee, say where it sits in two-stage scrutiny (``kind``) and (``members`` given) change who
    sits on it."""
    permissions.require(by, "scrutiny.change_committee")
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    _assign(committee, data, COMMITTEE_FIELDS)
    # Someone already on it who has since left the role may stay; only newcomers are checked.
    current = set(committee.members.values_list("pk", flat=True))
    _validated_save(committee, by, errors=_member_errors([m for m in members or [] if m.pk not in current]))
    if members is not None:
        committee.members.set(members)
    return committee


@transaction.atomic
def meeting_create(*, by: User, data: Mapping[str, Any]) -> Meeting:
    """Add a committee meeting."""
    permissions.require(by, "scrutiny.add_meeting")
    meeting = Meeting()
    _assign(meeting, data, MEETING_FIELDS)
    return _validated_save(meeting, by, errors=_meeting_errors(meeting))


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: User, data: Mapping[str, Any]) -> Meeting:
    """Change a meeting's date or venue (or its committee)."""
    permissions.require(by, "scrutiny.change_meeting")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _assign(meeting, data, MEETING_FIELDS)
    return _validated_save(meeting, by, errors=_meeting_errors(meeting))


# --- Packs: the cover report and the appendices -------------------------------------------------


NO_APPENDIX = "Choose at least one strategy for the pack's appendices."


def _appendix_errors(strategies: list[CommissioningStrategy]) -> dict[str, str]:
    if not strategies:
        return {"strategies": NO_APPENDIX}
    if len({s.pk for s in strategies}) != len(strategies):
        return {"strategies": "Append each strategy once."}
    return {}


def _set_appendices(*, pack: ScrutinyPack, strategies: list[CommissioningStrategy]) -> None:
    """The pack's appendices in the given order. An appendix kept keeps its row (and what was recorded about
    it, such as an exemption); one dropped is removed; a new one is added."""
    existing = {a.strategy_id: a for a in pack.appendices.all()}
    wanted = {strategy.pk for strategy in strategies}
    pack.appendices.exclude(strategy_id__in=wanted).delete()
    moved, added = [], []
    for number, strategy in enumerate(strategies, 1):
        appendix = existing.get(strategy.pk)
        if appendix is None:
            added.append(PackAppendix(pack=pack, strategy=strategy, order=number))
        elif appendix.order != number:
            appendix.order = number
            moved.append(appendix)
    PackAppendix.objects.bulk_update(moved, ["order"])
    PackAppendix.objects.bulk_create(added)


@transaction.atomic
def appendix_mark_exempt(
    *,
    appendix: PackAppendix,
    by: User,
    paragraph: int,
    public_interest_reasoning: str,
    exclusion_resolution: str,
    excluded_members: list[User] | None = None,
    exclusion_reasons: str = "",
) -> PackAppendix:
    """Record an appendix as exempt information under a paragraph of Part 1 of Schedule 12A (Local Government
    Act 1972), with the public interest test's reasoning, the meeting's resolution to exclude the press and
    public, and the councillors excluded from the item and why. The published pack then prints only its title
    and paragraph; its content goes into a restricted document."""
    permissions.require(by, "scrutiny.change_scrutinypack")
    appendix = PackAppendix.objects.select_for_update().select_related("pack").get(pk=appendix.pk)
    if appendix.pack.is_frozen:
        raise ValidationError("This pack is published: start a revision to change which items are exempt.")
    errors: dict[str, str] = {}
    if paragraph not in ExemptParagraph.values:
        errors["paragraph"] = "Choose the paragraph of Schedule 12A the information falls under (1 to 7)."
    reasoning = normalise_newlines(public_interest_reasoning or "").strip()
    resolution = normalise_newlines(exclusion_resolution or "").strip()
    if not reasoning:
        errors["public_interest_reasoning"] = (
            "Record why the public interest in keeping the information exempt outweighs the interest in disclosing it."
        )
    if not resolution:
        errors["exclusion_resolution"] = "Record the meeting's resolution to exclude the press and public."
    members = list(excluded_members or [])
    if any(not m.has_role(roles.SCRUTINY_MEMBER) for m in members):
        errors["excluded_members"] = "Only councillors (scrutiny members) are excluded from an item."
    reasons = normalise_newlines(exclusion_reasons or "").strip()
    if members and not reasons:
        errors["exclusion_reasons"] = "Say why each excluded councillor may not read the item."
    if errors:
        raise ValidationError(errors)
    appendix.exempt_paragraph = paragraph
    appendix.public_interest_reasoning = reasoning
    appendix.exclusion_resolution = resolution
    appendix.exclusion_reasons = reasons
    appendix.save()
    appendix.excluded_members.set(members)
    record_by(appendix.pack, by)
    appendix.pack.save(update_fields=["updated_at"])
    logger.info(
        "Appendix %s of pack %s marked exempt (paragraph %s) by %s", appendix.order, appendix.pack_id, paragraph, by
    )
    return appendix


@transaction.atomic
def appendix_mark_open(*, appendix: PackAppendix, by: User) -> PackAppendix:
    """An exempt appendix becomes an open item again, printed in full in the pack."""
    permissions.require(by, "scrutiny.change_scrutinypack")
    appendix = PackAppendix.objects.select_for_update().select_related("pack").get(pk=appendix.pk)
    if appendix.pack.is_frozen:
        raise ValidationError("This pack is published: start a revision to change which items are exempt.")
    appendix.exempt_paragraph = None
    appendix.public_interest_reasoning = appendix.exclusion_resolution = appendix.exclusion_reasons = ""
    appendix.save()
    appendix.excluded_members.clear()
    return appendix


@transaction.atomic
def pack_create(
    *, meeting: Meeting, by: User, cover: dict, strategies: list[CommissioningStrategy] | None = None
) -> ScrutinyPack:
    """Start a draft pack for a meeting with its cover report and appendices in the given order; without
    ``strategies``, those of the meeting's agenda, in agenda order (late items aside: a supplement's)."""
    permissions.require(by, "scrutiny.add_scrutinypack")
    if strategies is None:
        strategies = agenda_strategies(meeting=meeting)
    pack = ScrutinyPack(meeting=meeting)
    _assign(pack, {name: cover[name] for name in COVER_FIELDS if name in cover}, COVER_FIELDS)
    _validated_save(pack, by, errors=_appendix_errors(list(strategies)))
    _set_appendices(pack=pack, strategies=list(strategies))
    logger.info("Scrutiny pack %s created by %s", pack.pk, by)
    return pack


@transaction.atomic
def pack_update(
    *,
    pack: ScrutinyPack,
    by: User,
    cover: dict,
    strategies: list[CommissioningStrategy] | None = None,
    meeting: Meeting | None = None,
) -> ScrutinyPack:
    """Change a draft pack's cover report and (``strategies`` given) its appendices. The stored PDF stays until
    it is rendered again; a render with unchanged inputs reuses it. A published pack is frozen."""
    permissions.require(by, "scrutiny.change_scrutinypack")
    pack = ScrutinyPack.objects.select_for_update().get(pk=pack.pk)
    if pack.is_frozen:
        raise ValidationError(
            "This pack is published: the members have it as it is. Start a revision to change it; they keep the "
            "revision they were sent."
        )
    errors = _appendix_errors(list(strategies)) if strategies is not None else {}
    if strategies is not None and not errors:
        # A late item is its supplement's: a revision of the pack does not print it a second time.
        late = SupplementItem.objects.filter(supplement__pack=pack, strategy__in=list(strategies))
        names = sorted({entry.strategy.name for entry in late.select_related("strategy")})
        if names:
            errors["strategies"] = f"In a supplement to this pack already: {', '.join(names)}."
    if meeting is not None and meeting.pk != pack.meeting_id:
        errors["meeting"] = "A pack cannot move to another meeting."
    _assign(pack, {name: cover[name] for name in COVER_FIELDS if name in cover}, COVER_FIELDS)
    _validated_save(pack, by, errors=errors)
    if strategies is not None:
        _set_appendices(pack=pack, strategies=list(strategies))
    return pack


def _copy_published(pack: ScrutinyPack, number: int) -> tuple[str, str]:
    """Copy the rendered PDF to a name of its own for the revision (re-rendering the pack never touches it);
    returns the stored name and the SHA-256 of the bytes."""
    with default_storage.open(pack.file.name or "", "rb") as rendered:
        content = rendered.read()
    digest = hashlib.sha256(content).hexdigest()
    name = default_storage.save(f"packs/published/{pack.pk}-r{number}-{digest[:12]}.pdf", ContentFile(content))
    return name, digest


def _copy_published_html(pack: ScrutinyPack, number: int) -> str:
    """Copy the HTML laid out with the PDF (marked with its pages) for the revision; "" for a pack rendered
    before packs had one (its revision's page then says so)."""
    source = (pack.html_file.name or "") if pack.html_file else ""
    if not source or not default_storage.exists(source):
        return ""
    with default_storage.open(source, "rb") as rendered:
        content = rendered.read()
    digest = hashlib.sha256(content).hexdigest()
    return default_storage.save(f"packs/published/html/{pack.pk}-r{number}-{digest[:12]}.html", ContentFile(content))


def _publish_exempt_items(*, pack: ScrutinyPack, revision: PackRevision, parts: list[documents.AppendixPart]) -> None:
    """Each exempt appendix's restricted document for the revision, laid out now (they are short), with who
    is excluded from it as recorded for the item."""
    if not any(part.exempt_paragraph is not None for part in parts):
        return
    # The parts are the appendices in their order (documents.pack_appendices).
    appendices = pack.appendices.order_by("order", "pk").prefetch_related("excluded_members")
    for part, appendix in zip(parts, appendices, strict=True):
        if part.exempt_paragraph is None:
            continue
        built = documents.build_exempt_document(pack, part, revision_number=revision.number)
        rendered = html_to_pdf(built.html, stylesheets=documents.stylesheet_paths())
        digest = hashlib.sha256(rendered.content).hexdigest()
        name = default_storage.save(
            f"packs/exempt/{pack.pk}-r{revision.number}-a{part.number}-{digest[:12]}.pdf", ContentFile(rendered.content)
        )
        document = ExemptDocument(
            revision=revision,
            appendix_number=part.number,
            # As printed: "Appendix A2: …" when the highlight reports are an Executive report's Appendix A.
            title=f"{part.label}: {part.title}",
            exempt_paragraph=part.exempt_paragraph,
            file=name,
            sha256=digest,
            page_count=rendered.page_count,
        )
        document.save()
        document.excluded_members.set(appendix.excluded_members.all())


# s.100B(3) Local Government Act 1972: the agenda and reports are open to inspection at least five clear days
# before the meeting.
PUBLICATION_CLEAR_DAYS = 5


def clear_days_between(published: date, meeting: date) -> int:
    """The clear days between a pack's publication and its meeting, the one place s.100B(3) is counted. The
    interpretation: "clear" leaves out both the day of publication and the day of the meeting; weekends and
    England's bank holidays are left out too, as councils count the five days (five clear working days; the
    ``holidays`` package's calendar for England). Published Monday 20 May 2019 for Monday 27 May 2019: Tuesday to
    Friday count, 4 clear days. Never below 0 (publishing on or after the meeting day gives none)."""
    if meeting <= published + timedelta(days=1):
        return 0
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=range(published.year, meeting.year + 1))
    days = 0
    day = published + timedelta(days=1)
    while day < meeting:
        if day.weekday() < 5 and day not in bank_holidays:
            days += 1
        day += timedelta(days=1)
    return days


def publication_would_be_late(pack: ScrutinyPack) -> int | None:
    """The clear days a first publication today would give the pack's meeting, if fewer than five (so a reason
    is needed); None when it would not be late, the pack was published already or its meeting has passed."""
    today = timezone.localdate()
    if pack.published_at is not None or today > pack.meeting.date:
        return None
    days = clear_days_between(today, pack.meeting.date)
    return days if days < PUBLICATION_CLEAR_DAYS else None


def _publication_notice(*, pack: ScrutinyPack, reason: str) -> tuple[int, str]:
    """The clear days a first publication now gives the pack's meeting, and its recorded reason if late;
    refused, naming ``late_publication_reason``, when late without one. A pack first published after its meeting
    is an archive of what was considered (a council bringing its past packs in): no agenda is opened to
    inspection then, so there is nothing to be late for (its page says it was published after the meeting)."""
    today = timezone.localdate()
    days = clear_days_between(today, pack.meeting.date)
    if days >= PUBLICATION_CLEAR_DAYS or today > pack.meeting.date:
        return days, reason if today <= pack.meeting.date else ""
    if not reason:
        raise ValidationError(
            {
                "late_publication_reason": (
                    f"Publishing now gives {days} clear days before the meeting on {pack.meeting.date:%-d %B %Y}, "
                    f"fewer than the {PUBLICATION_CLEAR_DAYS} s.100B(3) of the Local Government Act 1972 asks: "
                    "record why the pack is late."
                )
            }
        )
    return days, reason


def publication_recipients(pack: ScrutinyPack) -> QuerySet[User]:
    """Whom publishing ``pack`` tells (in the app and by e-mail): its committee's active members. The page that
    asks to confirm a publication lists them; ``pack_publish`` tells them."""
    return pack.meeting.committee.members.filter(is_active=True).order_by("last_name", "first_name", "username")


def publication_field_errors(*, pack: ScrutinyPack, change_note: str, late_publication_reason: str) -> None:
    """Refuse, naming the field, what a publication of ``pack`` needs and lacks: a revision after the first says
    what changed; a late first publication says why (s.100B(3)). ``pack_publish`` checks the same before it
    publishes; the confirmation page asks first, so nobody confirms what would be refused."""
    previous = pack.revisions.order_by("-number").first()
    if previous is not None and not normalise_newlines(change_note or "").strip():
        raise ValidationError({"change_note": f"Say what has changed since revision {previous.number}."})
    if previous is None:
        _publication_notice(pack=pack, reason=normalise_newlines(late_publication_reason or "").strip())


@transaction.atomic
def pack_publish(
    *, pack: ScrutinyPack, by: User, change_note: str = "", late_publication_reason: str = ""
) -> PackRevision:
    """Publish the rendered pack as its next revision and tell the committee's members (in the app and by
    e-mail, once each per revision: the e-mail carries the link, not the pack's text).

    The revision keeps the PDF's bytes under a name of their own, with their SHA-256, page count, time and
    publisher, and never changes. The pack must have been rendered from what it holds now. A revision after
    the first says what changed (``change_note``), which the pack's page shows beside the revisions.

    The first publication opens the agenda to inspection: fewer than five clear days before the meeting it
    needs ``late_publication_reason``, and both the clear days and the reason are kept on the pack."""
    permissions.require(by, "scrutiny.publish_scrutinypack")
    pack = ScrutinyPack.objects.select_for_update().select_related("meeting__committee").get(pk=pack.pk)
    if pack.status == ScrutinyPack.Status.PUBLISHED:
        raise ValidationError("This pack is already published.")
    if pack.render_status != RenderStatus.READY or not pack.file or not default_storage.exists(pack.file.name or ""):
        raise ValidationError("Render the pack before publishing it: members read the PDF.")
    built = documents.build_pack_document(pack)
    if built.checksum != pack.checksum:
        raise ValidationError("The pack has changed since it was rendered: render it again before publishing.")
    previous = pack.revisions.order_by("-number").first()
    number = previous.number + 1 if previous else 1
    change_note = normalise_newlines(change_note or "").strip()
    publication_field_errors(pack=pack, change_note=change_note, late_publication_reason=late_publication_reason)
    if previous is None:
        late_reason = normalise_newlines(late_publication_reason or "").strip()
        pack.published_clear_days, pack.late_publication_reason = _publication_notice(pack=pack, reason=late_reason)
    name, digest = _copy_published(pack, number)
    now = timezone.now()
    revision = PackRevision(
        pack=pack,
        number=number,
        file=name,
        html_file=_copy_published_html(pack, number),
        sha256=digest,
        page_count=pack.page_count or 0,
        published_at=now,
        published_by=by,
        change_note=change_note,
    )
    revision.save()
    _publish_exempt_items(pack=pack, revision=revision, parts=built.appendices)
    pack.status = ScrutinyPack.Status.PUBLISHED
    pack.published_at = now
    record_by(pack, by)
    pack.save(
        update_fields=[
            "status",
            "published_at",
            "updated_at",
            "published_clear_days",
            "late_publication_reason",
        ]
    )
    first = previous is None
    sent = notify(
        recipients=publication_recipients(pack),
        kind="scrutiny.pack_published" if first else "scrutiny.pack_revised",
        subject="A scrutiny report pack has been published" if first else "A scrutiny report pack has been revised",
        link=pack.get_absolute_url(),
        # The first revision keeps the key notifications have always had, so no one is told twice.
        dedupe_key=f"scrutiny.pack_published:{pack.pk}" if first else f"scrutiny.pack_revised:{pack.pk}:{number}",
        by=by,
    )
    logger.info("Scrutiny pack %s revision %s published by %s to %d members", pack.pk, number, by, sent)
    return revision


@transaction.atomic
def pack_revise(*, pack: ScrutinyPack, by: User) -> ScrutinyPack:
    """Start the next revision of a published pack: it becomes a draft again to change and render, while the
    members keep reading the revisions already published (they never change)."""
    permissions.require(by, "scrutiny.change_scrutinypack")
    pack = ScrutinyPack.objects.select_for_update().get(pk=pack.pk)
    if pack.status != ScrutinyPack.Status.PUBLISHED:
        raise ValidationError("Only a published pack is revised; this one is still a draft.")
    pack.status = ScrutinyPack.Status.DRAFT
    record_by(pack, by)
    pack.save(update_fields=["status", "updated_at"])
    logger.info("Scrutiny pack %s: revision started by %s", pack.pk, by)
    return pack


@transaction.atomic
def conclusion_record(*, meeting: Meeting, strategy: CommissioningStrategy, text: str, by: User) -> ScrutinyConclusion:
    """Record what a committee concluded about a strategy at a meeting. It appears in the strategy's
    next highlight report and in packs for later meetings. Commissioners record them for their own
    directorate's strategies."""
    conclusion = ScrutinyConclusion(meeting=meeting, strategy=strategy, recorded_by=by)
    permissions.require(by, "scrutiny.add_scrutinyconclusion", conclusion)
    conclusion.text = normalise_newlines(text or "").strip()
    if not conclusion.text:
        raise ValidationError({"text": "Enter the committee's conclusions."})
    return _validated_save(conclusion, by)


# --- Rendering -------------------------------------------------------------------------------------


@transaction.atomic
def pack_request_render(*, pack: ScrutinyPack, by: User, force: bool = False) -> ScrutinyPack:
    """Queue the pack's PDF. A job already queued or rendering is left alone unless it has gone stale; a
    published pack is not rendered again (the members have that PDF)."""
    permissions.require(by, "scrutiny.change_scrutinypack")
    pack = ScrutinyPack.objects.select_for_update().get(pk=pack.pk)
    if pack.is_frozen:
        raise RenderNotAllowed("This pack is published: its PDF is the one the members were sent.")
    if not can_request_render(status=pack.render_status, updated_at=pack.updated_at):
        raise RenderNotAllowed("This pack is already being rendered.")
    pack.render_status = RenderStatus.QUEUED
    pack.render_error = ""
    pack.progress_done = 0
    pack.progress_total = pack.appendices.count()
    record_by(pack, by)
    pack.save(update_fields=["render_status", "render_error", "progress_done", "progress_total", "updated_at"])
    _queue_on_commit(RENDER_PACK_TASK, pack.pk, force=force)
    return pack


def _mark_pack(pack_id: int, **fields) -> None:
    # A plain UPDATE: progress ticks are not history worth keeping, and must not wait on the row lock.
    ScrutinyPack.objects.filter(pk=pack_id).update(updated_at=timezone.now(), **fields)


def _write_file(name: str, content: bytes) -> str:
    """Write ``content`` under ``name`` in storage, replacing any leftover from a crashed run."""
    if default_storage.exists(name):
        # Same name means same inputs; whatever is there was never marked ready, so it may be partial.
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def _delete_later(old_name: str, new_name: str) -> None:
    if old_name and old_name != new_name:
        transaction.on_commit(lambda: default_storage.delete(old_name))


def run_pack_render(pack_id: int, *, force: bool = False) -> RenderOutcome:
    """Render a pack now (in the worker or the command). Transient errors propagate for a retry,
    leaving the job queued/rendering; any other error marks the render failed with its reason."""
    try:
        return _render_pack(pack_id, force=force)
    except (RenderNotAllowed, *TRANSIENT_ERRORS):
        raise
    except Exception as exc:
        logger.exception("Rendering scrutiny pack %s failed", pack_id)
        pack_mark_failed(pack_id=pack_id, reason=describe_error(exc))
        raise


def pack_render_now(*, pack_id: int, force: bool = False) -> RenderOutcome:
    """Render a pack synchronously, for scheduled use (the ``render_pack`` command): the progress starts
    afresh, then as run_pack_render. ScrutinyPack.DoesNotExist if there is no such pack."""
    if not ScrutinyPack.objects.filter(pk=pack_id).exists():
        raise ScrutinyPack.DoesNotExist(f"There is no scrutiny pack {pack_id}.")
    _mark_pack(pack_id, progress_total=0)
    return run_pack_render(pack_id, force=force)


def describe_error(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def pack_mark_failed(*, pack_id: int, reason: str) -> None:
    _mark_pack(pack_id, render_status=RenderStatus.FAILED, render_error=reason[:2000])


def _render_pack(pack_id: int, *, force: bool) -> RenderOutcome:
    pack = ScrutinyPack.objects.get(pk=pack_id)
    if pack.is_frozen:
        # The command and a late task alike: what the members were sent is not laid out again.
        raise RenderNotAllowed("This pack is published: its PDF is the one the members were sent.")
    started = time.perf_counter()
    _mark_pack(pack_id, render_status=RenderStatus.RENDERING, render_error="", progress_done=0)
    built = documents.build_pack_document(
        pack, on_appendix_built=lambda done, total: _mark_pack(pack_id, progress_done=done, progress_total=total)
    )
    checksum = built.checksum
    data_seconds = time.perf_counter() - started
    total = len(built.appendices)

    if (
        not force
        and checksum == pack.checksum
        and all(field and default_storage.exists(field.name or "") for field in (pack.file, pack.html_file))
    ):
        _mark_pack(pack_id, render_status=RenderStatus.READY, progress_done=total, progress_total=total)
        return RenderOutcome(True, pack.page_count or 0, data_seconds, 0.0, pack.file.name or "")

    with _heartbeat(lambda: _mark_pack(pack_id)):
        # One layout gives the PDF and the HTML copy marked with its page numbers (read on screen).
        rendered, paged = html_to_paged_pdf(
            built.html,
            stylesheets=documents.stylesheet_paths(),
            stylesheet_urls=[f"{settings.STATIC_URL}{PAGED_HTML_STYLESHEET}"],
        )
    saved_name = _write_file(f"packs/{pack_id}-{checksum[:12]}.pdf", rendered.content)
    saved_html = _write_file(f"packs/html/{pack_id}-{checksum[:12]}.html", paged.document.encode())
    with transaction.atomic():
        pack = ScrutinyPack.objects.select_for_update().get(pk=pack_id)
        old_name = (pack.file.name or "") if pack.file else ""
        old_html = (pack.html_file.name or "") if pack.html_file else ""
        pack.file.name = saved_name
        pack.html_file.name = saved_html
        pack.checksum = checksum
        pack.page_count = rendered.page_count
        pack.generated_at = timezone.now()
        pack.render_status = RenderStatus.READY
        pack.render_error = ""
        pack.progress_done = pack.progress_total = total
        pack.save()
        _delete_later(old_name, saved_name)
        _delete_later(old_html, saved_html)
    logger.info(
        "Rendered scrutiny pack %s: %d pages, data %.2fs, layout %.2fs",
        pack_id,
        rendered.page_count,
        data_seconds,
        rendered.layout_seconds,
    )
    return RenderOutcome(False, rendered.page_count, data_seconds, rendered.layout_seconds, saved_name)


# --- A highlight report on its own -----------------------------------------------------------------


def may_render_report(user, report: HighlightReport) -> bool:
    """Officers who may read the report render its PDF; councillors read the PDFs officers have rendered."""
    return permissions.is_officer(user) and HighlightReport.objects.visible_to(user).filter(pk=report.pk).exists()


@transaction.atomic
def report_request_render(*, report: HighlightReport, by: User, force: bool = False) -> ReportRender:
    """Queue the PDF of one highlight report."""
    if not may_render_report(by, report):
        raise PermissionDenied("Only council officers render highlight report PDFs.")
    ReportRender.objects.get_or_create(report=report)
    job = ReportRender.objects.select_for_update().get(report=report)
    if not can_request_render(status=job.status, updated_at=job.updated_at):
        raise RenderNotAllowed("This report is already being rendered.")
    job.status = RenderStatus.QUEUED
    job.error = ""
    job.save(update_fields=["status", "error", "updated_at"])
    _queue_on_commit(RENDER_REPORT_TASK, report.pk, force=force)
    return job


def _mark_report(report_id: int, **fields) -> None:
    ReportRender.objects.filter(report_id=report_id).update(updated_at=timezone.now(), **fields)


def report_mark_failed(*, report_id: int, reason: str) -> None:
    _mark_report(report_id, status=RenderStatus.FAILED, error=reason[:2000])


def run_report_render(report_id: int, *, force: bool = False) -> RenderOutcome:
    """Render one highlight report's PDF now; the same guarantees as run_pack_render."""
    try:
        return _render_report(report_id, force=force)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        logger.exception("Rendering highlight report %s failed", report_id)
        report_mark_failed(report_id=report_id, reason=describe_error(exc))
        raise


def _render_report(report_id: int, *, force: bool) -> RenderOutcome:
    report = HighlightReport.objects.get(pk=report_id)
    job, _ = ReportRender.objects.get_or_create(report=report)
    started = time.perf_counter()
    _mark_report(report_id, status=RenderStatus.RENDERING, error="")
    built = documents.build_report_document(report)
    checksum = built.checksum
    data_seconds = time.perf_counter() - started
    if not force and checksum == job.checksum and job.file and default_storage.exists(job.file.name or ""):
        _mark_report(report_id, status=RenderStatus.READY)
        return RenderOutcome(True, job.page_count or 0, data_seconds, 0.0, job.file.name or "")

    rendered = html_to_pdf(built.html, stylesheets=documents.stylesheet_paths())
    saved_name = _write_file(f"reports/{report_id}-{checksum[:12]}.pdf", rendered.content)
    with transaction.atomic():
        job = ReportRender.objects.select_for_update().get(pk=job.pk)
        old_name = (job.file.name or "") if job.file else ""
        job.file.name = saved_name
        job.checksum = checksum
        job.page_count = rendered.page_count
        job.generated_at = timezone.now()
        job.status = RenderStatus.READY
        job.error = ""
        job.save()
        _delete_later(old_name, saved_name)
    return RenderOutcome(False, rendered.page_count, data_seconds, rendered.layout_seconds, saved_name)


# --- A quick preview of a pack (laid out in parallel parts; never published) ------------------------------

PREVIEW_PACK_TASK = "scrutiny.tasks.preview_pack"


@transaction.atomic
def pack_request_preview(*, pack: ScrutinyPack, by: User) -> ScrutinyPack:
    """Queue a quick preview of a draft pack: its HTML laid out in parts in parallel Celery tasks and merged
    (scrutiny.parallel). The preview is for those who prepare the pack, not for publication: the merge cannot
    keep the accessibility tags, so a pack's file and its published revisions always come from the single-pass
    render (pack_request_render), never from a preview. A published pack has nothing left to preview."""
    permissions.require(by, "scrutiny.change_scrutinypack")
    pack = ScrutinyPack.objects.get(pk=pack.pk)
    if pack.is_frozen:
        raise RenderNotAllowed("This pack is published: download the revision the members were sent.")
    _queue_on_commit(PREVIEW_PACK_TASK, pack.pk)
    logger.info("Quick preview of scrutiny pack %s asked for by %s", pack.pk, by)
    return pack


def pack_preview_name(*, pack: ScrutinyPack) -> str:
    """The storage name of the preview of the pack as it is now (it may not have been laid out yet)."""
    from . import parallel

    return parallel.preview_name(pack.pk, documents.build_pack_document(pack).checksum)


def run_pack_preview(pack_id: int) -> dict:
    """In the worker: build the pack's HTML and send the parallel layout's chord, which stores the merged preview
    under the name for these inputs; nothing is sent when that preview exists already. The pack's own file,
    checksum and render status are not touched."""
    from . import parallel

    pack = ScrutinyPack.objects.get(pk=pack_id)
    if pack.is_frozen:
        raise RenderNotAllowed("This pack is published: its PDF is the one the members were sent.")
    built = documents.build_pack_document(pack)
    name = parallel.preview_name(pack.pk, built.checksum)
    if default_storage.exists(name):
        return {"name": name, "reused": True}
    parallel.pack_chord(built.html, stylesheets=documents.stylesheet_paths(), store_as=name).apply_async()
    return {"name": name, "reused": False}


# --- Agenda items and supplements ------------------------------------------------------------------------


AGENDA_ITEM_FIELDS = ["title", "description", "strategy", "decision"]
RENDER_SUPPLEMENT_TASK = "scrutiny.tasks.render_supplement"
NO_LATE_ITEM = "Choose at least one late item (strategy) for the supplement."
RENUMBERING_OFFSET = 10_000  # above any agenda's numbers (forms allow 1 to 99), below the column's 32,767


def agenda_is_published(meeting: Meeting) -> bool:
    """A meeting's agenda is published once one of its packs has a published revision: an item added after
    that is late, and goes in a supplement."""
    return PackRevision.objects.filter(pack__meeting_id=meeting.pk).exists()


def agenda_strategies(*, meeting: Meeting) -> list[CommissioningStrategy]:
    """The strategies the meeting's agenda considers, in agenda order, that a new pack appends: less late items
    (a supplement's) and those another pack of the meeting appends already."""
    items = AgendaItem.objects.filter(meeting_id=meeting.pk, late=False, strategy__isnull=False).exclude(
        strategy__in=PackAppendix.objects.filter(pack__meeting_id=meeting.pk).values("strategy_id")
    )
    return [item.strategy for item in items.select_related("strategy").order_by("number") if item.strategy]


def printed_strategy_ids(meeting_id: int) -> set[int]:
    """Strategies a published pack of the meeting or a published supplement to it prints."""
    in_packs = PackAppendix.objects.filter(pack__meeting_id=meeting_id, pack__revisions__isnull=False)
    in_supplements = SupplementItem.objects.filter(
        supplement__pack__meeting_id=meeting_id, supplement__status=PackSupplement.Status.PUBLISHED
    )
    return set(in_packs.values_list("strategy_id", flat=True)) | set(
        in_supplements.values_list("strategy_id", flat=True)
    )


def agenda_item_is_printed(item: AgendaItem, printed: set[int] | None = None) -> bool:
    """Whether a published pack or supplement prints the item (its strategy's highlight report)."""
    if item.strategy_id is None:
        return False
    if printed is None:
        printed = printed_strategy_ids(item.meeting_id)
    return item.strategy_id in printed


def _renumber(items: list[AgendaItem], *, printed: set[int]) -> None:
    """Number ``items`` 1, 2, 3… in the given order (contiguous). A printed item keeps its number: members
    have it on the published agenda. Two passes (through numbers above any agenda's), so no two rows ever share
    a number, whichever order the database checks them in."""
    moved = [
        item.number
        for number, item in enumerate(items, start=1)
        if item.pk and item.number != number and agenda_item_is_printed(item, printed)
    ]
    if moved:
        raise ValidationError(
            {
                "number": "Items already printed in a published pack or supplement keep their numbers: add the item "
                "after them, or leave them where they are."
            }
        )
    stored = [item for item in items if item.pk]
    for position, item in enumerate(stored, start=1):
        item.number = RENUMBERING_OFFSET + position
    AgendaItem.objects.bulk_update(stored, ["number"])
    for number, item in enumerate(items, start=1):
        item.number = number
    AgendaItem.objects.bulk_update(stored, ["number"])


def _agenda_item_errors(item: AgendaItem, *, count: int, number: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (item.title or "").strip():
        errors["title"] = "Enter the item's title."
    if number is not None and not 1 <= number <= count:
        errors["number"] = f"Enter an item number from 1 to {count}."
    if item.strategy_id is not None:
        same = AgendaItem.objects.filter(meeting_id=item.meeting_id, strategy_id=item.strategy_id).exclude(pk=item.pk)
        if same.exists():
            errors["strategy"] = f"{item.strategy} is already on this agenda, as item {same[0].number}."
    return errors


def _lock_agenda(meeting: Meeting) -> list[AgendaItem]:
    """The meeting's items in order, with the meeting locked: one change to its numbering at a time."""
    Meeting.objects.select_for_update().get(pk=meeting.pk)
    return list(AgendaItem.objects.select_for_update().filter(meeting_id=meeting.pk).order_by("number"))


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, by: User, data: Mapping[str, Any], number: int | None = None) -> AgendaItem:
    """Add an item to a meeting's agenda at ``number`` (the end if None), renumbering those after it. Once the
    agenda is published (a pack of the meeting is), the item is late: it is printed in a supplement."""
    permissions.require(by, "scrutiny.change_scrutinypack")
    items = _lock_agenda(meeting)
    item = AgendaItem(meeting=meeting, late=agenda_is_published(meeting))
    _assign(item, data, AGENDA_ITEM_FIELDS)
    item.title = (item.title or "").strip()
    errors = _agenda_item_errors(item, count=len(items) + 1, number=number)
    if errors:
        raise ValidationError(errors)
    position = (number or len(items) + 1) - 1
    items.insert(position, item)
    _renumber(items, printed=printed_strategy_ids(meeting.pk))
    record_by(item, by)
    item.full_clean(validate_constraints=False)
    item.save()
    logger.info("Agenda item %s added to meeting %s by %s (late: %s)", item.number, meeting.pk, by, item.late)
    return item


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, by: User, data: Mapping[str, Any], number: int | None = None) -> AgendaItem:
    """Change an item's title, purpose, strategy or decision, or move it to ``number``. An item a published
    pack or supplement prints keeps what was printed (only its decision link may change)."""
    permissions.require(by, "scrutiny.change_scrutinypack")
    items = _lock_agenda(item.meeting)
    item = next((i for i in items if i.pk == item.pk), None) or AgendaItem.objects.get(pk=item.pk)
    printed = printed_strategy_ids(item.meeting_id)
    before = {name: getattr(item, name) for name in ("title", "description", "strategy_id")}
    _assign(item, data, AGENDA_ITEM_FIELDS)
    item.title = (item.title or "").strip()
    if item.pk and before["strategy_id"] in printed and before["strategy_id"] is not None:
        after = {name: getattr(item, name) for name in before}
        if after != before:
            raise ValidationError(
                {"title": "This item is printed in a published pack or supplement: it stays as printed."}
            )
    errors = _agenda_item_errors(item, count=len(items), number=number)
    if errors:
        raise ValidationError(errors)
    if number is not None and number != item.number:
        items.remove(item)
        items.insert(number - 1, item)
        _renumber(items, printed=printed)
    if item.supplement_id and before["strategy_id"] != item.strategy_id:
        # A late item's supplement prints its strategy: a draft one follows the change.
        _sync_supplement_item(item.supplement_id, old=before["strategy_id"], new=item.strategy_id)
    record_by(item, by)
    item.full_clean(validate_constraints=False)
    item.save()
    return item


def _sync_supplement_item(supplement_id: int, *, old: int | None, new: int | None) -> None:
    supplement = PackSupplement.objects.select_for_update().get(pk=supplement_id)
    if supplement.is_frozen:
        raise ValidationError({"strategy": "The item's supplement is published: it stays as printed."})
    entries = list(supplement.items.order_by("order", "pk"))
    kept = [entry for entry in entries if entry.strategy_id != old]
    supplement.items.filter(strategy_id=old).delete()
    if new is not None:
        SupplementItem.objects.create(supplement=supplement, strategy_id=new, order=len(kept) + 1)
    supplement.save(update_fields=["updated_at"])


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by: User) -> None:
    """Take an item off the agenda, closing the gap in the numbering. An item a published pack or supplement
    prints stays (the members have it)."""
    permissions.require(by, "scrutiny.change_scrutinypack")
    items = _lock_agenda(item.meeting)
    item = next((i for i in items if i.pk == item.pk), None) or AgendaItem.objects.get(pk=item.pk)
    printed = printed_strategy_ids(item.meeting_id)
    if agenda_item_is_printed(item, printed):
        raise ValidationError(
            f"Item {item.number}, {item.title}, is printed in a published pack or supplement: it stays on the agenda."
        )
    if item.supplement_id:
        _sync_supplement_item(item.supplement_id, old=item.strategy_id, new=None)
    items.remove(item)
    record_by(item, by)
    item.delete()
    _renumber(items, printed=printed)
    logger.info("Agenda item %s removed from meeting %s by %s", item.title, item.meeting_id, by)


def _supplement_errors(
    *, pack: ScrutinyPack, supplement: PackSupplement | None, reason: str, strategies: list[CommissioningStrategy]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not reason:
        errors["reason_for_urgency"] = (
            "Record the chair's reasons for considering the items as a matter of urgency (s.100B(4)(b) of the "
            "Local Government Act 1972)."
        )
    if not strategies:
        errors["strategies"] = NO_LATE_ITEM
    elif len({s.pk for s in strategies}) != len(strategies):
        errors["strategies"] = "Include each late item once."
    else:
        in_pack = set(pack.appendices.values_list("strategy_id", flat=True))
        others = SupplementItem.objects.filter(supplement__pack=pack)
        if supplement is not None:
            others = others.exclude(supplement=supplement)
        elsewhere = set(others.values_list("strategy_id", flat=True))
        clash = [s.name for s in strategies if s.pk in in_pack]
        again = [s.name for s in strategies if s.pk in elsewhere]
        if clash:
            errors["strategies"] = f"Already in the pack: {', '.join(clash)}. A supplement adds late items only."
        elif again:
            errors["strategies"] = f"Already in another supplement to this pack: {', '.join(again)}."
    return errors


def _link_late_items(*, supplement: PackSupplement, strategies: list[CommissioningStrategy], by: User) -> None:
    """Each of the supplement's strategies is on the meeting's agenda, linked to the supplement: a late item
    already added for it, or a new late item at the end of the agenda."""
    meeting = supplement.pack.meeting
    items = _lock_agenda(meeting)
    by_strategy = {item.strategy_id: item for item in items if item.strategy_id}
    AgendaItem.objects.filter(supplement=supplement).exclude(strategy__in=strategies).update(supplement=None)
    for strategy in strategies:
        item = by_strategy.get(strategy.pk)
        if item is None:
            item = AgendaItem(
                meeting=meeting,
                number=len(items) + 1,
                title=f"{strategy.name} Commissioning Highlight Report",
                strategy=strategy,
                late=True,
            )
            items.append(item)
        elif item.supplement_id == supplement.pk:
            continue
        item.supplement = supplement
        record_by(item, by)
        item.save()


@transaction.atomic
def supplement_create(
    *,
    pack: ScrutinyPack,
    by: User,
    reason_for_urgency: str,
    strategies: list[CommissioningStrategy],
    chair_agreed_by: str = "",
    chair_agreed_on: date | None = None,
) -> PackSupplement:
    """Start supplement N to a published pack: late items (strategies not in the pack) with the chair's reasons
    for urgency, and who agreed to them and when if known yet (needed to publish it). Its pages and appendices
    continue the pack's."""
    permissions.require(by, "scrutiny.change_scrutinypack")
    pack = ScrutinyPack.objects.select_for_update().select_related("meeting").get(pk=pack.pk)
    if pack.status != ScrutinyPack.Status.PUBLISHED:
        raise ValidationError(
            "Publish the pack before adding a supplement: a supplement adds late items to a published agenda."
        )
    reason = normalise_newlines(reason_for_urgency or "").strip()
    strategies = list(strategies)
    errors = _supplement_errors(pack=pack, supplement=None, reason=reason, strategies=strategies)
    if errors:
        raise ValidationError(errors)
    _check_chair_agreed_on(chair_agreed_on)
    last = pack.supplements.order_by("-number").first()
    supplement = PackSupplement(
        pack=pack,
        number=last.number + 1 if last else 1,
        reason_for_urgency=reason,
        chair_agreed_by=(chair_agreed_by or "").strip(),
        chair_agreed_on=chair_agreed_on,
    )
    supplement.save()
    SupplementItem.objects.bulk_create(
        SupplementItem(supplement=supplement, strategy=strategy, order=order)
        for order, strategy in enumerate(strategies, start=1)
    )
    _link_late_items(supplement=supplement, strategies=strategies, by=by)
    logger.info("Supplement %s to pack %s created by %s", supplement.number, pack.pk, by)
    return supplement


@transaction.atomic
def supplement_update(
    *,
    supplement: PackSupplement,
    by: User,
    reason_for_urgency: str,
    strategies: list[CommissioningStrategy],
    chair_agreed_by: str | None = None,
    chair_agreed_on: date | None = None,
) -> PackSupplement:
    """Change a draft supplement's reasons for urgency, its late items (in order) or the chair's agreement
    (``chair_agreed_by`` None: unchanged)."""
    permissions.require(by, "scrutiny.change_scrutinypack")
    supplement = PackSupplement.objects.select_for_update().select_related("pack__meeting").get(pk=supplement.pk)
    if supplement.is_frozen:
        raise ValidationError("This supplement is published: the members have it as it is.")
    reason = normalise_newlines(reason_for_urgency or "").strip()
    strategies = list(strategies)
    errors = _supplement_errors(pack=supplement.pack, supplement=supplement, reason=reason, strategies=strategies)
    if errors:
        raise ValidationError(errors)
    supplement.reason_for_urgency = reason
    if chair_agreed_by is not None:
        _check_chair_agreed_on(chair_agreed_on)
        supplement.chair_agreed_by, supplement.chair_agreed_on = chair_agreed_by.strip(), chair_agreed_on
    supplement.save()
    supplement.items.all().delete()
    SupplementItem.objects.bulk_create(
        SupplementItem(supplement=supplement, strategy=strategy, order=order)
        for order, strategy in enumerate(strategies, start=1)
    )
    _link_late_items(supplement=supplement, strategies=strategies, by=by)
    return supplement


@transaction.atomic
def supplement_request_render(*, supplement: PackSupplement, by: User, force: bool = False) -> PackSupplement:
    """Queue the supplement's PDF, as a pack's: a job already running is left alone unless stale; a published
    supplement is not rendered again."""
    permissions.require(by, "scrutiny.change_scrutinypack")
    supplement = PackSupplement.objects.select_for_update().get(pk=supplement.pk)
    if supplement.is_frozen:
        raise RenderNotAllowed("This supplement is published: its PDF is the one the members were sent.")
    if not can_request_render(status=supplement.render_status, updated_at=supplement.updated_at):
        raise RenderNotAllowed("This supplement is already being rendered.")
    supplement.render_status = RenderStatus.QUEUED
    supplement.render_error = ""
    supplement.save(update_fields=["render_status", "render_error", "updated_at"])
    _queue_on_commit(RENDER_SUPPLEMENT_TASK, supplement.pk, force=force)
    return supplement


def _mark_supplement(supplement_id: int, **fields) -> None:
    PackSupplement.objects.filter(pk=supplement_id, status=PackSupplement.Status.DRAFT).update(
        updated_at=timezone.now(), **fields
    )


def supplement_mark_failed(*, supplement_id: int, reason: str) -> None:
    _mark_supplement(supplement_id, render_status=RenderStatus.FAILED, render_error=reason[:2000])


def run_supplement_render(supplement_id: int, *, force: bool = False) -> RenderOutcome:
    """Render a supplement now (the worker); the same guarantees as run_pack_render."""
    try:
        return _render_supplement(supplement_id, force=force)
    except (RenderNotAllowed, *TRANSIENT_ERRORS):
        raise
    except Exception as exc:
        logger.exception("Rendering supplement %s failed", supplement_id)
        supplement_mark_failed(supplement_id=supplement_id, reason=describe_error(exc))
        raise


def _render_supplement(supplement_id: int, *, force: bool) -> RenderOutcome:
    supplement = PackSupplement.objects.get(pk=supplement_id)
    if supplement.is_frozen:
        raise RenderNotAllowed("This supplement is published: its PDF is the one the members were sent.")
    started = time.perf_counter()
    _mark_supplement(supplement_id, render_status=RenderStatus.RENDERING, render_error="")
    built = documents.build_supplement_document(supplement)
    checksum = built.checksum
    data_seconds = time.perf_counter() - started
    if (
        not force
        and checksum == supplement.checksum
        and supplement.file
        and default_storage.exists(supplement.file.name or "")
    ):
        _mark_supplement(supplement_id, render_status=RenderStatus.READY)
        return RenderOutcome(True, supplement.page_count or 0, data_seconds, 0.0, supplement.file.name or "")
    with _heartbeat(lambda: _mark_supplement(supplement_id)):
        rendered = html_to_pdf(built.html, stylesheets=documents.stylesheet_paths(), document_css=built.page_css)
    content = documents.label_pages(rendered.content, first=built.first_page)
    saved_name = _write_file(
        f"packs/supplements/{supplement.pack_id}-s{supplement.number}-{checksum[:12]}.pdf", content
    )
    with transaction.atomic():
        supplement = PackSupplement.objects.select_for_update().get(pk=supplement_id)
        old_name = (supplement.file.name or "") if supplement.file else ""
        supplement.file.name = saved_name
        supplement.checksum = checksum
        supplement.page_count = rendered.page_count
        supplement.first_page = built.first_page
        supplement.generated_at = timezone.now()
        supplement.render_status = RenderStatus.READY
        supplement.render_error = ""
        supplement.save()  # refused if it was published meanwhile: what members were sent stays
        _delete_later(old_name, saved_name)
    logger.info(
        "Rendered supplement %s: %d pages from page %d, layout %.2fs",
        supplement_id,
        rendered.page_count,
        built.first_page,
        rendered.layout_seconds,
    )
    return RenderOutcome(False, rendered.page_count, data_seconds, rendered.layout_seconds, saved_name)


@transaction.atomic
def supplement_publish(
    *, supplement: PackSupplement, by: User, chair_agreed_by: str = "", chair_agreed_on: date | None = None
) -> PackSupplement:
    """Publish a rendered supplement beside its pack and tell the committee's members (once each). Its bytes
    are kept under a name of their own with their SHA-256, and never change; it must have been rendered from
    what it holds now (the pack's published page count included), and earlier supplements published first.

    Late items are considered only with the chair's agreement (s.100B(4)(b)): who agreed and on what date are
    recorded at publication (or earlier on the supplement) beside the reasons for urgency."""
    permissions.require(by, "scrutiny.publish_scrutinypack")
    supplement = (
        PackSupplement.objects.select_for_update().select_related("pack__meeting__committee").get(pk=supplement.pk)
    )
    pack = supplement.pack
    if supplement.is_frozen:
        raise ValidationError("This supplement is already published.")
    if pack.status != ScrutinyPack.Status.PUBLISHED:
        raise ValidationError(
            "The pack is being revised: publish its revision first, then render the supplement again."
        )
    earlier = pack.supplements.filter(number__lt=supplement.number, status=PackSupplement.Status.DRAFT)
    if earlier.exists():
        raise ValidationError(
            f"Publish supplement {earlier.order_by('number')[0].number} first: this one's pages follow it."
        )
    if (
        supplement.render_status != RenderStatus.READY
        or not supplement.file
        or not default_storage.exists(supplement.file.name or "")
    ):
        raise ValidationError("Render the supplement before publishing it: members read the PDF.")
    if not supplement.items.exists():
        raise ValidationError({"strategies": NO_LATE_ITEM})
    _record_chair_agreement(supplement=supplement, agreed_by=chair_agreed_by, agreed_on=chair_agreed_on)
    if documents.build_supplement_document(supplement).checksum != supplement.checksum:
        raise ValidationError(
            "The supplement or its pack has changed since it was rendered: render it again before publishing."
        )
    with default_storage.open(supplement.file.name or "", "rb") as rendered:
        content = rendered.read()
    digest = hashlib.sha256(content).hexdigest()
    name = default_storage.save(
        f"packs/supplements/published/{pack.pk}-s{supplement.number}-{digest[:12]}.pdf", ContentFile(content)
    )
    supplement.file.name = name
    supplement.sha256 = digest
    supplement.status = PackSupplement.Status.PUBLISHED
    supplement.published_at = timezone.now()
    supplement.published_by = by
    supplement.save()
    sent = notify(
        recipients=pack.meeting.committee.members.filter(is_active=True),
        kind="scrutiny.supplement_published",
        subject="A supplement to a scrutiny report pack has been published",
        link=supplement.get_absolute_url(),
        dedupe_key=f"scrutiny.supplement_published:{supplement.pk}",
        by=by,
    )
    logger.info("Supplement %s to pack %s published by %s to %d members", supplement.number, pack.pk, by, sent)
    return supplement


def _check_chair_agreed_on(agreed_on: date | None) -> None:
    if agreed_on is not None and agreed_on > timezone.localdate():
        raise ValidationError({"chair_agreed_on": "The date the chair agreed cannot be in the future."})


def _record_chair_agreement(*, supplement: PackSupplement, agreed_by: str, agreed_on: date | None) -> None:
    """Put the chair's agreement on the supplement (not saved here), refusing by field when it is missing or
    dated after today."""
    agreed_by = (agreed_by or "").strip() or supplement.chair_agreed_by
    agreed_on = agreed_on or supplement.chair_agreed_on
    errors: dict[str, str] = {}
    if not agreed_by:
        errors["chair_agreed_by"] = (
            "Record which chair agreed to the late items being considered (s.100B(4)(b) of the Local Government "
            "Act 1972)."
        )
    if agreed_on is None:
        errors["chair_agreed_on"] = "Record the date the chair agreed to the late items being considered."
    elif agreed_on > timezone.localdate():
        errors["chair_agreed_on"] = "The date the chair agreed cannot be in the future."
    if errors:
        raise ValidationError(errors)
    supplement.chair_agreed_by = agreed_by
    supplement.chair_agreed_on = agreed_on


# --- Decision records ------------------------------------------------------------------------------------


# What a client writes of a decision record: who decides, what its Executive report prints (seed 000's order,
# documents.PRINTED_DECISION_FIELDS), and its outcome.
DECISION_OUTCOME_FIELDS = ["outcome", "decided_on", "outcome_notes"]
DECISION_FIELDS = [
    "reference",
    "decision_maker",
    *(name for name in documents.PRINTED_DECISION_FIELDS if name != "reference"),
    *DECISION_OUTCOME_FIELDS,
]


def _decision_errors(
    decision: Decision, *, reports: list[HighlightReport] | None, strategies: list[CommissioningStrategy] | None
) -> dict[str, str]:
    """The rules of a decision record beyond its fields' own: a reference of its own, a decision date once
    decided (never before the report's date, never while pending), reports of the decision's strategies."""
    errors: dict[str, str] = {}
    if decision.reference:
        other = Decision.objects.filter(reference__iexact=decision.reference).exclude(pk=decision.pk).first()
        if other is not None:
            errors["reference"] = (
                f"Decision reference {other.reference} is already used by “{other.subject}”: each decision has a "
                "reference of its own."
            )
    decided = decision.outcome != Decision.Outcome.PENDING
    if decided and decision.decided_on is None:
        errors["decided_on"] = (
            f"Enter the date the decision maker decided: a decision that is {decision.get_outcome_display().lower()} "
            "has a decision date."
        )
    elif not decided and decision.decided_on is not None:
        errors["outcome"] = "Choose the outcome: a decision with a decision date is no longer pending."
    elif decision.decided_on and decision.report_date and decision.decided_on < decision.report_date:
        errors["decided_on"] = (
            f"The decision date cannot be before the date of the report ({decision.report_date:%-d %B %Y})."
        )
    drafts = [r for r in reports or [] if r.status == HighlightReport.Status.DRAFT]
    if drafts:
        errors["reports"] = (
            f"Link only reports that have left draft: the {drafts[0].period} report of {drafts[0].strategy} is a draft."
        )
    elif reports and strategies is not None:
        wanted = {s.pk for s in strategies}
        stray = [r for r in reports if r.strategy_id not in wanted]
        if stray:
            errors["reports"] = (
                f"Link only reports of the decision's strategies: the {stray[0].period} report of "
                f"{stray[0].strategy} is not one of them."
            )
    if strategies is not None and len({s.pk for s in strategies}) != len(strategies):
        errors["strategies"] = "Link each strategy once."
    return errors


def _save_decision(
    decision: Decision,
    by: User,
    *,
    strategies: list[CommissioningStrategy] | None,
    reports: list[HighlightReport] | None,
) -> Decision:
    """Validate (the model's fields and the rules, every field's errors together) and save the decision with its
    strategies and reports, which are set only when given."""
    decision.reference = (decision.reference or "").strip()
    # The links as they will be: those given, else those kept.
    linked_strategies = strategies
    if linked_strategies is None and reports and decision.pk:
        linked_strategies = list(decision.strategies.all())
    linked_reports = reports
    if linked_reports is None and strategies is not None and decision.pk:
        linked_reports = list(decision.reports.select_related("strategy"))
    found: dict[str, list[str]] = {
        name: [message]
        for name, message in _decision_errors(decision, reports=linked_reports, strategies=linked_strategies).items()
    }
    try:
        decision.full_clean(validate_unique=False)  # the reference's uniqueness is said above, in the council's words
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            found.setdefault(name, []).extend(messages)
    if found:
        raise ValidationError(found)
    record_by(decision, by)
    decision.save()
    if strategies is not None:
        decision.strategies.set(strategies)
    if reports is not None:
        decision.reports.set(reports)
    return decision


def decision_packs_published(decision: Decision) -> list[ScrutinyPack]:
    """The packs with a published revision that prints the decision: changing the decision does not change what
    their members were sent (a revision never changes); printing the change takes each pack's next revision."""
    return list(decision.packs.filter(revisions__isnull=False).distinct().order_by("report_date", "pk"))


@transaction.atomic
def decision_create(
    *,
    by: User,
    data: Mapping[str, Any],
    strategies: list[CommissioningStrategy] | None = None,
    reports: list[HighlightReport] | None = None,
) -> Decision:
    """Record a decision (the decision maker's report, as seed 000's Executive report) with the strategies and
    highlight reports it concerns. Its reference is its own; a decision that is not pending has a decision date
    on or after the report's date."""
    permissions.require(by, "scrutiny.add_decision")
    decision = Decision()
    _assign(decision, data, DECISION_FIELDS)
    _save_decision(decision, by, strategies=list(strategies or []), reports=list(reports or []))
    logger.info("Decision %s (%s) recorded by %s", decision.pk, decision.reference, by)
    return decision


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    by: User,
    data: Mapping[str, Any],
    strategies: list[CommissioningStrategy] | None = None,
    reports: list[HighlightReport] | None = None,
) -> Decision:
    """Change a decision record and (when given) its strategies and reports. A pack that prints it keeps what it
    printed: a draft pack's render is then out of date (its checksum covers the decision) and a published pack's
    revisions never change; its next revision (``pack_revise``) prints the change."""
    permissions.require(by, "scrutiny.change_decision")
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    _assign(decision, data, DECISION_FIELDS)
    _save_decision(
        decision,
        by,
        strategies=list(strategies) if strategies is not None else None,
        reports=list(reports) if reports is not None else None,
    )
    published = decision_packs_published(decision)
    if published:
        logger.info(
            "Decision %s changed by %s; printed in published pack(s) %s, which keep their revisions until revised",
            decision.reference,
            by,
            ", ".join(str(p.pk) for p in published),
        )
    return decision


@transaction.atomic
def decision_record_outcome(
    *, decision: Decision, by: User, outcome: str, decided_on: date | None, outcome_notes: str = ""
) -> Decision:
    """Record what the decision maker decided and when (the decision as recorded, with any amendments)."""
    return decision_update(
        decision=decision,
        by=by,
        data={"outcome": outcome, "decided_on": decided_on, "outcome_notes": outcome_notes},
    )


# --- Two-stage scrutiny and recommendations ---
# A highlight report goes to one or more subject committees, then to the Overview and Scrutiny Management Board,
# then to the decision maker (seed 000); each stage's conclusions are the committee's ScrutinyConclusion. The
# committees' recommendations are tracked until the Executive has responded (within two months, LGA 2000 s.9FE)
# and acted on them.


Step = ScrutinyStage.Step
Response = ScrutinyRecommendation.Response
RecommendationStatus = ScrutinyRecommendation.Status

# The order of the stages, and the kind of committee each one meets.
STEP_RANK: dict[str, int] = {Step.SUBJECT_COMMITTEE: 0, Step.MANAGEMENT_BOARD: 1, Step.DECISION_MAKER: 2}
STEP_COMMITTEE_KIND = {
    Step.SUBJECT_COMMITTEE: Committee.Kind.SUBJECT,
    Step.MANAGEMENT_BOARD: Committee.Kind.MANAGEMENT_BOARD,
    Step.DECISION_MAKER: Committee.Kind.EXECUTIVE,
}
STEP_PHRASES = {
    Step.SUBJECT_COMMITTEE: "A subject committee stage",
    Step.MANAGEMENT_BOARD: "The Management Board's stage",
    Step.DECISION_MAKER: "The decision maker's stage",
}
KIND_PHRASES = {
    Committee.Kind.SUBJECT: "a subject scrutiny committee",
    Committee.Kind.MANAGEMENT_BOARD: "the Overview and Scrutiny Management Board",
    Committee.Kind.EXECUTIVE: "the Executive (the decision maker)",
}
RECOMMENDATION_FIELDS = [
    "committee",
    "meeting",
    "number",
    "text",
    "addressed_to",
    "strategy",
    "stage",
    "reported_on",
    "due_date",
]
ACTION_FIELDS = ["description", "owner", "due_date", "progress"]
RESPONSES = (Response.ACCEPTED, Response.PARTLY_ACCEPTED, Response.REJECTED)
RESPONSES_NEEDING_REASONS = (Response.PARTLY_ACCEPTED, Response.REJECTED)
OVERDUE_KIND = "scrutiny.recommendation_overdue"
OVERDUE_SUBJECT = "The Executive's response to a scrutiny recommendation is overdue"


def _checked_save(instance, by: User, errors: Mapping[str, str] | None = None):
    """Save after the model's field validation and the service's ``errors`` (field -> message), raised together.
    Uniqueness is said by the services in the council's words, so the model's constraints are not repeated."""
    found: dict[str, list[str]] = {name: [message] for name, message in (errors or {}).items()}
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            found.setdefault(name, []).extend(m for m in messages if m not in found.get(name, []))
    if found:
        raise ValidationError(found)
    record_by(instance, by)
    instance.save()
    return instance


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


# --- Stages ----------------------------------------------------------------------------------------------------


def _stage_key(stage: ScrutinyStage) -> tuple[int, date, int]:
    return STEP_RANK.get(stage.step, 0), stage.meeting.date, stage.pk or 0


def _stage_errors(stage: ScrutinyStage, stages: list[ScrutinyStage]) -> dict[str, str]:
    """The order rules: subject committees first (one or more), then at most one management board stage, then at
    most one decision maker stage, at meetings of the matching kind of committee, in date order."""
    errors: dict[str, str] = {}
    report = stage.report
    if report.status not in HighlightReport.PRINTABLE_STATUSES:
        errors[NON_FIELD_ERRORS] = (
            "A report goes to scrutiny once the Commissioning and Commercial Board has reviewed it; this one is "
            f"“{report.get_status_display()}”."
        )
    if stage.step not in STEP_RANK or stage.meeting_id is None:
        return errors  # the model's validation names the missing step or meeting
    step_label = Step(stage.step).label
    meeting = stage.meeting
    wanted = Committee.Kind(STEP_COMMITTEE_KIND[Step(stage.step)])
    if meeting.committee.kind != wanted:
        errors["meeting"] = (
            f"{STEP_PHRASES[Step(stage.step)]} meets at a meeting of {KIND_PHRASES[wanted]}, not at a meeting of "
            f"the {meeting.committee}."
        )
    rank = STEP_RANK[Step(stage.step)]
    later = [s for s in stages if STEP_RANK[Step(s.step)] > rank]
    same = [s for s in stages if s.step == stage.step]
    if later:
        errors["step"] = (
            f"The report already has its {later[0].get_step_display()} stage: subject committees come first, then "
            "the Management Board, then the decision maker."
        )
    elif stage.step != Step.SUBJECT_COMMITTEE and same:
        errors["step"] = f"The report already has its {step_label} stage ({same[0].meeting}): it has only one."
    elif stage.step != Step.SUBJECT_COMMITTEE and not any(s.step == Step.SUBJECT_COMMITTEE for s in stages):
        errors["step"] = (
            f"Add the subject scrutiny committee stage first: a report goes to the {step_label} after a subject "
            "committee has considered it."
        )
    if "meeting" not in errors:
        if any(s.meeting_id == meeting.pk for s in stages):
            errors["meeting"] = f"The report already has a stage at the {meeting}."
        elif stages:
            latest = max(stages, key=lambda s: s.meeting.date)
            too_early = meeting.date < latest.meeting.date or (
                stage.step != Step.SUBJECT_COMMITTEE and meeting.date == latest.meeting.date
            )
            if too_early:
                errors["meeting"] = (
                    f"Stages follow each other in date order: choose a meeting after the {latest.meeting}."
                )
    return errors


@transaction.atomic
def stage_add(*, report: HighlightReport, step: str, meeting: Meeting | None, by: User) -> ScrutinyStage:
    """Send a highlight report to its next scrutiny stage: a subject committee (one or more), then the Overview
    and Scrutiny Management Board, then the decision maker. The report must be past the officers' board.
    Commissioners do it for their own directorate's reports; administrators for any."""
    stage = ScrutinyStage(report=report, step=step, meeting=meeting, recorded_by=by)
    permissions.require(by, "scrutiny.add_scrutinystage", stage)
    # Locked: two stages added at once cannot both pass the order rules.
    stage.report = HighlightReport.objects.select_for_update().select_related("strategy").get(pk=report.pk)
    stages = list(stage.report.scrutiny_stages.select_related("meeting__committee"))
    saved = _checked_save(stage, by, errors=_stage_errors(stage, stages))
    logger.info("Highlight report %s: %s stage at meeting %s added by %s", report.pk, step, saved.meeting_id, by)
    return saved


def _conclusion_errors(stage: ScrutinyStage, *, concluded_on: date, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    report = stage.report
    if stage.conclusion_id or stage.concluded_on:
        errors["text"] = (
            "The conclusions of this stage are already recorded: conclusions are recorded, never rewritten."
        )
        return errors
    if report.status not in HighlightReport.PRINTABLE_STATUSES:
        errors[NON_FIELD_ERRORS] = (
            f"The report is “{report.get_status_display()}”: it was returned for changes and goes to scrutiny again "
            "once the board has reviewed it."
        )
    if concluded_on < stage.meeting.date:
        errors["concluded_on"] = f"The conclusions cannot be dated before the meeting ({_day(stage.meeting.date)})."
    elif concluded_on > today:
        errors["concluded_on"] = "The date of the conclusions cannot be in the future."
    earlier = [
        s for s in report.scrutiny_stages.select_related("meeting__committee") if _stage_key(s) < _stage_key(stage)
    ]
    pending = [s for s in sorted(earlier, key=_stage_key) if s.concluded_on is None]
    if pending:
        errors[NON_FIELD_ERRORS] = (
            f"Record the conclusions of the {pending[0].meeting} first: a later stage cannot conclude before the "
            "earlier ones have."
        )
    return errors


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


@transaction.atomic
def stage_conclude(
    *,
    stage: ScrutinyStage,
    by: User,
    text: str = "",
    concluded_on: date | None = None,
    today: date | None = None,
) -> ScrutinyStage:
    """Record a stage's conclusions: the committee's ScrutinyConclusion about the report's strategy at the stage's
    meeting (one already recorded at that meeting, with the same words or when ``text`` is blank, is linked
    rather than recorded twice). A later stage does not conclude before the earlier ones. When the Management
    Board concludes, the report is recorded as considered by scrutiny (strategies' own workflow move), unless it
    is already past that."""
    permissions.require(by, "scrutiny.change_scrutinystage", stage)
    stage = ScrutinyStage.objects.select_for_update().select_related("meeting__committee").get(pk=stage.pk)
    stage.report = HighlightReport.objects.select_for_update().select_related("strategy").get(pk=stage.report_id)
    permissions.require(by, "scrutiny.change_scrutinystage", stage)
    report = stage.report
    today = today or timezone.localdate()
    concluded_on = concluded_on or min(stage.meeting.date, today)
    text = normalise_newlines(text or "").strip()
    errors = _conclusion_errors(stage, concluded_on=concluded_on, today=today)
    recorded = ScrutinyConclusion.objects.filter(strategy=report.strategy, meeting=stage.meeting, stage__isnull=True)
    existing = next((c for c in recorded.order_by("pk") if not text or _same_words(c.text, text)), None)
    if existing is None and not text and "text" not in errors:
        errors["text"] = "Enter the committee's conclusions."
    if errors:
        raise ValidationError(errors)
    moves = stage.step == Step.MANAGEMENT_BOARD and report.status == HighlightReport.Status.BOARD_REVIEWED
    if moves:
        # Checked before anything is written: the move is strategies' (its permission, its transition table).
        strategy_services.require_move(report=report, to_status=HighlightReport.Status.SCRUTINY_CONSIDERED, by=by)
    conclusion = existing or conclusion_record(meeting=stage.meeting, strategy=report.strategy, text=text, by=by)
    stage.conclusion = conclusion
    stage.concluded_on = concluded_on
    record_by(stage, by)
    stage.save(update_fields=["conclusion", "concluded_on", "updated_at"])
    if moves:
        strategy_services.highlight_report_scrutiny_considered(
            report=report,
            by=by,
            expected_version=report.version,
            meeting=stage.meeting,
            note="The Management Board's conclusions are recorded.",
        )
    logger.info("Scrutiny stage %s of report %s concluded by %s", stage.pk, report.pk, by)
    return stage


# --- Recommendations -------------------------------------------------------------------------------------------


def response_due_for(reported_on: date) -> date:
    """The last day for the Executive's response to a committee's report or recommendations: within two months
    beginning with the day it received them (Local Government Act 2000, s.9FE). A period "beginning with" a day
    counts that day, so it ends the day before the corresponding day two months on (reported on 31 January: due
    by 30 March); where that month has no corresponding day, at the end of the month (30 December: 28 or 29
    February)."""
    corresponding = reported_on + relativedelta(months=2)
    if corresponding.day != reported_on.day:  # clamped to the month's last day: no corresponding day
        return corresponding
    return corresponding - timedelta(days=1)


def _recommendation_errors(recommendation: ScrutinyRecommendation) -> dict[str, str]:
    errors: dict[str, str] = {}
    meeting = recommendation.meeting if recommendation.meeting_id else None
    committee = recommendation.committee if recommendation.committee_id else None
    if meeting is not None and committee is not None and meeting.committee_id != committee.pk:
        errors["meeting"] = f"Choose a meeting of the {committee}: the {meeting} is another committee's."
    stage = recommendation.stage if recommendation.stage_id else None
    if stage is not None:
        if meeting is not None and stage.meeting_id != meeting.pk:
            errors["stage"] = f"Choose a stage held at this meeting: that stage was at the {stage.meeting}."
        elif recommendation.strategy_id and recommendation.strategy_id != stage.report.strategy_id:
            errors["strategy"] = (
                f"The stage is of the {stage.report.strategy} highlight report: choose that strategy (or none)."
            )
    if meeting is not None:
        for name, value, what in (
            ("reported_on", recommendation.reported_on, "reach the Executive"),
            ("due_date", recommendation.due_date, "be due for implementation"),
        ):
            if value is not None and value < meeting.date:
                errors[name] = f"The recommendation cannot {what} before the meeting ({_day(meeting.date)})."
        if committee is not None and recommendation.number:
            taken = ScrutinyRecommendation.objects.filter(
                meeting=meeting, committee=committee, number=recommendation.number
            ).exclude(pk=recommendation.pk)
            if taken.exists():
                errors["number"] = (
                    f"The {committee}'s report of {_day(meeting.date)} already has a recommendation "
                    f"{recommendation.number}: give this one its own number."
                )
    responded_on, reported_on = recommendation.responded_on, recommendation.reported_on
    if responded_on and reported_on and responded_on < reported_on:
        errors["reported_on"] = f"The Executive responded on {_day(responded_on)}: the report reached it before then."
    return errors


def _assign_recommendation(recommendation: ScrutinyRecommendation, data: Mapping[str, Any]) -> None:
    _assign(recommendation, data, RECOMMENDATION_FIELDS)
    stage = recommendation.stage if recommendation.stage_id else None
    if stage is not None and not recommendation.strategy_id:
        recommendation.strategy = stage.report.strategy
    recommendation.response_due = response_due_for(recommendation.reported_on) if recommendation.reported_on else None


@transaction.atomic
def recommendation_create(*, by: User, data: Mapping[str, Any]) -> ScrutinyRecommendation:
    """Record a committee's recommendation (its number in the committee's report, to whom, about which strategy
    or report stage). Its response is due two months from the day the Executive received the report
    (``response_due_for``), worked out here on every save."""
    recommendation = ScrutinyRecommendation()
    _assign_recommendation(recommendation, data)
    permissions.require(by, "scrutiny.add_scrutinyrecommendation", recommendation)
    return _checked_save(recommendation, by, errors=_recommendation_errors(recommendation))


def _locked_recommendation(recommendation: ScrutinyRecommendation, by: User) -> ScrutinyRecommendation:
    perm = "scrutiny.change_scrutinyrecommendation"
    permissions.require(by, perm, recommendation)
    locked = (
        ScrutinyRecommendation.objects.select_for_update(of=("self",))
        .select_related("committee", "meeting", "strategy")
        .get(pk=recommendation.pk)
    )
    permissions.require(by, perm, locked)
    return locked


def _refuse_if_closed(recommendation: ScrutinyRecommendation) -> None:
    if recommendation.status == RecommendationStatus.CLOSED:
        raise ValidationError(
            f"The recommendation was closed on {_day(recommendation.closed_on or timezone.localdate())}: "
            "it no longer changes."
        )


@transaction.atomic
def recommendation_update(
    *, recommendation: ScrutinyRecommendation, by: User, data: Mapping[str, Any]
) -> ScrutinyRecommendation:
    """Change a recommendation that is not closed (moving it to another strategy needs the right there too)."""
    recommendation = _locked_recommendation(recommendation, by)
    _refuse_if_closed(recommendation)
    _assign_recommendation(recommendation, data)
    permissions.require(by, "scrutiny.change_scrutinyrecommendation", recommendation)
    return _checked_save(recommendation, by, errors=_recommendation_errors(recommendation))


def _action_errors(action: Mapping[str, Any]) -> str:
    if not str(action.get("description") or "").strip():
        return "Describe each action the Executive agreed."
    return ""


def _response_errors(
    recommendation: ScrutinyRecommendation,
    *,
    response: str,
    reasons: str,
    responded_by: str,
    responded_on: date | None,
    actions: list[Mapping[str, Any]],
    today: date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if recommendation.response:
        errors["response"] = (
            f"The Executive's response is already recorded ({recommendation.get_response_display().lower()}, "
            f"{_day(recommendation.responded_on or today)})."
        )
    elif response not in RESPONSES:
        errors["response"] = "Choose whether the Executive accepted, partly accepted or rejected the recommendation."
    elif response in RESPONSES_NEEDING_REASONS and not reasons:
        errors["response_reasons"] = (
            f"Give the Executive's reasons: a recommendation that is {Response(response).label.lower()} needs them."
        )
    if not responded_by:
        errors["responded_by"] = "Enter who gave the response, for example the Executive or an Executive Councillor."
    earliest = recommendation.reported_on or recommendation.meeting.date
    if responded_on is None:
        errors["responded_on"] = "Enter the date of the response as day, month and year."
    elif responded_on > today:
        errors["responded_on"] = "The date of the response cannot be in the future."
    elif responded_on < earliest:
        what = "the committee's report reached the Executive" if recommendation.reported_on else "the meeting"
        errors["responded_on"] = f"The response cannot be dated before {what} ({_day(earliest)})."
    action_error = next((message for message in map(_action_errors, actions) if message), "")
    needs_actions = response in (Response.ACCEPTED, Response.PARTLY_ACCEPTED)
    if action_error:
        errors["actions"] = action_error
    elif needs_actions and not actions and not recommendation.actions.exists():
        errors["actions"] = (
            "Add at least one action the Executive agreed: an accepted recommendation is tracked through its actions."
        )
    return errors


@transaction.atomic
def recommendation_respond(
    *,
    recommendation: ScrutinyRecommendation,
    by: User,
    response: str,
    reasons: str = "",
    responded_by: str = "",
    responded_on: date | None = None,
    actions: Sequence[Mapping[str, Any]] | None = None,
    today: date | None = None,
) -> ScrutinyRecommendation:
    """Record the Executive's response: accepted, partly accepted or rejected (with its reasons when not wholly
    accepted), who gave it and when (not before the report reached the Executive, not in the future). An
    accepted or partly accepted recommendation is then tracked through its actions (at least one, given here
    or already added); the recommendation is in progress until closed."""
    recommendation = _locked_recommendation(recommendation, by)
    _refuse_if_closed(recommendation)
    today = today or timezone.localdate()
    reasons = normalise_newlines(reasons or "").strip()
    responded_by = (responded_by or "").strip()
    actions = list(actions or [])
    errors = _response_errors(
        recommendation,
        response=response,
        reasons=reasons,
        responded_by=responded_by,
        responded_on=responded_on,
        actions=actions,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    recommendation.response = response
    recommendation.response_reasons = reasons
    recommendation.responded_by = responded_by
    recommendation.responded_on = responded_on
    recommendation.status = RecommendationStatus.IN_PROGRESS
    _checked_save(recommendation, by)
    for data in actions:
        _new_action(recommendation, data, by)
    return recommendation


def _new_action(recommendation: ScrutinyRecommendation, data: Mapping[str, Any], by: User) -> RecommendationAction:
    action = RecommendationAction(recommendation=recommendation)
    _assign(action, data, ACTION_FIELDS)
    permissions.require(by, "scrutiny.add_recommendationaction", action)
    errors = {"description": message} if (message := _action_errors(data)) else {}
    return _checked_save(action, by, errors=errors)


@transaction.atomic
def action_add(*, recommendation: ScrutinyRecommendation, by: User, data: Mapping[str, Any]) -> RecommendationAction:
    """Add an action agreed in response to a recommendation (after the response, until it is closed)."""
    recommendation = _locked_recommendation(recommendation, by)
    _refuse_if_closed(recommendation)
    if not recommendation.response:
        raise ValidationError("Record the Executive's response first: the actions follow from it.")
    action = _new_action(recommendation, data, by)
    if recommendation.status == RecommendationStatus.AWAITING_RESPONSE:
        recommendation.status = RecommendationStatus.IN_PROGRESS
        _checked_save(recommendation, by)
    return action


def _locked_action(action: RecommendationAction, by: User) -> RecommendationAction:
    permissions.require(by, "scrutiny.change_recommendationaction", action)
    locked = RecommendationAction.objects.select_for_update().get(pk=action.pk)
    locked.recommendation = _locked_recommendation(locked.recommendation, by)
    _refuse_if_closed(locked.recommendation)
    return locked


@transaction.atomic
def action_update(*, action: RecommendationAction, by: User, data: Mapping[str, Any]) -> RecommendationAction:
    """Change an action's description, owner, due date or progress note."""
    action = _locked_action(action, by)
    _assign(action, data, ACTION_FIELDS)
    errors = {"description": "Describe the action."} if not action.description.strip() else {}
    return _checked_save(action, by, errors=errors)


@transaction.atomic
def action_complete(
    *,
    action: RecommendationAction,
    by: User,
    completed_on: date | None = None,
    progress: str | None = None,
    today: date | None = None,
) -> RecommendationAction:
    """Mark an action done on ``completed_on`` (today if not given): not in the future, not before the response."""
    action = _locked_action(action, by)
    today = today or timezone.localdate()
    completed_on = completed_on or today
    recommendation = action.recommendation
    errors: dict[str, str] = {}
    if action.completed_on:
        errors["completed_on"] = f"The action was completed on {_day(action.completed_on)}."
    elif completed_on > today:
        errors["completed_on"] = "The date the action was completed cannot be in the future."
    elif recommendation.responded_on and completed_on < recommendation.responded_on:
        errors["completed_on"] = (
            f"The action cannot be completed before the Executive's response ({_day(recommendation.responded_on)})."
        )
    if progress is not None:
        action.progress = normalise_newlines(progress).strip()
    action.completed_on = completed_on
    return _checked_save(action, by, errors=errors)


@transaction.atomic
def recommendation_close(
    *,
    recommendation: ScrutinyRecommendation,
    by: User,
    closing_note: str,
    closed_on: date | None = None,
    today: date | None = None,
) -> ScrutinyRecommendation:
    """Close a recommendation, saying why: once its actions are all completed, or straight away when the
    Executive rejected it."""
    recommendation = _locked_recommendation(recommendation, by)
    _refuse_if_closed(recommendation)
    today = today or timezone.localdate()
    closed_on = closed_on or today
    closing_note = normalise_newlines(closing_note or "").strip()
    errors: dict[str, str] = {}
    if not recommendation.response:
        errors["response"] = "A recommendation is closed once the Executive has responded to it."
    elif recommendation.response != Response.REJECTED:
        actions = list(recommendation.actions.all())
        open_actions = [a for a in actions if a.completed_on is None]
        if not actions:
            errors["actions"] = "Add the actions agreed and complete them before closing the recommendation."
        elif open_actions:
            errors["actions"] = (
                f"Complete every action first: {len(open_actions)} still open, such as “{open_actions[0]}”."
            )
    if not closing_note:
        errors["closing_note"] = "Enter a closing note: what was done, or why the recommendation closes."
    if closed_on > today:
        errors["closed_on"] = "The date closed cannot be in the future."
    elif recommendation.responded_on and closed_on < recommendation.responded_on:
        errors["closed_on"] = (
            f"The recommendation cannot close before the Executive's response ({_day(recommendation.responded_on)})."
        )
    if errors:
        raise ValidationError(errors)
    recommendation.status = RecommendationStatus.CLOSED
    recommendation.closed_on = closed_on
    recommendation.closing_note = closing_note
    return _checked_save(recommendation, by)


def overdue_recipients(recommendation: ScrutinyRecommendation) -> list[User]:
    """Who is told of an overdue response: the administrators, and the commissioners of the strategy's
    directorate (of the whole council, for a recommendation about no strategy)."""
    strategy = recommendation.strategy if recommendation.strategy_id else None
    directorate_id = strategy.directorate_id if strategy is not None else None
    commissioners = Q(groups__name=roles.COMMISSIONER, directorate_id=directorate_id)
    if directorate_id is None:
        commissioners = Q(groups__name=roles.COMMISSIONER, directorate__isnull=True)
    return list(
        User.objects.filter(Q(groups__name=roles.ADMINISTRATOR) | commissioners, is_active=True)
        .distinct()
        .order_by("pk")
    )


def notify_overdue_recommendations(*, today: date | None = None) -> int:
    """Tell the strategy's commissioners and the administrators of each recommendation whose response is overdue
    (no response, and today is past its response due date), once per recommendation: ``overdue_notified_on``
    marks it, and the notification's dedupe key holds even if two runs overlap. Returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    due = stage_selectors.recommendations_overdue(today=today).filter(overdue_notified_on__isnull=True)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            recommendation = (
                ScrutinyRecommendation.objects.select_for_update(of=("self",)).select_related("strategy").get(pk=pk)
            )
            if recommendation.overdue_notified_on or not stage_selectors.is_overdue(recommendation, today=today):
                continue
            notify(
                recipients=overdue_recipients(recommendation),
                kind=OVERDUE_KIND,
                subject=OVERDUE_SUBJECT,
                link=recommendation.get_absolute_url(),
                dedupe_key=f"{OVERDUE_KIND}:{recommendation.pk}",
            )
            recommendation.overdue_notified_on = today
            recommendation.save(update_fields=["overdue_notified_on", "updated_at"])
            sent += 1
    if sent:
        logger.info("Overdue responses: %d scrutiny recommendation(s) notified", sent)
    return sent


# --- Forward plan ----------------------------------------------------------------------------------------
# The forward plan of key decisions (the Local Authorities (Executive Arrangements) (Meetings and Access to
# Information) (England) Regulations 2012): notice 28 clear days ahead (regulation 9), or the general exception
# (regulation 10) or special urgency (regulation 11) with their reasons. The rules live here, once.


FORWARD_PLAN_FIELDS = [
    "reference",
    "title",
    "description",
    "decision_maker",
    "key_decision",
    "directorate",
    "decision_due",
    "first_published",
    "notice_route",
    "urgency_reasons",
    "chair_informed_on",
    "urgency_agreed_by",
    "urgency_agreed_on",
    "exempt",
    "exempt_paragraph",
    "documents",
    "consultation",
    "contact_officer",
]
# What an entry's status may become, from what (the service of each move checks the actor's right).
FORWARD_PLAN_MOVES = {
    ForwardPlanEntry.Status.PLANNED: {
        ForwardPlanEntry.Status.DECIDED,
        ForwardPlanEntry.Status.DEFERRED,
        ForwardPlanEntry.Status.WITHDRAWN,
    },
    ForwardPlanEntry.Status.DEFERRED: {
        ForwardPlanEntry.Status.DECIDED,
        ForwardPlanEntry.Status.DEFERRED,
        ForwardPlanEntry.Status.WITHDRAWN,
    },
}
# The entry's status that follows a decision record's outcome (pending: the entry stays as it is).
STATUS_FOR_OUTCOME = {
    Decision.Outcome.APPROVED: ForwardPlanEntry.Status.DECIDED,
    Decision.Outcome.APPROVED_WITH_AMENDMENTS: ForwardPlanEntry.Status.DECIDED,
    Decision.Outcome.REJECTED: ForwardPlanEntry.Status.DECIDED,
    Decision.Outcome.DEFERRED: ForwardPlanEntry.Status.DEFERRED,
    Decision.Outcome.WITHDRAWN: ForwardPlanEntry.Status.WITHDRAWN,
}


def _plan_day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def _general_exception_errors(entry: ForwardPlanEntry, days: int) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not entry.urgency_reasons.strip():
        errors["urgency_reasons"] = (
            "Give the reasons why 28 clear days' notice is impracticable: the general exception notice sets them out."
        )
    if entry.chair_informed_on is None:
        errors["chair_informed_on"] = (
            "Enter the date the chair of the relevant overview and scrutiny committee (or each member, if there is "
            "no chair) was told in writing: the general exception needs it."
        )
    else:
        informed = clear_days(entry.chair_informed_on, entry.decision_due)
        if entry.chair_informed_on >= entry.decision_due or informed < GENERAL_EXCEPTION_CLEAR_DAYS:
            errors["chair_informed_on"] = (
                f"The chair must be told at least {GENERAL_EXCEPTION_CLEAR_DAYS} clear days before the decision: "
                f"told on {_plan_day(entry.chair_informed_on)} leaves {informed} before "
                f"{_plan_day(entry.decision_due)}. "
                "Use special urgency if it cannot wait."
            )
    if days < GENERAL_EXCEPTION_CLEAR_DAYS and entry.first_published is not None:
        errors["first_published"] = (
            f"The general exception notice must be available at least {GENERAL_EXCEPTION_CLEAR_DAYS} clear days "
            f"before the decision: published on {_plan_day(entry.first_published)} it gives {days}. Use special "
            "urgency if it cannot wait."
        )
    return errors


def _special_urgency_errors(entry: ForwardPlanEntry) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not entry.urgency_reasons.strip():
        errors["urgency_reasons"] = (
            "Give the reasons why the decision is urgent and cannot reasonably be deferred: the special urgency "
            "notice publishes them."
        )
    if not entry.urgency_agreed_by.strip():
        errors["urgency_agreed_by"] = (
            "Name who agreed the decision is urgent: the chair of the relevant overview and scrutiny committee, or "
            "failing them the chair or vice-chair of the council."
        )
    if entry.urgency_agreed_on is None:
        errors["urgency_agreed_on"] = "Enter the date the urgency was agreed as day, month and year."
    elif entry.urgency_agreed_on > entry.decision_due:
        errors["urgency_agreed_on"] = (
            f"The urgency must be agreed before the decision is taken ({_plan_day(entry.decision_due)})."
        )
    return errors


def forward_plan_notice_errors(entry: ForwardPlanEntry) -> dict[str, str]:
    """The one check of an entry's notice route, by field: a key decision with fewer than 28 clear days between
    the date first published and the date of decision is taken under the general exception (reasons, and the
    chair told at least 5 clear days before) or special urgency (reasons, and who agreed the urgency and
    when); with 28 clear days or more it is an ordinary notice. Exempt items name their Schedule 12A paragraph."""
    errors: dict[str, str] = {}
    Route = ForwardPlanEntry.NoticeRoute
    if entry.exempt and entry.exempt_paragraph is None:
        errors["exempt_paragraph"] = (
            "Choose the paragraph of Schedule 12A to the Local Government Act 1972 that makes the item exempt."
        )
    elif not entry.exempt and entry.exempt_paragraph is not None:
        errors["exempt_paragraph"] = (
            "Leave the paragraph blank for an open item, or say it contains exempt information."
        )
    if entry.decision_due is None or entry.first_published is None:
        return errors  # the date fields' own errors say what is missing
    if entry.decision_due <= entry.first_published:
        errors["decision_due"] = (
            "The date of decision must be after the date the entry was first published "
            f"({_plan_day(entry.first_published)})."
        )
        return errors
    days = clear_days(entry.first_published, entry.decision_due)
    if not entry.key_decision:
        if entry.notice_route != Route.NOTICE:
            errors["notice_route"] = (
                "Only a key decision is taken under the general exception or special urgency: choose the notice route."
            )
        return errors
    if days >= NOTICE_CLEAR_DAYS:
        if entry.notice_route != Route.NOTICE:
            errors["notice_route"] = (
                f"The plan gives {days} clear days' notice, at least the {NOTICE_CLEAR_DAYS} regulation 9 asks: "
                "choose the notice route."
            )
        return errors
    if entry.notice_route == Route.NOTICE:
        errors["notice_route"] = (
            f"A key decision needs {NOTICE_CLEAR_DAYS} clear days' notice: published on "
            f"{_plan_day(entry.first_published)} for {_plan_day(entry.decision_due)} gives {days}. Choose the general "
            "exception or special urgency and give the reasons, or move the date of decision."
        )
    elif entry.notice_route == Route.GENERAL_EXCEPTION:
        errors.update(_general_exception_errors(entry, days))
    elif entry.notice_route == Route.SPECIAL_URGENCY:
        errors.update(_special_urgency_errors(entry))
    return errors


def _forward_plan_link_errors(
    entry: ForwardPlanEntry, *, contracts: list[Contract] | None, projects: list[ProcurementProject] | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if entry.reference:
        other = ForwardPlanEntry.objects.filter(reference__iexact=entry.reference).exclude(pk=entry.pk).first()
        if other is not None:
            errors["reference"] = (
                f"Decision reference {other.reference} is already on the forward plan (“{other.title}”): each "
                "entry has a reference of its own."
            )
    undecided = [c for c in contracts or [] if not c.reprocurement_decision]
    if undecided:
        errors["contracts"] = (
            f"Link only contracts whose re-procurement decision the entry carries: {undecided[0].reference} has no "
            "re-procurement decision recorded."
        )
    elif contracts is not None and len({c.pk for c in contracts}) != len(contracts):
        errors["contracts"] = "Link each contract once."
    if projects is not None and len({p.pk for p in projects}) != len(projects):
        errors["projects"] = "Link each procurement project once."
    return errors


def _clear_unused_route_fields(entry: ForwardPlanEntry) -> None:
    """What a route does not use is not kept: an ordinary notice has no urgency, the general exception no
    agreement of urgency."""
    Route = ForwardPlanEntry.NoticeRoute
    if entry.notice_route == Route.NOTICE:
        entry.urgency_reasons, entry.chair_informed_on = "", None
    if entry.notice_route != Route.SPECIAL_URGENCY:
        entry.urgency_agreed_by, entry.urgency_agreed_on = "", None


def _save_forward_plan_entry(
    entry: ForwardPlanEntry,
    by: User,
    *,
    contracts: list[Contract] | None,
    projects: list[ProcurementProject] | None,
    strategies: list[CommissioningStrategy] | None,
) -> ForwardPlanEntry:
    """Validate (the fields, the notice rule and the links, every field's errors together) and save the entry
    with the links given."""
    entry.reference = (entry.reference or "").strip()
    _clear_unused_route_fields(entry)
    found: dict[str, list[str]] = {}
    try:
        entry.full_clean(validate_unique=False)  # the reference's uniqueness is said below, in the council's words
    except ValidationError as error:
        found = {name: list(messages) for name, messages in error.message_dict.items()}
    rules = {**_forward_plan_link_errors(entry, contracts=contracts, projects=projects)}
    rules.update(forward_plan_notice_errors(entry))
    for name, message in rules.items():
        found.setdefault(name, []).append(message)
    if found:
        raise ValidationError(found)
    record_by(entry, by)
    entry.save()
    if contracts is not None:
        entry.contracts.set(contracts)
    if projects is not None:
        entry.projects.set(projects)
    if strategies is not None:
        entry.strategies.set(strategies)
    return entry


@transaction.atomic
def forward_plan_entry_create(
    *,
    by: User,
    data: Mapping[str, Any],
    contracts: list[Contract] | None = None,
    projects: list[ProcurementProject] | None = None,
    strategies: list[CommissioningStrategy] | None = None,
) -> ForwardPlanEntry:
    """Put a decision on the forward plan, first published today unless ``data`` says when, with the contracts
    whose re-procurement decision it carries, the procurement projects and the strategies it concerns. A key
    decision on less than 28 clear days' notice is refused unless taken under the general exception or special
    urgency with their reasons (``forward_plan_notice_errors``)."""
    permissions.require(by, "scrutiny.add_forwardplanentry")
    entry = ForwardPlanEntry()
    _assign(entry, data, FORWARD_PLAN_FIELDS)
    if entry.first_published is None:
        entry.first_published = timezone.localdate()
    permissions.require(by, "scrutiny.add_forwardplanentry", entry)  # their own directorate's, or council-wide
    _save_forward_plan_entry(
        entry, by, contracts=list(contracts or []), projects=list(projects or []), strategies=list(strategies or [])
    )
    logger.info("Forward plan entry %s (%s) added by %s", entry.pk, entry.reference, by)
    return entry


def _locked_entry(entry: ForwardPlanEntry, by: User) -> ForwardPlanEntry:
    permissions.require(by, "scrutiny.change_forwardplanentry", entry)
    return ForwardPlanEntry.objects.select_for_update().get(pk=entry.pk)


def _refuse_closed(entry: ForwardPlanEntry) -> None:
    if entry.status not in FORWARD_PLAN_MOVES:
        raise ValidationError(
            {"status": f"The entry is {entry.get_status_display().lower()}: the plan keeps it as it was published."}
        )


@transaction.atomic
def forward_plan_entry_update(
    *,
    entry: ForwardPlanEntry,
    by: User,
    data: Mapping[str, Any],
    contracts: list[Contract] | None = None,
    projects: list[ProcurementProject] | None = None,
    strategies: list[CommissioningStrategy] | None = None,
) -> ForwardPlanEntry:
    """Change a planned (or deferred) entry and, when given, its links; the notice rule is checked again. A
    decided or withdrawn entry is kept as it was."""
    entry = _locked_entry(entry, by)
    _refuse_closed(entry)
    _assign(entry, data, FORWARD_PLAN_FIELDS)
    permissions.require(by, "scrutiny.change_forwardplanentry", entry)  # not moved to another's directorate
    return _save_forward_plan_entry(
        entry,
        by,
        contracts=list(contracts) if contracts is not None else None,
        projects=list(projects) if projects is not None else None,
        strategies=list(strategies) if strategies is not None else None,
    )


def _move(entry: ForwardPlanEntry, status: str) -> None:
    _refuse_closed(entry)
    if status not in FORWARD_PLAN_MOVES[ForwardPlanEntry.Status(entry.status)]:
        label = ForwardPlanEntry.Status(status).label.lower()
        raise ValidationError({"status": f"A {entry.get_status_display().lower()} entry cannot become {label}."})
    entry.status = status


@transaction.atomic
def forward_plan_entry_defer(*, entry: ForwardPlanEntry, by: User, decision_due: date) -> ForwardPlanEntry:
    """Defer the decision to a later date and check the notice again for it: a short-notice decision deferred
    far enough has its 28 clear days and becomes an ordinary notice; one still short keeps its route, checked
    for the new date."""
    entry = _locked_entry(entry, by)
    _move(entry, ForwardPlanEntry.Status.DEFERRED)
    if decision_due is None or decision_due <= entry.decision_due:
        raise ValidationError(
            {"decision_due": f"Enter a date of decision after the current one ({_plan_day(entry.decision_due)})."}
        )
    entry.decision_due = decision_due
    if entry.key_decision and notice_given(entry):
        entry.notice_route = ForwardPlanEntry.NoticeRoute.NOTICE
    return _save_forward_plan_entry(entry, by, contracts=None, projects=None, strategies=None)


@transaction.atomic
def forward_plan_entry_withdraw(*, entry: ForwardPlanEntry, by: User) -> ForwardPlanEntry:
    """Take the decision off the plan: it will not be made."""
    entry = _locked_entry(entry, by)
    _move(entry, ForwardPlanEntry.Status.WITHDRAWN)
    record_by(entry, by)
    entry.save(update_fields=["status", "updated_at"])
    return entry


@transaction.atomic
def forward_plan_entry_link_decision(*, entry: ForwardPlanEntry, by: User, decision: Decision) -> ForwardPlanEntry:
    """Link the decision record of the entry's decision; the entry's status follows its outcome (approved,
    amended or rejected: decided; deferred; withdrawn; pending: as it was). Once decided, its date of decision
    is the date decided, and the notice is checked for that date: a key decision taken before its notice
    allowed is refused."""
    entry = _locked_entry(entry, by)
    _refuse_closed(entry)
    if not permissions.may(by, "scrutiny.view_decision", decision):
        raise PermissionDenied("You may not read that decision record.")
    other = ForwardPlanEntry.objects.filter(decision=decision).exclude(pk=entry.pk).first()
    if other is not None:
        raise ValidationError(
            {"decision": f"Decision {decision.reference} is already linked to entry {other.reference}."}
        )
    if decision.key_decision != entry.key_decision:
        kind = "a key decision" if decision.key_decision else "not a key decision"
        raise ValidationError(
            {"decision": f"Decision {decision.reference} is recorded as {kind}; the entry says otherwise."}
        )
    entry.decision = decision
    status = STATUS_FOR_OUTCOME.get(Decision.Outcome(decision.outcome))
    if status is not None and status != entry.status:
        _move(entry, status)
    if status == ForwardPlanEntry.Status.DECIDED and decision.decided_on is not None:
        entry.decision_due = decision.decided_on
        late = forward_plan_notice_errors(entry)
        if late:
            raise ValidationError(
                {
                    "decision": f"Decision {decision.reference} was decided on {_plan_day(decision.decided_on)}: "
                    + " ".join(late.values())
                }
            )
    return _save_forward_plan_entry(entry, by, contracts=None, projects=None, strategies=None)


# The narrative fields of a council report (CouncilReport) and of a decision record.
_REPORT_TEXT = ("summary", "background", "conclusion", "consultation", "on_behalf_of", "author", "contact")
REDACTABLE_DECISION_FIELDS = (
    *_REPORT_TEXT,
    *("recommendations", "alternatives_considered", "reasons", "legal_comments", "resource_comments"),
    *("scrutiny_comments", "outcome_notes"),
)
REDACTABLE_PACK_FIELDS = (*_REPORT_TEXT, "actions_required")
PUBLISHED_PACK_NOT_REDACTED = "Published: cannot be redacted in place; a new revision is needed."


@transaction.atomic
def decision_redact(
    *, decision: Decision, fields: Sequence[str], terms: Sequence[str], replacement: str, by: User
) -> dict[str, int]:
    """Replace a person's details (``terms``) in chosen fields of a decision record; replacements per field."""
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    return redact_fields(
        record=locked, allowed=REDACTABLE_DECISION_FIELDS, fields=fields, terms=terms, replacement=replacement, by=by
    )


@transaction.atomic
def pack_redact(
    *, pack: ScrutinyPack, fields: Sequence[str], terms: Sequence[str], replacement: str, by: User
) -> dict[str, int]:
    """Replace a person's details in a draft pack's cover report. A published pack is what the members were
    sent and is never changed: its redaction is a new revision."""
    locked = ScrutinyPack.objects.select_for_update().get(pk=pack.pk)
    if locked.is_frozen:
        raise ValidationError(PUBLISHED_PACK_NOT_REDACTED)
    return redact_fields(
        record=locked, allowed=REDACTABLE_PACK_FIELDS, fields=fields, terms=terms, replacement=replacement, by=by
    )
