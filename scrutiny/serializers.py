"""API shapes of committees, meetings, conclusions and report packs: per write an input serializer (shape
only) and an output serializer. The rules are the services', so the page and the API refuse alike."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commissioning import permissions
from contracts.models import Contract, ProcurementProject
from strategies.models import CommissioningStrategy, HighlightReport
from strategies.serializers import ServiceInputSerializer

from .models import (
    AgendaItem,
    Committee,
    Decision,
    ForwardPlanEntry,
    Meeting,
    PackRevision,
    PackSupplement,
    RecommendationAction,
    ScrutinyConclusion,
    ScrutinyPack,
    ScrutinyRecommendation,
    ScrutinyStage,
)
from .selectors import notice_clear_days, notice_given
from .services import ACTION_FIELDS, COVER_FIELDS, DECISION_FIELDS, FORWARD_PLAN_FIELDS, RECOMMENDATION_FIELDS


class CommitteeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Committee
        fields = ["id", "name", "kind"]


class AgendaItemSerializer(serializers.ModelSerializer):
    """An item of a meeting's agenda, in order; a late item names the supplement that prints it."""

    supplement = serializers.SerializerMethodField(help_text="The number of the supplement that prints a late item.")

    class Meta:
        model = AgendaItem
        fields = ["number", "title", "description", "strategy", "decision", "late", "supplement"]
        read_only_fields = fields

    def get_supplement(self, item) -> int | None:
        return item.supplement.number if item.supplement_id and item.supplement else None


class MeetingSerializer(serializers.ModelSerializer):
    committee_name = serializers.CharField(source="committee.name", read_only=True)
    agenda = serializers.SerializerMethodField(help_text="The agenda as the reader may see it, in order.")

    class Meta:
        model = Meeting
        fields = ["id", "committee", "committee_name", "date", "venue", "agenda"]

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda(self, meeting) -> list:
        items = getattr(meeting, "visible_agenda", None)  # prefetched by the viewset
        if items is None:
            return []
        return list(AgendaItemSerializer(items, many=True).data)


class ScrutinyConclusionInputSerializer(ServiceInputSerializer):
    """A committee's conclusions as a client records them (the service says when the text is missing)."""

    text = serializers.CharField(required=False, allow_blank=True, default="", help_text="As the minutes record them.")

    class Meta:
        model = ScrutinyConclusion
        fields = ["strategy", "meeting", "text"]


class ScrutinyConclusionSerializer(serializers.ModelSerializer):
    meeting_date = serializers.DateField(source="meeting.date", read_only=True)
    committee_name = serializers.CharField(source="meeting.committee.name", read_only=True)

    class Meta:
        model = ScrutinyConclusion
        fields = ["id", "strategy", "meeting", "meeting_date", "committee_name", "text", "recorded_by"]
        read_only_fields = fields


class ScrutinyPackInputSerializer(ServiceInputSerializer):
    """A pack's cover report and the strategies appended, in order. At least one appendix; a pack stays at its
    meeting; a published pack is not changed (the service checks)."""

    strategies = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=CommissioningStrategy.objects.all(),
        required=False,
        help_text="The strategies whose highlight reports are appended, in order. Left out of a new pack: the "
        "meeting's agenda's, in agenda order.",
    )

    class Meta:
        model = ScrutinyPack
        fields = ["meeting", *COVER_FIELDS, "strategies"]


class PackRevisionSerializer(serializers.ModelSerializer):
    """A published revision of a pack: fixed once published."""

    superseded = serializers.BooleanField(help_text="A later revision has been published.")
    download_url = serializers.CharField(source="get_download_url", help_text="The revision's PDF.")

    class Meta:
        model = PackRevision
        fields = ["number", "sha256", "page_count", "published_at", "change_note", "superseded", "download_url"]
        read_only_fields = fields


