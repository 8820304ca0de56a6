"""API shapes of what officers record against providers: visits, concerns, sanctions and action plans."""

from rest_framework import serializers

from .models import ActionPlan, Concern, PlanAction, Sanction, Visit


class VisitSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "provider",
            "provider_name",
            "location",
            "contract",
            "visited_on",
            "kind",
            "officer",
            "findings",
            "environment",
            "complaints_feedback",
            "follow_up_actions",
        ]
        read_only_fields = ["officer"]


class ConcernSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = Concern
        fields = [
            "id",
            "provider",
            "provider_name",
            "location",
            "contract",
            "kind",
            "raised_on",
            "severity",
            "status",
            "summary",
            "closed_on",
            "outcome",
        ]
        # A concern starts open; closing it is its own step on the page.
        read_only_fields = ["status", "closed_on", "outcome"]


class SanctionSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    is_in_force = serializers.BooleanField(read_only=True)

    class Meta:
        model = Sanction
        fields = [
            "id",
            "provider",
            "provider_name",
            "location",
            "contract",
            "kind",
            "issued_on",
            "lifted_on",
            "amount",
            "reason",
            "is_in_force",
        ]


class PlanActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanAction
        fields = ["id", "description", "owner", "due_on", "completed_on"]
        read_only_fields = ["completed_on"]


class ActionPlanSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    actions = PlanActionSerializer(many=True, required=False, help_text="On create: the plan's first actions.")

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "provider",
            "provider_name",
            "location",
            "contract",
            "title",
            "agreed_on",
            "status",
            "completed_on",
            "actions",
        ]
        read_only_fields = ["status", "completed_on"]
