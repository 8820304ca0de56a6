"""Forms for strategies and highlight reports: shape only (types, required fields, lengths, choices).

The rules live in the services, which pages call with the cleaned data and whose errors
``commissioning.forms.add_service_errors`` puts on the fields they name. The model forms here therefore skip the
model's own validation (``_post_clean``): the service runs it, once, for the page and the API alike, and the form
never changes the instance it was given.
"""

from __future__ import annotations

import re
from typing import cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commissioning import permissions
from commissioning.forms import GovChoicesMixin, GovDateField
from commissioning.models import Directorate, User
from commissioning.periods import (
    FinancialQuarter,
    financial_year_choices,
    financial_year_label,
    financial_year_of,
    quarter_choices,
)
from contracts.models import Contract

from .models import (
    CommissioningIntention,
    CommissioningStrategy,
    CycleStage,
    HighlightReport,
    Outcome,
    Saving,
    Stage,
    StrategicTheme,
    StrategyRisk,
    ThemeStatement,
)
from .selectors import EDITABLE_FIELDS
from .services import (
    CYCLE_STAGE_FIELDS,
    INTENTION_FIELDS,
    INTENTION_LINKS,
    OUTCOME_FIELDS,
    RISK_FIELDS,
    SAVING_FIELDS,
    SAVING_LINKS,
    STATEMENT_FIELDS,
    STRATEGY_FIELDS,
    THEME_FIELDS,
)


def _helper(*layout, submit: str = "Save") -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the page template holds the <form>, with its CSRF token
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    helper.layout = Layout(*layout, Submit("submit", submit))
    return helper


class ShapeOnlyModelForm(GovChoicesMixin, forms.ModelForm):
    """A model form that checks the shape of the input (types, lengths, choices) and leaves the model's rules to
    the service: a text the model requires is refused by the service's validation, in the words the API uses."""

    def __init__(self, *args, strategy: CommissioningStrategy | None = None, **kwargs):
        self.strategy = strategy  # the plan a part belongs to (a part's form lists that plan's choices)
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(_model_field(self._meta.model, name), models.CharField | models.TextField):
                field.required = False

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        """The cleaned data the service takes: the model fields of the form."""
        return {name: self.cleaned_data[name] for name in self._meta.fields or () if name in self.cleaned_data}


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


class VersionedForm(GovChoicesMixin, forms.Form):
    """Every workflow move carries the version the user saw, so a move on a stale page is refused."""

    helper: FormHelper

    version = forms.IntegerField(widget=forms.HiddenInput)


# --- Strategies ---------------------------------------------------------------------------------


class StrategyForm(ShapeOnlyModelForm):
    stages = forms.MultipleChoiceField(
        label="Stage",
        choices=Stage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select every stage of the commissioning cycle the strategy is at.",
    )
    period_start = GovDateField(label="Strategy starts", required=False)
    period_end = GovDateField(label="Strategy ends", required=False)

    class Meta:
        model = CommissioningStrategy
        fields = [name for name in STRATEGY_FIELDS if not name.startswith("stage_")]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # The directorates the user may write strategies for (the service refuses any other).
        perm = "strategies.change_commissioningstrategy" if self.instance.pk else "strategies.add_commissioningstrategy"
        allowed = [
            d.pk for d in Directorate.objects.all() if permissions.may(user, perm, CommissioningStrategy(directorate=d))
        ]
        directorate = cast(forms.ModelChoiceField, self.fields["directorate"])
        directorate.queryset = Directorate.objects.filter(pk__in=allowed).order_by("name")
        lead = cast(forms.ModelChoiceField, self.fields["commissioning_lead"])
        lead.queryset = User.objects.filter(is_active=True).order_by("first_name", "last_name")
        self.fields["stages"].initial = [value for value in Stage.values if getattr(self.instance, f"stage_{value}")]
        self.helper = _helper(
            Field.text("name"),
            Field.select("directorate"),
            Field.textarea("purpose", rows=3),
            Field.text("sponsor"),
            Field.select("commissioning_lead"),
            Field.text("lead_officer"),
            Field.checkboxes("stages", small=True),
            Field.textarea("summary", rows=6),
            Field.textarea("needs_established", rows=4),
            Field("period_start"),
            Field("period_end"),
            submit="Save strategy",
        )

    def service_data(self) -> dict:
        data = super().service_data()
        chosen = self.cleaned_data.get("stages", [])
        data.update({f"stage_{value}": value in chosen for value in Stage.values})
        return data


