"""Pages of safeguarding: a concern's page (its section 42 enquiry and who read it), the enquiry's forms, the
duty rota and the read audit. Thin: a selector or a service, then render; every read of a safeguarding concern
or serious incident is recorded (``safeguarding.audit_concern_reads``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning import audit, permissions
from commissioning.forms import service_form_page
from commissioning.listing import page_of, querystring_without
from commissioning.permissions import permission_required

from . import safeguarding, services
from .models import Concern, SafeguardingDutyLead
from .safeguarding_forms import DutyLeadForm, EnquiryConcludeForm, EnquiryRecordForm, ReadFilterForm

READS_SHOWN = 20


def _concern_or_404(request, pk: int) -> Concern:
    try:
        return safeguarding.concern_detail(user=request.user, pk=pk)
    except Concern.DoesNotExist:
        raise Http404("No such concern.") from None


def _breadcrumbs(concern: Concern, *last):
    return [
        ("Concerns", reverse("oversight:concerns")),
        (f"{concern.get_kind_display()} raised {concern.raised_on:%d/%m/%Y}", concern.get_absolute_url()),
        *last,
    ]


@require_GET
@permission_required("oversight.view_concern")
def concern_detail(request, pk: int):
    concern = _concern_or_404(request, pk)
    safeguarding.audit_concern_reads(user=request.user, concerns=[concern], via="page")
    reads = safeguarding.concern_reads(concern=concern)
    shown = list(reads[: READS_SHOWN + 1])
    return render(
        request,
        "oversight/safeguarding/concern_detail.html",
        {
            "concern": concern,
            "reads": shown[:READS_SHOWN],
            "more_reads": len(shown) > READS_SHOWN,
            "may_change": permissions.may(request.user, "oversight.change_concern", concern),
            "may_lift_sensitive": services.may_lift_sensitive(request.user),
            "may_see_reads": permissions.may(request.user, "commissioning.view_recordread"),
            "breadcrumbs": [
                ("Concerns", reverse("oversight:concerns")),
                (f"{concern.get_kind_display()} raised {concern.raised_on:%d/%m/%Y}", None),
            ],
        },
    )


def _enquiry_context(concern: Concern, *, title: str) -> dict:
    return {
        "title": title,
        "caption": f"{concern.get_kind_display()} at {concern.provider.name}",
        "back_url": concern.get_absolute_url(),
        "breadcrumbs": _breadcrumbs(concern, (title, None)),
    }


def _safeguarding_concern_or_404(request, pk: int) -> Concern:
    concern = _concern_or_404(request, pk)
    if not safeguarding.has_enquiry(concern):
        raise Http404(safeguarding.NOT_AN_ENQUIRY)
    return concern


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_concern")
def enquiry_record(request, pk: int):
    concern = _safeguarding_concern_or_404(request, pk)
    form = EnquiryRecordForm(request.POST or None, concern=concern)
    return service_form_page(
        request,
        form,
        lambda: safeguarding.concern_enquiry_record(concern=concern, by=request.user, **form.cleaned_data),
        success="Section 42 enquiry saved.",
        redirect_to=lambda saved: concern,
        context=_enquiry_context(concern, title="Section 42 enquiry"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_concern")
def enquiry_conclude(request, pk: int):
    concern = _safeguarding_concern_or_404(request, pk)
    form = EnquiryConcludeForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: safeguarding.concern_enquiry_conclude(concern=concern, by=request.user, **form.cleaned_data),
        success="Section 42 enquiry concluded.",
        redirect_to=lambda saved: concern,
        context=_enquiry_context(concern, title="Conclude the section 42 enquiry"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.view_safeguardingdutylead")
def duty_rota(request):
    form = DutyLeadForm(request.POST or None)
    if request.method == "POST":
        permissions.require(request.user, "oversight.add_safeguardingdutylead")
    return service_form_page(
        request,
        form,
        lambda: safeguarding.duty_lead_add(by=request.user, **form.cleaned_data),
        success="Added to the safeguarding duty rota.",
        redirect_to=lambda saved: "oversight:safeguarding_duty_rota",
        template="oversight/safeguarding/duty_rota.html",
        context={
            "rota": safeguarding.duty_rota(),
            "breadcrumbs": [("Concerns", reverse("oversight:concerns")), ("Safeguarding duty rota", None)],
        },
    )


@require_POST
@permission_required("oversight.delete_safeguardingdutylead")
def duty_remove(request, pk: int):
    duty = get_object_or_404(SafeguardingDutyLead, pk=pk)
    safeguarding.duty_lead_remove(duty=duty, by=request.user)
    messages.success(request, "Taken off the safeguarding duty rota.")
    return redirect("oversight:safeguarding_duty_rota")


@require_GET
@permission_required("commissioning.view_recordread")
def reads(request):
    form = ReadFilterForm(request.GET or None)
    record = None
    if form.is_bound and form.is_valid():
        record = form.cleaned_data["record"]
    return render(
        request,
        "oversight/safeguarding/reads.html",
        {
            "filter_form": form,
            "record": record,
            "page_obj": page_of(request, audit.reads(model=Concern, object_id=record)),
            "querystring": querystring_without(request),
            "breadcrumbs": [("Concerns", reverse("oversight:concerns")), ("Reads of safeguarding records", None)],
        },
    )
