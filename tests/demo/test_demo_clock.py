"""The demo clock and demo data that obeys the app's rules (issue 15).

The seed's facts keep their 2018/19 dates; generated activity covers the 13 months up to the day the demo is
loaded, so a new user's "this quarter" shows data; the highlight reports' RAG and the strategies' stages are
the seed's; the documents table gives the seed's six months. The demo is loaded once for the module."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.models import User
from commissioning.periods import FinancialQuarter
from contracts.models import Contract, ContractChange
from demo import FIGURES, clock
from demo.seed import LATE_RESULTS
from demo.strategy_data import STRATEGIES
from demo.volume import DOCUMENTS_SIX_MONTHS, SIX_MONTHS
from oversight.models import Concern, Sanction, Visit
from oversight.statistics import annual_statistics
from performance.models import Measure, MeasureResult
from performance.selectors import late_results
from providers.models import Location
from strategies.models import CommissioningStrategy, HighlightReport

pytestmark = pytest.mark.django_db
YEAR_2018 = (date(2018, 4, 1), date(2019, 3, 31))
# The seed's highlight reports (seed 000): Status (RAG) and the cycle stage each one gives.
SEED_RAG = {
    "Specialist Adult Services": "",
    "Safeguarding Adults": "",
    "Carers": "",
    "Adult Frailty and Long Term Conditions": "green",
    "Community Wellbeing": "green",
    "Public Protection": "",
}
SEED_STAGES = {
    "Specialist Adult Services": [],
    "Safeguarding Adults": [],
    "Carers": ["Do", "Review"],
    "Adult Frailty and Long Term Conditions": [],
    "Community Wellbeing": [],
    "Public Protection": ["Plan"],
}


@pytest.fixture
def demo(demo_database, db):
    """The demo data, loaded once for the run (tests/conftest.py)."""


def _months(days) -> set[tuple[int, int]]:
    return {(day.year, day.month) for day in days}


def _window_months() -> set[tuple[int, int]]:
    return {(first.year, first.month) for first in clock.recent_month_starts()}


# --- The clock rule ----------------------------------------------------------------------------------------------


def test_the_window_is_the_13_months_before_the_load_day_and_its_own_month():
    months = clock.recent_month_starts(date(2026, 12, 3))
    assert months[0] == clock.recent_start(date(2026, 12, 3)) == date(2025, 11, 1)
    assert months[-1] == date(2026, 12, 1)
    assert len(months) == 14


def test_generated_activity_falls_between_the_window_start_and_the_load_day(demo):
    start, today = clock.recent_start(), clock.load_day()
    # Nothing after 2019/19's year end is seed history: everything after it is generated, inside the window.
    assert not Visit.objects.filter(visited_on__gt=YEAR_2018[1], visited_on__lt=start).exists()
    assert not Visit.objects.filter(visited_on__gt=today).exists()
    assert not Concern.objects.filter(raised_on__gt=YEAR_2018[1], raised_on__lt=start).exists()
    assert not Concern.objects.filter(raised_on__gt=today).exists()
    assert not Concern.objects.filter(closed_on__gt=today).exists()
    assert not Sanction.objects.filter(issued_on__gt=today).exists()


def test_every_month_of_the_window_has_visits_and_each_kind_of_concern(demo):
    start = clock.recent_start()
    visits = Visit.objects.filter(visited_on__gte=start)
    assert _months(visits.values_list("visited_on", flat=True)) == _window_months()
    for kind in (*FIGURES["concerns_2018"], "complaint"):
        raised = Concern.objects.filter(kind=kind, raised_on__gte=start).values_list("raised_on", flat=True)
        assert _months(raised) == _window_months(), kind


def test_the_window_has_the_seeds_yearly_volume_and_proportions(demo):
    start = clock.recent_start()
    whole_months = len(clock.recent_month_starts()) - 1  # the load day's month is only partly there
    per_month = Visit.objects.filter(visited_on__gte=start, visited_on__lt=clock.load_day().replace(day=1)).count()
    assert abs(per_month / whole_months * 12 - FIGURES["visits_2018"]) < FIGURES["visits_2018"] * 0.08
    concerns = Counter(Concern.objects.filter(raised_on__gte=start).values_list("kind", flat=True))
    seed_total = sum(FIGURES["concerns_2018"].values())
    window_total = sum(concerns[kind] for kind in FIGURES["concerns_2018"])
    for kind, count in FIGURES["concerns_2018"].items():
        assert abs(concerns[kind] / window_total - count / seed_total) < 0.03, kind
    sanctions = Counter(Sanction.objects.filter(issued_on__gte=start).values_list("kind", flat=True))
    assert sanctions["default_notice"] > 0
    assert sanctions["suspension"] > 0


def test_recent_visits_are_at_services_still_open_under_their_providers(demo):
    recent = Visit.objects.filter(visited_on__gte=clock.recent_start()).select_related("location", "contract")
    for visit in recent:
        assert visit.location.provider_id == visit.provider_id
        assert visit.location.closed_on is None or visit.visited_on <= visit.location.closed_on
        assert visit.contract is None or visit.contract.status == Contract.Status.LIVE


# --- Results for the recent quarters -----------------------------------------------------------------------------


def _last_ended_quarter(today: date) -> FinancialQuarter:
    quarter = FinancialQuarter.containing(today).previous()
    while quarter.next().start.replace(day=20) > today:
        quarter = quarter.previous()
    return quarter


def test_only_a_few_results_are_late_as_in_a_real_council(demo):
    late = late_results()
    assert len(late) == LATE_RESULTS
    assert len({row.period for row in late}) == 1


def test_every_measure_has_results_for_the_recent_quarters_entered_by_its_strategys_lead(demo):
    today = clock.load_day()
    latest = _last_ended_quarter(today)
    measures = Measure.objects.filter(strategy__name__in=SEED_RAG)
    recent = MeasureResult.objects.filter(measure__in=measures, year__gte=latest.year - 1)
    assert MeasureResult.objects.order_by("-year", "-quarter").first().period == latest
    quarters = {result.period for result in recent}
    assert latest.previous() in quarters
    for measure in measures:
        assert recent.filter(measure=measure, year=latest.previous().year, quarter=latest.previous().quarter).exists()
    # Entered through the results service as the strategy's lead, on the 20th of the month after the quarter.
    entered = recent.filter(year=latest.previous().year, quarter=latest.previous().quarter)
    assert entered.exists()
    for result in entered.select_related("entered_by", "measure__strategy"):
        assert result.entered_by == result.measure.strategy.commissioning_lead
        assert timezone.localdate(result.entered_at) == latest.start.replace(day=20)


# --- RAG, stages and the seed's figures ---------------------------------------------------------------------------


def test_the_strategies_stages_are_the_seeds(demo):
    stages = {s.name: s.stages for s in CommissioningStrategy.objects.filter(name__in=SEED_STAGES)}
    assert stages == SEED_STAGES
    assert {data["name"]: list(data["stages"]) for data in STRATEGIES} == {
        name: [stage.lower() for stage in value] for name, value in SEED_STAGES.items()
    }


def test_the_demo_data_gives_the_seeds_rag():
    assert {data["name"]: data["rag"] for data in STRATEGIES} == SEED_RAG


def test_highlight_reports_carry_the_seeds_rag(demo):
    q3 = dict(HighlightReport.objects.filter(year=2018, quarter=3).values_list("strategy__name", "rag"))
    assert q3 == SEED_RAG
    q4 = dict(HighlightReport.objects.filter(year=2018, quarter=4).values_list("strategy__name", "rag"))
    assert q4 == {name: SEED_RAG[name] for name in q4}


def test_the_documents_table_gives_the_seeds_six_months(demo):
    start, end = SIX_MONTHS
    assert (start, end) == (date(2018, 10, 1), date(2019, 3, 31))
    admin = User.objects.get(username="admin")
    # The annual statistics' documents table, counted for the seed's last six months of 2018/19.
    from oversight.statistics import _documents

    assert dict(_documents(start, end, admin)) == {
        "Contract documents": 124,
        "Out of county agreements": 146,
        "Variations/Extensions": 330,
        "Grant agreements": 12,
        "Novations": 4,
    }
    assert DOCUMENTS_SIX_MONTHS == {
        "contract_documents": 124,
        "out_of_county": 146,
        "variations": 330,
        "grants": 12,
        "novations": 4,
    }
    changes = ContractChange.objects.filter(effective_on__range=SIX_MONTHS)
    # Each change went through contract_record_change, on its day, by an administrator.
    assert not changes.filter(recorded_by__isnull=True).exists()
    novated = changes.filter(kind="novation").select_related("contract")
    assert all(change.contract.lead_provider_id == change.to_provider_id for change in novated[1:])


def test_the_seeds_headline_figures_come_out_of_records_made_by_the_services(demo):
    assert Visit.objects.filter(visited_on__range=YEAR_2018).count() == FIGURES["visits_2018"]
    previous = (date(2017, 4, 1), date(2018, 3, 31))
    assert Visit.objects.filter(visited_on__range=previous).count() == FIGURES["visits_2017"]
    concerns = dict(Concern.objects.filter(raised_on__range=YEAR_2018).values_list("kind").annotate(n=Count("pk")))
    assert {kind: concerns[kind] for kind in FIGURES["concerns_2018"]} == FIGURES["concerns_2018"]
    sanctions = Counter(Sanction.objects.filter(issued_on__range=YEAR_2018).values_list("kind", flat=True))
    assert sanctions == {"default_notice": FIGURES["default_notices_2018"], "suspension": FIGURES["suspensions_2018"]}
    homes = Location.objects.filter(is_care_home=True)
    assert homes.filter(in_county=True).count() == FIGURES["in_county_care_homes"]
    assert homes.filter(in_county=False).count() == FIGURES["out_of_county_care_homes"]
    year_end = YEAR_2018[1]
    running = Contract.objects.filter(start_date__lte=year_end, end_date__gte=year_end).exclude(status="terminated")
    open_in_county = homes.filter(in_county=True, contracts__in=running.filter(category="residential")).distinct()
    assert open_in_county.count() == FIGURES["in_county_care_homes_open"]
    block = running.filter(contract_type="block", category="residential", locations__isnull=False)
    assert block.count() == FIGURES["block_transitional_bed_homes"]
    stats = annual_statistics(year=2018, user=User.objects.get(username="admin"))
    assert stats.visits == FIGURES["visits_2018"]
    assert (stats.default_notices, stats.suspensions) == (16, 10)
    # Made by the services: each record has the history row its service writes when it creates it.
    for model in (Visit, Concern, Sanction):
        created = model.history.filter(history_type="+").values("id").distinct().count()
        assert created == model.objects.count(), model.__name__


# --- Signed in as each role today ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["commissioner", "officer", "councillor", "admin"])
def test_signed_in_today_the_dashboard_shows_this_quarters_demo_data(demo, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("dashboards:council"))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["period"] == _last_ended_quarter(clock.load_day())
    totals = ctx["measure_totals"]
    assert totals["achieved"] + totals["not_achieved"] > 0
    assert totals["awaiting_data"] <= LATE_RESULTS
    assert any(row["summary"].achieved or row["summary"].not_achieved for row in ctx["measure_rows"])
    if ctx["show_officer_figures"]:
        assert ctx["visits"]["this"] > 50
        assert all(row["this"] > 0 for row in ctx["concern_rows"])
        assert sum(row["count"] for row in ctx["risk_rows"] if row["level"] != "none") > 0
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("username", ["officer", "admin"])
def test_signed_in_today_an_officers_home_page_lists_their_contracts(demo, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    if username == "officer":
        assert response.context["my_contracts"]
        assert all(c.status == Contract.Status.LIVE for c in response.context["my_contracts"])


def test_officers_see_this_quarters_visits_on_the_visits_page(demo):
    client = Client()
    client.force_login(User.objects.get(username="officer"))
    response = client.get(reverse("oversight:visits"))
    assert response.status_code == 200
    page = response.content.decode()
    latest = Visit.objects.order_by("-visited_on").first()
    assert latest.visited_on >= clock.load_day() - timedelta(days=31)
    assert f"{latest.visited_on:%d/%m/%Y}" in page or latest.visited_on.strftime("%-d %B %Y") in page
