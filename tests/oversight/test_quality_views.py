# ruff: noqa: F811 - the fixtures imported from tests/api/conftest.py
"""Quality frameworks through the pages and the API: administrators set up frameworks and tiers, contract officers
award, withdraw and reinstate tiers; the same refusal on the page and the API; constant queries on the lists."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight.models import ProviderQualityTier, QualityFramework, QualityTier

from ..api.conftest import api_client_for, api_user  # noqa: F401 - the API clients per role, as fixtures
from ..factories import ProviderFactory
from .market_factories import (
    ProviderQualityTierFactory,
    QualityFrameworkFactory,
    QualityTierFactory,
    TopTierFactory,
    WithdrawnQualityTierFactory,
)

pytestmark = pytest.mark.django_db

FRAMEWORKS_API = "/api/v1/quality-frameworks/"
TIERS_API = "/api/v1/provider-quality-tiers/"


def _date(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [("client", 302), ("client_as_commissioner", 200), ("client_as_officer", 200), ("client_as_scrutiny", 403)],
)
def test_who_reads_the_frameworks(request, client_name, expected):
    framework = TopTierFactory().framework
    client = request.getfixturevalue(client_name)
    assert client.get(reverse("oversight:quality_frameworks")).status_code == expected
    assert client.get(framework.get_absolute_url()).status_code == expected


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [
        ("client_as_commissioner", 403),
        ("client_as_officer", 403),
        ("client_as_scrutiny", 403),
        ("client_as_admin", 200),
    ],
)
def test_only_administrators_set_up_frameworks_and_tiers(request, client_name, expected):
    client = request.getfixturevalue(client_name)
    framework = QualityFrameworkFactory()
    assert client.get(reverse("oversight:quality_framework_add")).status_code == expected
    assert client.get(reverse("oversight:quality_tier_add", args=[framework.pk])).status_code == expected


def test_an_administrator_adds_a_framework_and_its_top_tier_with_the_enhanced_rate(client_as_admin):
    response = client_as_admin.post(
        reverse("oversight:quality_framework_add"),
        {
            "name": "ASC Quality Framework",
            "service_area": "Care homes",
            **_date("starts_on", datetime.date(2018, 4, 1)),
        },
    )
    framework = QualityFramework.objects.get()
    assert response.status_code == 302
    tier_url = reverse("oversight:quality_tier_add", args=[framework.pk])

    refused = client_as_admin.post(
        tier_url, {"rank": 1, "name": "Enhanced", "criteria": "All standards.", "enhanced_rate": "5"}
    )
    saved = client_as_admin.post(
        tier_url,
        {
            "rank": 1,
            "name": "Enhanced",
            "criteria": "All standards.",
            "enhanced_rate": "5",
            "enhanced_rate_unit": "percent",
        },
    )

    assert "enhanced_rate_unit" in refused.context["form"].errors
    assert saved.status_code == 302
    assert QualityTier.objects.get().enhanced_rate_display == "5% uplift"


def test_an_officer_awards_withdraws_and_reinstates_on_the_pages(client_as_officer):
    top = TopTierFactory()
    provider = ProviderFactory()
    award_url = f"{reverse('oversight:quality_award_add', args=[top.framework.pk])}?provider={provider.pk}"

    assert client_as_officer.get(award_url).status_code == 200
    awarded = client_as_officer.post(
        award_url, {"provider": provider.pk, "tier": top.pk, **_date("assessed_on", datetime.date(2025, 6, 1))}
    )
    award = ProviderQualityTier.objects.get()
    assert awarded.status_code == 302
    withdraw_url = reverse("oversight:quality_award_withdraw", args=[award.pk])

    no_reason = client_as_officer.post(withdraw_url, _date("withdrawn_on", datetime.date(2025, 9, 1)))
    withdrawn = client_as_officer.post(
        withdraw_url, {**_date("withdrawn_on", datetime.date(2025, 9, 1)), "reason": "Medicines errors."}
    )
    page = client_as_officer.get(top.framework.get_absolute_url()).content.decode()
    reinstated = client_as_officer.post(
        reverse("oversight:quality_award_reinstate", args=[award.pk]),
        _date("reinstated_on", datetime.date(2025, 12, 1)),
    )

    assert "reason" in no_reason.context["form"].errors
    assert withdrawn.status_code == 302
    assert "Withdrawn" in page
    assert reinstated.status_code == 302
    award.refresh_from_db()
    assert award.reinstated_on == datetime.date(2025, 12, 1)


def test_the_framework_page_says_who_is_on_the_enhanced_rate(client_as_officer):
    paid = ProviderQualityTierFactory()
    WithdrawnQualityTierFactory(tier=paid.tier, framework=paid.framework)

    response = client_as_officer.get(paid.framework.get_absolute_url())

    assert response.context["enhanced"] == {paid.pk}
    assert "1 on the enhanced rate today" in response.content.decode()


def test_bad_input_on_the_award_pages_is_an_error_not_a_crash(client_as_officer):
    award = ProviderQualityTierFactory()
    add = client_as_officer.post(
        f"{reverse('oversight:quality_award_add', args=[award.framework.pk])}?provider={award.provider_id}",
        {"tier": "abc", "assessed_on_0": "31", "assessed_on_1": "2", "assessed_on_2": "2025"},
    )
    reinstate = client_as_officer.post(reverse("oversight:quality_award_reinstate", args=[award.pk]), {})

    assert (add.status_code, reinstate.status_code) == (200, 200)
    assert client_as_officer.get(reverse("oversight:quality_framework", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [("client_as_commissioner", 403), ("client_as_scrutiny", 403), ("client_as_admin", 200)],
)
def test_who_withdraws_a_tier(request, client_name, expected):
    award = ProviderQualityTierFactory()
    url = reverse("oversight:quality_award_withdraw", args=[award.pk])
    assert request.getfixturevalue(client_name).get(url).status_code == expected


# --- API ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 401), ("scrutiny", 403), ("commissioner", 200), ("officer", 200), ("admin", 200)]
)
@pytest.mark.parametrize("url", [FRAMEWORKS_API, TIERS_API])
def test_who_reads_the_quality_api(api_client_for, role, expected, url):
    assert api_client_for(role).get(url).status_code == expected


def test_frameworks_are_read_only_through_the_api(api_client_for):
    response = api_client_for("admin").post(FRAMEWORKS_API, {"name": "x"}, format="json")
    assert response.status_code == 405


def test_the_api_shows_tiers_with_their_enhanced_rate(api_client_for):
    top = TopTierFactory()
    QualityTierFactory(framework=top.framework, rank=2)

    body = api_client_for("officer").get(f"{FRAMEWORKS_API}{top.framework.pk}/").json()

    assert [t["rank"] for t in body["tiers"]] == [1, 2]
    assert body["tiers"][0]["enhanced_rate"] == "25.00"
    assert body["tiers"][0]["enhanced_rate_unit"] == "per_week"


def test_the_api_awards_withdraws_and_reinstates(api_client_for):
    client = api_client_for("officer")
    top = TopTierFactory()
    provider = ProviderFactory()

    created = client.post(
        TIERS_API,
        {"framework": top.framework.pk, "provider": provider.pk, "tier": top.pk, "assessed_on": "2025-06-01"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    url = f"{TIERS_API}{created.json()['id']}/"
    no_reason = client.post(f"{url}withdraw/", {"withdrawn_on": "2025-09-01", "reason": ""}, format="json")
    withdrawn = client.post(f"{url}withdraw/", {"withdrawn_on": "2025-09-01", "reason": "Falls."}, format="json")
    on_rate_while_withdrawn = client.get(TIERS_API, {"enhanced_rate": "true"}).json()["count"]
    reinstated = client.post(f"{url}reinstate/", {"reinstated_on": "2025-12-01"}, format="json")

    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["errors"]
    assert withdrawn.json()["withdrawn"] is True
    assert on_rate_while_withdrawn == 0
    assert reinstated.status_code == 200
    assert client.get(TIERS_API, {"enhanced_rate": "true"}).json()["count"] == 1


def test_the_api_and_the_page_refuse_an_assessment_in_the_future_alike(api_client_for, client_as_officer):
    top = TopTierFactory()
    provider = ProviderFactory()
    future = timezone.localdate() + datetime.timedelta(days=3)

    api = api_client_for("officer").post(
        TIERS_API,
        {"framework": top.framework.pk, "provider": provider.pk, "tier": top.pk, "assessed_on": future.isoformat()},
        format="json",
    )
    page = client_as_officer.post(
        f"{reverse('oversight:quality_award_add', args=[top.framework.pk])}?provider={provider.pk}",
        {"provider": provider.pk, "tier": top.pk, **_date("assessed_on", future)},
    )

    assert api.status_code == 400
    assert api.json()["errors"]["assessed_on"] == page.context["form"].errors["assessed_on"]


def test_a_commissioner_does_not_withdraw_through_the_api(api_client_for):
    award = ProviderQualityTierFactory()
    response = api_client_for("commissioner").post(
        f"{TIERS_API}{award.pk}/withdraw/", {"withdrawn_on": "2025-09-01", "reason": "x"}, format="json"
    )
    assert response.status_code == 403


def test_the_quality_lists_run_constant_queries(client_as_officer, api_client_for, django_assert_max_num_queries):
    framework = QualityFrameworkFactory()
    top = TopTierFactory(framework=framework)
    for _ in range(20):
        ProviderQualityTierFactory(tier=top, framework=framework)
    QualityFrameworkFactory.create_batch(5)
    with django_assert_max_num_queries(12):
        assert client_as_officer.get(reverse("oversight:quality_frameworks")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client_as_officer.get(framework.get_absolute_url()).status_code == 200
    api = api_client_for("officer")
    for url in (FRAMEWORKS_API, TIERS_API):
        with django_assert_max_num_queries(10):
            assert api.get(url).status_code == 200
