"""API shapes of contract performance notices: the output serializer (what a read shows) and one input
serializer per write (the request's shape only; the rules are oversight.notices')."""

from rest_framework import serializers

from providers.serializers import VisibleRecordField

from .models import ContractBreach, ContractPerformanceNotice, PerformanceAssessment


class ContractPerformanceNoticeSerializer(serializers.ModelSerializer):
    contract_reference = serializers.CharField(source="contract.reference")
    content = serializers.JSONField(
        help_text="The regulation 39 fields, fixed at approval (empty while a draft): contractingAuthority, "
        "contract, supplier, period, and kpis (each with its rating) or breach."
    )

    class Meta:
        model = ContractPerformanceNotice
        fields = [
            "id",
            "contract",
            "contract_reference",
            "kind",
            "assessment",
            "breach",
            "period_start",
            "period_end",
            "status",
            "due_on",
            "content",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "published_by",
            "published_at",
            "cdp_notice_id",
        ]
        read_only_fields = fields


class ContractPerformanceNoticeCreateSerializer(serializers.Serializer):
    """Draft a notice from a completed assessment (section 71(2)) or from a breach (section 71(5)): one of the two."""

    assessment = VisibleRecordField(
        queryset=PerformanceAssessment.objects.all(), required=False, help_text="A completed assessment."
    )
    breach = VisibleRecordField(
        queryset=ContractBreach.objects.all(), required=False, help_text="A breach that needs a section 71(5) notice."
    )

    def validate(self, attrs):
        if bool(attrs.get("assessment")) == bool(attrs.get("breach")):
            raise serializers.ValidationError(
                {"assessment": ["Give either the assessment or the breach the notice is of, not both."]}
            )
        return attrs


class NoActionInputSerializer(serializers.Serializer):
    """Approve and publish take no body."""


class CdpNoticeIdSerializer(serializers.Serializer):
    cdp_notice_id = serializers.CharField(
        max_length=100, help_text="The notice's identifier on the Central Digital Platform (recorded once)."
    )
