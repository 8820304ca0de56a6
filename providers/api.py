"""API of providers, locations, CQC ratings and risk assessments.

Each write reads its input serializer (the shape), calls one service (permission, rules, audit) and answers
with the output serializer: ``commissioning.api.ServiceViewSet``.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from commissioning.api import Conflict, ServiceViewSet
from commissioning.listing import GovFilterSet
from commissioning.models import Directorate

from . import services
from .filters import LocationFilter, ProviderFilter
from .models import CqcRating, CqcRatingAlert, Location, Provider, RiskAssessment, RiskMethod
from .selectors import current_risk_method, location_list, provider_list, rating_alerts, risk_method_list
from .serializers import (
    CqcRatingAlertAcknowledgeSerializer,
    CqcRatingAlertSerializer,
    CqcRatingSerializer,
    LocationSerializer,
    ProviderSerializer,
    RiskAssessmentInputSerializer,
    RiskAssessmentSerializer,
    RiskMethodInputSerializer,
    RiskMethodSerializer,
)


class ApiProviderFilter(ProviderFilter):
    # The page's filter, with a field_name the schema can type.
    directorate = django_filters.ModelChoiceFilter(
        field_name="lead_contracts__directorate",
        queryset=Directorate.objects.all(),
        method="filter_directorate",
        label="Directorate of their contracts",
    )


@extend_schema_view(
    list=extend_schema(
        summary="Providers",
        description="Filter as on the providers page.",
    )
)
class ProviderViewSet(ServiceViewSet):
    serializer_class = ProviderSerializer
    filterset_class = ApiProviderFilter
    ordering_fields = ["name", "current_risk_date"]
    queryset = Provider.objects.none()

    def get_queryset(self):
        return provider_list(user=self.request.user)


class LocationViewSet(ServiceViewSet):
    serializer_class = LocationSerializer
    filterset_class = LocationFilter
    ordering_fields = ["name", "current_published_on"]
    queryset = Location.objects.none()

    def get_queryset(self):
        return location_list(user=self.request.user)


class CqcRatingViewSet(ServiceViewSet):
    serializer_class = CqcRatingSerializer
    filterset_fields = ["location", "location__provider", "overall"]
    ordering_fields = ["published_on"]
    queryset = CqcRating.objects.none()

    def get_queryset(self):
        return (
            CqcRating.objects.visible_to(self.request.user).select_related("location").order_by("-published_on", "-pk")
        )


@extend_schema_view(
    create=extend_schema(
        summary="Record a risk assessment",
        description="Scored by the risk method in force on assessed_on (factors: the answers to its factors). "
        "Assessments are history: never edited, a new one is recorded instead.",
    )
)
class RiskAssessmentViewSet(ServiceViewSet):
    serializer_class = RiskAssessmentSerializer
    input_serializer_class = RiskAssessmentInputSerializer
    filterset_fields = ["provider", "level"]
    ordering_fields = ["assessed_on", "score"]
    queryset = RiskAssessment.objects.none()

    def get_queryset(self):
        return (
            RiskAssessment.objects.visible_to(self.request.user)
            .select_related("method")
            .order_by("-assessed_on", "-pk")
        )

    def do_create(self, data):
        return services.risk_assessment_record(
            provider=data["provider"],
            factors=data["factors"],
            assessed_on=data["assessed_on"],
            by=self.request.user,
            override_level=data.get("override_level") or None,
            override_reason=data.get("override_reason", ""),
            rationale=data.get("rationale", ""),
        )


@extend_schema_view(
    list=extend_schema(
        summary="Risk methods",
        description="The versions of the council's risk method, latest first; is_current marks the one in force "
        "today. Each assessment is scored by the version in force on its date.",
    ),
    create=extend_schema(
        summary="Record a new version of the risk method",
        description="Administrators only (providers.add_riskmethod). The next version number; it scores "
        "assessments dated from effective_from, which must be after the latest version's. A version is never "
        "changed or deleted.",
    ),
)
class RiskMethodViewSet(ServiceViewSet):
    serializer_class = RiskMethodSerializer
    input_serializer_class = RiskMethodInputSerializer
    ordering_fields = ["version", "effective_from"]
    queryset = RiskMethod.objects.none()

    def get_queryset(self):
        return risk_method_list(user=self.request.user)

    def get_serializer_context(self):
        current = current_risk_method()
        return {**super().get_serializer_context(), "current_method_id": current.pk if current else None}

    def do_create(self, data):
        return services.risk_method_create(
            by=self.request.user,
            name=data["name"],
            effective_from=data["effective_from"],
            factors=[dict(factor, answers=[dict(a) for a in factor["answers"]]) for factor in data["factors"]],
            thresholds=dict(data["thresholds"]),
            notes=data.get("notes", ""),
        )


ROUTES = [
    ("providers", ProviderViewSet, "provider"),
    ("locations", LocationViewSet, "location"),
    ("cqc-ratings", CqcRatingViewSet, "cqcrating"),
    ("risk-assessments", RiskAssessmentViewSet, "riskassessment"),
    ("risk-methods", RiskMethodViewSet, "riskmethod"),
]


class CqcRatingAlertFilter(GovFilterSet):
    acknowledged = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True, label="Acknowledged"
    )
    location = django_filters.ModelChoiceFilter(queryset=Location.objects.all())
    provider = django_filters.ModelChoiceFilter(field_name="location__provider", queryset=Provider.objects.all())

    class Meta:
        model = CqcRatingAlert
        fields = ["acknowledged", "location", "provider"]


class _MayReadAlerts(BasePermission):
    """The acknowledge action is a POST, but it needs the read right here (the service checks the
    acknowledge right, and answers 403 without it)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("providers.view_cqcratingalert"))


@extend_schema_view(
    list=extend_schema(
        summary="CQC rating falls",
        description="Falls in a location's CQC rating (overall or a key question down a level from its previous "
        "real rating), newest first; ?acknowledged=false for those still to acknowledge.",
    )
)
class CqcRatingAlertViewSet(ServiceViewSet):
    serializer_class = CqcRatingAlertSerializer
    filterset_class = CqcRatingAlertFilter
    ordering_fields = ["created_at", "acknowledged_at"]
    queryset = CqcRatingAlert.objects.none()
    extra_post_actions = True

    def get_queryset(self):
        return rating_alerts(user=self.request.user)

    @extend_schema(
        summary="Acknowledge a fall",
        description="Records who acknowledged it and when, with an optional note. Needs "
        "providers.acknowledge_cqcratingalert (contract officers, administrators); a fall is acknowledged once "
        "(409 after).",
        request=CqcRatingAlertAcknowledgeSerializer,
        responses={200: CqcRatingAlertSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, _MayReadAlerts])
    def acknowledge(self, request, pk=None, **kwargs):
        alert = self.get_object()
        data = self.valid_input(serializer_class=CqcRatingAlertAcknowledgeSerializer)
        try:
            services.cqc_rating_alert_acknowledge(alert=alert, by=request.user, note=data.get("note") or "")
        except services.AlertAlreadyAcknowledged as error:
            raise Conflict(str(error)) from None
        return Response(self.get_serializer(self.get_output(alert)).data)


ROUTES.append(("cqc-rating-alerts", CqcRatingAlertViewSet, "cqcratingalert"))
