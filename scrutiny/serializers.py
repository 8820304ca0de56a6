"""API shapes of committees, meetings, conclusions and report packs: per write an input serializer (shape
only) and an output serializer. The rules are the services', so the page and the API refuse alike."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commissioning import permissions
from strategies.models import CommissioningStrategy
from strategies.serializers import ServiceInputSerializer

from .models import Committee, Meeting, PackRevision, ScrutinyConclusion, ScrutinyPack
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


class PackRevisionSerializer(serializers.ModelSerializer):
    """A published revision of a pack: fixed once published."""

    superseded = serializers.BooleanField(help_text="A later revision has been published.")
    download_url = serializers.CharField(source="get_download_url", help_text="The revision's PDF.")

    class Meta:
        model = PackRevision
        fields = ["number", "sha256", "page_count", "published_at", "change_note", "superseded", "download_url"]
        read_only_fields = fields


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
    """Publishing a pack: a revision after the first says what changed."""

    change_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
