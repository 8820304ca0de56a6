"""Forms for what officers log on site: shape only (the rules live in oversight.services).

Single column, GOV.UK date inputs with the number pad (commissioning.forms.GovDateField), radios for short
choices: they work on a phone.
"""

from typing import cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.db.models import Q
from django.utils import timezone

from commissioning import roles
from commissioning.forms import GovChoicesMixin, GovDateField
from commissioning.models import User
from contracts.models import Contract
from providers.models import Location, Provider
from providers.selectors import provider_contracts

from .models import Concern, EscalationStep, Sanction, Visit
from .statistics import PERIOD_CHOICES


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    """A form's choice-of-record field, to give it the records this form offers."""
    return cast(forms.ModelChoiceField, form.fields[name])


def _layout(*items, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*items, Submit("submit", submit))
    return helper


def _text_area(name: str, rows: int = 4):
    return Field.textarea(name, rows=rows)


class ProviderChoiceForm(forms.Form):
    """First step on a phone: pick the provider, then the form for it."""

    provider = forms.ModelChoiceField(
        label="Provider", queryset=Provider.objects.none(), empty_label="Choose a provider"
    )

    def __init__(self, *args, user, submit: str = "Continue", **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "provider").queryset = Provider.objects.visible_to(user).order_by("name")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(Field.select("provider"), Submit("", submit))


