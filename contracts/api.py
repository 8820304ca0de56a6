"""API of the contract register and pooled budgets."""

import django_filters as filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from commissioning.api import ResourceViewSet
from providers.models import Location, Provider

from . import services
from .filters import ContractFilter
from .models import Contract, PooledBudget
from .selectors import contract_register
from .serializers import ContractSerializer, PooledBudgetSerializer


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
class ContractViewSet(ResourceViewSet):
    serializer_class = ContractSerializer
    filterset_class = ApiContractFilter
    ordering_fields = ["reference", "title", "end_date", "maximum_end_date", "annual_value", "updated_at"]
    queryset = Contract.objects.none()

    def get_queryset(self):
        return contract_register().prefetch_related(
            Prefetch("other_providers", queryset=Provider.objects.only("pk")),
            Prefetch("locations", queryset=Location.objects.only("pk")),
        )

    def do_create(self, data):
        return services.contract_create(by=self.request.user, **data)

    def do_update(self, instance, data):
        return services.contract_update(contract=instance, by=self.request.user, **data)


class PooledBudgetViewSet(ResourceViewSet):
    serializer_class = PooledBudgetSerializer
    filterset_fields = ["strategy", "contract", "arrangement_type"]
    ordering_fields = ["name", "total_value"]
    queryset = PooledBudget.objects.order_by("name", "pk")


ROUTES = [
    ("contracts", ContractViewSet, "contract"),
    ("pooled-budgets", PooledBudgetViewSet, "pooledbudget"),
]
