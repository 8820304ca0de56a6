"""Pages of contract returns and JET grading: the officer's returns, a return's form, a contract's grade history
and the assistant director's monthly report. Thin: a selector or service of ``oversight.returns``, then render."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commissioning import permissions
from commissioning.forms import NOT_SAVED, save_through_service
from commissioning.permissions import permission_required
from contracts.models import Contract

from . import grading, returns
from .models import ContractReturn, KpiRating
from .returns_forms import ContractReturnForm, ReportMonthForm

SUBMITTED_SHOWN = 50


def _returns_url() -> str:
    return reverse("oversight:returns")


@require_GET
@permission_required("oversight.view_contractreturn")
def return_list(request):
    """The officer's returns (``?all=1``: every contract's): overdue, due and the latest submitted."""
    today = timezone.localdate()
    everyone = request.GET.get("all") == "1"
    base = returns.returns_worklist(user=request.user, mine=not everyone)
    outstanding = list(base.outstanding().order_by("due_on", "contract__reference"))
    submitted_qs = base.submitted().order_by("-submitted_on", "-period_start", "contract__reference")
    submitted = list(submitted_qs[:SUBMITTED_SHOWN])
    return render(
        request,
        "oversight/returns/return_list.html",
        {
            "everyone": everyone,
            "overdue": [r for r in outstanding if r.due_on < today],
            "due": [r for r in outstanding if r.due_on >= today],
            "submitted": submitted,
            "submitted_count": len(submitted) if len(submitted) < SUBMITTED_SHOWN else submitted_qs.count(),
            "today": today,
            "breadcrumbs": [("Contract returns", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.view_contractreturn")
def return_form(request, pk: int):
    """A return: its form while due (for whoever may submit it), pre-filled from the last submitted one; once
    submitted, what it said."""
    ret = get_object_or_404(
        ContractReturn.objects.visible_to(request.user)
        .select_related(
            "contract__lead_provider", "contract__contract_manager", "contract__backup_manager", "submitted_by"
        )
        .prefetch_related("findings"),
        pk=pk,
    )
    contract = ret.contract
    crumbs = [
        ("Contract returns", _returns_url()),
        (contract.reference, reverse("oversight:contract_grading", args=[contract.pk])),
        (ret.period_label, None),
    ]
    may_submit = permissions.may(request.user, "oversight.change_contractreturn", ret)
    if request.method == "GET" and (ret.is_submitted or not may_submit):
        return render(
            request,
            "oversight/returns/return_detail.html",
            {
                "ret": ret,
                "contract": contract,
                "strengths": [f for f in ret.findings.all() if f.kind == "strength"],
                "weaknesses": [f for f in ret.findings.all() if f.kind == "weakness"],
                "overdue": ret.is_overdue(),
                "breadcrumbs": crumbs,
            },
        )
    if not may_submit:
        # Refused before the form is read: an empty POST is not a way to learn what the form would ask.
        raise PermissionDenied("You may not submit this contract's return.")
    # A POST goes to the service whatever the return's state: it refuses a return already submitted (the error on
    # the form).
    initial = returns.return_initial(ret)
    previous = initial.pop("previous", None)
    form = ContractReturnForm(request.POST or None, initial=initial)
    saved = save_through_service(
        request,
        form,
        lambda: returns.contract_return_submit(
            contract_return=ret,
            by=request.user,
            risk_rating=form.cleaned_data["risk_rating"],
            jet_score=form.cleaned_data["jet_score"],
            commentary=form.cleaned_data["commentary"],
            findings=form.findings(),
        ),
        success=lambda done: f"Return for {contract.reference}, {done.period_label}, submitted: {done.grade_label}.",
    )
    if saved is not NOT_SAVED:
        return redirect(reverse("oversight:contract_grading", args=[contract.pk]))
    descriptor = returns.kpi_descriptor_for(contract=contract, period_start=ret.period_start, period_end=ret.period_end)
    return render(
        request,
        "oversight/returns/return_form.html",
        {
            "form": form,
            "ret": ret,
            "contract": contract,
            "previous": previous,
            "descriptor": descriptor,
            "scale": [grading.JET_SCALE[s] for s in sorted(grading.JET_SCALE, reverse=True)],
            "title": f"Return for {ret.period_label}",
            "caption": f"{contract.reference} {contract.title}",
            "back_url": _returns_url(),
            "breadcrumbs": crumbs,
            "overdue": ret.is_overdue(),
        },
    )


@require_GET
@permission_required("oversight.view_contractreturn")
def contract_grading(request, pk: int):
    """A contract's grade history on the JET scale, with how the grade, the statutory KPI ratings and the older
    Good / Average / Poor field relate."""
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user).select_related("lead_provider", "contract_manager", "directorate"),
        pk=pk,
    )
    history = list(returns.grade_history(contract, user=request.user))
    today = timezone.localdate()
    ratings = returns.kpi_ratings_over_year(contract=contract, user=request.user, today=today)
    outstanding = list(returns.outstanding_returns_of(contract=contract, user=request.user))
    return render(
        request,
        "oversight/returns/contract_grading.html",
        {
            "contract": contract,
            "history": history,
            "latest": history[0] if history else None,
            "outstanding": outstanding,
            "today": today,
            "scale": [grading.JET_SCALE[s] for s in sorted(grading.JET_SCALE, reverse=True)],
            "severity_guidance": grading.SEVERITY_GUIDANCE,
            "kpi_ratings": [(label, ratings.get(value, 0)) for value, label in KpiRating.choices],
            "frequency": returns.return_frequency_for(contract, today=today),
            "quarterly_below": returns.quarterly_below(),
            "breadcrumbs": [
                ("Contracts", reverse("contracts:list")),
                (contract.reference, contract.get_absolute_url()),
                ("Grading", None),
            ],
        },
    )


def _previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


@require_GET
@permission_required("oversight.view_contractreturn")
def returns_report(request):
    """The assistant director's monthly report (?month=YYYY-MM; last month when not given)."""
    today = timezone.localdate()
    form = ReportMonthForm(request.GET or None)
    status = 200
    month = _previous_month(today)
    if request.GET.get("month") is not None:
        if form.is_valid():
            year, number = form.cleaned_data["month"].split("-")
            month = date(int(year), int(number), 1)
        else:
            status = 400
    else:
        form = ReportMonthForm(initial={"month": f"{month:%Y-%m}"})
    report = returns.returns_report(user=request.user, month=month, today=today)
    return render(
        request,
        "oversight/returns/returns_report.html",
        {
            "form": form,
            "report": report,
            "month": month,
            "previous_month": (month - timedelta(days=1)).replace(day=1),
            "next_month": (month + timedelta(days=32)).replace(day=1),
            "breadcrumbs": [("Contract returns", _returns_url()), ("Monthly report", None)],
        },
        status=status,
    )
