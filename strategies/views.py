"""Pages of the strategies app. Thin: check permission, call a selector or service, render."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning import permissions
from commissioning.forms import NOT_SAVED, add_service_errors, save_through_service
from commissioning.listing import page_of, querystring_without
from commissioning.models import Directorate, User
from commissioning.periods import FinancialQuarter, current_quarter
from commissioning.security import neutralise_row

from . import selectors, services
from .filters import NO_RAG, SavingFilter, StrategyFilter, saving_years, strategy_leads
from .forms import (
    ApproveForm,
    BoardReviewForm,
    CycleStageForm,
    HighlightReportForm,
    IntentionForm,
    OutcomeForm,
    ReturnForm,
    RiskForm,
    SavingForm,
    ScrutinyForm,
    ShapeOnlyModelForm,
    StartReportForm,
    StatementForm,
    StrategyForm,
    SubmitForm,
    ThemeForm,
    move_form_helper,
)
from .models import (
    CommissioningIntention,
    CommissioningStrategy,
    CycleStage,
    HighlightReport,
    Outcome,
    Saving,
    Stage,
    StrategicTheme,
    StrategyRisk,
    ThemeStatement,
)

Status = HighlightReport.Status


class Request(HttpRequest):
    """A request of a signed-in user: the log-in middleware sends everyone else to sign in first."""

    user: User


def _selected(form, name: str):
    """The value a (validated) filter form applies, for the page's own boxes: None when unset or refused."""
    value = form.cleaned_data.get(name)
    return getattr(value, "pk", value) or None


def _strategy_breadcrumbs(strategy: CommissioningStrategy | None = None) -> list:
    crumbs = [("Strategies", reverse("strategies:list"))]
    if strategy is not None:
        crumbs.append((strategy.name, strategy.get_absolute_url()))
    return crumbs


# --- Strategies ---------------------------------------------------------------------------------


@require_GET
@permissions.permission_required("strategies.view_commissioningstrategy")
def strategy_list(request: Request) -> HttpResponse:
    user = request.user
    filterset = StrategyFilter(request.GET, queryset=selectors.strategy_list(user=user), request=request)
    form = filterset.form
    if not form.is_valid():
        # A filter that cannot be applied (a character the database refuses, an unknown choice) is left out.
        for name, errors in form.errors.items():
            label = form.fields[name].label or name
            messages.warning(request, f"The “{label}” filter was not applied: {' '.join(errors)}")
    page_obj = page_of(request, filterset.qs)
    rows = list(page_obj.object_list)
    measures = selectors.measures_for_latest_reports(rows)
    for strategy in rows:
        strategy.latest_measures = measures[strategy.pk]
        strategy.latest_period = (
            FinancialQuarter(strategy.latest_year, strategy.latest_quarter) if strategy.latest_year else None
        )
        strategy.latest_status_label = Status(strategy.latest_status).label if strategy.latest_status else ""
    filters = {
        "directorate_id": _selected(form, "directorate"),
        "stage": _selected(form, "stage"),
        "rag": _selected(form, "rag"),
        "lead_id": _selected(form, "lead"),
        "q": _selected(form, "q") or "",
    }
    context = {
        "page_obj": page_obj,
        "strategies": rows,
        "filters": filters,
        "directorates": Directorate.objects.order_by("name"),
        "leads": strategy_leads(),
        "stages": Stage.choices,
        "rags": [*HighlightReport.Rag.choices, (NO_RAG, "No RAG")],
        "querystring": querystring_without(request),
        "can_create": permissions.may(user, "strategies.add_commissioningstrategy"),
        "breadcrumbs": [("Strategies", None)],
    }
    return render(request, "strategies/strategy_list.html", context)


@require_GET
@permissions.permission_required("strategies.view_commissioningstrategy")
def strategy_detail(request: Request, pk: int) -> HttpResponse:
    user = request.user
    try:
        strategy = selectors.strategy_for_page(pk=pk, user=user)
    except CommissioningStrategy.DoesNotExist as error:
        raise Http404 from error
    can_start_report = permissions.may(user, "strategies.add_highlightreport", HighlightReport(strategy=strategy))
    context = {
        "strategy": strategy,
        **selectors.strategy_page_extras(strategy=strategy),
        "can_edit": permissions.may(user, "strategies.change_commissioningstrategy", strategy),
        "can_start_report": can_start_report,
        "start_form": StartReportForm(),
        "next_quarter": services.next_quarter_for(strategy) if can_start_report else None,
        "breadcrumbs": [("Strategies", reverse("strategies:list")), (strategy.name, None)],
    }
    return render(request, "strategies/strategy_detail.html", context)


