"""Filters of the decision records list, shared by the page and the API."""

from __future__ import annotations

import django_filters as filters

from .models import Decision


class DecisionFilter(filters.FilterSet):
    outcome = filters.ChoiceFilter(label="Outcome", choices=Decision.Outcome.choices, empty_label="Any outcome")
    key_decision = filters.BooleanFilter(label="Key decision", help_text="true: key decisions only; false: others.")
    year = filters.NumberFilter(
        label="Year",
        method="filter_year",
        min_value=1900,
        max_value=2999,
        help_text="The calendar year of the report's date, e.g. 2019.",
    )

    class Meta:
        model = Decision
        fields: list[str] = []

    def filter_year(self, queryset, name, value):
        return queryset.filter(report_date__year=int(value))
