"""API of providers, locations, CQC ratings and risk assessments.

Also what every officer-records API (this app's, the register's, oversight's) builds on, until it moves to
``commissioning.api``: ``ServiceViewSet``, an input serializer that checks a write's shape, an output
serializer that shows the record, a service that makes the write (and ``serializers.VisibleRecordField``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from commissioning.api import ApiAutoSchema, ResourceViewSet
from commissioning.models import Directorate

from . import services
from .filters import LocationFilter, ProviderFilter
from .models import CqcRating, Location, Provider, RiskAssessment
from .selectors import location_list, provider_list
from .serializers import (
    CqcRatingSerializer,
    LocationSerializer,
    ProviderSerializer,
    RiskAssessmentInputSerializer,
    RiskAssessmentSerializer,
)


class ServiceSchema(ApiAutoSchema):
    """Documents a write's body as the viewset's input serializer and its answer as the output one."""

    def get_request_serializer(self) -> Any:
        view = self.view
        if self.method in ("POST", "PUT", "PATCH") and isinstance(view, ServiceViewSet):
            chosen = view.input_serializer_for(getattr(view, "action", None))
            if chosen is not None:
                return chosen
        return super().get_request_serializer()


class ServiceViewSet(ResourceViewSet):
    """A resource whose writes are read by an input serializer (the request's shape only: no rules, no
    model validators) and answered with ``serializer_class``, the output serializer; ``do_create`` and
    ``do_update`` pass the input to a service, which checks the actor and the rules."""

    input_serializer_class: ClassVar[type[serializers.Serializer] | None] = None
    update_serializer_class: ClassVar[type[serializers.Serializer] | None] = None
    schema = ServiceSchema()

    @classmethod
    def input_serializer_for(cls, action: str | None) -> type[serializers.Serializer] | None:
        """The input serializer of the create and update actions (an extra action names its own)."""
        if action in ("update", "partial_update"):
            return cls.update_serializer_class or cls.input_serializer_class
        if action == "create":
            return cls.input_serializer_class
        return None

    def get_serializer(self, *args, **kwargs):
        chosen = self.input_serializer_for(self.action) if "data" in kwargs else None
        if chosen is None:
            return super().get_serializer(*args, **kwargs)
        kwargs.setdefault("context", self.get_serializer_context())
        return chosen(*args, **kwargs)


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
        description="Assessments are history: never edited, a new one is recorded instead.",
    )
)
class RiskAssessmentViewSet(ServiceViewSet):
    serializer_class = RiskAssessmentSerializer
    input_serializer_class = RiskAssessmentInputSerializer
    filterset_fields = ["provider", "level"]
    ordering_fields = ["assessed_on", "score"]
    queryset = RiskAssessment.objects.none()

    def get_queryset(self):
        return RiskAssessment.objects.visible_to(self.request.user).order_by("-assessed_on", "-pk")

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


ROUTES = [
    ("providers", ProviderViewSet, "provider"),
    ("locations", LocationViewSet, "location"),
    ("cqc-ratings", CqcRatingViewSet, "cqcrating"),
    ("risk-assessments", RiskAssessmentViewSet, "riskassessment"),
]
