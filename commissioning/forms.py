"""Form helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.http import HttpResponse
from django.shortcuts import redirect, render

T = TypeVar("T")

# Whole dates sent under the field's own name (a script, a link, an API filter): 05/09/2018 or ISO.
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]


def _parse_date_text(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


class GovDateInputWidget(DateInputWidget):
    """GOV.UK date input (day, month, year boxes) that brings up the number pad on a phone.

    It also reads a whole date sent under the field's own name (``?end_from=2019-03-31``), so the same field
    serves forms, filter forms and the API's query parameters.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for widget in self.widgets:
            widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if not any(f"{name}_{i}" in data for i in range(3)) and data.get(name):
            text = str(data.get(name))
            parsed = _parse_date_text(text)
            if parsed is None:
                return [text, "", ""]  # shown back as typed, refused as not a real date
            return [str(parsed.day), str(parsed.month), str(parsed.year)]
        return super().value_from_datadict(data, files, name)


class GovDateField(DateInputField):
    """The one date field of every form and filter: GOV.UK's day / month / year pattern.

    Not an HTML5 date input, whose format follows the browser's locale (mm/dd/yyyy in US English).
    Messages name the date, as the Design System asks ("Enter the date of visit as day, month and year").
    """

    widget = GovDateInputWidget

    def __init__(self, *, label: str | None = None, required: bool = True, **kwargs: Any) -> None:
        kwargs.pop("input_formats", None)
        kwargs.pop("widget", None)
        super().__init__(label=label, required=required, **kwargs)
        what = (str(label) if label else "date").lower()
        self.what = what
        self.error_messages["required"] = self.error_messages["incomplete"] = f"Enter the {what} as day, month and year"
        self.error_messages["invalid"] = f"The {what} must be a real date, for example 5 9 2018"
        # The library's day / month / year boxes refuse letters with "Enter a valid date", which names no field.
        for part in self.fields:
            part.validators = [
                RegexValidator(r"^[0-9]+$", self.error_messages["invalid"], code="invalid") for _ in part.validators
            ]

    def compress(self, data_list: Any) -> date | None:
        day, month, year = data_list
        if not (day or month or year):
            return None
        if not (day and month and year):
            # Part of a date in an optional box is a mistake to point out, not a date to ignore.
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            if len(str(year)) != 4:
                raise ValueError
            return date(day=int(day), month=int(month), year=int(year))
        except ValueError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


# --- Selects: a real first option, never Django's "---------" ---------------------------------------------------

DASHES = "---------"
CHOOSE = "Choose …"
ANY = "Any"
NOT_CHOSEN = "None"


def _is_yes_no_select(widget: forms.Widget) -> bool:
    # Django's NullBooleanSelect and django-filter's BooleanWidget both open with "Unknown", then "Yes", "No".
    from django_filters.widgets import BooleanWidget

    return isinstance(widget, forms.NullBooleanSelect | BooleanWidget)


def label_empty_choice(field: forms.Field, *, optional: str = NOT_CHOSEN, required: str = CHOOSE) -> None:
    """Give a select a real first option in place of Django's "---------": ``required`` when it must be answered
    ("Choose …"), ``optional`` when it may be left ("None" on a form, "Any" on a filter); a yes / no / either select
    says ``optional`` rather than "Unknown". An empty label the form chose itself ("Choose a theme") is kept."""
    widget = field.widget
    label = required if field.required else optional
    if _is_yes_no_select(widget):
        widget.choices = [(widget.choices[0][0], label), *widget.choices[1:]]
    elif getattr(field, "empty_label", None) == DASHES:
        field.empty_label = label  # type: ignore[attr-defined]
        if isinstance(field, forms.ModelChoiceField):
            field.widget.choices = field.choices  # the iterator reads the label when the options are drawn
        else:
            # django-filter's ChoiceField wraps its choices in an iterator that may still read the class's field.
            field.choices = getattr(field.widget.choices, "choices", field.widget.choices)  # type: ignore[attr-defined]
    elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
        if any(str(text) == DASHES for _, text in choices):
            field.choices = [(value, label if str(text) == DASHES else text) for value, text in choices]


