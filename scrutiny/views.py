"""Pages of the scrutiny app. Thin: check permission, call a selector or service, render."""

from __future__ import annotations

import csv
import io
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Max, Min, OuterRef, Prefetch, Subquery
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning import permissions
from commissioning.forms import NOT_SAVED, save_through_service
from commissioning.listing import page_of, querystring_without
from commissioning.pdf import PagedHtml, html_to_pdf
from commissioning.periods import FinancialQuarter, current_quarter
from commissioning.permissions import permission_required
from commissioning.security import neutralise_formula, neutralise_row
from strategies.models import CommissioningStrategy, HighlightReport

from . import documents, selectors, services
from .filters import DecisionFilter, ForwardPlanFilter, RecommendationFilter
from .forms import (
    ActionCompleteForm,
    AgendaItemForm,
    CommitteeForm,
    ConclusionForm,
    DecisionForm,
    ExemptItemForm,
    ForwardPlanEntryForm,
    ForwardPlanProgressForm,
    MeetingForm,
    PackForm,
    RecommendationActionForm,
    RecommendationCloseForm,
    RecommendationForm,
    RecommendationResponseForm,
    StageConclusionForm,
    StageForm,
    SupplementForm,
)
from .models import (
    AgendaItem,
    Committee,
    Decision,
    ExemptDocument,
    ForwardPlanEntry,
    Meeting,
    PackRevision,
    PackSupplement,
    RecommendationAction,
    ReportRender,
    ScrutinyPack,
    ScrutinyRecommendation,
    ScrutinyStage,
    SupplementItem,
)

RenderStatus = ScrutinyPack.RenderStatus


def _breadcrumbs(*trail):
    return [("Scrutiny", reverse("scrutiny:committees")), *trail]


# --- Committees and meetings ---------------------------------------------------------------------


@require_GET
@permission_required("scrutiny.view_committee")
def committee_list(request):
    committees = selectors.committees_with_counts(user=request.user)
    return render(
        request, "scrutiny/committee_list.html", {"committees": committees, "breadcrumbs": [("Scrutiny", None)]}
    )


@require_GET
@permission_required("scrutiny.view_committee")
def committee_detail(request, pk: int):
    committee = get_object_or_404(Committee.objects.visible_to(request.user), pk=pk)
    meetings = selectors.meetings_for_committee(committee=committee, user=request.user)
    return render(
        request,
        "scrutiny/committee_detail.html",
        {"committee": committee, "meetings": meetings, "breadcrumbs": _breadcrumbs((committee.name, None))},
    )


