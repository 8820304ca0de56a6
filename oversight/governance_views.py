"""Pages of the Contract Management Governance group and the monthly contracts causing concern review: the
meetings, one meeting's agenda, minutes and actions, and the month's list. Thin: check permission, call a service
or selector, render."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.forms import service_form_page
from commissioning.listing import page_of, querystring_without
from commissioning.permissions import permission_required

from . import governance
from .escalation_forms import (
    ActionForm,
    AgreeMinutesForm,
    GovernanceItemAddForm,
    GovernanceItemForm,
    GovernanceMeetingForm,
    MinutesForm,
    ReviewMonthForm,
)
from .models import GovernanceItem, GovernanceMeeting

CRUMB = ("Governance meetings", "oversight:governance_meetings")


def _meeting(request, pk: int) -> GovernanceMeeting:
    try:
        return governance.governance_meeting_detail(user=request.user, pk=pk)
    except GovernanceMeeting.DoesNotExist as missing:
        raise Http404("No such meeting.") from missing


def _crumbs(*more):
    return [(CRUMB[0], reverse(CRUMB[1])), *more]


def _meeting_context(meeting: GovernanceMeeting, *, title: str) -> dict:
    return {
        "title": title,
        "caption": str(meeting),
        "back_url": meeting.get_absolute_url(),
        "breadcrumbs": _crumbs((str(meeting), meeting.get_absolute_url()), (title, None)),
    }


@require_GET
@permission_required("oversight.view_governancemeeting")
def meeting_list(request):
    kind = request.GET.get("kind", "")
    if kind not in GovernanceMeeting.Kind.values:
        kind = ""
    page = page_of(request, governance.governance_meetings(user=request.user, kind=kind))
    return render(
        request,
        "oversight/governance/list.html",
        {
            "page_obj": page,
            "querystring": querystring_without(request),
            "meetings": page.object_list,
            "kind": kind,
            "kinds": GovernanceMeeting.Kind.choices,
            "breadcrumbs": [(CRUMB[0], None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_governancemeeting")
def meeting_add(request):
    form = GovernanceMeetingForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: governance.governance_meeting_create(by=request.user, **form.cleaned_data),
        success="Meeting set up with its agenda.",
        context={
            "title": "Set up a governance meeting",
            "back_url": reverse(CRUMB[1]),
            "breadcrumbs": _crumbs(("Set up a meeting", None)),
        },
    )


@require_GET
@permission_required("oversight.view_governancemeeting")
def meeting_detail(request, pk: int):
    meeting = _meeting(request, pk)
    return render(
        request,
        "oversight/governance/detail.html",
        {"meeting": meeting, "breadcrumbs": _crumbs((str(meeting), None))},
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_governancemeeting")
def meeting_minutes(request, pk: int):
    meeting = _meeting(request, pk)
    form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes, "attendees": meeting.attendees})
    return service_form_page(
        request,
        form,
        lambda: governance.governance_meeting_record_minutes(meeting=meeting, by=request.user, **form.cleaned_data),
        success="Minutes saved.",
        redirect_to=lambda saved: meeting,
        context=_meeting_context(meeting, title="Minutes"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_governanceitem")
def item_add(request, pk: int):
    meeting = _meeting(request, pk)
    form = GovernanceItemAddForm(request.POST or None, user=request.user)
    return service_form_page(
        request,
        form,
        lambda: governance.governance_item_add(meeting=meeting, by=request.user, **form.cleaned_data),
        success="Item added.",
        redirect_to=lambda saved: meeting,
        context=_meeting_context(meeting, title="Add an item"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_governanceitem")
def item_record(request, pk: int):
    item = get_object_or_404(GovernanceItem.objects.select_related("meeting"), pk=pk)
    meeting = _meeting(request, item.meeting_id)
    form = GovernanceItemForm(request.POST or None, initial={"discussion": item.discussion, "decision": item.decision})
    return service_form_page(
        request,
        form,
        lambda: governance.governance_item_record(item=item, by=request.user, **form.cleaned_data),
        success="Item saved.",
        redirect_to=lambda saved: meeting,
        context=_meeting_context(meeting, title=f"Item {item.position}: discussion and decision"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_escalationaction")
def action_add(request, pk: int):
    meeting = _meeting(request, pk)
    form = ActionForm(request.POST or None, escalations=governance.meeting_escalations(meeting))
    return service_form_page(
        request,
        form,
        lambda: governance.governance_action_add(meeting=meeting, by=request.user, **form.cleaned_data),
        success="Action added.",
        redirect_to=lambda saved: meeting,
        context=_meeting_context(meeting, title="Add an action"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_governancemeeting")
def meeting_agree(request, pk: int):
    meeting = _meeting(request, pk)
    form = AgreeMinutesForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: governance.governance_meeting_agree(meeting=meeting, by=request.user, **form.cleaned_data),
        success="Minutes agreed: they are now locked.",
        redirect_to=lambda saved: meeting,
        context=_meeting_context(meeting, title="Agree the minutes"),
    )


def _month(value: str) -> date | None:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return None


@require_GET
@permission_required("oversight.view_governancemeeting")
def causing_concern(request):
    """The month's contracts causing concern (?month=yyyy-mm; default this month), with the reasons."""
    this_month = timezone.localdate().replace(day=1)
    value = request.GET.get("month", "")
    month = _month(value) if value else this_month
    form = ReviewMonthForm(request.GET or None)
    error = ""
    if month is None or not date(2000, 1, 1) <= month <= this_month.replace(year=this_month.year + 1):
        error = "Enter a month as yyyy-mm, for example 2026-11."
        form.is_valid()
        form.add_error("month", error)
        month = this_month
    rows = governance.contracts_causing_concern(month=month, user=request.user)
    reviews = governance.governance_meetings(user=request.user, kind=GovernanceMeeting.Kind.CAUSING_CONCERN).filter(
        month=month
    )
    return render(
        request,
        "oversight/governance/causing_concern.html",
        {
            "form": form,
            "error": error,
            "month": month,
            "rows": rows,
            "reviews": list(reviews),
            "breadcrumbs": _crumbs(("Contracts causing concern", None)),
        },
        status=400 if error else 200,
    )
