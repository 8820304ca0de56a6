import datetime
from typing import cast

import pytest
from django.urls import reverse

from commissioning import roles
from contracts.models import Contract
from providers.models import CqcRatingAlert, Provider, RiskAssessment
from tests.factories import (
    ActionPlanFactory,
    ConcernFactory,
    ContractFactory,
    CqcRatingFactory,
    DirectorateFactory,
    HighRiskAssessmentFactory,
    LocationFactory,
    PlanActionFactory,
    ProviderFactory,
    RiskAssessmentFactory,
    SanctionFactory,
    VisitFactory,
)
from tests.providers.risk_factories import V1_CODES, method_v1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _risk_method_v1(db):
    """Assessments are scored by the risk method in force: version 1 (the providers migration's)."""
    return method_v1()


d = datetime.date


@pytest.fixture
def provider():
    return ProviderFactory(name="Meadows Edge Care Ltd")


READ_PAGES = [
    ("providers:list", False),
    ("providers:detail", True),
    ("providers:risk_overview", False),
    ("providers:locations", False),
    ("providers:cqc_alerts", False),
]


@pytest.mark.parametrize(("name", "needs_pk"), READ_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.COMMISSIONER, 200),
        (roles.CONTRACT_OFFICER, 200),
        (roles.ADMINISTRATOR, 200),
        (roles.SCRUTINY_MEMBER, 403),
    ],
)
def test_who_can_see_provider_pages(client_for_role, provider, name, needs_pk, role, status):
    url = reverse(name, args=[provider.pk] if needs_pk else [])
    assert client_for_role(role).get(url).status_code == status


