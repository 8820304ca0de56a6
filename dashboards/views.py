"""Read-model pages across the apps. Thin: check permission, call a selector, render."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from commissioning.permissions import permission_required
from performance.selectors import quarter_picker, selected_period
from performance.views import bad_quarter

from . import selectors


@require_GET
@permission_required("performance.view_measure")
def council(request):
    """The council dashboard for the quarter asked for (?quarter=2018-Q3), else the latest with any result.
    What the reader sees beyond performance is the core's answer (``selectors.Audience``)."""
    try:
        period = selected_period(request.GET.get("quarter", ""))
    except ValueError as error:
        return bad_quarter(request, message=str(error), title="Council dashboard")
    context = selectors.dashboard_context_cached(period=period, audience=selectors.Audience.of(request.user))
    context["quarter_choices"] = quarter_picker(selected=period)
    context["breadcrumbs"] = [("Performance dashboard", None)]
    return render(request, "dashboards/council.html", context)
