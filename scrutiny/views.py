"""Pages of the scrutiny app. Thin: check permission, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning import permissions
from commissioning.forms import NOT_SAVED, save_through_service
from commissioning.permissions import permission_required
from strategies.models import CommissioningStrategy, HighlightReport

from . import documents, selectors, services
from .forms import CommitteeForm, ConclusionForm, ExemptItemForm, MeetingForm, PackForm
from .models import Committee, ExemptDocument, Meeting, PackRevision, ReportRender, ScrutinyPack

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
    packs = selectors.archive_packs(user=request.user, committee_id=committee_id)
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
    current = {a.strategy_id: a.order for a in pack.appendices.all()} if pack else {}
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


def _pack_page(request, pack: ScrutinyPack, *, publish_error: str = "", change_note: str = "", status: int = 200):
    """The pack's page; ``publish_error`` and ``change_note`` show a refused publication on its own field."""
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


@require_POST
@permission_required("scrutiny.publish_scrutinypack")
def pack_publish(request, pk: int):
    pack = selectors.pack_for_page(pk=pk, user=request.user)
    change_note = request.POST.get("change_note", "")
    try:
        revision = services.pack_publish(pack=pack, by=request.user, change_note=change_note)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "change_note" in error.error_dict:
            # The one error with a field of its own: shown on it, with what was typed kept.
            message = " ".join(error.message_dict["change_note"])
            return _pack_page(request, pack, publish_error=message, change_note=change_note)
        messages.error(request, " ".join(error.messages))
    else:
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