@require_http_methods(["GET", "POST"])
def strategy_form(request: Request, pk: int | None = None) -> HttpResponse:
    user = request.user
    strategy = get_object_or_404(CommissioningStrategy.objects.visible_to(user), pk=pk) if pk else None
    perm = "strategies.change_commissioningstrategy" if strategy else "strategies.add_commissioningstrategy"
    permissions.require(user, perm, strategy)
    form = StrategyForm(request.POST or None, instance=strategy, user=user)

    def save() -> CommissioningStrategy:
        if strategy is None:
            return services.strategy_create(by=user, data=form.service_data())
        return services.strategy_update(strategy=strategy, by=user, data=form.service_data())

    saved = save_through_service(request, form, save, success=lambda saved: f"Strategy “{saved.name}” saved.")
    if saved is not NOT_SAVED:
        return redirect(saved)
    title = f"Edit {strategy.name}" if strategy else "New commissioning strategy"
    context = {
        "form": form,
        "title": title,
        "breadcrumbs": [*_strategy_breadcrumbs(strategy), (title, None)],
    }
    return render(request, "form_page.html", context)


# part: (model, form, label, create service, update service, the update service's keyword for the part)
PARTS: dict[str, tuple[Any, type[ShapeOnlyModelForm], str, Callable[..., Any], Callable[..., Any], str]] = {
    "outcome": (Outcome, OutcomeForm, "outcome", services.outcome_create, services.outcome_update, "outcome"),
    "intention": (
        CommissioningIntention,
        IntentionForm,
        "commissioning intention",
        services.intention_create,
        services.intention_update,
        "intention",
    ),
    "risk": (StrategyRisk, RiskForm, "risk", services.risk_create, services.risk_update, "risk"),
    "theme": (StrategicTheme, ThemeForm, "strategic theme", services.theme_create, services.theme_update, "theme"),
}
# Parts that live on the plan page (commissioning intentions by theme) go back there once saved.
PLAN_PARTS = {"intention", "theme"}


@require_http_methods(["GET", "POST"])
def strategy_part_form(request: Request, strategy_pk: int, part: str, pk: int | None = None) -> HttpResponse:
    """Add or edit an outcome, a commissioning intention or a risk of a strategy."""
    model, form_class, label, create, update, keyword = PARTS[part]
    user = request.user
    strategy = get_object_or_404(CommissioningStrategy.objects.visible_to(user), pk=strategy_pk)
    instance = get_object_or_404(model.objects.visible_to(user), pk=pk, strategy=strategy) if pk else None
    perm = f"strategies.{'change' if pk else 'add'}_{model._meta.model_name}"
    permissions.require(user, perm, instance or model(strategy=strategy))
    form = form_class(request.POST or None, instance=instance, strategy=strategy)

    def save():
        if instance is None:
            return create(strategy=strategy, by=user, data=form.service_data())
        return update(**{keyword: instance}, by=user, data=form.service_data())

    if save_through_service(request, form, save, success=f"{label.capitalize()} saved.") is not NOT_SAVED:
        return redirect("strategies:plan", pk=strategy.pk) if part in PLAN_PARTS else redirect(strategy)
    title = f"{'Edit' if pk else 'Add'} {label}"
    context = {"form": form, "title": title, "breadcrumbs": [*_strategy_breadcrumbs(strategy), (title, None)]}
    return render(request, "form_page.html", context)


# --- Reports ------------------------------------------------------------------------------------


@permissions.permission_required("strategies.view_highlightreport")
def _report_for_reader(request: Request, pk: int) -> HighlightReport:
    """The report, if ``request.user`` may read it (HighlightReport.visible_to); 404 otherwise."""
    try:
        return selectors.report_for_page(pk=pk, user=request.user)
    except HighlightReport.DoesNotExist as error:
        raise Http404 from error


def _report_breadcrumbs(report: HighlightReport, last: str | None = None) -> list:
    crumbs = [
        *_strategy_breadcrumbs(report.strategy),
        (str(report.period), report.get_absolute_url() if last else None),
    ]
    if last:
        crumbs.append((last, None))
    return crumbs


