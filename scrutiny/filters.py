"""Filters of the decision records list, shared by the page and the API."""

from __future__ import annotations

import calendar
import re
from datetime import date

import django_filters as filters
from django import forms
from django.utils import timezone

from commissioning.listing import GovFilterSet
from commissioning.periods import QUARTER_START_MONTHS, financial_year_bounds

from .models import Committee, Decision, ForwardPlanEntry, ScrutinyRecommendation, ScrutinyStage
from .selectors import overdue_condition


class DecisionFilter(GovFilterSet):
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


# --- Two-stage scrutiny and recommendations ---


class RecommendationFilter(GovFilterSet):
    """The recommendation tracker's filters (page and API): by committee, status, overdue, and the financial
    year and quarter of the committee's meeting."""

    committee = filters.ModelChoiceFilter(label="Committee", queryset=Committee.objects.order_by("name"))
    status = filters.ChoiceFilter(
        label="Status", choices=ScrutinyRecommendation.Status.choices, empty_label="Any status"
    )
    overdue = filters.BooleanFilter(
        label="Response overdue",
        method="filter_overdue",
        help_text="true: no response and past the response due date; false: the others.",
    )
    year = filters.NumberFilter(
        label="Financial year",
        method="filter_year",
        min_value=1900,
        max_value=2999,
        help_text="The financial year of the meeting, by the year it starts: 2018 is 2018/19.",
    )
    quarter = filters.NumberFilter(
        label="Quarter",
        method="filter_quarter",
        min_value=1,
        max_value=4,
        help_text="The financial quarter of the meeting, 1 (April to June) to 4 (January to March).",
    )

    class Meta:
        model = ScrutinyRecommendation
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_condition(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_year(self, queryset, name, value):
        start, end = financial_year_bounds(int(value))
        return queryset.filter(meeting__date__gte=start, meeting__date__lte=end)

    def filter_quarter(self, queryset, name, value):
        first = QUARTER_START_MONTHS[int(value)]
        return queryset.filter(meeting__date__month__in=[first, first + 1, first + 2])


class ScrutinyStageFilter(GovFilterSet):
    class Meta:
        model = ScrutinyStage
        fields = ["report", "step", "meeting"]


# --- Forward plan ----------------------------------------------------------------------------------------


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthOrDateField(forms.CharField):
    """A date as YYYY-MM-DD, or a month as YYYY-MM: its first day (``end=False``) or its last (``end=True``)."""

    def __init__(self, *args, end: bool = False, **kwargs):
        self.end = end
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        month = _MONTH.match(value)
        try:
            if month:
                year, number = int(month.group(1)), int(month.group(2))
                day = calendar.monthrange(year, number)[1] if self.end else 1
                return date(year, number, day)
            return date.fromisoformat(value)
        except ValueError as error:
            raise forms.ValidationError(
                "Enter a month as YYYY-MM (e.g. 2019-06) or a date as YYYY-MM-DD (e.g. 2019-06-04)."
            ) from error


class MonthOrDateFilter(filters.Filter):
    field_class = MonthOrDateField


class ForwardPlanFilter(GovFilterSet):
    """The forward plan's filters, shared by its page and /api/v1/forward-plan/: decision maker, a range of
    dates of decision (``from``, ``to``: months or days), key decisions, notice route and status."""

    decision_maker = filters.CharFilter(
        label="Decision maker", lookup_expr="iexact", help_text="e.g. Executive (any case)."
    )
    date_from = MonthOrDateFilter(
        label="From",
        field_name="decision_due",
        lookup_expr="gte",
        help_text="Decisions due on or after this day (YYYY-MM-DD) or month (YYYY-MM: from its first day).",
    )
    date_to = MonthOrDateFilter(
        label="To",
        field_name="decision_due",
        lookup_expr="lte",
        end=True,
        help_text="Decisions due on or before this day (YYYY-MM-DD) or month (YYYY-MM: to its last day).",
    )
    key_decision = filters.BooleanFilter(label="Key decision", help_text="true: key decisions only; false: others.")
    notice_route = filters.ChoiceFilter(
        label="Notice route", choices=ForwardPlanEntry.NoticeRoute.choices, empty_label="Any route"
    )
    status = filters.ChoiceFilter(label="Status", choices=ForwardPlanEntry.Status.choices, empty_label="Any status")

    class Meta:
        model = ForwardPlanEntry
        fields: list[str] = []


# The query parameters are "from" and "to", which are not names a class attribute can take.
ForwardPlanFilter.base_filters["from"] = ForwardPlanFilter.base_filters.pop("date_from")
ForwardPlanFilter.base_filters["to"] = ForwardPlanFilter.base_filters.pop("date_to")
