"""Forms of contract performance notices and breaches: shape only (the rules live in oversight.notices)."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.db.models import Q

from commissioning.forms import GovDateField
from contracts.models import Contract

from .models import ContractBreach, Sanction


def _layout(*items, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*items, Submit("submit", submit))
    return helper


def _money(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
    )


class ConfirmForm(forms.Form):
    """A button with nothing to fill in (create, approve, publish): the page says what it will do."""

    def __init__(self, *args, submit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(submit=submit)


class CdpNoticeIdForm(forms.Form):
    cdp_notice_id = forms.CharField(
        label="Central Digital Platform notice identifier",
        max_length=100,
        help_text="As shown on the notice once it is published on the Central Digital Platform. It cannot be "
        "changed once recorded.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field.text("cdp_notice_id", field_width=20), submit="Record identifier")


class ContractChoiceForm(forms.Form):
    """First step of recording a breach from the menu: which contract."""

    contract = forms.ModelChoiceField(
        label="Contract", queryset=Contract.objects.none(), empty_label="Choose a contract"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["contract"]
        assert isinstance(field, forms.ModelChoiceField)
        let = Contract.objects.visible_to(user).exclude(status=Contract.Status.PIPELINE)
        field.queryset = let.order_by("reference")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(Field.select("contract"), Submit("", "Continue"))


class _ConsequenceFields(forms.Form):
    consequence = forms.ChoiceField(
        label="What has it led to?",
        choices=ContractBreach.Consequence.choices,
        initial=ContractBreach.Consequence.NONE_YET,
        widget=forms.RadioSelect,
    )
    consequence_on = GovDateField(
        label="Date of the consequence (optional)",
        required=False,
        help_text="When the contract was terminated, damages awarded or the settlement agreed.",
    )
    damages_amount = _money("Damages in pounds (optional)", "Only when damages were awarded.")
    settlement_amount = _money("Settlement in pounds (optional)", "Only when a settlement was agreed.")

    def consequence_layout(self) -> list:
        return [
            Field.radios("consequence", legend_size=Size.SMALL),
            Field("consequence_on"),
            Field.text("damages_amount", field_width=10),
            Field.text("settlement_amount", field_width=10),
        ]


class BreachForm(_ConsequenceFields):
    kind = forms.ChoiceField(label="What kind?", choices=ContractBreach.Kind.choices, widget=forms.RadioSelect)
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea)
    occurred_on = GovDateField(label="Date it happened")
    sanctions = forms.ModelMultipleChoiceField(
        label="Sanctions it led to or came from (optional)",
        queryset=Sanction.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A default notice or suspension already recorded. A sanction on its own is not a breach.",
    )

    field_order = ["kind", "what_happened", "occurred_on", "consequence", "consequence_on"]

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        providers = [contract.lead_provider_id, *contract.other_providers.values_list("pk", flat=True)]
        field = self.fields["sanctions"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = (
            Sanction.objects.filter(provider_id__in=[p for p in providers if p is not None])
            .filter(Q(contract__isnull=True) | Q(contract=contract))
            .order_by("-issued_on", "-pk")
        )
        self.helper = _layout(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.textarea("what_happened", rows=5),
            Field("occurred_on"),
            *self.consequence_layout(),
            Field.checkboxes("sanctions", legend_size=Size.SMALL),
            submit="Save breach",
        )


class BreachConsequenceForm(_ConsequenceFields):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(*self.consequence_layout(), submit="Save consequence")
