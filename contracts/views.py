"""Pages of the contracts app. Thin: check permission, call a selector or service, render."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.audit import VIA as READ_VIA
from commissioning.audit import record_reads
from commissioning.documents import documents_for, documents_of_records
from commissioning.forms import NOT_SAVED, add_service_errors, save_through_service
from commissioning.imports import import_limits, run_or_queue
from commissioning.listing import page_of, querystring_without
from commissioning.models import ImportJob
from commissioning.periods import financial_year_choices, financial_year_of
from commissioning.permissions import permission_required

from . import exports, imports, selectors, services
from .duties import duties_for
from .filters import SORT_FIELDS, ContractFilter, ProcurementProjectFilter
from .forms import (
    ChangeNoticeForm,
    ContractChangeForm,
    ContractForm,
    ContractImportForm,
    DecisionForm,
    ProcurementProjectForm,
    ProcurementProjectMoveForm,
    TerminationForm,
    TerminationNoticeForm,
)
from .models import Contract, ContractChange, ProcurementProject

PAGE_SIZE = 50


def _get_contract(request, pk: int) -> Contract:
    try:
        return Contract.objects.visible_to(request.user).select_related("lead_provider").get(pk=pk)
    except Contract.DoesNotExist as exc:
        raise Http404("No such contract") from exc


@require_GET
@permission_required("contracts.view_contract")
def contract_list(request):
    filterset = ContractFilter(
        request.GET or None, queryset=selectors.contract_register(user=request.user), request=request
    )
    page = page_of(request, filterset.qs, PAGE_SIZE)
    for contract in page.object_list:
        contract.duty_summary = selectors.duty_summary(duties_for(contract))
    return render(
        request,
        "contracts/contract_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "contracts": page.object_list,
            "querystring": querystring_without(request),
            "querystring_without_provider": querystring_without(request, "provider", "page"),
            "sort": request.GET.get("sort", ""),
            "sort_links": _sort_links(request),
            "breadcrumbs": [("Contracts", None)],
        },
    )


def _sort_links(request) -> dict[str, str]:
    """For each sortable column, the query string that sorts by it (and reverses an existing sort)."""
    current = request.GET.get("sort", "")
    links = {}
    for _, name in SORT_FIELDS:
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = f"-{name}" if current == name else name
        links[name] = params.urlencode()
    return links


@require_GET
@permission_required("contracts.view_contract")
def contract_export_csv(request):
    filterset = ContractFilter(
        request.GET or None, queryset=selectors.contract_register(user=request.user), request=request
    )
    return exports.csv_response(filterset.qs.iterator(chunk_size=2000), filename=_export_name("csv"))


@require_GET
@permission_required("contracts.view_contract")
def contract_export_xlsx(request):
    filterset = ContractFilter(
        request.GET or None, queryset=selectors.contract_register(user=request.user), request=request
    )
    return exports.xlsx_response(filterset.qs.iterator(chunk_size=2000), filename=_export_name("xlsx"))


def _export_name(suffix: str) -> str:
    return f"contracts-{timezone.localdate():%Y-%m-%d}.{suffix}"


@require_GET
@permission_required("contracts.view_contract")
def contract_detail(request, pk: int):
    try:
        contract = selectors.contract_detail(pk=pk, user=request.user)
    except Contract.DoesNotExist as exc:
        raise Http404("No such contract") from exc
    # Safeguarding concerns and serious incidents shown here are restricted records: each read is recorded.
    shown = [concern for concern in contract.concerns.all() if concern.is_restricted]
    record_reads(user=request.user, objects=shown, via=READ_VIA.PAGE)
    today = timezone.localdate()
    live = contract.status == Contract.Status.LIVE
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "providers": selectors.contract_providers_with_risk(contract=contract),
            "duties": duties_for(contract),
            "missing_manager": live and contract.contract_manager_id is None,
            "missing_backup": live and contract.backup_manager_id is None,
            "past_end": services.is_past_end(contract, today),
            "running_past_for": selectors.running_past_end_for(end=contract.maximum_end_date, today=today),
            "documents": documents_for(obj=contract, user=request.user),
            # The changes' documents (a variation letter) join the contract's on its timeline.
            "change_documents": documents_of_records(
                model=ContractChange,
                object_ids=[change.pk for change in contract.changes.all()],
                governing=contract,
                user=request.user,
            ),
            "today": today,
            "breadcrumbs": [("Contracts", reverse("contracts:list")), (contract.reference, None)],
        },
    )


def _contract_fields(form: ContractForm) -> dict:
    return {name: form.cleaned_data[name] for name in form.fields}


@require_http_methods(["GET", "POST"])
@permission_required("contracts.add_contract")
def contract_create(request):
    form = ContractForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: services.contract_create(by=request.user, **_contract_fields(form)),
        success=lambda saved: f"Contract {saved.reference} added to the register.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Add a contract",
            "breadcrumbs": [("Contracts", reverse("contracts:list")), ("Add a contract", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("contracts.change_contract")
def contract_edit(request, pk: int):
    contract = _get_contract(request, pk)
    form = ContractForm(request.POST or None, instance=contract)
    saved = save_through_service(
        request,
        form,
        lambda: services.contract_update(contract=contract, by=request.user, **_contract_fields(form)),
        success=lambda saved: f"Contract {saved.reference} updated.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "contract": contract,
            "title": f"Edit {contract.reference}",
            "breadcrumbs": [
                ("Contracts", reverse("contracts:list")),
                (contract.reference, contract.get_absolute_url()),
                ("Edit", None),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("contracts.add_contractchange", "contracts.change_contract")
def contract_change_add(request, pk: int):
    contract = _get_contract(request, pk)
    form = ContractChangeForm(request.POST or None, initial={"effective_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.contract_record_change(
                contract=contract,
                by=request.user,
                kind=data["kind"],
                effective_on=data["effective_on"],
                description=data["description"],
                value_change=data["value_change"] or Decimal("0"),
                annual_value=data["annual_value"],
                extension_months=data["extension_months"],
                to_provider=data["to_provider"],
                approved_by=data["approved_by"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{change.get_kind_display()} of {contract.reference} recorded.")
            return redirect("contracts:change", contract.pk, change.pk)
    return render(
        request,
        "contracts/change_form.html",
        {
            "form": form,
            "contract": contract,
            "past_end": services.is_past_end(contract),
            "title": "Record a variation, extension or novation",
            "page_title": f"Record a change to {contract.reference}",
            "caption": f"{contract.reference} {contract.title}",
            "breadcrumbs": [
                ("Contracts", reverse("contracts:list")),
                (contract.reference, contract.get_absolute_url()),
                ("Record a change", None),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("contracts.change_contract")
def contract_decision(request, pk: int):
    contract = _get_contract(request, pk)
    form = DecisionForm(
        request.POST or None,
        contract=contract,
        initial={
            "reprocurement_decision": contract.reprocurement_decision,
            "decided_on": contract.reprocurement_decided_on or timezone.localdate(),
            "reason": contract.decision_reason,
        },
    )
    saved = save_through_service(
        request,
        form,
        lambda: services.contract_record_decision(
            contract=contract,
            by=request.user,
            decision=form.cleaned_data["reprocurement_decision"],
            decided_on=form.cleaned_data["decided_on"],
            reason=form.cleaned_data["reason"],
            successor=form.cleaned_data["successor"],
        ),
        success=f"Decision on {contract.reference} recorded.",
    )
    if saved is not NOT_SAVED:
        return redirect(contract)
    today = timezone.localdate()
    return render(
        request,
        "contracts/decision_form.html",
        {
            "form": form,
            "contract": contract,
            "past_end": services.is_past_end(contract, today),
            "running_past_for": selectors.running_past_end_for(end=contract.maximum_end_date, today=today),
            "title": "Record the decision on the contract's end",
            "page_title": f"Decision on the end of {contract.reference}",
            "caption": f"{contract.reference} {contract.title}",
            "breadcrumbs": [
                ("Contracts", reverse("contracts:list")),
                (contract.reference, contract.get_absolute_url()),
                ("Record a decision", None),
            ],
        },
    )


def _get_change(request, pk: int, change_pk: int) -> ContractChange:
    try:
        return (
            ContractChange.objects.visible_to(request.user)
            .select_related("contract", "recorded_by", "approved_by", "from_provider", "to_provider")
            .get(pk=change_pk, contract_id=pk)
        )
    except ContractChange.DoesNotExist as exc:
        raise Http404("No such change") from exc


@require_http_methods(["GET", "POST"])
@permission_required("contracts.view_contract")
def contract_change(request, pk: int, change_pk: int):
    """A change to a contract: what changed, who approved it, and whether a change notice (UK10) is due; an
    officer records the notice's identifier and date once it is published."""
    change = _get_change(request, pk, change_pk)
    contract = change.contract
    may_record = request.user.has_perm("contracts.change_contract")
    form = ChangeNoticeForm(
        request.POST or None,
        initial={
            "change_notice_id": change.change_notice_id,
            "change_notice_published_on": change.change_notice_published_on,
        },
    )
    if request.method == "POST" and not may_record:
        raise PermissionDenied
    saved = save_through_service(
        request,
        form,
        lambda: services.contract_change_record_notice(
            change=change,
            by=request.user,
            notice_id=form.cleaned_data["change_notice_id"],
            published_on=form.cleaned_data["change_notice_published_on"],
        ),
        success="Change notice recorded.",
    )
    if saved is not NOT_SAVED:
        return redirect("contracts:change", contract.pk, change.pk)
    return render(
        request,
        "contracts/change_detail.html",
        {
            "change": change,
            "contract": contract,
            "form": form if may_record and change.change_notice_required else None,
            "documents": documents_for(obj=change, user=request.user),
            "breadcrumbs": [
                ("Contracts", reverse("contracts:list")),
                (contract.reference, contract.get_absolute_url()),
                (str(change.get_kind_display()), None),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("contracts.change_contract")
def contract_termination(request, pk: int):
    """Record a termination (UK11 data) or, once recorded, the termination notice's identifier."""
    contract = _get_contract(request, pk)
    breadcrumbs = [
        ("Contracts", reverse("contracts:list")),
        (contract.reference, contract.get_absolute_url()),
        ("Termination", None),
    ]
    if contract.termination_extent:
        notice_form = TerminationNoticeForm(
            request.POST or None, initial={"termination_notice_id": contract.termination_notice_id}
        )
        saved = save_through_service(
            request,
            notice_form,
            lambda: services.contract_record_termination_notice(
                contract=contract, by=request.user, notice_id=notice_form.cleaned_data["termination_notice_id"]
            ),
            success="Termination notice recorded.",
        )
        if saved is not NOT_SAVED:
            return redirect(contract)
        return render(
            request,
            "contracts/termination_form.html",
            {
                "form": notice_form,
                "contract": contract,
                "title": "Record the termination notice",
                "caption": f"{contract.reference} {contract.title}",
                "breadcrumbs": breadcrumbs,
            },
        )
    form = TerminationForm(request.POST or None, initial={"terminated_on": timezone.localdate()})
    saved = save_through_service(
        request,
        form,
        lambda: services.contract_record_termination(
            contract=contract,
            by=request.user,
            terminated_on=form.cleaned_data["terminated_on"],
            extent=form.cleaned_data["termination_extent"],
            reason=form.cleaned_data["reason"],
            notice_id=form.cleaned_data["notice_id"],
        ),
        success=f"Termination of {contract.reference} recorded.",
    )
    if saved is not NOT_SAVED:
        return redirect(contract)
    return render(
        request,
        "contracts/termination_form.html",
        {
            "form": form,
            "contract": contract,
            "title": "Record a termination",
            "caption": f"{contract.reference} {contract.title}",
            "breadcrumbs": breadcrumbs,
        },
    )


@require_GET
@permission_required("contracts.view_contract")
def needs_decision(request):
    try:
        within = int(request.GET.get("within", 12))
    except ValueError:
        within = 12
    if within not in selectors.NEEDS_DECISION_WINDOWS:
        within = 12
    today = timezone.localdate()
    contracts = selectors.contracts_needing_decision(within_months=within, today=today, user=request.user)
    page = page_of(request, contracts, PAGE_SIZE)
    return render(
        request,
        "contracts/needs_decision.html",
        {
            "within": within,
            "windows": selectors.NEEDS_DECISION_WINDOWS,
            "page_obj": page,
            "contracts": page.object_list,
            "groups": selectors.needs_decision_groups(contracts=list(page.object_list), today=today),
            "counts": selectors.needs_decision_counts(today=today, user=request.user),
            "querystring": f"within={within}",
            "breadcrumbs": [("Contracts", reverse("contracts:list")), ("Needs a decision", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("contracts.import_contracts", "contracts.add_contract", "contracts.change_contract")
def contract_import(request):
    form = ContractImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # A large file is stored and imported by a worker: this page then redirects to its progress.
            outcome = run_or_queue(
                importer=imports.IMPORTER,
                content=upload.read(),
                filename=upload.name,
                by=request.user,
                dry_run=form.cleaned_data["dry_run"],
                options={"create_providers": form.cleaned_data["create_providers"]},
            )
        except imports.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if isinstance(outcome, ImportJob):
                return redirect(outcome)
            report = outcome
    status = 400 if (request.method == "POST" and (form.errors or (report and not report.ok))) else 200
    return render(
        request,
        "contracts/import.html",
        {
            "form": form,
            "report": report,
            "result": report.to_dict() if report else None,
            "job": getattr(report, "job", None),
            "limits": import_limits(),
            "columns": imports.COLUMNS,
            "breadcrumbs": [("Contracts", reverse("contracts:list")), ("Import contracts", None)],
        },
        status=status,
    )


@require_GET
@permission_required("contracts.import_contracts")
def import_template(request):
    if request.GET.get("format") == "csv":
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="contract-import-template.csv"'
        return response
    response = HttpResponse(
        exports.import_template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="contract-import-template.xlsx"'
    return response


# --- Procurement projects: the work plan -------------------------------------------------------------------


def _procurement_filter(request) -> ProcurementProjectFilter:
    return ProcurementProjectFilter(
        request.GET or None, queryset=selectors.procurement_projects(user=request.user), request=request
    )


def _get_project(request, pk: int) -> ProcurementProject:
    try:
        return ProcurementProject.objects.visible_to(request.user).get(pk=pk)
    except ProcurementProject.DoesNotExist as exc:
        raise Http404("No such procurement project") from exc


def _work_plan_breadcrumbs(*rest) -> list:
    return [
        ("Contracts", reverse("contracts:list")),
        ("Procurement work plan", reverse("contracts:procurement")),
        *rest,
    ]


@require_GET
@permission_required("contracts.view_procurementproject")
def procurement_list(request):
    filterset = _procurement_filter(request)
    projects = filterset.qs
    chosen = filterset.form.cleaned_data if filterset.form.is_valid() else {}
    year = chosen.get("year") or financial_year_of(timezone.localdate())
    figures = selectors.work_plan_figures(year=int(year), user=request.user, directorate=chosen.get("directorate"))
    page = page_of(request, projects, PAGE_SIZE)
    return render(
        request,
        "contracts/procurement_list.html",
        {
            "filter": filterset,
            "figures": figures,
            "page_obj": page,
            "projects": page.object_list,
            "querystring": querystring_without(request),
            "breadcrumbs": [("Contracts", reverse("contracts:list")), ("Procurement work plan", None)],
        },
    )


def _project_export_name(suffix: str) -> str:
    return f"procurement-work-plan-{timezone.localdate():%Y-%m-%d}.{suffix}"


@require_GET
@permission_required("contracts.view_procurementproject")
def procurement_export_csv(request):
    rows = (exports.project_row(p) for p in _procurement_filter(request).qs.iterator(chunk_size=2000))
    return exports.table_csv_response(exports.PROJECT_EXPORT_HEADERS, rows, _project_export_name("csv"))


@require_GET
@permission_required("contracts.view_procurementproject")
def procurement_export_xlsx(request):
    rows = (exports.project_row(p) for p in _procurement_filter(request).qs.iterator(chunk_size=2000))
    return exports.table_xlsx_response(
        exports.PROJECT_EXPORT_HEADERS, rows, _project_export_name("xlsx"), "Procurement work plan"
    )


@require_GET
@permission_required("contracts.view_procurementproject")
def procurement_project(request, pk: int):
    try:
        project = selectors.procurement_project_detail(pk=pk, user=request.user)
    except ProcurementProject.DoesNotExist as exc:
        raise Http404("No such procurement project") from exc
    return render(
        request,
        "contracts/procurement_detail.html",
        {
            "project": project,
            "next_stages": services.procurement_project_next_stages(project=project),
            "breadcrumbs": _work_plan_breadcrumbs((project.reference, None)),
        },
    )


def _project_fields(form: ProcurementProjectForm) -> dict:
    return {name: form.cleaned_data[name] for name in form.fields}


@require_http_methods(["GET", "POST"])
@permission_required("contracts.add_procurementproject")
def procurement_project_create(request):
    form = ProcurementProjectForm(request.POST or None)
    saved = save_through_service(
        request,
        form,
        lambda: services.procurement_project_create(by=request.user, **_project_fields(form)),
        success=lambda saved: f"Procurement project {saved.reference} added to the work plan.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Add a procurement project",
            "breadcrumbs": _work_plan_breadcrumbs(("Add a project", None)),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("contracts.change_procurementproject")
def procurement_project_edit(request, pk: int):
    project = _get_project(request, pk)
    form = ProcurementProjectForm(request.POST or None, instance=project)
    saved = save_through_service(
        request,
        form,
        lambda: services.procurement_project_update(project=project, by=request.user, **_project_fields(form)),
        success=lambda saved: f"Procurement project {saved.reference} updated.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": f"Edit {project.reference}",
            "caption": project.title,
            "breadcrumbs": _work_plan_breadcrumbs((project.reference, project.get_absolute_url()), ("Edit", None)),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("contracts.change_procurementproject")
def procurement_project_stage(request, pk: int):
    project = _get_project(request, pk)
    next_stages = [
        (stage, ProcurementProject.Stage(stage).label)
        for stage in services.procurement_project_next_stages(project=project)
    ]
    form = ProcurementProjectMoveForm(request.POST or None, next_stages=next_stages)
    saved = save_through_service(
        request,
        form,
        lambda: services.procurement_project_move(
            project=project,
            by=request.user,
            stage=form.cleaned_data["stage"],
            completed_on=form.cleaned_data["completed_on"],
            reason=form.cleaned_data["reason"],
        ),
        success=lambda saved: f"{saved.reference} moved to {saved.get_stage_display().lower()}.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    return render(
        request,
        "contracts/procurement_stage.html",
        {
            "form": form,
            "project": project,
            "title": "Move the project to its next stage",
            "page_title": f"Move {project.reference} to its next stage",
            "caption": f"{project.reference} {project.title}",
            "breadcrumbs": _work_plan_breadcrumbs((project.reference, project.get_absolute_url()), ("Move", None)),
        },
    )


def _notice_year(request) -> int:
    this_year = financial_year_of(timezone.localdate())
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year + 5 else this_year


@require_GET
@permission_required("contracts.view_procurementproject")
def pipeline_notice(request):
    year = _notice_year(request)
    this_year = financial_year_of(timezone.localdate())
    years = sorted({*range(this_year + 2, this_year - 8, -1), year}, reverse=True)
    return render(
        request,
        "contracts/procurement_pipeline_notice.html",
        {
            "notice": selectors.pipeline_notice(year=year, user=request.user),
            "year": year,
            "year_choices": financial_year_choices(years),
            "breadcrumbs": _work_plan_breadcrumbs(("Pipeline notice", None)),
        },
    )


@require_GET
@permission_required("contracts.view_procurementproject")
def pipeline_notice_csv(request):
    notice = selectors.pipeline_notice(year=_notice_year(request), user=request.user)
    rows = (exports.pipeline_notice_row(p) for p in notice.projects)
    return exports.table_csv_response(
        exports.PIPELINE_NOTICE_HEADERS, rows, f"pipeline-notice-{notice.label.replace('/', '-')}.csv"
    )