class OutcomeForm(ShapeOnlyModelForm):
    class Meta:
        model = Outcome
        fields = OUTCOME_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("title"), Field.textarea("description", rows=3), Field.text("order", field_width=3)
        )


def _stage_choices(*keep: int | None):
    """Active stages in cycle order (a finer stage reads "Plan: Design"), and any inactive one ``keep`` names."""
    wanted = Q(active=True) & ~Q(parent__active=False)
    kept = [pk for pk in keep if pk]
    if kept:
        wanted |= Q(pk__in=kept)
    return CycleStage.objects.filter(wanted).select_related("parent").in_cycle_order()


class IntentionForm(ShapeOnlyModelForm):
    """An intention of a plan: its theme (one of the plan's), the existing and expected positions on the
    council's cycle, driver, activity and the MTFP savings it delivers (the service checks the cycle order)."""

    class Meta:
        model = CommissioningIntention
        fields = [*INTENTION_FIELDS, *INTENTION_LINKS]
        labels = {"savings": "MTFP savings it delivers (optional)"}
        widgets = {"savings": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        strategy = self.strategy or (self.instance.strategy if self.instance.strategy_id else None)
        theme = cast(forms.ModelChoiceField, self.fields["theme"])
        theme.queryset = StrategicTheme.objects.filter(strategy=strategy).order_by("order", "pk")
        theme.empty_label = "Choose a theme"
        instance = self.instance
        for name in ("current_stage", "expected_stage"):
            field = cast(forms.ModelChoiceField, self.fields[name])
            field.queryset = _stage_choices(instance.current_stage_id, instance.expected_stage_id)
            field.empty_label = "Choose a stage"
        savings = cast(forms.ModelMultipleChoiceField, self.fields["savings"])
        directorate_id = strategy.directorate_id if strategy else None
        savings.queryset = Saving.objects.filter(directorate_id=directorate_id).order_by("-year", "reference")
        savings.required = False
        self.helper = _helper(
            Field.select("theme"),
            Field.textarea("intention", rows=3),
            Field.text("driver"),
            Field.select("current_stage"),
            Field.select("expected_stage"),
            Field.textarea("activity", rows=3),
            Field.checkboxes("savings", small=True),
            Field.text("order", field_width=3),
            submit="Save intention",
        )


class ThemeForm(ShapeOnlyModelForm):
    class Meta:
        model = StrategicTheme
        fields = THEME_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("name"),
            Field.textarea("description", rows=3),
            Field.text("order", field_width=3),
            submit="Save theme",
        )


class StatementForm(ShapeOnlyModelForm):
    class Meta:
        model = ThemeStatement
        fields = STATEMENT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("text", rows=3), Field.text("order", field_width=3), submit="Save")


class CycleStageForm(ShapeOnlyModelForm):
    class Meta:
        model = CycleStage
        fields = CYCLE_STAGE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parent = cast(forms.ModelChoiceField, self.fields["parent"])
        parent.queryset = (
            CycleStage.objects.filter(parent__isnull=True).exclude(pk=self.instance.pk).order_by("order", "pk")
        )
        parent.empty_label = "None: this is a phase of the cycle"
        self.helper = _helper(
            Field.text("name"),
            Field.select("parent"),
            Field.text("order", field_width=3),
            Field.textarea("description", rows=3),
            Field.checkbox("active"),
            submit="Save stage",
        )


