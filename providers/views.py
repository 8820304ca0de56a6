"""Pages of the providers app. Thin: check permission, call a selector or service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning.audit import VIA as READ_VIA
from commissioning.audit import record_reads
from commissioning.forms import add_service_errors
from commissioning.imports import import_limit, run_or_queue
from commissioning.listing import page_of, querystring_without
from commissioning.models import ImportJob
from commissioning.periods import financial_year_choices
from commissioning.permissions import permission_required

from . import selectors, services
from .filters import LocationFilter, ProviderFilter
from .forms import RiskAssessmentForm, RiskMethodForm
from .import_forms import CqcFileImportForm
from .imports import ImportFileError
from .models import CqcRatingAlert, Provider, RiskAssessment


@require_GET
@permission_required("providers.view_provider")
def provider_list(request):
    providers = selectors.provider_list(user=request.user)
    filterset = ProviderFilter(request.GET or None, queryset=providers)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else providers
    page_obj = page_of(request, queryset)
    return render(
        request,
        "providers/provider_list.html",
        {
            "filterset": filterset,
            "page_obj": page_obj,
            "querystring": querystring_without(request),
            "breadcrumbs": [("Providers", None)],
        },
    )


@require_GET
@permission_required("providers.view_provider")
def provider_detail(request, pk: int):
    try:
        page = selectors.provider_page(provider_id=pk, user=request.user)
    except Provider.DoesNotExist as error:
        raise Http404("No such provider.") from error
    # Safeguarding concerns and serious incidents shown here are restricted records: each read is recorded.
    record_reads(user=request.user, objects=[c for c in page.concerns if c.is_restricted], via=READ_VIA.PAGE)
    return render(
        request,
        "providers/provider_detail.html",
        {
            "page": page,
            "provider": page.provider,
            "alerts": selectors.provider_rating_alerts(provider=page.provider, user=request.user),
            "breadcrumbs": [("Providers", reverse("providers:list")), (page.provider.name, None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("providers.add_riskassessment")
def risk_assess(request, pk: int):
    """The assessment form, built from the method in force on the date given (today's before one is given). Answers
    to another version's factors (the date moved to another version) are asked again with the right factors."""
    provider = get_object_or_404(Provider.objects.visible_to(request.user), pk=pk)
    method = selectors.current_risk_method()
    if request.method == "POST":
        posted = RiskAssessmentForm.posted_date(request.POST)
        method = (selectors.risk_method_in_force(posted) if posted else None) or method
    if method is None:
        messages.error(request, "No risk method is in force yet: an administrator must record one first.")
        return redirect(provider)
    form = RiskAssessmentForm(request.POST or None, method=method)
    if request.method == "POST" and request.POST.get("method_shown", str(method.pk)) != str(method.pk):
        # The answers were to another version's factors: ask for those of the version in force on the date.
        data = request.POST.copy()
        data["method_shown"] = str(method.pk)
        form = RiskAssessmentForm(data, method=method)
        form.is_valid()
        form.add_error(
            "assessed_on", f"Version {method.version} of the risk method was in force on that date: answer its factors."
        )
    elif request.method == "POST" and form.is_valid():
        try:
            assessment = services.risk_assessment_record(
                provider=provider,
                factors=form.factor_scores,
                assessed_on=form.cleaned_data["assessed_on"],
                by=request.user,
                override_level=form.cleaned_data["override_level"] or None,
                override_reason=form.cleaned_data["override_reason"],
                rationale=form.cleaned_data["rationale"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Risk assessment saved: {assessment.get_level_display()} (score {assessment.score})."
            )
            return redirect(provider)
    return render(
        request,
        "providers/risk_assess.html",
        {
            "provider": provider,
            "form": form,
            "method": method,
            "title": "New risk assessment",
            "page_title": f"New risk assessment – {provider.name}",
            "caption": provider.name,
            "breadcrumbs": [
                ("Providers", reverse("providers:list")),
                (provider.name, provider.get_absolute_url()),
                ("New risk assessment", None),
            ],
        },
    )


@require_GET
@permission_required("providers.view_riskassessment")
def risk_assessment_detail(request, pk: int):
    try:
        assessment = selectors.risk_assessment_detail(user=request.user, assessment_id=pk)
    except RiskAssessment.DoesNotExist as error:
        raise Http404("No such assessment.") from error
    return render(
        request,
        "providers/risk_assessment_detail.html",
        {
            "assessment": assessment,
            "breadcrumbs": [
                ("Providers", reverse("providers:list")),
                (assessment.provider.name, assessment.provider.get_absolute_url() + "#risk"),
                (f"Risk assessment {assessment.assessed_on:%d/%m/%Y}", None),
            ],
        },
    )


@require_GET
@permission_required("providers.view_riskmethod")
def risk_method_list(request):
    current = selectors.current_risk_method()
    return render(
        request,
        "providers/risk_method_list.html",
        {
            "methods": list(selectors.risk_method_list(user=request.user)),
            "current": current,
            "breadcrumbs": [("Providers", reverse("providers:list")), ("Risk methods", None)],
        },
    )


@require_GET
@permission_required("providers.view_riskmethod")
def risk_method_detail(request, pk: int):
    method = get_object_or_404(selectors.risk_method_list(user=request.user), pk=pk)
    current = selectors.current_risk_method()
    return render(
        request,
        "providers/risk_method_detail.html",
        {
            "method": method,
            "is_current": current is not None and current.pk == method.pk,
            "breadcrumbs": [
                ("Providers", reverse("providers:list")),
                ("Risk methods", reverse("providers:risk_methods")),
                (f"Version {method.version}", None),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("providers.add_riskmethod")
def risk_method_create(request):
    """A new version, starting from the current method's factors and thresholds."""
    form = RiskMethodForm(request.POST or None, current=selectors.current_risk_method())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            method = services.risk_method_create(
                by=request.user,
                name=data["name"],
                effective_from=data["effective_from"],
                factors=data["factors"],
                thresholds={"medium": data["medium"], "high": data["high"]},
                notes=data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Risk method version {method.version} saved.")
            return redirect(method)
    return render(
        request,
        "providers/risk_method_form.html",
        {
            "form": form,
            "title": "New version of the risk method",
            "breadcrumbs": [
                ("Providers", reverse("providers:list")),
                ("Risk methods", reverse("providers:risk_methods")),
                ("New version", None),
            ],
        },
    )


@require_GET
@permission_required("providers.view_riskassessment")
def risk_overview(request):
    year = request.GET.get("year")
    if year is not None and not (year.isdigit() and len(year) == 4):
        year = None
    overview = selectors.risk_overview(user=request.user, year=int(year) if year else None)
    return render(
        request,
        "providers/risk_overview.html",
        {
            "overview": overview,
            "year_choices": financial_year_choices(overview.years) if overview else [],
            "breadcrumbs": [("Providers", reverse("providers:list")), ("Risk overview", None)],
        },
    )


@require_GET
@permission_required("providers.view_location")
def location_list(request):
    locations = selectors.location_list(user=request.user)
    filterset = LocationFilter(request.GET or None, queryset=locations)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else locations
    return render(
        request,
        "providers/location_list.html",
        {
            "filterset": filterset,
            "page_obj": page_of(request, queryset),
            "querystring": querystring_without(request),
            "breadcrumbs": [("Providers", reverse("providers:list")), ("Locations and CQC ratings", None)],
        },
    )


@require_GET
@permission_required("providers.view_cqcrating")
def rating_drops(request):
    """The older list of rating drops: falls are now alerts, listed until acknowledged (kept for bookmarks)."""
    return redirect("providers:cqc_alerts")


@require_http_methods(["GET", "POST"])
@permission_required("providers.import_cqc_ratings")
def cqc_import(request):
    """CQC's files: HSCA active locations, ratings one row per key question, ratings one row per location.
    A small file is imported now; a large one by a background job, whose progress page this redirects to."""
    form = CqcFileImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = run_or_queue(
                importer=form.importer,
                content=upload.read(),
                filename=upload.name,
                by=request.user,
                dry_run=form.cleaned_data["dry_run"],
                options=form.options,
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if isinstance(outcome, ImportJob):
                return redirect(reverse("commissioning:import_job", args=[outcome.pk]))
            result = outcome
    return render(
        request,
        "providers/cqc_import.html",
        {
            "form": form,
            "result": result,
            "kind": form.cleaned_data.get("format") if result is not None else None,
            "max_errors_shown": import_limit("max_errors_shown"),
            "breadcrumbs": [("Providers", reverse("providers:list")), ("Import CQC files", None)],
        },
    )


@require_GET
@permission_required("providers.view_cqcratingalert")
def cqc_alert_list(request):
    """Falls in CQC ratings: those to acknowledge (the default) or, with ?show=acknowledged, those done."""
    acknowledged = request.GET.get("show") == "acknowledged"
    alerts = selectors.rating_alerts(user=request.user, acknowledged=acknowledged)
    return render(
        request,
        "providers/cqc_alert_list.html",
        {
            "page_obj": page_of(request, alerts),
            "acknowledged": acknowledged,
            "breadcrumbs": [("Providers", reverse("providers:list")), ("CQC rating falls", None)],
        },
    )


@require_POST
@permission_required("providers.acknowledge_cqcratingalert")
def cqc_alert_acknowledge(request, pk: int):
    """Acknowledge one fall (the provider page's form); back to the provider page with what happened."""
    alert = get_object_or_404(CqcRatingAlert.objects.visible_to(request.user).select_related("location"), pk=pk)
    try:
        services.cqc_rating_alert_acknowledge(alert=alert, by=request.user, note=request.POST.get("note", ""))
    except services.AlertAlreadyAcknowledged as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Acknowledged the fall in the CQC rating of {alert.location.name}.")
    return redirect(reverse("providers:detail", args=[alert.location.provider_id]) + "#cqc-alerts")
