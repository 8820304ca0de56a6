"""API shapes of contract returns: the output serializer and the submission's input (the request's shape only;
the rules are oversight.returns')."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from .models import ContractReturn, Rag, ReturnFinding


class ReturnFindingSerializer(serializers.ModelSerializer):
    severity = serializers.ChoiceField(choices=ReturnFinding.Severity.choices, read_only=True, allow_blank=True)

    class Meta:
        model = ReturnFinding
        fields = ["kind", "severity", "text"]
        read_only_fields = fields


class ContractReturnSerializer(serializers.ModelSerializer):
    contract_reference = serializers.CharField(source="contract.reference", read_only=True)
    status = serializers.SerializerMethodField()
    jet_descriptor = serializers.CharField(read_only=True)
    grade = serializers.CharField(
        read_only=True, help_text="The rolled-up grade of the JET score ('' until submitted)."
    )
    findings = ReturnFindingSerializer(many=True, read_only=True)

    risk_rating = serializers.ChoiceField(choices=Rag.choices, read_only=True, allow_blank=True)

    class Meta:
        model = ContractReturn
        fields = [
            "id",
            "contract",
            "contract_reference",
            "frequency",
            "period_start",
            "period_end",
            "due_on",
            "status",
            "submitted_on",
            "submitted_by",
            "risk_rating",
            "jet_score",
            "jet_descriptor",
            "grade",
            "kpi_descriptor",
            "commentary",
            "findings",
            "chased_on",
            "chase_count",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["due", "overdue", "submitted"]))
    def get_status(self, obj: ContractReturn) -> str:
        if obj.is_submitted:
            return "submitted"
        return "overdue" if obj.is_overdue() else "due"


class ReturnFindingInputSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="strength or weakness.")
    severity = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="minor, moderate or major: a weakness's only."
    )
    text = serializers.CharField(allow_blank=True)


@extend_schema_serializer(component_name="ContractReturnSubmit")
class ContractReturnSubmitSerializer(serializers.Serializer):
    """A return's submission: the RAG risk rating, the JET score and the strengths and weaknesses."""

    risk_rating = serializers.CharField(allow_blank=True, help_text="red, amber or green.")
    jet_score = serializers.IntegerField(allow_null=True, help_text="1 (Poor) to 9 (Exceptional).")
    commentary = serializers.CharField(required=False, allow_blank=True, default="")
    findings = ReturnFindingInputSerializer(many=True, required=False, default=list)
