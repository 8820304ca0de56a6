"""Forms of provider failure cases, market indicators and a location's status: shape only (the rules live in
oversight.market and providers.services)."""

from __future__ import annotations

from typing import cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.db.models import Q

from commissioning.forms import GovDateField
from contracts.models import Contract
from providers.models import Location, Provider

from .models import MarketIndicator, ProviderFailureCase, Rag


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.reference} {obj.title}"


def _layout(*items, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*items, Submit("submit", submit))
    return helper


def _count(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        initial=0,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}, or 0",
            "invalid": f"Enter the {label.lower()} as a whole number, like 23",
            "min_value": f"The {label.lower()} cannot be less than 0",
        },
    )


class ProviderChoiceForm(forms.Form):
    """First step from the menu: which provider (the next form lists its locations and contracts)."""

    provider = forms.ModelChoiceField(
        label="Provider", queryset=Provider.objects.none(), empty_label="Choose a provider"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["provider"]).queryset = Provider.objects.visible_to(user).order_by(
            "name"
        )
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(Field.select("provider"), Submit("", "Continue"))


def _provider_choices(form: forms.Form, provider: Provider) -> None:
    if "location" in form.fields:
        location = cast(forms.ModelChoiceField, form.fields["location"])
        location.queryset = Location.objects.filter(provider=provider).order_by("name")
    contract = cast(forms.ModelChoiceField, form.fields["contract"])
    contract.queryset = (
        Contract.objects.filter(Q(lead_provider=provider) | Q(other_providers=provider))
        .distinct()
        .order_by("reference")
    )


class FailureCaseForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of case?", choices=ProviderFailureCase.Kind.choices, widget=forms.RadioSelect
    )
    location = forms.ModelChoiceField(
        label="Home or service (optional)",
        queryset=Location.objects.none(),
        required=False,
        empty_label="The provider as a whole",
        help_text="Needed for a closure: the home or service that is closing.",
    )
    contract = ContractChoiceField(
        label="Contract (optional)", queryset=Contract.objects.none(), required=False, empty_label="No one contract"
    )
    announced_on = GovDateField(label="Date announced or known")
    summary = forms.CharField(label="What happened and what the council did", widget=forms.Textarea)
    service_users_affected = _count("Service users affected")
    service_users_moved = _count("Service users moved", "Moved to another home or provider so far.")
    staff_transferred = _count("Staff transferred")
    novation = forms.BooleanField(label="The contract was novated to another provider", required=False)
    novated_to = forms.ModelChoiceField(
        label="Novated to (optional)", queryset=Provider.objects.none(), required=False, empty_label="No novation"
    )
    lessons = forms.CharField(label="Lessons learnt (optional)", widget=forms.Textarea, required=False)

    def __init__(self, *args, provider: Provider, edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        _provider_choices(self, provider)
        cast(forms.ModelChoiceField, self.fields["novated_to"]).queryset = (
            Provider.objects.exclude(pk=provider.pk).filter(exited_on__isnull=True).order_by("name")
        )
        items = [
            Field.radios("kind", legend_size=Size.SMALL),
            Field.select("location"),
            Field.select("contract"),
            Field("announced_on"),
            Field.textarea("summary", rows=5),
            Field.text("service_users_affected", field_width=5),
            Field.text("service_users_moved", field_width=5),
            Field.text("staff_transferred", field_width=5),
            Field.checkbox("novation"),
            Field.select("novated_to"),
            Field.textarea("lessons", rows=4),
        ]
        if edit:  # the kind of case and its provider do not change
            del self.fields["kind"]
            items = items[1:]
        self.helper = _layout(*items, submit="Save case")


class FailureCaseCloseForm(forms.Form):
    ended_on = GovDateField(label="Date the case closed")
    service_users_moved = _count("Service users moved", "In all, by the time the case closed.")
    lessons = forms.CharField(label="Lessons learnt", widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(
            Field("ended_on"),
            Field.text("service_users_moved", field_width=5),
            Field.textarea("lessons", rows=5),
            submit="Close case",
        )


class MarketIndicatorForm(forms.Form):
    kind = forms.ChoiceField(label="Indicator", choices=MarketIndicator.Kind.choices, widget=forms.RadioSelect)
    level = forms.ChoiceField(label="Level", choices=Rag.choices, widget=forms.RadioSelect)
    recorded_on = GovDateField(label="Date of the reading")
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False, help_text="Needed when Red: say why.")
    service_area = forms.CharField(
        label="Service or setting (optional)", max_length=120, required=False, help_text="For example, nursing homes."
    )
    contract = ContractChoiceField(
        label="Contract (optional)", queryset=Contract.objects.none(), required=False, empty_label="No one contract"
    )

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        _provider_choices(self, provider)
        self.helper = _layout(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.radios("level", legend_size=Size.SMALL, inline=True),
            Field("recorded_on"),
            Field.textarea("note", rows=4),
            Field.text("service_area"),
            Field.select("contract"),
            submit="Save reading",
        )


class LocationStatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=Location.Status.choices, widget=forms.RadioSelect)
    on = GovDateField(
        label="Date", help_text="For closing, the day the closure was announced; for closed, the day it closed."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field.radios("status", legend_size=Size.SMALL), Field("on"), submit="Save status")
