"""Forms for committees, meetings, packs and conclusions: shape only, the rules live in the services."""

from __future__ import annotations

import re
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

from commissioning import roles
from commissioning.forms import GovDateField
from commissioning.models import Directorate, User
from contracts.models import Contract, ProcurementProject
from strategies.forms import ShapeOnlyModelForm
from strategies.models import CommissioningStrategy, HighlightReport

from .models import (
    Committee,
    Decision,
    ExemptParagraph,
    ForwardPlanEntry,
    Meeting,
    RecommendationAction,
    ScrutinyPack,
    ScrutinyRecommendation,
    ScrutinyStage,
)
from .services import ACTION_FIELDS, COVER_FIELDS, DECISION_FIELDS, FORWARD_PLAN_FIELDS, RECOMMENDATION_FIELDS

ORDER_PREFIX = "appendix_"


def _member_choices(committee: Committee | None) -> QuerySet[User]:
    """Who may be put on a committee: active users holding the scrutiny member role. A committee's current
    members stay listed (and ticked) even when they no longer qualify, so that renaming a committee never
    drops anyone unseen; ``qualifies`` tells the label which ones no longer do."""
    qualifying = User.objects.filter(is_active=True, groups__name=roles.SCRUTINY_MEMBER)
    wanted = Q(pk__in=qualifying.values("pk"))
    if committee is not None and committee.pk:
        wanted |= Q(pk__in=committee.members.through.objects.filter(committee=committee).values("user_id"))
    return (
        User.objects.filter(wanted)
        .annotate(qualifies=Exists(qualifying.filter(pk=OuterRef("pk"))))
        .order_by("last_name", "first_name", "username")
    )


def _member_label(user: User) -> str:
    name = user.get_full_name() or user.username
    if not getattr(user, "qualifies", True):
        return f"{name} (no longer an active scrutiny member)"
    return name


class CommitteeForm(ShapeOnlyModelForm):
    """A committee's name and the councillors who sit on it. The name's rules (required, unique) are the
    model's, checked by services.committee_create and committee_update."""

    members = forms.ModelMultipleChoiceField(
        label="Members",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select every councillor who sits on the committee.",
        error_messages={
            "invalid_choice": "Choose members from the scrutiny members listed.",
            "invalid_pk_value": "Choose members from the scrutiny members listed.",
        },
    )

    class Meta:
        model = Committee
        fields = ["name", "kind"]
        labels = {"name": "Name of the committee", "kind": "Where the committee sits in two-stage scrutiny"}
        help_texts = {"name": "For example, Adults and Community Wellbeing Scrutiny Committee."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        committee = self.instance if self.instance.pk else None
        # Where it sits in two-stage scrutiny: a form that leaves it out keeps it (a subject committee if new).
        self.fields["kind"].required = False
        members = self.fields["members"]
        members.queryset = _member_choices(committee)
        members.label_from_instance = _member_label
        if committee is not None and not self.is_bound:
            self.initial["members"] = [m.pk for m in committee.members.all()]
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            Field.text("name"),
            Field.radios("kind", small=True),
            Field.checkboxes("members", small=True),
            Submit("submit", "Save committee"),
        )

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or self.instance.kind or Committee.Kind.SUBJECT


