# ruff: noqa: F811 - the fixtures imported from tests/api/conftest.py
"""Market oversight through the pages and the API: who may open each page, the same refusal and field error on
the page and through the API, a location's status page, and constant queries on every list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight.models import MarketIndicator, ProviderFailureCase, Rag
from providers.models import Location

from ..api.conftest import api_client_for, api_user  # noqa: F401 - the API clients per role, as fixtures
from ..factories import LocationFactory, ProviderFactory
from .market_factories import (
    ClosureCaseFactory,
    FailureCaseFactory,
    HardToReplaceIndicatorFactory,
    MarketIndicatorFactory,
    ProviderQualityTierFactory,
)

pytestmark = pytest.mark.django_db

CASES_API = "/api/v1/provider-failure-cases/"
INDICATORS_API = "/api/v1/market-indicators/"


def _date(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [("client", 302), ("client_as_commissioner", 200), ("client_as_officer", 200), ("client_as_scrutiny", 403)],
)
@pytest.mark.parametrize("name", ["oversight:market", "oversight:failure_cases", "oversight:market_indicators"])
def test_who_reads_the_market_pages(request, client_name, expected, name):
    assert request.getfixturevalue(client_name).get(reverse(name)).status_code == expected


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [
        ("client_as_commissioner", 403),
        ("client_as_officer", 200),
        ("client_as_admin", 200),
        ("client_as_scrutiny", 403),
    ],
)
def test_only_officers_and_administrators_open_the_new_case_page(request, client_name, expected):
    provider = ProviderFactory()
    url = f"{reverse('oversight:failure_case_add')}?provider={provider.pk}"
    assert request.getfixturevalue(client_name).get(url).status_code == expected


def test_the_overview_shows_the_market_picture(client_as_officer):
    hard = HardToReplaceIndicatorFactory()
    case = ClosureCaseFactory()
    closing = LocationFactory(
        name="Meadow View", status=Location.Status.CLOSING, closing_from=datetime.date(2026, 1, 2)
    )

    page = client_as_officer.get(reverse("oversight:market")).content.decode()

    assert hard.provider.name in page
    assert case.provider.name in page
    assert closing.name in page


def test_an_officer_opens_and_closes_a_closure_case_on_the_pages(client_as_officer):
    provider = ProviderFactory()
    home = LocationFactory(provider=provider)
    url = f"{reverse('oversight:failure_case_add')}?provider={provider.pk}"

    response = client_as_officer.post(
        url,
        {
            "kind": ProviderFailureCase.Kind.CLOSURE,
            "location": home.pk,
            **_date("announced_on", datetime.date(2018, 10, 1)),
            "summary": "Failed for financial reasons.",
            "service_users_affected": 23,
            "service_users_moved": 0,
            "staff_transferred": 0,
        },
    )
    case = ProviderFailureCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert client_as_officer.get(case.get_absolute_url()).status_code == 200

    closed = client_as_officer.post(
        reverse("oversight:failure_case_close", args=[case.pk]),
        {**_date("ended_on", datetime.date(2018, 10, 5)), "service_users_moved": 23, "lessons": "Pay staff first."},
    )

    assert closed.status_code == 302
    home.refresh_from_db()
    assert home.status == Location.Status.CLOSED


def test_the_page_and_the_api_refuse_more_moved_than_affected_naming_the_field(client_as_officer, api_client_for):
    provider = ProviderFactory()
    home = LocationFactory(provider=provider)
    page = client_as_officer.post(
        f"{reverse('oversight:failure_case_add')}?provider={provider.pk}",
        {
            "kind": ProviderFailureCase.Kind.CLOSURE,
            "location": home.pk,
            **_date("announced_on", datetime.date(2018, 10, 1)),
            "summary": "Closed.",
            "service_users_affected": 10,
            "service_users_moved": 11,
            "staff_transferred": 0,
        },
    )
    api = api_client_for("officer").post(
        CASES_API,
        {
            "provider": provider.pk,
            "kind": "closure",
            "location": home.pk,
            "announced_on": "2018-10-01",
            "summary": "Closed.",
            "service_users_affected": 10,
            "service_users_moved": 11,
        },
        format="json",
    )

    assert page.status_code == 200
    assert "service_users_moved" in page.context["form"].errors
    assert api.status_code == 400
    assert "service_users_moved" in api.json()["errors"]
    assert not ProviderFailureCase.objects.exists()


def test_bad_input_on_the_case_pages_is_an_error_not_a_crash(client_as_officer):
    case = FailureCaseFactory()
    add = client_as_officer.post(
        f"{reverse('oversight:failure_case_add')}?provider={case.provider_id}",
        {"kind": "nonsense", "announced_on_0": "99", "service_users_affected": "many"},
    )
    close = client_as_officer.post(reverse("oversight:failure_case_close", args=[case.pk]), {"ended_on_0": "x"})
    chooser = client_as_officer.get(f"{reverse('oversight:failure_case_add')}?provider=abc")

    assert (add.status_code, close.status_code, chooser.status_code) == (200, 200, 200)
    assert client_as_officer.get(reverse("oversight:failure_case", args=[999999])).status_code == 404


def test_the_case_edit_page_updates_an_open_case(client_as_officer):
    case = FailureCaseFactory(service_users_affected=5)
    response = client_as_officer.post(
        reverse("oversight:failure_case_edit", args=[case.pk]),
        {
            **_date("announced_on", case.announced_on),
            "summary": case.summary,
            "service_users_affected": 5,
            "service_users_moved": 4,
            "staff_transferred": 2,
        },
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.service_users_moved, case.staff_transferred) == (4, 2)


def test_an_officer_records_a_reading_on_the_page_and_red_needs_a_note(client_as_officer):
    provider = ProviderFactory()
    url = f"{reverse('oversight:market_indicator_add')}?provider={provider.pk}"
    data = {"kind": "hard_to_replace", "level": "red", **_date("recorded_on", datetime.date(2026, 1, 5))}

    refused = client_as_officer.post(url, data)
    saved = client_as_officer.post(url, {**data, "note": "Only nursing provider in the district."})

    assert "note" in refused.context["form"].errors
    assert saved.status_code == 302
    assert MarketIndicator.objects.get().level == Rag.RED
    assert "Hard to replace" in client_as_officer.get(provider.get_absolute_url()).content.decode()


def test_the_location_status_page_records_status_through_the_providers_service(client_as_officer):
    home = LocationFactory()
    url = reverse("oversight:location_status", args=[home.pk])

    assert client_as_officer.get(url).status_code == 200
    future = client_as_officer.post(
        url, {"status": "closed", **_date("on", timezone.localdate() + datetime.timedelta(days=5))}
    )
    saved = client_as_officer.post(url, {"status": "closing", **_date("on", datetime.date(2026, 1, 2))})

    assert "on" in future.context["form"].errors
    assert saved.status_code == 302
    home.refresh_from_db()
    assert (home.status, home.closing_from) == (Location.Status.CLOSING, datetime.date(2026, 1, 2))


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [("client", 302), ("client_as_commissioner", 403), ("client_as_scrutiny", 403), ("client_as_admin", 200)],
)
def test_who_may_change_a_locations_status(request, client_name, expected):
    url = reverse("oversight:location_status", args=[LocationFactory().pk])
    assert request.getfixturevalue(client_name).get(url).status_code == expected


def test_the_provider_page_shows_its_market_panel(client_as_officer):
    provider = ProviderFactory()
    LocationFactory(provider=provider, name="Oak Lodge", status=Location.Status.CLOSING)
    ClosureCaseFactory(provider=provider)
    award = ProviderQualityTierFactory(provider=provider)

    page = client_as_officer.get(provider.get_absolute_url()).content.decode()

    assert "Market sustainability" in page
    assert "Oak Lodge: closing" in page
    assert award.framework.name in page


# --- API ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 401), ("scrutiny", 403), ("commissioner", 200), ("officer", 200), ("admin", 200)]
)
@pytest.mark.parametrize("url", [CASES_API, INDICATORS_API])
def test_who_reads_the_market_api(api_client_for, role, expected, url):
    assert api_client_for(role).get(url).status_code == expected


@pytest.mark.parametrize(("role", "expected"), [("commissioner", 403), ("officer", 201), ("admin", 201)])
def test_who_records_readings_through_the_api(api_client_for, role, expected):
    provider = ProviderFactory()
    response = api_client_for(role).post(
        INDICATORS_API,
        {"provider": provider.pk, "kind": "occupancy", "level": "amber", "recorded_on": "2026-01-05"},
        format="json",
    )
    assert response.status_code == expected


def test_the_api_opens_updates_and_closes_a_novation_case(api_client_for):
    client = api_client_for("officer")
    allied, libertas = ProviderFactory(name="Nestor Primecare Services Ltd"), ProviderFactory(name="Libertas")

    opened = client.post(
        CASES_API,
        {
            "provider": allied.pk,
            "kind": "administration",
            "announced_on": "2018-11-05",
            "summary": "Allied Healthcare's financial failure.",
            "service_users_affected": 270,
            "novation": True,
            "novated_to": libertas.pk,
        },
        format="json",
    )
    assert opened.status_code == 201, opened.json()
    url = f"{CASES_API}{opened.json()['id']}/"
    patched = client.patch(url, {"service_users_moved": 270, "staff_transferred": 230}, format="json")
    bad_close = client.post(f"{url}close/", {"ended_on": "2018-11-01"}, format="json")
    closed = client.post(f"{url}close/", {"ended_on": "2018-12-14"}, format="json")

    assert patched.status_code == 200
    assert patched.json()["staff_transferred"] == 230
    assert bad_close.status_code == 400
    assert "ended_on" in bad_close.json()["errors"]
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["novated_to_name"] == "Libertas"
    allied.refresh_from_db()
    assert allied.exited_on == datetime.date(2018, 12, 14)


def test_a_commissioner_does_not_close_a_case_through_the_api(api_client_for):
    case = FailureCaseFactory()
    response = api_client_for("commissioner").post(f"{CASES_API}{case.pk}/close/", {"ended_on": "2018-12-01"})
    assert response.status_code == 403


def test_the_api_filters_current_readings(api_client_for):
    provider = ProviderFactory()
    MarketIndicatorFactory(provider=provider, recorded_on=datetime.date(2025, 1, 1))
    latest = MarketIndicatorFactory(provider=provider, recorded_on=datetime.date(2025, 6, 1))

    body = api_client_for("officer").get(INDICATORS_API, {"current": "true"}).json()

    assert [row["id"] for row in body["results"]] == [latest.pk]


def test_the_api_answers_bad_input_with_field_errors(api_client_for):
    response = api_client_for("officer").post(
        CASES_API, {"provider": 999999, "kind": "x", "announced_on": "yesterday"}, format="json"
    )
    assert response.status_code == 400
    assert {"provider", "kind", "announced_on", "summary"} <= set(response.json()["errors"])


# --- Query bounds ---------------------------------------------------------------------------------------------


def test_the_market_lists_run_constant_queries(client_as_officer, django_assert_max_num_queries):
    for _ in range(15):
        provider = ProviderFactory()
        HardToReplaceIndicatorFactory(provider=provider)
        MarketIndicatorFactory(provider=provider, level=Rag.RED, note="Low occupancy.")
        ClosureCaseFactory(provider=provider, novation=True, novated_to=ProviderFactory())
        LocationFactory(provider=provider, status=Location.Status.CLOSING)
    for name in ("oversight:market", "oversight:failure_cases", "oversight:market_indicators"):
        with django_assert_max_num_queries(14):
            assert client_as_officer.get(reverse(name)).status_code == 200


def test_the_market_api_lists_run_constant_queries(api_client_for, django_assert_max_num_queries):
    client = api_client_for("officer")
    for _ in range(15):
        ClosureCaseFactory()
        MarketIndicatorFactory()
    for url in (CASES_API, INDICATORS_API):
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_the_provider_pages_market_panel_runs_constant_queries(
    contract_officer, rf, size, django_assert_max_num_queries
):
    from django.contrib.auth.context_processors import PermWrapper
    from django.template.loader import render_to_string

    provider = ProviderFactory()
    for _ in range(size):
        MarketIndicatorFactory(provider=provider, kind=MarketIndicator.Kind.WORKFORCE)
        ClosureCaseFactory(provider=provider, novated_to=ProviderFactory(), novation=True)
        ProviderQualityTierFactory(provider=provider, location=LocationFactory(provider=provider))
    request = rf.get("/")
    request.user = contract_officer
    contract_officer.has_perm("oversight.view_marketindicator")  # the permissions cache, as the page has it
    context = {"provider": provider, "request": request, "perms": PermWrapper(contract_officer)}

    # Its readings, cases, quality tiers and locations, and the reader's roles (visible_to).
    with django_assert_max_num_queries(5):
        html = render_to_string("oversight/market/provider_summary.html", context)

    assert "Market sustainability" in html
