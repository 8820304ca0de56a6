from django import forms

from .registry import SEARCH_TYPES
from .selectors import MAX_PAGE, QUERY_MAX_LENGTH, clean_query


class SearchForm(forms.Form):
    """The header's search box and the results page's filter: shape only; the search is search.selectors."""

    q = forms.CharField(
        label="Search",
        max_length=QUERY_MAX_LENGTH,
        error_messages={
            "required": "Enter words to search for.",
            "max_length": f"Search words must be {QUERY_MAX_LENGTH} characters or fewer.",
        },
    )
    type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Everything")] + [(t.key, t.label) for t in SEARCH_TYPES]
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={"max_value": f"Ask for page {MAX_PAGE:,} or before."},
    )

    def clean_q(self) -> str:
        try:
            return clean_query(self.cleaned_data["q"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
