"""API of what officers record against providers: visits, concerns, sanctions and action plans."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch, QuerySet

from commissioning.api import ServiceViewSet

from . import services
from .alert_api import ROUTES as ALERT_ROUTES
from .models import ActionPlan, Concern, PlanAction, Sanction, Visit
from .notice_api import ROUTES as NOTICE_ROUTES
from .performance_api import ROUTES as PERFORMANCE_ROUTES
from .serializers import (
    ActionPlanInputSerializer,
    ActionPlanSerializer,
    ConcernInputSerializer,
    ConcernSerializer,
    SanctionInputSerializer,
    SanctionSerializer,
    VisitInputSerializer,
    VisitSerializer,
)


class _OversightViewSet(ServiceViewSet):
    """What officers record against providers, read from ``Model.objects.visible_to``; each created
    through its oversight service."""

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
    input_serializer_class = VisitInputSerializer
    ordering_fields = ["visited_on"]
    queryset = Visit.objects.none()

    def get_queryset(self) -> QuerySet[Visit]:
        return Visit.objects.visible_to(self.request.user).select_related("provider").order_by("-visited_on", "-pk")


class ConcernViewSet(_OversightViewSet):
    record_service = services.concern_record
    serializer_class = ConcernSerializer
    input_serializer_class = ConcernInputSerializer
    filterset_fields = [*_OversightViewSet.filterset_fields, "status", "severity"]
    ordering_fields = ["raised_on", "severity"]
    queryset = Concern.objects.none()

    def get_queryset(self) -> QuerySet[Concern]:
        return Concern.objects.visible_to(self.request.user).select_related("provider").order_by("-raised_on", "-pk")


class SanctionViewSet(_OversightViewSet):
    record_service = services.sanction_record
    serializer_class = SanctionSerializer
    input_serializer_class = SanctionInputSerializer
    ordering_fields = ["issued_on"]
    queryset = Sanction.objects.none()

    def get_queryset(self) -> QuerySet[Sanction]:
        return Sanction.objects.visible_to(self.request.user).select_related("provider").order_by("-issued_on", "-pk")


class ActionPlanViewSet(_OversightViewSet):
    record_service = services.action_plan_create
    serializer_class = ActionPlanSerializer
    input_serializer_class = ActionPlanInputSerializer
    filterset_fields = ["provider", "location", "contract", "status"]
    ordering_fields = ["agreed_on"]
    queryset = ActionPlan.objects.none()

    def get_queryset(self) -> QuerySet[ActionPlan]:
        return (
            ActionPlan.objects.visible_to(self.request.user)
            .select_related("provider")
            .prefetch_related(Prefetch("actions", queryset=PlanAction.objects.order_by("due_on", "pk")))
            .order_by("-agreed_on", "-pk")
        )


ROUTES: list[tuple[str, type[ServiceViewSet], str]] = [
    ("visits", VisitViewSet, "visit"),
    ("concerns", ConcernViewSet, "concern"),
    ("sanctions", SanctionViewSet, "sanction"),
    ("action-plans", ActionPlanViewSet, "actionplan"),
    # Alerts on contracts; and Procurement Act 2023 contract performance: notices, KPIs, results, assessments.
    *ALERT_ROUTES,
    *NOTICE_ROUTES,
    *PERFORMANCE_ROUTES,
]
