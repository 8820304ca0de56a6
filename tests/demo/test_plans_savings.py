"""The demo's Somerset plan (seed 003) and Leeds savings (seed 004), built through the services, twice."""

from decimal import Decimal

import pytest
from django.urls import reverse

from demo import people, seed
from demo.plans import build_somerset_plan
from demo.savings import build_savings
from strategies import selectors
from strategies.models import CommissioningIntention, CycleStage, Saving, StrategicTheme, ThemeStatement

pytestmark = pytest.mark.django_db

K = Decimal("1000")


@pytest.fixture
def built():
    directorates = people.build_directorates()
    users = people.build_users(directorates, "a-demo-password-for-tests")
    strategies = seed.build_strategies(directorates, users)
    providers = seed.build_key_providers(users)
    contracts = seed.build_key_contracts(strategies, directorates, providers, users)
    plan = build_somerset_plan(users, directorates)
    savings = build_savings(users, directorates, contracts)
    counts = [m.objects.count() for m in (CycleStage, StrategicTheme, ThemeStatement, CommissioningIntention, Saving)]
    again_plan = build_somerset_plan(users, directorates)
    again_savings = build_savings(users, directorates, contracts)
    return {
        "plan": plan,
        "savings": savings,
        "counts": counts,
        "again": (again_plan, again_savings),
        "directorates": directorates,
    }


def test_running_them_twice_adds_nothing(built):
    counts = [m.objects.count() for m in (CycleStage, StrategicTheme, ThemeStatement, CommissioningIntention, Saving)]
    assert counts == built["counts"]
    assert built["again"][0] == built["plan"]
    assert [s.pk for s in built["again"][1]] == [s.pk for s in built["savings"]]


def test_the_somerset_plan_has_six_themes_with_statements_and_intentions_on_finer_stages(built):
    plan = built["plan"]
    assert plan.directorate.name == "Somerset Adult Social Care"
    themes = list(plan.themes.order_by("order"))
    assert [t.name for t in themes] == [
        "Prevention",
        "Recovery",
        "Long Term Support",
        "Business Processes",
        "Partnerships",
        "Contributions",
    ]
    assert all(t.statements.exists() and t.intentions.exists() for t in themes)
    assert all(s.text.startswith(("I ", "My ", "When I")) for s in ThemeStatement.objects.filter(theme__strategy=plan))
    reablement = plan.intentions.select_related("current_stage__parent", "expected_stage__parent").get(
        intention__startswith="Commission reablement"
    )
    assert (str(reablement.current_stage), str(reablement.expected_stage)) == ("Plan: Design", "Plan: Prepare")
    assert "Better Care Fund" in reablement.driver
    drivers = " ".join(plan.intentions.values_list("driver", flat=True))
    assert "Care Bill" in drivers
    assert "TEASC" in drivers
    names = [str(s) for s in CycleStage.objects.select_related("parent").in_cycle_order()]
    assert names == [
        "Analyse",
        "Analyse: Analysis",
        "Plan",
        "Plan: Design",
        "Plan: Prepare",
        "Do",
        "Do: Implement",
        "Do: Manage",
        "Review",
        "Review: Evaluate",
    ]


def test_the_savings_table_gives_back_seed_004s_figures(built):
    table = selectors.savings_table(savings=Saving.objects.all())
    by_name = {row["directorate"]: dict(zip(table.years, row["cells"], strict=True)) for row in table.rows}
    assert table.years == [2016, 2017]
    adults = by_name["Adult Care and Community Wellbeing"][2016]
    assert (adults.budgeted, adults.achieved, adults.variation) == (6100 * K, 4794 * K, 1306 * K)
    assert by_name["Public Health"][2016].variation == -143 * K
    assert by_name["Environment and Housing"][2017].budgeted == 350 * K
    assert (table.totals[2016].budgeted, table.totals[2016].variation) == (10988 * K, 1398 * K)
    assert table.totals[2017].budgeted == 9556 * K
    assert table.totals[2017].achieved is None


def test_the_lpft_saving_shows_its_provider_serving_childrens_services_too(built, client):
    saving = Saving.objects.get(reference="ASC-1617-02")
    check = selectors.saving_provider_check(saving=saving)
    assert [p.provider.name for p in check.providers] == ["Lincolnshire Partnership NHS Foundation Trust"]
    assert [e["directorate"] for e in check.providers[0].elsewhere] == ["Children's Services"]
    client.force_login(people.User.objects.get(username="officer"))
    page = client.get(reverse("strategies:saving", args=[saving.pk])).content.decode()
    assert "CS-0901" in page