class PackSupplementSerializer(serializers.ModelSerializer):
    """A supplement to a pack: late items whose pages and appendices continue the pack's."""

    strategies = serializers.SerializerMethodField(help_text="The late items' strategies, in order.")
    last_page = serializers.IntegerField(allow_null=True, help_text="Its last printed page number.")
    download_url = serializers.SerializerMethodField(help_text="The supplement's PDF, once rendered.")

    class Meta:
        model = PackSupplement
        fields = [
            "number",
            "status",
            "reason_for_urgency",
            "strategies",
            "render_status",
            "page_count",
            "first_page",
            "last_page",
            "published_at",
            "sha256",
            "download_url",
        ]
        read_only_fields = fields

    def get_strategies(self, supplement) -> list[int]:
        return [item.strategy_id for item in sorted(supplement.items.all(), key=lambda i: (i.order, i.pk))]

    def get_download_url(self, supplement) -> str | None:
        if supplement.is_frozen or supplement.render_status == PackSupplement.RenderStatus.READY:
            return supplement.get_download_url()
        return None


class ScrutinyPackSerializer(serializers.ModelSerializer):
    """A report pack: cover report fields and the strategies appended, in order."""

    strategies = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(read_only=True),
        read_only=True,
        help_text="The strategies whose highlight reports are appended, in order.",
    )
    file_url = serializers.SerializerMethodField(
        help_text="The PDF: the latest published revision's for readers, the working render for those who "
        "prepare packs."
    )
    revisions = serializers.SerializerMethodField(help_text="Published revisions, newest first.")
    supplements = serializers.SerializerMethodField(
        help_text="Supplements (late items), in order: published ones for readers, drafts too for those who "
        "prepare packs."
    )

    class Meta:
        model = ScrutinyPack
        fields = [
            "id",
            "meeting",
            *COVER_FIELDS,
            "strategies",
            "status",
            "render_status",
            "progress_done",
            "progress_total",
            "page_count",
            "generated_at",
            "published_at",
            "file_url",
            "revisions",
            "supplements",
        ]
        read_only_fields = fields

    def _revisions(self, pack) -> list[PackRevision]:
        revisions = sorted(pack.revisions.all(), key=lambda r: -r.number)  # prefetched by the viewset
        for position, revision in enumerate(revisions):
            revision.superseded = position > 0
        return revisions

    def _prepares_packs(self) -> bool:
        request = self.context.get("request")
        return request is not None and permissions.may(request.user, "scrutiny.change_scrutinypack")

    def get_file_url(self, pack) -> str | None:
        if self._prepares_packs():
            return pack.file.url if pack.file else None
        revisions = self._revisions(pack)
        if revisions:
            return revisions[0].get_download_url()
        return pack.file.url if pack.file and pack.status == ScrutinyPack.Status.PUBLISHED else None

    @extend_schema_field(PackRevisionSerializer(many=True))
    def get_revisions(self, pack) -> list:
        return list(PackRevisionSerializer(self._revisions(pack), many=True).data)

    @extend_schema_field(PackSupplementSerializer(many=True))
    def get_supplements(self, pack) -> list:
        supplements = getattr(pack, "visible_supplements", None)  # prefetched by the viewset, visible_to the reader
        if supplements is None:
            return []
        return list(PackSupplementSerializer(supplements, many=True).data)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Appendix order, from the prefetched appendices (not the unordered many-to-many).
        data["strategies"] = [a.strategy_id for a in instance.appendices.all()]
        return data


class RenderStatusSerializer(serializers.ModelSerializer):
    """Where a pack's background rendering stands; poll until ``ready`` or ``failed``."""

    file_url = serializers.SerializerMethodField()

    class Meta:
        model = ScrutinyPack
        fields = ["id", "render_status", "render_error", "progress_done", "progress_total", "page_count", "file_url"]

    def get_file_url(self, pack) -> str | None:
        return pack.file.url if pack.file else None


class RenderRequestSerializer(serializers.Serializer):
    force = serializers.BooleanField(default=False, help_text="Render again even if nothing changed.")


class PackPublishInputSerializer(serializers.Serializer):
    """Publishing a pack: a revision after the first says what changed; a first publication fewer than five
    clear days before the meeting says why it is late."""

    change_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    late_publication_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


# --- Decision records ------------------------------------------------------------------------------------


