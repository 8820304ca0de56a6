"""API of the contract register, pooled budgets and the procurement work plan."""

import django_filters as filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from commissioning.api import ServiceViewSet
from commissioning.periods import financial_year_of
from providers.models import Location, Provider

from . import services
from .filters import ContractFilter, ProcurementProjectFilter
from .models import Contract, ContractChange, PooledBudget, ProcurementProject
from .selectors import contract_officers, contract_register, procurement_projects, work_plan_figures
from .serializers import (
    ChangeNoticeInputSerializer,
    ContractChangeInputSerializer,
    ContractChangeSerializer,
    ContractInputSerializer,
    ContractSerializer,
    DecisionInputSerializer,
    PooledBudgetSerializer,
    ProcurementFiguresQuerySerializer,
    ProcurementFiguresSerializer,
    ProcurementProjectInputSerializer,
    ProcurementProjectMoveInputSerializer,
    ProcurementProjectSerializer,
    ProcurementProjectUpdateSerializer,
    TerminationInputSerializer,
    TerminationNoticeInputSerializer,
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
    manager = filters.ModelChoiceFilter(
        field_name="contract_manager",
        queryset=lambda request: contract_officers(),
        method="filter_manager",
        label="Contract manager or backup (user ID)",
    )


@extend_schema_view(
    list=extend_schema(
        summary="The contract register",
        description="Filter as on the register page. needs_decision=true&within_months=N gives the needs-a-decision "
        "list: live contracts with no decision recorded whose latest possible end date has passed (always "
        "included, first) or falls within N months (12 if not given).",
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
        summary="Record the change notice (UK10) of a change, once published",
        request=ChangeNoticeInputSerializer,
        responses={200: ContractChangeSerializer},
    )
    @action(detail=True, methods=["post"], url_path=r"changes/(?P<change_pk>[0-9]+)/notice")
    def change_notice(self, request, pk=None, change_pk=None, **kwargs):
        contract = self.get_object()
        change = get_object_or_404(ContractChange.objects.visible_to(request.user), pk=change_pk, contract=contract)
        data = self.valid_input(serializer_class=ChangeNoticeInputSerializer)
        change = services.contract_change_record_notice(
            change=change,
            by=request.user,
            notice_id=data["change_notice_id"],
            published_on=data["change_notice_published_on"],
        )
        return Response(ContractChangeSerializer(change).data)

    @extend_schema(
        summary="Record the decision on the contract's end",
        description="Re-procure (with the successor contract, if known), bring in-house, decommission, extend (not "
        "for a contract past its end: record the extension as a change, with approved_by), roll on (with the "
        "reason) or ended (the contract becomes Expired on decided_on).",
        request=DecisionInputSerializer,
        responses={200: ContractSerializer},
    )
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None, **kwargs):
        contract = self.get_object()
        data = self.valid_input(serializer_class=DecisionInputSerializer)
        services.contract_record_decision(
            contract=contract,
            by=request.user,
            decision=data["reprocurement_decision"],
            decided_on=data["decided_on"],
            reason=data.get("reason") or "",
            successor=data.get("successor"),
        )
        return Response(self.get_serializer(self.get_output(contract)).data)

    @extend_schema(
        summary="Record a termination (UK11 data)",
        request=TerminationInputSerializer,
        responses={200: ContractSerializer},
    )
    @action(detail=True, methods=["post"])
    def termination(self, request, pk=None, **kwargs):
        contract = self.get_object()
        data = self.valid_input(serializer_class=TerminationInputSerializer)
        services.contract_record_termination(
            contract=contract,
            by=request.user,
            terminated_on=data["terminated_on"],
            extent=data["termination_extent"],
            reason=data["reason"],
            notice_id=data.get("notice_id") or "",
        )
        return Response(self.get_serializer(self.get_output(contract)).data)

    @extend_schema(
        summary="Record the termination notice's (UK11) identifier, once published",
        request=TerminationNoticeInputSerializer,
        responses={200: ContractSerializer},
    )
    @action(detail=True, methods=["post"], url_path="termination-notice")
    def termination_notice(self, request, pk=None, **kwargs):
        contract = self.get_object()
        data = self.valid_input(serializer_class=TerminationNoticeInputSerializer)
        services.contract_record_termination_notice(
            contract=contract, by=request.user, notice_id=data["termination_notice_id"]
        )
        return Response(self.get_serializer(self.get_output(contract)).data)


class PooledBudgetViewSet(ServiceViewSet):
    serializer_class = PooledBudgetSerializer
    filterset_fields = ["strategy", "contract", "arrangement_type"]
    ordering_fields = ["name", "total_value"]
    queryset = PooledBudget.objects.none()

    def get_queryset(self):
        return PooledBudget.objects.visible_to(self.request.user).order_by("name", "pk")


@extend_schema_view(
    list=extend_schema(
        summary="The procurement work plan",
        description="Filter by stage, work plan year (the financial year of a project's planned start, or of the "
        "day it closed for a delivered or abandoned one; 2018 is 2018/19) and directorate, as on the work plan page.",
    ),
    retrieve=extend_schema(summary="A procurement project"),
    create=extend_schema(summary="Add a project to the procurement work plan"),
    update=extend_schema(summary="Change a procurement project's details"),
    partial_update=extend_schema(summary="Change some of a procurement project's details"),
)
class ProcurementProjectViewSet(ServiceViewSet):
    serializer_class = ProcurementProjectSerializer
    extra_post_actions = True
    input_serializer_class = ProcurementProjectInputSerializer
    update_serializer_class = ProcurementProjectUpdateSerializer
    change_permission = "contracts.change_procurementproject"
    filterset_class = ProcurementProjectFilter
    ordering_fields = ["reference", "title", "planned_start", "go_live_date", "estimated_annual_value", "updated_at"]
    queryset = ProcurementProject.objects.none()

    def get_queryset(self):
        return procurement_projects(user=self.request.user)

    def do_create(self, data):
        return services.procurement_project_create(by=self.request.user, **data)

    def do_update(self, instance, data):
        return services.procurement_project_update(project=instance, by=self.request.user, **data)

    @extend_schema(
        summary="The work plan figures of a financial year",
        description="Delivered in the year (count, annual and full contract value), live and ongoing at its end "
        "(or today while it runs: count and annual value) and planned for the year after (count and estimated "
        "annual value), as the commercial team's annual report gives them.",
        parameters=[ProcurementFiguresQuerySerializer],
        responses={200: ProcurementFiguresSerializer},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def figures(self, request, **kwargs):
        query = ProcurementFiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or financial_year_of(timezone.localdate())
        figures = work_plan_figures(year=year, user=request.user, directorate=query.validated_data.get("directorate"))
        data = ProcurementFiguresSerializer(figures).data
        return Response(data)

    @extend_schema(
        summary="Move a project to its next stage",
        description="As on the project's page: delivered and abandoned close it (with the day it closed, and the "
        "reason for abandoning); a closed project moves no further.",
        request=ProcurementProjectMoveInputSerializer,
        responses={200: ProcurementProjectSerializer},
    )
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None, **kwargs):
        project = self.get_object()
        data = self.valid_input(serializer_class=ProcurementProjectMoveInputSerializer)
        services.procurement_project_move(
            project=project,
            by=request.user,
            stage=data["stage"],
            completed_on=data.get("completed_on"),
            reason=data.get("reason") or "",
        )
        return Response(self.get_serializer(self.get_output(project)).data)


ROUTES = [
    ("contracts", ContractViewSet, "contract"),
    ("pooled-budgets", PooledBudgetViewSet, "pooledbudget"),
    ("procurement-projects", ProcurementProjectViewSet, "procurementproject"),
]
