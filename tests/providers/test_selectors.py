import datetime

import pytest
from django.contrib.auth.models import Group

from commissioning import roles
from providers import selectors, services
from providers.models import Provider
from tests.factories import (
    ContractFactory,
    CqcRatingFactory,
    DirectorateFactory,
    HighRiskAssessmentFactory,
    LocationFactory,
    ProviderFactory,
    RiskAssessmentFactory,
)
from tests.providers.factories import CommissionerFactory, MediumRiskAssessmentFactory, OfficerFactory

pytestmark = pytest.mark.django_db
d = datetime.date


def _reader():
    return OfficerFactory(username="provider-reader")


def names(queryset):
    return sorted(provider.name for provider in queryset)


def test_filter_by_current_risk_uses_the_latest_assessment():
    improved = ProviderFactory(name="Improved")
    HighRiskAssessmentFactory(provider=improved, assessed_on=d(2018, 4, 1))
    RiskAssessmentFactory(provider=improved, assessed_on=d(2018, 9, 1))
    worsened = ProviderFactory(name="Worsened")
    HighRiskAssessmentFactory(provider=worsened, assessed_on=d(2018, 9, 1))
    ProviderFactory(name="Never assessed")

    assert names(selectors.provider_list(user=_reader(), risk="high")) == ["Worsened"]
    assert names(selectors.provider_list(user=_reader(), risk="low")) == ["Improved"]


def test_filter_by_cqc_rating_matches_any_location_current_rating():
    provider = ProviderFactory(name="Two homes")
    CqcRatingFactory(location__provider=provider, overall="good")
    home = LocationFactory(provider=provider)
    CqcRatingFactory(location=home, overall="good", published_on=d(2017, 1, 1))
    CqcRatingFactory(location=home, overall="inadequate", published_on=d(2018, 11, 1))
    other = ProviderFactory(name="Formerly inadequate")
    CqcRatingFactory(location__provider=other, overall="inadequate", published_on=d(2017, 1, 1))
    CqcRatingFactory(location=other.locations.get(), overall="good", published_on=d(2018, 1, 1))

    assert names(selectors.provider_list(user=_reader(), cqc="inadequate")) == ["Two homes"]
    assert names(selectors.provider_list(user=_reader(), cqc="good")) == ["Formerly inadequate", "Two homes"]


def test_filter_by_directorate_includes_lead_and_partner_contracts():
    public_health = DirectorateFactory(code="ph", name="Public Health")
    children = DirectorateFactory(code="cs", name="Children's Services")
    lead = ProviderFactory(name="Lead")
    partner = ProviderFactory(name="Partner")
    contract = ContractFactory(directorate=public_health, lead_provider=lead)
    contract.other_providers.add(partner)
    ContractFactory(directorate=children, lead_provider=ProviderFactory(name="Children only"))

    assert names(selectors.provider_list(user=_reader(), directorate=public_health.pk)) == ["Lead", "Partner"]


def test_filter_by_status_and_search():
    ProviderFactory(name="Lincs Homecare", status="active")
    ProviderFactory(name="Allied Homecare", status="in_administration")
    LocationFactory(provider=ProviderFactory(name="Acme Care"), name="Meadows Edge")

    assert names(selectors.provider_list(user=_reader(), status="in_administration")) == ["Allied Homecare"]
    assert names(selectors.provider_list(user=_reader(), q="homecare")) == ["Allied Homecare", "Lincs Homecare"]
    assert names(selectors.provider_list(user=_reader(), q="meadows")) == ["Acme Care"]


def _record(location, overall, day):
    services.cqc_ratings_record(entries=[services.RatingEntry(location, day, {"overall": overall})], by=None, today=day)


def test_a_rating_that_falls_is_flagged_until_the_fall_is_acknowledged():
    location = LocationFactory()
    _record(location, "good", d(2017, 3, 1))
    _record(location, "requires_improvement", d(2018, 3, 1))
    assert selectors.provider_list(user=_reader()).get().has_rating_drop
    assert selectors.locations_with_ratings().get().has_rating_drop

    services.cqc_rating_alert_acknowledge(alert=location.cqc_rating_alerts.get(), by=OfficerFactory(), note="")
    assert not selectors.provider_list(user=_reader()).get().has_rating_drop


