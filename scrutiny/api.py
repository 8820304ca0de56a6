"""API of committees, meetings, conclusions and report packs (rendering as an action that answers 202).

Thin: each write validates its input serializer and calls a service; reads start from ``visible_to(user)``.
"""

from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from commissioning.api import Conflict, ErrorSerializer, ResourceViewSet, ServiceViewSet
from strategies.models import HighlightReport

from . import services
from .filters import DecisionFilter
from .models import AgendaItem, Committee, Decision, Meeting, PackSupplement, ScrutinyConclusion, ScrutinyPack
from .serializers import (
    CommitteeSerializer,
    DecisionRecordInputSerializer,
    DecisionRecordOutcomeInputSerializer,
    DecisionRecordSerializer,
    MeetingSerializer,
    PackPublishInputSerializer,
    RenderRequestSerializer,
    RenderStatusSerializer,
    ScrutinyConclusionInputSerializer,
    ScrutinyConclusionSerializer,
    ScrutinyPackInputSerializer,
    ScrutinyPackSerializer,
)


class CommitteeViewSet(ResourceViewSet):
    serializer_class = CommitteeSerializer
    ordering_fields = ["name"]
    queryset = Committee.objects.none()

    def get_queryset(self):
        return Committee.objects.visible_to(self.request.user).order_by("name")


class MeetingViewSet(ResourceViewSet):
    serializer_class = MeetingSerializer
    filterset_fields = ["committee"]
    ordering_fields = ["date"]
    queryset = Meeting.objects.none()

    def get_queryset(self):
        agenda = AgendaItem.objects.visible_to(self.request.user).select_related("supplement").order_by("number")
        return (
            Meeting.objects.visible_to(self.request.user)
            .select_related("committee")
            .prefetch_related(Prefetch("agenda_items", queryset=agenda, to_attr="visible_agenda"))
            .order_by("-date", "pk")
        )


@extend_schema_view(
    create=extend_schema(
        summary="Record a committee's conclusions about a strategy",
        request=ScrutinyConclusionInputSerializer,
        responses={201: ScrutinyConclusionSerializer},
    )
)
class ScrutinyConclusionViewSet(ServiceViewSet):
    serializer_class = ScrutinyConclusionSerializer
    input_serializer_class = ScrutinyConclusionInputSerializer
    filterset_fields = ["strategy", "meeting"]
    ordering_fields = ["meeting__date"]
    queryset = ScrutinyConclusion.objects.none()

    def get_queryset(self):
        return (
            ScrutinyConclusion.objects.visible_to(self.request.user)
            .select_related("meeting__committee")
            .order_by("-meeting__date", "pk")
        )

    def do_create(self, data):
        return services.conclusion_record(
            meeting=data["meeting"], strategy=data["strategy"], text=data["text"], by=self.request.user
        )