class DecisionRecordInputSerializer(ServiceInputSerializer):
    """A decision record as a client writes it, in the order the Executive report prints it, with the strategies
    and highlight reports it concerns. The service checks the rest: a reference of its own, a decision date once
    the outcome is not pending (not before the report's date, and none while pending), reports that have left
    draft and belong to the decision's strategies."""

    strategies = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=CommissioningStrategy.objects.all(),
        required=False,
        help_text="The commissioning strategies it concerns (their highlight reports are the report's Appendix A).",
    )
    reports = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=HighlightReport.objects.all(),
        required=False,
        help_text="The highlight reports it concerns: reports of its strategies that have left draft.",
    )

    class Meta:
        model = Decision
        fields = [*DECISION_FIELDS, "strategies", "reports"]


class DecisionRecordOutcomeInputSerializer(serializers.Serializer):
    """What the decision maker decided and when (a decision that is not pending has a date)."""

    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices)
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)
    outcome_notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class DecisionRecordPackSerializer(serializers.ModelSerializer):
    """A pack that carries the decision's report as its Appendix 1."""

    meeting_date = serializers.DateField(source="meeting.date", read_only=True)

    class Meta:
        model = ScrutinyPack
        fields = ["id", "title", "status", "meeting", "meeting_date"]
        read_only_fields = fields


class DecisionRecordSerializer(serializers.ModelSerializer):
    """A decision record: the Executive report's sections, its outcome, what it concerns and the packs (that the
    reader may open) carrying it."""

    strategies = serializers.SerializerMethodField(help_text="IDs of the strategies it concerns, by name.")
    reports = serializers.SerializerMethodField(help_text="IDs of the highlight reports it concerns that you may read.")
    packs = serializers.SerializerMethodField(help_text="The packs you may open that carry it.")

    class Meta:
        model = Decision
        fields = ["id", *DECISION_FIELDS, "strategies", "reports", "packs", "created_at", "updated_at"]
        read_only_fields = fields

    def get_strategies(self, decision) -> list[int]:
        return [s.pk for s in sorted(decision.strategies.all(), key=lambda s: s.name)]  # prefetched by the viewset

    def get_reports(self, decision) -> list[int]:
        return [r.pk for r in getattr(decision, "visible_reports", [])]

    @extend_schema_field(DecisionRecordPackSerializer(many=True))
    def get_packs(self, decision) -> list:
        return list(DecisionRecordPackSerializer(getattr(decision, "visible_packs", []), many=True).data)


# --- Two-stage scrutiny and recommendations ---


class ScrutinyStageSerializer(serializers.ModelSerializer):
    """A step of a highlight report's two-stage scrutiny, with its meeting and (once recorded) its conclusions."""

    committee = serializers.IntegerField(source="meeting.committee_id", read_only=True)
    committee_name = serializers.CharField(source="meeting.committee.name", read_only=True)
    meeting_date = serializers.DateField(source="meeting.date", read_only=True)
    conclusions = serializers.SerializerMethodField(help_text="The committee's conclusions, once recorded.")

    class Meta:
        model = ScrutinyStage
        fields = [
            "id",
            "report",
            "step",
            "meeting",
            "committee",
            "committee_name",
            "meeting_date",
            "conclusion",
            "conclusions",
            "concluded_on",
        ]
        read_only_fields = fields

    def get_conclusions(self, stage) -> str:
        return stage.conclusion.text if stage.conclusion_id and stage.conclusion else ""


class RecommendationActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecommendationAction
        fields = ["id", *ACTION_FIELDS, "completed_on"]
        read_only_fields = fields


class ScrutinyRecommendationInputSerializer(ServiceInputSerializer):
    """A recommendation as a client writes it (the service checks that the meeting is the committee's, that the
    number is its own in that report, and the dates; it works out ``response_due``)."""

    class Meta:
        model = ScrutinyRecommendation
        fields = RECOMMENDATION_FIELDS


