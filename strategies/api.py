"""API of strategies, outcomes and highlight reports (with the report workflow as actions)."""

import django_filters as filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from commissioning.api import Conflict, ErrorSerializer, PreconditionFailed, ResourceViewSet
from commissioning.drf import PreconditionRequired
from commissioning.models import Directorate, User
from commissioning.periods import FinancialQuarter

from . import selectors, services
from .models import CommissioningStrategy, HighlightReport, Outcome, Stage
from .selectors import strategy_list
from .serializers import (
    ApproveSerializer,
    BoardReviewSerializer,
    HighlightReportCreateSerializer,
    HighlightReportSerializer,
    OutcomeSerializer,
    ReturnSerializer,
    ScrutinyConsideredSerializer,
    StrategySerializer,
    VersionSerializer,
)


class StrategyFilter(filters.FilterSet):
    """The strategy list page's filters."""

    directorate = filters.ModelChoiceFilter(queryset=Directorate.objects.all())
    stage = filters.ChoiceFilter(choices=Stage.choices, method="filter_stage")
    rag = filters.ChoiceFilter(
        choices=[*HighlightReport.Rag.choices, ("none", "No RAG yet")],
        method="filter_rag",
        help_text="RAG of the latest highlight report.",
    )
    lead = filters.ModelChoiceFilter(field_name="commissioning_lead", queryset=User.objects.all())
    q = filters.CharFilter(method="filter_q", help_text="Name, purpose or summary contains.")

    class Meta:
        model = CommissioningStrategy
        fields: list[str] = []

    def filter_stage(self, queryset, name, value):
        return queryset.filter(**{f"stage_{value}": True})

    def filter_rag(self, queryset, name, value):
        if value == "none":
            return queryset.filter(Q(latest_rag__isnull=True) | Q(latest_rag=""))
        return queryset.filter(latest_rag=value)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(purpose__icontains=value) | Q(summary__icontains=value))


def _may_edit(user, strategy, perm: str) -> bool:
    return services.can_edit_strategy(user, strategy, perm)


@extend_schema_view(
    list=extend_schema(summary="Commissioning strategies", description="Filter as on the strategies page."),
    retrieve=extend_schema(summary="A commissioning strategy"),
)
class StrategyViewSet(ResourceViewSet):
    serializer_class = StrategySerializer
    filterset_class = StrategyFilter
    ordering_fields = ["name", "updated_at"]
    ordering = ["name"]
    queryset = CommissioningStrategy.objects.none()

    def get_queryset(self):
        return strategy_list().order_by("name")

    def may_write(self, user, obj) -> bool:
        return _may_edit(user, obj, "strategies.change_commissioningstrategy")

    def do_create(self, data):
        if not _may_edit(
            self.request.user,
            CommissioningStrategy(directorate=data["directorate"]),
            "strategies.add_commissioningstrategy",
        ):
            raise exceptions.PermissionDenied("You may add strategies only to your own directorate.")
        return services.save_with_history(instance=CommissioningStrategy(**data), by=self.request.user)

    def do_update(self, instance, data):
        if "directorate" in data and not _may_edit(
            self.request.user,
            CommissioningStrategy(directorate=data["directorate"]),
            "strategies.change_commissioningstrategy",
        ):
            raise exceptions.PermissionDenied("You may move strategies only into your own directorate.")
        for name, value in data.items():
            setattr(instance, name, value)
        return services.save_with_history(instance=instance, by=self.request.user)


class OutcomeViewSet(ResourceViewSet):
    serializer_class = OutcomeSerializer
    filterset_fields = ["strategy"]
    ordering_fields = ["order", "title"]
    queryset = Outcome.objects.select_related("strategy").order_by("strategy_id", "order", "pk")

    def may_write(self, user, obj) -> bool:
        return _may_edit(user, obj.strategy, "strategies.change_outcome")

    def do_create(self, data):
        if not _may_edit(self.request.user, data["strategy"], "strategies.add_outcome"):
            raise exceptions.PermissionDenied("You may add outcomes only to your own directorate's strategies.")
        return services.save_with_history(instance=Outcome(**data), by=self.request.user)

    def do_update(self, instance, data):
        if "strategy" in data and not _may_edit(self.request.user, data["strategy"], "strategies.change_outcome"):
            raise exceptions.PermissionDenied("You may move outcomes only to your own directorate's strategies.")
        for name, value in data.items():
            setattr(instance, name, value)
        return services.save_with_history(instance=instance, by=self.request.user)