@extend_schema_view(
    list=extend_schema(summary="Scrutiny report packs", description="Councillors see published packs only."),
    create=extend_schema(
        summary="Start a draft pack", request=ScrutinyPackInputSerializer, responses={201: ScrutinyPackSerializer}
    ),
    update=extend_schema(
        summary="Change a draft pack", request=ScrutinyPackInputSerializer, responses=ScrutinyPackSerializer
    ),
    partial_update=extend_schema(
        summary="Change some of a draft pack", request=ScrutinyPackInputSerializer, responses=ScrutinyPackSerializer
    ),
)
class ScrutinyPackViewSet(ServiceViewSet):
    serializer_class = ScrutinyPackSerializer
    input_serializer_class = ScrutinyPackInputSerializer
    filterset_fields = ["meeting", "status", "render_status"]
    ordering_fields = ["report_date"]
    queryset = ScrutinyPack.objects.none()
    extra_post_actions = True

    def get_queryset(self):
        return (
            ScrutinyPack.objects.visible_to(self.request.user)
            .prefetch_related(
                "appendices",
                "strategies",
                "revisions",
                Prefetch(
                    "supplements",
                    queryset=PackSupplement.objects.visible_to(self.request.user)
                    .prefetch_related("items")
                    .order_by("number"),
                    to_attr="visible_supplements",
                ),
            )
            .order_by("-report_date", "-pk")
        )

    def _cover(self, data):
        return {name: data[name] for name in services.COVER_FIELDS if name in data}

    def do_create(self, data):
        return services.pack_create(
            meeting=data["meeting"], by=self.request.user, cover=self._cover(data), strategies=data.get("strategies")
        )

    def do_update(self, instance, data):
        return services.pack_update(
            pack=instance,
            by=self.request.user,
            cover=self._cover(data),
            strategies=data.get("strategies"),
            meeting=data.get("meeting"),
        )

    def _status_url(self, pack) -> str:
        return self.request.build_absolute_uri(reverse("v1:scrutinypack-render-status", args=[pack.pk]))

    # Each action takes the router's ``format`` keyword (the .json suffix routes), hence **kwargs.
    @extend_schema(
        summary="Render the pack's PDF",
        description="Queues the rendering and answers 202 at once; poll the status URL (also the Location header).",
        request=RenderRequestSerializer,
        responses={
            202: RenderStatusSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Already being rendered, or published."),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=ResourceViewSet.permission_classes)
    def render(self, request, *args, **kwargs):
        pack = self.get_object()
        serializer = RenderRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            pack = services.pack_request_render(pack=pack, by=request.user, force=serializer.validated_data["force"])
        except services.RenderNotAllowed as error:
            raise Conflict(str(error)) from None
        pack.refresh_from_db()
        status_url = self._status_url(pack)
        body = {**RenderStatusSerializer(pack).data, "status_url": status_url}
        return Response(body, status=202, headers={"Location": status_url})

    @extend_schema(
        summary="Publish the pack to the committee's members",
        description="Publishes the rendered pack as its next revision (the PDF's bytes, checksum and page count "
        "are kept and never change); its members are told. The pack must have been rendered from what it holds "
        "now. A revision after the first needs change_note, saying what changed.",
        request=PackPublishInputSerializer,
        responses={200: ScrutinyPackSerializer},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        pack = self.get_object()
        data = self.valid_input(serializer_class=PackPublishInputSerializer)
        revision = services.pack_publish(pack=pack, by=request.user, change_note=data.get("change_note", ""))
        return Response(self.get_serializer(self.get_output(revision.pack)).data)

    @extend_schema(
        summary="Start the next revision of a published pack",
        description="The pack becomes a draft to change, render and publish again (with change_note); members "
        "keep reading its published revisions, which never change.",
        request=None,
        responses={200: ScrutinyPackSerializer},
    )
    @action(detail=True, methods=["post"])
    def revise(self, request, *args, **kwargs):
        pack = services.pack_revise(pack=self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_output(pack)).data)

    @extend_schema(summary="Where the pack's rendering stands", responses={200: RenderStatusSerializer})
    @action(detail=True, methods=["get"], url_path="render-status")
    def render_status(self, request, *args, **kwargs):
        return Response(RenderStatusSerializer(self.get_object()).data)


@extend_schema_view(
    list=extend_schema(
        summary="Decision records",
        description="The decision makers' reports (seed 000's Executive report) and their outcomes. Filters: "
        "outcome, key_decision, year (of the report's date).",
    ),
    create=extend_schema(
        summary="Record a decision", request=DecisionRecordInputSerializer, responses={201: DecisionRecordSerializer}
    ),
    update=extend_schema(
        summary="Change a decision", request=DecisionRecordInputSerializer, responses=DecisionRecordSerializer
    ),
    partial_update=extend_schema(
        summary="Change some of a decision", request=DecisionRecordInputSerializer, responses=DecisionRecordSerializer
    ),
)
class DecisionViewSet(ServiceViewSet):
    serializer_class = DecisionRecordSerializer
    input_serializer_class = DecisionRecordInputSerializer
    filterset_class = DecisionFilter
    ordering_fields = ["report_date", "reference", "decided_on"]
    queryset = Decision.objects.none()
    extra_post_actions = True

    def get_queryset(self):
        user = self.request.user
        return (
            Decision.objects.visible_to(user)
            .prefetch_related(
                "strategies",
                Prefetch(
                    "reports",
                    queryset=HighlightReport.objects.visible_to(user).order_by("pk"),
                    to_attr="visible_reports",
                ),
                Prefetch(
                    "packs",
                    queryset=ScrutinyPack.objects.visible_to(user).select_related("meeting").order_by("-report_date"),
                    to_attr="visible_packs",
                ),
            )
            .order_by("-report_date", "reference")
        )

    @staticmethod
    def _fields(data) -> dict:
        return {name: data[name] for name in services.DECISION_FIELDS if name in data}

    def do_create(self, data):
        return services.decision_create(
            by=self.request.user,
            data=self._fields(data),
            strategies=data.get("strategies"),
            reports=data.get("reports"),
        )

    def do_update(self, instance, data):
        return services.decision_update(
            decision=instance,
            by=self.request.user,
            data=self._fields(data),
            strategies=data.get("strategies"),
            reports=data.get("reports"),
        )

    @extend_schema(
        summary="Record what the decision maker decided",
        description="The outcome and the date decided (needed unless the outcome is pending; not before the "
        "report's date), with the decision as recorded.",
        request=DecisionRecordOutcomeInputSerializer,
        responses={200: DecisionRecordSerializer},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request, *args, **kwargs):
        decision = self.get_object()
        data = self.valid_input(serializer_class=DecisionRecordOutcomeInputSerializer)
        decision = services.decision_record_outcome(
            decision=decision,
            by=request.user,
            outcome=data["outcome"],
            decided_on=data.get("decided_on"),
            outcome_notes=data.get("outcome_notes", ""),
        )
        return Response(self.get_serializer(self.get_output(decision)).data)


ROUTES = [
    ("committees", CommitteeViewSet, "committee"),
    ("meetings", MeetingViewSet, "meeting"),
    ("scrutiny-conclusions", ScrutinyConclusionViewSet, "scrutinyconclusion"),
    ("scrutiny-packs", ScrutinyPackViewSet, "scrutinypack"),
    ("decisions", DecisionViewSet, "decision"),
]
