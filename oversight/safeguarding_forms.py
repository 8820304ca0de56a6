"""Forms of safeguarding: the section 42 enquiry (record, conclude), the duty rota and the read audit's filter.
Shape only: the rules are oversight.safeguarding's."""

from __future__ import annotations

from typing import cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.utils import timezone

from commissioning import roles
from commissioning.forms import GovDateField
from commissioning.models import User

from .models import Concern, EnquiryOutcome


def _layout(*items, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*items, Submit("submit", submit))
    return helper


class EnquiryRecordForm(forms.Form):
    s42_reference = forms.CharField(
        label="Section 42 enquiry reference",
        max_length=40,
        required=False,
        help_text="The council's reference for the enquiry, as the adult social care record gives it.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    s42_started_on = GovDateField(label="Date the enquiry started", required=False)

    def __init__(self, *args, concern: Concern, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("s42_reference", concern.s42_reference)
        initial.setdefault("s42_started_on", concern.s42_started_on or timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _layout(
            Field.text("s42_reference", field_width=10), Field("s42_started_on"), submit="Save enquiry"
        )


class EnquiryConcludeForm(forms.Form):
    s42_outcome = forms.ChoiceField(
        label="Outcome of the enquiry",
        choices=EnquiryOutcome.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="As the Safeguarding Adults Collection records it.",
    )
    s42_concluded_on = GovDateField(label="Date the enquiry concluded", required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("s42_concluded_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _layout(
            Field.radios("s42_outcome", legend_size=Size.SMALL),
            Field("s42_concluded_on"),
            submit="Conclude enquiry",
        )


class DutyLeadForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Safeguarding lead on duty", queryset=User.objects.none(), empty_label="Choose a safeguarding lead"
    )
    starts_on = GovDateField(label="First day on duty")
    ends_on = GovDateField(label="Last day on duty")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        leads = User.objects.filter(groups__name=roles.SAFEGUARDING_LEAD, is_active=True).distinct()
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = leads.order_by("last_name", "first_name")
        self.helper = _layout(Field.select("user"), Field("starts_on"), Field("ends_on"), submit="Add to the rota")


class ReadFilterForm(forms.Form):
    record = forms.IntegerField(label="Concern number", required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("record", field_width=5), Submit("", "Filter", css_class="govuk-button--secondary")
        )
