"""API of the contract register and pooled budgets."""

import django_filters as filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from commissioning.api import ServiceViewSet
from providers.models import Location, Provider

from . import services
from .filters import ContractFilter
from .models import Contract, PooledBudget
from .selectors import contract_register
from .serializers import (
    ContractChangeInputSerializer,
    ContractChangeSerializer,
    ContractInputSerializer,
    ContractSerializer,
    DecisionInputSerializer,
    PooledBudgetSerializer,
)


def _strategy_model():
    # Looked up by name: strategies composes contracts, not the other way round.
    from django.apps import apps

    return apps.get_model("strategies", "CommissioningStrategy")


class ApiContractFilter(ContractFilter):
    # The register's filter, with a field_name the schema can type (the method still matches partners too).
    provider = filters.ModelChoiceFilter(
        field_name="lead_provider", queryset=Provider.objects.all(), method="filter_provider", label="Provider"
    )
    strategy = filters.ModelChoiceFilter(queryset=lambda request: _strategy_model().objects.all())


@extend_schema_view(
    list=extend_schema(
        summary="The contract register",
        description="Filter as on the register page.",
    ),
    retrieve=extend_schema(summary="A contract"),
    create=extend_schema(summary="Add a contract to the register"),
    update=extend_schema(summary="Change a contract's details"),
    partial_update=extend_schema(summary="Change some of a contract's details"),
)
class ContractViewSet(ServiceViewSet):
    serializer_class = ContractSerializer
    extra_post_actions = True
    input_serializer_class = ContractInputSerializer
    filterset_class = ApiContractFilter
    ordering_fields = ["reference", "title", "end_date", "maximum_end_date", "annual_value", "updated_at"]
    queryset = Contract.objects.none()

    def get_queryset(self):
        return contract_register(user=self.request.user).prefetch_related(
            Prefetch("other_providers", queryset=Provider.objects.only("pk")),
            Prefetch("locations", queryset=Location.objects.only("pk")),
        )

    def do_create(self, data):
        return services.contract_create(by=self.request.user, **data)

    def do_update(self, instance, data):
        return services.contract_update(contract=instance, by=self.request.user, **data)

    @extend_schema(
        summary="Record a variation, extension or novation",
        description="As on the contract's page: an extension takes the next option and moves the end date on, "
        "a novation moves the contract to another lead provider, and any change may add to the total value.",
        request=ContractChangeInputSerializer,
        responses={201: ContractChangeSerializer},
    )
    @action(detail=True, methods=["post"], url_path="changes")
    def changes(self, request, pk=None, **kwargs):
        contract = self.get_object()
        change = services.contract_record_change(
            contract=contract, by=request.user, **self.valid_input(serializer_class=ContractChangeInputSerializer)
        )
        return Response(ContractChangeSerializer(change).data, status=201)

    @extend_schema(
        summary="Record the re-procurement or extension decision",
        request=DecisionInputSerializer,
        responses={200: ContractSerializer},
    )
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None, **kwargs):
        contract = self.get_object()
        data = self.valid_input(serializer_class=DecisionInputSerializer)
        services.contract_record_decision(
            contract=contract, by=request.user, decision=data["reprocurement_decision"], decided_on=data["decided_on"]
        )
        return Response(self.get_serializer(self.get_output(contract)).data)


class PooledBudgetViewSet(ServiceViewSet):
    serializer_class = PooledBudgetSerializer
    filterset_fields = ["strategy", "contract", "arrangement_type"]
    ordering_fields = ["name", "total_value"]
    queryset = PooledBudget.objects.none()

    def get_queryset(self):
        return PooledBudget.objects.visible_to(self.request.user).order_by("name", "pk")


ROUTES = [
    ("contracts", ContractViewSet, "contract"),
    ("pooled-budgets", PooledBudgetViewSet, "pooledbudget"),
]
