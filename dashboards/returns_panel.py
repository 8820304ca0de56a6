"""The council dashboard's contract grading panel (seed 002): live contracts by the grade of their latest
contract return (Outstanding / Good / Requires Improvement / Inadequate) and by its RAG risk rating.

Wired into ``selectors.dashboard_context`` for the officer audience: ``context.update(returns_panel(audience))``
and ``{% include "dashboards/_returns.html" %}`` in council.html's officer figures."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from oversight.returns import grade_distribution_now


def returns_panel(audience: Any) -> dict[str, Any]:
    """The panel's context; empty for a reader who does not see contract figures. One query."""
    if not getattr(audience, "officer", False):
        return {}
    return {
        "returns_grades": grade_distribution_now(),
        "returns_url": reverse("oversight:returns") + "?all=1",
        "returns_report_url": reverse("oversight:returns_report"),
    }
