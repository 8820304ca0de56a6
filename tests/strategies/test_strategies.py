"""The strategy list, the strategy page, and writing strategies, outcomes, intentions and risks."""

import pytest
from django.urls import reverse

from commissioning import roles
from strategies.models import CommissioningStrategy, HighlightReport
from tests.factories import (
    ContractFactory,
    DirectorateFactory,
    HighlightReportFactory,
    IntentionFactory,
    KeyContractFactory,
    StrategicThemeFactory,
    StrategyFactory,
    StrategyRiskFactory,
    UserFactory,
    cycle_phase,
)

pytestmark = pytest.mark.django_db


def test_list_filters_by_rag_of_the_latest_report_stage_lead_and_text(client_as_officer, directorate):
    lead = UserFactory(first_name="Priya", last_name="Shah")
    carers = StrategyFactory(name="Carers", directorate=directorate, commissioning_lead=lead, stage_plan=True)
    HighlightReportFactory(strategy=carers, year=2018, quarter=2, rag="green")
    HighlightReportFactory(strategy=carers, year=2018, quarter=3, rag="red", rag_comment="Demand.")
    wellbeing = StrategyFactory(name="Community Wellbeing", directorate=DirectorateFactory(code="place"))
    HighlightReportFactory(strategy=wellbeing, rag="green")
    StrategyFactory(name="Public Protection", directorate=directorate)

    def names(**params):
        response = client_as_officer.get(reverse("strategies:list"), params)
        assert response.status_code == 200
        return [s.name for s in response.context["strategies"]]

    assert names() == ["Carers", "Community Wellbeing", "Public Protection"]
    assert names(rag="red") == ["Carers"]  # the latest report's RAG, not an older one
    assert names(rag="green") == ["Community Wellbeing"]
    assert names(rag="none") == ["Public Protection"]
    assert names(directorate=directorate.pk) == ["Carers", "Public Protection"]
    assert names(stage="plan") == ["Carers"]
    assert names(lead=lead.pk) == ["Carers"]
    assert names(q="community") == ["Community Wellbeing"]
    page = client_as_officer.get(reverse("strategies:list")).content.decode()
    assert "Q3 2018/19" in page


def test_strategy_page_shows_key_contracts_first_and_intentions_and_risks(client_as_commissioner, directorate):
    strategy = StrategyFactory(directorate=directorate)
    ContractFactory(strategy=strategy, directorate=directorate, title="Small carers' grant")
    KeyContractFactory(strategy=strategy, directorate=directorate, title="Carers Support Service")
    IntentionFactory(strategy=strategy, theme__name="Carers' breaks")
    StrategyRiskFactory(strategy=strategy, cause="Carer breakdown", event="Crisis admission", effect="Higher cost")
    page = client_as_commissioner.get(reverse("strategies:detail", args=[strategy.pk])).content.decode()
    assert page.index("Carers Support Service") < page.index("Small carers&#x27; grant")
    for text in ["Carers&#x27; breaks", "Plan", "Do", "Carer breakdown", "Crisis admission", "Higher cost"]:
        assert text in page


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (roles.COMMISSIONER, 302),
        (roles.ADMINISTRATOR, 302),
        (roles.CONTRACT_OFFICER, 403),
        (roles.SCRUTINY_MEMBER, 403),
    ],
)
def test_only_commissioners_and_administrators_create_strategies(client_for_role, directorate, role, expected):
    lead = UserFactory()
    data = {
        "name": "Carers",
        "directorate": directorate.pk,
        "purpose": "The purpose of this commissioning strategy is to support carers.",
        "sponsor": "Executive Director of Adult Care and Community Wellbeing",
        "commissioning_lead": lead.pk,
        "stages": ["plan", "do"],
    }
    response = client_for_role(role).post(reverse("strategies:create"), data)
    assert response.status_code == expected
    if expected == 302:
        strategy = CommissioningStrategy.objects.get(name="Carers")
        assert strategy.stages == ["Plan", "Do"]
        assert strategy.history.first().history_user is not None


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("strategies:outcome_add", {"title": "Carers are supported", "order": 1}),
        (
            "strategies:intention_add",
            # Built for the test's strategy: the theme is one of its own, the stages the cycle's phases.
            lambda strategy: {
                "theme": StrategicThemeFactory(strategy=strategy, name="Breaks").pk,
                "intention": "More respite",
                "current_stage": cycle_phase("Plan").pk,
                "expected_stage": cycle_phase("Do").pk,
                "order": 1,
            },
        ),
        (
            "strategies:risk_add",
            {"cause": "Demand", "event": "No beds", "effect": "Delays", "rating": "high", "order": 1},
        ),
    ],
)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (roles.COMMISSIONER, 302),
        (roles.ADMINISTRATOR, 302),
        (roles.CONTRACT_OFFICER, 403),
        (roles.SCRUTINY_MEMBER, 403),
    ],
)
def test_who_may_add_outcomes_intentions_and_risks(client_for_role, directorate, url_name, data, role, expected):
    strategy = StrategyFactory(directorate=directorate)
    data = data(strategy) if callable(data) else data
    response = client_for_role(role).post(reverse(url_name, args=[strategy.pk]), data)
    assert response.status_code == expected
    total = strategy.outcomes.count() + strategy.intentions.count() + strategy.risks.count()
    assert total == (1 if expected == 302 else 0)


def test_a_commissioner_edits_only_their_own_directorates_strategies(client_as_commissioner):
    other = StrategyFactory(directorate=DirectorateFactory(code="place"))
    assert client_as_commissioner.get(reverse("strategies:edit", args=[other.pk])).status_code == 403
    assert client_as_commissioner.post(reverse("strategies:risk_add", args=[other.pk]), {}).status_code == 403


def test_a_strategy_form_error_names_the_field(client_as_commissioner, directorate):
    response = client_as_commissioner.post(reverse("strategies:create"), {"name": "", "directorate": directorate.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_name"' in page
    assert 'href="#id_purpose"' in page
    assert not CommissioningStrategy.objects.exists()
    assert HighlightReport.objects.count() == 0
