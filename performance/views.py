"""Pages of the performance app. Thin: check permission, call a selector or service, map its errors to the
form, render. Who may change what is asked of ``performance.permissions`` (the core's rule); the services
ask again for every record they write."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.forms import NOT_SAVED, add_service_errors, save_through_service
from commissioning.imports import run_or_queue
from commissioning.models import ImportJob
from commissioning.periods import FinancialQuarter, current_quarter
from commissioning.permissions import permission_required

from . import selectors, services
from .forms import MeasureForm, ResultRowForm, ResultsUploadForm, initial_rows
from .imports import IMPORTER
from .models import Measure, MeasureResult, recordable_quarter
from .permissions import (
    ADD_MEASURE,
    CHANGE_MEASURE,
    CHANGE_RESULT,
    may_add_measure,
    may_change_measure,
    may_enter_results,
)

VIEW_MEASURE = "performance.view_measure"
NOT_YOUR_STRATEGY = "You may change only your own directorate's strategies' measures and results."


def bad_quarter(request: HttpRequest, *, message: str, title: str) -> HttpResponse:
    """400: the query string names no quarter this service records. Says why, and offers the picker."""
    period = current_quarter()
    context = {
        "message": message,
        "title": title,
        "period": period,
        "quarter_choices": selectors.quarter_picker(selected=period),
    }
    return render(request, "performance/bad_quarter.html", context, status=400)


def _strategy_or_404(pk: int):
    # Strategies sit above performance: the strategy model is reached through the measure's FK, never imported.
    return get_object_or_404(Measure._meta.get_field("strategy").related_model, pk=pk)


@require_GET
@permission_required(VIEW_MEASURE)
def strategy(request, strategy_pk: int):
    strategy = _strategy_or_404(strategy_pk)
    try:
        period = selectors.selected_period(request.GET.get("quarter", ""))
    except ValueError as error:
        return bad_quarter(request, message=str(error), title=f"{strategy.name}: performance")
    context = {
        "strategy": strategy,
        "period": period,
        "perf": selectors.strategy_performance_context(strategy=strategy, period=period),
        "quarter_choices": selectors.quarter_picker(selected=period),
        "can_enter_results": may_enter_results(request.user, strategy),
        "can_add_measure": may_add_measure(request.user, strategy),
        "can_change_measure": may_change_measure(request.user, Measure(strategy=strategy)),
        "breadcrumbs": [
            ("Performance dashboard", f"{reverse('dashboards:council')}?quarter={period.key}"),
            (strategy.name, None),
        ],
    }
    return render(request, "performance/strategy.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(ADD_MEASURE)
def measure_add(request, strategy_pk: int):
    strategy = _strategy_or_404(strategy_pk)
    if not may_add_measure(request.user, strategy):
        raise PermissionDenied(NOT_YOUR_STRATEGY)
    form = MeasureForm(request.POST or None, strategy=strategy)
    saved = save_through_service(
        request,
        form,
        lambda: services.measure_create(strategy=strategy, by=request.user, **form.cleaned_data),
        success=lambda saved: f"Measure '{saved.name}' added.",
    )
    if saved is not NOT_SAVED:
        return redirect("performance:strategy", strategy_pk=strategy.pk)
    return _measure_page(request, form, strategy, title="Add a measure")


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_MEASURE)
def measure_edit(request, pk: int):
    measure = get_object_or_404(Measure.objects.select_related("strategy"), pk=pk)
    if not may_change_measure(request.user, measure):
        raise PermissionDenied(NOT_YOUR_STRATEGY)
    strategy, title = measure.strategy, f"Change '{measure.name}'"
    form = MeasureForm(request.POST or None, instance=measure, strategy=strategy)
    saved = save_through_service(
        request,
        form,
        lambda: services.measure_update(measure=measure, by=request.user, **form.cleaned_data),
        success=lambda saved: f"Measure '{saved.name}' saved.",
    )
    if saved is not NOT_SAVED:
        return redirect("performance:strategy", strategy_pk=saved.strategy_id)
    return _measure_page(request, form, strategy, title=title)


def _measure_page(request, form, strategy, *, title: str):
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "strategy": strategy,
            "title": title,
            "caption": strategy.name,
            "breadcrumbs": [
                ("Performance dashboard", reverse("dashboards:council")),
                (strategy.name, reverse("performance:strategy", args=[strategy.pk])),
                (title, None),
            ],
        },
    )


def _grid_forms(request, strategy, period: FinancialQuarter):
    """The grid's rows: each active measure's form, filled with what is stored (or last quarter's target)."""
    measures = list(Measure.objects.filter(strategy=strategy, is_active=True).select_related("outcome"))
    stored = {
        r.measure_id: r
        for r in MeasureResult.objects.filter(
            measure__in=measures, year=period.year, quarter=period.quarter
        ).select_related("entered_by")
    }
    previous = period.previous()
    previous_targets = dict(
        MeasureResult.objects.filter(measure__in=measures, year=previous.year, quarter=previous.quarter).values_list(
            "measure_id", "target"
        )
    )
    initial = initial_rows(measures=measures, results=stored, previous_targets=previous_targets)
    data = request.POST if request.method == "POST" else None
    return [ResultRowForm(data, measure=m, initial=initial[m.pk]) for m in measures], stored


def _save_grid(forms: list[ResultRowForm], *, period: FinancialQuarter, by) -> bool:
    """Save the grid through the service; put every problem on its row. Whether it saved."""
    # Every row is validated (not stopping at the first bad one); well-formed rows still get the council's
    # rules checked, so each problem shows at once.
    valid = [form.is_valid() for form in forms]
    if not all(valid):
        for form, ok in zip(forms, valid, strict=True):
            if ok:
                problems = services.result_problems(
                    measure=form.measure, value=form.cleaned_data["value"], target=form.cleaned_data["target"]
                )
                if problems:
                    add_service_errors(form, ValidationError(problems))
        return False
    entries = [
        services.ResultEntry(
            measure=form.measure,
            value=form.cleaned_data["value"],
            target=form.cleaned_data["target"],
            commentary=form.cleaned_data["commentary"],
        )
        for form in forms
    ]
    try:
        services.results_save(period=period, entries=entries, by=by)
    except services.ResultsInvalid as invalid:
        by_measure = {form.measure.pk: form for form in forms}
        for measure_pk, problems in invalid.errors.items():
            add_service_errors(by_measure[measure_pk], ValidationError(problems))
        return False
    return True


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_RESULT)
def results_grid(request, strategy_pk: int, year: int, quarter: int):
    strategy = _strategy_or_404(strategy_pk)
    try:
        period = recordable_quarter(year, quarter)
    except ValueError as error:
        raise Http404(str(error)) from None
    if not may_enter_results(request.user, strategy):
        raise PermissionDenied(NOT_YOUR_STRATEGY)
    forms, stored = _grid_forms(request, strategy, period)
    if request.method == "POST" and _save_grid(forms, period=period, by=request.user):
        messages.success(request, f"Results for {period} saved.")
        return redirect(f"{reverse('performance:strategy', args=[strategy.pk])}?quarter={period.key}")
    errors = [(form[name].id_for_label, e) for form in forms for name in form.fields for e in form[name].errors]
    errors += [(f"id_{form.prefix}-value", e) for form in forms for e in form.non_field_errors()]
    return render(
        request,
        "performance/results_grid.html",
        {
            "strategy": strategy,
            "period": period,
            "rows": [(form, stored.get(form.measure.pk)) for form in forms],
            "errors": errors,
            "breadcrumbs": [
                ("Performance dashboard", reverse("dashboards:council")),
                (strategy.name, f"{reverse('performance:strategy', args=[strategy.pk])}?quarter={period.key}"),
                (f"Results for {period}", None),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_RESULT)
def results_import(request):
    form = ResultsUploadForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if request.method == "POST" and form.is_valid():
        dry_run = form.cleaned_data["dry_run"]
        upload = form.cleaned_data["file"]
        try:
            # A large file is stored and imported by a worker: this page then redirects to its progress.
            outcome = run_or_queue(
                importer=IMPORTER, content=upload.read(), filename=upload.name, by=request.user, dry_run=dry_run
            )
        except PermissionDenied as refusal:
            # A row for another directorate's measure: the service refused the whole file, nothing was saved.
            form.add_error(None, f"Nothing was imported. {refusal}")
            report, status = None, 403
        else:
            if isinstance(outcome, ImportJob):
                return redirect(outcome)
            report = outcome
            if report.ok and not dry_run:
                messages.success(
                    request, f"Imported {len(report.rows)} results: {report.created} new, {report.updated} updated."
                )
                return redirect("performance:results_import")
    return render(
        request,
        "performance/results_import.html",
        {
            "form": form,
            "report": report,
            "result": report.to_dict() if report else None,
            "job": getattr(report, "job", None),
            "breadcrumbs": [("Performance dashboard", reverse("dashboards:council")), ("Import results", None)],
        },
        status=status,
    )


@require_GET
@permission_required(VIEW_MEASURE)
def late_results(request):
    late = selectors.late_results()
    # The strategies are loaded with the measures: asking about each costs no query.
    rows = [(item, may_enter_results(request.user, item.measure.strategy)) for item in late]
    return render(
        request,
        "performance/late_results.html",
        {
            "late": late,
            "rows": rows,
            "weeks": settings.RESULTS_LATE_AFTER_WEEKS,
            "can_enter_results": any(can for _, can in rows),
            "breadcrumbs": [("Performance dashboard", reverse("dashboards:council")), ("Late results", None)],
        },
    )
