"""API of contract alerts (``/api/v1/contract-alerts/``: list what the user may see, acknowledge one) and of the
user's own alert rules (``/api/v1/contract-alert-rules/``: list, add and delete their own)."""

from __future__ import annotations

from typing import cast

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from commissioning import permissions
from commissioning.api import Conflict, ServiceViewSet
from commissioning.listing import GovFilterSet
from commissioning.models import User
from contracts.models import Contract

from . import alerts
from .alert_serializers import ContractAlertRuleInputSerializer, ContractAlertRuleSerializer, ContractAlertSerializer
from .models import ContractAlert, ContractAlertRule


class ContractAlertFilter(GovFilterSet):
    acknowledged = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True, label="Acknowledged"
    )
    contract = django_filters.ModelChoiceFilter(queryset=Contract.objects.all())

    class Meta:
        model = ContractAlert
        fields = ["acknowledged", "contract", "kind", "statutory"]


class _MayReadAlerts(BasePermission):
    """The acknowledge action is a POST, but it needs only the read right here: who may acknowledge is the
    service's rule (the manager, the backup, whoever was told, administrators), answered 403 otherwise."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("oversight.view_contractalert"))


class _IsOfficer(BasePermission):
    """Alert rules are each user's own (no role grants them by model): any council officer keeps their own."""

    def has_permission(self, request, view) -> bool:
        return permissions.is_officer(request.user)


@extend_schema_view(
    list=extend_schema(
        summary="Contract alerts",
        description="Alerts raised on contracts, newest first: every statutory and end-date alert, and your own "
        "alerts (?acknowledged=false for those still open; ?contract=, ?kind=, ?statutory=).",
    ),
    retrieve=extend_schema(summary="A contract alert"),
)
class ContractAlertViewSet(ServiceViewSet):
    serializer_class = ContractAlertSerializer
    filterset_class = ContractAlertFilter
    ordering_fields = ["created_at", "due_on", "acknowledged_at"]
    queryset = ContractAlert.objects.none()
    extra_post_actions = True

    def get_queryset(self):
        return alerts.contract_alerts(user=self.request.user).prefetch_related("recipients")

    @extend_schema(
        summary="Acknowledge an alert",
        description="Records who acknowledged it and when; an acknowledged alert is never escalated. Only the "
        "contract's manager, its backup, whoever the alert was sent or escalated to, or an administrator (403 "
        "otherwise); an alert is acknowledged once (409 after).",
        request=None,
        responses={200: ContractAlertSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, _MayReadAlerts])
    def acknowledge(self, request, pk=None, **kwargs):
        alert = self.get_object()
        try:
            alerts.alert_acknowledge(alert=alert, by=request.user)
        except alerts.AlertAlreadyAcknowledged as error:
            raise Conflict(str(error)) from None
        return Response(self.get_serializer(self.get_output(alert)).data)


@extend_schema_view(
    list=extend_schema(summary="Your own contract alerts", description="Your alert rules; no one else's."),
    retrieve=extend_schema(summary="One of your own contract alerts"),
    create=extend_schema(
        summary="Add your own contract alert",
        description="On a contract or on a register search (not both), lead_days before its date_kind date.",
    ),
    destroy=extend_schema(summary="Delete one of your own contract alerts"),
)
class ContractAlertRuleViewSet(ServiceViewSet):
    serializer_class = ContractAlertRuleSerializer
    input_serializer_class = ContractAlertRuleInputSerializer
    permission_classes = [IsAuthenticated, _IsOfficer]
    filterset_fields = ["contract", "date_kind"]
    ordering_fields = ["created_at"]
    queryset = ContractAlertRule.objects.none()

    def get_queryset(self):
        return alerts.alert_rules_of(user=self.request.user)

    def do_create(self, data):
        return alerts.alert_rule_create(user=self.request.user, **data)

    def do_delete(self, instance) -> None:
        alerts.alert_rule_delete(rule=instance, by=cast(User, self.request.user))


ROUTES = [
    ("contract-alerts", ContractAlertViewSet, "contractalert"),
    ("contract-alert-rules", ContractAlertRuleViewSet, "contractalertrule"),
]
