"""Pages for contract KPIs, their results and performance assessments (Procurement Act 2023).

Thin: check permission, call a selector or service of ``oversight.performance``, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.documents import attach_document, documents_for
from commissioning.forms import NOT_SAVED, save_through_service, service_form_page
from commissioning.imports import run_or_queue
from commissioning.models import ImportJob
from commissioning.permissions import permission_required
from contracts.duties import MINIMUM_KPIS
from contracts.models import Contract

from . import performance
from .models import ContractKpi, PerformanceAssessment
from .notices import contract_notices
from .performance_forms import (
    AssessmentCompleteForm,
    AssessmentStartForm,
    EvidenceForm,
    FreezeForm,
    KpiForm,
    KpiResultForm,
    RatingOverrideForm,
    ResultsUploadForm,
)
from .performance_imports import IMPORTER, template_csv


def _contract(request, pk: int) -> Contract:
    return get_object_or_404(Contract.objects.visible_to(request.user), pk=pk)


def _performance_url(contract_id: int) -> str:
    return reverse("oversight:contract_performance", args=[contract_id])


def _crumbs(contract: Contract, title: str) -> list:
    return [
        ("Contracts", reverse("contracts:list")),
        (contract.reference, contract.get_absolute_url()),
        ("Performance", _performance_url(contract.pk)),
        (title, None),
    ]


def _form_context(*, contract: Contract, title: str, **extra) -> dict:
    return {
        "title": title,
        "page_title": f"{title} – {contract.reference}",
        "caption": f"{contract.reference} {contract.title}",
        "back_url": _performance_url(contract.pk),
        "breadcrumbs": _crumbs(contract, title),
        **extra,
    }


def _to_performance(contract: Contract):
    """Once saved, back to the contract's performance page."""
    return lambda saved: _performance_url(contract.pk)


# --- The performance page -------------------------------------------------------------------------------------


@require_GET
@permission_required("oversight.view_contractkpi")
def contract_performance(request, pk: int):
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user).select_related("lead_provider", "contract_manager", "backup_manager"),
        pk=pk,
    )
    summary = performance.contract_performance(contract=contract, user=request.user)
    notices, breaches = contract_notices(contract=contract, user=request.user)
    return render(
        request,
        "oversight/performance/contract_performance.html",
        {
            "contract": contract,
            "summary": summary,
            "notices": notices,
            "breaches": breaches,
            "minimum_kpis": MINIMUM_KPIS,
            "breadcrumbs": [
                ("Contracts", reverse("contracts:list")),
                (contract.reference, contract.get_absolute_url()),
                ("Performance", None),
            ],
        },
    )


