"""Quality frameworks (seed 004): a framework of a service or setting with tiers and their criteria, an enhanced
rate tied to a tier (the top one in the ASC Quality Framework), providers' assessed tiers with their dates, and
the enhanced rate withdrawn when monitoring finds standards fell, then reinstated once improvements are evidenced.

Frameworks and tiers are configuration administrators set (``oversight.add_qualityframework``,
``oversight.add_qualitytier``: no other role holds them); contract officers award tiers, withdraw and reinstate
(``oversight.add_providerqualitytier``, ``oversight.change_providerqualitytier``). A new assessment is a new row:
a provider's earlier assessments stay as history and its latest is the one in force.

Services are keyword-only and atomic, check the actor (``commissioning.permissions``) then the rules, and raise
ValidationError naming the field (TransitionNotAllowed for an award in the wrong state).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from commissioning import permissions
from commissioning.models import User
from providers.models import Location, Provider

from .models import ProviderQualityTier, ProviderQualityTierQuerySet, QualityFramework, QualityTier
from .services import TransitionNotAllowed

RateUnit = QualityTier.RateUnit


def _done_by(record: Any, by: User | None) -> None:
    record._history_user = by


# --- Frameworks and tiers (administrators) --------------------------------------------------------------------


def _check_framework(framework: QualityFramework) -> None:
    errors: dict[str, str] = {}
    if not framework.name.strip():
        errors["name"] = "Enter the framework's name."
    if not framework.service_area.strip():
        errors["service_area"] = "Enter the service or setting the framework covers, for example care homes."
    if framework.starts_on is None:
        errors["starts_on"] = "Enter the date the framework starts."
    elif framework.ends_on is not None and framework.ends_on < framework.starts_on:
        errors["ends_on"] = "The framework cannot end before it starts."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def quality_framework_create(
    *, by: User, name: str, service_area: str, starts_on: date, ends_on: date | None = None, description: str = ""
) -> QualityFramework:
    """Set up a quality framework (administrators)."""
    framework = QualityFramework(
        name=(name or "").strip(),
        service_area=(service_area or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        description=(description or "").strip(),
    )
    permissions.require(by, "oversight.add_qualityframework", framework)
    _check_framework(framework)
    _done_by(framework, by)
    framework.save()
    return framework


def _check_tier(tier: QualityTier) -> None:
    errors: dict[str, str] = {}
    if not tier.name.strip():
        errors["name"] = "Enter the tier's name."
    if not tier.criteria.strip():
        errors["criteria"] = "Enter what a service must show to be assessed at this tier."
    if tier.rank is None or tier.rank < 1:
        errors["rank"] = "Enter the tier's rank: 1 is the highest quality."
    elif QualityTier.objects.filter(framework=tier.framework, rank=tier.rank).exclude(pk=tier.pk).exists():
        errors["rank"] = f"The framework already has a tier ranked {tier.rank}."
    if tier.enhanced_rate is None:
        if tier.enhanced_rate_unit:
            errors["enhanced_rate"] = "Enter the enhanced rate, or leave its unit empty."
    elif tier.enhanced_rate <= 0:
        errors["enhanced_rate"] = "The enhanced rate must be more than 0."
    elif tier.enhanced_rate_unit not in RateUnit.values:
        errors["enhanced_rate_unit"] = "Say whether the enhanced rate is a percentage or pounds per week."
    elif tier.enhanced_rate_unit == RateUnit.PERCENT and tier.enhanced_rate > 100:
        errors["enhanced_rate"] = "An uplift of more than 100% is not an enhanced rate: check the figure."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def quality_tier_create(
    *,
    by: User,
    framework: QualityFramework,
    rank: int,
    name: str,
    criteria: str,
    enhanced_rate: Decimal | None = None,
    enhanced_rate_unit: str = "",
) -> QualityTier:
    """Add a tier to a framework (administrators), with the enhanced rate paid at it, if any."""
    tier = QualityTier(
        framework=framework,
        rank=rank,
        name=(name or "").strip(),
        criteria=(criteria or "").strip(),
        enhanced_rate=enhanced_rate,
        enhanced_rate_unit=enhanced_rate_unit or "",
    )
    permissions.require(by, "oversight.add_qualitytier", tier)
    _check_tier(tier)
    _done_by(tier, by)
    try:
        with transaction.atomic():
            tier.save()
    except IntegrityError as error:  # two administrators adding the same rank at once
        raise ValidationError({"rank": f"The framework already has a tier ranked {rank}."}) from error
    return tier


# --- Awards, withdrawals, reinstatements (contract officers) --------------------------------------------------


def _latest(framework: QualityFramework, provider: Provider, location: Location | None) -> ProviderQualityTier | None:
    return (
        ProviderQualityTier.objects.filter(framework=framework, provider=provider, location=location)
        .order_by("-assessed_on", "-pk")
        .first()
    )


@transaction.atomic
def quality_tier_award(
    *,
    by: User,
    framework: QualityFramework,
    provider: Provider,
    tier: QualityTier,
    assessed_on: date,
    location: Location | None = None,
    valid_until: date | None = None,
) -> ProviderQualityTier:
    """Record a provider's (or one of its locations') assessed tier on a framework. It replaces the provider's
    earlier assessment there, which is kept as history; assessments are recorded in date order."""
    award = ProviderQualityTier(
        framework=framework,
        provider=provider,
        location=location,
        tier=tier,
        assessed_on=assessed_on,
        valid_until=valid_until,
        recorded_by=by,
    )
    permissions.require(by, "oversight.add_providerqualitytier", award)
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if tier.framework_id != framework.pk:
        errors["tier"] = f"Choose one of the tiers of {framework.name}."
    if location is not None and location.provider_id != provider.pk:
        errors["location"] = "Choose one of this provider's locations."
    if assessed_on is None:
        errors["assessed_on"] = "Enter the date of the assessment."
    elif assessed_on > today:
        errors["assessed_on"] = "The date of the assessment must be today or in the past."
    elif assessed_on < framework.starts_on or (framework.ends_on is not None and assessed_on > framework.ends_on):
        errors["assessed_on"] = "The assessment must fall while the framework is in force."
    elif provider.exited_on is not None and assessed_on > provider.exited_on:
        errors["assessed_on"] = f"The provider left the market on {provider.exited_on:%d/%m/%Y}."
    else:
        previous = _latest(framework, provider, location)
        if previous is not None and previous.assessed_on > assessed_on:
            errors["assessed_on"] = (
                f"A later assessment ({previous.assessed_on:%d/%m/%Y}) is already recorded: record assessments in "
                "date order."
            )
    if valid_until is not None and assessed_on is not None and valid_until <= assessed_on:
        errors["valid_until"] = "The assessment must be valid until a date after it was made."
    if errors:
        raise ValidationError(errors)
    _done_by(award, by)
    award.save()
    return award


def _locked(award: ProviderQualityTier) -> ProviderQualityTier:
    return (
        ProviderQualityTier.objects.select_for_update(of=("self",)).select_related("tier", "framework").get(pk=award.pk)
    )


def _check_latest(award: ProviderQualityTier) -> None:
    latest = _latest(award.framework, award.provider, award.location)
    if latest is not None and latest.pk != award.pk:
        raise TransitionNotAllowed("A later assessment has replaced this one: withdraw or reinstate that one.")


@transaction.atomic
def quality_tier_withdraw(
    *, by: User, award: ProviderQualityTier, withdrawn_on: date, reason: str
) -> ProviderQualityTier:
    """Withdraw a provider's tier (and with it any enhanced rate) from ``withdrawn_on``, saying why: monitoring
    found standards fell. Only the provider's latest assessment, and only while it is not already withdrawn."""
    award = _locked(award)
    permissions.require(by, "oversight.change_providerqualitytier", award)
    _check_latest(award)
    if award.is_withdrawn:
        raise TransitionNotAllowed(f"This tier was already withdrawn on {award.withdrawn_on:%d/%m/%Y}.")
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why the tier is withdrawn: what monitoring found."
    if withdrawn_on is None:
        errors["withdrawn_on"] = "Enter the date it is withdrawn from."
    elif withdrawn_on > timezone.localdate():
        errors["withdrawn_on"] = "The date it is withdrawn must be today or in the past."
    elif withdrawn_on < award.assessed_on:
        errors["withdrawn_on"] = "A tier cannot be withdrawn before it was assessed."
    elif award.reinstated_on is not None and withdrawn_on < award.reinstated_on:
        errors["withdrawn_on"] = f"It was reinstated on {award.reinstated_on:%d/%m/%Y}: withdraw it after that."
    if errors:
        raise ValidationError(errors)
    award.withdrawn_on = withdrawn_on
    award.withdrawal_reason = reason
    award.reinstated_on = None
    _done_by(award, by)
    award.save(update_fields=["withdrawn_on", "withdrawal_reason", "reinstated_on", "updated_at"])
    return award


