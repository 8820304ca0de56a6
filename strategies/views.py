"""Pages of the strategies app. Thin: check permission, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning.listing import page_of, querystring_without
from commissioning.models import Directorate, User
from commissioning.periods import FinancialQuarter, current_quarter

from . import selectors, services
from .forms import (
    ApproveForm,
    BoardReviewForm,
    HighlightReportForm,
    IntentionForm,
    OutcomeForm,
    ReturnForm,
    RiskForm,
    ScrutinyForm,
    StartReportForm,
    StrategyForm,
    SubmitForm,
    move_form_helper,
)
from .models import CommissioningIntention, CommissioningStrategy, HighlightReport, Outcome, Stage, StrategyRisk

Status = HighlightReport.Status


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _can_see_drafts(user: User) -> bool:
    return selectors.can_see_draft_reports(user)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _strategy_breadcrumbs(strategy: CommissioningStrategy | None = None) -> list:
    crumbs = [("Strategies", reverse("strategies:list"))]
    if strategy is not None:
        crumbs.append((strategy.name, strategy.get_absolute_url()))
    return crumbs


# --- Strategies ---------------------------------------------------------------------------------


@require_GET
def strategy_list(request: HttpRequest) -> HttpResponse:
    _require(request, "strategies.view_commissioningstrategy")
    params = request.GET
    filters = {
        "directorate_id": _int_or_none(params.get("directorate")),
        "stage": params.get("stage") or None,
        "rag": params.get("rag") or None,
        "lead_id": _int_or_none(params.get("lead")),
        "q": params.get("q", "").strip(),
    }
    strategies = selectors.strategy_list(**filters)
    page_obj = page_of(request, strategies)
    rows = list(page_obj.object_list)
    measures = selectors.measures_for_latest_reports(rows)
    for strategy in rows:
        strategy.latest_measures = measures[strategy.pk]
        strategy.latest_period = (
            FinancialQuarter(strategy.latest_year, strategy.latest_quarter) if strategy.latest_year else None
        )
        strategy.latest_status_label = Status(strategy.latest_status).label if strategy.latest_status else ""
    context = {
        "page_obj": page_obj,
        "strategies": rows,
        "filters": filters,
        "directorates": Directorate.objects.order_by("name"),
        "leads": User.objects.filter(led_strategies__isnull=False).distinct().order_by("first_name", "last_name"),
        "stages": Stage.choices,
        "rags": [*HighlightReport.Rag.choices, ("none", "No RAG")],
        "querystring": querystring_without(request),
        "can_create": request.user.has_perm("strategies.add_commissioningstrategy"),
        "breadcrumbs": [("Strategies", None)],
    }
    return render(request, "strategies/strategy_list.html", context)


@require_GET
def strategy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "strategies.view_commissioningstrategy")
    try:
        strategy = selectors.strategy_for_page(pk=pk)
    except CommissioningStrategy.DoesNotExist as error:
        raise Http404 from error
    user = request.user
    extras = selectors.strategy_page_extras(strategy=strategy, can_see_drafts=_can_see_drafts(user))
    can_edit = services.can_edit_strategy(user, strategy, "strategies.change_commissioningstrategy")
    context = {
        "strategy": strategy,
        **extras,
        "can_edit": can_edit,
        "can_start_report": services.can_edit_strategy(user, strategy, "strategies.add_highlightreport"),
        "start_form": StartReportForm(),
        "next_quarter": extras["all_reports"][0].period.next() if extras["all_reports"] else current_quarter(),
        "breadcrumbs": [("Strategies", reverse("strategies:list")), (strategy.name, None)],
    }
    return render(request, "strategies/strategy_detail.html", context)


@require_http_methods(["GET", "POST"])
def strategy_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    strategy = get_object_or_404(CommissioningStrategy, pk=pk) if pk else None
    perm = "strategies.change_commissioningstrategy" if strategy else "strategies.add_commissioningstrategy"
    if not services.can_edit_strategy(request.user, strategy, perm):
        raise PermissionDenied
    form = StrategyForm(request.POST or None, instance=strategy, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_with_history(instance=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Strategy “{saved.name}” saved.")
            return redirect(saved)
    title = f"Edit {strategy.name}" if strategy else "New commissioning strategy"
    context = {
        "form": form,
        "title": title,
        "breadcrumbs": [*_strategy_breadcrumbs(strategy), (title, None)],
    }
    return render(request, "form_page.html", context)


PARTS = {
    "outcome": (Outcome, OutcomeForm, "outcome"),
    "intention": (CommissioningIntention, IntentionForm, "commissioning intention"),
    "risk": (StrategyRisk, RiskForm, "risk"),
}


@require_http_methods(["GET", "POST"])
def strategy_part_form(request: HttpRequest, strategy_pk: int, part: str, pk: int | None = None) -> HttpResponse:
    """Add or edit an outcome, a commissioning intention or a risk of a strategy."""
    model, form_class, label = PARTS[part]
    strategy = get_object_or_404(CommissioningStrategy, pk=strategy_pk)
    instance = get_object_or_404(model, pk=pk, strategy=strategy) if pk else model(strategy=strategy)
    perm = f"strategies.{'change' if pk else 'add'}_{model._meta.model_name}"
    if not services.can_edit_strategy(request.user, strategy, perm):
        raise PermissionDenied
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.save_with_history(instance=form.instance, by=request.user)
        messages.success(request, f"{label.capitalize()} saved.")
        return redirect(strategy)
    title = f"{'Edit' if pk else 'Add'} {label}"
    context = {"form": form, "title": title, "breadcrumbs": [*_strategy_breadcrumbs(strategy), (title, None)]}
    return render(request, "form_page.html", context)


# --- Reports ------------------------------------------------------------------------------------


def _report_for_reader(request: HttpRequest, pk: int) -> HighlightReport:
    _require(request, "strategies.view_highlightreport")
    try:
        report = selectors.report_for_page(pk=pk)
    except HighlightReport.DoesNotExist as error:
        raise Http404 from error
    if report.status == Status.DRAFT and not _can_see_drafts(request.user):
        raise Http404
    return report


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


def _available_moves(user: User, report: HighlightReport) -> list[dict]:
    return [
        {"name": f"strategies:report_{service}", "label": button, "target": target}
        for target, _form, service, button, _title in MOVES.values()
        if services.can_move(user, report, target)
    ]


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for_reader(request, pk)
    user = request.user
    context = {
        "report": report,
        "doc": selectors.highlight_report_document(report=report),
        "events": report.events.all(),
        "moves": _available_moves(user, report),
        "can_edit": report.status == Status.DRAFT
        and services.can_edit_strategy(user, report.strategy, "strategies.change_highlightreport"),
        "missing": services.missing_sections(report) if report.status == Status.DRAFT else {},
        "breadcrumbs": _report_breadcrumbs(report),
    }
    return render(request, "strategies/report_detail.html", context)


@require_GET
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for_reader(request, pk)
    context = {"report": report, "doc": selectors.highlight_report_document(report=report)}
    return render(request, "strategies/report_print.html", context)


def _refuse_edit(request: HttpRequest, report: HighlightReport) -> HttpResponse:
    if report.is_frozen:
        reason = "This report was approved by the Executive and is frozen: it cannot be changed."
    else:
        reason = f"Only a draft report can be edited; this one is “{report.get_status_display()}”."
    context = {"report": report, "reason": reason, "breadcrumbs": _report_breadcrumbs(report, "Edit")}
    return render(request, "strategies/report_locked.html", context, status=403)


@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for_reader(request, pk)
    if not services.can_edit_strategy(request.user, report.strategy, "strategies.change_highlightreport"):
        raise PermissionDenied
    if report.status != Status.DRAFT:
        return _refuse_edit(request, report)
    form = HighlightReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.highlight_report_update(
                report=report,
                by=request.user,
                data=form.changed_data_for_service(),
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleEdit as stale:
            return _conflict(request, form, stale.current)
        except services.TransitionNotAllowed:
            return _refuse_edit(request, HighlightReport.objects.get(pk=report.pk))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Report saved.")
            return redirect(report)
    # Reload the report so the sections the system fills in are read live (form may have changed it).
    context = {
        "form": form,
        "report": report,
        "doc": selectors.highlight_report_document(report=selectors.report_for_page(pk=report.pk)),
        "breadcrumbs": _report_breadcrumbs(report, "Edit"),
    }
    return render(request, "strategies/report_edit.html", context)


def _conflict(request: HttpRequest, form: HighlightReportForm, current: HighlightReport) -> HttpResponse:
    """Their save was made on an old copy: show their text beside the current text, field by field."""
    current = selectors.report_for_page(pk=current.pk)
    rows = []
    for name in selectors.EDITABLE_FIELDS:
        theirs, now = form.cleaned_data.get(name), getattr(current, name)
        if (theirs or "") != (now or ""):
            rows.append(
                {
                    "label": str(HighlightReport._meta.get_field(name).verbose_name).capitalize(),
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
def report_history(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for_reader(request, pk)
    versions = selectors.report_versions(report=report)
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
def report_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    target, form_class, service_name, button, title = MOVES[move]
    report = _report_for_reader(request, pk)
    if not services.can_move(request.user, report, target):
        raise PermissionDenied
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
            errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            for field, field_messages in errors.items():
                # Missing report sections are not fields of this form: they go in the error summary.
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            messages.success(request, f"Report is now “{Status(target).label}”.")
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
def start_next_report(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = get_object_or_404(CommissioningStrategy, pk=pk)
    if not services.can_edit_strategy(request.user, strategy, "strategies.add_highlightreport"):
        raise PermissionDenied
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
def reports_this_quarter(request: HttpRequest) -> HttpResponse:
    _require(request, "strategies.view_highlightreport")
    period = current_quarter()
    if request.GET.get("quarter"):
        try:
            period = FinancialQuarter.parse(request.GET["quarter"])
        except ValueError:
            messages.error(
                request, f"“{request.GET['quarter']}” is not a quarter such as 2018-Q3; showing this quarter."
            )
    rows = selectors.reports_for_quarter(period=period)
    context = {
        "period": period,
        "previous": period.previous(),
        "next": period.next(),
        "rows": rows,
        "counts": selectors.quarter_counts(rows),
        "can_see_drafts": _can_see_drafts(request.user),
        "breadcrumbs": [("Highlight reports this quarter", None)],
    }
    return render(request, "strategies/reports_this_quarter.html", context)
