"""The CQC files upload: which of CQC's three layouts it is, the file, and each layout's option. Shape only."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from commissioning.imports import UploadRules

from .imports import LOCATIONS_UPLOAD, LONG_RATINGS_UPLOAD, UPLOAD

# format -> (label, dotted path of the importer, the rules its files are held to)
CQC_FORMATS: dict[str, tuple[str, str, UploadRules]] = {
    "locations": ("HSCA active locations", "providers.imports.cqc_locations_import", LOCATIONS_UPLOAD),
    "long": ("Ratings (one row per key question)", "providers.imports.cqc_long_ratings_import", LONG_RATINGS_UPLOAD),
    "wide": ("Ratings (one row per location)", "providers.imports.cqc_ratings_import", UPLOAD),
}
# A post without a format is the one file this page took before it offered three.
DEFAULT_FORMAT = "wide"


class CqcFileImportForm(forms.Form):
    format = forms.ChoiceField(
        label="Which CQC file is it?",
        choices=[(key, label) for key, (label, _, _) in CQC_FORMATS.items()],
        widget=forms.RadioSelect,
        initial="locations",
        required=False,
        help_text=(
            "HSCA active locations: CQC's monthly care directory with filters (.ods, .xlsx or .csv). "
            "Ratings: CQC's ratings data, with a row per location and key question, or one row per location."
        ),
    )
    file = forms.FileField(
        label="CQC file",
        help_text="OpenDocument (.ods), Excel (.xlsx) or CSV (.csv). The ratings file with one row per location "
        "is taken as .csv or .xlsx, up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".ods,.xlsx,.csv"}),
        error_messages={"required": "Choose the CQC file to upload", "empty": "The file is empty"},
    )
    flag_missing = forms.BooleanField(
        label="This is CQC's whole file: flag our locations it does not list for review",
        help_text="Leave unticked for an extract (one local authority, say). HSCA active locations only.",
        required=False,
        initial=True,
    )
    include_population_groups = forms.BooleanField(
        label="Also check and list the ratings of service and population groups",
        help_text="They are listed, not recorded: a location's own rating is its 'Overall' group's. "
        "Ratings with one row per key question only.",
        required=False,
    )
    dry_run = forms.BooleanField(label="Check the file only, do not save", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("format", legend_size=Size.MEDIUM),
            Field("file"),
            Field.checkbox("flag_missing"),
            Field.checkbox("include_population_groups"),
            Field.checkbox("dry_run"),
            Submit("submit", "Upload and check"),
        )

    def clean_format(self) -> str:
        return self.cleaned_data.get("format") or DEFAULT_FORMAT

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        rules = CQC_FORMATS[self.cleaned_data.get("format") or DEFAULT_FORMAT][2]
        rules.check(upload)
        return upload

    @property
    def importer(self) -> str:
        return CQC_FORMATS[self.cleaned_data["format"]][1]

    @property
    def options(self) -> dict[str, bool]:
        """The chosen layout's option, for its importer (the others take none)."""
        kind = self.cleaned_data["format"]
        if kind == "locations":
            return {"flag_missing": self.cleaned_data["flag_missing"]}
        if kind == "long":
            return {"include_population_groups": self.cleaned_data["include_population_groups"]}
        return {}
