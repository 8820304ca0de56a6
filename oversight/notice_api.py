"""API of contract performance notices (UK9): read, draft from an assessment or a breach, approve, publish and
record the Central Digital Platform identifier, each through oversight.notices."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from commissioning.api import Conflict, ErrorSerializer, ServiceViewSet
from commissioning.listing import GovFilterSet

from . import notices
from .models import ContractPerformanceNotice
from .notice_serializers import (
    CdpNoticeIdSerializer,
    ContractPerformanceNoticeCreateSerializer,
    ContractPerformanceNoticeSerializer,
    NoActionInputSerializer,
)
from .services import TransitionNotAllowed


class ContractPerformanceNoticeFilter(GovFilterSet):
    """``period_from`` / ``period_to``: notices whose period ends on or after / starts on or before the date
    (so both together give the notices overlapping that span)."""

    period_from = django_filters.DateFilter(field_name="period_end", lookup_expr="gte", label="Period ends on or after")
    period_to = django_filters.DateFilter(
        field_name="period_start", lookup_expr="lte", label="Period starts on or before"
    )

    class Meta:
        model = ContractPerformanceNotice
        fields = ["contract", "status", "kind", "period_from", "period_to"]


_CONFLICT = {409: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(
        summary="Contract performance notices (UK9)",
        description="Notices of KPI assessments (section 71(2)) and of breaches (section 71(5)), latest period "
        "first. Filter by contract, status (draft, approved, published), kind and period (period_from, "
        "period_to: ISO dates).",
    ),
    retrieve=extend_schema(summary="A contract performance notice"),
    create=extend_schema(
        summary="Draft a notice",
        description="From a completed assessment of a contract the KPI duty applies to (due 30 days after the "
        "assessment), or from a breach that needs a section 71(5) notice (due 30 days after its consequence). "
        "Give one of assessment or breach.",
        request=ContractPerformanceNoticeCreateSerializer,
        responses={201: ContractPerformanceNoticeSerializer},
    ),
)
class ContractPerformanceNoticeViewSet(ServiceViewSet):
    serializer_class = ContractPerformanceNoticeSerializer
    input_serializer_class = ContractPerformanceNoticeCreateSerializer
    filterset_class = ContractPerformanceNoticeFilter
    ordering_fields = ["period_end", "due_on", "published_at"]
    queryset = ContractPerformanceNotice.objects.none()
    extra_post_actions = True

    def get_queryset(self):
        return notices.notice_list(user=self.request.user)

    def do_create(self, data):
        if data.get("assessment") is not None:
            return notices.performance_notice_create(by=self.request.user, assessment=data["assessment"])
        return notices.performance_notice_for_breach(by=self.request.user, breach=data["breach"])

    def _run(self, func, **kwargs):
        notice = self.get_object()
        try:
            notice = func(by=self.request.user, notice=notice, **kwargs)
        except TransitionNotAllowed as error:
            raise Conflict(" ".join(error.messages)) from None
        return Response(self.get_serializer(self.get_output(notice)).data)

    @extend_schema(
        summary="Approve a draft notice",
        description="Needs oversight.approve_contractperformancenotice and a second officer (not the author). "
        "Refused (400, naming each KPI) until every KPI in force has a rated result for the period with "
        "evidence attached. Fixes the notice's content. 409 if it is not a draft.",
        request=NoActionInputSerializer,
        responses={200: ContractPerformanceNoticeSerializer, **_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        return self._run(notices.performance_notice_approve)

    @extend_schema(
        summary="Publish an approved notice",
        description="Records who published it and when; from then on it never changes. 409 if not approved.",
        request=NoActionInputSerializer,
        responses={200: ContractPerformanceNoticeSerializer, **_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        return self._run(notices.performance_notice_publish)

    @extend_schema(
        summary="Record the Central Digital Platform identifier",
        description="Only on a published notice, and only once (409 otherwise).",
        request=CdpNoticeIdSerializer,
        responses={200: ContractPerformanceNoticeSerializer, **_CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="cdp-id")
    def cdp_id(self, request, *args, **kwargs):
        self.get_object()  # 404 before reading the body
        data = self.valid_input(serializer_class=CdpNoticeIdSerializer)
        return self._run(notices.performance_notice_record_cdp_id, cdp_notice_id=data["cdp_notice_id"])


ROUTES = [("contract-performance-notices", ContractPerformanceNoticeViewSet, "contractperformancenotice")]
