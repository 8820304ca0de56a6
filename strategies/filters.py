"""Filters of the strategy and highlight report lists, shared by the pages and the API.

Text boxes are Django CharFields, which refuse a NUL character ("Null characters are not allowed."), so a NUL
never reaches the database (PostgreSQL refuses it with an error): the API answers 400 naming the filter, the
strategies page ignores the filter and says why.
"""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q

from commissioning.listing import GovFilterSet
from commissioning.models import Directorate, User
from commissioning.periods import financial_year_choices

from .models import CommissioningStrategy, HighlightReport, Saving, Stage

NO_RAG = "none"


def strategy_leads():
    """The people who lead at least one strategy: the page's "Commissioning lead" list."""
    return User.objects.filter(led_strategies__isnull=False).distinct().order_by("first_name", "last_name")


class StrategyFilter(GovFilterSet):
    """The strategy list's filters. The queryset must carry ``latest_rag`` (selectors.strategy_list)."""

    directorate = filters.ModelChoiceFilter(label="Directorate", queryset=Directorate.objects.order_by("name"))
    stage = filters.ChoiceFilter(label="Stage", choices=Stage.choices, method="filter_stage")
    rag = filters.ChoiceFilter(
        label="RAG of the latest report",
        choices=[*HighlightReport.Rag.choices, (NO_RAG, "No RAG yet")],
        method="filter_rag",
        help_text="RAG of the latest highlight report.",
    )
    lead = filters.ModelChoiceFilter(
        label="Commissioning lead", field_name="commissioning_lead", queryset=strategy_leads()
    )
    q = filters.CharFilter(label="Search", method="filter_q", help_text="Name, purpose or summary contains.")

    class Meta:
        model = CommissioningStrategy
        fields: list[str] = []

    def filter_stage(self, queryset, name, value):
        return queryset.filter(**{f"stage_{value}": True})

    def filter_rag(self, queryset, name, value):
        if value == NO_RAG:
            return queryset.filter(Q(latest_rag__isnull=True) | Q(latest_rag=""))
        return queryset.filter(latest_rag=value)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(purpose__icontains=value) | Q(summary__icontains=value))


class HighlightReportFilter(GovFilterSet):
    class Meta:
        model = HighlightReport
        fields = ["strategy", "status", "year", "quarter", "rag"]


# --- Savings ---------------------------------------------------------------------------------------


def saving_years() -> list[tuple[int, str]]:
    """The financial years that have savings, newest first, for the list's year box."""
    years = Saving.objects.order_by("-year").values_list("year", flat=True).distinct()
    return financial_year_choices(list(years))


class SavingFilter(GovFilterSet):
    """The savings list's filters (page, CSV export and API alike)."""

    directorate = filters.ModelChoiceFilter(label="Directorate", queryset=Directorate.objects.order_by("name"))
    year = filters.NumberFilter(
        label="Financial year", help_text="The year the financial year starts: 2016 is 2016/17.", min_value=2000
    )
    strategy = filters.ModelChoiceFilter(
        label="Strategy", queryset=CommissioningStrategy.objects.order_by("name"), field_name="strategy"
    )
    status = filters.ChoiceFilter(label="Status", choices=Saving.Status.choices)
    q = filters.CharFilter(label="Search", method="filter_q", help_text="Reference, proposal or reasons contain.")

    class Meta:
        model = Saving
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(reference__icontains=value) | Q(title__icontains=value) | Q(reasons__icontains=value))