class ContractReferencesField(forms.CharField):
    """Contract references separated by commas or new lines, read as the contracts (shape: each one exists)."""

    def to_python(self, value):
        text = super().to_python(value) or ""
        references = [r.strip() for r in text.replace("\n", ",").split(",") if r.strip()]
        found = {c.reference.lower(): c for c in Contract.objects.filter(reference__in=references)}
        if len(found) < len({r.lower() for r in references}):
            # References are matched exactly first; a second pass forgives case.
            for contract in Contract.objects.filter(
                reference__iregex=r"^(" + "|".join(re.escape(r) for r in references) + r")$"
            ):
                found.setdefault(contract.reference.lower(), contract)
        missing = [r for r in references if r.lower() not in found]
        if missing:
            raise forms.ValidationError(f"No contract has the reference {', '.join(missing)}.")
        return list({found[r.lower()].pk: found[r.lower()] for r in references}.values())


class SavingForm(ShapeOnlyModelForm):
    """A saving: shape only. Its rules (the directorate's strategy and contracts, reasons for a variation, an
    achieved figure that fits the status) are the service's."""

    year = forms.TypedChoiceField(label="Financial year", coerce=int)
    contracts = ContractReferencesField(
        label="Contracts it touches (optional)",
        required=False,
        help_text="Contract references, separated by commas, e.g. ASC-0001, ASC-0007.",
    )

    class Meta:
        model = Saving
        fields = [*SAVING_FIELDS, *SAVING_LINKS]
        widgets = {"status": forms.RadioSelect}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["contracts"] = ", ".join(c.reference for c in self.instance.contracts.order_by("reference"))
        perm = "strategies.change_saving" if self.instance.pk else "strategies.add_saving"
        allowed = [d.pk for d in Directorate.objects.all() if permissions.may(user, perm, Saving(directorate=d))]
        directorate = cast(forms.ModelChoiceField, self.fields["directorate"])
        directorate.queryset = Directorate.objects.filter(pk__in=allowed).order_by("name")
        if len(allowed) == 1 and not self.instance.pk:
            self.initial.setdefault("directorate", allowed[0])  # a commissioner's own directorate
        strategy = cast(forms.ModelChoiceField, self.fields["strategy"])
        strategy.queryset = CommissioningStrategy.objects.filter(directorate__in=allowed).order_by("name")
        strategy.required = False
        years = range(financial_year_of(timezone.localdate()) - 10, financial_year_of(timezone.localdate()) + 4)
        year = cast(forms.TypedChoiceField, self.fields["year"])
        year.choices = [("", "Choose a year"), *financial_year_choices(years)]
        if self.instance.year and self.instance.year not in years:
            year.choices.append((self.instance.year, financial_year_label(self.instance.year)))
        cast(forms.ChoiceField, self.fields["status"]).choices = Saving.Status.choices
        self.helper = _helper(
            Field.text("reference", field_width=10),
            Field.select("directorate"),
            Field.select("strategy"),
            Field.select("year"),
            Field.text("title"),
            Field.textarea("description", rows=3),
            Field.text("budgeted", field_width=10),
            Field.text("achieved", field_width=10),
            Field.radios("status", inline=True),
            Field.textarea("reasons", rows=3),
            Field.text("contracts"),
            submit="Save saving",
        )


class RiskForm(ShapeOnlyModelForm):
    class Meta:
        model = StrategyRisk
        fields = RISK_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("cause", rows=2),
            Field.textarea("event", rows=2),
            Field.textarea("effect", rows=2),
            Field.radios("rating", inline=True),
            Field.textarea("mitigation", rows=3),
            Field.text("order", field_width=3),
        )


# --- Highlight reports ------------------------------------------------------------------------


