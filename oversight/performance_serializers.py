"""API shapes of contract KPIs, their results and performance assessments: an output serializer per resource
and an input serializer per write (the request's shape only; the rules are oversight.performance's)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from commissioning.achievement import Polarity
from commissioning.models import User
from contracts.models import Contract, ContractChange
from providers.serializers import VisibleRecordField

from .models import ContractKpi, KpiRating, KpiResult, PerformanceAssessment


class ContractKpiSerializer(serializers.ModelSerializer):
    contract_reference = serializers.CharField(source="contract.reference")
    is_frozen = serializers.BooleanField()

    class Meta:
        model = ContractKpi
        fields = [
            "id",
            "contract",
            "contract_reference",
            "name",
            "description",
            "measure",
            "unit",
            "target",
            "polarity",
            "tolerance",
            "frequency",
            "source",
            "owner",
            "position",
            "is_frozen",
            "frozen_on",
            "retired_on",
            "changed_by",
        ]
        read_only_fields = fields


class _KpiFields(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    measure = serializers.CharField(max_length=255, allow_blank=True)
    unit = serializers.CharField(max_length=40, allow_blank=True)
    target = serializers.DecimalField(max_digits=14, decimal_places=4)
    polarity = serializers.ChoiceField(choices=Polarity.choices, required=False)
    tolerance = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True)
    frequency = serializers.ChoiceField(choices=ContractKpi.Frequency.choices, required=False)
    source = serializers.ChoiceField(choices=ContractKpi.Source.choices, required=False)  # type: ignore[assignment]
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), allow_null=True)
    change = VisibleRecordField(
        queryset=ContractChange.objects.all(),
        required=False,
        allow_null=True,
        help_text="The contract change that makes this change: needed once the contract's KPIs are frozen.",
    )


@extend_schema_serializer(component_name="ContractKpiInput")
class ContractKpiInputSerializer(_KpiFields):
    """A KPI to add to a contract."""

    contract = VisibleRecordField(queryset=Contract.objects.all())


@extend_schema_serializer(component_name="ContractKpiUpdate")
class ContractKpiUpdateSerializer(_KpiFields):
    """A change to a KPI: edited in place before freezing; after it, ``change`` names the contract change, the KPI
    is retired and the replacement is returned."""


class KpiResultSerializer(serializers.ModelSerializer):
    contract = serializers.IntegerField(source="kpi.contract_id")
    kpi_name = serializers.CharField(source="kpi.name")
    is_overridden = serializers.BooleanField()

    class Meta:
        model = KpiResult
        fields = [
            "id",
            "contract",
            "kpi",
            "kpi_name",
            "period_start",
            "period_end",
            "value",
            "suggested_rating",
            "rating",
            "is_overridden",
            "override_reason",
            "commentary",
            "recorded_by",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="KpiResultInput")
class KpiResultInputSerializer(serializers.Serializer):
    """A KPI's result for one reporting period (recording a period again updates it). Leave ``rating`` out to
    take the suggested one; a different rating needs ``override_reason``."""

    kpi = VisibleRecordField(queryset=ContractKpi.objects.all())
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    value = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    rating = serializers.ChoiceField(choices=KpiRating.choices, required=False, allow_blank=True)
    override_reason = serializers.CharField(required=False, allow_blank=True)
    commentary = serializers.CharField(required=False, allow_blank=True)


class PerformanceAssessmentSerializer(serializers.ModelSerializer):
    contract_reference = serializers.CharField(source="contract.reference")

    class Meta:
        model = PerformanceAssessment
        fields = [
            "id",
            "contract",
            "contract_reference",
            "kind",
            "period_start",
            "period_end",
            "due_on",
            "status",
            "assessed_on",
            "assessed_by",
            "summary",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="PerformanceAssessmentInput")
class PerformanceAssessmentInputSerializer(serializers.Serializer):
    """An assessment to start; its due date is computed."""

    contract = VisibleRecordField(queryset=Contract.objects.all())
    kind = serializers.ChoiceField(choices=PerformanceAssessment.Kind.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()


@extend_schema_serializer(component_name="PerformanceAssessmentComplete")
class PerformanceAssessmentCompleteSerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True)
    assessed_on = serializers.DateField()
