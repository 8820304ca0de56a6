"""Forms of users' own contract alerts: shape only (the rules live in oversight.alerts)."""

from typing import cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from contracts.models import Contract

from .alerts import MAX_RULE_LEAD_DAYS
from .models import ContractAlertRule


class AlertRuleForm(forms.Form):
    """An officer's own alert: on a contract, or on a register search, so many days before one of its dates."""

    contract = forms.ModelChoiceField(
        label="Contract",
        queryset=Contract.objects.none(),
        required=False,
        empty_label="Choose a contract, or leave this and enter a register search",
    )
    saved_search = forms.CharField(
        label="Or a register search",
        required=False,
        max_length=2000,
        help_text="Filter the contract register, then copy the page's address here: every contract the search "
        "finds is watched, including contracts added later.",
    )
    date_kind = forms.ChoiceField(
        label="Which date", choices=ContractAlertRule.DateKind.choices, widget=forms.RadioSelect
    )
    lead_days = forms.IntegerField(
        label="How many days before",
        min_value=0,
        max_value=MAX_RULE_LEAD_DAYS,
        error_messages={
            "required": "Enter how many days before the date you want the alert",
            "invalid": "Enter how many days before as a whole number, like 60",
            "min_value": f"Enter a number of days from 0 to {MAX_RULE_LEAD_DAYS}",
            "max_value": f"Enter a number of days from 0 to {MAX_RULE_LEAD_DAYS}",
        },
    )
    name = forms.CharField(label="Name (optional)", required=False, max_length=120)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["contract"])
        field.queryset = (
            Contract.objects.visible_to(user)
            .filter(status__in=[Contract.Status.LIVE, Contract.Status.PIPELINE])
            .order_by("reference")
        )
        field.label_from_instance = lambda contract: f"{contract.reference} {contract.title}"
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("contract"),
            Field.text("saved_search"),
            Field.radios("date_kind", legend_size=Size.SMALL),
            Field.text("lead_days", field_width=4),
            Field.text("name"),
            Submit("submit", "Add alert"),
        )
