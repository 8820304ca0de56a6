"""Quality frameworks (seed 004), through the services: tiers set up by administrators with the enhanced rate tied
to a tier; providers' assessed tiers in date order with their history; a withdrawal needs a reason and stops the
enhanced rate until the tier is reinstated; who is on the enhanced rate today."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from oversight import quality
from oversight.models import ProviderQualityTier, QualityTier
from oversight.services import TransitionNotAllowed

from ..factories import LocationFactory, ProviderFactory
from .market_factories import (
    ProviderQualityTierFactory,
    QualityFrameworkFactory,
    QualityTierFactory,
    TopTierFactory,
    WithdrawnQualityTierFactory,
)
from .notice_helpers import officer

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def by():
    return officer("quality-officer")


def test_an_administrator_sets_up_a_framework_with_the_enhanced_rate_on_the_top_tier(administrator):
    framework = quality.quality_framework_create(
        by=administrator, name="ASC Quality Framework", service_area="Care homes", starts_on=D(2018, 4, 1)
    )
    top = quality.quality_tier_create(
        by=administrator,
        framework=framework,
        rank=1,
        name="Enhanced quality",
        criteria="Meets every standard and the enhanced standards.",
        enhanced_rate=Decimal("30.00"),
        enhanced_rate_unit=QualityTier.RateUnit.PER_WEEK,
    )
    quality.quality_tier_create(by=administrator, framework=framework, rank=2, name="Standard", criteria="Meets it.")

    assert [t.rank for t in framework.tiers.order_by("rank")] == [1, 2]
    assert top.enhanced_rate_display == "£30.00 a week uplift"


def test_contract_officers_do_not_set_up_frameworks_or_tiers(by):
    with pytest.raises(PermissionDenied):
        quality.quality_framework_create(by=by, name="A framework", service_area="Care homes", starts_on=D(2018, 4, 1))
    with pytest.raises(PermissionDenied):
        quality.quality_tier_create(by=by, framework=QualityFrameworkFactory(), rank=1, name="Top", criteria="All.")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"criteria": ""}, "criteria"),
        ({"rank": 0}, "rank"),
        ({"rank": "taken"}, "rank"),
        ({"enhanced_rate": Decimal("0")}, "enhanced_rate"),
        ({"enhanced_rate": Decimal("5")}, "enhanced_rate_unit"),
        ({"enhanced_rate_unit": "percent"}, "enhanced_rate"),
        ({"enhanced_rate": Decimal("150"), "enhanced_rate_unit": "percent"}, "enhanced_rate"),
    ],
)
def test_a_tier_is_refused_naming_the_field(administrator, overrides, field):
    framework = QualityFrameworkFactory()
    if overrides.get("rank") == "taken":
        QualityTierFactory(framework=framework, rank=1)
        overrides["rank"] = 1
    values = {"rank": 1, "name": "Top", "criteria": "All standards met."}
    values.update(overrides)

    with pytest.raises(ValidationError) as refused:
        quality.quality_tier_create(by=administrator, framework=framework, **values)

    assert field in refused.value.message_dict


def test_a_framework_does_not_end_before_it_starts(administrator):
    with pytest.raises(ValidationError) as refused:
        quality.quality_framework_create(
            by=administrator, name="F", service_area="Homes", starts_on=D(2019, 4, 1), ends_on=D(2019, 3, 31)
        )
    assert "ends_on" in refused.value.message_dict


def _award(by, tier, provider=None, **overrides):
    values = {"assessed_on": D(2025, 6, 1)}
    values.update(overrides)
    return quality.quality_tier_award(
        by=by, framework=tier.framework, provider=provider or ProviderFactory(), tier=tier, **values
    )


def test_a_new_assessment_replaces_the_last_and_keeps_it_as_history(by):
    top = TopTierFactory()
    standard = QualityTierFactory(framework=top.framework, rank=2)
    provider = ProviderFactory()
    first = _award(by, standard, provider, assessed_on=D(2024, 6, 1))
    second = _award(by, top, provider, assessed_on=D(2025, 6, 1))

    assert list(quality.current_awards(user=by)) == [second]
    assert set(quality.awards(user=by)) == {first, second}
    assert second.recorded_by == by


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"assessed_on": "future"}, "assessed_on"),
        ({"assessed_on": D(2017, 1, 1)}, "assessed_on"),
        ({"valid_until": D(2025, 6, 1)}, "valid_until"),
        ({"location": "elsewhere"}, "location"),
        ({"tier": "other framework"}, "tier"),
    ],
)
def test_an_assessment_is_refused_naming_the_field(by, overrides, field):
    top = TopTierFactory()
    if overrides.get("assessed_on") == "future":
        overrides["assessed_on"] = timezone.localdate() + datetime.timedelta(days=1)
    if overrides.get("location") == "elsewhere":
        overrides["location"] = LocationFactory()
    framework = top.framework
    if overrides.pop("tier", None):
        top = TopTierFactory()
    with pytest.raises(ValidationError) as refused:
        quality.quality_tier_award(
            by=by,
            framework=framework,
            provider=ProviderFactory(),
            tier=top,
            **{"assessed_on": D(2025, 6, 1), **overrides},
        )

    assert field in refused.value.message_dict
    assert not ProviderQualityTier.objects.exists()


def test_assessments_are_recorded_in_date_order(by):
    top = TopTierFactory()
    provider = ProviderFactory()
    _award(by, top, provider, assessed_on=D(2025, 6, 1))

    with pytest.raises(ValidationError) as refused:
        _award(by, top, provider, assessed_on=D(2025, 1, 1))

    assert "assessed_on" in refused.value.message_dict


def test_a_withdrawal_needs_a_reason_and_stops_the_enhanced_rate(by):
    award = ProviderQualityTierFactory()
    assert list(quality.on_enhanced_rate(user=by)) == [award]

    with pytest.raises(ValidationError) as refused:
        quality.quality_tier_withdraw(by=by, award=award, withdrawn_on=D(2025, 9, 1), reason="  ")
    assert "reason" in refused.value.message_dict

    quality.quality_tier_withdraw(by=by, award=award, withdrawn_on=D(2025, 9, 1), reason="Falls not reported.")

    award.refresh_from_db()
    assert award.is_withdrawn
    assert award.withdrawal_reason == "Falls not reported."
    assert not quality.on_enhanced_rate(user=by).exists()
    assert quality.on_enhanced_rate(user=by, today=D(2025, 8, 31)).get() == award


def test_reinstating_restores_the_enhanced_rate_and_keeps_the_withdrawal_on_record(by):
    award = WithdrawnQualityTierFactory()

    with pytest.raises(ValidationError) as refused:
        quality.quality_tier_reinstate(by=by, award=award, reinstated_on=D(2025, 8, 1))
    assert "reinstated_on" in refused.value.message_dict

    quality.quality_tier_reinstate(by=by, award=award, reinstated_on=D(2025, 12, 1))

    award.refresh_from_db()
    assert not award.is_withdrawn
    assert award.withdrawn_on == D(2025, 9, 1)
    assert list(quality.on_enhanced_rate(user=by)) == [award]
    assert not quality.on_enhanced_rate(user=by, today=D(2025, 10, 1)).exists()


def test_a_tier_is_not_withdrawn_twice_nor_reinstated_unless_withdrawn(by):
    withdrawn = WithdrawnQualityTierFactory()
    in_force = ProviderQualityTierFactory()

    with pytest.raises(TransitionNotAllowed):
        quality.quality_tier_withdraw(by=by, award=withdrawn, withdrawn_on=D(2025, 10, 1), reason="Again.")
    with pytest.raises(TransitionNotAllowed):
        quality.quality_tier_reinstate(by=by, award=in_force, reinstated_on=D(2025, 10, 1))


def test_only_the_latest_assessment_is_withdrawn(by):
    top = TopTierFactory()
    provider = ProviderFactory()
    old = _award(by, top, provider, assessed_on=D(2024, 6, 1))
    _award(by, top, provider, assessed_on=D(2025, 6, 1))

    with pytest.raises(TransitionNotAllowed):
        quality.quality_tier_withdraw(by=by, award=old, withdrawn_on=D(2025, 7, 1), reason="Standards fell.")


def test_no_enhanced_rate_at_a_tier_without_one_or_after_the_assessment_lapses(by):
    standard = QualityTierFactory()
    ProviderQualityTierFactory(tier=standard)
    ProviderQualityTierFactory(valid_until=D(2025, 12, 31))

    assert not quality.on_enhanced_rate(user=by, today=D(2026, 1, 1)).exists()
    assert quality.on_enhanced_rate(user=by, today=D(2025, 12, 31)).count() == 1


def test_a_location_and_its_provider_are_assessed_separately(by):
    top = TopTierFactory()
    provider = ProviderFactory()
    home = LocationFactory(provider=provider)
    whole = _award(by, top, provider)
    at_home = _award(by, top, provider, location=home)

    assert set(quality.current_awards(user=by)) == {whole, at_home}


def test_commissioners_and_councillors_do_not_award_tiers(commissioner, scrutiny_member):
    top = TopTierFactory()
    for user in (commissioner, scrutiny_member):
        with pytest.raises(PermissionDenied):
            _award(user, top)