@transaction.atomic
def quality_tier_reinstate(*, by: User, award: ProviderQualityTier, reinstated_on: date) -> ProviderQualityTier:
    """Reinstate a withdrawn tier (and its enhanced rate) from ``reinstated_on``, once improvements are evidenced.
    The withdrawal and its reason stay on record."""
    award = _locked(award)
    permissions.require(by, "oversight.change_providerqualitytier", award)
    _check_latest(award)
    if not award.is_withdrawn:
        raise TransitionNotAllowed("This tier is not withdrawn.")
    assert award.withdrawn_on is not None
    if reinstated_on is None:
        raise ValidationError({"reinstated_on": "Enter the date it is reinstated from."})
    if reinstated_on > timezone.localdate():
        raise ValidationError({"reinstated_on": "The date it is reinstated must be today or in the past."})
    if reinstated_on < award.withdrawn_on:
        raise ValidationError(
            {"reinstated_on": f"It was withdrawn on {award.withdrawn_on:%d/%m/%Y}: reinstate it on or after that."}
        )
    award.reinstated_on = reinstated_on
    _done_by(award, by)
    award.save(update_fields=["reinstated_on", "updated_at"])
    return award


# --- Reads ----------------------------------------------------------------------------------------------------


def frameworks(*, user: User) -> QuerySet[QualityFramework]:
    """Frameworks the user may see, with their tiers in rank order."""
    return (
        QualityFramework.objects.visible_to(user)
        .prefetch_related(Prefetch("tiers", queryset=QualityTier.objects.order_by("rank")))
        .order_by("name")
    )


