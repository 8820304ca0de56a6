"""API shapes of escalations and governance meetings: an output serializer per resource and an input serializer
per write (the request's shape only; the rules are oversight.escalation's and oversight.governance's)."""

from __future__ import annotations

from rest_framework import serializers

from commissioning.models import User
from contracts.models import Contract
from providers.models import Provider
from providers.serializers import VisibleRecordField

from .models import (
    Escalation,
    EscalationAction,
    EscalationEvent,
    EscalationStage,
    GovernanceItem,
    GovernanceMeeting,
)


class EscalationEventSerializer(serializers.ModelSerializer):
    stage_name = serializers.CharField(source="stage.name", allow_null=True, default=None)

    class Meta:
        model = EscalationEvent
        fields = ["id", "kind", "stage", "stage_name", "happened_on", "text", "by"]
        read_only_fields = fields


class EscalationActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationAction
        fields = ["id", "escalation", "meeting", "action", "owner", "due_on", "done_on"]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name")
    contract_reference = serializers.CharField(source="contract.reference", allow_null=True, default=None)
    stage_name = serializers.CharField(source="stage.name")
    stage_level = serializers.IntegerField(source="stage.level")
    told_users = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(read_only=True), read_only=True
    )
    events = EscalationEventSerializer(many=True, read_only=True)
    actions = EscalationActionSerializer(many=True, read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "provider",
            "provider_name",
            "contract",
            "contract_reference",
            "stage",
            "stage_name",
            "stage_level",
            "trigger",
            "trigger_kind",
            "reason",
            "opened_on",
            "opened_by",
            "told_users",
            "told",
            "status",
            "closed_on",
            "outcome",
            "events",
            "actions",
        ]
        read_only_fields = fields


def _stages():
    return EscalationStage.objects.filter(active=True)


class EscalationOpenSerializer(serializers.Serializer):
    """An officer's request for support."""

    provider = VisibleRecordField(queryset=Provider.objects.all())
    contract = VisibleRecordField(queryset=Contract.objects.all(), required=False, allow_null=True)
    stage = serializers.PrimaryKeyRelatedField(queryset=_stages(), required=False, allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    opened_on = serializers.DateField(required=False)


class EscalationMoveSerializer(serializers.Serializer):
    stage = serializers.PrimaryKeyRelatedField(queryset=_stages())
    note = serializers.CharField(allow_blank=True)
    moved_on = serializers.DateField(required=False)


class EscalationDecisionSerializer(serializers.Serializer):
    decision = serializers.CharField(allow_blank=True)
    decided_on = serializers.DateField(required=False)


class EscalationActionInputSerializer(serializers.Serializer):
    action = serializers.CharField(allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_on = serializers.DateField()


class EscalationActionCompleteSerializer(serializers.Serializer):
    action = VisibleRecordField(queryset=EscalationAction.objects.all())
    done_on = serializers.DateField()


class EscalationCloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(allow_blank=True)
    closed_on = serializers.DateField(required=False)


class GovernanceItemSerializer(serializers.ModelSerializer):
    contract_reference = serializers.CharField(source="contract.reference", allow_null=True, default=None)

    class Meta:
        model = GovernanceItem
        fields = ["id", "position", "escalation", "contract", "contract_reference", "reasons", "discussion", "decision"]
        read_only_fields = fields


class GovernanceMeetingSerializer(serializers.ModelSerializer):
    items = GovernanceItemSerializer(many=True, read_only=True)
    actions = EscalationActionSerializer(many=True, read_only=True)

    class Meta:
        model = GovernanceMeeting
        fields = [
            "id",
            "kind",
            "held_on",
            "month",
            "chair",
            "attendees",
            "minutes",
            "status",
            "agreed_on",
            "agreed_by",
            "items",
            "actions",
        ]
        read_only_fields = fields


class GovernanceMeetingInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=GovernanceMeeting.Kind.choices)
    held_on = serializers.DateField()
    month = serializers.DateField(required=False, allow_null=True)
    chair = serializers.CharField(allow_blank=True, max_length=150)
    attendees = serializers.CharField(required=False, allow_blank=True)
