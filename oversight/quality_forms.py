"""Forms of quality frameworks, their tiers and providers' assessed tiers: shape only (the rules live in
oversight.quality)."""

from __future__ import annotations

from typing import cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from commissioning.forms import GovDateField
from providers.models import Location, Provider

from .models import QualityFramework, QualityTier


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        rate = f" ({obj.enhanced_rate_display})" if obj.enhanced_rate is not None else ""
        return f"{obj.name}{rate}"


def _layout(*items, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*items, Submit("submit", submit))
    return helper


class QualityFrameworkForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    service_area = forms.CharField(label="Service or setting", max_length=120, help_text="For example, care homes.")
    starts_on = GovDateField(label="Start date")
    ends_on = GovDateField(label="End date (optional)", required=False)
    description = forms.CharField(label="Description (optional)", widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(
            Field.text("name"),
            Field.text("service_area"),
            Field("starts_on"),
            Field("ends_on"),
            Field.textarea("description", rows=4),
            submit="Save framework",
        )


class QualityTierForm(forms.Form):
    rank = forms.IntegerField(
        label="Rank",
        min_value=1,
        help_text="1 is the highest quality.",
        error_messages={"required": "Enter the tier's rank", "invalid": "Enter the rank as a whole number, like 1"},
    )
    name = forms.CharField(label="Name", max_length=120)
    criteria = forms.CharField(label="Criteria", widget=forms.Textarea)
    enhanced_rate = forms.DecimalField(
        label="Enhanced rate (optional)",
        required=False,
        max_digits=10,
        decimal_places=2,
        help_text="The uplift paid to providers assessed at this tier.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
    )
    enhanced_rate_unit = forms.ChoiceField(
        label="Enhanced rate unit",
        choices=[("", "No enhanced rate"), *QualityTier.RateUnit.choices],
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(
            Field.text("rank", field_width=2),
            Field.text("name"),
            Field.textarea("criteria", rows=5),
            Field.text("enhanced_rate", field_width=5),
            Field.radios("enhanced_rate_unit", legend_size=Size.SMALL),
            submit="Save tier",
        )


class QualityAwardForm(forms.Form):
    provider = forms.ModelChoiceField(label="Provider", queryset=Provider.objects.none(), empty_label="Choose one")
    location = forms.ModelChoiceField(
        label="Home or service (optional)",
        queryset=Location.objects.none(),
        required=False,
        empty_label="The provider as a whole",
    )
    tier = TierChoiceField(label="Tier", queryset=QualityTier.objects.none(), widget=forms.RadioSelect)
    assessed_on = GovDateField(label="Date assessed")
    valid_until = GovDateField(label="Valid until (optional)", required=False)

    def __init__(self, *args, framework: QualityFramework, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = cast(forms.ModelChoiceField, self.fields["provider"])
        chosen.queryset = Provider.objects.filter(pk=provider.pk)
        chosen.initial = provider.pk
        chosen.widget = forms.HiddenInput()
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = Location.objects.filter(
            provider=provider
        ).order_by("name")
        tier = cast(forms.ModelChoiceField, self.fields["tier"])
        tier.queryset = framework.tiers.order_by("rank")
        self.helper = _layout(
            Field("provider"),
            Field.select("location"),
            Field.radios("tier", legend_size=Size.SMALL),
            Field("assessed_on"),
            Field("valid_until"),
            submit="Save assessment",
        )


class QualityWithdrawForm(forms.Form):
    withdrawn_on = GovDateField(label="Withdrawn from")
    reason = forms.CharField(
        label="Why is it withdrawn?",
        widget=forms.Textarea,
        help_text="What monitoring found. The enhanced rate stops until the tier is reinstated.",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field("withdrawn_on"), Field.textarea("reason", rows=4), submit="Withdraw tier")


class QualityReinstateForm(forms.Form):
    reinstated_on = GovDateField(label="Reinstated from")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field("reinstated_on"), submit="Reinstate tier")
