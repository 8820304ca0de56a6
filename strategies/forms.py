"""Forms for strategies and highlight reports: shape only, the rules live in the models and services."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from django import forms

from commissioning.models import Directorate, User
from commissioning.periods import FinancialQuarter, quarter_choices

from .models import CommissioningIntention, CommissioningStrategy, HighlightReport, Outcome, Stage, StrategyRisk
from .selectors import EDITABLE_FIELDS

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]


class GovDateField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("widget", forms.DateInput(format="%d/%m/%Y", attrs={"class": "govuk-input"}))
        kwargs.setdefault("help_text", "For example, 05/09/2018.")
        kwargs.setdefault(
            "error_messages", {"invalid": "Enter a real date in the format dd/mm/yyyy, for example 05/09/2018."}
        )
        super().__init__(**kwargs)


def _helper(*layout, submit: str = "Save") -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the page template holds the <form>, with its CSRF token
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    helper.layout = Layout(*layout, Submit("submit", submit))
    return helper


class VersionedForm(forms.Form):
    """Every workflow move carries the version the user saw, so a move on a stale page is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)


# --- Strategies ---------------------------------------------------------------------------------


class StrategyForm(forms.ModelForm):
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
        fields = [
            "name",
            "directorate",
            "purpose",
            "sponsor",
            "commissioning_lead",
            "lead_officer",
            "summary",
            "needs_established",
            "period_start",
            "period_end",
        ]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        directorates = Directorate.objects.all()
        # A commissioner tied to a directorate writes strategies for that directorate only.
        if user.directorate_id and not user.has_perm("strategies.review_highlightreport"):
            directorates = directorates.filter(pk=user.directorate_id)
        self.fields["directorate"].queryset = directorates
        self.fields["commissioning_lead"].queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name"
        )
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
            Field.text("period_start", field_width=10),
            Field.text("period_end", field_width=10),
            submit="Save strategy",
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The strategy must end after it starts.")
        return cleaned

    def _post_clean(self):
        for value in Stage.values:
            setattr(self.instance, f"stage_{value}", value in self.cleaned_data.get("stages", []))
        super()._post_clean()


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["title", "description", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("title"), Field.textarea("description", rows=3), Field.text("order", field_width=3)
        )


class IntentionForm(forms.ModelForm):
    class Meta:
        model = CommissioningIntention
        fields = ["theme", "intention", "current_position", "expected_position", "activity", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("theme"),
            Field.textarea("intention", rows=3),
            Field.radios("current_position", inline=True),
            Field.radios("expected_position", inline=True),
            Field.textarea("activity", rows=3),
            Field.text("order", field_width=3),
        )


class RiskForm(forms.ModelForm):
    class Meta:
        model = StrategyRisk
        fields = ["cause", "event", "effect", "rating", "mitigation", "order"]

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


class HighlightReportForm(forms.ModelForm):
    """The editor: the template's sections in order; what the system knows is shown, not typed.

    The model's own rules (RAG comment, date in its quarter) run in ``_post_clean`` and show next to the field.
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
            Field.text("report_date", field_width=10),
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
    decision_date = GovDateField(
        label="Date of the Executive decision",
        error_messages={
            "required": "Enter the date of the Executive decision.",
            "invalid": "Enter a real date in the format dd/mm/yyyy, for example 04/06/2019.",
        },
    )


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
