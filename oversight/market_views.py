"""Pages of market oversight: the market overview, provider failure cases (list, detail, new, edit, close), market
indicator readings and a location's status. Thin: the rules live in oversight.market and providers.services."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.forms import service_form_page
from commissioning.listing import page_of, querystring_without
from commissioning.permissions import permission_required
from providers import services as provider_services
from providers.models import Location, Provider

from . import market
from .market_forms import (
    FailureCaseCloseForm,
    FailureCaseForm,
    LocationStatusForm,
    MarketIndicatorForm,
    ProviderChoiceForm,
)
from .models import MarketIndicator, ProviderFailureCase

FORM_TEMPLATE = "form_page.html"


def _market_crumb():
    return ("Market oversight", reverse("oversight:market"))


def _cases_crumb():
    return ("Provider failure cases", reverse("oversight:failure_cases"))


def _provider_from_query(request) -> Provider | None:
    value = request.GET.get("provider", "")
    if not value.isdigit():
        return None
    return Provider.objects.visible_to(request.user).filter(pk=int(value)).first()


def _choose_provider(request, title: str, crumbs: list):
    choice = ProviderChoiceForm(request.GET or None, user=request.user)
    if request.GET.get("provider"):
        choice.is_valid()
    return render(request, FORM_TEMPLATE, {"form": choice, "title": title, "breadcrumbs": [*crumbs, (title, None)]})


@require_GET
@permission_required("oversight.view_marketindicator", "oversight.view_providerfailurecase")
def market_overview(request):
    """Providers hard to replace, Red indicators, open failure cases and locations closing."""
    return render(
        request,
        "oversight/market/overview.html",
        {"overview": market.market_overview(user=request.user), "breadcrumbs": [("Market oversight", None)]},
    )


@require_GET
@permission_required("oversight.view_marketindicator")
def indicator_list(request):
    """Every market indicator reading (``?current=true``: only the current ones), newest first."""
    current = request.GET.get("current") == "true"
    readings = market.market_indicators(user=request.user, current=current)
    kind = request.GET.get("kind", "")
    if kind in MarketIndicator.Kind.values:
        readings = readings.filter(kind=kind)
    return render(
        request,
        "oversight/market/indicator_list.html",
        {
            "page_obj": page_of(request, readings),
            "current": current,
            "kind": kind,
            "kinds": MarketIndicator.Kind.choices,
            "querystring": querystring_without(request),
            "breadcrumbs": [_market_crumb(), ("Market indicators", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_marketindicator")
def indicator_add(request):
    title = "Record a market indicator"
    provider = _provider_from_query(request)
    if provider is None:
        return _choose_provider(request, title, [_market_crumb()])
    form = MarketIndicatorForm(request.POST or None, provider=provider)
    return service_form_page(
        request,
        form,
        lambda: market.market_indicator_record(by=request.user, provider=provider, **form.cleaned_data),
        success=lambda reading: f"Recorded: {reading}.",
        redirect_to=lambda saved: provider,
        context={
            "title": title,
            "caption": provider.name,
            "back_url": provider.get_absolute_url(),
            "breadcrumbs": [_market_crumb(), (title, None)],
        },
    )


@require_GET
@permission_required("oversight.view_providerfailurecase")
def failure_case_list(request):
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    return render(
        request,
        "oversight/market/case_list.html",
        {
            "page_obj": page_of(request, market.failure_cases(user=request.user, status=status, kind=kind)),
            "status": status,
            "kind": kind,
            "statuses": ProviderFailureCase.Status.choices,
            "kinds": ProviderFailureCase.Kind.choices,
            "querystring": querystring_without(request),
            "breadcrumbs": [_market_crumb(), ("Provider failure cases", None)],
        },
    )


def _case_or_404(request, pk: int) -> ProviderFailureCase:
    return get_object_or_404(market.failure_cases(user=request.user), pk=pk)


@require_GET
@permission_required("oversight.view_providerfailurecase")
def failure_case_detail(request, pk: int):
    case = _case_or_404(request, pk)
    return render(
        request,
        "oversight/market/case_detail.html",
        {"case": case, "breadcrumbs": [_market_crumb(), _cases_crumb(), (str(case.provider), None)]},
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_providerfailurecase")
def failure_case_add(request):
    title = "Open a provider failure case"
    provider = _provider_from_query(request)
    if provider is None:
        return _choose_provider(request, title, [_market_crumb(), _cases_crumb()])
    form = FailureCaseForm(request.POST or None, provider=provider)
    return service_form_page(
        request,
        form,
        lambda: market.failure_case_open(by=request.user, provider=provider, **form.cleaned_data),
        success="Case opened.",
        context={
            "title": title,
            "caption": provider.name,
            "back_url": reverse("oversight:failure_cases"),
            "breadcrumbs": [_market_crumb(), _cases_crumb(), (title, None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_providerfailurecase")
def failure_case_edit(request, pk: int):
    case = _case_or_404(request, pk)
    initial = {
        name: getattr(case, name)
        for name in (
            "location",
            "contract",
            "announced_on",
            "summary",
            "service_users_affected",
            "service_users_moved",
            "staff_transferred",
            "novation",
            "novated_to",
            "lessons",
        )
    }
    form = FailureCaseForm(request.POST or None, provider=case.provider, edit=True, initial=initial)
    return service_form_page(
        request,
        form,
        lambda: market.failure_case_update(by=request.user, case=case, **form.cleaned_data),
        success="Case updated.",
        context={
            "title": "Update the case",
            "caption": f"{case.get_kind_display()}: {case.provider}",
            "back_url": case.get_absolute_url(),
            "breadcrumbs": [_market_crumb(), _cases_crumb(), ("Update", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_providerfailurecase")
def failure_case_close(request, pk: int):
    case = _case_or_404(request, pk)
    form = FailureCaseCloseForm(
        request.POST or None, initial={"service_users_moved": case.service_users_moved, "lessons": case.lessons}
    )
    return service_form_page(
        request,
        form,
        lambda: market.failure_case_close(by=request.user, case=case, **form.cleaned_data),
        success="Case closed.",
        context={
            "title": "Close the case",
            "caption": f"{case.get_kind_display()}: {case.provider}",
            "back_url": case.get_absolute_url(),
            "breadcrumbs": [_market_crumb(), _cases_crumb(), ("Close", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("providers.change_location")
def location_status(request, pk: int):
    """Record that a location is open, closing or closed, with the date (providers.services.location_record_status)."""
    location = get_object_or_404(Location.objects.visible_to(request.user).select_related("provider"), pk=pk)
    form = LocationStatusForm(request.POST or None, initial={"status": location.status})
    return service_form_page(
        request,
        form,
        lambda: provider_services.location_record_status(
            location=location, status=form.cleaned_data["status"], on=form.cleaned_data["on"], by=request.user
        ),
        success=lambda saved: f"{saved.name} is now {saved.get_status_display().lower()}.",
        redirect_to=lambda saved: location.provider,
        template="oversight/market/location_status.html",
        context={
            "location": location,
            "title": "Location status",
            "caption": f"{location.name}, {location.provider.name}",
            "back_url": location.provider.get_absolute_url(),
            "breadcrumbs": [
                ("Providers", reverse("providers:list")),
                (location.provider.name, location.provider.get_absolute_url()),
                ("Location status", None),
            ],
        },
    )