class StartReportForm(forms.Form):
    quarter = forms.ChoiceField(label="Quarter", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [("", "The quarter after the latest report"), *quarter_choices()]

    def clean_quarter(self) -> FinancialQuarter | None:
        value = self.cleaned_data["quarter"]
        return FinancialQuarter.parse(value) if value else None


class HighlightReportForm(ShapeOnlyModelForm):
    """The editor: the template's sections in order; what the system knows is shown, not typed.

    The report's rules (RAG comment, date in its quarter) are checked by services.highlight_report_update and
    shown next to the field they name.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    report_date = GovDateField(label="Report date")

    class Meta:
        model = HighlightReport
        fields = EDITABLE_FIELDS
        widgets = {"rag": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rag"].choices = HighlightReport.Rag.choices
        self.fields["rag"].required = False
        if not self.is_bound:
            self.initial["version"] = self.instance.version
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            "version",
            Fieldset(HTML('{% include "strategies/includes/editor_header.html" %}'), legend="Header", legend_size="m"),
            Field("report_date"),
            Fieldset(
                Field.textarea("summary", rows=8),
                Field.textarea("needs_established", rows=5),
                Field.textarea("outcomes_text", rows=5),
                legend="Strategy",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                HTML('{% include "strategies/includes/editor_success.html" %}'),
                Field.textarea("success_note", rows=3),
                legend="How is success measured?",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                HTML('{% include "strategies/includes/editor_contracts.html" %}'),
                Field.textarea("key_contracts_note", rows=3),
                legend="Key contracts",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                HTML('{% include "strategies/includes/editor_pooled.html" %}'),
                Field.textarea("pooled_budget_arrangements", rows=4),
                legend="Existing pooled budget / co-commissioning arrangements",
                legend_size=Size.MEDIUM,
            ),
            Field.textarea("property_implications", rows=4, label_size=Size.MEDIUM),
            Field.textarea("commercial_opportunities", rows=4, label_size=Size.MEDIUM),
            Fieldset(
                Field.text("completed_by"),
                Field.radios("rag", inline=True),
                Field.textarea("rag_comment", rows=3),
                Field.textarea("commissioners_comments", rows=3),
                legend="Commissioners' comments",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                HTML('{% include "strategies/includes/editor_conclusions.html" %}'),
                Field.textarea("scrutiny_note", rows=3),
                legend="Conclusions from scrutiny",
                legend_size=Size.MEDIUM,
            ),
            Submit("submit", "Save report"),
        )

    def changed_data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}

    def service_data(self) -> dict:
        return self.changed_data_for_service()


class SubmitForm(VersionedForm):
    pass


class BoardReviewForm(VersionedForm):
    board_comments = forms.CharField(
        label="Commissioning and Commercial Board comments",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the board's comments."},
    )


def _meetings():
    # Scrutiny sits above strategies: its Meeting model is reached through the report's FK, never imported.
    meeting_model = HighlightReport._meta.get_field("scrutiny_meeting").related_model
    return meeting_model.objects.select_related("committee").order_by("-date")


class ScrutinyForm(VersionedForm):
    meeting = forms.ModelChoiceField(
        label="Scrutiny meeting that considered the report",
        queryset=_meetings(),
        error_messages={"required": "Select the scrutiny meeting that considered the report."},
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(VersionedForm):
    decision_reference = forms.CharField(
        label="Executive decision reference",
        max_length=30,
        help_text="For example, I017457.",
        error_messages={"required": "Enter the Executive decision reference, such as I017457."},
    )
    # Not required in shape: the service says a date is missing, in the words the API uses too.
    decision_date = GovDateField(label="Date of the Executive decision", required=False)


class ReturnForm(VersionedForm):
    reason = forms.CharField(
        label="Why is the report returned for changes?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason the report is returned for changes."},
    )


def move_form_helper(form: forms.Form, submit: str) -> FormHelper:
    fields = [Field.textarea(n) if isinstance(f.widget, forms.Textarea) else n for n, f in form.fields.items()]
    helper = _helper(*fields, submit=submit)
    return helper
