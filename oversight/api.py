"""API of what officers record against providers: visits, concerns, sanctions and action plans."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from commissioning.api import ServiceViewSet

from . import safeguarding, services
from .alert_api import ROUTES as ALERT_ROUTES
from .models import ActionPlan, Concern, PlanAction, Sanction, Visit
from .notice_api import ROUTES as NOTICE_ROUTES
from .performance_api import ROUTES as PERFORMANCE_ROUTES
from .serializers import (
    ActionPlanInputSerializer,
    ActionPlanSerializer,
    ConcernEnquiryInputSerializer,
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


@extend_schema_view(
    list=extend_schema(
        description="Concerns you may read: safeguarding concerns and serious incidents only to the provider's "
        "officers (the manager or backup of one of its live contracts, or who recorded it), safeguarding leads "
        "and administrators. Every safeguarding concern and serious incident listed is recorded as read."
    ),
    retrieve=extend_schema(description="Reading a safeguarding concern or serious incident is recorded."),
    partial_update=extend_schema(
        summary="Record or conclude a section 42 enquiry",
        description="On a safeguarding concern: `s42_reference` and `s42_started_on` record the enquiry (or "
        "correct it until it concludes); `s42_outcome` and `s42_concluded_on` conclude it.",
    ),
)
class ConcernViewSet(_OversightViewSet):
    record_service = services.concern_record
    serializer_class = ConcernSerializer
    input_serializer_class = ConcernInputSerializer
    update_serializer_class = ConcernEnquiryInputSerializer
    change_permission = "oversight.change_concern"
    filterset_fields = [*_OversightViewSet.filterset_fields, "status", "severity"]
    ordering_fields = ["raised_on", "severity"]
    queryset = Concern.objects.none()

    def get_queryset(self) -> QuerySet[Concern]:
        return Concern.objects.visible_to(self.request.user).select_related("provider").order_by("-raised_on", "-pk")

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        safeguarding.audit_concern_reads(user=request.user, concerns=rows, via="api")
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        concern = self.get_object()
        safeguarding.audit_concern_reads(user=request.user, concerns=[concern], via="api")
        return Response(self.get_serializer(concern).data)

    @transaction.atomic
    def do_update(self, instance, data):
        by = self.request.user
        records = "s42_reference" in data or "s42_started_on" in data
        concludes = "s42_outcome" in data or "s42_concluded_on" in data
        if not (records or concludes):
            raise ValidationError(
                {"s42_reference": "Give the enquiry's reference and start date, or its outcome and conclusion date."}
            )
        concern = instance
        if records:
            concern = safeguarding.concern_enquiry_record(
                concern=concern,
                by=by,
                s42_reference=data.get("s42_reference", concern.s42_reference) or "",
                s42_started_on=data.get("s42_started_on", concern.s42_started_on),
            )
        if concludes:
            concern = safeguarding.concern_enquiry_conclude(
                concern=concern,
                by=by,
                s42_outcome=data.get("s42_outcome") or "",
                s42_concluded_on=data.get("s42_concluded_on"),
            )
        return concern


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
from .returns_api import ROUTES as RETURN_ROUTES  # noqa: E402

ROUTES += RETURN_ROUTES
from .escalation_api import ROUTES as ESCALATION_ROUTES  # noqa: E402

ROUTES += ESCALATION_ROUTES
from .market_api import ROUTES as MARKET_ROUTES  # noqa: E402

ROUTES += MARKET_ROUTES
