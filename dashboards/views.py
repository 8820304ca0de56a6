"""Read-model pages across the apps. Thin: check permission, call a selector, render."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from performance.selectors import quarter_picker, selected_period

from . import selectors


@require_GET
def council(request):
    """The council dashboard for the quarter asked for (?quarter=2018-Q3), else the latest with any result."""
    if not request.user.has_perm("performance.view_measure"):
        raise PermissionDenied
    text = request.GET.get("quarter", "").strip()
    try:
        period = selected_period(text)
    except ValueError:
        raise Http404(f"'{text}' is not a quarter.") from None
    context = selectors.dashboard_context_cached(
        period=period,
        show_contracts=request.user.has_perm("contracts.view_contract"),
        show_providers=request.user.has_perm("providers.view_provider"),
    )
    context["quarter_choices"] = quarter_picker(selected=period)
    context["breadcrumbs"] = [("Performance dashboard", None)]
    return render(request, "dashboards/council.html", context)