MOVES = {
    # url part: (target status, form, service, button, page title)
    "submit": (
        Status.SUBMITTED,
        SubmitForm,
        "submit",
        "Submit to the board",
        "Submit to the Commissioning and Commercial Board",
    ),
    "board-review": (
        Status.BOARD_REVIEWED,
        BoardReviewForm,
        "board_review",
        "Record board review",
        "Record the board's review",
    ),
    "scrutiny": (
        Status.SCRUTINY_CONSIDERED,
        ScrutinyForm,
        "scrutiny_considered",
        "Record scrutiny",
        "Record consideration by scrutiny",
    ),
    "approve": (Status.APPROVED, ApproveForm, "approve", "Record approval", "Record approval by the Executive"),
    "return": (Status.DRAFT, ReturnForm, "return", "Return for changes", "Return the report for changes"),
}
# What each move's success banner says happened ({report}: the report's name and period).
MOVED = {
    "submit": "{report} sent to the Commissioning and Commercial Board.",
    "board-review": "The board's review of the {report} is recorded.",
    "scrutiny": "Scrutiny's consideration of the {report} is recorded.",
    "approve": "The {report} is recorded as approved by the Executive. It cannot be changed now.",
    "return": "The {report} went back to its authors for changes: it is a draft again.",
}


def _available_moves(user, report: HighlightReport) -> list[dict]:
    return [
        {"name": f"strategies:report_{service}", "label": button, "target": target}
        for target, _form, service, button, _title in MOVES.values()
        if services.can_move(user, report, target)
    ]


@require_GET
def report_detail(request: Request, pk: int) -> HttpResponse:
    report = _report_for_reader(request, pk)
    user = request.user
    can_edit = report.status == Status.DRAFT and permissions.may(user, "strategies.change_highlightreport", report)
    context = {
        "report": report,
        "doc": selectors.highlight_report_document(report=report),
        "events": report.events.all(),
        "moves": _available_moves(user, report),
        "can_edit": can_edit,
        "missing": services.missing_sections(report) if report.status == Status.DRAFT else {},
        "breadcrumbs": _report_breadcrumbs(report),
    }
    return render(request, "strategies/report_detail.html", context)


@require_GET
def report_print(request: Request, pk: int) -> HttpResponse:
    report = _report_for_reader(request, pk)
    context = {"report": report, "doc": selectors.highlight_report_document(report=report)}
    return render(request, "strategies/report_print.html", context)


def _refuse_edit(request: Request, report: HighlightReport) -> HttpResponse:
    if report.is_frozen:
        reason = "This report was approved by the Executive and is frozen: it cannot be changed."
    else:
        reason = f"Only a draft report can be edited; this one is “{report.get_status_display()}”."
    context = {"report": report, "reason": reason, "breadcrumbs": _report_breadcrumbs(report, "Edit")}
    return render(request, "strategies/report_locked.html", context, status=403)


