"""Forms of the performance app: shape only; the rules live in performance/services.py."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms

from .imports import UPLOAD
from .models import Measure, MeasureResult
from .services import MEASURE_FIELDS, OUTCOME_OF_ANOTHER_STRATEGY


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = list(MEASURE_FIELDS)
        labels = {
            "name": "Measure",
            "is_targeted": "This measure has a target",
            "is_active": "Still reported",
            "order": "Position in the list",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = strategy.outcomes.order_by("order", "pk")
        self.fields["outcome"].empty_label = "Not linked to an outcome"
        # The service's words, so an outcome of another strategy is refused alike here and through the API.
        self.fields["outcome"].error_messages["invalid_choice"] = OUTCOME_OF_ANOTHER_STRATEGY
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("name"),
            Field.select("outcome"),
            Field.textarea("description"),
            Fieldset(
                Field.radios("unit", legend_size=Size.SMALL),
                Field.text("decimal_places", field_width=2),
                Field.radios("polarity", legend_size=Size.SMALL, inline=True),
                Field.checkbox("is_targeted"),
                legend="How it is counted",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.select("framework"),
                Field.text("framework_code", field_width=10),
                Field.text("data_source"),
                Field.radios("frequency", legend_size=Size.SMALL, inline=True),
                legend="Where it comes from",
                legend_size=Size.MEDIUM,
            ),
            Field.text("order", field_width=2),
            Field.checkbox("is_active"),
            Submit("submit", "Save measure"),
        )


class ResultRowForm(forms.Form):
    """One measure's row of the quarterly results grid."""

    value = forms.DecimalField(required=False, max_digits=14, decimal_places=4)
    target = forms.DecimalField(required=False, max_digits=14, decimal_places=4)
    commentary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, measure: Measure, **kwargs):
        kwargs["prefix"] = f"m{measure.pk}"
        super().__init__(*args, **kwargs)
        self.measure = measure
        for name in ("value", "target"):
            self.fields[name].widget.attrs.update({"class": "govuk-input govuk-input--width-5", "inputmode": "decimal"})
            self.fields[name].error_messages.update(
                {
                    "invalid": f"Enter the {name} for '{measure.name}' as a number, like 66.7",
                    "max_decimal_places": f"Enter the {name} for '{measure.name}' with at most 4 decimal places",
                    "max_digits": f"The {name} for '{measure.name}' is too large",
                    "max_whole_digits": f"The {name} for '{measure.name}' is too large",
                }
            )
        self.fields["commentary"].widget.attrs.update({"class": "govuk-textarea govuk-!-margin-bottom-0"})
        if not measure.is_targeted:
            self.fields["target"].disabled = True


def initial_rows(*, measures: list[Measure], results: dict[int, MeasureResult], previous_targets: dict) -> dict:
    """What the grid shows before editing: the stored result, else last quarter's target carried forward."""
    initial = {}
    for measure in measures:
        stored = results.get(measure.pk)
        if stored is not None:
            initial[measure.pk] = {"value": stored.value, "target": stored.target, "commentary": stored.commentary}
        elif measure.is_targeted:
            initial[measure.pk] = {"target": previous_targets.get(measure.pk)}
        else:
            initial[measure.pk] = {}
    return initial


class ResultsUploadForm(forms.Form):
    file = forms.FileField(
        label="File of results",
        help_text=(
            "A .csv, .xlsx or .ods file of no more than 5 MB. Columns: strategy, measure (or measure_id), year, "
            "quarter, value, target, commentary."
        ),
        error_messages={"empty": UPLOAD.messages["file_empty"]},
    )
    dry_run = forms.BooleanField(label="Check the file only, do not import", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Field("file"), Field.checkbox("dry_run"), Submit("submit", "Upload results"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The importer's own rules, so the page and the import refuse the same files in the same words.
        UPLOAD.check(upload)
        return upload
