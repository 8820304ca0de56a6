"""API of contract returns: reads through ``oversight.returns``' selectors, the submission through its service
(``POST …/{id}/submit/`` or ``PATCH …/{id}/``, the same input)."""

from __future__ import annotations

from typing import cast

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from commissioning.api import ServiceViewSet
from commissioning.listing import GovFilterSet
from commissioning.models import User
from contracts.models import Contract

from . import returns
from .models import ContractReturn, ReturnFinding
from .returns_serializers import ContractReturnSerializer, ContractReturnSubmitSerializer

STATUS_CHOICES = [("due", "Due"), ("overdue", "Overdue"), ("submitted", "Submitted")]


class ContractReturnFilter(GovFilterSet):
    contract = django_filters.ModelChoiceFilter(queryset=Contract.objects.all())
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status")
    mine = django_filters.BooleanFilter(method="filter_mine", label="Only contracts I manage or back up")
    period_from = django_filters.DateFilter(
        field_name="period_start", lookup_expr="gte", label="Periods starting on or after (yyyy-mm-dd)"
    )
    period_to = django_filters.DateFilter(
        field_name="period_end", lookup_expr="lte", label="Periods ending on or before (yyyy-mm-dd)"
    )

    class Meta:
        model = ContractReturn
        fields = ["contract", "status", "mine", "period_from", "period_to"]

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == "submitted":
            return queryset.filter(submitted_on__isnull=False)
        if value == "overdue":
            return queryset.filter(submitted_on__isnull=True, due_on__lt=today)
        return queryset.filter(submitted_on__isnull=True, due_on__gte=today)

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = self.request.user
        return queryset.filter(Q(contract__contract_manager=user) | Q(contract__backup_manager=user))


@extend_schema_view(
    list=extend_schema(
        summary="Contract returns",
        description="Each managed contract's monthly (or quarterly) return: the RAG risk rating and the JET grade, "
        "with its strengths, weaknesses and KPI descriptor. `status`: due, overdue or submitted.",
    ),
    partial_update=extend_schema(
        summary="Submit a return",
        description="The same as `submit/`: refused (400, errors by field) for a score that does not fit the "
        "weaknesses, an unknown rating, or a return already submitted.",
    ),
    update=extend_schema(summary="Submit a return (whole)"),
)
class ContractReturnViewSet(ServiceViewSet):
    serializer_class = ContractReturnSerializer
    input_serializer_class = ContractReturnSubmitSerializer
    change_permission = "oversight.change_contractreturn"
    filterset_class = ContractReturnFilter
    ordering_fields = ["period_start", "due_on", "submitted_on"]
    queryset = ContractReturn.objects.none()
    extra_post_actions = True

    def get_queryset(self) -> QuerySet[ContractReturn]:
        return (
            returns.returns_for(user=cast(User, self.request.user), mine=False)
            .prefetch_related(Prefetch("findings", queryset=ReturnFinding.objects.order_by("kind", "position", "pk")))
            .order_by("-period_start", "contract__reference")
        )

    def _submit(self, instance: ContractReturn, data: dict) -> ContractReturn:
        return returns.contract_return_submit(
            contract_return=instance,
            by=cast(User, self.request.user),
            risk_rating=data.get("risk_rating", ""),
            jet_score=data.get("jet_score"),
            commentary=data.get("commentary", ""),
            findings=data.get("findings", []),
        )

    def do_update(self, instance, data):
        return self._submit(instance, data)

    @extend_schema(
        summary="Submit a return",
        request=ContractReturnSubmitSerializer,
        responses={200: ContractReturnSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None, **kwargs):
        instance = self.get_object()
        data = self.valid_input(serializer_class=ContractReturnSubmitSerializer)
        done = self._submit(instance, data)
        return Response(self.get_serializer(self.get_output(done)).data)


ROUTES = [("contract-returns", ContractReturnViewSet, "contractreturn")]
