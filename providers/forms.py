"""Forms for provider pages: the risk assessment and the CQC ratings upload. Shape only; rules live in services."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.utils import timezone

from commissioning.forms import GovDateField

from .models import RiskLevel
from .risk import FACTORS


class RiskAssessmentForm(forms.Form):
    assessed_on = GovDateField(label="Date of assessment")
    override_level = forms.ChoiceField(
        label="Set a different level (optional)",
        choices=[("", "Use the level the matrix gives"), *RiskLevel.choices],
        required=False,
        help_text="Only where the matrix does not reflect what you know about this provider.",
    )
    override_reason = forms.CharField(
        label="Reason for setting a different level", required=False, widget=forms.Textarea
    )
    rationale = forms.CharField(label="Notes on this assessment (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("assessed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        factor_fields = []
        for factor in FACTORS:
            name = f"factor_{factor.code}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"{factor.name} (weight ×{factor.weight})",
                help_text=factor.description,
                coerce=int,
                choices=[(score, f"{score} – {text}") for score, text in enumerate(factor.guidance)],
                widget=forms.RadioSelect,
                error_messages={"required": f"Score {factor.name.lower()} from 0 to 3"},
            )
            factor_fields.append(Field.radios(name, legend_size=Size.SMALL, small=True))
        self.helper = FormHelper()
        self.helper.layout = Layout(
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

    @property
    def factor_scores(self) -> dict[str, int]:
        return {factor.code: self.cleaned_data[f"factor_{factor.code}"] for factor in FACTORS}
