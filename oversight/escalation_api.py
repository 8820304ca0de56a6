"""API of escalations and governance meetings: reads through oversight.escalation's and oversight.governance's
selectors, writes through their services."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from commissioning.api import ServiceViewSet
from commissioning.listing import GovFilterSet

from . import escalation as rules
from . import governance
from .escalation_serializers import (
    EscalationActionCompleteSerializer,
    EscalationActionInputSerializer,
    EscalationActionSerializer,
    EscalationCloseSerializer,
    EscalationDecisionSerializer,
    EscalationEventSerializer,
    EscalationMoveSerializer,
    EscalationOpenSerializer,
    EscalationSerializer,
    GovernanceMeetingInputSerializer,
    GovernanceMeetingSerializer,
)
from .models import Escalation, EscalationAction, EscalationEvent, EscalationStage, GovernanceItem, GovernanceMeeting


class EscalationFilter(GovFilterSet):
    status = django_filters.ChoiceFilter(choices=Escalation.Status.choices)
    stage = django_filters.ModelChoiceFilter(queryset=EscalationStage.objects.all())
    trigger_kind = django_filters.ChoiceFilter(choices=Escalation._meta.get_field("trigger_kind").choices)

    class Meta:
        model = Escalation
        fields = ["provider", "contract", "status", "stage", "trigger_kind"]


@extend_schema_view(
    list=extend_schema(
        summary="Escalations",
        description="Escalations ('Maximising Support, Minimising Risk') with their stage history, decisions, "
        "actions and who was told.",
    ),
    create=extend_schema(
        summary="Ask for support (open an escalation)",
        description="Opens at `stage`, else the officer-request trigger's stage, else the first stage; the stage's "
        "people are told.",
    ),
)
class EscalationViewSet(ServiceViewSet):
    serializer_class = EscalationSerializer
    input_serializer_class = EscalationOpenSerializer
    filterset_class = EscalationFilter
    ordering_fields = ["opened_on"]
    queryset = Escalation.objects.none()

    def get_queryset(self) -> QuerySet[Escalation]:
        return (
            Escalation.objects.visible_to(self.request.user)
            .select_related("provider", "contract", "stage")
            .prefetch_related(
                Prefetch(
                    "events", queryset=EscalationEvent.objects.select_related("stage").order_by("happened_on", "pk")
                ),
                Prefetch("actions", queryset=EscalationAction.objects.order_by("due_on", "pk")),
                "told_users",
            )
            .order_by("-opened_on", "-pk")
        )

    def do_create(self, data):
        return rules.escalation_open(by=self.request.user, **data)

    def _answer(self, escalation):
        return Response(self.get_serializer(self.get_output(escalation)).data)

    @extend_schema(
        summary="Move to another stage", request=EscalationMoveSerializer, responses={200: EscalationSerializer}
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None, **kwargs):
        data = self.valid_input(serializer_class=EscalationMoveSerializer)
        return self._answer(rules.escalation_move_stage(escalation=self.get_object(), by=request.user, **data))

    @extend_schema(
        summary="Record a decision", request=EscalationDecisionSerializer, responses={201: EscalationEventSerializer}
    )
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None, **kwargs):
        data = self.valid_input(serializer_class=EscalationDecisionSerializer)
        event = rules.escalation_record_decision(escalation=self.get_object(), by=request.user, **data)
        return Response(EscalationEventSerializer(event).data, status=201)

    @extend_schema(
        summary="Add an action", request=EscalationActionInputSerializer, responses={201: EscalationActionSerializer}
    )
    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None, **kwargs):
        data = self.valid_input(serializer_class=EscalationActionInputSerializer)
        record = rules.escalation_action_add(escalation=self.get_object(), by=request.user, **data)
        return Response(EscalationActionSerializer(record).data, status=201)

    @extend_schema(
        summary="Mark an action done",
        request=EscalationActionCompleteSerializer,
        responses={200: EscalationActionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="complete-action")
    def complete_action(self, request, pk=None, **kwargs):
        escalation = self.get_object()
        data = self.valid_input(serializer_class=EscalationActionCompleteSerializer)
        if data["action"].escalation_id != escalation.pk:
            raise exceptions.ValidationError({"action": ["That action is not on this escalation."]})
        record = rules.escalation_action_complete(by=request.user, **data)
        return Response(EscalationActionSerializer(record).data)

    @extend_schema(
        summary="Close the escalation",
        description="Refused (400) while any action on it is not done.",
        request=EscalationCloseSerializer,
        responses={200: EscalationSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, **kwargs):
        data = self.valid_input(serializer_class=EscalationCloseSerializer)
        return self._answer(rules.escalation_close(escalation=self.get_object(), by=request.user, **data))


class GovernanceMeetingFilter(GovFilterSet):
    kind = django_filters.ChoiceFilter(choices=GovernanceMeeting.Kind.choices)
    status = django_filters.ChoiceFilter(choices=GovernanceMeeting.Status.choices)

    class Meta:
        model = GovernanceMeeting
        fields = ["kind", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="Governance meetings",
        description="Contract Management Governance meetings and contracts causing concern reviews, with their "
        "agenda items and actions.",
    ),
    create=extend_schema(
        summary="Set up a meeting", description="Its agenda is built: the open escalations, or the month's list."
    ),
)
class GovernanceMeetingViewSet(ServiceViewSet):
    serializer_class = GovernanceMeetingSerializer
    input_serializer_class = GovernanceMeetingInputSerializer
    filterset_class = GovernanceMeetingFilter
    ordering_fields = ["held_on"]
    queryset = GovernanceMeeting.objects.none()

    def get_queryset(self) -> QuerySet[GovernanceMeeting]:
        return (
            GovernanceMeeting.objects.visible_to(self.request.user)
            .prefetch_related(
                Prefetch(
                    "items", queryset=GovernanceItem.objects.select_related("contract").order_by("position", "pk")
                ),
                Prefetch("actions", queryset=EscalationAction.objects.order_by("due_on", "pk")),
            )
            .order_by("-held_on", "-pk")
        )

    def do_create(self, data):
        return governance.governance_meeting_create(by=self.request.user, **data)


ROUTES = [
    ("escalations", EscalationViewSet, "escalation"),
    ("governance-meetings", GovernanceMeetingViewSet, "governancemeeting"),
]
