"""The edit form of a public statement: shape only; the rules are records.public.statement_update's."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms

from commissioning.forms import GovDateField


class StatementForm(forms.Form):
    body = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 30}),
        error_messages={"required": "Enter the text of the statement"},
        help_text='Plain text. Start a line with "## " for a heading and "- " for a list item; leave a blank line '
        "between paragraphs.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Field.textarea("body"), Submit("submit", "Save"))


class AccessibilityStatementForm(StatementForm):
    pages_checked = forms.IntegerField(
        label="Pages checked", required=False, min_value=0, help_text="How many pages the automated (axe) check ran on."
    )
    serious_violations = forms.IntegerField(label="Serious or critical violations found", required=False, min_value=0)
    date_checked = GovDateField(label="Date checked", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.textarea("body"),
            Field.text("pages_checked", field_width=5),
            Field.text("serious_violations", field_width=5),
            Field("date_checked"),
            Submit("submit", "Save"),
        )
