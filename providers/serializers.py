"""API shapes of providers, their locations, CQC ratings and risk assessments."""

from django.utils import timezone
from rest_framework import serializers

from .models import CqcRating, CqcRatingValue, Location, Provider, RiskAssessment, RiskLevel


class ProviderSerializer(serializers.ModelSerializer):
    current_risk_level = serializers.ChoiceField(
        choices=RiskLevel.choices, read_only=True, allow_null=True, help_text="From the latest risk assessment."
    )
    current_risk_date = serializers.DateField(read_only=True, allow_null=True)
    location_count = serializers.IntegerField(read_only=True, allow_null=True)
    has_rating_drop = serializers.BooleanField(read_only=True, help_text="A location's CQC rating fell.")

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "trading_name",
            "companies_house_number",
            "charity_number",
            "cqc_provider_id",
            "status",
            "is_sme",
            "is_vcse",
            "address",
            "postcode",
            "contact_email",
            "current_risk_level",
            "current_risk_date",
            "location_count",
            "has_rating_drop",
        ]


class LocationSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    current_overall = serializers.ChoiceField(
        choices=CqcRatingValue.choices, read_only=True, allow_null=True, help_text="Latest CQC overall rating."
    )
    current_published_on = serializers.DateField(read_only=True, allow_null=True)
    has_rating_drop = serializers.BooleanField(read_only=True)

    class Meta:
        model = Location
        fields = [
            "id",
            "provider",
            "provider_name",
            "name",
            "cqc_location_id",
            "setting_type",
            "is_care_home",
            "beds",
            "district",
            "zone",
            "in_county",
            "postcode",
            "current_overall",
            "current_published_on",
            "has_rating_drop",
        ]


class CqcRatingSerializer(serializers.ModelSerializer):
    location_name = serializers.CharField(source="location.name", read_only=True)

    class Meta:
        model = CqcRating
        fields = [
            "id",
            "location",
            "location_name",
            "published_on",
            "overall",
            "safe",
            "effective",
            "caring",
            "responsive",
            "well_led",
        ]


class RiskAssessmentSerializer(serializers.ModelSerializer):
    """A scoring against the risk matrix. On create send the factor scores; score and level are computed."""

    factors = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=3),
        help_text="Factor code → score from 0 (no concern) to 3 (serious concern).",
    )
    override_level = serializers.ChoiceField(
        choices=RiskLevel.choices,
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="A different level than the matrix gives; needs override_reason.",
    )
    assessed_on = serializers.DateField(default=timezone.localdate)

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "provider",
            "assessed_on",
            "assessed_by",
            "factors",
            "score",
            "calculated_level",
            "level",
            "override_level",
            "override_reason",
            "rationale",
        ]
        read_only_fields = ["assessed_by", "score", "calculated_level", "level"]