def awards(*, user: User, framework: QualityFramework | None = None) -> ProviderQualityTierQuerySet:
    """Every assessment the user may see (history included), newest first."""
    found = cast(ProviderQualityTierQuerySet, ProviderQualityTier.objects.visible_to(user))
    if framework is not None:
        found = found.filter(framework=framework)
    return found.select_related("framework", "provider", "location", "tier").order_by("-assessed_on", "-pk")


def current_awards(*, user: User, framework: QualityFramework | None = None) -> ProviderQualityTierQuerySet:
    """Each provider's (or location's) latest assessment: the tier it is on, withdrawn or not."""
    return awards(user=user, framework=framework).latest_per_service()


def on_enhanced_rate(
    *, user: User, framework: QualityFramework | None = None, today: date | None = None
) -> QuerySet[ProviderQualityTier]:
    """Who is on an enhanced rate today: a latest assessment, in force (valid and not withdrawn, or reinstated)
    at a tier that carries an enhanced rate."""
    today = today or timezone.localdate()
    return (
        current_awards(user=user, framework=framework)
        .in_force_on(today)
        .filter(tier__enhanced_rate__isnull=False)
        .order_by("provider__name", "location__name")
    )


def provider_quality(*, provider: Provider, user: User) -> list[ProviderQualityTier]:
    """The provider's latest assessment on each framework (for its page)."""
    return list(current_awards(user=user).filter(provider=provider))