class MeetingForm(ShapeOnlyModelForm):
    """A meeting's date and venue; its committee comes from the page it is added on and does not change here."""

    date = GovDateField(label="Date of the meeting", help_text="For example, 10 7 2019.")

    class Meta:
        model = Meeting
        fields = ["date", "venue"]
        labels = {"venue": "Venue (optional)"}
        help_texts = {"venue": "For example, Committee Room One, County Offices, Lincoln."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(Field("date"), Field.text("venue"), Submit("submit", "Save meeting"))


class PackForm(ShapeOnlyModelForm):
    """The cover report, then one "appendix number" box per strategy: a number includes the strategy
    at that place in the pack, a blank box leaves it out. Shape only: the pack's rules (at least one
    appendix) are services.pack_create's and pack_update's, like the model's own validation."""

    report_date = GovDateField(
        label="Date of the report",
        help_text="For example, 30 5 2019. The pack prints each strategy's latest report dated on or before it.",
    )

    class Meta:
        model = ScrutinyPack
        fields = COVER_FIELDS
        labels = {
            "report_to": "Report to",
            "author": "Written by",
            "contact": "Contact details",
            "risks_analysed": "Have risks and impact analysis been carried out?",
            "consultation": "Risks and impact analysis",
            "background_papers": "Background papers",
            "on_behalf_of": "Open report on behalf of",
        }
        help_texts = {
            "report_to": "For example, Overview and Scrutiny Management Board.",
            "contact": "Telephone number or e-mail address readers can use.",
        }
        widgets = {
            **{
                name: forms.Textarea(attrs={"rows": 4})
                for name in ["summary", "actions_required", "background", "conclusion", "consultation"]
            },
            "background_papers": forms.Textarea(attrs={"rows": 3}),
            "risks_analysed": forms.Select(choices=[("unknown", "Not stated"), ("true", "Yes"), ("false", "No")]),
        }

    def __init__(
        self, *args, strategies: list[CommissioningStrategy], current_order: dict[int, int] | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        decision: Any = self.fields["decision"]
        decision.label = "Executive report the pack carries (optional)"
        decision.help_text = (
            "A decision record printed as the pack's Appendix 1; the highlight reports are then its Appendix A."
        )
        decision.empty_label = "None: the pack carries the highlight reports only"
        decision.error_messages["invalid_choice"] = "Choose a decision from the list."
        self.strategies = strategies
        current_order = current_order or {}
        order_fields = []
        for strategy in strategies:
            name = f"{ORDER_PREFIX}{strategy.pk}"
            self.fields[name] = forms.IntegerField(
                label=strategy.name,
                required=False,
                min_value=1,
                max_value=99,
                initial=current_order.get(strategy.pk),
                error_messages={"min_value": f"Enter an appendix number of 1 or more for {strategy.name}."},
            )
            order_fields.append(Field.text(name, field_width=2))
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.MEDIUM
        self.helper.layout = Layout(
            Fieldset(
                Field.text("title"),
                Field.text("report_to"),
                Field("report_date"),
                Field.text("subject"),
                Field.textarea("summary"),
                Field.textarea("actions_required"),
                Field.select("decision"),
                Field.textarea("background"),
                Field.textarea("conclusion"),
                Field.select("risks_analysed"),
                Field.textarea("consultation"),
                Field.textarea("background_papers", rows=3),
                Field.text("on_behalf_of"),
                Field.text("author"),
                Field.text("contact"),
                legend="Cover report",
            ),
            Fieldset(*order_fields, legend="Appendices: give each strategy to include its appendix number"),
            Submit("submit", "Save pack"),
        )

    def cover(self) -> dict:
        return {name: self.cleaned_data[name] for name in COVER_FIELDS if name in self.cleaned_data}

    def clean(self):
        """Appendix numbers give the strategies' order; two strategies cannot share a number."""
        cleaned = super().clean()
        numbers: dict[int, CommissioningStrategy] = {}
        for strategy in self.strategies:
            name = f"{ORDER_PREFIX}{strategy.pk}"
            number = cleaned.get(name)
            if number is None:
                continue
            if number in numbers:
                self.add_error(
                    name, f"Appendix {number} is already given to {numbers[number].name}: choose another number."
                )
            else:
                numbers[number] = strategy
        self.chosen_strategies = [numbers[n] for n in sorted(numbers)]
        return cleaned


class ConclusionForm(forms.Form):
    strategy = forms.ModelChoiceField(
        label="Commissioning strategy",
        queryset=CommissioningStrategy.objects.order_by("name"),
        empty_label="Choose a strategy",
        error_messages={"required": "Choose the strategy the committee considered."},
    )
    text = forms.CharField(
        label="The committee's conclusions",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="As the minutes record them. They appear in the strategy's next highlight report and in later packs.",
        error_messages={"required": "Enter the committee's conclusions."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].queryset = CommissioningStrategy.objects.visible_to(user).order_by("name")
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.select("strategy"), Field.textarea("text"), Submit("submit", "Record conclusions")
        )


class ExemptItemForm(forms.Form):
    """An appendix recorded as exempt information (Schedule 12A): shape only; the rules (reasoning and
    resolution recorded, only councillors excluded, reasons given) are services.appendix_mark_exempt's."""

    paragraph = forms.TypedChoiceField(
        label="Paragraph of Part 1 of Schedule 12A",
        choices=[("", "Choose a paragraph"), *ExemptParagraph.choices],
        coerce=int,
        help_text="The description of exempt information the item falls under.",
        error_messages={
            "required": "Choose the paragraph of Schedule 12A the information falls under (1 to 7).",
            "invalid_choice": "Choose the paragraph of Schedule 12A the information falls under (1 to 7).",
        },
    )
    public_interest_reasoning = forms.CharField(
        label="Public interest test",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Why the public interest in keeping the information exempt outweighs the interest in disclosing it.",
    )
    exclusion_resolution = forms.CharField(
        label="Resolution to exclude the press and public",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="As the meeting resolved it, e.g. under section 100A(4) of the Local Government Act 1972.",
    )
    excluded_members = forms.ModelMultipleChoiceField(
        label="Councillors excluded from the item",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For example, a member with a disclosable pecuniary interest in the item.",
    )
    exclusion_reasons = forms.CharField(
        label="Why they are excluded",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = self.fields["excluded_members"]
        members.queryset = _member_choices(None)
        members.label_from_instance = _member_label
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            Field.select("paragraph"),
            Field.textarea("public_interest_reasoning", rows=4),
            Field.textarea("exclusion_resolution", rows=3),
            Field.checkboxes("excluded_members", small=True),
            Field.textarea("exclusion_reasons", rows=3),
            Submit("submit", "Save as an exempt item"),
        )


class AgendaItemForm(forms.Form):
    """An agenda item: shape only; the rules (a title, a strategy once per agenda, contiguous numbers, printed
    items kept as printed) are services.agenda_item_add's and agenda_item_update's."""

    title = forms.CharField(label="Title", max_length=255, required=False)
    description = forms.CharField(
        label="Purpose (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the committee is asked to do with the item.",
    )
    strategy = forms.ModelChoiceField(
        label="Highlight report considered (optional)",
        queryset=CommissioningStrategy.objects.none(),
        required=False,
        empty_label="None: an item with no highlight report",
        help_text="The item's strategy: its highlight report is an appendix of the meeting's pack.",
        error_messages={"invalid_choice": "Choose a strategy from the list."},
    )
    decision = forms.ModelChoiceField(
        label="Decision record (optional)",
        queryset=Decision.objects.none(),
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose a decision from the list."},
    )
    number = forms.IntegerField(
        label="Item number (optional)",
        required=False,
        min_value=1,
        max_value=99,
        help_text="Its place on the agenda. Leave blank to add it at the end; the items after it move down.",
        error_messages={
            "min_value": "Enter an item number of 1 or more.",
            "invalid": "Enter the item number as a number.",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].queryset = CommissioningStrategy.objects.visible_to(user).order_by("name")
        self.fields["decision"].queryset = Decision.objects.visible_to(user).order_by("reference")
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.text("title"),
            Field.textarea("description", rows=3),
            Field.select("strategy"),
            Field.select("decision"),
            Field.text("number", field_width=2),
            Submit("submit", "Save agenda item"),
        )

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("title", "description", "strategy", "decision")}


class SupplementForm(forms.Form):
    """A supplement's reasons for urgency and its late items: shape only (services.supplement_create says what
    is missing, or already in the pack)."""

    reason_for_urgency = forms.CharField(
        label="Reasons for urgency",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The chair's reasons for considering the late items at the meeting as a matter of urgency "
        "(section 100B(4)(b) of the Local Government Act 1972).",
    )
    strategies = forms.ModelMultipleChoiceField(
        label="Late items",
        queryset=CommissioningStrategy.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Highlight reports not in the pack. They print in agenda order, after the pack's appendices.",
        error_messages={"invalid_choice": "Choose late items from the strategies listed."},
    )

    chair_agreed_by = forms.CharField(
        label="Chair who agreed to the late items",
        required=False,
        max_length=200,
        help_text="Needed before the supplement is published (section 100B(4)(b)).",
    )
    chair_agreed_on = GovDateField(label="Date the chair agreed", required=False)

    def __init__(self, *args, choices: QuerySet[CommissioningStrategy], order: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        strategies = self.fields["strategies"]
        assert isinstance(strategies, forms.ModelMultipleChoiceField)
        strategies.queryset = choices
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            Field.textarea("reason_for_urgency", rows=4),
            Field.text("chair_agreed_by"),
            Field("chair_agreed_on"),
            Field.checkboxes("strategies", small=True),
            Submit("submit", "Save supplement"),
        )

    def chosen_strategies(self) -> list[CommissioningStrategy]:
        """The late items in agenda order (those not on the agenda yet after them, by name)."""
        chosen = list(self.cleaned_data.get("strategies") or [])
        return sorted(chosen, key=lambda s: (self.order.get(s.pk, 10_000), s.name))


# --- Decision records --------------------------------------------------------------------------------------

_ANSWERS = {"True": True, "False": False, "None": None}


def _answer(value):
    return _ANSWERS.get(str(value), value)


def _yes_no(label: str, *, not_stated: bool, message: str = "") -> forms.TypedChoiceField:
    """A yes / no question as GOV.UK radios; ``not_stated`` adds the third answer (stored as blank)."""
    choices: list[tuple[bool | None, str]] = [(True, "Yes"), (False, "No")]
    if not_stated:
        choices.append((None, "Not stated"))
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=_answer,
        empty_value=None,
        required=not not_stated,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message or "Choose one of the answers."},
    )