@pytest.mark.parametrize("name", ["providers:assess", "providers:cqc_import"])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.COMMISSIONER, 403),
        (roles.CONTRACT_OFFICER, 200),
        (roles.ADMINISTRATOR, 200),
        (roles.SCRUTINY_MEMBER, 403),
    ],
)
def test_only_officers_and_administrators_assess_risk_and_import_ratings(client_for_role, provider, name, role, status):
    url = reverse(name, args=[provider.pk]) if name == "providers:assess" else reverse(name)
    assert client_for_role(role).get(url).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, provider):
    response = client.get(reverse("providers:detail", args=[provider.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_provider_list_filters_through_the_query_string(client_as_officer):
    HighRiskAssessmentFactory(provider=ProviderFactory(name="Risky Homes"))
    RiskAssessmentFactory(provider=ProviderFactory(name="Steady Care"))
    response = client_as_officer.get(reverse("providers:list"), {"risk": "high"})
    assert "Risky Homes" in response.text
    assert "Steady Care" not in response.text


def test_unknown_filter_values_show_the_whole_list(client_as_officer):
    ProviderFactory(name="Steady Care")
    response = client_as_officer.get(reverse("providers:list"), {"risk": "purple"})
    assert response.status_code == 200
    assert "Steady Care" in response.text
    assert "Select a valid choice" in response.text


def test_provider_page_shows_contracts_in_each_directorate_ratings_and_records(client_as_officer, provider):
    ContractFactory(lead_provider=provider, title="Residential care", directorate=DirectorateFactory(name="Adult Care"))
    shared = ContractFactory(title="Sexual health service", directorate=DirectorateFactory(name="Public Health"))
    shared.other_providers.add(provider)
    location = LocationFactory(provider=provider, name="Meadows Edge")
    earlier = CqcRatingFactory(location=location, overall="good", published_on=d(2017, 3, 1))
    fallen = CqcRatingFactory(location=location, overall="inadequate", safe="inadequate", published_on=d(2018, 3, 1))
    drops = [{"question": "overall", "previous": "good", "new": "inadequate"}]
    CqcRatingAlert.objects.create(location=location, rating=fallen, previous_rating=earlier, drops=drops)
    HighRiskAssessmentFactory(provider=provider, assessed_on=d(2018, 4, 1))
    VisitFactory(provider=provider, findings="Call bells answered promptly.")
    ConcernFactory(provider=provider, summary="Medication errors reported.")
    SanctionFactory(provider=provider, kind="suspension")
    PlanActionFactory(plan=ActionPlanFactory(provider=provider), description="Recruit a registered manager.")

    text = client_as_officer.get(reverse("providers:detail", args=[provider.pk])).text

    for expected in [
        "Adult Care",
        "Public Health",
        "Residential care",
        "Sexual health service",
        "Partner or subcontractor",
        "CQC rating fell at Meadows Edge",
        "Overall: Good to Inadequate",
        "Call bells answered promptly.",
        "Medication errors reported.",
        "Suspension of new admissions",
        "Recruit a registered manager.",
    ]:
        assert expected in text


def _assessment_post(**overrides):
    data = {"assessed_on_0": "1", "assessed_on_1": "6", "assessed_on_2": "2018"}
    for code in V1_CODES:
        data[f"factor_{code}"] = "0"
    data.update(overrides)
    return data


def test_risk_form_shows_thresholds_and_guidance(client_as_officer, provider):
    text = client_as_officer.get(reverse("providers:assess", args=[provider.pk])).text
    assert "Levels of version 1" in text
    assert "14 to 30" in text
    assert "Inadequate overall or in any key question" in text
    assert 'inputmode="numeric"' in text


def test_officer_records_a_risk_assessment(client_as_officer, provider):
    response = client_as_officer.post(
        reverse("providers:assess", args=[provider.pk]),
        _assessment_post(factor_quality_cqc="3", factor_safeguarding="3", factor_staffing="2"),
    )
    assert response.status_code == 302
    assessment = RiskAssessment.objects.get()
    assert (assessment.score, assessment.level, assessment.assessed_by.username) == (14, "high", "officer")


def test_override_without_reason_is_shown_against_the_reason_field(client_as_officer, provider):
    response = client_as_officer.post(
        reverse("providers:assess", args=[provider.pk]), _assessment_post(override_level="high")
    )
    assert response.status_code == 200
    assert "Give the reason for setting the level to high" in response.text
    assert 'href="#id_override_reason"' in response.text
    assert not RiskAssessment.objects.exists()


def test_missing_factor_score_names_the_factor(client_as_officer, provider):
    data = _assessment_post()
    del data["factor_safeguarding"]
    response = client_as_officer.post(reverse("providers:assess", args=[provider.pk]), data)
    assert "Choose an answer for safeguarding" in response.text


def test_risk_overview_page_shows_the_year(client_as_officer):
    RiskAssessmentFactory(assessed_on=d(2018, 5, 1))
    HighRiskAssessmentFactory(assessed_on=d(2018, 5, 1))
    response = client_as_officer.get(reverse("providers:risk_overview"), {"year": "2018"})
    assert "Provider risk overview 2018/19" in response.text
    assert "March 2019" in response.text


def test_locations_page_filters_by_current_rating(client_as_officer):
    CqcRatingFactory(location__name="Good Home", overall="good")
    CqcRatingFactory(location__name="Struggling Home", overall="requires_improvement")
    text = client_as_officer.get(reverse("providers:locations"), {"cqc": "good"}).text
    assert "Good Home" in text
    assert "Struggling Home" not in text


# --- Constant queries ---------------------------------------------------------------------------------------


def _provider_with_everything(size: int) -> Provider:
    provider = cast(Provider, ProviderFactory())
    for n in range(size):
        ContractFactory(lead_provider=provider, directorate=DirectorateFactory(code=f"d{n % 3}"))
        shared = cast(Contract, ContractFactory())
        shared.other_providers.add(provider)
        location = LocationFactory(provider=provider)
        earlier = CqcRatingFactory(location=location, published_on=d(2017, 1, 1))
        fallen = CqcRatingFactory(location=location, overall="requires_improvement", published_on=d(2018, 1, 1))
        CqcRatingAlert.objects.create(location=location, rating=fallen, previous_rating=earlier, drops=[])
        RiskAssessmentFactory(provider=provider, assessed_on=d(2018, 1, 1) + datetime.timedelta(days=n))
        VisitFactory(provider=provider, location=location)
        ConcernFactory(provider=provider, location=location)
        SanctionFactory(provider=provider, location=location)
        PlanActionFactory(plan=ActionPlanFactory(provider=provider, location=location))
    return provider


@pytest.mark.parametrize("size", [3, 30])
def test_provider_page_runs_constant_queries(client_as_officer, django_assert_max_num_queries, size):
    provider = _provider_with_everything(size)
    # 20 with the reader's roles (visible_to) and the rating falls to acknowledge, and the market panel's readings,
    # homes' status, failure cases and quality tiers (5): whatever the provider holds.
    with django_assert_max_num_queries(26):
        assert client_as_officer.get(reverse("providers:detail", args=[provider.pk])).status_code == 200


@pytest.mark.parametrize("size", [5, 50])
def test_provider_list_runs_constant_queries(client_as_officer, django_assert_max_num_queries, size):
    for _n in range(size):
        location = LocationFactory()
        CqcRatingFactory(location=location)
        HighRiskAssessmentFactory(provider=location.provider)
        ContractFactory(lead_provider=location.provider)
    with django_assert_max_num_queries(12):
        assert client_as_officer.get(reverse("providers:list"), {"cqc": "good"}).status_code == 200


@pytest.mark.parametrize("size", [5, 50])
def test_risk_overview_runs_constant_queries(client_as_officer, django_assert_max_num_queries, size):
    for n in range(size):
        provider = ProviderFactory()
        RiskAssessmentFactory(provider=provider, assessed_on=d(2018, 4, 1))
        HighRiskAssessmentFactory(provider=provider, assessed_on=d(2018, 4, 1) + datetime.timedelta(days=n * 5))
    # session, permissions and roles (5), the years on offer and the assessments (2), session save (3)
    with django_assert_max_num_queries(11):
        assert client_as_officer.get(reverse("providers:risk_overview")).status_code == 200


@pytest.mark.parametrize("size", [5, 50])
def test_locations_and_drops_run_constant_queries(client_as_officer, django_assert_max_num_queries, size):
    for _n in range(size):
        location = LocationFactory()
        CqcRatingFactory(location=location, published_on=d(2017, 1, 1))
        CqcRatingFactory(location=location, overall="inadequate", published_on=d(2018, 1, 1))
    with django_assert_max_num_queries(11):
        assert client_as_officer.get(reverse("providers:locations")).status_code == 200
    with django_assert_max_num_queries(11):
        assert client_as_officer.get(reverse("providers:cqc_alerts")).status_code == 200


def test_the_older_rating_drops_page_sends_readers_to_the_falls_to_acknowledge(client_as_officer):
    response = client_as_officer.get(reverse("providers:rating_drops"))
    assert response.status_code == 302
    assert response["Location"] == reverse("providers:cqc_alerts")
