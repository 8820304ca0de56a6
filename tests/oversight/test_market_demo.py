"""The demo's market oversight (demo.market), loaded once: seed 001's Allied Healthcare novation (270 service
users, 230 staff) and the two home closures with 41 residents moved, made through the services; seed 004's
quality framework with the enhanced rate on its top tier, one withdrawal and one reinstatement."""

from datetime import date

import pytest

from commissioning.models import User
from demo.clock import load_day, recent_start
from oversight import market, quality
from oversight.models import MarketIndicator, ProviderFailureCase, ProviderQualityTier, QualityFramework
from providers.models import Location

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_database, db):
    """The demo data, loaded once for the run (tests/conftest.py)."""


def test_the_allied_healthcare_failure_is_a_novation_to_libertas(demo):
    case = ProviderFailureCase.objects.select_related("provider", "novated_to", "contract").get(
        provider__name="Nestor Primecare Services Ltd"
    )

    assert case.kind == ProviderFailureCase.Kind.ADMINISTRATION
    assert case.novation
    assert case.novated_to.name == "Alderson Libertas Ltd"
    assert (case.service_users_affected, case.service_users_moved, case.staff_transferred) == (270, 270, 230)
    assert case.ended_on == date(2018, 12, 14)
    assert case.contract.reference == "ACCW-0009"
    assert case.provider.exited_on == date(2018, 12, 14)


def test_two_in_county_homes_closed_in_2018_with_41_residents_moved(demo):
    closures = ProviderFailureCase.objects.filter(kind=ProviderFailureCase.Kind.CLOSURE).select_related("location")

    assert closures.count() == 2
    assert sum(c.service_users_moved for c in closures) == 41
    for case in closures:
        assert case.location.in_county
        assert case.location.is_care_home
        assert case.location.status == Location.Status.CLOSED
        assert case.location.closed_on == case.ended_on
        assert case.ended_on.year == 2018


def test_every_case_obeys_the_rules(demo):
    for case in ProviderFailureCase.objects.all():
        market._check_case(case)  # raises ValidationError if a case breaks a rule
        assert case.status == ProviderFailureCase.Status.CLOSED


def test_the_market_overview_has_recent_readings_and_providers_hard_to_replace(demo):
    officer = User.objects.get(username="officer")
    overview = market.market_overview(user=officer)

    assert any(p.name == "Alderson Libertas Ltd" for p in overview.hard_to_replace)
    assert overview.red_indicators
    readings = MarketIndicator.objects.all()
    assert all(recent_start() <= r.recorded_on <= load_day() for r in readings)


def test_the_quality_framework_pays_its_enhanced_rate_at_the_top_tier(demo):
    officer = User.objects.get(username="officer")
    framework = QualityFramework.objects.get()
    top = framework.tiers.get(rank=1)
    on_rate = list(quality.on_enhanced_rate(user=officer))

    assert top.enhanced_rate is not None
    assert framework.tiers.exclude(rank=1).filter(enhanced_rate__isnull=False).count() == 0
    assert on_rate
    assert all(a.tier_id == top.pk for a in on_rate)
    assert any(a.assessed_on >= recent_start() for a in on_rate)
    assert ProviderQualityTier.objects.filter(withdrawn_on__isnull=False, reinstated_on__isnull=True).count() == 1
    assert ProviderQualityTier.objects.filter(reinstated_on__isnull=False).count() == 1
    assert ProviderQualityTier.objects.count() > quality.current_awards(user=officer).count()  # history kept
