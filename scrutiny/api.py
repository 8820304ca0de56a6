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

from . import selectors, services
from .filters import DecisionFilter, ForwardPlanFilter, RecommendationFilter, ScrutinyStageFilter
from .models import (
    AgendaItem,
    Committee,
    Decision,
    ForwardPlanEntry,
    Meeting,
    PackSupplement,
    RecommendationAction,
    ScrutinyConclusion,
    ScrutinyPack,
    ScrutinyRecommendation,
    ScrutinyStage,
)
from .serializers import (
    CommitteeSerializer,
    DecisionRecordInputSerializer,
    DecisionRecordOutcomeInputSerializer,
    DecisionRecordSerializer,
    ForwardPlanDecisionInputSerializer,
    ForwardPlanDeferInputSerializer,
    ForwardPlanEntryInputSerializer,
    ForwardPlanEntrySerializer,
    MeetingSerializer,
    PackPublishInputSerializer,
    RecommendationCloseInputSerializer,
    RecommendationRespondInputSerializer,
    RenderRequestSerializer,
    RenderStatusSerializer,
    ScrutinyConclusionInputSerializer,
    ScrutinyConclusionSerializer,
    ScrutinyPackInputSerializer,
    ScrutinyPackSerializer,
    ScrutinyRecommendationInputSerializer,
    ScrutinyRecommendationSerializer,
    ScrutinyStageSerializer,
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
        revision = services.pack_publish(
            pack=pack,
            by=request.user,
            change_note=data.get("change_note", ""),
            late_publication_reason=data.get("late_publication_reason", ""),
        )
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


# --- Two-stage scrutiny and recommendations ---


@extend_schema_view(
    list=extend_schema(
        summary="Highlight reports' scrutiny stages",
        description="Each report's subject committee stages, then its Management Board and decision maker stages, "
        "with their meetings and conclusions. Filters: report, step, meeting.",
    )
)
class ScrutinyStageViewSet(ResourceViewSet):
    serializer_class = ScrutinyStageSerializer
    filterset_class = ScrutinyStageFilter
    ordering_fields = ["meeting__date"]
    queryset = ScrutinyStage.objects.none()

    def get_queryset(self):
        return (
            ScrutinyStage.objects.visible_to(self.request.user)
            .select_related("meeting__committee", "conclusion")
            .order_by("report", "meeting__date", "pk")
        )


@extend_schema_view(
    list=extend_schema(
        summary="Scrutiny recommendations",
        description="Committees' recommendations with the Executive's responses and the actions agreed. Filters: "
        "committee, status, overdue (true/false), year (financial year of the meeting, 2018 for 2018/19), "
        "quarter (1-4).",
    ),
    create=extend_schema(
        summary="Record a recommendation",
        request=ScrutinyRecommendationInputSerializer,
        responses={201: ScrutinyRecommendationSerializer},
    ),
    update=extend_schema(
        summary="Change a recommendation",
        request=ScrutinyRecommendationInputSerializer,
        responses=ScrutinyRecommendationSerializer,
    ),
    partial_update=extend_schema(
        summary="Change some of a recommendation",
        request=ScrutinyRecommendationInputSerializer,
        responses=ScrutinyRecommendationSerializer,
    ),
)
class ScrutinyRecommendationViewSet(ServiceViewSet):
    serializer_class = ScrutinyRecommendationSerializer
    input_serializer_class = ScrutinyRecommendationInputSerializer
    change_permission = "scrutiny.change_scrutinyrecommendation"
    filterset_class = RecommendationFilter
    ordering_fields = ["meeting__date", "response_due", "number"]
    queryset = ScrutinyRecommendation.objects.none()
    extra_post_actions = True

    def get_queryset(self):
        actions = RecommendationAction.objects.order_by("due_date", "pk")
        return selectors.recommendations_for_list(user=self.request.user).prefetch_related(
            Prefetch("actions", queryset=actions)
        )

    def do_create(self, data):
        return services.recommendation_create(by=self.request.user, data=data)

    def do_update(self, instance, data):
        return services.recommendation_update(recommendation=instance, by=self.request.user, data=data)

    @extend_schema(
        summary="Record the Executive's response",
        description="Accepted, partly accepted or rejected, with the reasons when not wholly accepted, who gave it "
        "and when (not before the committee's report reached the Executive, not in the future); an accepted or "
        "partly accepted recommendation needs at least one action.",
        request=RecommendationRespondInputSerializer,
        responses={200: ScrutinyRecommendationSerializer},
    )
    @action(detail=True, methods=["post"])
    def respond(self, request, *args, **kwargs):
        recommendation = self.get_object()
        data = self.valid_input(serializer_class=RecommendationRespondInputSerializer)
        recommendation = services.recommendation_respond(
            recommendation=recommendation,
            by=request.user,
            response=data["response"],
            reasons=data["response_reasons"],
            responded_by=data["responded_by"],
            responded_on=data["responded_on"],
            actions=[dict(a) for a in data["actions"]],
        )
        return Response(self.get_serializer(self.get_output(recommendation)).data)

    @extend_schema(
        summary="Close a recommendation",
        description="With a closing note, once every action is completed (a rejected recommendation may close "
        "straight away).",
        request=RecommendationCloseInputSerializer,
        responses={200: ScrutinyRecommendationSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        recommendation = self.get_object()
        data = self.valid_input(serializer_class=RecommendationCloseInputSerializer)
        recommendation = services.recommendation_close(
            recommendation=recommendation,
            by=request.user,
            closing_note=data["closing_note"],
            closed_on=data["closed_on"],
        )
        return Response(self.get_serializer(self.get_output(recommendation)).data)


ROUTES += [
    ("scrutiny-stages", ScrutinyStageViewSet, "scrutinystage"),
    ("scrutiny-recommendations", ScrutinyRecommendationViewSet, "scrutinyrecommendation"),
]


# --- Forward plan ----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="The forward plan of key decisions",
        description="Every entry, soonest decision first, each with the clear days' notice it gives and whether "
        "that is the 28 of regulation 9. Filters: decision_maker, from and to (dates of decision, as YYYY-MM-DD "
        "or whole months as YYYY-MM), key_decision, notice_route, status.",
    ),
    create=extend_schema(
        summary="Put a decision on the forward plan",
        request=ForwardPlanEntryInputSerializer,
        responses={201: ForwardPlanEntrySerializer},
    ),
    update=extend_schema(
        summary="Change a forward plan entry",
        request=ForwardPlanEntryInputSerializer,
        responses=ForwardPlanEntrySerializer,
    ),
    partial_update=extend_schema(
        summary="Change some of a forward plan entry",
        request=ForwardPlanEntryInputSerializer,
        responses=ForwardPlanEntrySerializer,
    ),
)
class ForwardPlanEntryViewSet(ServiceViewSet):
    serializer_class = ForwardPlanEntrySerializer
    input_serializer_class = ForwardPlanEntryInputSerializer
    filterset_class = ForwardPlanFilter
    ordering_fields = ["decision_due", "reference", "first_published"]
    queryset = ForwardPlanEntry.objects.none()
    change_permission = "scrutiny.change_forwardplanentry"
    extra_post_actions = True

    def get_queryset(self):
        return selectors.forward_plan_entries(user=self.request.user)

    @staticmethod
    def _fields(data) -> dict:
        return {name: data[name] for name in services.FORWARD_PLAN_FIELDS if name in data}

    @staticmethod
    def _links(data) -> dict:
        return {name: data.get(name) for name in ("contracts", "projects", "strategies")}

    def do_create(self, data):
        return services.forward_plan_entry_create(by=self.request.user, data=self._fields(data), **self._links(data))

    def do_update(self, instance, data):
        return services.forward_plan_entry_update(
            entry=instance, by=self.request.user, data=self._fields(data), **self._links(data)
        )

    @extend_schema(
        summary="Defer the decision",
        description="To a date after the current one; the notice is checked for the new date (28 clear days or "
        "more makes it an ordinary notice).",
        request=ForwardPlanDeferInputSerializer,
        responses={200: ForwardPlanEntrySerializer},
    )
    @action(detail=True, methods=["post"])
    def defer(self, request, *args, **kwargs):
        entry = self.get_object()
        data = self.valid_input(serializer_class=ForwardPlanDeferInputSerializer)
        entry = services.forward_plan_entry_defer(entry=entry, by=request.user, decision_due=data["decision_due"])
        return Response(self.get_serializer(self.get_output(entry)).data)

    @extend_schema(
        summary="Withdraw the decision from the plan", request=None, responses={200: ForwardPlanEntrySerializer}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        entry = services.forward_plan_entry_withdraw(entry=self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_output(entry)).data)

    @extend_schema(
        summary="Link the decision record",
        description="The entry's status follows the decision's outcome; once decided, the notice is checked for "
        "the date decided.",
        request=ForwardPlanDecisionInputSerializer,
        responses={200: ForwardPlanEntrySerializer},
    )
    @action(detail=True, methods=["post"])
    def decision(self, request, *args, **kwargs):
        entry = self.get_object()
        data = self.valid_input(serializer_class=ForwardPlanDecisionInputSerializer)
        entry = services.forward_plan_entry_link_decision(entry=entry, by=request.user, decision=data["decision"])
        return Response(self.get_serializer(self.get_output(entry)).data)


ROUTES += [("forward-plan", ForwardPlanEntryViewSet, "forwardplanentry")]