class HighlightReportFilter(filters.FilterSet):
    class Meta:
        model = HighlightReport
        fields = ["strategy", "status", "year", "quarter", "rag"]


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
    list=extend_schema(summary="Highlight reports", description="Councillors see reports once submitted, not drafts."),
    retrieve=extend_schema(summary="A highlight report", description='The ETag header is the version, e.g. "3".'),
    create=extend_schema(
        summary="Start a quarter's draft report",
        request=HighlightReportCreateSerializer,
        responses={201: HighlightReportSerializer},
    ),
    update=extend_schema(
        summary="Edit a draft report",
        description="Send If-Match with the ETag you read, or the version field. A stale write is refused.",
        parameters=[IF_MATCH],
        responses={200: HighlightReportSerializer, **STALE},
    ),
    partial_update=extend_schema(
        summary="Edit some sections of a draft report",
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
        reports = HighlightReport.objects.select_related("strategy__directorate", "scrutiny_meeting").order_by(
            "strategy__name", "-year", "-quarter"
        )
        if not selectors.can_see_draft_reports(self.request.user):
            reports = reports.exclude(status=HighlightReport.Status.DRAFT)
        return reports

    def get_serializer_class(self):
        if self.action == "create":
            return HighlightReportCreateSerializer
        return super().get_serializer_class()

    def get_output(self, instance):
        return self.get_queryset().get(pk=instance.pk)

    def retrieve(self, request, *args, **kwargs):
        report = self.get_object()
        return Response(self.get_serializer(report).data, headers={"ETag": _etag(report)})

    def may_write(self, user, obj) -> bool:
        return _may_edit(user, obj.strategy, "strategies.change_highlightreport")

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
        strategy = data["strategy"]
        if not _may_edit(self.request.user, strategy, "strategies.add_highlightreport"):
            raise exceptions.PermissionDenied("You may start reports only for your own directorate's strategies.")
        period = FinancialQuarter(data["year"], data["quarter"]) if "year" in data else None
        return services.highlight_report_start_next(strategy=strategy, by=self.request.user, period=period)

    def create(self, request, *args, **kwargs):
        serializer = HighlightReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = self.get_output(self.do_create(dict(serializer.validated_data)))
        return Response(HighlightReportSerializer(report).data, status=201, headers={"ETag": _etag(report)})

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        report = self.get_object()
        serializer = self.get_serializer(report, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        return self._run(services.highlight_report_update, report, version=version, data=data)

    def _move(self, request, serializer_class, func, perm: str):
        report = self.get_object()
        if not request.user.has_perm(perm) or not _may_edit(request.user, report.strategy, perm):
            raise exceptions.PermissionDenied("Your role does not allow this move.")
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._run(func, report, **serializer.validated_data)

    @_workflow(
        "Submit to the board", VersionSerializer, "Send a complete draft to the Commissioning and Commercial Board."
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move(
            request, VersionSerializer, services.highlight_report_submit, "strategies.submit_highlightreport"
        )

    @_workflow("Record the board's review", BoardReviewSerializer, "Record the board's review and its comments.")
    @action(detail=True, methods=["post"], url_path="board-review")
    def board_review(self, request, pk=None):
        return self._move(
            request, BoardReviewSerializer, services.highlight_report_board_review, "strategies.review_highlightreport"
        )

    @_workflow(
        "Record scrutiny's consideration", ScrutinyConsideredSerializer, "The committee meeting that considered it."
    )
    @action(detail=True, methods=["post"], url_path="scrutiny-considered")
    def scrutiny_considered(self, request, pk=None):
        return self._move(
            request,
            ScrutinyConsideredSerializer,
            services.highlight_report_scrutiny_considered,
            "strategies.approve_highlightreport",
        )

    @_workflow("Record Executive approval", ApproveSerializer, "Freezes what the report shows.")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._move(
            request, ApproveSerializer, services.highlight_report_approve, "strategies.approve_highlightreport"
        )

    @_workflow("Return for changes", ReturnSerializer, "Back to draft, saying why.")
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_changes(self, request, pk=None):
        return self._move(
            request, ReturnSerializer, services.highlight_report_return, "strategies.review_highlightreport"
        )


ROUTES = [
    ("strategies", StrategyViewSet, "strategy"),
    ("outcomes", OutcomeViewSet, "outcome"),
    ("highlight-reports", HighlightReportViewSet, "highlightreport"),
]