def test_not_yet_rated_is_not_a_fall():
    location = LocationFactory()
    _record(location, "good", d(2017, 3, 1))
    _record(location, "not_rated", d(2018, 3, 1))
    assert not selectors.provider_list(user=_reader()).get().has_rating_drop


def test_provider_page_lists_contracts_from_every_directorate():
    provider = ProviderFactory()
    adult = ContractFactory(lead_provider=provider, directorate=DirectorateFactory(code="accw", name="Adult Care"))
    health = ContractFactory(lead_provider=provider, directorate=DirectorateFactory(code="ph", name="Public Health"))
    children = ContractFactory(directorate=DirectorateFactory(code="cs", name="Children's Services"))
    children.other_providers.add(provider)
    ContractFactory()  # someone else's

    page = selectors.provider_page(user=_reader(), provider_id=provider.pk)

    assert {c.pk for c in page.contracts} == {adult.pk, health.pk, children.pk}
    assert page.directorates == ["Adult Care", "Children's Services", "Public Health"]


def _seed_history(provider_levels):
    """provider_levels: list of [(date, level), ...] per provider."""
    factories = {"low": RiskAssessmentFactory, "medium": MediumRiskAssessmentFactory, "high": HighRiskAssessmentFactory}
    for history in provider_levels:
        provider = ProviderFactory()
        for day, level in history:
            factories[level](provider=provider, assessed_on=day)


def test_risk_overview_counts_each_month_end_from_the_latest_assessment():
    _seed_history(
        [
            [(d(2018, 3, 1), "low")],
            [(d(2018, 3, 1), "medium"), (d(2018, 6, 15), "high")],
            [(d(2018, 3, 1), "high"), (d(2018, 10, 2), "medium"), (d(2019, 2, 1), "low")],
            [(d(2018, 8, 1), "medium")],  # newly commissioned during the year
            [(d(2019, 4, 2), "high")],  # next year: not counted
        ]
    )
    overview = selectors.risk_overview(user=_reader(), year=2018, today=d(2019, 6, 1))
    by_month = dict(overview.months)
    assert len(overview.months) == 12
    assert by_month[d(2018, 4, 30)] == {"low": 1, "medium": 1, "high": 1}
    assert by_month[d(2018, 6, 30)] == {"low": 1, "medium": 0, "high": 2}
    assert by_month[d(2018, 10, 31)] == {"low": 1, "medium": 2, "high": 1}
    assert by_month[d(2019, 3, 31)] == {"low": 2, "medium": 1, "high": 1}
    summary = {s.level: s for s in overview.summaries}
    assert (summary["low"].at_start, summary["low"].now, summary["low"].change) == (1, 2, 1)
    assert (summary["medium"].lowest, summary["medium"].highest) == (0, 2)
    assert (summary["high"].at_start, summary["high"].now, summary["high"].highest) == (1, 1, 2)


def test_risk_overview_defaults_to_the_latest_year_with_assessments_and_stops_at_today():
    _seed_history([[(d(2018, 5, 1), "low")], [(d(2019, 4, 20), "high")]])
    overview = selectors.risk_overview(user=_reader(), today=d(2019, 6, 10))
    assert overview.year == 2019
    assert [day for day, _ in overview.months] == [d(2019, 4, 30), d(2019, 5, 31)]
    assert {s.level: s.now for s in overview.summaries} == {"low": 1, "medium": 0, "high": 1}


