"""Paging and filter links shared by every list page (the register, providers, oversight logs, strategies), and
the one base of their filter forms (``GovFilterSet``)."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms
from django.core.paginator import Page, Paginator
from django.db import models

from .forms import ANY, GovDateField, label_empty_choice

PAGE_SIZE = 25


def page_of(request, items, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``items`` asked for by ?page= (the last page for a number past the end)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def querystring_without(request, *names: str) -> str:
    """The current filters as a query string without ``names`` (default "page"), for paging and sort links."""
    params = request.GET.copy()
    for name in names or ("page",):
        params.pop(name, None)
    return params.urlencode()


class GovDateFilter(filters.DateFilter):
    """A date filter in the one date field (commissioning.forms.GovDateField): day, month and year on the page, in
    UK order, shown back as typed; a whole date (``?end_after=2019-03-31`` or ``31/03/2019``) in a link or through
    the API. A date that is not real is refused with a message naming the filter."""

    field_class = GovDateField


def gov_widget_classes(form: forms.BaseForm) -> None:
    """GOV.UK Design System classes on a filter form's boxes, so a panel that draws the form as it is (the
    register's) looks like the rest of the service. The date input styles its own day, month and year boxes."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.MultiWidget | forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "govuk-checkboxes__input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "govuk-select")
        else:
            widget.attrs.setdefault("class", "govuk-input")
        if name == "q":
            widget.attrs.setdefault("type", "search")


class GovFilterSet(filters.FilterSet):
    """The base of every list's filters (pages and API alike).

    - Every select opens with "Any" (or the label a filter chose, "Anyone"), never "---------", and a yes / no
      filter offers "Any", "Yes", "No" rather than "Unknown".
    - A date filter is the GOV.UK day / month / year input (``GovDateFilter``), never an HTML5 date input whose
      format follows the browser's locale; a date field named in ``Meta.fields`` gets it too.
    """

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.DateField: {"filter_class": GovDateFilter},
    }

    @property
    def form(self) -> Any:
        if not hasattr(self, "_form"):
            form = super().form
            for field in form.fields.values():
                label_empty_choice(field, optional=ANY, required=ANY)
            gov_widget_classes(form)
        return self._form
