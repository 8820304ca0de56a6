"""API shapes of committees, meetings, conclusions and report packs: per write an input serializer (shape
only) and an output serializer. The rules are the services', so the page and the API refuse alike."""

from rest_framework import serializers

from strategies.models import CommissioningStrategy
from strategies.serializers import ServiceInputSerializer

from .models import Committee, Meeting, ScrutinyConclusion, ScrutinyPack
from .services import COVER_FIELDS


class CommitteeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Committee
        fields = ["id", "name"]


class MeetingSerializer(serializers.ModelSerializer):
    committee_name = serializers.CharField(source="committee.name", read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "committee", "committee_name", "date", "venue"]


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
        help_text="The strategies whose highlight reports are appended, in order.",
    )

    class Meta:
        model = ScrutinyPack
        fields = ["meeting", *COVER_FIELDS, "strategies"]


class ScrutinyPackSerializer(serializers.ModelSerializer):
    """A report pack: cover report fields and the strategies appended, in order."""

    strategies = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(read_only=True),
        read_only=True,
        help_text="The strategies whose highlight reports are appended, in order.",
    )
    file_url = serializers.SerializerMethodField(help_text="The PDF, once rendered.")

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
        ]
        read_only_fields = fields

    def get_file_url(self, pack) -> str | None:
        return pack.file.url if pack.file else None

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