class ScrutinyRecommendationSerializer(serializers.ModelSerializer):
    """A recommendation with the Executive's response, its actions and where it stands."""

    committee_name = serializers.CharField(source="committee.name", read_only=True)
    meeting_date = serializers.DateField(source="meeting.date", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text="No response, and past the response due date.")
    actions = RecommendationActionSerializer(many=True, read_only=True)

    class Meta:
        model = ScrutinyRecommendation
        fields = [
            "id",
            *RECOMMENDATION_FIELDS,
            "committee_name",
            "meeting_date",
            "response_due",
            "response",
            "response_reasons",
            "responded_by",
            "responded_on",
            "status",
            "is_overdue",
            "actions",
            "closed_on",
            "closing_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RecommendationActionInputSerializer(serializers.Serializer):
    description = serializers.CharField(allow_blank=True, max_length=5000)
    owner = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class RecommendationRespondInputSerializer(serializers.Serializer):
    """The Executive's response (the service checks the rules: reasons when partly accepted or rejected, at least
    one action when accepted, a date not before the report reached the Executive and not in the future)."""

    response = serializers.ChoiceField(choices=[c for c in ScrutinyRecommendation.Response.choices if c[0]])
    response_reasons = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    responded_by = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    responded_on = serializers.DateField(required=False, allow_null=True, default=None)
    actions = RecommendationActionInputSerializer(many=True, required=False, default=list)


class RecommendationCloseInputSerializer(serializers.Serializer):
    closing_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    closed_on = serializers.DateField(required=False, allow_null=True, default=None)


# --- Forward plan ----------------------------------------------------------------------------------------


class ForwardPlanEntryInputSerializer(ServiceInputSerializer):
    """A forward plan entry as a client writes it. The service checks the rest: a reference of its own; a key
    decision on fewer than 28 clear days' notice (first_published, today if not given, to decision_due) taken
    under the general exception (urgency_reasons; chair_informed_on at least 5 clear days before) or special
    urgency (urgency_reasons, urgency_agreed_by, urgency_agreed_on), and on 28 or more the notice route; an
    exempt item's Schedule 12A paragraph; contracts with a re-procurement decision recorded."""

    contracts = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Contract.objects.all(),
        required=False,
        help_text="The contracts whose re-procurement decision it carries.",
    )
    projects = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=ProcurementProject.objects.all(),
        required=False,
        help_text="The procurement projects it concerns.",
    )
    strategies = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=CommissioningStrategy.objects.all(),
        required=False,
        help_text="The commissioning strategies it concerns.",
    )

    class Meta:
        model = ForwardPlanEntry
        fields = [*FORWARD_PLAN_FIELDS, "contracts", "projects", "strategies"]


class ForwardPlanDeferInputSerializer(serializers.Serializer):
    """The new date of a deferred decision (after the current one; the notice is checked for it)."""

    decision_due = serializers.DateField()


class ForwardPlanDecisionInputSerializer(serializers.Serializer):
    """The decision record of the entry's decision; the entry's status follows its outcome."""

    decision = serializers.PrimaryKeyRelatedField(queryset=Decision.objects.all())


class ForwardPlanEntrySerializer(serializers.ModelSerializer):
    """A forward plan entry with the notice it gives: ``clear_days`` between first publication and the date of
    decision (the day of each left out), and ``notice_given``, whether that is the 28 of regulation 9."""

    directorate_name = serializers.CharField(source="directorate.name", read_only=True, allow_null=True)
    decision_reference = serializers.CharField(source="decision.reference", read_only=True, allow_null=True)
    clear_days = serializers.SerializerMethodField(
        help_text="Clear days between the date first published and the date of decision (null if unpublished)."
    )
    notice_given = serializers.SerializerMethodField(
        help_text="Whether 28 clear days' notice was given (regulation 9)."
    )
    contracts = serializers.SerializerMethodField(help_text="IDs of the contracts it carries that you may see.")
    projects = serializers.SerializerMethodField(help_text="IDs of the procurement projects that you may see.")
    strategies = serializers.SerializerMethodField(help_text="IDs of the strategies it concerns.")

    class Meta:
        model = ForwardPlanEntry
        fields = [
            "id",
            *FORWARD_PLAN_FIELDS,
            "directorate_name",
            "status",
            "decision",
            "decision_reference",
            "clear_days",
            "notice_given",
            "contracts",
            "projects",
            "strategies",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_clear_days(self, entry) -> int | None:
        return notice_clear_days(entry)

    def get_notice_given(self, entry) -> bool:
        return notice_given(entry)

    def get_contracts(self, entry) -> list[int]:
        return [c.pk for c in getattr(entry, "visible_contracts", [])]  # prefetched by the viewset

    def get_projects(self, entry) -> list[int]:
        return [p.pk for p in getattr(entry, "visible_projects", [])]

    def get_strategies(self, entry) -> list[int]:
        return [s.pk for s in entry.strategies.all()]
