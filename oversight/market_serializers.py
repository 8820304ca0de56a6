"""API shapes of provider failure cases, market indicators, quality frameworks and providers' quality tiers:
output serializers (what a read shows) and input serializers (the request's shape only; the rules are
oversight.market's and oversight.quality's)."""

from __future__ import annotations

from rest_framework import serializers

from contracts.models import Contract
from providers.models import Location, Provider
from providers.serializers import VisibleRecordField

from .models import MarketIndicator, ProviderFailureCase, ProviderQualityTier, QualityFramework, QualityTier, Rag


class ProviderFailureCaseSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    novated_to_name = serializers.CharField(source="novated_to.name", read_only=True, allow_null=True, default=None)
    location_status = serializers.CharField(source="location.status", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ProviderFailureCase
        fields = [
            "id",
            "provider",
            "provider_name",
            "location",
            "location_status",
            "contract",
            "kind",
            "status",
            "announced_on",
            "ended_on",
            "service_users_affected",
            "service_users_moved",
            "staff_transferred",
            "novation",
            "novated_to",
            "novated_to_name",
            "summary",
            "lessons",
            "created_at",
        ]
        read_only_fields = fields


class _CaseFields(serializers.Serializer):
    location = VisibleRecordField(queryset=Location.objects.all(), required=False, allow_null=True, default=None)
    contract = VisibleRecordField(queryset=Contract.objects.all(), required=False, allow_null=True, default=None)
    summary = serializers.CharField(allow_blank=True)
    service_users_affected = serializers.IntegerField(required=False, default=0)
    service_users_moved = serializers.IntegerField(required=False, default=0)
    staff_transferred = serializers.IntegerField(required=False, default=0)
    novation = serializers.BooleanField(required=False, default=False)
    novated_to = VisibleRecordField(queryset=Provider.objects.all(), required=False, allow_null=True, default=None)
    lessons = serializers.CharField(required=False, allow_blank=True, default="")


class ProviderFailureCaseInputSerializer(_CaseFields):
    provider = VisibleRecordField(queryset=Provider.objects.all())
    kind = serializers.ChoiceField(choices=ProviderFailureCase.Kind.choices)
    announced_on = serializers.DateField()


class ProviderFailureCaseUpdateSerializer(_CaseFields):
    """An edit: any of the case's details (not its provider or kind)."""

    announced_on = serializers.DateField(required=False)


class ProviderFailureCaseCloseSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    service_users_moved = serializers.IntegerField(required=False, allow_null=True, default=None)
    lessons = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class MarketIndicatorSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = MarketIndicator
        fields = [
            "id",
            "provider",
            "provider_name",
            "contract",
            "service_area",
            "kind",
            "level",
            "recorded_on",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class MarketIndicatorInputSerializer(serializers.Serializer):
    provider = VisibleRecordField(queryset=Provider.objects.all())
    kind = serializers.ChoiceField(choices=MarketIndicator.Kind.choices)
    level = serializers.ChoiceField(choices=Rag.choices)
    recorded_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    contract = VisibleRecordField(queryset=Contract.objects.all(), required=False, allow_null=True, default=None)
    service_area = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)


class QualityTierSerializer(serializers.ModelSerializer):
    enhanced_rate_unit = serializers.ChoiceField(choices=QualityTier.RateUnit.choices, read_only=True, allow_blank=True)

    class Meta:
        model = QualityTier
        fields = ["id", "rank", "name", "criteria", "enhanced_rate", "enhanced_rate_unit"]
        read_only_fields = fields


class QualityFrameworkSerializer(serializers.ModelSerializer):
    tiers = QualityTierSerializer(many=True, read_only=True)

    class Meta:
        model = QualityFramework
        fields = ["id", "name", "service_area", "starts_on", "ends_on", "description", "tiers"]
        read_only_fields = fields


class ProviderQualityTierSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    tier_name = serializers.CharField(source="tier.name", read_only=True)
    withdrawn = serializers.BooleanField(source="is_withdrawn", read_only=True)

    class Meta:
        model = ProviderQualityTier
        fields = [
            "id",
            "framework",
            "provider",
            "provider_name",
            "location",
            "tier",
            "tier_name",
            "assessed_on",
            "valid_until",
            "withdrawn",
            "withdrawn_on",
            "withdrawal_reason",
            "reinstated_on",
            "created_at",
        ]
        read_only_fields = fields


class ProviderQualityTierInputSerializer(serializers.Serializer):
    framework = VisibleRecordField(queryset=QualityFramework.objects.all())
    provider = VisibleRecordField(queryset=Provider.objects.all())
    location = VisibleRecordField(queryset=Location.objects.all(), required=False, allow_null=True, default=None)
    tier = VisibleRecordField(queryset=QualityTier.objects.all())
    assessed_on = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)


class QualityWithdrawSerializer(serializers.Serializer):
    withdrawn_on = serializers.DateField()
    reason = serializers.CharField(allow_blank=True)


class QualityReinstateSerializer(serializers.Serializer):
    reinstated_on = serializers.DateField()
