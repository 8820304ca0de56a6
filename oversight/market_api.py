"""API of provider failure cases (``/api/v1/provider-failure-cases/``), market indicators
(``/api/v1/market-indicators/``), quality frameworks (``/api/v1/quality-frameworks/``, read only: administrators
set them up on the pages) and providers' quality tiers (``/api/v1/provider-quality-tiers/``): reads through the
selectors of oversight.market and oversight.quality, writes through their services."""

from __future__ import annotations

from typing import cast

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from commissioning.api import ServiceViewSet
from commissioning.listing import GovFilterSet
from commissioning.models import User
from providers.models import Provider

from . import market, quality
from .market_serializers import (
    MarketIndicatorInputSerializer,
    MarketIndicatorSerializer,
    ProviderFailureCaseCloseSerializer,
    ProviderFailureCaseInputSerializer,
    ProviderFailureCaseSerializer,
    ProviderFailureCaseUpdateSerializer,
    ProviderQualityTierInputSerializer,
    ProviderQualityTierSerializer,
    QualityFrameworkSerializer,
    QualityReinstateSerializer,
    QualityWithdrawSerializer,
)
from .models import MarketIndicator, ProviderFailureCase, ProviderQualityTier, QualityFramework


def _user(viewset) -> User:
    return cast(User, viewset.request.user)


class _MayChangeCase(BasePermission):
    """Closing a case is a POST that changes it: it needs the change right, not the add right."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("oversight.change_providerfailurecase"))


class _MayChangeTier(BasePermission):
    """Withdrawing or reinstating a tier is a POST that changes the assessment: it needs the change right."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("oversight.change_providerqualitytier"))


class ProviderFailureCaseFilter(GovFilterSet):
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all())

    class Meta:
        model = ProviderFailureCase
        fields = ["provider", "kind", "status", "novation"]


@extend_schema_view(
    list=extend_schema(
        summary="Provider failure cases",
        description="Closures, administrations, market exits and handbacks, with service users affected and moved, "
        "staff transferred and novation (?provider=, ?kind=, ?status=, ?novation=).",
    ),
    retrieve=extend_schema(summary="A provider failure case"),
    create=extend_schema(
        summary="Open a provider failure case",
        description="A closure names its location (marked closing from `announced_on`); moved ≤ affected; a "
        "novation names `novated_to`.",
    ),
    partial_update=extend_schema(summary="Update an open case's details"),
    update=extend_schema(summary="Update an open case's details (whole)"),
)
class ProviderFailureCaseViewSet(ServiceViewSet):
    serializer_class = ProviderFailureCaseSerializer
    input_serializer_class = ProviderFailureCaseInputSerializer
    update_serializer_class = ProviderFailureCaseUpdateSerializer
    change_permission = "oversight.change_providerfailurecase"
    filterset_class = ProviderFailureCaseFilter
    ordering_fields = ["announced_on", "ended_on"]
    queryset = ProviderFailureCase.objects.none()
    extra_post_actions = True

    def get_queryset(self) -> QuerySet[ProviderFailureCase]:
        return market.failure_cases(user=_user(self))

    def do_create(self, data):
        return market.failure_case_open(by=_user(self), **data)

    def do_update(self, instance, data):
        return market.failure_case_update(by=_user(self), case=instance, **data)

    @extend_schema(
        summary="Close a case",
        description="A closure case closes its location on `ended_on`; an administration or exit case records the "
        "provider's exit then (unless already recorded).",
        request=ProviderFailureCaseCloseSerializer,
        responses={200: ProviderFailureCaseSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsAuthenticated, _MayChangeCase],
    )
    def close(self, request, pk=None, **kwargs):
        case = self.get_object()
        data = self.valid_input(serializer_class=ProviderFailureCaseCloseSerializer)
        closed = market.failure_case_close(by=_user(self), case=case, **data)
        return Response(self.get_serializer(self.get_output(closed)).data)


class MarketIndicatorFilter(GovFilterSet):
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all())
    current = django_filters.BooleanFilter(method="filter_current", label="Only the current reading of each kind")

    class Meta:
        model = MarketIndicator
        fields = ["provider", "kind", "level", "current"]

    def filter_current(self, queryset, name, value):
        return queryset.current() if value else queryset


