"""Forms of escalation and its governance: shape only (the rules live in oversight.escalation and
oversight.governance)."""

from __future__ import annotations

from typing import cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.utils import timezone

from commissioning import roles
from commissioning.forms import GovDateField
from commissioning.models import User
from contracts.models import Contract
from providers.models import Provider

from .models import Escalation, EscalationStage, EscalationTrigger, GovernanceMeeting


def _layout(*items, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*items, Submit("submit", submit))
    return helper


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def officers():
    """Active contract officers and administrators: who may own an action or be told of a stage."""
    return (
        User.objects.filter(groups__name__in=[roles.CONTRACT_OFFICER, roles.ADMINISTRATOR], is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _active_stages():
    return EscalationStage.objects.filter(active=True).order_by("level", "pk")


def _today_initial(kwargs: dict, *names: str) -> None:
    initial = kwargs.setdefault("initial", {})
    for name in names:
        initial.setdefault(name, timezone.localdate())


class EscalationRequestForm(forms.Form):
    """An officer's request for support: opens an escalation by hand."""

    provider = forms.ModelChoiceField(
        label="Provider", queryset=Provider.objects.none(), empty_label="Choose a provider"
    )
    contract = forms.ModelChoiceField(
        label="Contract (optional)", queryset=Contract.objects.none(), required=False, empty_label="–"
    )
    stage = forms.ModelChoiceField(
        label="Stage (optional)",
        queryset=EscalationStage.objects.none(),
        required=False,
        empty_label="The stage an officer's request opens at",
    )
    reason = forms.CharField(label="What support is needed, and why", widget=forms.Textarea)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "provider").queryset = Provider.objects.visible_to(user).order_by("name")
        _choices(self, "contract").queryset = Contract.objects.visible_to(user).order_by("reference")
        _choices(self, "stage").queryset = _active_stages()
        self.helper = _layout(
            Field.select("provider"),
            Field.select("contract"),
            Field.select("stage"),
            Field.textarea("reason", rows=5),
            submit="Ask for support",
        )


class EscalationMoveForm(forms.Form):
    stage = forms.ModelChoiceField(label="Move to stage", queryset=EscalationStage.objects.none(), empty_label="–")
    note = forms.CharField(label="Why", widget=forms.Textarea)
    moved_on = GovDateField(label="Date")

    def __init__(self, *args, escalation: Escalation, **kwargs):
        _today_initial(kwargs, "moved_on")
        super().__init__(*args, **kwargs)
        _choices(self, "stage").queryset = _active_stages().exclude(pk=escalation.stage_id)
        self.helper = _layout(
            Field.select("stage"), Field.textarea("note", rows=4), Field("moved_on"), submit="Move escalation"
        )


class EscalationDecisionForm(forms.Form):
    decision = forms.CharField(label="Decision", widget=forms.Textarea)
    decided_on = GovDateField(label="Date of the decision")

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "decided_on")
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field.textarea("decision", rows=4), Field("decided_on"), submit="Record decision")


class ActionForm(forms.Form):
    action = forms.CharField(label="Action", widget=forms.Textarea)
    owner = forms.ModelChoiceField(label="Owner", queryset=User.objects.none(), empty_label="Choose who owns it")
    due_on = GovDateField(label="Due by")

    def __init__(self, *args, escalations=None, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "owner").queryset = officers()
        items = [Field.textarea("action", rows=3), Field.select("owner"), Field("due_on")]
        if escalations is not None:
            self.fields["escalation"] = forms.ModelChoiceField(
                label="Escalation (optional)", queryset=escalations, required=False, empty_label="–"
            )
            items.append(Field.select("escalation"))
        self.helper = _layout(*items, submit="Add action")


class ActionCompleteForm(forms.Form):
    done_on = GovDateField(label="Date done")

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "done_on")
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field("done_on"), submit="Mark as done")


class EscalationCloseForm(forms.Form):
    outcome = forms.CharField(label="Outcome", widget=forms.Textarea)
    closed_on = GovDateField(label="Date closed")

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "closed_on")
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field.textarea("outcome", rows=4), Field("closed_on"), submit="Close escalation")


class EscalationStageForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    level = forms.IntegerField(label="Level (1 is the first stage)", min_value=1, max_value=99)
    description = forms.CharField(label="What happens at this stage", widget=forms.Textarea, required=False)
    who_must_be_told = forms.CharField(label="Who must be told", widget=forms.Textarea, required=False)
    notify_users = forms.ModelMultipleChoiceField(
        label="Notify these people",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notify_contract_manager = forms.BooleanField(
        label="Notify the contract's manager and backup", required=False, initial=True
    )
    active = forms.BooleanField(label="In use", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "notify_users").queryset = officers()
        self.helper = _layout(
            Field.text("name"),
            Field.text("level", field_width=4),
            Field.textarea("description", rows=3),
            Field.textarea("who_must_be_told", rows=3),
            Field.checkboxes("notify_users", legend_size=Size.SMALL),
            Field.checkbox("notify_contract_manager"),
            Field.checkbox("active"),
            submit="Save stage",
        )


class EscalationTriggerForm(forms.Form):
    kind = forms.ChoiceField(label="Situation", choices=EscalationTrigger.Kind.choices, widget=forms.RadioSelect)
    stage = forms.ModelChoiceField(label="Opens at stage", queryset=EscalationStage.objects.none(), empty_label="–")
    months = forms.IntegerField(
        label="Months (action plans only)", min_value=1, max_value=24, initial=3, required=False
    )
    description = forms.CharField(label="Description", widget=forms.Textarea, required=False)
    active = forms.BooleanField(label="In use", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "stage").queryset = _active_stages()
        self.helper = _layout(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.select("stage"),
            Field.text("months", field_width=4),
            Field.textarea("description", rows=3),
            Field.checkbox("active"),
            submit="Save trigger",
        )


class GovernanceMeetingForm(forms.Form):
    kind = forms.ChoiceField(label="Meeting", choices=GovernanceMeeting.Kind.choices, widget=forms.RadioSelect)
    held_on = GovDateField(label="Date of the meeting")
    month = GovDateField(
        label="Month reviewed (any day in it; review only, optional)",
        required=False,
        help_text="For a contracts causing concern review. Left empty, the month before the meeting.",
    )
    chair = forms.CharField(label="Chair", max_length=150)
    attendees = forms.CharField(label="Attendees", widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "held_on")
        super().__init__(*args, **kwargs)
        self.helper = _layout(
            Field.radios("kind", legend_size=Size.SMALL),
            Field("held_on"),
            Field("month"),
            Field.text("chair"),
            Field.textarea("attendees", rows=3),
            submit="Set up meeting and agenda",
        )


class MinutesForm(forms.Form):
    minutes = forms.CharField(label="Minutes", widget=forms.Textarea, required=False)
    attendees = forms.CharField(label="Attendees", widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(
            Field.textarea("minutes", rows=10), Field.textarea("attendees", rows=3), submit="Save minutes"
        )


class GovernanceItemForm(forms.Form):
    discussion = forms.CharField(label="Discussion", widget=forms.Textarea, required=False)
    decision = forms.CharField(label="Decision", widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _layout(
            Field.textarea("discussion", rows=5), Field.textarea("decision", rows=3), submit="Save item"
        )


class GovernanceItemAddForm(forms.Form):
    reasons = forms.CharField(label="What the item is about", widget=forms.Textarea)
    contract = forms.ModelChoiceField(
        label="Contract (optional)", queryset=Contract.objects.none(), required=False, empty_label="–"
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "contract").queryset = Contract.objects.visible_to(user).order_by("reference")
        self.helper = _layout(Field.textarea("reasons", rows=3), Field.select("contract"), submit="Add item")


class AgreeMinutesForm(forms.Form):
    agreed_on = GovDateField(label="Date agreed")

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "agreed_on")
        super().__init__(*args, **kwargs)
        self.helper = _layout(Field("agreed_on"), submit="Agree minutes")


class ReviewMonthForm(forms.Form):
    """GET: the month of the contracts causing concern list (?month=2026-11)."""

    month = forms.CharField(label="Month (yyyy-mm)", max_length=7, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(Field.text("month", field_width=10), Submit("", "Show"))


def stage_initial(stage: EscalationStage) -> dict:
    return {
        "name": stage.name,
        "level": stage.level,
        "description": stage.description,
        "who_must_be_told": stage.who_must_be_told,
        "notify_users": list(stage.notify_users.values_list("pk", flat=True)),
        "notify_contract_manager": stage.notify_contract_manager,
        "active": stage.active,
    }


def trigger_initial(trigger: EscalationTrigger) -> dict:
    return {
        "kind": trigger.kind,
        "stage": trigger.stage_id,
        "months": trigger.months,
        "description": trigger.description,
        "active": trigger.active,
    }
