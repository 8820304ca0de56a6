"""API shapes of contract alerts and users' own alert rules: output serializers (what a read shows) and the
rule's input serializer (the request's shape only; the rules are oversight.alerts')."""

from rest_framework import serializers

from contracts.models import Contract
from providers.serializers import VisibleRecordField

from .models import ContractAlert, ContractAlertRule


class ContractAlertSerializer(serializers.ModelSerializer):
    """An alert raised on a contract: statutory (to its manager and backup) or the user's own (``rule``)."""

    contract_reference = serializers.CharField(source="contract.reference", read_only=True)
    acknowledged = serializers.SerializerMethodField()
    acknowledged_by = serializers.SerializerMethodField()
    escalated_to = serializers.SerializerMethodField()

    class Meta:
        model = ContractAlert
        fields = [
            "id",
            "contract",
            "contract_reference",
            "kind",
            "statutory",
            "rule",
            "due_on",
            "created_at",
            "acknowledged",
            "acknowledged_at",
            "acknowledged_by",
            "escalated_at",
            "escalated_to",
        ]
        read_only_fields = fields

    def get_acknowledged(self, alert: ContractAlert) -> bool:
        return alert.acknowledged_at is not None

    def get_acknowledged_by(self, alert: ContractAlert) -> str | None:
        """Who acknowledged it (their name), or null."""
        return str(alert.acknowledged_by) if alert.acknowledged_by is not None else None

    def get_escalated_to(self, alert: ContractAlert) -> str | None:
        """The team lead it was escalated to (their name); "Administrators" when escalated to them; else null."""
        if alert.escalated_at is None:
            return None
        return str(alert.escalated_to) if alert.escalated_to is not None else "Administrators"


class ContractAlertRuleSerializer(serializers.ModelSerializer):
    """One of the user's own alerts: on a contract, or on a register search (its query string)."""

    class Meta:
        model = ContractAlertRule
        fields = ["id", "name", "contract", "saved_search", "date_kind", "lead_days", "created_at"]
        read_only_fields = fields


class ContractAlertRuleInputSerializer(serializers.Serializer):
    contract = VisibleRecordField(
        queryset=Contract.objects.all(), required=False, allow_null=True, default=None, help_text="A contract, or"
    )
    saved_search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="a register search: the register's query string (e.g. status=live&category=residential).",
    )
    date_kind = serializers.ChoiceField(choices=ContractAlertRule.DateKind.choices)
    lead_days = serializers.IntegerField(min_value=0, help_text="Days before the date that the alert is sent.")
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
