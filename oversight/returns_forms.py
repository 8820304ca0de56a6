"""The contract return's form: shape only (the rules are oversight.returns' and oversight.grading's)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from . import grading
from .models import Rag, ReturnFinding

# The findings are typed one a line, in a box per kind and severity.
FINDING_FIELDS = (
    ("strengths", ReturnFinding.Kind.STRENGTH, ""),
    ("minor_weaknesses", ReturnFinding.Kind.WEAKNESS, ReturnFinding.Severity.MINOR),
    ("moderate_weaknesses", ReturnFinding.Kind.WEAKNESS, ReturnFinding.Severity.MODERATE),
    ("major_weaknesses", ReturnFinding.Kind.WEAKNESS, ReturnFinding.Severity.MAJOR),
)


def _lines(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea, help_text=help_text)


class ContractReturnForm(forms.Form):
    risk_rating = forms.ChoiceField(
        label="Overall risk rating",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the risk rating: Red, Amber or Green."},
    )
    jet_score = forms.TypedChoiceField(
        label="JET score",
        choices=grading.score_choices(),
        coerce=int,
        widget=forms.RadioSelect,
        help_text="The grading allocated after consideration with the service manager and supplier.",
        error_messages={"required": "Choose a JET score from 1 (Poor) to 9 (Exceptional)."},
    )
    strengths = _lines("Strengths (optional)", "One a line.")
    minor_weaknesses = _lines("Minor weaknesses (optional)", f"One a line. {grading.SEVERITY_GUIDANCE['minor']}.")
    moderate_weaknesses = _lines(
        "Moderate weaknesses (optional)", f"One a line. {grading.SEVERITY_GUIDANCE['moderate']}."
    )
    major_weaknesses = _lines("Major weaknesses (optional)", f"One a line. {grading.SEVERITY_GUIDANCE['major']}.")
    commentary = forms.CharField(label="Commentary (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("risk_rating", legend_size=Size.MEDIUM, inline=True),
            Field.radios("jet_score", legend_size=Size.MEDIUM),
            Field.textarea("strengths", rows=3),
            Field.textarea("minor_weaknesses", rows=3),
            Field.textarea("moderate_weaknesses", rows=3),
            Field.textarea("major_weaknesses", rows=3),
            Field.textarea("commentary", rows=4),
            Submit("submit", "Submit return"),
        )

    def findings(self) -> list[dict[str, str]]:
        """The strengths and weaknesses typed, one finding a non-blank line."""
        found = []
        for name, kind, severity in FINDING_FIELDS:
            for line in self.cleaned_data.get(name, "").splitlines():
                if line.strip():
                    found.append({"kind": kind, "severity": severity, "text": line.strip()})
        return found


class ReportMonthForm(forms.Form):
    """?month=YYYY-MM."""

    month = forms.RegexField(
        label="Month (YYYY-MM)",
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": "Enter the month as YYYY-MM, for example 2026-03."},
    )
