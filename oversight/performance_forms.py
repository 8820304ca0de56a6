"""Forms for contract KPIs, their results and performance assessments: shape only (the rules are in
oversight.performance)."""

from __future__ import annotations

from typing import cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.db.models import Q
from django.utils import timezone

from commissioning import roles
from commissioning.achievement import Polarity
from commissioning.documents import check_document_file
from commissioning.forms import GovDateField
from commissioning.models import User
from contracts.models import Contract, ContractChange

from .models import ContractKpi, KpiRating, PerformanceAssessment
from .performance import Period, recent_periods
from .performance_imports import UPLOAD


def _layout(*items, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*items, Submit("submit", submit))
    return helper


def _officers() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Owner",
        queryset=User.objects.none(),
        help_text="The officer responsible for the KPI.",
        empty_label="Choose an officer",
    )


def officer_choices():
    return (
        User.objects.filter(
            Q(groups__name__in=[roles.CONTRACT_OFFICER, roles.COMMISSIONER, roles.ADMINISTRATOR]), is_active=True
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class KpiForm(forms.Form):
    """A KPI's fields; with ``change_required`` (the contract's KPIs are frozen) the contract change that makes
    the change is chosen too."""

    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(label="Description (optional)", widget=forms.Textarea, required=False)
    measure = forms.CharField(label="How it is measured", max_length=255)
    unit = forms.CharField(label="Unit", max_length=40, help_text="For example %, days, visits.")
    target = forms.DecimalField(label="Target", max_digits=14, decimal_places=4)
    polarity = forms.ChoiceField(label="Which is better", choices=Polarity.choices, widget=forms.RadioSelect)
    tolerance = forms.DecimalField(
        label="Tolerance (optional)",
        max_digits=14,
        decimal_places=4,
        required=False,
        min_value=0,
        help_text="How far short of the target, in the KPI's unit, still counts as approaching it.",
    )
    frequency = forms.ChoiceField(
        label="How often it is reported", choices=ContractKpi.Frequency.choices, widget=forms.RadioSelect
    )
    source = forms.ChoiceField(
        label="Where the data comes from", choices=ContractKpi.Source.choices, widget=forms.RadioSelect
    )
    owner = _officers()
    change = forms.ModelChoiceField(
        label="Contract change",
        queryset=ContractChange.objects.none(),
        required=False,
        empty_label="Choose the change",
        help_text="The KPIs were frozen at award: a change to them is made by a recorded contract change.",
    )

    def __init__(self, *args, contract: Contract, change_required: bool, submit: str, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("polarity", Polarity.HIGHER_IS_BETTER)
        kwargs["initial"].setdefault("frequency", ContractKpi.Frequency.MONTHLY)
        kwargs["initial"].setdefault("source", ContractKpi.Source.SUPPLIER_RETURN)
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = officer_choices()
        items = [
            Field.text("name"),
            Field.textarea("description", rows=3),
            Field.text("measure"),
            Field.text("unit", field_width=10),
            Field.text("target", field_width=10),
            Field.radios("polarity", legend_size=Size.SMALL, inline=True),
            Field.text("tolerance", field_width=10),
            Field.radios("frequency", legend_size=Size.SMALL),
            Field.radios("source", legend_size=Size.SMALL),
            Field.select("owner"),
        ]
        if change_required:
            cast(forms.ModelChoiceField, self.fields["change"]).queryset = contract.changes.order_by("-effective_on")
            self.fields["change"].required = True
            self.fields["change"].error_messages["required"] = "Choose the contract change that makes this change"
            items.append(Field.select("change"))
        else:
            del self.fields["change"]
        self.helper = _layout(*items, submit=submit)


class FreezeForm(forms.Form):
    on = GovDateField(label="Date the KPIs were fixed at award")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field("on"), submit="Freeze the KPIs")


def _rating_choices(blank: str):
    return [("", blank), *KpiRating.choices]


class KpiResultForm(forms.Form):
    """A result for one of the KPI's recent reporting periods. Leave the rating blank to take the suggestion."""

    period = forms.ChoiceField(label="Reporting period")
    value = forms.DecimalField(
        label="Result", max_digits=14, decimal_places=4, required=False, help_text="Leave blank if the data is missing."
    )
    rating = forms.ChoiceField(
        label="Rating (optional)",
        required=False,
        choices=_rating_choices("Use the suggested rating"),
        help_text="The rating is suggested from the result, the target and the tolerance. Choose another only "
        "with a reason.",
    )
    override_reason = forms.CharField(label="Reason for a different rating", widget=forms.Textarea, required=False)
    commentary = forms.CharField(label="Commentary (optional)", widget=forms.Textarea, required=False)

    def __init__(self, *args, kpi: ContractKpi, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {p.key: p for p in recent_periods(kpi.frequency, count=24)}
        cast(forms.ChoiceField, self.fields["period"]).choices = [(key, str(p)) for key, p in self.periods.items()]
        self.helper = _layout(
            Field.select("period"),
            Field.text("value", field_width=10),
            Field.select("rating"),
            Field.textarea("override_reason", rows=3),
            Field.textarea("commentary", rows=3),
            submit="Save result",
        )

    def chosen_period(self) -> Period:
        return self.periods[self.cleaned_data["period"]]


class RatingOverrideForm(forms.Form):
    rating = forms.ChoiceField(label="Rating", choices=KpiRating.choices, widget=forms.RadioSelect)
    override_reason = forms.CharField(
        label="Reason for a rating different from the suggestion", widget=forms.Textarea, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(
            Field.radios("rating", legend_size=Size.SMALL),
            Field.textarea("override_reason", rows=3),
            submit="Save rating",
        )


class EvidenceForm(forms.Form):
    title = forms.CharField(label="Title of the evidence", max_length=200)
    file = forms.FileField(label="File")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field.text("title"), Field("file"), submit="Attach evidence")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_document_file(upload)
        return upload


class ResultsUploadForm(forms.Form):
    file = forms.FileField(
        label="File of KPI results",
        help_text="A .csv, .xlsx or .ods file of no more than 5 MB, with the template's columns.",
        error_messages={"empty": UPLOAD.messages["file_empty"]},
    )
    dry_run = forms.BooleanField(label="Check the file only, do not import", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field("file"), Field.checkbox("dry_run"), submit="Upload results")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        UPLOAD.check(upload)
        return upload


class AssessmentStartForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of assessment", choices=PerformanceAssessment.Kind.choices, widget=forms.RadioSelect
    )
    period_start = GovDateField(label="First day of the period assessed")
    period_end = GovDateField(label="Last day of the period assessed")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("kind", PerformanceAssessment.Kind.ANNUAL)
        super().__init__(*args, **kwargs)
        self.helper = _layout(
            Field.radios("kind", legend_size=Size.SMALL), Field("period_start"), Field("period_end"), submit="Start"
        )


class AssessmentCompleteForm(forms.Form):
    summary = forms.CharField(label="Summary of the supplier's performance", widget=forms.Textarea)
    assessed_on = GovDateField(label="Date of the assessment")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("assessed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field.textarea("summary", rows=6), Field("assessed_on"), submit="Complete assessment")