@extend_schema_view(
    list=extend_schema(
        summary="Market indicators",
        description="Readings of providers' market sustainability, Red / Amber / Green; the latest of each "
        "provider and kind is current (?current=true).",
    ),
    retrieve=extend_schema(summary="A market indicator reading"),
    create=extend_schema(summary="Record a market indicator", description="Red needs a `note` saying why."),
)
class MarketIndicatorViewSet(ServiceViewSet):
    serializer_class = MarketIndicatorSerializer
    input_serializer_class = MarketIndicatorInputSerializer
    filterset_class = MarketIndicatorFilter
    ordering_fields = ["recorded_on"]
    queryset = MarketIndicator.objects.none()

    def get_queryset(self) -> QuerySet[MarketIndicator]:
        return market.market_indicators(user=_user(self))

    def do_create(self, data):
        return market.market_indicator_record(by=_user(self), **data)


@extend_schema_view(
    list=extend_schema(summary="Quality frameworks", description="Frameworks with their tiers and enhanced rates."),
    retrieve=extend_schema(summary="A quality framework"),
)
class QualityFrameworkViewSet(ServiceViewSet):
    serializer_class = QualityFrameworkSerializer
    ordering_fields = ["name", "starts_on"]
    queryset = QualityFramework.objects.none()

    def get_queryset(self) -> QuerySet[QualityFramework]:
        return quality.frameworks(user=_user(self))


class ProviderQualityTierFilter(GovFilterSet):
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all())
    framework = django_filters.ModelChoiceFilter(queryset=QualityFramework.objects.all())
    current = django_filters.BooleanFilter(method="filter_current", label="Only each provider's latest assessment")
    enhanced_rate = django_filters.BooleanFilter(method="filter_enhanced", label="Only those on the enhanced rate")

    class Meta:
        model = ProviderQualityTier
        fields = ["provider", "framework", "tier", "current", "enhanced_rate"]

    def filter_current(self, queryset, name, value):
        return queryset.latest_per_service() if value else queryset

    def filter_enhanced(self, queryset, name, value):
        if not value:
            return queryset
        on_rate = quality.on_enhanced_rate(user=self.request.user).values("pk")
        return queryset.filter(pk__in=on_rate)


@extend_schema_view(
    list=extend_schema(
        summary="Providers' quality tiers",
        description="Every assessment, history included (?current=true for the latest of each; ?enhanced_rate=true "
        "for those on the enhanced rate today).",
    ),
    retrieve=extend_schema(summary="A provider's quality tier"),
    create=extend_schema(summary="Record a provider's assessed tier", description="Assessments go in date order."),
)
class ProviderQualityTierViewSet(ServiceViewSet):
    serializer_class = ProviderQualityTierSerializer
    input_serializer_class = ProviderQualityTierInputSerializer
    filterset_class = ProviderQualityTierFilter
    ordering_fields = ["assessed_on"]
    queryset = ProviderQualityTier.objects.none()
    extra_post_actions = True

    def get_queryset(self) -> QuerySet[ProviderQualityTier]:
        return quality.awards(user=_user(self))

    def do_create(self, data):
        return quality.quality_tier_award(by=_user(self), **data)

    @extend_schema(
        summary="Withdraw a tier",
        description="Stops any enhanced rate from `withdrawn_on`; `reason` is required.",
        request=QualityWithdrawSerializer,
        responses={200: ProviderQualityTierSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsAuthenticated, _MayChangeTier],
    )
    def withdraw(self, request, pk=None, **kwargs):
        award = self.get_object()
        data = self.valid_input(serializer_class=QualityWithdrawSerializer)
        done = quality.quality_tier_withdraw(by=_user(self), award=award, **data)
        return Response(self.get_serializer(self.get_output(done)).data)

    @extend_schema(
        summary="Reinstate a withdrawn tier",
        request=QualityReinstateSerializer,
        responses={200: ProviderQualityTierSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsAuthenticated, _MayChangeTier],
    )
    def reinstate(self, request, pk=None, **kwargs):
        award = self.get_object()
        data = self.valid_input(serializer_class=QualityReinstateSerializer)
        done = quality.quality_tier_reinstate(by=_user(self), award=award, **data)
        return Response(self.get_serializer(self.get_output(done)).data)


ROUTES = [
    ("provider-failure-cases", ProviderFailureCaseViewSet, "providerfailurecase"),
    ("market-indicators", MarketIndicatorViewSet, "marketindicator"),
    ("quality-frameworks", QualityFrameworkViewSet, "qualityframework"),
    ("provider-quality-tiers", ProviderQualityTierViewSet, "providerqualitytier"),
]