def _posted(request):
    """The form's data: bound on every POST, an empty one included, so that it shows what is missing."""
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.add_committee")
def committee_create(request):
    form = CommitteeForm(_posted(request))
    saved = save_through_service(
        request,
        form,
        lambda: services.committee_create(
            by=request.user, data=form.service_data(), members=list(form.cleaned_data["members"])
        ),
        success=lambda saved: f"{saved.name} added.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "form_page.html",
        {"form": form, "title": "Add a committee", "breadcrumbs": _breadcrumbs(("Add a committee", None))},
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_committee")
def committee_edit(request, pk: int):
    committee = get_object_or_404(Committee.objects.visible_to(request.user), pk=pk)
    form = CommitteeForm(_posted(request), instance=committee)
    saved = save_through_service(
        request,
        form,
        lambda: services.committee_update(
            committee=committee,
            by=request.user,
            data=form.service_data(),
            members=list(form.cleaned_data["members"]),
        ),
        success=lambda saved: f"{saved.name} saved.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": f"Edit {committee.name}",
            "breadcrumbs": _breadcrumbs((committee.name, committee.get_absolute_url()), ("Edit", None)),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.add_meeting")
def meeting_create(request, pk: int):
    committee = get_object_or_404(Committee.objects.visible_to(request.user), pk=pk)
    form = MeetingForm(_posted(request))
    saved = save_through_service(
        request,
        form,
        lambda: services.meeting_create(by=request.user, data={"committee": committee, **form.service_data()}),
        success=lambda saved: f"Meeting of {saved.date:%-d %B %Y} added.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Add a meeting",
            "caption": committee.name,
            "breadcrumbs": _breadcrumbs((committee.name, committee.get_absolute_url()), ("Add a meeting", None)),
        },
    )


def _meeting(request, pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.visible_to(request.user).select_related("committee"), pk=pk)


@require_GET
@permission_required("scrutiny.view_meeting")
def meeting_detail(request, pk: int):
    meeting = _meeting(request, pk)
    return render(
        request,
        "scrutiny/meeting_detail.html",
        {
            "meeting": meeting,
            "packs": selectors.packs_for_meeting(meeting=meeting, user=request.user),
            "conclusions": selectors.conclusions_at_meeting(meeting=meeting),
            "agenda": _agenda(meeting, request.user),
            "agenda_published": services.agenda_is_published(meeting),
            "can_edit_agenda": permissions.may(request.user, "scrutiny.change_scrutinypack"),
            "can_add_pack": permissions.may(request.user, "scrutiny.add_scrutinypack"),
            "prepares": permissions.may(request.user, "scrutiny.change_scrutinypack"),
            "can_add_conclusion": permissions.may(request.user, "scrutiny.add_scrutinyconclusion"),
            "breadcrumbs": _breadcrumbs(
                (meeting.committee.name, meeting.committee.get_absolute_url()), (f"{meeting.date:%-d %B %Y}", None)
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_meeting")
def meeting_edit(request, pk: int):
    meeting = _meeting(request, pk)
    form = MeetingForm(_posted(request), instance=meeting)
    saved = save_through_service(
        request,
        form,
        lambda: services.meeting_update(meeting=meeting, by=request.user, data=form.service_data()),
        success=lambda saved: f"Meeting of {saved.date:%-d %B %Y} saved.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Edit the meeting",
            "caption": f"{meeting.committee}, {meeting.date:%-d %B %Y}",
            "breadcrumbs": _breadcrumbs(
                (meeting.committee.name, meeting.committee.get_absolute_url()),
                (f"{meeting.date:%-d %B %Y}", meeting.get_absolute_url()),
                ("Edit", None),
            ),
        },
    )


@require_GET
@permission_required("scrutiny.view_scrutinypack")
def archive(request):
    committee_id = request.GET.get("committee")
    committee_id = int(committee_id) if committee_id and committee_id.isdigit() else None
    packs = selectors.archive_packs(user=request.user, committee_id=committee_id).prefetch_related(
        Prefetch(
            "supplements",
            queryset=PackSupplement.objects.filter(status=PackSupplement.Status.PUBLISHED).order_by("number"),
            to_attr="published_supplements",
        )
    )
    page = Paginator(packs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "scrutiny/archive.html",
        {
            "page_obj": page,
            "committees": Committee.objects.visible_to(request.user).order_by("name"),
            "committee_id": committee_id,
            "querystring": f"committee={committee_id}&" if committee_id else "",
            "breadcrumbs": _breadcrumbs(("Archive of past packs", None)),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.add_scrutinyconclusion")
def conclusion_add(request, pk: int):
    meeting = _meeting(request, pk)
    form = ConclusionForm(request.POST or None, user=request.user)
    saved = save_through_service(
        request,
        form,
        lambda: services.conclusion_record(
            meeting=meeting, strategy=form.cleaned_data["strategy"], text=form.cleaned_data["text"], by=request.user
        ),
        success=lambda saved: f"Conclusions on {saved.strategy} recorded.",
    )
    if saved is not NOT_SAVED:
        return redirect(meeting)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": f"Record conclusions of the {meeting.committee}, {meeting.date:%-d %B %Y}",
            "breadcrumbs": _breadcrumbs((str(meeting), meeting.get_absolute_url()), ("Record conclusions", None)),
        },
    )


# --- Packs ---------------------------------------------------------------------------------------


def _pack_form(request, *, pack: ScrutinyPack | None, meeting: Meeting):
    strategies = list(CommissioningStrategy.objects.visible_to(request.user).order_by("name").only("pk", "name"))
    if pack is not None:
        current = {a.strategy_id: a.order for a in pack.appendices.all()}
    else:
        # A new pack is built from the meeting's agenda: its strategies, in agenda order, are pre-selected.
        current = {s.pk: number for number, s in enumerate(services.agenda_strategies(meeting=meeting), start=1)}
    initial = None
    if pack is None:
        initial = {"report_to": str(meeting.committee), "title": "Commissioning Strategies"}
    return PackForm(request.POST or None, instance=pack, initial=initial, strategies=strategies, current_order=current)


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.add_scrutinypack")
def pack_create(request, pk: int):
    meeting = _meeting(request, pk)
    form = _pack_form(request, pack=None, meeting=meeting)
    saved = save_through_service(
        request,
        form,
        lambda: services.pack_create(
            meeting=meeting, by=request.user, cover=form.cover(), strategies=form.chosen_strategies
        ),
        success="Pack saved as a draft. Render it to check the PDF before publishing.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": f"New report pack for {meeting}",
            "breadcrumbs": _breadcrumbs((str(meeting), meeting.get_absolute_url()), ("New pack", None)),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_scrutinypack")
def pack_edit(request, pk: int):
    pack = selectors.pack_for_page(pk=pk, user=request.user)
    form = _pack_form(request, pack=pack, meeting=pack.meeting)
    saved = save_through_service(
        request,
        form,
        lambda: services.pack_update(pack=pack, by=request.user, cover=form.cover(), strategies=form.chosen_strategies),
        success="Pack saved. Render it again to include the changes in the PDF.",
    )
    if saved is not NOT_SAVED:
        return redirect(pack)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": f"Edit {pack.title}",
            "breadcrumbs": _breadcrumbs((pack.title, pack.get_absolute_url()), ("Edit", None)),
        },
    )


def _status_payload(*, status, label, done, total, error, download_url, can_retry) -> dict:
    return {
        "status": status,
        "status_label": label,
        "progress_done": done,
        "progress_total": total,
        "error": error,
        "download_url": download_url if status == RenderStatus.READY else "",
        "can_retry": can_retry,
    }


def _pack_status(pack: ScrutinyPack, user) -> dict:
    return _status_payload(
        status=pack.render_status,
        label=pack.get_render_status_display(),
        done=pack.progress_done,
        total=pack.progress_total,
        error=pack.render_error,
        download_url=reverse("scrutiny:pack_download", args=[pack.pk]) if pack.file else "",
        can_retry=permissions.may(user, "scrutiny.change_scrutinypack")
        and not pack.is_frozen
        and services.can_request_render(status=pack.render_status, updated_at=pack.updated_at),
    )


@require_GET
def pack_detail(request, pk: int):
    return _pack_page(request, selectors.pack_for_page(pk=pk, user=request.user))


def _pack_page(
    request,
    pack: ScrutinyPack,
    *,
    publish_error: str = "",
    change_note: str = "",
    late_error: str = "",
    late_reason: str = "",
    status: int = 200,
):
    """The pack's page; ``publish_error`` and ``change_note`` (or ``late_error`` and ``late_reason``) show a
    refused publication on its own field."""
    can_change = permissions.may(request.user, "scrutiny.change_scrutinypack") and not pack.is_frozen
    prepares = permissions.may(request.user, "scrutiny.change_scrutinypack")
    return render(
        request,
        "scrutiny/pack_detail.html",
        {
            "pack": pack,
            # A reader opening a pack whose next revision is being prepared (only such drafts are theirs to
            # open) reads the published revisions, not the working cover and appendices.
            "revision_in_preparation": not prepares and not pack.is_frozen,
            "appendices": list(pack.appendices.all()),
            "parts": list(zip(documents.pack_appendices(pack), pack.appendices.all(), strict=True)),
            "revisions": selectors.revisions_of(pack, user=request.user),
            "supplements": list(
                PackSupplement.objects.visible_to(request.user)
                .filter(pack=pack)
                .prefetch_related("items__strategy")
                .order_by("number")
            ),
            "can_add_supplement": prepares and pack.is_frozen,
            "prepares": prepares,
            "can_revise": prepares and pack.is_frozen,
            "render": _pack_status(pack, request.user),
            "status_url": reverse("scrutiny:pack_status", args=[pack.pk]),
            "render_url": reverse("scrutiny:pack_render", args=[pack.pk]),
            "can_change": can_change,
            "can_publish": permissions.may(request.user, "scrutiny.publish_scrutinypack") and not pack.is_frozen,
            "is_stale": services.is_stale(status=pack.render_status, updated_at=pack.updated_at),
            "publish_error": publish_error,
            "change_note": change_note,
            "late_error": late_error,
            "late_reason": late_reason,
            # Publishing now gives the meeting fewer than five clear days' notice: the form asks why.
            "publication_late_by_days": services.publication_would_be_late(pack),
            "breadcrumbs": _breadcrumbs(
                (pack.meeting.committee.name, pack.meeting.committee.get_absolute_url()),
                (f"{pack.meeting.date:%-d %B %Y}", pack.meeting.get_absolute_url()),
                (pack.title, None),
            ),
        },
        status=status,
    )


@require_GET
def pack_status(request, pk: int):
    pack = get_object_or_404(selectors.packs_visible_to(request.user), pk=pk)
    response = JsonResponse(_pack_status(pack, request.user))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@permission_required("scrutiny.change_scrutinypack")
def pack_render(request, pk: int):
    pack = selectors.pack_for_page(pk=pk, user=request.user)
    try:
        services.pack_request_render(pack=pack, by=request.user, force=request.POST.get("force") == "1")
    except services.RenderNotAllowed as error:
        messages.info(request, str(error))
    return redirect(pack)


def _publication_error(request, pack: ScrutinyPack, error: ValidationError, change_note: str, late_reason: str):
    """The pack's page again with a refused publication's message on its own field (or at the top)."""
    if hasattr(error, "error_dict") and "change_note" in error.error_dict:
        # The one error with a field of its own: shown on it, with what was typed kept.
        message = " ".join(error.message_dict["change_note"])
        return _pack_page(request, pack, publish_error=message, change_note=change_note)
    if hasattr(error, "error_dict") and "late_publication_reason" in error.error_dict:
        message = " ".join(error.message_dict["late_publication_reason"])
        return _pack_page(request, pack, late_error=message, late_reason=late_reason)
    messages.error(request, " ".join(error.messages))
    return redirect(pack)


@require_POST
@permission_required("scrutiny.publish_scrutinypack")
def pack_publish_confirm(request, pk: int):
    """Before a publication, which cannot be undone and e-mails every member: what will happen and to whom, with
    what was typed on the pack's page carried to the button that publishes."""
    pack = selectors.pack_for_page(pk=pk, user=request.user)
    change_note = request.POST.get("change_note", "")
    late_reason = request.POST.get("late_publication_reason", "")
    try:
        services.publication_field_errors(pack=pack, change_note=change_note, late_publication_reason=late_reason)
    except ValidationError as error:
        return _publication_error(request, pack, error, change_note, late_reason)
    revisions = selectors.revisions_of(pack, user=request.user)
    recipients = list(services.publication_recipients(pack))
    return render(
        request,
        "scrutiny/pack_publish_confirm.html",
        {
            "pack": pack,
            "number": revisions[0].number + 1 if revisions else 1,
            "recipients": recipients,
            "change_note": change_note,
            "late_reason": late_reason,
            "breadcrumbs": _breadcrumbs((pack.title, pack.get_absolute_url()), ("Publish", None)),
        },
    )


@require_POST
@permission_required("scrutiny.publish_scrutinypack")
def pack_publish(request, pk: int):
    pack = selectors.pack_for_page(pk=pk, user=request.user)
    change_note = request.POST.get("change_note", "")
    late_reason = request.POST.get("late_publication_reason", "")
    try:
        revision = services.pack_publish(
            pack=pack, by=request.user, change_note=change_note, late_publication_reason=late_reason
        )
    except ValidationError as error:
        return _publication_error(request, pack, error, change_note, late_reason)
    what = "Pack published" if revision.number == 1 else f"Revision {revision.number} published"
    messages.success(request, f"{what}. The committee's members have been told.")
    return redirect(pack)


@require_POST
@permission_required("scrutiny.change_scrutinypack")
def pack_revise(request, pk: int):
    pack = selectors.pack_for_page(pk=pk, user=request.user)
    try:
        services.pack_revise(pack=pack, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Revision started. Change and render the pack, then publish it with a note of what changed; members "
            "keep reading the published revision until then.",
        )
    return redirect(pack)


@require_POST
@permission_required("scrutiny.change_scrutinypack")
def pack_preview(request, pk: int):
    """Ask for a quick preview: the pack laid out in parallel parts, for those who prepare it (not for publication)."""
    pack = selectors.pack_for_page(pk=pk, user=request.user)
    try:
        services.pack_request_preview(pack=pack, by=request.user)
    except services.RenderNotAllowed as error:
        messages.info(request, str(error))
    else:
        messages.success(
            request,
            "A quick preview is being laid out. Download it from this page in a moment; it is not for publication.",
        )
    return redirect(pack)


@require_GET
@permission_required("scrutiny.change_scrutinypack")
def pack_preview_download(request, pk: int):
    """The quick preview of the pack as it is now, to those who may change the pack; none yet: back to the page."""
    pack = selectors.pack_for_page(pk=pk, user=request.user)
    name = "" if pack.is_frozen else services.pack_preview_name(pack=pack)
    if not name or not default_storage.exists(name):
        messages.info(request, "There is no quick preview of the pack as it is now: ask for one.")
        return redirect(pack)
    return _stream(name, _download_name(pack, None).removesuffix(".pdf") + "-preview-not-for-publication.pdf")


def _stream(name: str, download_name: str) -> FileResponse:
    if not name or not default_storage.exists(name):
        raise Http404("The PDF has not been rendered yet.")
    response = FileResponse(
        default_storage.open(name, "rb"), content_type="application/pdf", as_attachment=True, filename=download_name
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def pack_download(request, pk: int):
    """The pack's PDF: the working render for those who prepare packs; for everyone else the latest published
    revision, never a render in progress or a revision in preparation."""
    pack = get_object_or_404(selectors.packs_visible_to(request.user), pk=pk)
    if not permissions.may(request.user, "scrutiny.change_scrutinypack"):
        latest = selectors.revisions_of(pack, user=request.user)
        if latest:
            return _stream(latest[0].file.name or "", _download_name(pack, latest[0].number))
        if pack.status != ScrutinyPack.Status.PUBLISHED:
            raise Http404("The PDF is not ready.")
    if pack.render_status != RenderStatus.READY:
        raise Http404("The PDF is not ready.")
    return _stream(pack.file.name or "", _download_name(pack, None))


@require_GET
def revision_download(request, pk: int, number: int):
    """One published revision's PDF, superseded or not: the bytes the members were sent."""
    revision = get_object_or_404(
        PackRevision.objects.visible_to(request.user).select_related("pack__meeting"), pack_id=pk, number=number
    )
    return _stream(revision.file.name or "", _download_name(revision.pack, revision.number))


def _download_name(pack: ScrutinyPack, number: int | None) -> str:
    suffix = f"-revision-{number}" if number and number > 1 else ""
    return f"{slugify(pack.title)}-{pack.meeting.date:%Y-%m-%d}{suffix}.pdf"


# --- A highlight report's PDF ----------------------------------------------------------------------


@permission_required("strategies.view_highlightreport")
def _visible_report(request, report_pk: int) -> HighlightReport:
    """The report, if the user may read it (HighlightReport.visible_to); 404 otherwise."""
    reports = HighlightReport.objects.visible_to(request.user).select_related("strategy")
    return get_object_or_404(reports, pk=report_pk)


def _report_status(report: HighlightReport, job: ReportRender | None, *, can_render: bool) -> dict:
    if job is None:
        return _status_payload(
            status=RenderStatus.NOT_RENDERED,
            label=RenderStatus.NOT_RENDERED.label,
            done=0,
            total=1,
            error="",
            download_url="",
            can_retry=can_render,
        )
    return _status_payload(
        status=job.status,
        label=job.get_status_display(),
        done=1 if job.status == RenderStatus.READY else 0,
        total=1,
        error=job.error,
        download_url=reverse("scrutiny:report_pdf_download", args=[report.pk]) if job.file else "",
        can_retry=can_render and services.can_request_render(status=job.status, updated_at=job.updated_at),
    )


@require_http_methods(["GET", "POST"])
def report_pdf(request, report_pk: int):
    """The highlight report's PDF: ask for it to be rendered, follow its progress, download it."""
    report = _visible_report(request, report_pk)
    if request.method == "POST":
        try:
            services.report_request_render(report=report, by=request.user, force=request.POST.get("force") == "1")
        except services.RenderNotAllowed as error:
            messages.info(request, str(error))
        return redirect("scrutiny:report_pdf", report_pk=report.pk)
    job = ReportRender.objects.filter(report=report).first()
    can_render = services.may_render_report(request.user, report)
    return render(
        request,
        "scrutiny/report_pdf.html",
        {
            "report": report,
            "job": job,
            "can_render": can_render,
            "render": _report_status(report, job, can_render=can_render),
            "status_url": reverse("scrutiny:report_pdf_status", args=[report.pk]),
            "render_url": reverse("scrutiny:report_pdf", args=[report.pk]),
            "breadcrumbs": [
                ("Strategies", reverse("strategies:list")),
                (report.strategy.name, report.strategy.get_absolute_url()),
                (str(report.period), report.get_absolute_url()),
                ("PDF", None),
            ],
        },
    )


@require_GET
def report_pdf_status(request, report_pk: int):
    report = _visible_report(request, report_pk)
    job = ReportRender.objects.filter(report=report).first()
    response = JsonResponse(_report_status(report, job, can_render=services.may_render_report(request.user, report)))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def report_pdf_download(request, report_pk: int):
    report = _visible_report(request, report_pk)
    job = selectors.report_renders_visible_to(request.user).filter(report=report, status=RenderStatus.READY).first()
    if job is None:
        raise Http404("The PDF is not ready.")
    return _stream(job.file.name or "", f"{slugify(report.strategy.name)}-highlight-report-{report.period.key}.pdf")


# --- Exempt items (Schedule 12A) -------------------------------------------------------------------------


def _appendix(request, pk: int, appendix_pk: int):
    pack = selectors.pack_for_page(pk=pk, user=request.user)
    return pack, get_object_or_404(pack.appendices.select_related("strategy"), pk=appendix_pk)


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_scrutinypack")
def appendix_exempt(request, pk: int, appendix_pk: int):
    """Record an appendix as exempt information: the paragraph, the public interest test, the resolution to
    exclude the press and public, and who is excluded from the item."""
    pack, appendix = _appendix(request, pk, appendix_pk)
    initial = None
    if appendix.is_exempt:
        initial = {
            "paragraph": appendix.exempt_paragraph,
            "public_interest_reasoning": appendix.public_interest_reasoning,
            "exclusion_resolution": appendix.exclusion_resolution,
            "excluded_members": list(appendix.excluded_members.all()),
            "exclusion_reasons": appendix.exclusion_reasons,
        }
    form = ExemptItemForm(request.POST or None, initial=initial)
    saved = save_through_service(
        request,
        form,
        lambda: services.appendix_mark_exempt(
            appendix=appendix,
            by=request.user,
            paragraph=form.cleaned_data["paragraph"],
            public_interest_reasoning=form.cleaned_data["public_interest_reasoning"],
            exclusion_resolution=form.cleaned_data["exclusion_resolution"],
            excluded_members=list(form.cleaned_data["excluded_members"]),
            exclusion_reasons=form.cleaned_data["exclusion_reasons"],
        ),
        success=f"Appendix {appendix.order}, {appendix.strategy.name}, is recorded as exempt.",
    )
    if saved is not NOT_SAVED:
        return redirect(pack)
    title = f"Exempt item: appendix {appendix.order}, {appendix.strategy.name}"
    return render(
        request,
        "scrutiny/appendix_exempt.html",
        {
            "form": form,
            "pack": pack,
            "appendix": appendix,
            "title": title,
            "caption": f"{pack.title}, {pack.meeting}",
            "breadcrumbs": _breadcrumbs((pack.title, pack.get_absolute_url()), ("Exempt item", None)),
        },
    )


@require_POST
@permission_required("scrutiny.change_scrutinypack")
def appendix_open(request, pk: int, appendix_pk: int):
    pack, appendix = _appendix(request, pk, appendix_pk)
    try:
        services.appendix_mark_open(appendix=appendix, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Appendix {appendix.order} is an open item again.")
    return redirect(pack)


@require_GET
def exempt_download(request, pk: int):
    """An exempt item's restricted document: councillors not excluded from the item, and administrators."""
    document = get_object_or_404(
        ExemptDocument.objects.visible_to(request.user).select_related("revision__pack__meeting"), pk=pk
    )
    pack = document.revision.pack
    name = f"{slugify(pack.title)}-{pack.meeting.date:%Y-%m-%d}-exempt-appendix-{document.appendix_number}.pdf"
    return _stream(document.file.name or "", name)


# --- Agenda items and supplements ----------------------------------------------------------------------------


def _agenda(meeting: Meeting, user) -> list[AgendaItem]:
    """The meeting's agenda as ``user`` may read it, in order, each item marked ``printed``."""
    items = list(
        AgendaItem.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("strategy", "decision", "supplement")
        .order_by("number")
    )
    if items and permissions.may(user, "scrutiny.change_scrutinypack"):
        printed = services.printed_strategy_ids(meeting.pk)
        for item in items:
            item.printed = services.agenda_item_is_printed(item, printed)
    return items


def _agenda_item(request, pk: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.visible_to(request.user).select_related("meeting__committee", "strategy"), pk=pk
    )


def _meeting_trail(meeting: Meeting, *tail):
    return _breadcrumbs(
        (meeting.committee.name, meeting.committee.get_absolute_url()),
        (f"{meeting.date:%-d %B %Y}", meeting.get_absolute_url()),
        *tail,
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_scrutinypack")
def agenda_item_add(request, pk: int):
    meeting = _meeting(request, pk)
    form = AgendaItemForm(_posted(request), user=request.user)
    saved = save_through_service(
        request,
        form,
        lambda: services.agenda_item_add(
            meeting=meeting, by=request.user, data=form.service_data(), number=form.cleaned_data["number"]
        ),
        success=lambda item: (
            f"Item {item.number}, {item.title}, added to the agenda."
            + (" It is a late item: add it to a supplement to the pack." if item.late else "")
        ),
    )
    if saved is not NOT_SAVED:
        return redirect(meeting)
    return render(
        request,
        "scrutiny/agenda_item_form.html",
        {
            "form": form,
            "title": "Add an agenda item",
            "caption": str(meeting),
            "late": services.agenda_is_published(meeting),
            "breadcrumbs": _meeting_trail(meeting, ("Add an agenda item", None)),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_scrutinypack")
def agenda_item_edit(request, pk: int):
    item = _agenda_item(request, pk)
    meeting = item.meeting
    initial = {
        "title": item.title,
        "description": item.description,
        "strategy": item.strategy_id,
        "decision": item.decision_id,
        "number": item.number,
    }
    form = AgendaItemForm(_posted(request), user=request.user, initial=initial)
    saved = save_through_service(
        request,
        form,
        lambda: services.agenda_item_update(
            item=item, by=request.user, data=form.service_data(), number=form.cleaned_data["number"]
        ),
        success=lambda saved: f"Item {saved.number}, {saved.title}, saved.",
    )
    if saved is not NOT_SAVED:
        return redirect(meeting)
    return render(
        request,
        "scrutiny/agenda_item_form.html",
        {
            "form": form,
            "title": f"Edit agenda item {item.number}",
            "caption": str(meeting),
            "item": item,
            "breadcrumbs": _meeting_trail(meeting, (f"Item {item.number}", None)),
        },
    )


@require_POST
@permission_required("scrutiny.change_scrutinypack")
def agenda_item_remove(request, pk: int):
    item = _agenda_item(request, pk)
    try:
        services.agenda_item_remove(item=item, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{item.title} taken off the agenda; the items after it have moved up.")
    return redirect(item.meeting)


def _supplement(request, pk: int, number: int) -> PackSupplement:
    """A supplement the user may open (drafts only for those who prepare packs); 404 otherwise."""
    return get_object_or_404(
        PackSupplement.objects.visible_to(request.user).select_related("pack__meeting__committee", "published_by"),
        pack_id=pk,
        number=number,
    )


def _supplement_form(request, *, pack: ScrutinyPack, supplement: PackSupplement | None) -> SupplementForm:
    """The late items one may add: strategies not in the pack nor in another of its supplements, in agenda
    order; a new supplement pre-selects the late items still waiting for one."""
    others = PackSupplement.objects.filter(pack=pack)
    if supplement is not None:
        others = others.exclude(pk=supplement.pk)
    choices = (
        CommissioningStrategy.objects.visible_to(request.user)
        .exclude(pk__in=pack.appendices.values("strategy_id"))
        .exclude(pk__in=SupplementItem.objects.filter(supplement__in=others).values("strategy_id"))
        .order_by("name")
    )
    agenda = AgendaItem.objects.filter(meeting_id=pack.meeting_id, strategy__isnull=False)
    order = dict(agenda.values_list("strategy_id", "number"))
    if supplement is not None:
        initial = {
            "reason_for_urgency": supplement.reason_for_urgency,
            "chair_agreed_by": supplement.chair_agreed_by,
            "chair_agreed_on": supplement.chair_agreed_on,
            "strategies": list(supplement.items.values_list("strategy_id", flat=True)),
        }
    else:
        waiting = agenda.filter(late=True, supplement__isnull=True).values_list("strategy_id", flat=True)
        initial = {"strategies": list(waiting)}
    return SupplementForm(_posted(request), initial=initial, choices=choices, order=order)


def _supplement_form_page(request, *, pack, supplement: PackSupplement | None):
    """The supplement form, new or to edit: saved through supplement_create / supplement_update, whose field
    errors (reasons for urgency, late items) show on the form."""
    form = _supplement_form(request, pack=pack, supplement=supplement)

    def save() -> PackSupplement:
        fields = {
            "by": request.user,
            "reason_for_urgency": form.cleaned_data["reason_for_urgency"],
            "strategies": form.chosen_strategies(),
            "chair_agreed_by": form.cleaned_data["chair_agreed_by"],
            "chair_agreed_on": form.cleaned_data["chair_agreed_on"],
        }
        if supplement is None:
            return services.supplement_create(pack=pack, **fields)
        return services.supplement_update(supplement=supplement, **fields)

    saved = save_through_service(
        request,
        form,
        save,
        success=lambda s: (
            f"Supplement {s.number} saved as a draft. Render it to check the PDF before publishing."
            if supplement is None
            else f"Supplement {s.number} saved. Render it again to include the changes in the PDF."
        ),
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    if supplement is None:
        title, trail = "Add a supplement to the pack", [("New supplement", None)]
    else:
        title = f"Edit supplement {supplement.number}"
        trail = [(f"Supplement {supplement.number}", supplement.get_absolute_url()), ("Edit", None)]
    return render(
        request,
        "scrutiny/supplement_form.html",
        {
            "form": form,
            "pack": pack,
            "title": title,
            "caption": f"{pack.title}, {pack.meeting}",
            "breadcrumbs": _breadcrumbs((pack.title, pack.get_absolute_url()), *trail),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_scrutinypack")
def supplement_create(request, pk: int):
    return _supplement_form_page(request, pack=selectors.pack_for_page(pk=pk, user=request.user), supplement=None)


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_scrutinypack")
def supplement_edit(request, pk: int, number: int):
    supplement = _supplement(request, pk, number)
    return _supplement_form_page(request, pack=supplement.pack, supplement=supplement)


def _supplement_status(supplement: PackSupplement, user) -> dict:
    return _status_payload(
        status=supplement.render_status,
        label=supplement.get_render_status_display(),
        done=1 if supplement.render_status == RenderStatus.READY else 0,
        total=1,
        error=supplement.render_error,
        download_url=supplement.get_download_url() if supplement.file else "",
        can_retry=permissions.may(user, "scrutiny.change_scrutinypack")
        and not supplement.is_frozen
        and services.can_request_render(status=supplement.render_status, updated_at=supplement.updated_at),
    )


@require_GET
def supplement_detail(request, pk: int, number: int):
    supplement = _supplement(request, pk, number)
    pack = supplement.pack
    prepares = permissions.may(request.user, "scrutiny.change_scrutinypack")
    first_page, first_appendix = (
        (supplement.first_page, None) if supplement.is_frozen else documents.supplement_numbering(supplement)
    )
    agenda = AgendaItem.objects.filter(supplement=supplement).order_by("number")
    return render(
        request,
        "scrutiny/supplement_detail.html",
        {
            "supplement": supplement,
            "pack": pack,
            "agenda": list(agenda),
            "first_page": first_page,
            "first_appendix": first_appendix,
            "prepares": prepares,
            "can_change": prepares and not supplement.is_frozen,
            "can_publish": permissions.may(request.user, "scrutiny.publish_scrutinypack") and not supplement.is_frozen,
            "render": _supplement_status(supplement, request.user),
            "status_url": reverse("scrutiny:supplement_status", args=[pack.pk, supplement.number]),
            "render_url": reverse("scrutiny:supplement_render", args=[pack.pk, supplement.number]),
            "is_stale": services.is_stale(status=supplement.render_status, updated_at=supplement.updated_at),
            "breadcrumbs": _breadcrumbs(
                (pack.meeting.committee.name, pack.meeting.committee.get_absolute_url()),
                (f"{pack.meeting.date:%-d %B %Y}", pack.meeting.get_absolute_url()),
                (pack.title, pack.get_absolute_url()),
                (f"Supplement {supplement.number}", None),
            ),
        },
    )


@require_GET
def supplement_status(request, pk: int, number: int):
    response = JsonResponse(_supplement_status(_supplement(request, pk, number), request.user))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@permission_required("scrutiny.change_scrutinypack")
def supplement_render(request, pk: int, number: int):
    supplement = _supplement(request, pk, number)
    try:
        services.supplement_request_render(
            supplement=supplement, by=request.user, force=request.POST.get("force") == "1"
        )
    except services.RenderNotAllowed as error:
        messages.info(request, str(error))
    return redirect(supplement)


@require_POST
@permission_required("scrutiny.publish_scrutinypack")
def supplement_publish(request, pk: int, number: int):
    supplement = _supplement(request, pk, number)
    try:
        services.supplement_publish(supplement=supplement, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Supplement {supplement.number} published. The committee's members have been told.")
    return redirect(supplement)


@require_GET
def supplement_download(request, pk: int, number: int):
    """The supplement's PDF: once published, the bytes the members were sent (to whoever reads the pack); a
    draft's working render only to those who prepare packs (PackSupplement.visible_to)."""
    supplement = _supplement(request, pk, number)
    if not supplement.is_frozen and supplement.render_status != RenderStatus.READY:
        raise Http404("The PDF is not ready.")
    pack = supplement.pack
    name = f"{slugify(pack.title)}-{pack.meeting.date:%Y-%m-%d}-supplement-{supplement.number}.pdf"
    return _stream(supplement.file.name or "", name)


# --- Decision records ----------------------------------------------------------------------------------


def _decision_breadcrumbs(*trail):
    return _breadcrumbs(("Decision records", reverse("scrutiny:decisions")), *trail)


@require_GET
@permission_required("scrutiny.view_decision")
def decision_list(request):
    filterset = DecisionFilter(
        request.GET, queryset=Decision.objects.visible_to(request.user).order_by("-report_date", "reference")
    )
    form = filterset.form
    if not form.is_valid():
        # A filter that cannot be applied (an unknown outcome, a year that is not a number) is left out, and said.
        for name, errors in form.errors.items():
            messages.warning(
                request, f"The “{form.fields[name].label or name}” filter was not applied: {' '.join(errors)}"
            )
    page = page_of(request, filterset.qs)
    chosen = form.cleaned_data if form.is_valid() else {}
    return render(
        request,
        "scrutiny/decision_list.html",
        {
            "page_obj": page,
            "decisions": list(page.object_list),
            "outcomes": Decision.Outcome.choices,
            "filters": {
                "outcome": chosen.get("outcome") or "",
                "key_decision": {True: "true", False: "false"}.get(chosen.get("key_decision"), ""),
                "year": int(chosen["year"]) if chosen.get("year") is not None else "",
            },
            "querystring": querystring_without(request),
            "can_add": permissions.may(request.user, "scrutiny.add_decision"),
            "breadcrumbs": _breadcrumbs(("Decision records", None)),
        },
    )


def _decision(request, pk: int) -> Decision:
    return get_object_or_404(Decision.objects.visible_to(request.user), pk=pk)


@require_GET
@permission_required("scrutiny.view_decision")
def decision_detail(request, pk: int):
    """The decision record, section by section as the Executive report prints it, and the packs that carry it
    (those the reader may open), each saying whether its published revision printed the decision as it is now."""
    decision = get_object_or_404(
        Decision.objects.visible_to(request.user).prefetch_related(
            Prefetch("strategies", queryset=CommissioningStrategy.objects.order_by("name")),
            Prefetch(
                "reports",
                queryset=HighlightReport.objects.visible_to(request.user)
                .select_related("strategy")
                .order_by("strategy__name", "-year", "-quarter"),
            ),
        ),
        pk=pk,
    )
    latest = PackRevision.objects.filter(pack=OuterRef("pk")).order_by("-number")
    packs = list(
        ScrutinyPack.objects.visible_to(request.user)
        .filter(decision=decision)
        .select_related("meeting__committee")
        .annotate(
            latest_revision=Subquery(latest.values("number")[:1]),
            latest_published_at=Subquery(latest.values("published_at")[:1]),
        )
        .order_by("-report_date", "-pk")
    )
    for pack in packs:
        # The decision changed after the pack's latest revision printed it: members read it as it was.
        pack.prints_earlier_version = bool(
            pack.latest_published_at
            and decision.updated_at > pack.latest_published_at
            and documents.decision_printed_differently_since(decision, pack.latest_published_at)
        )
    return render(
        request,
        "scrutiny/decision_detail.html",
        {
            "decision": decision,
            "alternatives": documents.decision_alternatives(decision),
            "forward_plan_entry": selectors.forward_plan_entry_of_decision(decision=decision, user=request.user),
            "packs": packs,
            "can_change": permissions.may(request.user, "scrutiny.change_decision"),
            "prepares": permissions.may(request.user, "scrutiny.change_scrutinypack"),
            "breadcrumbs": _decision_breadcrumbs((decision.reference, None)),
        },
    )


def _decision_saved_message(decision: Decision) -> str:
    published = [
        pack
        for pack in services.decision_packs_published(decision)
        if documents.decision_printed_differently_since(decision, pack.revisions.order_by("-number")[0].published_at)
    ]
    if not published:
        return f"Decision {decision.reference} saved."
    titles = ", ".join(f"{p.title} ({p.meeting.date:%-d %B %Y})" for p in published)
    return (
        f"Decision {decision.reference} saved. It is printed in the published pack {titles}: its members keep the "
        "revision they were sent until the pack's next revision prints the change."
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.add_decision")
def decision_create(request):
    form = DecisionForm(_posted(request), user=request.user)
    saved = save_through_service(
        request,
        form,
        lambda: services.decision_create(
            by=request.user,
            data=form.service_data(),
            strategies=list(form.cleaned_data["strategies"]),
            reports=list(form.cleaned_data["reports"]),
        ),
        success=lambda saved: f"Decision {saved.reference} recorded.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "scrutiny/decision_form.html",
        {"form": form, "title": "Record a decision", "breadcrumbs": _decision_breadcrumbs(("Record a decision", None))},
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_decision")
def decision_edit(request, pk: int):
    decision = _decision(request, pk)
    form = DecisionForm(_posted(request), instance=decision, user=request.user)
    saved = save_through_service(
        request,
        form,
        lambda: services.decision_update(
            decision=decision,
            by=request.user,
            data=form.service_data(),
            strategies=list(form.cleaned_data["strategies"]),
            reports=list(form.cleaned_data["reports"]),
        ),
        success=_decision_saved_message,
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "scrutiny/decision_form.html",
        {
            "form": form,
            "title": f"Edit decision {decision.reference}",
            "packs_published": services.decision_packs_published(decision),
            "breadcrumbs": _decision_breadcrumbs((decision.reference, decision.get_absolute_url()), ("Edit", None)),
        },
    )


# --- A published revision read on screen ---------------------------------------------------------------


def _stored_paged_body(name: str) -> str | None:
    """The body of a revision's stored HTML copy (commissioning.pdf.PagedHtml), or None if it has none."""
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as stored:
        return PagedHtml.body_of(stored.read().decode("utf-8"))


@require_GET
def revision_html(request, pk: int, number: int):
    """One published revision as HTML, its text marked with the PDF's page numbers ("Page 27"), for reading and
    citing on a phone. Whoever may read the revision's PDF reads this; a superseded revision says so."""
    revision = get_object_or_404(
        PackRevision.objects.visible_to(request.user).select_related("pack__meeting__committee"),
        pack_id=pk,
        number=number,
    )
    pack = revision.pack
    latest = PackRevision.objects.filter(pack_id=pk).order_by("-number").only("pk", "number", "published_at").first()
    return render(
        request,
        "scrutiny/revision_html.html",
        {
            "pack": pack,
            "revision": revision,
            "latest": latest if latest is not None and latest.number != revision.number else None,
            # The copy is ours (laid out from the pack's own escaped HTML at publication), never user input.
            "body": _stored_paged_body((revision.html_file.name or "") if revision.html_file else ""),
            "breadcrumbs": _breadcrumbs(
                (pack.meeting.committee.name, pack.meeting.committee.get_absolute_url()),
                (f"{pack.meeting.date:%-d %B %Y}", pack.meeting.get_absolute_url()),
                (pack.title, pack.get_absolute_url()),
                (f"Revision {revision.number} on screen", None),
            ),
        },
    )


# --- Two-stage scrutiny and recommendations ---


def _report_trail(report: HighlightReport, *tail):
    return [
        ("Strategies", reverse("strategies:list")),
        (report.strategy.name, report.strategy.get_absolute_url()),
        (str(report.period), report.get_absolute_url()),
        *tail,
    ]


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.add_scrutinystage")
def stage_add(request, report_pk: int):
    """Send a highlight report to its next scrutiny stage."""
    report = get_object_or_404(
        HighlightReport.objects.visible_to(request.user).select_related("strategy"), pk=report_pk
    )
    permissions.require(request.user, "scrutiny.add_scrutinystage", ScrutinyStage(report=report))
    form = StageForm(_posted(request), user=request.user)
    saved = save_through_service(
        request,
        form,
        lambda: services.stage_add(
            report=report, step=form.cleaned_data["step"], meeting=form.cleaned_data["meeting"], by=request.user
        ),
        success=lambda stage: f"{stage.get_step_display()} stage at the {stage.meeting} added.",
    )
    if saved is not NOT_SAVED:
        return redirect(report)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Add a scrutiny stage",
            "caption": f"{report.strategy.name} highlight report, {report.period}",
            "breadcrumbs": _report_trail(report, ("Add a scrutiny stage", None)),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_scrutinystage")
def stage_conclude(request, pk: int):
    """Record a stage's conclusions (the committee's conclusions about the report's strategy at the meeting)."""
    stage = selectors.stage_for_page(pk=pk, user=request.user)
    permissions.require(request.user, "scrutiny.change_scrutinystage", stage)
    form = StageConclusionForm(_posted(request))
    saved = save_through_service(
        request,
        form,
        lambda: services.stage_conclude(
            stage=stage,
            by=request.user,
            text=form.cleaned_data["text"],
            concluded_on=form.cleaned_data["concluded_on"],
        ),
        success=lambda stage: f"Conclusions of the {stage.meeting} recorded.",
    )
    if saved is not NOT_SAVED:
        return redirect(stage.report)
    return render(
        request,
        "scrutiny/stage_conclude.html",
        {
            "form": form,
            "stage": stage,
            "title": f"Record the conclusions of the {stage.meeting.committee}",
            "caption": f"{stage.report.strategy.name} highlight report, {stage.report.period}",
            "breadcrumbs": _report_trail(stage.report, ("Record conclusions", None)),
        },
    )


def _recommendation_trail(*trail):
    return _breadcrumbs(("Recommendations", reverse("scrutiny:recommendations")), *trail)


@require_GET
@permission_required("scrutiny.view_scrutinyrecommendation")
def recommendation_list(request):
    filterset = RecommendationFilter(request.GET, queryset=selectors.recommendations_for_list(user=request.user))
    form = filterset.form
    if not form.is_valid():
        for name, errors in form.errors.items():
            messages.warning(
                request, f"The “{form.fields[name].label or name}” filter was not applied: {' '.join(errors)}"
            )
    page = page_of(request, filterset.qs)
    chosen = form.cleaned_data if form.is_valid() else {}
    committee = chosen.get("committee")
    return render(
        request,
        "scrutiny/recommendation_list.html",
        {
            "page_obj": page,
            "recommendations": list(page.object_list),
            "committees": Committee.objects.visible_to(request.user).order_by("name"),
            "statuses": ScrutinyRecommendation.Status.choices,
            "filters": {
                "committee": committee.pk if committee else "",
                "status": chosen.get("status") or "",
                "overdue": {True: "true", False: "false"}.get(chosen.get("overdue"), ""),
                "year": int(chosen["year"]) if chosen.get("year") is not None else "",
                "quarter": int(chosen["quarter"]) if chosen.get("quarter") is not None else "",
            },
            "querystring": querystring_without(request),
            "current_quarter": current_quarter(),
            "can_add": permissions.may(request.user, "scrutiny.add_scrutinyrecommendation"),
            "breadcrumbs": _breadcrumbs(("Recommendations", None)),
        },
    )


def _recommendation(request, pk: int) -> ScrutinyRecommendation:
    return selectors.recommendation_for_page(pk=pk, user=request.user)


@require_GET
@permission_required("scrutiny.view_scrutinyrecommendation")
def recommendation_detail(request, pk: int):
    recommendation = _recommendation(request, pk)
    can_change = permissions.may(request.user, "scrutiny.change_scrutinyrecommendation", recommendation)
    open_ = recommendation.status != ScrutinyRecommendation.Status.CLOSED
    return render(
        request,
        "scrutiny/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "actions": list(recommendation.actions.all()),
            "can_change": can_change and open_,
            "can_respond": can_change and open_ and not recommendation.response,
            "can_act": can_change and open_ and bool(recommendation.response),
            "quarter": FinancialQuarter.containing(recommendation.meeting.date),
            "breadcrumbs": _recommendation_trail((str(recommendation), None)),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.add_scrutinyrecommendation")
def recommendation_create(request):
    form = RecommendationForm(_posted(request), user=request.user)
    saved = save_through_service(
        request,
        form,
        lambda: services.recommendation_create(by=request.user, data=form.service_data()),
        success=lambda saved: f"Recommendation {saved.number} of the {saved.committee} recorded.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Record a recommendation",
            "breadcrumbs": _recommendation_trail(("Record a recommendation", None)),
        },
    )


def _changeable(request, pk: int) -> ScrutinyRecommendation:
    recommendation = _recommendation(request, pk)
    permissions.require(request.user, "scrutiny.change_scrutinyrecommendation", recommendation)
    return recommendation


def _recommendation_form_page(request, recommendation, form, *, title: str):
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": str(recommendation),
            "breadcrumbs": _recommendation_trail(
                (str(recommendation), recommendation.get_absolute_url()), (title, None)
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_scrutinyrecommendation")
def recommendation_edit(request, pk: int):
    recommendation = _changeable(request, pk)
    form = RecommendationForm(_posted(request), instance=recommendation, user=request.user)
    saved = save_through_service(
        request,
        form,
        lambda: services.recommendation_update(
            recommendation=recommendation, by=request.user, data=form.service_data()
        ),
        success="Recommendation saved.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return _recommendation_form_page(request, recommendation, form, title="Edit the recommendation")


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_scrutinyrecommendation")
def recommendation_respond(request, pk: int):
    recommendation = _changeable(request, pk)
    form = RecommendationResponseForm(_posted(request))
    saved = save_through_service(
        request,
        form,
        lambda: services.recommendation_respond(
            recommendation=recommendation,
            by=request.user,
            response=form.cleaned_data["response"],
            reasons=form.cleaned_data["response_reasons"],
            responded_by=form.cleaned_data["responded_by"],
            responded_on=form.cleaned_data["responded_on"],
            actions=form.actions(),
        ),
        success=lambda saved: f"The Executive's response ({saved.get_response_display().lower()}) recorded.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return _recommendation_form_page(request, recommendation, form, title="Record the Executive's response")


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_scrutinyrecommendation")
def recommendation_close(request, pk: int):
    recommendation = _changeable(request, pk)
    form = RecommendationCloseForm(_posted(request))
    saved = save_through_service(
        request,
        form,
        lambda: services.recommendation_close(
            recommendation=recommendation,
            by=request.user,
            closing_note=form.cleaned_data["closing_note"],
            closed_on=form.cleaned_data["closed_on"],
        ),
        success="Recommendation closed.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return _recommendation_form_page(request, recommendation, form, title="Close the recommendation")


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.add_recommendationaction")
def action_add(request, pk: int):
    recommendation = _changeable(request, pk)
    form = RecommendationActionForm(_posted(request))
    saved = save_through_service(
        request,
        form,
        lambda: services.action_add(recommendation=recommendation, by=request.user, data=form.service_data()),
        success="Action added.",
    )
    if saved is not NOT_SAVED:
        return redirect(recommendation)
    return _recommendation_form_page(request, recommendation, form, title="Add an action")


def _action(request, pk: int) -> RecommendationAction:
    readable = ScrutinyRecommendation.objects.visible_to(request.user)
    action = get_object_or_404(
        RecommendationAction.objects.filter(recommendation__in=readable).select_related(
            "recommendation__strategy", "recommendation__committee", "recommendation__meeting"
        ),
        pk=pk,
    )
    permissions.require(request.user, "scrutiny.change_recommendationaction", action)
    return action


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_recommendationaction")
def action_edit(request, pk: int):
    action = _action(request, pk)
    form = RecommendationActionForm(_posted(request), instance=action)
    saved = save_through_service(
        request,
        form,
        lambda: services.action_update(action=action, by=request.user, data=form.service_data()),
        success="Action saved.",
    )
    if saved is not NOT_SAVED:
        return redirect(action.recommendation)
    return _recommendation_form_page(request, action.recommendation, form, title="Edit the action")


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_recommendationaction")
def action_complete(request, pk: int):
    action = _action(request, pk)
    form = ActionCompleteForm(_posted(request))
    saved = save_through_service(
        request,
        form,
        lambda: services.action_complete(
            action=action,
            by=request.user,
            completed_on=form.cleaned_data["completed_on"],
            progress=form.cleaned_data["progress"] or None,
        ),
        success="Action marked as completed.",
    )
    if saved is not NOT_SAVED:
        return redirect(action.recommendation)
    return _recommendation_form_page(request, action.recommendation, form, title="Complete the action")


# --- The quarterly tracker of a committee's recommendations ---------------------------------------------------


def _tracker(request, pk: int) -> dict:
    """The committee, the quarter asked for (?quarter=2018-Q3; the current one if none, or if not a quarter) and
    the tracker's recommendations."""
    committee = get_object_or_404(Committee.objects.visible_to(request.user), pk=pk)
    asked = request.GET.get("quarter", "").strip()
    period = current_quarter()
    if asked:
        try:
            period = FinancialQuarter.parse(asked)
        except ValueError as error:
            messages.warning(request, f"The “Quarter” was not applied: {error}")
    recommendations = selectors.tracker_recommendations(committee=committee, period=period, user=request.user)
    return {
        "committee": committee,
        "period": period,
        "recommendations": recommendations,
        "counts": selectors.tracker_counts(recommendations),
        "today": timezone.localdate(),
    }


def _tracker_name(context: dict, extension: str) -> str:
    return f"{slugify(context['committee'].name)}-recommendations-{context['period'].key}.{extension}"


@require_GET
@permission_required("scrutiny.view_scrutinyrecommendation", "scrutiny.view_committee")
def tracker(request, pk: int):
    context = _tracker(request, pk)
    committee, period = context["committee"], context["period"]
    context |= {
        "previous": period.previous(),
        "next": period.next(),
        "breadcrumbs": _breadcrumbs(
            (committee.name, committee.get_absolute_url()), (f"Recommendation tracker, {period}", None)
        ),
    }
    return render(request, "scrutiny/tracker.html", context)


@require_GET
@permission_required("scrutiny.view_scrutinyrecommendation", "scrutiny.view_committee")
def tracker_csv(request, pk: int):
    context = _tracker(request, pk)
    out = io.StringIO()
    out.write("\ufeff")  # so Excel opens the file as UTF-8
    writer = csv.writer(out)
    writer.writerow(selectors.TRACKER_HEADERS)
    for recommendation in context["recommendations"]:
        writer.writerow(neutralise_row(selectors.tracker_row(recommendation)))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_tracker_name(context, "csv")}"'
    return response


@require_GET
@permission_required("scrutiny.view_scrutinyrecommendation", "scrutiny.view_committee")
def tracker_pdf(request, pk: int):
    context = _tracker(request, pk)
    context["title"] = f"{context['committee'].name}: recommendation tracker, {context['period']}"
    context["council_name"] = settings.COUNCIL_NAME
    html = render_to_string("scrutiny/pdf/tracker.html", context)
    rendered = html_to_pdf(html, stylesheets=documents.stylesheet_paths())
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_tracker_name(context, "pdf")}"'
    return response


# --- Forward plan ----------------------------------------------------------------------------------------


FORWARD_PLAN_EXPORT_HEADERS = [
    "Decision reference",
    "Matter for decision",
    "Description",
    "Decision maker",
    "Date of decision",
    "Key decision",
    "Directorate",
    "Date first published",
    "Clear days' notice",
    "Notice given (28 clear days)",
    "Notice route",
    "Reasons notice is short",
    "Exempt information (Schedule 12A paragraph)",
    "Documents to be submitted",
    "How to make representations",
    "Contact officer",
    "Status",
    "Decision record",
]


def _forward_plan_breadcrumbs(*trail):
    return _breadcrumbs(("Forward plan", reverse("scrutiny:forward_plan")), *trail)


def _as_at(request) -> date | None:
    """The ?as_at= day (YYYY-MM-DD) the plan is shown as it stood on; a day that is not a date is left out, and
    said."""
    value = (request.GET.get("as_at") or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        messages.warning(request, "The “As at” date was not applied: enter it as YYYY-MM-DD, e.g. 2019-05-01.")
        return None


def _forward_plan_filtered(request):
    """The entries the page (and its exports) lists: the published plan (decisions still to come), the plan as
    at a day (``as_at``), or every entry once a status or a start is chosen; then the filters. Filters that
    cannot be applied are left out, and said."""
    as_at = _as_at(request)
    if as_at is not None:
        base = selectors.forward_plan_as_at(user=request.user, on=as_at)
    elif request.GET.get("status") or request.GET.get("from"):
        base = selectors.forward_plan_entries(user=request.user)
    else:
        base = selectors.forward_plan_published(user=request.user)
    filterset = ForwardPlanFilter(request.GET, queryset=base)
    form = filterset.form
    if not form.is_valid():
        for name, errors in form.errors.items():
            messages.warning(
                request, f"The “{form.fields[name].label or name}” filter was not applied: {' '.join(errors)}"
            )
    return filterset, as_at


def _month_choices(user) -> list[tuple[str, str]]:
    """The months the month filters offer: those of the plan's entries, and the year ahead."""
    today = timezone.localdate().replace(day=1)
    span = ForwardPlanEntry.objects.visible_to(user).aggregate(first=Min("decision_due"), last=Max("decision_due"))
    first = min(filter(None, [span["first"], today])).replace(day=1)
    last = max(filter(None, [span["last"], today + relativedelta(months=12)])).replace(day=1)
    months = []
    while first <= last:
        months.append((f"{first:%Y-%m}", f"{first:%B %Y}"))
        first += relativedelta(months=1)
    return months


@require_GET
@permission_required("scrutiny.view_forwardplanentry")
def forward_plan(request):
    """The forward plan as councils publish it, month by month: each decision's reference, matter, decision
    maker, date, whether it is a key decision, exempt paragraph, documents, how to make representations and
    contact, with the notice it gives. Officers also see the key re-procurement decisions missing from it."""
    filterset, as_at = _forward_plan_filtered(request)
    page = page_of(request, filterset.qs)
    entries = selectors.with_notice(page.object_list)
    form = filterset.form
    chosen = form.cleaned_data if form.is_valid() else {}
    missing = selectors.contracts_missing_from_forward_plan(user=request.user)
    today = timezone.localdate()
    short_notice = selectors.with_notice(
        selectors.forward_plan_short_notice(user=request.user, upcoming_from=today).prefetch_related(
            None
        )  # the list names each entry only
    )
    return render(
        request,
        "scrutiny/forward_plan.html",
        {
            "page_obj": page,
            "months": selectors.forward_plan_by_month(entries),
            "as_at": as_at,
            "decision_makers": selectors.forward_plan_decision_makers(user=request.user),
            "month_choices": _month_choices(request.user),
            "routes": ForwardPlanEntry.NoticeRoute.choices,
            "statuses": ForwardPlanEntry.Status.choices,
            "filters": {
                "decision_maker": chosen.get("decision_maker") or "",
                "from": f"{chosen['from']:%Y-%m}" if chosen.get("from") else "",
                "to": f"{chosen['to']:%Y-%m}" if chosen.get("to") else "",
                "key_decision": {True: "true", False: "false"}.get(chosen.get("key_decision"), ""),
                "notice_route": chosen.get("notice_route") or "",
                "status": chosen.get("status") or "",
            },
            "querystring": querystring_without(request),
            "missing": list(missing[:50]),
            "missing_count": missing.count(),
            "short_notice": short_notice,
            "threshold": selectors.KEY_DECISION_THRESHOLD,
            "can_add": permissions.may(request.user, "scrutiny.add_forwardplanentry"),
            "breadcrumbs": _breadcrumbs(("Forward plan", None)),
        },
    )


def _forward_plan_row(entry: ForwardPlanEntry) -> list:
    days = selectors.notice_clear_days(entry)
    return [
        entry.reference,
        entry.title,
        entry.description,
        entry.decision_maker,
        entry.decision_due,
        "Yes" if entry.key_decision else "No",
        entry.directorate.name if entry.directorate_id and entry.directorate else "",
        entry.first_published,
        days,
        "Yes" if selectors.notice_given(entry) else "No",
        entry.get_notice_route_display(),
        entry.urgency_reasons,
        entry.get_exempt_paragraph_display() if entry.exempt_paragraph else "Open",
        entry.documents,
        entry.consultation,
        entry.contact_officer,
        entry.get_status_display(),
        entry.decision.reference if entry.decision_id and entry.decision else "",
    ]


def _export_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(neutralise_formula(value))


def _forward_plan_export_name(as_at: date | None, extension: str) -> str:
    return f"forward-plan-{as_at or timezone.localdate():%Y-%m-%d}.{extension}"


@require_GET
@permission_required("scrutiny.view_forwardplanentry")
def forward_plan_csv(request):
    """The listed plan (its filters applied) as CSV, one row per decision."""
    filterset, as_at = _forward_plan_filtered(request)
    out = io.StringIO()
    out.write("\ufeff")  # so Excel opens the file as UTF-8
    writer = csv.writer(out)
    writer.writerow(FORWARD_PLAN_EXPORT_HEADERS)
    for entry in filterset.qs:
        writer.writerow([_export_cell(value) for value in _forward_plan_row(entry)])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_forward_plan_export_name(as_at, "csv")}"'
    return response


@require_GET
@permission_required("scrutiny.view_forwardplanentry")
def forward_plan_xlsx(request):
    """The listed plan (its filters applied) as an Excel workbook."""
    from openpyxl import Workbook

    filterset, as_at = _forward_plan_filtered(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Forward plan")
    sheet.append(FORWARD_PLAN_EXPORT_HEADERS)
    for entry in filterset.qs:
        sheet.append(neutralise_row(_forward_plan_row(entry)))
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_forward_plan_export_name(as_at, "xlsx")}"'
    return response


@require_GET
@permission_required("scrutiny.view_forwardplanentry")
def forward_plan_entry(request, pk: int):
    entry = selectors.forward_plan_entry_for_page(pk=pk, user=request.user)
    may_change = permissions.may(request.user, "scrutiny.change_forwardplanentry", entry)
    return render(
        request,
        "scrutiny/forward_plan_entry.html",
        {
            "entry": entry,
            "can_change": may_change and entry.status in services.FORWARD_PLAN_MOVES,
            "notice_clear_days": selectors.NOTICE_CLEAR_DAYS,
            "breadcrumbs": _forward_plan_breadcrumbs((entry.reference, None)),
        },
    )


def _forward_plan_links(form: ForwardPlanEntryForm) -> dict:
    return {
        "contracts": form.cleaned_data["contracts"],
        "projects": form.cleaned_data["projects"],
        "strategies": list(form.cleaned_data["strategies"]),
    }


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.add_forwardplanentry")
def forward_plan_entry_create(request):
    initial = {}
    contract = request.GET.get("contract", "").strip()
    if contract:
        initial["contracts"] = contract  # from "Decisions missing from the forward plan"
    form = ForwardPlanEntryForm(_posted(request), user=request.user, initial=initial)
    saved = save_through_service(
        request,
        form,
        lambda: services.forward_plan_entry_create(
            by=request.user, data=form.service_data(), **_forward_plan_links(form)
        ),
        success=lambda saved: f"Decision {saved.reference} added to the forward plan.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "scrutiny/forward_plan_form.html",
        {
            "form": form,
            "title": "Add a decision to the forward plan",
            "breadcrumbs": _forward_plan_breadcrumbs(("Add a decision", None)),
        },
    )


def _entry_to_change(request, pk: int) -> ForwardPlanEntry:
    entry = get_object_or_404(ForwardPlanEntry.objects.visible_to(request.user), pk=pk)
    permissions.require(request.user, "scrutiny.change_forwardplanentry", entry)
    return entry


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_forwardplanentry")
def forward_plan_entry_edit(request, pk: int):
    entry = _entry_to_change(request, pk)
    form = ForwardPlanEntryForm(_posted(request), instance=entry, user=request.user)
    saved = save_through_service(
        request,
        form,
        lambda: services.forward_plan_entry_update(
            entry=entry, by=request.user, data=form.service_data(), **_forward_plan_links(form)
        ),
        success=lambda saved: f"Decision {saved.reference} saved.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "scrutiny/forward_plan_form.html",
        {
            "form": form,
            "title": f"Edit forward plan entry {entry.reference}",
            "breadcrumbs": _forward_plan_breadcrumbs((entry.reference, entry.get_absolute_url()), ("Edit", None)),
        },
    )


def _record_progress(request, entry: ForwardPlanEntry, form: ForwardPlanProgressForm) -> ForwardPlanEntry:
    status = form.cleaned_data["status"]
    if status == ForwardPlanEntry.Status.DEFERRED:
        return services.forward_plan_entry_defer(
            entry=entry, by=request.user, decision_due=form.cleaned_data["decision_due"]
        )
    if status == ForwardPlanEntry.Status.WITHDRAWN:
        return services.forward_plan_entry_withdraw(entry=entry, by=request.user)
    return services.forward_plan_entry_link_decision(
        entry=entry, by=request.user, decision=form.cleaned_data["decision"]
    )


@require_http_methods(["GET", "POST"])
@permission_required("scrutiny.change_forwardplanentry")
def forward_plan_entry_progress(request, pk: int):
    """Record what became of the decision: decided (its decision record), deferred or withdrawn."""
    entry = _entry_to_change(request, pk)
    form = ForwardPlanProgressForm(_posted(request), user=request.user)
    saved = save_through_service(
        request,
        form,
        lambda: _record_progress(request, entry, form),
        success=lambda saved: f"Decision {saved.reference}: {saved.get_status_display().lower()}.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": f"What happened to {entry.reference}?",
            "caption": entry.title,
            "breadcrumbs": _forward_plan_breadcrumbs(
                (entry.reference, entry.get_absolute_url()), ("What happened", None)
            ),
        },
    )