def test_risk_overview_reproduces_the_annual_report_figures():
    """The 2018/19 report: medium reduced by 10% from 114 to 103, high increased by 12% from 33 to 37."""
    histories = []
    histories += [[(d(2018, 3, 1), "low")]] * 202
    histories += [[(d(2018, 3, 1), "medium")]] * 103
    histories += [[(d(2018, 3, 1), "medium"), (d(2018, 11, 1), "high")]] * 4
    histories += [[(d(2018, 3, 1), "medium"), (d(2018, 9, 1), "low")]] * 7
    histories += [[(d(2018, 3, 1), "high")]] * 33
    _seed_history(histories)
    overview = selectors.risk_overview(user=_reader(), year=2018, today=d(2019, 6, 1))
    summary = {s.level: s for s in overview.summaries}
    assert (summary["medium"].at_start, summary["medium"].now, summary["medium"].change_percent) == (114, 103, -10)
    assert (summary["high"].at_start, summary["high"].now, summary["high"].change_percent) == (33, 37, 12)
    assert (summary["low"].at_start, summary["low"].now, summary["low"].lowest, summary["low"].highest) == (
        202,
        209,
        202,
        209,
    )


def test_a_part_month_change_is_inside_the_years_lowest_and_highest():
    from datetime import date

    from providers.selectors import risk_overview
    from tests.factories import RiskAssessmentFactory

    provider = RiskAssessmentFactory(assessed_on=date(2026, 4, 10), calculated_level="low").provider
    RiskAssessmentFactory(provider=provider, assessed_on=date(2026, 11, 20), calculated_level="high")

    overview = risk_overview(user=_reader(), year=2026, today=date(2026, 11, 24))
    high = next(s for s in overview.summaries if s.level == "high")

    assert high.now == 1
    assert high.highest == 1
    assert high.lowest == 0


def test_councillors_see_no_provider_and_commissioners_every_one():
    HighRiskAssessmentFactory(provider=ProviderFactory(name="Risky Homes"))
    councillor = CommissionerFactory(username="councillor-reader")
    councillor.groups.set([Group.objects.get(name=roles.SCRUTINY_MEMBER)])
    councillor = type(councillor).objects.get(pk=councillor.pk)  # its roles afresh

    assert names(selectors.provider_list(user=CommissionerFactory())) == ["Risky Homes"]
    assert not selectors.provider_list(user=councillor).exists()
    assert selectors.risk_overview(user=councillor) is None


def test_a_providers_risk_on_a_date_is_its_latest_assessment_on_or_before_it():
    provider = ProviderFactory()
    RiskAssessmentFactory(provider=provider, assessed_on=d(2018, 4, 1))
    HighRiskAssessmentFactory(provider=provider, assessed_on=d(2018, 9, 1))
    ProviderFactory()  # never assessed

    def level_on(day):
        return sorted((p.risk_level or "none") for p in Provider.objects.risk_level_on(day))

    assert level_on(d(2018, 3, 31)) == ["none", "none"]
    assert level_on(d(2018, 8, 31)) == ["low", "none"]
    assert level_on(d(2018, 9, 1)) == ["high", "none"]


def test_risk_counts_by_month_end_follow_the_same_rule():
    provider = ProviderFactory()
    RiskAssessmentFactory(provider=provider, assessed_on=d(2018, 4, 1))
    HighRiskAssessmentFactory(provider=provider, assessed_on=d(2018, 5, 31))
    MediumRiskAssessmentFactory(assessed_on=d(2018, 6, 1))

    counts = Provider.objects.risk_counts_by_month_end(d(2018, 4, 1), d(2018, 6, 15))

    assert list(counts) == [d(2018, 4, 30), d(2018, 5, 31), d(2018, 6, 30)]
    assert counts[d(2018, 4, 30)] == {"low": 1, "medium": 0, "high": 0}
    assert counts[d(2018, 5, 31)] == {"low": 0, "medium": 0, "high": 1}
    assert counts[d(2018, 6, 30)] == {"low": 0, "medium": 1, "high": 1}
    only_one = Provider.objects.filter(pk=provider.pk).risk_counts_by_month_end(d(2018, 6, 1), d(2018, 6, 1))
    assert only_one == {d(2018, 6, 30): {"low": 0, "medium": 0, "high": 1}}
