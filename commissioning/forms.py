"""Form helpers shared by every app's pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

# What people type: 05/09/2018 first; the ISO form for pasted values and API-minded users.
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]


class GovDateField(forms.DateField):
    """The one date field of every form and filter: a GOV.UK text input read as day/month/year.

    Not an HTML5 date input, whose format follows the browser's locale (mm/dd/yyyy in US English).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault(
            "widget", forms.DateInput(format="%d/%m/%Y", attrs={"class": "govuk-input govuk-input--width-10"})
        )
        kwargs.setdefault("help_text", "For example, 05/09/2018.")
        kwargs.setdefault(
            "error_messages", {"invalid": "Enter a real date in the format dd/mm/yyyy, for example 05/09/2018."}
        )
        super().__init__(**kwargs)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names, the rest at the top of the form.

    Services name the model field at fault; a page's form may not show that field (a report section
    checked on submission), so those messages go to the error summary with the field's name in front,
    which keeps the message as clear on the page as the API's field errors are.
    """
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, messages_ in error.message_dict.items():
        if name in form.fields:
            form.add_error(name, messages_)
            continue
        for message in messages_:
            if name != NON_FIELD_ERRORS and not message.lower().startswith(name.replace("_", " ")):
                message = f"{name.replace('_', ' ').capitalize()}: {message}"
            form.add_error(None, message)
