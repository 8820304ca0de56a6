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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, connections, transaction
from django.utils import timezone

from commissioning import permissions, roles
from commissioning.models import User
from commissioning.notifications import notify
from commissioning.pdf import html_to_pdf
from commissioning.text import normalise_newlines
from strategies.models import CommissioningStrategy, HighlightReport
from strategies.services import record_by

from . import documents
from .models import (
    Committee,
    ExemptDocument,
    ExemptParagraph,
    Meeting,
    PackAppendix,
    PackRevision,
    ReportRender,
    ScrutinyConclusion,
    ScrutinyPack,
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


COMMITTEE_FIELDS = ["name"]
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
    """Rename a committee and (``members`` given) change who sits on it."""
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
def pack_create(*, meeting: Meeting, by: User, cover: dict, strategies: list[CommissioningStrategy]) -> ScrutinyPack:
    """Start a draft pack for a meeting with its cover report and appendices in the given order."""
    permissions.require(by, "scrutiny.add_scrutinypack")
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
            title=part.title,
            exempt_paragraph=part.exempt_paragraph,
            file=name,
            sha256=digest,
            page_count=rendered.page_count,
        )
        document.save()
        document.excluded_members.set(appendix.excluded_members.all())


@transaction.atomic
def pack_publish(*, pack: ScrutinyPack, by: User, change_note: str = "") -> PackRevision:
    """Publish the rendered pack as its next revision and tell the committee's members (in the app and by
    e-mail, once each per revision: the e-mail carries the link, not the pack's text).

    The revision keeps the PDF's bytes under a name of their own, with their SHA-256, page count, time and
    publisher, and never changes. The pack must have been rendered from what it holds now. A revision after
    the first says what changed (``change_note``), which the pack's page shows beside the revisions."""
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
    if previous is not None and not change_note:
        raise ValidationError({"change_note": f"Say what has changed since revision {previous.number}."})
    name, digest = _copy_published(pack, number)
    now = timezone.now()
    revision = PackRevision(
        pack=pack,
        number=number,
        file=name,
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
    pack.save(update_fields=["status", "published_at", "updated_at"])
    first = previous is None
    sent = notify(
        recipients=pack.meeting.committee.members.filter(is_active=True),
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

    if not force and checksum == pack.checksum and pack.file and default_storage.exists(pack.file.name or ""):
        _mark_pack(pack_id, render_status=RenderStatus.READY, progress_done=total, progress_total=total)
        return RenderOutcome(True, pack.page_count or 0, data_seconds, 0.0, pack.file.name or "")

    with _heartbeat(lambda: _mark_pack(pack_id)):
        rendered = html_to_pdf(built.html, stylesheets=documents.stylesheet_paths())
    saved_name = _write_file(f"packs/{pack_id}-{checksum[:12]}.pdf", rendered.content)
    with transaction.atomic():
        pack = ScrutinyPack.objects.select_for_update().get(pk=pack_id)
        old_name = (pack.file.name or "") if pack.file else ""
        pack.file.name = saved_name
        pack.checksum = checksum
        pack.page_count = rendered.page_count
        pack.generated_at = timezone.now()
        pack.render_status = RenderStatus.READY
        pack.render_error = ""
        pack.progress_done = pack.progress_total = total
        pack.save()
        _delete_later(old_name, saved_name)
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
