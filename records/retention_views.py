"""Pages of the retention schedule, what is due and legal holds (administrators). Thin: the rules live in
records.retention."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.forms import service_form_page
from commissioning.listing import page_of, querystring_without
from commissioning.permissions import permission_required

from . import retention
from .models import LegalHold, RetentionRule
from .retention_forms import LegalHoldForm, LegalHoldReleaseForm, RetentionRuleForm

_SCHEDULE = ("Retention schedule", "records:retention")


@require_GET
@permission_required("records.view_retentionrule")
def schedule(request):
    """The schedule: each record type's rule (or none yet)."""
    rules = {rule.record_type: rule for rule in RetentionRule.objects.all()}
    rows = [{"key": key, "name": rt.name, "rule": rules.get(key)} for key, rt in retention.REGISTRY.items()]
    return render(request, "records/retention_schedule.html", {"rows": rows, "breadcrumbs": [(_SCHEDULE[0], None)]})


@require_http_methods(["GET", "POST"])
@permission_required("records.change_retentionrule")
def rule_edit(request, record_type: str):
    """Add or change the rule for one record type."""
    if record_type not in retention.REGISTRY:
        from django.http import Http404

        raise Http404("No such record type.")
    rule = RetentionRule.objects.filter(record_type=record_type).first()
    initial = (
        {
            "record_type": rule.record_type,
            "period_years": rule.period_years,
            "trigger": rule.trigger,
            "action": rule.action,
            "note": rule.note,
            "active": rule.active,
        }
        if rule
        else {"record_type": record_type, "active": True}
    )
    form = RetentionRuleForm(request.POST if request.method == "POST" else None, rule=rule, initial=initial)

    def save() -> RetentionRule:
        data = {**form.cleaned_data, "record_type": record_type}
        return retention.retention_rule_save(by=request.user, rule=rule, **data)

    name = retention.REGISTRY[record_type].name
    return service_form_page(
        request,
        form,
        save,
        success=lambda saved: f"Retention rule saved: {saved}.",
        redirect_to=lambda saved: "records:retention",
        context={
            "title": f"Retention rule: {name.lower()}",
            "back_url": reverse(_SCHEDULE[1]),
            "breadcrumbs": [(_SCHEDULE[0], reverse(_SCHEDULE[1])), (name, None)],
        },
    )


@require_GET
@permission_required("records.view_retentionrule")
def due(request):
    """What is due today (a dry run): counts per type and each record; ``?format=csv`` downloads the list."""
    record_type = request.GET.get("type") or None
    if record_type not in retention.REGISTRY:
        record_type = None
    items = retention.retention_due(today=timezone.localdate(), record_type=record_type)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="retention-due.csv"'
        writer = csv.writer(response)
        writer.writerow(["Record type", "Record number", "Record", "Trigger date", "Due date", "Action", "Held"])
        for item in items:
            writer.writerow(
                [
                    item.record_type,
                    item.object_id,
                    item.label,
                    item.trigger_date.isoformat(),
                    item.due_date.isoformat(),
                    item.action,
                    "yes" if item.held else "no",
                ]
            )
        return response
    page_obj = page_of(request, items)
    return render(
        request,
        "records/retention_due.html",
        {
            "items": page_obj.object_list,
            "page_obj": page_obj,
            "querystring": querystring_without(request),
            "counts": retention.due_counts(items),
            "record_type": record_type,
            "types": retention.REGISTRY,
            "breadcrumbs": [(_SCHEDULE[0], reverse(_SCHEDULE[1])), ("Due for disposal", None)],
        },
    )


@require_GET
@permission_required("records.view_legalhold")
def holds(request):
    """Legal holds, those in force first."""
    found = LegalHold.objects.select_related("placed_by", "released_by").order_by("released_on", "-placed_on", "-pk")
    return render(
        request,
        "records/retention_holds.html",
        {"holds": found, "holdable": retention.HOLDABLE, "breadcrumbs": [("Legal holds", None)]},
    )


@require_http_methods(["GET", "POST"])
@permission_required("records.add_legalhold")
def hold_place(request):
    initial = {"placed_on": timezone.localdate()}
    if request.GET.get("type") in retention.HOLDABLE:
        initial["record_type"] = request.GET["type"]
    if (request.GET.get("id") or "").isdigit():
        initial["object_id"] = int(request.GET["id"])
    form = LegalHoldForm(request.POST if request.method == "POST" else None, initial=initial)
    return service_form_page(
        request,
        form,
        lambda: retention.legal_hold_place(
            record_type=form.cleaned_data["record_type"],
            object_id=form.cleaned_data["object_id"],
            reason=form.cleaned_data["reason"],
            today=form.cleaned_data["placed_on"],
            by=request.user,
        ),
        success=lambda hold: f"Legal hold placed on {hold.label}.",
        redirect_to=lambda hold: "records:holds",
        context={
            "title": "Place a legal hold",
            "back_url": reverse("records:holds"),
            "breadcrumbs": [("Legal holds", reverse("records:holds")), ("Place a legal hold", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("records.change_legalhold")
def hold_release(request, pk: int):
    hold = get_object_or_404(LegalHold, pk=pk)
    form = LegalHoldReleaseForm(
        request.POST if request.method == "POST" else None, initial={"released_on": timezone.localdate()}
    )
    return service_form_page(
        request,
        form,
        lambda: retention.legal_hold_release(
            hold=hold,
            reason=form.cleaned_data["release_reason"],
            today=form.cleaned_data["released_on"],
            by=request.user,
        ),
        success=lambda released: f"Legal hold on {released.label} released.",
        redirect_to=lambda released: "records:holds",
        context={
            "title": f"Release the legal hold on {hold.label}",
            "back_url": reverse("records:holds"),
            "breadcrumbs": [("Legal holds", reverse("records:holds")), ("Release", None)],
        },
    )
