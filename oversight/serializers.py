"""API shapes of what officers record against providers: an output serializer per resource (what a read
shows) and an input serializer per write (the request's shape only; the rules are the services')."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from contracts.models import Contract
from providers.models import Location, Provider
from providers.serializers import VisibleRecordField

from .models import ActionPlan, Concern, EnquiryOutcome, PlanAction, Sanction, Visit


class VisitSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name")

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
        read_only_fields = fields


class ConcernSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name")

    s42_outcome = serializers.ChoiceField(choices=EnquiryOutcome.choices, read_only=True, allow_blank=True)

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
            "sensitive",
            "s42_reference",
            "s42_started_on",
            "s42_outcome",
            "s42_concluded_on",
        ]
        read_only_fields = fields


class SanctionSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name")
    is_in_force = serializers.BooleanField()

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
        read_only_fields = fields


class PlanActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanAction
        fields = ["id", "description", "owner", "due_on", "completed_on"]
        read_only_fields = fields


class ActionPlanSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name")
    actions = PlanActionSerializer(many=True)

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
        read_only_fields = fields


class _AboutAProviderInput(serializers.Serializer):
    """The provider a record is about, and optionally which of its settings and contracts (the service
    checks that they are the provider's)."""

    provider = VisibleRecordField(queryset=Provider.objects.all())
    location = VisibleRecordField(queryset=Location.objects.all(), required=False, allow_null=True)
    contract = VisibleRecordField(queryset=Contract.objects.all(), required=False, allow_null=True)


@extend_schema_serializer(component_name="Visit")
class VisitInputSerializer(_AboutAProviderInput):
    """A visit to record; the officer is the one who records it."""

    visited_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=Visit.Kind.choices)
    findings = serializers.CharField(required=False, allow_blank=True)
    environment = serializers.ChoiceField(choices=Visit.Level.choices, required=False, allow_blank=True)
    complaints_feedback = serializers.ChoiceField(choices=Visit.FeedbackLevel.choices, required=False, allow_blank=True)
    follow_up_actions = serializers.CharField(required=False, allow_blank=True)


@extend_schema_serializer(component_name="Concern")
class ConcernInputSerializer(_AboutAProviderInput):
    """A concern to record; it starts open (closing it is its own step on the page)."""

    kind = serializers.ChoiceField(choices=Concern.Kind.choices)
    raised_on = serializers.DateField()
    severity = serializers.ChoiceField(choices=Concern.Severity.choices, required=False)
    summary = serializers.CharField(allow_blank=True)


@extend_schema_serializer(component_name="ConcernEnquiry")
class ConcernEnquiryInputSerializer(serializers.Serializer):
    """The section 42 enquiry into a safeguarding concern: its reference and start date (recorded, or corrected
    until it concludes), then its outcome and conclusion date (which conclude it). Give either pair, or both."""

    s42_reference = serializers.CharField(max_length=40, required=False, allow_blank=True)
    s42_started_on = serializers.DateField(required=False, allow_null=True)
    s42_outcome = serializers.ChoiceField(choices=EnquiryOutcome.choices, required=False, allow_blank=True)
    s42_concluded_on = serializers.DateField(required=False, allow_null=True)


@extend_schema_serializer(component_name="Sanction")
class SanctionInputSerializer(_AboutAProviderInput):
    kind = serializers.ChoiceField(choices=Sanction.Kind.choices)
    issued_on = serializers.DateField()
    lifted_on = serializers.DateField(required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    reason = serializers.CharField(allow_blank=True)


@extend_schema_serializer(component_name="PlanAction")
class PlanActionInputSerializer(serializers.Serializer):
    description = serializers.CharField(allow_blank=True)
    owner = serializers.CharField(max_length=150, allow_blank=True)
    due_on = serializers.DateField()


@extend_schema_serializer(component_name="ActionPlan")
class ActionPlanInputSerializer(_AboutAProviderInput):
    title = serializers.CharField(max_length=255, allow_blank=True)
    agreed_on = serializers.DateField()
    actions = PlanActionInputSerializer(many=True, required=False, help_text="The plan's first actions.")
