"""API of what officers record against providers: visits, concerns, sanctions and action plans."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from commissioning.api import ResourceViewSet

from . import services
from .models import ActionPlan, Concern, Sanction, Visit
from .serializers import ActionPlanSerializer, ConcernSerializer, SanctionSerializer, VisitSerializer


class _OversightViewSet(ResourceViewSet):
    """What officers record against providers; each created through its oversight service."""

    filterset_fields = ["provider", "location", "contract", "kind"]
    record_service: Callable[..., Any] | None = None

    def do_create(self, data):
        service = type(self).record_service
        if service is None:
            raise ImproperlyConfigured(f"{type(self).__name__} names no record_service")
        return service(by=self.request.user, **data)


class VisitViewSet(_OversightViewSet):
    record_service = services.visit_record
    serializer_class = VisitSerializer
    ordering_fields = ["visited_on"]
    queryset = Visit.objects.select_related("provider").order_by("-visited_on", "-pk")


class ConcernViewSet(_OversightViewSet):
    record_service = services.concern_record
    serializer_class = ConcernSerializer
    filterset_fields = [*_OversightViewSet.filterset_fields, "status", "severity"]
    ordering_fields = ["raised_on", "severity"]
    queryset = Concern.objects.select_related("provider").order_by("-raised_on", "-pk")


class SanctionViewSet(_OversightViewSet):
    record_service = services.sanction_record
    serializer_class = SanctionSerializer
    ordering_fields = ["issued_on"]
    queryset = Sanction.objects.select_related("provider").order_by("-issued_on", "-pk")


class ActionPlanViewSet(_OversightViewSet):
    record_service = services.action_plan_create
    serializer_class = ActionPlanSerializer
    filterset_fields = ["provider", "location", "contract", "status"]
    ordering_fields = ["agreed_on"]
    queryset = ActionPlan.objects.select_related("provider").prefetch_related("actions").order_by("-agreed_on", "-pk")


ROUTES = [
    ("visits", VisitViewSet, "visit"),
    ("concerns", ConcernViewSet, "concern"),
    ("sanctions", SanctionViewSet, "sanction"),
    ("action-plans", ActionPlanViewSet, "actionplan"),
]
