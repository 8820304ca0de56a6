"""The demo's procurement work plan (seed 001): 77 Adult Care and Community Wellbeing projects, built through the
services, whose figures for 2018/19 come back from the API as the annual report gives them: 24 delivered with an
annual value of £138m and a full contract value of £360m, 18 live and ongoing with an annual value of £49m, and
35 planned for 2019/20 with an estimated annual value of £58m. A second run writes nothing."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from contracts.models import ProcurementProject
from demo import people
from demo.pipeline import build_pipeline
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    directorates = people.build_directorates()
    users = people.build_users(directorates, "a-demo-password-for-tests")
    contracts = {
        reference: ContractFactory(reference=reference, directorate=directorates["ACCW"])
        for reference in ("ACCW-0002", "ACCW-0007", "ACCW-0010", "PH-0008")
    }
    return users, directorates, contracts


def test_the_demo_work_plan_gives_the_annual_reports_figures_through_the_api(world):
    users, directorates, contracts = world
    build_pipeline(users, directorates, contracts)

    client = APIClient()
    client.force_login(users["officer"])
    response = client.get("/api/v1/procurement-projects/figures/", {"year": 2018})
    assert response.status_code == 200
    body = response.json()
    assert (body["year_label"], body["delivered_count"], body["ongoing_count"], body["planned_count"]) == (
        "2018/19",
        24,
        18,
        35,
    )
    assert Decimal(body["delivered_annual_value"]) == Decimal("138000000")
    assert Decimal(body["delivered_whole_life_value"]) == Decimal("360000000")
    assert Decimal(body["ongoing_annual_value"]) == Decimal("49000000")
    assert Decimal(body["planned_annual_value"]) == Decimal("58000000")
    assert body["ongoing_on"] == "2019-03-31"
    assert (body["planned_label"], ProcurementProject.objects.count()) == ("2019/20", 77)


def test_each_project_moved_through_its_stages_on_the_days_they_happened(world):
    users, directorates, contracts = world
    projects = build_pipeline(users, directorates, contracts)

    framework = projects["PP1819-01"]
    assert (framework.stage, framework.completed_on) == ("delivered", datetime.date(2018, 6, 29))
    stages = [(h.stage, h.history_date.date()) for h in framework.history.order_by("history_date", "history_id")]
    assert stages[0] == ("planned", datetime.date(2018, 1, 8))
    assert [s for s, _ in stages] == ["planned", "pre_market", "tender", "evaluation", "award", "delivered"]
    assert stages[-1] == ("delivered", datetime.date(2018, 6, 29))
    assert all(later >= earlier for (_, earlier), (_, later) in zip(stages, stages[1:], strict=False))
    assert {p.directorate.code for p in projects.values()} == {"ACCW"}
    # The projects the forward plan looks for replace the contracts whose re-procurement it carries.
    replacing = ProcurementProject.objects.filter(replaces__in=contracts.values()).values_list(
        "replaces__reference", flat=True
    )
    assert set(replacing) == set(contracts)


def test_loading_the_demo_work_plan_twice_writes_nothing(world):
    users, directorates, contracts = world
    build_pipeline(users, directorates, contracts)
    rows = ProcurementProject.history.count()

    again = build_pipeline(users, directorates, contracts)

    assert len(again) == 77
    assert ProcurementProject.objects.count() == 77
    assert ProcurementProject.history.count() == rows
