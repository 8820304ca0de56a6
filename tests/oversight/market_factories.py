"""Factories of market oversight records (helper D's): failure cases, market indicators, quality frameworks,
tiers and providers' assessed tiers, one subclass per state."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from oversight.models import (
    MarketIndicator,
    ProviderFailureCase,
    ProviderQualityTier,
    QualityFramework,
    QualityTier,
    Rag,
)

from ..factories import LocationFactory, ProviderFactory


class FailureCaseFactory(DjangoModelFactory):
    class Meta:
        model = ProviderFailureCase

    provider = factory.SubFactory(ProviderFactory)
    kind = ProviderFailureCase.Kind.HANDBACK
    announced_on = datetime.date(2018, 11, 5)
    summary = "The provider handed back the contract."


class ClosureCaseFactory(FailureCaseFactory):
    kind = ProviderFailureCase.Kind.CLOSURE
    location = factory.SubFactory(LocationFactory, provider=factory.SelfAttribute("..provider"))
    service_users_affected = 23
    summary = "The home closed for financial reasons."


class ClosedCaseFactory(FailureCaseFactory):
    status = ProviderFailureCase.Status.CLOSED
    ended_on = datetime.date(2018, 12, 14)


class MarketIndicatorFactory(DjangoModelFactory):
    class Meta:
        model = MarketIndicator

    provider = factory.SubFactory(ProviderFactory)
    kind = MarketIndicator.Kind.OCCUPANCY
    level = Rag.GREEN
    recorded_on = datetime.date(2026, 1, 5)


class HardToReplaceIndicatorFactory(MarketIndicatorFactory):
    kind = MarketIndicator.Kind.HARD_TO_REPLACE
    level = Rag.RED
    note = "The only provider of nursing beds in the district."


class QualityFrameworkFactory(DjangoModelFactory):
    class Meta:
        model = QualityFramework

    name = factory.Sequence(lambda n: f"Care home quality framework {n}")
    service_area = "Care homes"
    starts_on = datetime.date(2018, 4, 1)


class QualityTierFactory(DjangoModelFactory):
    class Meta:
        model = QualityTier

    framework = factory.SubFactory(QualityFrameworkFactory)
    rank = factory.Sequence(lambda n: n + 2)
    name = factory.Sequence(lambda n: f"Tier {n}")
    criteria = "Meets the framework's standards."


class TopTierFactory(QualityTierFactory):
    rank = 1
    name = "Gold"
    enhanced_rate = Decimal("25.00")
    enhanced_rate_unit = QualityTier.RateUnit.PER_WEEK


class ProviderQualityTierFactory(DjangoModelFactory):
    class Meta:
        model = ProviderQualityTier

    tier = factory.SubFactory(TopTierFactory)
    framework = factory.SelfAttribute("tier.framework")
    provider = factory.SubFactory(ProviderFactory)
    assessed_on = datetime.date(2025, 6, 1)


class WithdrawnQualityTierFactory(ProviderQualityTierFactory):
    withdrawn_on = datetime.date(2025, 9, 1)
    withdrawal_reason = "Monitoring found medicines errors."