# --- KPIs ---------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_contractkpi")
def kpi_add(request, pk: int):
    contract = _contract(request, pk)
    form = KpiForm(
        request.POST or None, contract=contract, change_required=performance.kpis_frozen(contract), submit="Add KPI"
    )
    return service_form_page(
        request,
        form,
        lambda: performance.kpi_create(
            by=request.user,
            contract=contract,
            change=form.cleaned_data.get("change"),
            **{name: form.cleaned_data[name] for name in performance.KPI_FIELDS},
        ),
        success=lambda kpi: f"KPI '{kpi.name}' added.",
        redirect_to=_to_performance(contract),
        context=_form_context(contract=contract, title="Add a KPI"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_contractkpi")
def kpi_edit(request, pk: int):
    kpi = get_object_or_404(ContractKpi.objects.visible_to(request.user).select_related("contract"), pk=pk)
    contract = kpi.contract
    refusal = performance.kpi_unchangeable_reason(kpi)
    if refusal:
        messages.error(request, refusal)
        return redirect(_performance_url(contract.pk))
    frozen = kpi.is_frozen
    initial = {name: getattr(kpi, name) for name in performance.KPI_FIELDS}
    initial["owner"] = kpi.owner_id
    form = KpiForm(
        request.POST or None,
        initial=initial,
        contract=contract,
        change_required=frozen,
        submit="Record the change" if frozen else "Save KPI",
    )

    def save():
        fields = {name: form.cleaned_data[name] for name in performance.KPI_FIELDS}
        if frozen:
            return performance.kpi_change(by=request.user, kpi=kpi, change=form.cleaned_data["change"], **fields)
        return performance.kpi_update(by=request.user, kpi=kpi, **fields)

    title = f"Change '{kpi.name}' through a contract change" if frozen else f"Edit '{kpi.name}'"
    return service_form_page(
        request,
        form,
        save,
        success="KPI changed.",
        redirect_to=_to_performance(contract),
        context=_form_context(contract=contract, title=title),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_contractkpi")
def kpis_freeze(request, pk: int):
    contract = _contract(request, pk)
    form = FreezeForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: performance.kpis_freeze(contract=contract, by=request.user, on=form.cleaned_data["on"]),
        success=lambda kpis: f"{len(kpis)} KPI{'s' if len(kpis) != 1 else ''} frozen.",
        redirect_to=_to_performance(contract),
        context=_form_context(contract=contract, title="Freeze the KPIs at award"),
    )


@require_GET
@permission_required("oversight.view_contractkpi")
def kpis_missing(request):
    return render(
        request,
        "oversight/performance/kpis_missing.html",
        {
            "contracts": performance.contracts_missing_kpis(user=request.user),
            "minimum_kpis": MINIMUM_KPIS,
            "breadcrumbs": [("Contracts", reverse("contracts:list")), ("Contracts missing KPIs", None)],
        },
    )


# --- Results ------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_kpiresult")
def kpi_result_add(request, pk: int):
    kpi = get_object_or_404(ContractKpi.objects.visible_to(request.user).select_related("contract"), pk=pk)
    form = KpiResultForm(request.POST or None, kpi=kpi)

    def save():
        period = form.chosen_period()
        return performance.kpi_result_record(
            by=request.user,
            kpi=kpi,
            period_start=period.start,
            period_end=period.end,
            value=form.cleaned_data["value"],
            rating=form.cleaned_data["rating"] or None,
            override_reason=form.cleaned_data["override_reason"],
            commentary=form.cleaned_data["commentary"],
        )

    target = f"Target {kpi.target.normalize():f} {kpi.unit} ({kpi.get_polarity_display().lower()})"
    return service_form_page(
        request,
        form,
        save,
        success=lambda result: f"Result saved: rated {result.get_rating_display()}.",
        redirect_to=lambda saved: reverse("oversight:kpi_result", kwargs={"pk": saved.pk}),
        template="oversight/performance/result_form.html",
        context=_form_context(contract=kpi.contract, title=f"Record a result for '{kpi.name}'", kpi=kpi, target=target),
    )


def _result(request, pk: int):
    return get_object_or_404(performance.kpi_results(user=request.user), pk=pk)


def _result_page(request, result, *, rating_form=None, evidence_form=None, status: int = 200):
    return render(
        request,
        "oversight/performance/result_detail.html",
        {
            "result": result,
            "kpi": result.kpi,
            "contract": result.kpi.contract,
            "documents": documents_for(obj=result, user=request.user),
            "rating_form": rating_form
            or RatingOverrideForm(initial={"rating": result.rating, "override_reason": result.override_reason}),
            "evidence_form": evidence_form or EvidenceForm(),
            "breadcrumbs": _crumbs(result.kpi.contract, f"{result.kpi.name}, {result.period_start:%B %Y}"),
        },
        status=status,
    )


@require_GET
@permission_required("oversight.view_kpiresult")
def kpi_result(request, pk: int):
    return _result_page(request, _result(request, pk))


@require_http_methods(["POST"])
@permission_required("oversight.change_kpiresult")
def kpi_result_rating(request, pk: int):
    result = _result(request, pk)
    form = RatingOverrideForm(request.POST)
    saved = save_through_service(
        request,
        form,
        lambda: performance.kpi_result_record(
            by=request.user,
            kpi=result.kpi,
            period_start=result.period_start,
            period_end=result.period_end,
            value=result.value,
            rating=form.cleaned_data["rating"],
            override_reason=form.cleaned_data["override_reason"],
            commentary=result.commentary,
        ),
        success=lambda saved: f"Rating saved: {saved.get_rating_display()}.",
    )
    if saved is not NOT_SAVED:
        return redirect("oversight:kpi_result", pk=result.pk)
    return _result_page(request, result, rating_form=form)


@require_http_methods(["POST"])
@permission_required("oversight.change_kpiresult")
def kpi_result_evidence(request, pk: int):
    result = _result(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    saved = save_through_service(
        request,
        form,
        lambda: attach_document(
            to=result, file=form.cleaned_data["file"], title=form.cleaned_data["title"], by=request.user
        ),
        success="Evidence attached.",
    )
    if saved is not NOT_SAVED:
        return redirect("oversight:kpi_result", pk=result.pk)
    return _result_page(request, result, evidence_form=form)


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_kpiresult")
def kpi_results_import(request):
    form = ResultsUploadForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if request.method == "POST" and form.is_valid():
        dry_run = form.cleaned_data["dry_run"]
        upload = form.cleaned_data["file"]
        try:
            outcome = run_or_queue(
                importer=IMPORTER, content=upload.read(), filename=upload.name, by=request.user, dry_run=dry_run
            )
        except PermissionDenied as refusal:
            form.add_error(None, f"Nothing was imported. {refusal}")
            status = 403
        else:
            if isinstance(outcome, ImportJob):
                return redirect(outcome)
            report = outcome
            if report.ok and not dry_run:
                messages.success(request, f"Imported KPI results: {report.created} new, {report.updated} updated.")
                return redirect("oversight:kpi_results_import")
    return render(
        request,
        "oversight/performance/results_import.html",
        {
            "form": form,
            "report": report,
            "result": report.to_dict() if report else None,
            "job": getattr(report, "job", None),
            "breadcrumbs": [("Contracts", reverse("contracts:list")), ("Import KPI results", None)],
        },
        status=status,
    )


@require_GET
@permission_required("oversight.add_kpiresult")
def kpi_results_template(request):
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kpi-results-template.csv"'
    return response


# --- Assessments --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_performanceassessment")
def assessment_start(request, pk: int):
    contract = _contract(request, pk)
    form = AssessmentStartForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: performance.performance_assessment_start(by=request.user, contract=contract, **form.cleaned_data),
        success=lambda assessment: f"Assessment started: due by {assessment.due_on:%-d %B %Y}.",
        context=_form_context(contract=contract, title="Start a performance assessment"),
    )


def _assessment(request, pk: int) -> PerformanceAssessment:
    return get_object_or_404(performance.performance_assessments(user=request.user), pk=pk)


@require_GET
@permission_required("oversight.view_performanceassessment")
def assessment(request, pk: int):
    found = _assessment(request, pk)
    return render(
        request,
        "oversight/performance/assessment_detail.html",
        {
            "assessment": found,
            "contract": found.contract,
            "missing": performance.missing_results(found) if found.status == PerformanceAssessment.Status.DUE else [],
            "documents": documents_for(obj=found, user=request.user),
            "breadcrumbs": _crumbs(found.contract, found.get_kind_display()),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_performanceassessment")
def assessment_complete(request, pk: int):
    found = _assessment(request, pk)
    form = AssessmentCompleteForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: performance.performance_assessment_complete(by=request.user, assessment=found, **form.cleaned_data),
        success="Assessment complete.",
        context=_form_context(
            contract=found.contract,
            title=f"Complete the {found.get_kind_display().lower()}",
            back_url=found.get_absolute_url(),
        ),
    )


@require_GET
@permission_required("oversight.view_performanceassessment")
def assessments_overdue(request):
    return render(
        request,
        "oversight/performance/assessments_overdue.html",
        {
            "overdue": performance.assessments_overdue(user=request.user),
            "breadcrumbs": [("Contracts", reverse("contracts:list")), ("Assessments overdue", None)],
        },
    )
