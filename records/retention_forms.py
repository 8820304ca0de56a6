"""Forms of the retention schedule and legal holds: shape only (the rules live in records.retention)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from commissioning.forms import GovDateField

from .models import RetentionRule
from .retention import HOLDABLE, REGISTRY


class RetentionRuleForm(forms.Form):
    """One rule of the schedule. The record type is chosen when a rule is added and fixed after."""

    record_type = forms.ChoiceField(
        label="Record type", error_messages={"required": "Choose the record type the rule covers"}
    )
    period_years = forms.IntegerField(
        label="Period in years",
        min_value=1,
        max_value=200,
        error_messages={
            "required": "Enter the period in years",
            "invalid": "Enter the period in years as a whole number, like 6",
            "min_value": "Enter a period of at least 1 year",
            "max_value": "Enter a period of at most 200 years",
        },
    )
    trigger = forms.ChoiceField(
        label="Counted from",
        choices=RetentionRule.Trigger.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the date the period is counted from"},
    )
    action = forms.ChoiceField(
        label="Then",
        choices=RetentionRule.Action.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens when the period ends"},
    )
    note = forms.CharField(label="Note or legal basis", required=False, widget=forms.Textarea)
    active = forms.BooleanField(label="Apply this rule", required=False)

    def __init__(self, *args: Any, rule: RetentionRule | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["record_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(key, rt.name) for key, rt in REGISTRY.items()]
        if rule is not None:
            field.disabled = True
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("record_type"),
            Field.text("period_years", field_width=4),
            Field.radios("trigger", legend_size=Size.SMALL),
            Field.radios("action", legend_size=Size.SMALL),
            Field.textarea("note", rows=4),
            Field.checkbox("active"),
            Submit("submit", "Save rule"),
        )


class LegalHoldForm(forms.Form):
    """Place a hold on one record: its type and number (the number in its page's address), and why."""

    record_type = forms.ChoiceField(
        label="Record type",
        choices=list(HOLDABLE.items()),
        error_messages={"required": "Choose the type of record to hold"},
    )
    object_id = forms.IntegerField(
        label="Record number",
        min_value=1,
        help_text="The number in the record's page address, for example 42 in /contracts/42/.",
        error_messages={
            "required": "Enter the record number",
            "invalid": "Enter the record number as a whole number",
            "min_value": "Enter the record number as a whole number",
        },
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea, error_messages={"required": "Enter the reason for the legal hold"}
    )
    placed_on = GovDateField(label="Date placed")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("record_type"),
            Field.text("object_id", field_width=10),
            Field.textarea("reason", rows=4),
            Field("placed_on"),
            Submit("submit", "Place legal hold"),
        )


class LegalHoldReleaseForm(forms.Form):
    release_reason = forms.CharField(
        label="Reason for release",
        widget=forms.Textarea,
        error_messages={"required": "Enter the reason for releasing the legal hold"},
    )
    released_on = GovDateField(label="Date released")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("release_reason", rows=4), Field("released_on"), Submit("submit", "Release legal hold")
        )
