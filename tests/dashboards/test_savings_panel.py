"""The council dashboard's savings panel: the quarter's financial year, budgeted against achieved by directorate,
with totals and a link to the savings list; a fixed number of queries however many savings."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from strategies.models import Saving
from tests.factories import AchievedSavingFactory, DirectorateFactory, SavingFactory

pytestmark = pytest.mark.django_db

K = Decimal("1000")
URL = reverse("dashboards:council") + "?quarter=2016-Q3"


def test_the_panel_shows_the_years_savings_by_directorate_with_totals_and_links(client_as_scrutiny, directorate):
    children = DirectorateFactory(code="cs", name="Children's Services")
    AchievedSavingFactory(directorate=directorate, year=2016, budgeted=6100 * K, achieved=4794 * K, reasons="r")
    AchievedSavingFactory(directorate=children, year=2016, budgeted=1800 * K, achieved=1600 * K, reasons="r")
    SavingFactory(directorate=children, year=2016, budgeted=200 * K, status=Saving.Status.AGREED)
    SavingFactory(directorate=directorate, year=2017, budgeted=5000 * K)  # another year: not in the panel

    response = client_as_scrutiny.get(URL)

    rows = {row["directorate"]: row for row in response.context["savings_rows"]}
    assert (rows[directorate.name]["figures"].budgeted, rows[directorate.name]["figures"].achieved) == (
        6100 * K,
        4794 * K,
    )
    # Children's: 1,800 + 200 budgeted; 1,600 achieved (the agreed saving has no outturn yet).
    assert (rows["Children's Services"]["figures"].budgeted, rows["Children's Services"]["figures"].achieved) == (
        2000 * K,
        1600 * K,
    )
    totals = response.context["savings_totals"]
    assert (totals.budgeted, totals.achieved, totals.variation) == (8100 * K, 6394 * K, 1506 * K)
    page = response.content.decode()
    assert "Commissioning savings, 2016/17" in page
    assert f"/strategies/savings/?directorate={children.pk}&amp;year=2016" in page
    assert "See the savings for 2016/17" in page
    assert "£8,100,000" in page


def test_a_year_without_savings_says_so(client_as_commissioner):
    page = client_as_commissioner.get(URL).content.decode()
    assert "No savings are recorded for 2016/17." in page


def test_the_panel_adds_no_queries_as_savings_grow(client_as_admin, django_assert_max_num_queries):
    AchievedSavingFactory(directorate=DirectorateFactory(code="a"), reasons="r", achieved=90 * K)
    with CaptureQueriesContext(connection) as small:
        client_as_admin.get(URL)
    for number in range(20):
        AchievedSavingFactory(directorate=DirectorateFactory(code=f"d{number}"), reasons="r", achieved=90 * K)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client_as_admin.get(URL)
    assert len(response.context["savings_rows"]) == 21
