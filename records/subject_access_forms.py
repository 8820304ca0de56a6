"""Forms of the subject access pages: shape only, the rules (term lengths, the replacement) live in
records.subject_access."""

from django import forms
from django.core.exceptions import ValidationError

from . import subject_access


class SubjectAccessSearchForm(forms.Form):
    terms = forms.CharField(
        label="Names or identifiers",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a name or identifier to search for."},
        help_text="One a line or separated by commas: a name, a username, an enquiry reference. At least 3 characters.",
    )
    reference = forms.CharField(
        label="Request reference",
        max_length=100,
        error_messages={"required": "Enter the reference of the subject access request."},
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean_terms(self) -> str:
        try:
            return "\n".join(subject_access.clean_terms(self.cleaned_data["terms"]))
        except ValidationError as error:
            raise ValidationError(error.message_dict["terms"]) from error


class RedactionForm(forms.Form):
    choices = forms.MultipleChoiceField(label="Records to redact", required=False)
    replacement = forms.CharField(max_length=100, required=False, initial=subject_access.DEFAULT_REPLACEMENT)
    reason = forms.CharField(label="Why the records are redacted", widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].choices = [(choice, choice) for choice in allowed]  # type: ignore[attr-defined]