class _ForProviderForm(GovChoicesMixin, forms.Form):
    """A form about one provider: its locations and the contracts it holds are the choices offered."""

    location = forms.ModelChoiceField(
        label="Setting (optional)", queryset=Location.objects.none(), required=False, empty_label="–"
    )
    contract = forms.ModelChoiceField(
        label="Contract (optional)", queryset=Contract.objects.none(), required=False, empty_label="–"
    )

    def __init__(self, *args, provider: Provider, contract: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        _choices(self, "location").queryset = provider.locations.order_by("name")
        _choices(self, "contract").queryset = provider_contracts(provider)
        # Arriving from a contract's page (?contract=<id>) chooses that contract; one the provider
        # does not hold simply matches no option.
        if contract and contract.isdigit():
            self.initial.setdefault("contract", int(contract))


class VisitForm(_ForProviderForm):
    visited_on = GovDateField(label="Date of visit")
    kind = forms.ChoiceField(label="Type of visit", choices=Visit.Kind.choices, widget=forms.RadioSelect)
    officer = forms.ModelChoiceField(label="Officer", queryset=User.objects.none())
    findings = forms.CharField(label="Findings", widget=forms.Textarea, required=False)
    environment = forms.ChoiceField(
        label="Service-user environment",
        choices=Visit.Level.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    complaints_feedback = forms.ChoiceField(
        label="Complaints and feedback level",
        choices=Visit.FeedbackLevel.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    follow_up_actions = forms.CharField(label="Follow-up actions", widget=forms.Textarea, required=False)

    def __init__(self, *args, provider: Provider, user: User, **kwargs):
        kwargs.setdefault("initial", {}).update({"visited_on": timezone.localdate(), "officer": user.pk})
        super().__init__(*args, provider=provider, **kwargs)
        self.fields["location"].label = "Setting visited (optional)"
        _choices(self, "officer").queryset = (
            User.objects.filter(
                Q(groups__name__in=[roles.CONTRACT_OFFICER, roles.ADMINISTRATOR]) | Q(pk=user.pk), is_active=True
            )
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        self.helper = _layout(
            Field("visited_on"),
            Field.radios("kind", legend_size=Size.SMALL),
            Field.select("location"),
            Field.select("officer"),
            _text_area("findings", rows=6),
            Field.radios("environment", legend_size=Size.SMALL),
            Field.radios("complaints_feedback", legend_size=Size.SMALL),
            _text_area("follow_up_actions"),
            Field.select("contract"),
            submit="Save visit",
        )


class ConcernForm(_ForProviderForm):
    kind = forms.ChoiceField(label="Type of concern", choices=Concern.Kind.choices, widget=forms.RadioSelect)
    raised_on = GovDateField(label="Date raised")
    severity = forms.ChoiceField(
        label="Severity", choices=Concern.Severity.choices, widget=forms.RadioSelect, initial=Concern.Severity.MEDIUM
    )
    summary = forms.CharField(label="Summary", widget=forms.Textarea)
    sensitive = forms.BooleanField(
        label="Sensitive: need to know only",
        required=False,
        help_text="Only administrators, safeguarding leads, you and the provider's contract managers will read it. "
        "Safeguarding concerns and serious incidents are always need to know.",
    )

    def __init__(self, *args, provider: Provider, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("raised_on", timezone.localdate())
        super().__init__(*args, provider=provider, **kwargs)
        self.helper = _layout(
            Field.radios("kind", legend_size=Size.SMALL),
            Field("raised_on"),
            Field.radios("severity", legend_size=Size.SMALL, inline=True),
            _text_area("summary"),
            Field.select("location"),
            Field.select("contract"),
            Field.checkbox("sensitive"),
            submit="Save concern",
        )


class ConcernCloseForm(forms.Form):
    closed_on = GovDateField(label="Date closed")
    outcome = forms.CharField(label="Outcome", widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("closed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field("closed_on"), _text_area("outcome"), submit="Close concern")


class SanctionForm(_ForProviderForm):
    kind = forms.ChoiceField(label="Sanction", choices=Sanction.Kind.choices, widget=forms.RadioSelect)
    issued_on = GovDateField(label="Start date")
    lifted_on = GovDateField(label="Lift date (optional)", required=False)
    amount = forms.DecimalField(
        label="Service credit amount in pounds",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Only for a service credit.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea)

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, provider=provider, **kwargs)
        self.helper = _layout(
            Field.radios("kind", legend_size=Size.SMALL),
            Field("issued_on"),
            Field("lifted_on"),
            Field.text("amount", field_width=10),
            _text_area("reason"),
            Field.select("location"),
            Field.select("contract"),
            submit="Save sanction",
        )


class SanctionLiftForm(forms.Form):
    lifted_on = GovDateField(label="Lift date")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("lifted_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field("lifted_on"), submit="Lift sanction")


class ActionPlanForm(_ForProviderForm):
    title = forms.CharField(label="Title", max_length=255)
    agreed_on = GovDateField(label="Date agreed with the provider")
    first_action = forms.CharField(label="First action (optional)", widget=forms.Textarea, required=False)
    first_owner = forms.CharField(label="Owner of the first action", max_length=150, required=False)
    first_due_on = GovDateField(label="Due date of the first action", required=False)

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, provider=provider, **kwargs)
        self.helper = _layout(
            Field.text("title"),
            Field("agreed_on"),
            Field.select("location"),
            Field.select("contract"),
            _text_area("first_action", rows=3),
            Field.text("first_owner"),
            Field("first_due_on"),
            submit="Save action plan",
        )

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("first_action", "").strip()
        if action:
            if not cleaned.get("first_owner", "").strip():
                self.add_error("first_owner", "Enter who owns the first action")
            if not cleaned.get("first_due_on") and "first_due_on" not in self.errors:
                self.add_error("first_due_on", "Enter the due date of the first action")
        return cleaned

    @property
    def actions(self) -> list[dict]:
        if not self.cleaned_data.get("first_action", "").strip():
            return []
        return [
            {
                "description": self.cleaned_data["first_action"],
                "owner": self.cleaned_data["first_owner"],
                "due_on": self.cleaned_data["first_due_on"],
            }
        ]


class PlanActionForm(forms.Form):
    description = forms.CharField(label="Action", widget=forms.Textarea)
    owner = forms.CharField(label="Owner", max_length=150)
    due_on = GovDateField(label="Due date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(
            _text_area("description", rows=3), Field.text("owner"), Field("due_on"), submit="Add action"
        )


class PlanActionCompleteForm(forms.Form):
    completed_on = GovDateField(label="Date completed")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("completed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field("completed_on"), submit="Mark as done")


class EscalationStepForm(forms.Form):
    step = forms.ChoiceField(label="Escalation step", choices=EscalationStep.Step.choices, widget=forms.RadioSelect)
    taken_on = GovDateField(label="Date taken")
    note = forms.CharField(label="Notes (optional)", widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("taken_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _layout(
            Field.radios("step", legend_size=Size.SMALL), Field("taken_on"), _text_area("note"), submit="Save step"
        )


class _ListFilterForm(forms.Form):
    """GET filters for the officer lists: the one date field, which also reads a whole date in a shared link
    (``?from=2018-06-01``)."""

    def __init__(self, *args, kind_choices=None, status_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = GovDateField(label="From", required=False)
        self.fields["to"] = GovDateField(label="To", required=False)
        items = [Field("from"), Field("to")]
        if kind_choices:
            self.fields["kind"] = forms.ChoiceField(label="Type", choices=[("", "All"), *kind_choices], required=False)
            items.append(Field.select("kind"))
        if status_choices:
            self.fields["status"] = forms.ChoiceField(
                label="Status", choices=[("", "All"), *status_choices], required=False
            )
            items.append(Field.select("status"))
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(*items, Submit("", "Apply filters", css_class="govuk-button--secondary"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from") and cleaned.get("to") and cleaned["from"] > cleaned["to"]:
            self.add_error("to", "The 'to' date must be on or after the 'from' date")
        return cleaned


class VisitFilterForm(_ListFilterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, kind_choices=Visit.Kind.choices, **kwargs)


class ConcernFilterForm(_ListFilterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, kind_choices=Concern.Kind.choices, status_choices=Concern.Status.choices, **kwargs)


class StatisticsPeriodForm(forms.Form):
    """The period the statistics page counts (GET). Shape only: which dates make a period is
    ``oversight.statistics.statistics_period``'s rule, whose errors name these fields."""

    period = forms.ChoiceField(
        label="Period",
        choices=PERIOD_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Select a period from the list"},
    )
    year = forms.IntegerField(
        label="Financial year",
        required=False,
        widget=forms.Select,
        error_messages={"invalid": "The financial year must be a year such as 2018 (for 2018/19)"},
    )

    def __init__(self, *args, year_choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.Select, self.fields["year"].widget).choices = year_choices
        # "from" and "to" are Python keywords, so added by name, as the officer lists' filters do.
        self.fields["from"] = GovDateField(
            label="From date", required=False, help_text='Only when the period is "Dates you choose"'
        )
        self.fields["to"] = GovDateField(label="To date", required=False)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.select("period"),
            Field.select("year"),
            Field("from"),
            Field("to"),
            Submit("", "Show statistics", css_class="govuk-button--secondary"),
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("period"):
            # A link with both dates and no period (?from=2018-10-01&to=2019-03-31) means those dates; one date
            # alone (the old /contracts/statistics/ links carry the lists' ?from=) leaves the whole year.
            cleaned["period"] = "custom" if cleaned.get("from") and cleaned.get("to") else "year"
        return cleaned
