"""API of strategies, outcomes and highlight reports (with the report workflow as actions).

Thin: each write validates its input serializer and calls a service; what the service refuses (role,
directorate, rules) comes back as 403 or 400 naming the field, exactly as on the pages. Reads start from
``visible_to(user)``.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from commissioning import permissions
from commissioning.api import Conflict, ErrorSerializer, PreconditionFailed, ResourceViewSet, ServiceViewSet
from commissioning.drf import PreconditionRequired
from commissioning.periods import FinancialQuarter

from . import services
from .filters import HighlightReportFilter, SavingFilter, StrategyFilter
from .models import CommissioningStrategy, CycleStage, HighlightReport, Outcome, Saving
from .selectors import saving_list, saving_provider_check, strategy_list
from .serializers import (
    ApproveSerializer,
    BoardReviewSerializer,
    CycleStageSerializer,
    HighlightReportCreateSerializer,
    HighlightReportSerializer,
    HighlightReportUpdateSerializer,
    OutcomeInputSerializer,
    OutcomeSerializer,
    ProviderCheckSerializer,
    ReturnSerializer,
    SavingInputSerializer,
    SavingSerializer,
    ScrutinyConsideredSerializer,
    StrategyInputSerializer,
    StrategySerializer,
    VersionSerializer,
)


def _writes(name: str, input_serializer, output_serializer) -> dict:
    return {
        "create": extend_schema(summary=f"Add a {name}", request=input_serializer, responses={201: output_serializer}),
        "update": extend_schema(summary=f"Change a {name}", request=input_serializer, responses=output_serializer),
        "partial_update": extend_schema(
            summary=f"Change some fields of a {name}", request=input_serializer, responses=output_serializer
        ),
    }


@extend_schema_view(
    list=extend_schema(summary="Commissioning strategies", description="Filter as on the strategies page."),
    retrieve=extend_schema(summary="A commissioning strategy"),
    **_writes("commissioning strategy", StrategyInputSerializer, StrategySerializer),
)
class StrategyViewSet(ServiceViewSet):
    serializer_class = StrategySerializer
    input_serializer_class = StrategyInputSerializer
    change_permission = "strategies.change_commissioningstrategy"
    filterset_class = StrategyFilter
    ordering_fields = ["name", "updated_at"]
    ordering = ["name"]
    queryset = CommissioningStrategy.objects.none()

    def get_queryset(self):
        return strategy_list(user=self.request.user)

    def do_create(self, data):
        return services.strategy_create(by=self.request.user, data=data)

    def do_update(self, instance, data):
        return services.strategy_update(strategy=instance, by=self.request.user, data=data)


@extend_schema_view(**_writes("outcome", OutcomeInputSerializer, OutcomeSerializer))
class OutcomeViewSet(ServiceViewSet):
    serializer_class = OutcomeSerializer
    input_serializer_class = OutcomeInputSerializer
    change_permission = "strategies.change_outcome"
    filterset_fields = ["strategy"]
    ordering_fields = ["order", "title"]
    queryset = Outcome.objects.none()

    def get_queryset(self):
        return (
            Outcome.objects.visible_to(self.request.user)
            .select_related("strategy")
            .order_by("strategy_id", "order", "pk")
        )

    def do_create(self, data):
        strategy = data.pop("strategy")
        return services.outcome_create(strategy=strategy, by=self.request.user, data=data)

    def do_update(self, instance, data):
        return services.outcome_update(outcome=instance, by=self.request.user, data=data)


def _etag(report: HighlightReport) -> str:
    return f'"{report.version}"'


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The ETag you read, e.g. "3". Or send a "version" field in the body.',
)
STALE = {
    409: OpenApiResponse(ErrorSerializer, description="The version field is not the current one (changed since)."),
    412: OpenApiResponse(ErrorSerializer, description="If-Match is not the current ETag (changed since)."),
    428: OpenApiResponse(ErrorSerializer, description="Neither If-Match nor a version was sent."),
}


def _workflow(summary: str, request, description: str):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        parameters=[IF_MATCH],
        responses={200: HighlightReportSerializer, **STALE},
    )


@extend_schema_view(
    list=extend_schema(
        summary="Highlight reports",
        description="Officers see every report. Councillors see a report once it has gone to scrutiny (considered "
        "or approved, sent to a meeting, or printed in a published pack), never a draft.",
    ),
    retrieve=extend_schema(summary="A highlight report", description='The ETag header is the version, e.g. "3".'),
    create=extend_schema(
        summary="Start a quarter's draft report",
        request=HighlightReportCreateSerializer,
        responses={201: HighlightReportSerializer},
    ),
    update=extend_schema(
        summary="Edit a draft report",
        description="Send If-Match with the ETag you read, or the version field. A stale write is refused.",
        request=HighlightReportUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: HighlightReportSerializer, **STALE},
    ),
    partial_update=extend_schema(
        summary="Edit some sections of a draft report",
        request=HighlightReportUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: HighlightReportSerializer, **STALE},
    ),
)
class HighlightReportViewSet(ResourceViewSet):
    serializer_class = HighlightReportSerializer
    filterset_class = HighlightReportFilter
    ordering_fields = ["year", "quarter", "report_date", "updated_at"]
    queryset = HighlightReport.objects.none()
    extra_post_actions = True

    def get_queryset(self):
        return (
            HighlightReport.objects.visible_to(self.request.user)
            .select_related("strategy__directorate", "scrutiny_meeting")
            .order_by("strategy__name", "-year", "-quarter")
        )

    def retrieve(self, request, *args, **kwargs):
        report = self.get_object()
        return Response(self.get_serializer(report).data, headers={"ETag": _etag(report)})

    def may_write(self, user, obj) -> bool:
        return permissions.may(user, "strategies.change_highlightreport", obj)

    def _expected_version(self, body_version) -> int:
        """The version the client read: If-Match (412 if stale) or the version field (409 if stale)."""
        if_match = self.request.headers.get("If-Match")
        if if_match:
            try:
                return int(if_match.strip().removeprefix("W/").strip('"'))
            except ValueError:
                raise exceptions.ValidationError({"If-Match": ['Send the ETag you read, e.g. "3".']}) from None
        if body_version is None:
            raise PreconditionRequired()
        return body_version

    def _stale(self, error: services.StaleEdit):
        if self.request.headers.get("If-Match"):
            return PreconditionFailed(str(error))
        return Conflict(str(error))

    def _run(self, func, report, **kwargs):
        expected = self._expected_version(kwargs.pop("version", None))
        try:
            report = func(report=report, by=self.request.user, expected_version=expected, **kwargs)
        except services.StaleEdit as error:
            raise self._stale(error) from None
        except services.TransitionNotAllowed as error:
            raise Conflict(str(error)) from None
        report = self.get_output(report)
        return Response(self.get_serializer(report).data, headers={"ETag": _etag(report)})

    def do_create(self, data):
        period = FinancialQuarter(data["year"], data["quarter"]) if "year" in data else None
        return services.highlight_report_start_next(strategy=data["strategy"], by=self.request.user, period=period)

    def create(self, request, *args, **kwargs):
        serializer = HighlightReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = self.get_output(self.do_create(dict(serializer.validated_data)))
        return Response(HighlightReportSerializer(report).data, status=201, headers={"ETag": _etag(report)})

    def update(self, request, *args, **kwargs):
        report = self.get_object()
        serializer = HighlightReportUpdateSerializer(data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        return self._run(services.highlight_report_update, report, version=version, data=data)

    def _move(self, request, serializer_class, func, to_status: str):
        report = self.get_object()
        # The actor's role and directorate first: a refused move says so before any complaint about the input.
        services.require_move(report=report, to_status=to_status, by=request.user)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._run(func, report, **serializer.validated_data)

    # Each action takes the router's ``format`` keyword (the .json suffix routes), hence **kwargs.
    @_workflow(
        "Submit to the board", VersionSerializer, "Send a complete draft to the Commissioning and Commercial Board."
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        return self._move(
            request, VersionSerializer, services.highlight_report_submit, HighlightReport.Status.SUBMITTED
        )

    @_workflow("Record the board's review", BoardReviewSerializer, "Record the board's review and its comments.")
    @action(detail=True, methods=["post"], url_path="board-review")
    def board_review(self, request, *args, **kwargs):
        return self._move(
            request,
            BoardReviewSerializer,
            services.highlight_report_board_review,
            HighlightReport.Status.BOARD_REVIEWED,
        )

    @_workflow(
        "Record scrutiny's consideration", ScrutinyConsideredSerializer, "The committee meeting that considered it."
    )
    @action(detail=True, methods=["post"], url_path="scrutiny-considered")
    def scrutiny_considered(self, request, *args, **kwargs):
        return self._move(
            request,
            ScrutinyConsideredSerializer,
            services.highlight_report_scrutiny_considered,
            HighlightReport.Status.SCRUTINY_CONSIDERED,
        )

    @_workflow("Record Executive approval", ApproveSerializer, "Freezes what the report shows.")
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        return self._move(
            request, ApproveSerializer, services.highlight_report_approve, HighlightReport.Status.APPROVED
        )

    @_workflow("Return for changes", ReturnSerializer, "Back to draft, saying why.")
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_changes(self, request, *args, **kwargs):
        return self._move(request, ReturnSerializer, services.highlight_report_return, HighlightReport.Status.DRAFT)


# --- The commissioning cycle and savings ---------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Stages of the commissioning cycle",
        description="In cycle order: each phase followed by its finer stages. Set by administrators (admin or "
        "the cycle page); read-only here.",
    ),
    retrieve=extend_schema(summary="A stage of the commissioning cycle"),
)
class CycleStageViewSet(ResourceViewSet):
    serializer_class = CycleStageSerializer
    filterset_fields = ["parent", "active"]
    queryset = CycleStage.objects.none()

    def get_queryset(self):
        return CycleStage.objects.visible_to(self.request.user).select_related("parent").in_cycle_order()


@extend_schema_view(
    list=extend_schema(
        summary="Commissioning savings",
        description="Budgeted and achieved savings by directorate, strategy and financial year, with the "
        "variation (budgeted less achieved). Filter as on the savings page.",
    ),
    retrieve=extend_schema(summary="A commissioning saving"),
    **_writes("saving", SavingInputSerializer, SavingSerializer),
)
class SavingViewSet(ServiceViewSet):
    serializer_class = SavingSerializer
    input_serializer_class = SavingInputSerializer
    change_permission = "strategies.change_saving"
    filterset_class = SavingFilter
    ordering_fields = ["year", "reference", "budgeted", "achieved"]
    queryset = Saving.objects.none()

    def get_queryset(self):
        return saving_list(user=self.request.user).prefetch_related("contracts")

    def do_create(self, data):
        return services.saving_create(by=self.request.user, data=data)

    def do_update(self, instance, data):
        return services.saving_update(saving=instance, by=self.request.user, data=data)

    @extend_schema(
        summary="Providers other directorates also use",
        description="The providers (lead and other providers) of the contracts the saving touches who also hold "
        "live contracts in another directorate, with those directorates. Officers only: the register is theirs.",
        responses={200: ProviderCheckSerializer},
    )
    @action(detail=True, methods=["get"], url_path="provider-check")
    def provider_check(self, request, *args, **kwargs):
        saving = self.get_object()
        if not permissions.is_officer(request.user):
            raise exceptions.PermissionDenied("The provider check reads the contract register, which is officers'.")
        check = saving_provider_check(saving=saving)
        body = {
            "saving": saving.pk,
            "touched_provider_count": check.touched_provider_count,
            "providers": check.providers,
        }
        return Response(ProviderCheckSerializer(body).data)


ROUTES = [
    ("strategies", StrategyViewSet, "strategy"),
    ("outcomes", OutcomeViewSet, "outcome"),
    ("highlight-reports", HighlightReportViewSet, "highlightreport"),
    ("cycle-stages", CycleStageViewSet, "cyclestage"),
    ("savings", SavingViewSet, "saving"),
]