def _report_label(report: HighlightReport) -> str:
    return f"{report.strategy.name}: {report.period} ({report.get_status_display().lower()})"


class DecisionForm(ShapeOnlyModelForm):
    """A decision record in the order the Executive report prints it: shape only. The rules (a reference of its
    own, a decision date once decided and not before the report, reports of the chosen strategies) are
    services.decision_create's and decision_update's."""

    key_decision = _yes_no("Key decision?", not_stated=False, message="Say whether it is a key decision.")
    report_date = GovDateField(
        label="Date of the report", help_text="The meeting of the decision maker, e.g. 4 6 2019."
    )
    local_member_consulted = _yes_no("Has the local member been consulted?", not_stated=True)
    executive_councillor_consulted = _yes_no("Has the executive councillor been consulted?", not_stated=True)
    risks_analysed = _yes_no("Have risks and impact analysis been carried out?", not_stated=True)
    decided_on = GovDateField(
        label="Date decided (optional until decided)", required=False, help_text="For example, 4 6 2019."
    )
    strategies = forms.ModelMultipleChoiceField(
        label="Commissioning strategies it concerns",
        queryset=CommissioningStrategy.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose strategies from the list.",
            "invalid_pk_value": "Choose strategies from the list.",
        },
    )
    reports = forms.ModelMultipleChoiceField(
        label="Highlight reports it concerns (optional)",
        queryset=HighlightReport.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Reports of the strategies chosen above that have left draft.",
        error_messages={
            "invalid_choice": "Choose reports from the list.",
            "invalid_pk_value": "Choose reports from the list.",
        },
    )

    class Meta:
        model = Decision
        fields = DECISION_FIELDS
        labels = {
            "reference": "Decision reference",
            "decision_maker": "Decision maker",
            "report_to": "Report to",
            "subject": "Subject",
            "on_behalf_of": "Open report on behalf of",
            "alternatives_considered": "Alternatives considered",
            "equality_implications": "Equality Act 2010 (section 149)",
            "jsna_implications": (
                "Joint Strategic Needs Assessment (JSNA) and Joint Health and Wellbeing Strategy (JHWS)"
            ),
            "crime_and_disorder_implications": "Crime and Disorder Act 1998 (section 17)",
            "climate_implications": "Climate and environment (optional)",
            "scrutiny_comments": "Scrutiny comments",
            "consultation": "Risks and impact analysis",
            "background_papers": "Background papers",
            "author": "Written by",
            "contact": "Contact details",
            "outcome": "Outcome",
            "outcome_notes": "The decision as recorded (optional)",
        }
        help_texts = {
            "reference": "As the forward plan gives it, for example I017457.",
            "decision_maker": "For example, Executive, or an Executive Councillor.",
            "report_to": "For example, Executive.",
            "alternatives_considered": "One alternative per line.",
        }
        # Every section of the report is a text box of four rows (the background papers' note, of three).
        widgets = {
            **{
                field.name: forms.Textarea(attrs={"rows": 4})
                for field in Decision._meta.get_fields()
                if isinstance(field, models.TextField) and field.name in DECISION_FIELDS
            },
            "background_papers": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        strategies: Any = self.fields["strategies"]
        strategies.queryset = CommissioningStrategy.objects.visible_to(user).order_by("name")
        reports: Any = self.fields["reports"]
        reports.queryset = (
            HighlightReport.objects.visible_to(user)
            .exclude(status=HighlightReport.Status.DRAFT)
            .select_related("strategy")
            .order_by("strategy__name", "-year", "-quarter")
        )
        reports.label_from_instance = _report_label
        if self.instance.pk and not self.is_bound:
            self.initial["strategies"] = [s.pk for s in self.instance.strategies.all()]
            self.initial["reports"] = [r.pk for r in self.instance.reports.all()]
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.MEDIUM
        small = {"legend_size": Size.SMALL, "small": True}
        self.helper.layout = Layout(
            Fieldset(
                Field.text("reference", field_width=10),
                Field.text("decision_maker"),
                Field.radios("key_decision", inline=True, **small),
                Field.text("report_to"),
                Field("report_date"),
                Field.text("subject"),
                Field.text("on_behalf_of"),
                legend="The decision",
            ),
            Fieldset(
                Field.textarea("summary"),
                Field.textarea("recommendations"),
                Field.textarea("alternatives_considered"),
                Field.textarea("reasons"),
                Field.textarea("background"),
                legend="The report",
            ),
            Fieldset(
                Field.textarea("equality_implications"),
                Field.textarea("jsna_implications"),
                Field.textarea("crime_and_disorder_implications"),
                Field.textarea("climate_implications"),
                Field.textarea("conclusion"),
                Field.textarea("legal_comments"),
                Field.textarea("resource_comments"),
                legend="Legal issues, conclusion and comments",
            ),
            Fieldset(
                Field.radios("local_member_consulted", inline=True, **small),
                Field.radios("executive_councillor_consulted", inline=True, **small),
                Field.textarea("scrutiny_comments"),
                Field.radios("risks_analysed", inline=True, **small),
                Field.textarea("consultation"),
                legend="Consultation",
            ),
            Fieldset(
                Field.textarea("background_papers", rows=3),
                Field.text("author"),
                Field.text("contact"),
                legend="Background papers and author",
            ),
            Fieldset(
                Field.checkboxes("strategies", small=True),
                Field.checkboxes("reports", small=True),
                legend="What it concerns",
            ),
            Fieldset(
                Field.select("outcome"),
                Field("decided_on"),
                Field.textarea("outcome_notes"),
                legend="Outcome",
            ),
            Submit("submit", "Save decision"),
        )


# --- Two-stage scrutiny and recommendations ---


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting.committee} – {meeting.date:%-d %B %Y}"


