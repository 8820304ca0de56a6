"""Filters of the measures and results lists (the API's query strings).

A year or quarter no result can have is refused (400, naming the parameter), not searched for."""

from __future__ import annotations

import django_filters as filters
from django import forms

from commissioning.listing import GovFilterSet

from .models import FIRST_YEAR, LAST_YEAR, Measure, MeasureResult

YEARS = f"{FIRST_YEAR}/{(FIRST_YEAR + 1) % 100:02d} to {LAST_YEAR}/{(LAST_YEAR + 1) % 100:02d}"


class IntegerFilter(filters.NumberFilter):
    """A whole number (a year, a quarter): 2018.5 is refused, not compared."""

    field_class = forms.IntegerField


class MeasureFilter(GovFilterSet):
    class Meta:
        model = Measure
        fields = ["strategy", "outcome", "framework", "is_active"]


class MeasureResultFilter(GovFilterSet):
    year = IntegerFilter(
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text="Year the financial year starts: 2018 is 2018/19.",
        error_messages={
            "min_value": f"Results are recorded for the financial years {YEARS}.",
            "max_value": f"Results are recorded for the financial years {YEARS}.",
            "invalid": "Enter the year the financial year starts, like 2018 for 2018/19.",
        },
    )
    quarter = IntegerFilter(
        min_value=1,
        max_value=4,
        error_messages={
            "min_value": "A financial year has quarters 1 to 4.",
            "max_value": "A financial year has quarters 1 to 4.",
            "invalid": "Enter the quarter as 1, 2, 3 or 4.",
        },
    )

    class Meta:
        model = MeasureResult
        fields = ["measure", "measure__strategy", "year", "quarter"]