@require_http_methods(["GET", "POST"])
def report_edit(request: Request, pk: int) -> HttpResponse:
    report = _report_for_reader(request, pk)
    permissions.require(request.user, "strategies.change_highlightreport", report)
    if report.status != Status.DRAFT:
        return _refuse_edit(request, report)
    form = HighlightReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.highlight_report_update(
                report=report,
                by=request.user,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleEdit as stale:
            return _conflict(request, form, stale.current)
        except services.TransitionNotAllowed:
            return _refuse_edit(request, HighlightReport.objects.get(pk=report.pk))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Report saved.")
            return redirect(report)
    context = {
        "form": form,
        "report": report,
        "doc": selectors.highlight_report_document(report=report),
        "breadcrumbs": _report_breadcrumbs(report, "Edit"),
    }
    return render(request, "strategies/report_edit.html", context)


def _conflict(request: Request, form: HighlightReportForm, current: HighlightReport) -> HttpResponse:
    """Their save was made on an old copy: show their text beside the current text, field by field."""
    current = selectors.report_for_page(pk=current.pk, user=request.user)
    rows = []
    for name in selectors.EDITABLE_FIELDS:
        theirs, now = form.cleaned_data.get(name), getattr(current, name)
        if (theirs or "") != (now or ""):
            rows.append(
                {
                    "label": selectors.field_label(name),
                    "theirs": selectors.display_value(name, theirs),
                    "current": selectors.display_value(name, now),
                    "diff": selectors.text_diff(
                        selectors.display_value(name, now), selectors.display_value(name, theirs)
                    ),
                }
            )
    merge_form = HighlightReportForm(
        instance=current, initial={**form.changed_data_for_service(), "version": current.version}
    )
    context = {
        "report": current,
        "rows": rows,
        "form": merge_form,
        "doc": selectors.highlight_report_document(report=current),
        "breadcrumbs": _report_breadcrumbs(current, "Edit"),
    }
    return render(request, "strategies/report_conflict.html", context, status=409)


@require_GET
def report_history(request: Request, pk: int) -> HttpResponse:
    """The versions of the report the user may read (a councillor never sees a version saved as a draft), and
    the differences between any two of them."""
    report = _report_for_reader(request, pk)
    versions = selectors.report_versions(report=report, user=request.user)
    by_id = {str(v.history_id): v for v in versions}
    older, newer = by_id.get(request.GET.get("from", "")), by_id.get(request.GET.get("to", ""))
    if older is None and newer is None and len(versions) >= 2:
        newer, older = versions[0], versions[1]
    diff = selectors.versions_diff(older=older, newer=newer) if older and newer else None
    context = {
        "report": report,
        "versions": versions,
        "older": older,
        "newer": newer,
        "diff": diff,
        "breadcrumbs": _report_breadcrumbs(report, "History"),
    }
    return render(request, "strategies/report_history.html", context)


@require_http_methods(["GET", "POST"])
def report_move(request: Request, pk: int, move: str) -> HttpResponse:
    target, form_class, service_name, button, title = MOVES[move]
    report = _report_for_reader(request, pk)
    services.require_move(report=report, to_status=target, by=request.user)
    form = form_class(request.POST or None, initial={"version": report.version})
    form.helper = move_form_helper(form, button)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        service = getattr(services, f"highlight_report_{service_name}")
        try:
            service(report=report, by=request.user, expected_version=form.cleaned_data["version"], **data)
        except services.StaleEdit:
            messages.error(request, "The report changed after you opened it. Check it and try again.")
            return redirect(report)
        except services.TransitionNotAllowed as error:
            messages.error(request, str(error))
            return redirect(report)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = MOVED[move].format(report=report)
            messages.success(request, message[0].upper() + message[1:])
            return redirect(report)
    context = {
        "form": form,
        "report": report,
        "title": title,
        "move": move,
        "breadcrumbs": _report_breadcrumbs(report, title),
    }
    return render(request, "strategies/report_move.html", context)


@require_POST
def start_next_report(request: Request, pk: int) -> HttpResponse:
    strategy = get_object_or_404(CommissioningStrategy.objects.visible_to(request.user), pk=pk)
    permissions.require(request.user, "strategies.add_highlightreport", HighlightReport(strategy=strategy))
    form = StartReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Select a quarter from the list.")
        return redirect(strategy)
    try:
        report = services.highlight_report_start_next(
            strategy=strategy, by=request.user, period=form.cleaned_data["quarter"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(strategy)
    messages.success(request, f"Draft report for {report.period} started.")
    return redirect("strategies:report_edit", pk=report.pk)


@require_GET
@permissions.permission_required("strategies.view_highlightreport")
def reports_this_quarter(request: Request) -> HttpResponse:
    period = current_quarter()
    asked = request.GET.get("quarter", "")
    if asked:
        try:
            period = FinancialQuarter.parse(asked)
        except ValueError:
            shown = asked.replace("\x00", "")[:20]
            messages.error(request, f"“{shown}” is not a quarter such as 2018-Q3; showing this quarter.")
    rows = selectors.reports_for_quarter(period=period, user=request.user)
    context = {
        "period": period,
        "previous": period.previous(),
        "next": period.next(),
        "rows": rows,
        "counts": selectors.quarter_counts(rows),
        "breadcrumbs": [("Highlight reports this quarter", None)],
    }
    return render(request, "strategies/reports_this_quarter.html", context)


# --- Commissioning plans: intentions by strategic theme ----------------------------------------------


def _plan_context(request: Request, pk: int) -> dict:
    user = request.user
    permissions.require(user, "strategies.view_commissioningstrategy")
    strategy = get_object_or_404(CommissioningStrategy.objects.visible_to(user).select_related("directorate"), pk=pk)
    sample_theme = StrategicTheme(strategy=strategy)
    return {
        "strategy": strategy,
        **selectors.plan_for_page(strategy=strategy),
        "can_edit_themes": permissions.may(user, "strategies.change_strategictheme", sample_theme),
        "can_add_intention": permissions.may(
            user, "strategies.add_commissioningintention", CommissioningIntention(strategy=strategy)
        ),
        "can_edit_intentions": permissions.may(
            user, "strategies.change_commissioningintention", CommissioningIntention(strategy=strategy)
        ),
        "can_edit_statements": permissions.may(
            user, "strategies.change_themestatement", ThemeStatement(theme=sample_theme)
        ),
    }


@require_GET
def plan(request: Request, pk: int) -> HttpResponse:
    """Seed 003's "Commissioning Intentions by Strategic Theme" for a strategy (plan)."""
    context = _plan_context(request, pk)
    strategy = context["strategy"]
    context["breadcrumbs"] = [*_strategy_breadcrumbs(strategy), ("Commissioning intentions by theme", None)]
    return render(request, "strategies/plan.html", context)


@require_GET
def plan_print(request: Request, pk: int) -> HttpResponse:
    context = _plan_context(request, pk)
    context.update(can_edit_themes=False, can_add_intention=False, can_edit_intentions=False, can_edit_statements=False)
    return render(request, "strategies/plan_print.html", context)


@require_http_methods(["GET", "POST"])
def statement_form(request: Request, theme_pk: int, pk: int | None = None) -> HttpResponse:
    """Add or edit an "I" statement of a theme."""
    user = request.user
    theme = get_object_or_404(StrategicTheme.objects.visible_to(user).select_related("strategy"), pk=theme_pk)
    statement = get_object_or_404(ThemeStatement.objects.visible_to(user), pk=pk, theme=theme) if pk else None
    perm = f"strategies.{'change' if pk else 'add'}_themestatement"
    permissions.require(user, perm, statement or ThemeStatement(theme=theme))
    form = StatementForm(request.POST or None, instance=statement)

    def save() -> ThemeStatement:
        if statement is None:
            return services.statement_create(theme=theme, by=user, data=form.service_data())
        return services.statement_update(statement=statement, by=user, data=form.service_data())

    if save_through_service(request, form, save, success="“I” statement saved.") is not NOT_SAVED:
        return redirect("strategies:plan", pk=theme.strategy_id)
    title = f"{'Edit' if pk else 'Add'} an “I” statement of {theme.name}"
    context = {
        "form": form,
        "title": title,
        "breadcrumbs": [
            *_strategy_breadcrumbs(theme.strategy),
            ("Commissioning intentions by theme", reverse("strategies:plan", args=[theme.strategy_id])),
            (title, None),
        ],
    }
    return render(request, "form_page.html", context)


# --- The commissioning cycle ------------------------------------------------------------------------


@require_GET
@permissions.permission_required("strategies.view_cyclestage")
def cycle_stage_list(request: Request) -> HttpResponse:
    context = {
        "stages": selectors.cycle_stages(include=tuple(CycleStage.objects.values_list("pk", flat=True))),
        "can_edit": permissions.may(request.user, "strategies.change_cyclestage"),
        "can_add": permissions.may(request.user, "strategies.add_cyclestage"),
        "breadcrumbs": [("Strategies", reverse("strategies:list")), ("The commissioning cycle", None)],
    }
    return render(request, "strategies/cycle_stages.html", context)


@require_http_methods(["GET", "POST"])
def cycle_stage_form(request: Request, pk: int | None = None) -> HttpResponse:
    user = request.user
    stage = get_object_or_404(CycleStage, pk=pk) if pk else None
    permissions.require(user, f"strategies.{'change' if pk else 'add'}_cyclestage", stage)
    form = CycleStageForm(request.POST or None, instance=stage)

    def save() -> CycleStage:
        if stage is None:
            return services.cycle_stage_create(by=user, data=form.service_data())
        return services.cycle_stage_update(stage=stage, by=user, data=form.service_data())

    if save_through_service(request, form, save, success=lambda s: f"Stage “{s}” saved.") is not NOT_SAVED:
        return redirect("strategies:cycle_stages")
    title = f"Edit the stage {stage}" if stage else "Add a stage to the commissioning cycle"
    context = {
        "form": form,
        "title": title,
        "breadcrumbs": [
            ("Strategies", reverse("strategies:list")),
            ("The commissioning cycle", reverse("strategies:cycle_stages")),
            (title, None),
        ],
    }
    return render(request, "form_page.html", context)


# --- Savings ------------------------------------------------------------------------------------------


def _savings_filtered(request: Request) -> tuple[SavingFilter, Any]:
    filterset = SavingFilter(request.GET, queryset=selectors.saving_list(user=request.user), request=request)
    form = filterset.form
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label or name
            messages.warning(request, f"The “{label}” filter was not applied: {' '.join(errors)}")
    return filterset, filterset.qs


@require_GET
@permissions.permission_required("strategies.view_saving")
def saving_list(request: Request) -> HttpResponse:
    filterset, savings = _savings_filtered(request)
    form = filterset.form
    page_obj = page_of(request, savings)
    context = {
        "page_obj": page_obj,
        "savings": list(page_obj.object_list),
        "table": selectors.savings_table(savings=savings),
        "filters": {
            "directorate_id": _selected(form, "directorate"),
            "year": _selected(form, "year"),
            "strategy_id": _selected(form, "strategy"),
            "status": _selected(form, "status"),
            "q": _selected(form, "q") or "",
        },
        "directorates": Directorate.objects.order_by("name"),
        "years": saving_years(),
        "strategies": CommissioningStrategy.objects.visible_to(request.user).order_by("name").only("pk", "name"),
        "statuses": Saving.Status.choices,
        "querystring": querystring_without(request),
        "can_create": permissions.may(request.user, "strategies.add_saving"),
        "breadcrumbs": [("Savings", None)],
    }
    return render(request, "strategies/saving_list.html", context)


SAVINGS_CSV_HEADERS = [
    "Reference",
    "Directorate",
    "Strategy",
    "Financial year",
    "Proposal",
    "Status",
    "Budgeted saving (£)",
    "Achieved saving (£)",
    "Variation (£)",
    "Reasons for the variation",
]


def _csv_money(value) -> str:
    """Pounds and pence as a spreadsheet reads them ("1306000.00"); empty when not known."""
    return "" if value is None else f"{Decimal(value):.2f}"


@require_GET
@permissions.permission_required("strategies.view_saving")
def savings_csv(request: Request) -> HttpResponse:
    """The filtered savings as a CSV file (each saving a row, the same filters as the page)."""
    _filterset, savings = _savings_filtered(request)
    out = io.StringIO()
    out.write("\ufeff")  # so Excel opens the file as UTF-8
    writer = csv.writer(out)
    writer.writerow(SAVINGS_CSV_HEADERS)
    for saving in savings:
        writer.writerow(
            neutralise_row(
                [
                    saving.reference,
                    saving.directorate.name,
                    saving.strategy.name if saving.strategy else "",
                    saving.year_label,
                    saving.title,
                    saving.get_status_display(),
                    _csv_money(saving.budgeted),
                    _csv_money(saving.achieved),
                    _csv_money(saving.variation),
                    saving.reasons,
                ]
            )
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="savings.csv"'
    return response


@require_GET
@permissions.permission_required("strategies.view_saving")
def saving_detail(request: Request, pk: int) -> HttpResponse:
    user = request.user
    try:
        saving = selectors.saving_for_page(pk=pk, user=user)
    except Saving.DoesNotExist as error:
        raise Http404 from error
    officer = permissions.is_officer(user)
    context = {
        "saving": saving,
        # The register and providers are officers' information: councillors see the figures and reasons.
        "contracts": getattr(saving, "touched_contracts", None),
        "check": selectors.saving_provider_check(saving=saving) if officer else None,
        "can_edit": permissions.may(user, "strategies.change_saving", saving),
        "breadcrumbs": [("Savings", reverse("strategies:savings")), (saving.reference, None)],
    }
    return render(request, "strategies/saving_detail.html", context)


@require_http_methods(["GET", "POST"])
def saving_form(request: Request, pk: int | None = None) -> HttpResponse:
    user = request.user
    saving = get_object_or_404(Saving.objects.visible_to(user), pk=pk) if pk else None
    permissions.require(user, "strategies.change_saving" if saving else "strategies.add_saving", saving)
    form = SavingForm(request.POST or None, instance=saving, user=user)

    def save() -> Saving:
        if saving is None:
            return services.saving_create(by=user, data=form.service_data())
        return services.saving_update(saving=saving, by=user, data=form.service_data())

    saved = save_through_service(request, form, save, success=lambda s: f"Saving {s.reference} saved.")
    if saved is not NOT_SAVED:
        return redirect(saved)
    title = f"Edit saving {saving.reference}" if saving else "Record a saving"
    crumbs = [("Savings", reverse("strategies:savings"))]
    if saving:
        crumbs.append((saving.reference, saving.get_absolute_url()))
    context = {"form": form, "title": title, "breadcrumbs": [*crumbs, (title, None)]}
    return render(request, "form_page.html", context)
