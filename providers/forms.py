"""Forms for provider pages: the risk assessment (built from the method in force), a new risk method, and the
CQC ratings upload. Shape only; rules live in services."""

import json
from datetime import date

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.utils import timezone

from commissioning.forms import GovDateField

from .models import RiskLevel, RiskMethod


class RiskAssessmentForm(forms.Form):
    assessed_on = GovDateField(label="Date of assessment")
    override_level = forms.ChoiceField(
        label="Set a different level (optional)",
        choices=[("", "Use the level the method gives"), *RiskLevel.choices],
        required=False,
        help_text="Only where the method does not reflect what you know about this provider.",
    )
    override_reason = forms.CharField(
        label="Reason for setting a different level", required=False, widget=forms.Textarea
    )
    rationale = forms.CharField(label="Notes on this assessment (optional)", required=False, widget=forms.Textarea)

    # The method whose factors the form showed: an answer to another version's factors is asked again.
    method_shown = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, method: RiskMethod, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("assessed_on", timezone.localdate())
        kwargs["initial"]["method_shown"] = method.pk
        super().__init__(*args, **kwargs)
        self.method = method
        factor_fields = []
        for factor in method.factors:
            name = f"factor_{factor['code']}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"{factor['name']} (weight ×{factor['weight']})",
                help_text=factor.get("description", ""),
                coerce=int,
                choices=[(a["score"], f"{a['score']} – {a['label']}") for a in factor["answers"]],
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose an answer for {factor['name'].lower()}"},
            )
            factor_fields.append(Field.radios(name, legend_size=Size.SMALL, small=True))
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("method_shown"),
            Field("assessed_on"),
            Fieldset(*factor_fields, legend="Risk factors", legend_size=Size.MEDIUM),
            Fieldset(
                Field.select("override_level"),
                Field.textarea("override_reason", rows=3),
                Field.textarea("rationale", rows=3),
                legend="Level and notes",
                legend_size=Size.MEDIUM,
            ),
            Submit("submit", "Save assessment"),
        )

    @classmethod
    def posted_date(cls, data) -> date | None:
        """The assessment date sent, if it is a real date (to choose the method in force on it)."""
        field = cls.base_fields["assessed_on"]
        try:
            return field.clean(field.widget.value_from_datadict(data, {}, "assessed_on"))
        except forms.ValidationError:
            return None

    @property
    def factor_scores(self) -> dict[str, int]:
        return {f["code"]: self.cleaned_data[f"factor_{f['code']}"] for f in self.method.factors}


class RiskMethodForm(forms.Form):
    """A new version of the risk method. The factors and thresholds are JSON (shown filled in from the current
    method); the service checks they make a method that can score and names the factor and answer if not."""

    name = forms.CharField(label="Name", max_length=200)
    effective_from = GovDateField(label="Date it takes effect")
    factors = forms.CharField(
        label="Factors (JSON)",
        widget=forms.Textarea,
        help_text='A list of factors: {"code", "name", "description", "weight", "answers": '
        '[{"score", "label"}, ...]}. A factor\'s points are its weight times the chosen answer\'s score.',
    )
    medium = forms.IntegerField(label="Medium from (weighted score)", min_value=1)
    high = forms.IntegerField(label="High from (weighted score)", min_value=1)
    notes = forms.CharField(label="What changed and why (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args, current: RiskMethod | None = None, **kwargs):
        if current is not None:
            initial = kwargs.setdefault("initial", {})
            initial.setdefault("name", current.name)
            initial.setdefault("factors", json.dumps(current.factors, indent=2, ensure_ascii=False))
            initial.setdefault("medium", current.thresholds.get("medium"))
            initial.setdefault("high", current.thresholds.get("high"))
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("name"),
            Field("effective_from"),
            Field.textarea("factors", rows=20),
            Field.text("medium", field_width=5),
            Field.text("high", field_width=5),
            Field.textarea("notes", rows=3),
            Submit("submit", "Save new version"),
        )

    def clean_factors(self):
        try:
            return json.loads(self.cleaned_data["factors"])
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"The factors are not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}."
            ) from error
