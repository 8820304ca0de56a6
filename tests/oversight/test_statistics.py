"""The annual statistics page against a small demo year shaped like the Commercial Team's 2018/19 report."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Contract, ContractChange
from oversight.models import Concern, Sanction, Visit
from oversight.statistics import annual_statistics
from providers.models import RiskLevel
from tests.factories import (
    ConcernFactory,
    ContractChangeFactory,
    ContractFactory,
    CqcRatingFactory,
    LocationFactory,
    ProviderFactory,
    RiskAssessmentFactory,
    SanctionFactory,
    VisitFactory,
)
from tests.providers.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def _stats(year: int = 2018):
    return annual_statistics(year=year, user=OfficerFactory(username="reader"))


D = datetime.date


def _visits(count, year, **kwargs):
    provider = ProviderFactory()
    for n in range(count):
        VisitFactory(provider=provider, visited_on=D(year, 4, 1) + datetime.timedelta(days=n * 25), **kwargs)


def _rating_history(name, *ratings):
    location = LocationFactory(name=name)
    for published_on, overall in ratings:
        CqcRatingFactory(location=location, published_on=published_on, overall=overall)


def _risk(provider, *levels):
    for assessed_on, level in levels:
        RiskAssessmentFactory(provider=provider, assessed_on=assessed_on, calculated_level=level, level=level)


@pytest.fixture
def demo_year(db):
    # Visits: 12 in 2018/19, 10 in 2017/18 (a 20% increase); one of the twelve found high complaint levels.
    _visits(8, 2018, kind=Visit.Kind.PLANNED, complaints_feedback="low", environment="good")
    _visits(3, 2018, kind=Visit.Kind.UNANNOUNCED, complaints_feedback="low", environment="poor")
    _visits(1, 2018, kind=Visit.Kind.REACTIVE, complaints_feedback="high", environment="adequate")
    _visits(10, 2017)
    VisitFactory(visited_on=D(2019, 4, 1))  # next year

    for kind, count in [
        (Concern.Kind.POOR_PRACTICE, 3),
        (Concern.Kind.SAFEGUARDING, 4),
        (Concern.Kind.SERIOUS_INCIDENT, 2),
    ]:
        for _ in range(count):
            ConcernFactory(kind=kind, raised_on=D(2018, 10, 1))
    ConcernFactory(kind=Concern.Kind.POOR_PRACTICE, raised_on=D(2019, 4, 1))

    SanctionFactory.create_batch(2, kind=Sanction.Kind.DEFAULT_NOTICE, issued_on=D(2018, 6, 1))
    SanctionFactory(kind=Sanction.Kind.SUSPENSION, issued_on=D(2019, 3, 31))
    SanctionFactory(kind=Sanction.Kind.DEFAULT_NOTICE, issued_on=D(2018, 3, 31))

    # Documents: GDPR variations, an extension, the Allied Healthcare to Libertas novation.
    ContractChangeFactory.create_batch(2, kind=ContractChange.Kind.VARIATION, effective_on=D(2018, 5, 25))
    ContractChangeFactory(kind=ContractChange.Kind.EXTENSION, effective_on=D(2018, 11, 3), extension_months=12)
    ContractChangeFactory(kind=ContractChange.Kind.NOVATION, effective_on=D(2018, 12, 14))
    ContractChangeFactory(kind=ContractChange.Kind.VARIATION, effective_on=D(2017, 5, 25))
    ContractFactory.create_batch(2, start_date=D(2018, 10, 1), end_date=D(2021, 9, 30))
    ContractFactory(contract_type=Contract.ContractType.GRANT, start_date=D(2018, 4, 1), end_date=D(2019, 3, 31))
    out_of_county = ContractFactory(
        contract_type=Contract.ContractType.SPOT, start_date=D(2018, 7, 1), end_date=D(2019, 6, 30)
    )
    out_of_county.locations.add(LocationFactory(in_county=False, district="Nottinghamshire"))

    # Risk: six providers on 31 March 2018, one more from September.
    p = [ProviderFactory() for _ in range(7)]
    for provider in p[:3]:
        _risk(provider, (D(2018, 3, 1), RiskLevel.LOW))
    _risk(p[3], (D(2018, 3, 1), RiskLevel.MEDIUM), (D(2018, 6, 15), RiskLevel.HIGH), (D(2019, 1, 20), RiskLevel.MEDIUM))
    _risk(p[4], (D(2018, 3, 1), RiskLevel.MEDIUM))
    _risk(p[5], (D(2018, 3, 1), RiskLevel.HIGH), (D(2019, 1, 20), RiskLevel.MEDIUM))
    _risk(p[6], (D(2018, 9, 10), RiskLevel.LOW))
    _risk(p[0], (D(2019, 3, 31), RiskLevel.HIGH), (D(2019, 4, 5), RiskLevel.LOW))

    # CQC ratings.
    _rating_history("Capricorn Cottage", (D(2017, 5, 1), "requires_improvement"), (D(2018, 11, 1), "good"))
    _rating_history("Meadows Edge Care Home", (D(2016, 5, 1), "requires_improvement"), (D(2019, 2, 1), "good"))
    _rating_history("Abbey Court Care Home", (D(2017, 5, 1), "requires_improvement"), (D(2018, 6, 1), "good"))
    _rating_history("An Caladh House", (D(2016, 5, 1), "good"), (D(2018, 10, 1), "outstanding"))
    _rating_history("Hartsholme House", (D(2017, 5, 1), "good"), (D(2019, 3, 31), "outstanding"))
    _rating_history("South Wold Nursing Home", (D(2017, 12, 1), "inadequate"), (D(2018, 8, 1), "requires_improvement"))
    _rating_history("Bank House Care Home", (D(2017, 5, 1), "requires_improvement"), (D(2019, 5, 1), "good"))
    _rating_history("Field House", (D(2017, 5, 1), "good"), (D(2018, 7, 1), "good"))
    _rating_history("Newly Opened House", (D(2018, 6, 1), "good"))
    _rating_history("Fell House", (D(2017, 5, 1), "good"), (D(2018, 9, 1), "requires_improvement"))
    _rating_history(
        "Flip House",
        (D(2017, 5, 1), "requires_improvement"),
        (D(2018, 5, 1), "good"),
        (D(2019, 1, 1), "requires_improvement"),
    )


def test_visits_and_the_change_on_the_previous_year(demo_year):
    stats = _stats()
    assert stats.label == "2018/19"
    assert (stats.visits, stats.visits_previous_year, stats.visits_change) == (12, 10, Decimal("20"))
    assert stats.visits_by_kind == [("Planned", 8), ("Unannounced", 3), ("Reactive", 1)]
    assert stats.visits_positive_feedback == Decimal("92")  # 11 of 12
    assert stats.visits_positive_environment == Decimal("75")  # 9 of 12


def test_concerns_by_kind_default_notices_and_suspensions(demo_year):
    stats = _stats()
    assert stats.concerns_by_kind == [
        ("Poor practice concern", 3),
        ("Safeguarding enquiry", 4),
        ("Serious incident", 2),
        ("Complaint", 0),
    ]
    assert (stats.default_notices, stats.suspensions) == (2, 1)


def test_documents_processed(demo_year):
    assert _stats().documents == [
        ("Contract documents", 2),
        ("Out of county agreements", 1),
        ("Variations/Extensions", 3),
        ("Grant agreements", 1),
        ("Novations", 1),
    ]


def test_risk_counts_with_the_years_lows_and_highs(demo_year):
    risk = {r.level: r for r in _stats().risk}
    assert (risk["low"].at_start, risk["low"].at_end, risk["low"].lowest, risk["low"].highest) == (3, 3, 3, 4)
    medium = risk["medium"]
    assert (medium.at_start, medium.at_end, medium.lowest, medium.highest) == (2, 3, 1, 3)
    assert medium.change == Decimal("50")
    assert (risk["high"].at_start, risk["high"].at_end, risk["high"].lowest, risk["high"].highest) == (1, 1, 0, 2)


def test_cqc_rating_changes_between_categories(demo_year):
    changes = [(c.from_label, c.to_label, c.locations) for c in _stats().rating_changes]
    assert changes == [
        ("Requires improvement", "Good", ["Abbey Court Care Home", "Capricorn Cottage", "Meadows Edge Care Home"]),
        ("Good", "Outstanding", ["An Caladh House", "Hartsholme House"]),
        ("Inadequate", "Requires improvement", ["South Wold Nursing Home"]),
        ("Good", "Requires improvement", ["Fell House"]),
    ]


def test_statistics_page_shows_the_figures(client_as_officer, demo_year):
    page = client_as_officer.get(reverse("oversight:statistics"), {"year": 2018}).content.decode()
    assert "Contract-management statistics 2018/19" in page
    assert "an increase of 20% on the previous year" in page
    assert "3 services improved from Requires improvement to Good" in page
    assert "Capricorn Cottage" in page
    assert "1 service fell from Good to Requires improvement" in page


def _ten_times_more():
    provider = ProviderFactory()
    location = LocationFactory(provider=provider)
    for n in range(100):
        day = D(2018, 4, 1) + datetime.timedelta(days=n * 3)
        VisitFactory(provider=provider, visited_on=day)
        ConcernFactory(provider=provider, raised_on=day)
        SanctionFactory(provider=provider, issued_on=day)
        ContractChangeFactory(effective_on=day)
        RiskAssessmentFactory(provider=ProviderFactory(), assessed_on=day)
        CqcRatingFactory(location=location, published_on=day, overall="good" if n % 2 else "requires_improvement")


def test_statistics_page_runs_constant_queries(client_as_officer, demo_year, django_assert_max_num_queries):
    # 15 with the reader's roles (visible_to), whatever the number of records.
    with django_assert_max_num_queries(16):
        assert client_as_officer.get(reverse("oversight:statistics"), {"year": 2018}).status_code == 200
    _ten_times_more()
    with django_assert_max_num_queries(16):
        assert client_as_officer.get(reverse("oversight:statistics"), {"year": 2018}).status_code == 200


def test_a_year_with_no_records_shows_zeros(client_as_officer):
    response = client_as_officer.get(reverse("oversight:statistics"), {"year": "2010"})
    stats = response.context["stats"]
    assert response.status_code == 200
    assert stats.visits == 0
    assert stats.visits_change is None
    assert [r.at_end for r in stats.risk] == [0, 0, 0]