def _helper(*fields, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    helper.layout = Layout(*fields, Submit("submit", submit))
    return helper


class StageForm(forms.Form):
    """A highlight report's next scrutiny stage: the step and the meeting (the service checks that the meeting's
    committee is of the step's kind and that the stages follow each other in order)."""

    step = forms.ChoiceField(
        label="Stage",
        choices=ScrutinyStage.Step.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the stage."},
    )
    meeting = forms.ModelChoiceField(
        label="Meeting",
        queryset=Meeting.objects.none(),
        empty_label="Choose a meeting",
        help_text="A subject committee's meeting for a subject committee stage, the Management Board's for its "
        "stage, the Executive's for the decision maker's.",
        error_messages={"required": "Choose the meeting.", "invalid_choice": "Choose a meeting from the list."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        meeting = self.fields["meeting"]
        meeting.queryset = Meeting.objects.visible_to(user).select_related("committee").order_by("date", "pk")
        meeting.label_from_instance = _meeting_label
        self.helper = _helper(Field.radios("step"), Field.select("meeting"), submit="Add the stage")


class StageConclusionForm(forms.Form):
    text = forms.CharField(
        label="The committee's conclusions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="As the minutes record them. Leave blank to use the conclusions already recorded at the meeting.",
    )
    concluded_on = GovDateField(
        label="Date of the conclusions", required=False, help_text="For example, 30 5 2019. Blank: the meeting's date."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("text"), Field("concluded_on"), submit="Record the conclusions")


class RecommendationForm(ShapeOnlyModelForm):
    """A committee's recommendation; the rules (a meeting of that committee, a number of its own, dates not
    before the meeting) are services.recommendation_create's and recommendation_update's."""

    reported_on = GovDateField(
        label="Reported to the Executive on",
        required=False,
        help_text="The day the Executive received the committee's report: its response is due within two months.",
    )
    due_date = GovDateField(label="Implementation due", required=False, help_text="For example, 31 3 2020.")

    class Meta:
        model = ScrutinyRecommendation
        fields = RECOMMENDATION_FIELDS
        labels = {"number": "Number in the committee's report", "stage": "Report stage (optional)"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = Committee.objects.visible_to(user).order_by("name")
        meeting = self.fields["meeting"]
        meeting.queryset = Meeting.objects.visible_to(user).select_related("committee").order_by("-date", "pk")
        meeting.label_from_instance = _meeting_label
        self.fields["strategy"].queryset = CommissioningStrategy.objects.visible_to(user).order_by("name")
        stage = self.fields["stage"]
        stage.queryset = (
            ScrutinyStage.objects.visible_to(user)
            .select_related("report__strategy", "meeting__committee")
            .order_by("-meeting__date", "pk")
        )
        stage.label_from_instance = lambda s: f"{s.report.strategy} {s.report.period}: {_meeting_label(s.meeting)}"
        self.helper = _helper(
            Field.select("committee"),
            Field.select("meeting"),
            Field.text("number", field_width=4),
            Field.textarea("text"),
            Field.text("addressed_to"),
            Field.select("strategy"),
            Field.select("stage"),
            Field("reported_on"),
            Field("due_date"),
            submit="Save recommendation",
        )


class RecommendationResponseForm(forms.Form):
    """The Executive's response, with the first action agreed (more are added afterwards)."""

    response = forms.ChoiceField(
        label="The Executive's response",
        choices=[c for c in ScrutinyRecommendation.Response.choices if c[0]],
        widget=forms.RadioSelect,
        required=False,
    )
    response_reasons = forms.CharField(
        label="Reasons",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Needed when the recommendation is partly accepted or rejected.",
    )
    responded_by = forms.CharField(
        label="Response given by", required=False, max_length=150, help_text="For example, Executive."
    )
    responded_on = GovDateField(label="Date of the response", required=False, help_text="For example, 30 7 2019.")
    action_description = forms.CharField(
        label="First action agreed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when the recommendation is accepted or partly accepted.",
    )
    action_owner = forms.CharField(label="Action owner", required=False, max_length=150)
    action_due_date = GovDateField(label="Action due", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("response"),
            Field.textarea("response_reasons"),
            Field.text("responded_by"),
            Field("responded_on"),
            Fieldset(
                Field.textarea("action_description"),
                Field.text("action_owner"),
                Field("action_due_date"),
                legend="Action",
            ),
            submit="Record the response",
        )

    def actions(self) -> list[dict]:
        data = self.cleaned_data
        if not (data.get("action_description") or "").strip():
            return []
        return [
            {
                "description": data["action_description"],
                "owner": data.get("action_owner") or "",
                "due_date": data.get("action_due_date"),
            }
        ]


class RecommendationActionForm(ShapeOnlyModelForm):
    due_date = GovDateField(label="Due", required=False, help_text="For example, 31 12 2019.")

    class Meta:
        model = RecommendationAction
        fields = ACTION_FIELDS
        labels = {"description": "Action", "progress": "Progress (optional)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("description"),
            Field.text("owner"),
            Field("due_date"),
            Field.textarea("progress"),
            submit="Save action",
        )


class ActionCompleteForm(forms.Form):
    completed_on = GovDateField(label="Date completed", required=False, help_text="Blank: today.")
    progress = forms.CharField(
        label="What was done (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("completed_on"), Field.textarea("progress"), submit="Mark as completed")


class RecommendationCloseForm(forms.Form):
    closing_note = forms.CharField(
        label="Closing note", required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text="What was done."
    )
    closed_on = GovDateField(label="Date closed", required=False, help_text="Blank: today.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("closing_note"), Field("closed_on"), submit="Close the recommendation")


class TrackerForm(forms.Form):
    """The quarter a committee's tracker shows."""

    quarter = forms.CharField(label="Quarter", required=False, help_text="For example, Q3 2018/19.")


# --- Forward plan ----------------------------------------------------------------------------------------


_REFERENCES = re.compile(r"[\s,;]+")


def _references(text: str) -> list[str]:
    return [reference for reference in _REFERENCES.split(text or "") if reference]


def _records_by_reference(queryset, text: str, *, what: str) -> list:
    """The records named by their references (separated by commas, spaces or lines, in any case), in the order
    given; a reference that names none of ``queryset`` is refused, naming it."""
    wanted = list(dict.fromkeys(reference.upper() for reference in _references(text)))
    if not wanted:
        return []
    any_of = Q()
    for reference in wanted:
        any_of |= Q(reference__iexact=reference)
    found = {record.reference.upper(): record for record in queryset.filter(any_of)}
    missing = [reference for reference in wanted if reference not in found]
    if missing:
        raise forms.ValidationError(f"There is no {what} with the reference {', '.join(missing)}.")
    return [found[reference] for reference in wanted]


class ForwardPlanEntryForm(ShapeOnlyModelForm):
    """A forward plan entry as the published plan prints it, with the route taken when notice is short. Shape
    only: the notice rule (28 clear days, or the general exception or special urgency with their reasons) is
    services.forward_plan_notice_errors's."""

    key_decision = _yes_no("Is it a key decision?", not_stated=False, message="Say whether it is a key decision.")
    decision_due = GovDateField(label="Date of decision", help_text="For example, 4 6 2019.")
    first_published = GovDateField(
        label="Date first published (optional)",
        required=False,
        help_text="When the entry first appeared on the plan; today if left blank.",
    )
    chair_informed_on = GovDateField(
        label="Date the overview and scrutiny chair was told in writing",
        required=False,
        help_text="General exception: at least 5 clear days before the decision.",
    )
    urgency_agreed_on = GovDateField(label="Date the urgency was agreed", required=False)
    exempt = _yes_no(
        "Does it contain exempt information?", not_stated=False, message="Say whether it contains exempt information."
    )
    exempt_paragraph = forms.TypedChoiceField(
        label="Paragraph of Schedule 12A (exempt items only)",
        choices=[("", "Not exempt"), *ExemptParagraph.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    directorate = forms.ModelChoiceField(
        label="Directorate (optional)",
        queryset=Directorate.objects.order_by("name"),
        required=False,
        empty_label="Council-wide",
    )
    contracts = forms.CharField(
        label="Contracts whose re-procurement decision it carries (optional)",
        required=False,
        help_text="Their references, separated by commas.",
    )
    projects = forms.CharField(
        label="Procurement projects it concerns (optional)",
        required=False,
        help_text="Their references, separated by commas.",
    )
    strategies = forms.ModelMultipleChoiceField(
        label="Commissioning strategies it concerns (optional)",
        queryset=CommissioningStrategy.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose strategies from the list.",
            "invalid_pk_value": "Choose strategies from the list.",
        },
    )

    class Meta:
        model = ForwardPlanEntry
        fields = FORWARD_PLAN_FIELDS
        labels = {
            "reference": "Decision reference",
            "title": "Matter for decision",
            "description": "What the decision is about (optional)",
            "decision_maker": "Decision maker",
            "notice_route": "Notice route",
            "urgency_reasons": "Reasons notice is short (general exception and special urgency)",
            "urgency_agreed_by": "Who agreed the decision is urgent (special urgency)",
            "documents": "Documents to be submitted to the decision maker (optional)",
            "consultation": "How and when to make representations (optional)",
            "contact_officer": "Contact officer (optional)",
        }
        help_texts = {
            "reference": "For example, I017457.",
            "decision_maker": "For example, Executive, or an Executive Councillor.",
            "urgency_agreed_by": "The chair of the relevant overview and scrutiny committee, or the chair or "
            "vice-chair of the council.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "urgency_reasons": forms.Textarea(attrs={"rows": 4}),
            "documents": forms.Textarea(attrs={"rows": 2}),
            "consultation": forms.Textarea(attrs={"rows": 3}),
            "notice_route": forms.RadioSelect,
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        strategies: Any = self.fields["strategies"]
        strategies.queryset = CommissioningStrategy.objects.visible_to(user).order_by("name")
        if self.instance.pk and not self.is_bound:
            self.initial["contracts"] = ", ".join(c.reference for c in self.instance.contracts.order_by("reference"))
            self.initial["projects"] = ", ".join(p.reference for p in self.instance.projects.order_by("reference"))
            self.initial["strategies"] = [s.pk for s in self.instance.strategies.all()]
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.MEDIUM
        small = {"legend_size": Size.SMALL, "small": True}
        self.helper.layout = Layout(
            Fieldset(
                Field.text("reference", field_width=10),
                Field.text("title"),
                Field.textarea("description"),
                Field.text("decision_maker"),
                Field.radios("key_decision", inline=True, **small),
                Field.select("directorate"),
                Field("decision_due"),
                Field("first_published"),
                legend="The decision",
            ),
            Fieldset(
                Field.radios("notice_route", **small),
                Field.textarea("urgency_reasons"),
                Field("chair_informed_on"),
                Field.text("urgency_agreed_by"),
                Field("urgency_agreed_on"),
                legend="Notice",
            ),
            Fieldset(
                Field.radios("exempt", inline=True, **small),
                Field.select("exempt_paragraph"),
                Field.textarea("documents"),
                Field.textarea("consultation"),
                Field.text("contact_officer"),
                legend="Documents, representations and contact",
            ),
            Fieldset(
                Field.text("contracts"),
                Field.text("projects"),
                Field.checkboxes("strategies", small=True),
                legend="What it concerns",
            ),
            Submit("submit", "Save entry"),
        )

    def clean_contracts(self) -> list[Contract]:
        return _records_by_reference(
            Contract.objects.visible_to(self.user), self.cleaned_data.get("contracts", ""), what="contract"
        )

    def clean_projects(self) -> list[ProcurementProject]:
        return _records_by_reference(
            ProcurementProject.objects.visible_to(self.user),
            self.cleaned_data.get("projects", ""),
            what="procurement project",
        )


class ForwardPlanProgressForm(forms.Form):
    """What became of a decision on the plan: decided (its decision record), deferred (to a new date) or
    withdrawn. Shape only: the moves and the notice for a new date are the services'."""

    status = forms.ChoiceField(
        label="What happened?",
        choices=[
            (ForwardPlanEntry.Status.DECIDED, "Decided: link its decision record"),
            (ForwardPlanEntry.Status.DEFERRED, "Deferred to a later date"),
            (ForwardPlanEntry.Status.WITHDRAWN, "Withdrawn from the plan"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened to the decision."},
    )
    decision = forms.ModelChoiceField(
        label="Decision record (decided)",
        queryset=Decision.objects.none(),
        required=False,
        empty_label="Choose the decision record",
    )
    decision_due = GovDateField(label="New date of decision (deferred)", required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        decision: Any = self.fields["decision"]
        decision.queryset = Decision.objects.visible_to(user).filter(forward_plan_entry__isnull=True)
        decision.label_from_instance = lambda d: f"{d.reference}: {d.subject} ({d.get_outcome_display().lower()})"
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            Field.radios("status", legend_size=Size.SMALL),
            Field.select("decision"),
            Field("decision_due"),
            Submit("submit", "Record what happened"),
        )

    def clean(self):
        data = super().clean()
        if data.get("status") == ForwardPlanEntry.Status.DECIDED and not data.get("decision"):
            self.add_error("decision", "Choose the decision record of the decision taken.")
        if data.get("status") == ForwardPlanEntry.Status.DEFERRED and not data.get("decision_due"):
            self.add_error("decision_due", "Enter the new date of decision as day, month and year")
        return data
