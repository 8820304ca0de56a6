"""Pages of the performance app. Thin: check permission, call a selector or service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.periods import FinancialQuarter

from . import selectors, services
from .forms import MeasureForm, ResultRowForm, ResultsUploadForm, initial_rows
from .imports import import_results
from .models import Measure, MeasureResult


def _require(request, *perms: str) -> None:
    if not all(request.user.has_perm(p) for p in perms):
        raise PermissionDenied


def _period_from(request) -> FinancialQuarter:
    """The quarter asked for (?quarter=2018-Q3), else the latest with any result, else the current one."""
    text = request.GET.get("quarter", "").strip()
    try:
        return selectors.selected_period(text)
    except ValueError:
        raise Http404(f"'{text}' is not a quarter.") from None


def _strategy_or_404(pk: int):
    # Strategies sit above performance: the strategy model is reached through the measure's FK, never imported.
    return get_object_or_404(Measure._meta.get_field("strategy").related_model, pk=pk)


@require_GET
def strategy(request, strategy_pk: int):
    _require(request, "performance.view_measure")
    strategy = _strategy_or_404(strategy_pk)
    period = _period_from(request)
    context = {
        "strategy": strategy,
        "period": period,
        "perf": selectors.strategy_performance_context(strategy=strategy, period=period),
        "quarter_choices": selectors.quarter_picker(selected=period),
        "can_enter_results": request.user.has_perm("performance.change_measureresult"),
        "can_add_measure": request.user.has_perm("performance.add_measure"),
        "can_change_measure": request.user.has_perm("performance.change_measure"),
        "breadcrumbs": [
            ("Performance dashboard", f"{reverse('dashboards:council')}?quarter={period.key}"),
            (strategy.name, None),
        ],
    }
    return render(request, "performance/strategy.html", context)


@require_http_methods(["GET", "POST"])
def measure_add(request, strategy_pk: int):
    _require(request, "performance.add_measure")
    strategy = _strategy_or_404(strategy_pk)
    form = MeasureForm(request.POST or None, strategy=strategy)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_create(strategy=strategy, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Measure '{form.cleaned_data['name']}' added.")
            return redirect("performance:strategy", strategy_pk=strategy.pk)
    return _measure_page(request, form, strategy, title="Add a measure")


@require_http_methods(["GET", "POST"])
def measure_edit(request, pk: int):
    _require(request, "performance.change_measure")
    measure = get_object_or_404(Measure.objects.select_related("strategy"), pk=pk)
    form = MeasureForm(request.POST or None, instance=measure, strategy=measure.strategy)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(measure=measure, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Measure '{form.cleaned_data['name']}' saved.")
            return redirect("performance:strategy", strategy_pk=measure.strategy_id)
    return _measure_page(request, form, measure.strategy, title=f"Change '{measure.name}'")


def _measure_page(request, form, strategy, *, title: str):
    return render(
        request,
        "performance/measure_form.html",
        {
            "form": form,
            "strategy": strategy,
            "title": title,
            "breadcrumbs": [
                ("Performance dashboard", reverse("dashboards:council")),
                (strategy.name, reverse("performance:strategy", args=[strategy.pk])),
                (title, None),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def results_grid(request, strategy_pk: int, year: int, quarter: int):
    _require(request, "performance.change_measureresult")
    strategy = _strategy_or_404(strategy_pk)
    try:
        period = FinancialQuarter(year, quarter)
    except ValueError:
        raise Http404("No such quarter.") from None
    measures = list(Measure.objects.filter(strategy=strategy, is_active=True).select_related("outcome"))
    stored = {
        r.measure_id: r
        for r in MeasureResult.objects.filter(measure__in=measures, year=period.year, quarter=period.quarter)
    }
    previous = period.previous()
    previous_targets = dict(
        MeasureResult.objects.filter(measure__in=measures, year=previous.year, quarter=previous.quarter).values_list(
            "measure_id", "target"
        )
    )
    initial = initial_rows(measures=measures, results=stored, previous_targets=previous_targets)
    data = request.POST if request.method == "POST" else None
    forms = [ResultRowForm(data, measure=m, initial=initial[m.pk]) for m in measures]
    # Validate every row (not stopping at the first bad one) so each row's errors show at once.
    valid = [form.is_valid() for form in forms]
    if request.method == "POST" and not all(valid):
        # Rows that are well-formed still get the council's rules checked, so every problem shows at once.
        for form, ok in zip(forms, valid, strict=True):
            if ok:
                problems = services.result_problems(
                    measure=form.measure, value=form.cleaned_data["value"], target=form.cleaned_data["target"]
                )
                for field, message in problems.items():
                    form.add_error(field, message)
    if request.method == "POST" and all(valid):
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
            services.results_save(period=period, entries=entries, by=request.user)
        except services.ResultsInvalid as invalid:
            by_measure = {form.measure.pk: form for form in forms}
            for measure_pk, problems in invalid.errors.items():
                for field, message in problems.items():
                    by_measure[measure_pk].add_error(field, message)
        else:
            messages.success(request, f"Results for {period} saved.")
            return redirect(f"{reverse('performance:strategy', args=[strategy.pk])}?quarter={period.key}")
    errors = [(form[name].id_for_label, e) for form in forms for name in form.fields for e in form[name].errors]
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
def results_import(request):
    _require(request, "performance.change_measureresult")
    form = ResultsUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        dry_run = form.cleaned_data["dry_run"]
        report = import_results(data=form.cleaned_data["file"].read(), by=request.user, dry_run=dry_run)
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
            "breadcrumbs": [("Performance dashboard", reverse("dashboards:council")), ("Import results", None)],
        },
    )


@require_GET
def late_results(request):
    _require(request, "performance.view_measure")
    return render(
        request,
        "performance/late_results.html",
        {
            "late": selectors.late_results(),
            "weeks": settings.RESULTS_LATE_AFTER_WEEKS,
            "can_enter_results": request.user.has_perm("performance.change_measureresult"),
            "breadcrumbs": [("Performance dashboard", reverse("dashboards:council")), ("Late results", None)],
        },
    )
