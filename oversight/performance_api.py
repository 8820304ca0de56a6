"""API of contract KPIs, their results and performance assessments (Procurement Act 2023): reads through
``oversight.performance``'s selectors, writes through its services."""

from __future__ import annotations

from typing import cast

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from commissioning.api import ServiceViewSet
from commissioning.listing import GovFilterSet
from commissioning.models import User
from contracts.models import Contract

from . import performance
from .models import ContractKpi, KpiResult, PerformanceAssessment
from .performance_serializers import (
    ContractKpiInputSerializer,
    ContractKpiSerializer,
    ContractKpiUpdateSerializer,
    KpiResultInputSerializer,
    KpiResultSerializer,
    PerformanceAssessmentCompleteSerializer,
    PerformanceAssessmentInputSerializer,
    PerformanceAssessmentSerializer,
)


class ContractKpiFilter(GovFilterSet):
    contract = django_filters.ModelChoiceFilter(queryset=Contract.objects.all())
    active = django_filters.BooleanFilter(
        field_name="retired_on", lookup_expr="isnull", label="Active (not retired by a contract change)"
    )

    class Meta:
        model = ContractKpi
        fields = ["contract", "active"]


class KpiResultFilter(GovFilterSet):
    contract = django_filters.ModelChoiceFilter(field_name="kpi__contract", queryset=Contract.objects.all())
    kpi = django_filters.ModelChoiceFilter(queryset=ContractKpi.objects.all())
    period_from = django_filters.DateFilter(
        field_name="period_start", lookup_expr="gte", label="Periods starting on or after (yyyy-mm-dd)"
    )
    period_to = django_filters.DateFilter(
        field_name="period_end", lookup_expr="lte", label="Periods ending on or before (yyyy-mm-dd)"
    )

    class Meta:
        model = KpiResult
        fields = ["contract", "kpi", "period_from", "period_to"]


class PerformanceAssessmentFilter(GovFilterSet):
    contract = django_filters.ModelChoiceFilter(queryset=Contract.objects.all())
    status = django_filters.ChoiceFilter(choices=PerformanceAssessment.Status.choices)
    period_from = django_filters.DateFilter(
        field_name="period_start", lookup_expr="gte", label="Assessment periods starting on or after (yyyy-mm-dd)"
    )
    period_to = django_filters.DateFilter(
        field_name="period_end", lookup_expr="lte", label="Assessment periods ending on or before (yyyy-mm-dd)"
    )

    class Meta:
        model = PerformanceAssessment
        fields = ["contract", "status", "period_from", "period_to"]


def _kpi_fields(data: dict) -> dict:
    data.pop("change", None)
    return {name: value for name, value in data.items() if name in performance.KPI_FIELDS}


@extend_schema_view(
    list=extend_schema(summary="Contract KPIs", description="Key performance indicators of contracts (section 52)."),
    create=extend_schema(
        summary="Add a KPI",
        description="Before the contract's KPIs are frozen at award no change is needed; after it, name the "
        "contract change in `change`.",
    ),
    partial_update=extend_schema(
        summary="Change a KPI",
        description="Edits a KPI that is not frozen; a frozen KPI is changed through a contract change (`change`): "
        "it is retired and its replacement returned.",
    ),
    update=extend_schema(summary="Change a KPI (whole)"),
)
class ContractKpiViewSet(ServiceViewSet):
    serializer_class = ContractKpiSerializer
    input_serializer_class = ContractKpiInputSerializer
    update_serializer_class = ContractKpiUpdateSerializer
    change_permission = "oversight.change_contractkpi"
    filterset_class = ContractKpiFilter
    ordering_fields = ["position", "name"]
    queryset = ContractKpi.objects.none()

    def get_queryset(self) -> QuerySet[ContractKpi]:
        return (
            ContractKpi.objects.visible_to(self.request.user)
            .select_related("contract")
            .order_by("contract__reference", "position", "pk")
        )

    def do_create(self, data):
        contract, change = data.pop("contract"), data.pop("change", None)
        return performance.kpi_create(by=self.request.user, contract=contract, change=change, **_kpi_fields(data))

    def do_update(self, instance, data):
        change = data.get("change")
        if instance.is_frozen:
            return performance.kpi_change(by=self.request.user, kpi=instance, change=change, **_kpi_fields(data))
        return performance.kpi_update(by=self.request.user, kpi=instance, **_kpi_fields(data))


@extend_schema_view(
    list=extend_schema(
        summary="KPI results",
        description="Results of contract KPIs per reporting period, with the suggested rating and the rating given.",
    ),
    create=extend_schema(
        summary="Record a KPI result",
        description="Records (or, for a period already recorded, updates) a result. Without `rating` the suggested "
        "rating is taken; a different rating needs `override_reason`.",
    ),
)
class KpiResultViewSet(ServiceViewSet):
    serializer_class = KpiResultSerializer
    input_serializer_class = KpiResultInputSerializer
    filterset_class = KpiResultFilter
    ordering_fields = ["period_start"]
    queryset = KpiResult.objects.none()

    def get_queryset(self) -> QuerySet[KpiResult]:
        return performance.kpi_results(user=cast(User, self.request.user)).order_by(
            "kpi__contract__reference", "kpi", "-period_start"
        )

    def do_create(self, data):
        return performance.kpi_result_record(
            by=self.request.user,
            kpi=data["kpi"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            value=data["value"],
            rating=data.get("rating") or None,
            override_reason=data.get("override_reason", ""),
            commentary=data.get("commentary", ""),
        )


@extend_schema_view(
    list=extend_schema(
        summary="Performance assessments",
        description="Assessments of suppliers against their contract's KPIs (section 71(2)), with their due dates.",
    ),
    create=extend_schema(summary="Start an assessment", description="Its due date is computed from the rule."),
)
class PerformanceAssessmentViewSet(ServiceViewSet):
    serializer_class = PerformanceAssessmentSerializer
    input_serializer_class = PerformanceAssessmentInputSerializer
    filterset_class = PerformanceAssessmentFilter
    ordering_fields = ["period_end", "due_on"]
    queryset = PerformanceAssessment.objects.none()
    extra_post_actions = True

    def get_queryset(self) -> QuerySet[PerformanceAssessment]:
        return performance.performance_assessments(user=cast(User, self.request.user)).order_by("-period_end", "-pk")

    def do_create(self, data):
        return performance.performance_assessment_start(by=self.request.user, **data)

    @extend_schema(
        summary="Complete an assessment",
        description="Refused (400) while any KPI in force has no rated result for a reporting period within the "
        "assessment period.",
        request=PerformanceAssessmentCompleteSerializer,
        responses={200: PerformanceAssessmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None, **kwargs):
        assessment = self.get_object()
        data = self.valid_input(serializer_class=PerformanceAssessmentCompleteSerializer)
        done = performance.performance_assessment_complete(by=request.user, assessment=assessment, **data)
        return Response(self.get_serializer(self.get_output(done)).data)


ROUTES = [
    ("contract-kpis", ContractKpiViewSet, "contractkpi"),
    ("kpi-results", KpiResultViewSet, "kpiresult"),
    ("performance-assessments", PerformanceAssessmentViewSet, "performanceassessment"),
]
