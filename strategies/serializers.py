"""API shapes of strategies, outcomes and highlight reports. Shape only: the rules live in services."""

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from .models import CommissioningStrategy, HighlightReport, Outcome
from .selectors import EDITABLE_FIELDS


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A strategy",
            value={
                "name": "Carers",
                "directorate": 1,
                "purpose": "The purpose of this commissioning strategy is to support adult carers.",
                "sponsor": "Executive Director of Adult Care and Community Wellbeing",
                "commissioning_lead": None,
                "lead_officer": "",
                "stage_analyse": False,
                "stage_plan": False,
                "stage_do": True,
                "stage_review": True,
                "summary": "Carers are supported to care for as long as they wish to.",
                "needs_established": "Joint Strategic Needs Assessment and the carers' survey.",
                "period_start": "2018-04-01",
                "period_end": "2021-03-31",
            },
            request_only=True,
        )
    ]
)
class StrategySerializer(serializers.ModelSerializer):
    directorate_name = serializers.CharField(source="directorate.name", read_only=True)
    stages = serializers.ListField(child=serializers.CharField(), read_only=True, help_text='e.g. ["Do", "Review"]')
    latest_report = serializers.IntegerField(
        source="latest_report_id", read_only=True, allow_null=True, help_text="ID of the latest highlight report."
    )
    latest_rag = serializers.CharField(read_only=True, allow_null=True, help_text="RAG of the latest report.")

    class Meta:
        model = CommissioningStrategy
        fields = [
            "id",
            "name",
            "directorate",
            "directorate_name",
            "purpose",
            "sponsor",
            "commissioning_lead",
            "lead_officer",
            "stage_analyse",
            "stage_plan",
            "stage_do",
            "stage_review",
            "stages",
            "summary",
            "needs_established",
            "period_start",
            "period_end",
            "latest_report",
            "latest_rag",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["id", "strategy", "order", "title", "description"]


class HighlightReportSerializer(serializers.ModelSerializer):
    """A highlight report. ``version`` goes up on every save: send it back (or If-Match) to update."""

    strategy_name = serializers.CharField(source="strategy.name", read_only=True)
    period = serializers.CharField(read_only=True, help_text='The financial quarter, e.g. "Q3 2018/19".')
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="On update: the version you read. Refused with 409 if the report has changed since.",
    )

    class Meta:
        model = HighlightReport
        fields = [
            "id",
            "strategy",
            "strategy_name",
            "year",
            "quarter",
            "period",
            "status",
            "version",
            *EDITABLE_FIELDS,
            "board_comments",
            "scrutiny_meeting",
            "decision_reference",
            "decision_date",
            "updated_at",
        ]
        read_only_fields = [
            "strategy",
            "year",
            "quarter",
            "status",
            "board_comments",
            "scrutiny_meeting",
            "decision_reference",
            "decision_date",
            "updated_at",
        ]
        # The quarter's own rules (report date inside the quarter, comment for Red/Amber) are the service's.
        validators: list = []


class HighlightReportCreateSerializer(serializers.Serializer):
    """Start the next quarter's draft of a strategy (or the quarter given), copying the latest narrative."""

    strategy = serializers.PrimaryKeyRelatedField(queryset=CommissioningStrategy.objects.all())
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="2018 is 2018/19.")
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4)

    def validate(self, attrs):
        if ("year" in attrs) != ("quarter" in attrs):
            raise serializers.ValidationError({"quarter": "Give both the year and the quarter, or neither."})
        return attrs


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text='The version you read (or send If-Match: "<version>").'
    )


class BoardReviewSerializer(VersionSerializer):
    board_comments = serializers.CharField(allow_blank=True)


def _meetings():
    # Scrutiny sits above strategies: its Meeting model is reached through the report's FK, never imported.
    return HighlightReport._meta.get_field("scrutiny_meeting").related_model.objects.all()


class ScrutinyConsideredSerializer(VersionSerializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=_meetings())
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ApproveSerializer(VersionSerializer):
    decision_reference = serializers.CharField(help_text="Executive decision reference, e.g. I017457.")
    decision_date = serializers.DateField()


class ReturnSerializer(VersionSerializer):
    reason = serializers.CharField(allow_blank=True)