def label_empty_choices(form: forms.BaseForm, **labels: str) -> None:
    """``label_empty_choice`` on every field of ``form``."""
    for field in form.fields.values():
        label_empty_choice(field, **labels)


class GovChoicesMixin:
    """For a page's form: its selects open with "Choose …" (an answer is needed) or "None" (it may be left), never
    Django's "---------". Put it first in the bases: ``class ContractForm(GovChoicesMixin, forms.ModelForm)``.

    A field is labelled when it is first drawn, not in ``__init__``, so what the form's own ``__init__`` changes
    afterwards (a field made optional, a narrower queryset) is taken into account.
    """

    fields: dict[str, forms.Field]
    _labelled: set[str]

    def __getitem__(self, name: str) -> forms.BoundField:
        labelled = self.__dict__.setdefault("_labelled", set())
        if name not in labelled and name in self.fields:
            label_empty_choice(self.fields[name])
            labelled.add(name)
        return super().__getitem__(name)  # type: ignore[misc]


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


class _NotSaved:
    def __repr__(self) -> str:
        return "NOT_SAVED"


# What ``save_through_service`` returns when nothing was saved (a GET, an invalid form, a refused write).
NOT_SAVED: Any = _NotSaved()


def save_through_service(
    request: Any, form: forms.BaseForm, save: Callable[[], T], *, success: str | Callable[[T], str]
) -> T:
    """The one way a page's form is saved: on a valid POST, call ``save`` (a service call), put a refusal's
    ``ValidationError`` on the form (``add_service_errors``) and, once saved, add the success message.

    Returns what the service returned, or ``NOT_SAVED`` (a GET, an invalid form, a refused write), after which
    the view shows the form again. A ``PermissionDenied`` from the service propagates: the page answers 403.
    """
    if request.method != "POST" or not form.is_valid():
        return NOT_SAVED
    try:
        saved = save()
    except ValidationError as error:
        add_service_errors(form, error)
        return NOT_SAVED
    messages.success(request, success(saved) if callable(success) else success)
    return saved


FORM_PAGE = "form_page.html"


def service_form_page(
    request: Any,
    form: forms.BaseForm,
    save: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    context: dict[str, Any],
    redirect_to: Callable[[T], Any] | None = None,
    template: str = FORM_PAGE,
) -> HttpResponse:
    """A page with one form saved through a service (``save_through_service``): once saved, redirect to what the
    service returned (a record with its page) or to ``redirect_to(saved)``; otherwise show the form, again with
    its errors after a POST, in ``template`` with ``context``."""
    saved = save_through_service(request, form, save, success=success)
    if saved is not NOT_SAVED:
        target: Any = redirect_to(saved) if redirect_to is not None else saved
        return redirect(target)
    return render(request, template, {"form": form, **context})


class DocumentForm(forms.Form):
    """Attach a document to a record: a title and a file (the file's checks are commissioning.documents')."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Enter a title for the document"},
        help_text="For example, signed contract or variation letter. A document with the same title as one "
        "already attached is kept as its next version.",
    )
    file = forms.FileField(
        label="File",
        error_messages={"required": "Select a file to attach", "empty": "The selected file is empty"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from crispy_forms_gds.helper import FormHelper
        from crispy_forms_gds.layout import Field, Layout, Submit
        from django.template.defaultfilters import filesizeformat

        from .documents import ALLOWED_IN_WORDS, max_bytes

        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"It must be {ALLOWED_IN_WORDS}, smaller than {filesizeformat(max_bytes())}."
        self.helper = FormHelper()
        self.helper.layout = Layout(Field.text("title"), Field("file"), Submit("submit", "Attach document"))
