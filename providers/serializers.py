"""API shapes of providers, their locations, CQC ratings and risk assessments."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from .models import (
    CqcRating,
    CqcRatingAlert,
    CqcRatingValue,
    Location,
    Provider,
    RiskAssessment,
    RiskLevel,
    RiskMethod,
)


class VisibleRecordField(serializers.PrimaryKeyRelatedField):
    """A record chosen by id among those the requesting user may see (``Model.objects.visible_to``): one
    they may not see "does not exist", as on the pages."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.visible_to(request.user) if request is not None else queryset.none()


class ProviderSerializer(serializers.ModelSerializer):
    current_risk_level = serializers.ChoiceField(
        choices=RiskLevel.choices, read_only=True, allow_null=True, help_text="From the latest risk assessment."
    )
    current_risk_date = serializers.DateField(read_only=True, allow_null=True)
    location_count = serializers.IntegerField(read_only=True, allow_null=True)
    has_rating_drop = serializers.BooleanField(
        read_only=True, help_text="A fall in a location's CQC rating waits to be acknowledged."
    )
    # Text, not an e-mail format: many providers have no address held, and "" is not an e-mail address.
    contact_email = serializers.CharField(read_only=True, help_text="E-mail address, or empty if none is held.")

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "trading_name",
            "companies_house_number",
            "ppon_id",
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
        read_only_fields = fields


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
        read_only_fields = fields


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
        read_only_fields = fields


class RiskAnswerSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, help_text="The answer's points, before the factor's weight.")
    label = serializers.CharField(max_length=500)  # type: ignore[assignment]  # a field, not Field.label


class RiskFactorSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^[a-z][a-z0-9_]{0,49}$", help_text="Lower-case letters, digits, underscores.")
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    weight = serializers.IntegerField(min_value=1)
    answers = RiskAnswerSerializer(many=True, help_text="The allowed answers, each score different.")


class RiskThresholdsSerializer(serializers.Serializer):
    medium = serializers.IntegerField(min_value=1, help_text="The lowest weighted score that is Medium.")
    high = serializers.IntegerField(min_value=1, help_text="The lowest weighted score that is High.")


class RiskMethodSerializer(serializers.ModelSerializer):
    """A version of the council's risk method: its factors with their weights and allowed answers, and the
    thresholds of its levels (Low from 0). ``is_current``: in force today."""

    factors = RiskFactorSerializer(many=True)
    thresholds = RiskThresholdsSerializer()
    max_score = serializers.IntegerField(read_only=True, help_text="Every factor at its highest answer.")
    is_current = serializers.SerializerMethodField()
    assessment_count = serializers.IntegerField(read_only=True, help_text="Assessments this version scored.")

    class Meta:
        model = RiskMethod
        fields = [
            "id",
            "version",
            "name",
            "effective_from",
            "factors",
            "thresholds",
            "max_score",
            "notes",
            "is_current",
            "assessment_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_is_current(self, method: RiskMethod) -> bool:
        current = self.context.get("current_method_id")
        return current is not None and current == method.pk


@extend_schema_serializer(component_name="RiskMethodInput")
class RiskMethodInputSerializer(serializers.Serializer):
    """A new version: the service gives it the next version number and checks that it can score."""

    name = serializers.CharField(max_length=200)
    effective_from = serializers.DateField()
    factors = RiskFactorSerializer(many=True, allow_empty=False)
    thresholds = RiskThresholdsSerializer()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class RiskAssessmentSerializer(serializers.ModelSerializer):
    """A scoring by the risk method in force on its date, as recorded: the method's version, the answer given to
    each factor, the score and level they give, and the level that resulted (the officer may have set another,
    with the reason: ``overridden``)."""

    factors = serializers.DictField(
        child=serializers.IntegerField(), help_text="Factor code → the chosen answer's score (before the weight)."
    )
    method_version = serializers.IntegerField(source="method.version", read_only=True)
    overridden = serializers.BooleanField(source="is_overridden", read_only=True)

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "provider",
            "assessed_on",
            "assessed_by",
            "method",
            "method_version",
            "factors",
            "score",
            "calculated_level",
            "level",
            "overridden",
            "override_reason",
            "rationale",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="RiskAssessment")
class RiskAssessmentInputSerializer(serializers.Serializer):
    """What an officer sends to record an assessment: the answers to the factors of the method in force on
    ``assessed_on``; the score and level are computed."""

    provider = VisibleRecordField(queryset=Provider.objects.all())
    factors = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        help_text="Factor code → the chosen answer's score, one of the factor's allowed answers.",
    )
    assessed_on = serializers.DateField(default=timezone.localdate)
    override_level = serializers.ChoiceField(
        choices=RiskLevel.choices,
        required=False,
        allow_blank=True,
        help_text="A different level than the method gives; needs override_reason.",
    )
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    rationale = serializers.CharField(required=False, allow_blank=True, default="")


class CqcRatingDropSerializer(serializers.Serializer):
    question = serializers.ChoiceField(
        choices=["overall", "safe", "effective", "caring", "responsive", "well_led"], help_text="What fell."
    )
    previous = serializers.ChoiceField(choices=CqcRatingValue.choices)
    new = serializers.ChoiceField(choices=CqcRatingValue.choices)


class CqcRatingAlertSerializer(serializers.ModelSerializer):
    """A fall in a location's CQC rating, open until acknowledged."""

    provider = serializers.IntegerField(source="location.provider_id", read_only=True)
    location_name = serializers.CharField(source="location.name", read_only=True)
    published_on = serializers.DateField(source="rating.published_on", read_only=True)
    previous_published_on = serializers.DateField(source="previous_rating.published_on", read_only=True)
    drops = CqcRatingDropSerializer(many=True, read_only=True)
    acknowledged = serializers.SerializerMethodField()
    acknowledged_by = serializers.SerializerMethodField()

    class Meta:
        model = CqcRatingAlert
        fields = [
            "id",
            "location",
            "location_name",
            "provider",
            "rating",
            "previous_rating",
            "published_on",
            "previous_published_on",
            "drops",
            "created_at",
            "acknowledged",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_note",
        ]
        read_only_fields = fields

    def get_acknowledged(self, alert: CqcRatingAlert) -> bool:
        return alert.acknowledged_at is not None

    def get_acknowledged_by(self, alert: CqcRatingAlert) -> str | None:
        """Who acknowledged it (their name), or null."""
        return str(alert.acknowledged_by) if alert.acknowledged_by is not None else None


class CqcRatingAlertAcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
