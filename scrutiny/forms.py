"""Forms for committees, meetings, packs and conclusions: shape only, the rules live in the services."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from commissioning import roles
from commissioning.forms import GovDateField
from commissioning.models import User
from strategies.forms import ShapeOnlyModelForm
from strategies.models import CommissioningStrategy

from .models import Committee, ExemptParagraph, Meeting, ScrutinyPack
from .services import COVER_FIELDS

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
        fields = ["name"]
        labels = {"name": "Name of the committee"}
        help_texts = {"name": "For example, Adults and Community Wellbeing Scrutiny Committee."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        committee = self.instance if self.instance.pk else None
        members = self.fields["members"]
        members.queryset = _member_choices(committee)
        members.label_from_instance = _member_label
        if committee is not None and not self.is_bound:
            self.initial["members"] = [m.pk for m in committee.members.all()]
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            Field.text("name"), Field.checkboxes("members", small=True), Submit("submit", "Save committee")
        )


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
