"""API of the contract register, pooled budgets and contract oversight records."""

import django_filters as filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from commissioning.api import ResourceViewSet
from providers.models import Location, Provider

from . import oversight, services
from .filters import ContractFilter
from .models import ActionPlan, Concern, Contract, PooledBudget, Sanction, Visit
from .selectors import contract_register
from .serializers import (
    ActionPlanSerializer,
    ConcernSerializer,
    ContractSerializer,
    PooledBudgetSerializer,
    SanctionSerializer,
    VisitSerializer,
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


class _OversightViewSet(ResourceViewSet):
    """What officers record against providers; each created through its contracts.oversight service."""

    filterset_fields = ["provider", "location", "contract", "kind"]
    record_service = None

    def do_create(self, data):
        return type(self).record_service(by=self.request.user, **data)


class VisitViewSet(_OversightViewSet):
    record_service = oversight.visit_record
    serializer_class = VisitSerializer
    ordering_fields = ["visited_on"]
    queryset = Visit.objects.select_related("provider").order_by("-visited_on", "-pk")


class ConcernViewSet(_OversightViewSet):
    record_service = oversight.concern_record
    serializer_class = ConcernSerializer
    filterset_fields = [*_OversightViewSet.filterset_fields, "status", "severity"]
    ordering_fields = ["raised_on", "severity"]
    queryset = Concern.objects.select_related("provider").order_by("-raised_on", "-pk")


class SanctionViewSet(_OversightViewSet):
    record_service = oversight.sanction_record
    serializer_class = SanctionSerializer
    ordering_fields = ["issued_on"]
    queryset = Sanction.objects.select_related("provider").order_by("-issued_on", "-pk")


class ActionPlanViewSet(_OversightViewSet):
    record_service = oversight.action_plan_create
    serializer_class = ActionPlanSerializer
    filterset_fields = ["provider", "location", "contract", "status"]
    ordering_fields = ["agreed_on"]
    queryset = ActionPlan.objects.select_related("provider").prefetch_related("actions").order_by("-agreed_on", "-pk")


ROUTES = [
    ("contracts", ContractViewSet, "contract"),
    ("pooled-budgets", PooledBudgetViewSet, "pooledbudget"),
    ("visits", VisitViewSet, "visit"),
    ("concerns", ConcernViewSet, "concern"),
    ("sanctions", SanctionViewSet, "sanction"),
    ("action-plans", ActionPlanViewSet, "actionplan"),
]
