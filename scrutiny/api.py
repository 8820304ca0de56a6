"""API of committees, meetings, conclusions and report packs (rendering as an action that answers 202)."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from commissioning.api import Conflict, ErrorSerializer, ResourceViewSet

from . import selectors, services
from .models import Committee, Meeting, ScrutinyConclusion, ScrutinyPack
from .serializers import (
    CommitteeSerializer,
    MeetingSerializer,
    RenderRequestSerializer,
    RenderStatusSerializer,
    ScrutinyConclusionSerializer,
    ScrutinyPackSerializer,
)


class CommitteeViewSet(ResourceViewSet):
    serializer_class = CommitteeSerializer
    ordering_fields = ["name"]
    queryset = Committee.objects.order_by("name")


class MeetingViewSet(ResourceViewSet):
    serializer_class = MeetingSerializer
    filterset_fields = ["committee"]
    ordering_fields = ["date"]
    queryset = Meeting.objects.select_related("committee").order_by("-date", "pk")


class ScrutinyConclusionViewSet(ResourceViewSet):
    serializer_class = ScrutinyConclusionSerializer
    filterset_fields = ["strategy", "meeting"]
    ordering_fields = ["meeting__date"]
    queryset = ScrutinyConclusion.objects.select_related("meeting__committee").order_by("-meeting__date", "pk")

    def do_create(self, data):
        return services.conclusion_record(
            meeting=data["meeting"], strategy=data["strategy"], text=data["text"], by=self.request.user
        )


@extend_schema_view(
    list=extend_schema(summary="Scrutiny report packs", description="Councillors see published packs only."),
)
class ScrutinyPackViewSet(ResourceViewSet):
    serializer_class = ScrutinyPackSerializer
    filterset_fields = ["meeting", "status", "render_status"]
    ordering_fields = ["report_date"]
    queryset = ScrutinyPack.objects.none()
    extra_post_actions = True

    def get_queryset(self):
        packs = ScrutinyPack.objects.prefetch_related("appendices", "strategies").order_by("-report_date", "-pk")
        if not selectors.can_see_draft_packs(self.request.user):
            packs = packs.filter(status=ScrutinyPack.Status.PUBLISHED)
        return packs

    def _cover(self, data):
        return {name: data[name] for name in services.COVER_FIELDS if name in data}

    def do_create(self, data):
        return services.pack_create(
            meeting=data["meeting"], by=self.request.user, cover=self._cover(data), strategies=data["strategies"]
        )

    def do_update(self, instance, data):
        if "meeting" in data and data["meeting"] != instance.meeting:
            raise exceptions.ValidationError({"meeting": ["A pack cannot move to another meeting."]})
        strategies = data.get("strategies", [a.strategy for a in instance.appendices.select_related("strategy")])
        return services.pack_update(pack=instance, by=self.request.user, cover=self._cover(data), strategies=strategies)

    def _status_url(self, pack) -> str:
        return self.request.build_absolute_uri(reverse("v1:scrutinypack-render-status", args=[pack.pk]))

    @extend_schema(
        summary="Render the pack's PDF",
        description="Queues the rendering and answers 202 at once; poll the status URL (also the Location header).",
        request=RenderRequestSerializer,
        responses={
            202: RenderStatusSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Already being rendered."),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=ResourceViewSet.permission_classes)
    def render(self, request, pk=None):
        pack = self.get_object()
        if not request.user.has_perm("scrutiny.change_scrutinypack"):
            raise exceptions.PermissionDenied("Your role does not allow rendering packs.")
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

    @extend_schema(summary="Where the pack's rendering stands", responses={200: RenderStatusSerializer})
    @action(detail=True, methods=["get"], url_path="render-status")
    def render_status(self, request, pk=None):
        return Response(RenderStatusSerializer(self.get_object()).data)


ROUTES = [
    ("committees", CommitteeViewSet, "committee"),
    ("meetings", MeetingViewSet, "meeting"),
    ("scrutiny-conclusions", ScrutinyConclusionViewSet, "scrutinyconclusion"),
    ("scrutiny-packs", ScrutinyPackViewSet, "scrutinypack"),
]
