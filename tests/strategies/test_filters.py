"""The strategy list's filters: one FilterSet (strategies/filters.py) for the page and the API, and input the
database cannot take (a NUL character: PostgreSQL refuses it with a server error) never reaches it."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from strategies.filters import StrategyFilter
from strategies.models import CommissioningStrategy
from tests.factories import DirectorateFactory, HighlightReportFactory, StrategyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def strategies(directorate):
    lead = UserFactory(first_name="Priya", last_name="Shah")
    carers = StrategyFactory(name="Carers", directorate=directorate, commissioning_lead=lead, stage_plan=True)
    HighlightReportFactory(strategy=carers, rag="red", rag_comment="Demand.")
    StrategyFactory(name="Community Wellbeing", directorate=DirectorateFactory(code="place"), stage_do=True)
    return {"carers": carers, "lead": lead}


@pytest.fixture
def api(contract_officer):
    client = APIClient()
    client.force_login(contract_officer)
    return client


def test_the_page_and_the_api_filter_alike(client_as_officer, api, strategies, directorate):
    for params in [
        {"rag": "red"},
        {"rag": "none"},
        {"stage": "do"},
        {"directorate": directorate.pk},
        {"lead": strategies["lead"].pk},
        {"q": "wellbeing"},
        {"q": "community", "stage": "plan"},
    ]:
        page = [s.name for s in client_as_officer.get(reverse("strategies:list"), params).context["strategies"]]
        by_api = [s["name"] for s in api.get("/api/v1/strategies/", params).json()["results"]]
        assert page == by_api, params
    assert StrategyFilter.base_filters.keys() == {"directorate", "stage", "rag", "lead", "q"}


def test_a_nul_in_the_search_is_refused_by_the_api_naming_the_filter(api, strategies):
    response = api.get("/api/v1/strategies/", {"q": "car\x00ers"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"q": ["Null characters are not allowed."]}


def test_a_nul_in_the_search_is_left_out_of_the_page_with_a_message(client_as_scrutiny, strategies):
    response = client_as_scrutiny.get(reverse("strategies:list") + "?q=%00&stage=plan")

    assert response.status_code == 200
    assert [s.name for s in response.context["strategies"]] == ["Carers"]  # the stage filter still applies
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["The “Search” filter was not applied: Null characters are not allowed."]
    assert response.context["filters"]["q"] == ""


def test_an_unknown_choice_is_refused_by_the_api_and_left_out_of_the_page(client_as_officer, api, strategies):
    assert api.get("/api/v1/strategies/", {"rag": "purple"}).status_code == 400

    response = client_as_officer.get(reverse("strategies:list"), {"rag": "purple"})
    assert len(response.context["strategies"]) == CommissioningStrategy.objects.count()
    assert "RAG of the latest report" in str(list(response.context["messages"])[0])


def test_a_nul_in_the_quarter_asked_for_is_answered_with_this_quarter(client_as_scrutiny):
    response = client_as_scrutiny.get(reverse("strategies:reports_this_quarter") + "?quarter=20%0018-Q3")

    assert response.status_code == 200
    assert "is not a quarter such as 2018-Q3" in str(list(response.context["messages"])[0])
    assert "\x00" not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/highlight-reports/?status=%00",
        "/api/v1/highlight-reports/?strategy=%00",
        "/api/v1/scrutiny-packs/?status=%00",
        "/api/v1/scrutiny-conclusions/?strategy=%00",
        "/api/v1/meetings/?committee=%00",
    ],
)
def test_a_nul_in_any_filter_of_these_apis_is_a_400(api, url):
    assert api.get(url).status_code == 400


def test_a_nul_in_the_archive_filter_is_ignored(client_as_scrutiny):
    assert client_as_scrutiny.get(reverse("scrutiny:archive") + "?committee=%00").status_code == 200
