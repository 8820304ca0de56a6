"""FilterSets for provider pages (the rules themselves live in providers.selectors)."""

import django_filters
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms

from commissioning.listing import GovFilterSet
from commissioning.models import Directorate

from . import selectors
from .models import CqcRatingValue, Location, Provider, RiskLevel


class _FilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = True
        names = list(self.fields)
        self.helper.layout = Layout(
            *[Field.text(name) if name == "q" else Field.select(name) for name in names],
            Submit("", "Apply filters", css_class="govuk-button--secondary"),
        )


class ProviderFilter(GovFilterSet):
    q = django_filters.CharFilter(label="Search by name or CQC ID", method="filter_q")
    risk = django_filters.ChoiceFilter(label="Current risk level", choices=RiskLevel.choices, method="filter_risk")
    cqc = django_filters.ChoiceFilter(
        label="CQC rating of any location", choices=CqcRatingValue.choices, method="filter_cqc"
    )
    status = django_filters.ChoiceFilter(label="Status", choices=Provider.Status.choices)
    directorate = django_filters.ModelChoiceFilter(
        label="Directorate of their contracts", queryset=Directorate.objects.all(), method="filter_directorate"
    )

    class Meta:
        model = Provider
        fields = ["q", "risk", "cqc", "status", "directorate"]
        form = _FilterForm

    def filter_q(self, queryset, name, value):
        return selectors.filter_providers(queryset, q=value)

    def filter_risk(self, queryset, name, value):
        return selectors.filter_providers(queryset, risk=value)

    def filter_cqc(self, queryset, name, value):
        return selectors.filter_providers(queryset, cqc=value)

    def filter_directorate(self, queryset, name, value):
        return selectors.filter_providers(queryset, directorate=value.pk)


class LocationFilter(GovFilterSet):
    q = django_filters.CharFilter(label="Search by location, provider or CQC ID", method="filter_q")
    cqc = django_filters.ChoiceFilter(label="Current CQC rating", choices=CqcRatingValue.choices, method="filter_cqc")

    class Meta:
        model = Location
        fields = ["q", "cqc"]
        form = _FilterForm

    def filter_q(self, queryset, name, value):
        return selectors.filter_locations(queryset, q=value)

    def filter_cqc(self, queryset, name, value):
        return selectors.filter_locations(queryset, cqc=value)
