"""Performance pages: who can see and change what, the results grid, the dashboard's figures, query bounds."""

import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from commissioning import roles
from contracts.models import Concern, Contract, Visit
from performance.models import MeasureResult
from providers.models import CqcRating, Location, Provider
from strategies.models import CommissioningStrategy, HighlightReport
from tests.factories import MeasureFactory, MeasureResultFactory, OutcomeFactory, StrategyFactory

from .conftest import Q3, build_council

pytestmark = pytest.mark.django_db

C, OFF, S, A = roles.COMMISSIONER, roles.CONTRACT_OFFICER, roles.SCRUTINY_MEMBER, roles.ADMINISTRATOR


@pytest.mark.parametrize(
    ("role", "page", "expected"),
    [
        *[(role, "dashboard", 200) for role in (C, OFF, S, A)],
        *[(role, "strategy", 200) for role in (C, OFF, S, A)],
        *[(role, "late", 200) for role in (C, OFF, S, A)],
        (C, "grid", 200), (OFF, "grid", 200), (A, "grid", 200), (S, "grid", 403),
        (C, "import", 200), (OFF, "import", 200), (A, "import", 200), (S, "import", 403),
        (C, "add", 200), (A, "add", 200), (OFF, "add", 403), (S, "add", 403),
        (C, "edit", 200), (A, "edit", 200), (OFF, "edit", 403), (S, "edit", 403),
        (None, "dashboard", 302),
    ],
)  # fmt: skip
def test_who_can_open_each_performance_page(client_for_role, role, page, expected):
    measure = MeasureFactory()
    strategy = measure.strategy
    url = {
        "dashboard": reverse("performance:dashboard"),
        "strategy": reverse("performance:strategy", args=[strategy.pk]),
        "late": reverse("performance:late_results"),
        "grid": reverse("performance:results_grid", args=[strategy.pk, 2018, 3]),
        "import": reverse("performance:results_import"),
        "add": reverse("performance:measure_add", args=[strategy.pk]),
        "edit": reverse("performance:measure_edit", args=[measure.pk]),
    }[page]
    assert client_for_role(role).get(url).status_code == expected


def test_scrutiny_members_see_measures_but_not_contract_or_provider_panels(client_as_scrutiny, council):
    response = client_as_scrutiny.get(reverse("performance:dashboard") + "?quarter=2018-Q3")
    html = response.content.decode()
    assert "Measures achieving their target" in html
    assert "Contracts needing a decision" not in html
    assert "Providers by risk level" not in html
    assert "CQC ratings" not in html


def test_dashboard_defaults_to_the_latest_quarter_with_results(client_as_commissioner, council):
    response = client_as_commissioner.get(reverse("performance:dashboard"))
    assert response.context["period"] == Q3


def test_an_unreadable_quarter_is_not_found(client_as_commissioner):
    assert client_as_commissioner.get(reverse("performance:dashboard") + "?quarter=soon").status_code == 404


def test_strategy_page_shows_each_outcome_with_values_units_status_and_trend(client_as_scrutiny, council):
    carers = council["strategies"][0]
    response = client_as_scrutiny.get(reverse("performance:strategy", args=[carers.pk]) + "?quarter=2018-Q3")
    html = response.content.decode()
    assert carers.purpose in html
    assert "Carers feel valued and respected" in html
    assert "66.7%" in html and "1,719 per 100,000" in html
    assert "Not achieved" in html and "Measured only" in html
    assert html.count('role="img"') == 4
    assert "Q2 2017/18" in html  # the trend reaches back across the financial year end
    assert "style=" not in html


def test_results_grid_saves_every_measure_of_the_quarter_and_records_who(client_as_officer, contract_officer):
    strategy = StrategyFactory()
    included = MeasureFactory(strategy=strategy, name="Carers included")
    reviewed = MeasureFactory(strategy=strategy, name="Carers reviewed", is_targeted=False)
    MeasureResultFactory(measure=included, year=2018, quarter=2, target=Decimal("60"))
    url = reverse("performance:results_grid", args=[strategy.pk, 2018, 3])

    page = client_as_officer.get(url)
    assert page.context["rows"][0][0]["target"].value() == Decimal("60")  # carried forward from Q2

    response = client_as_officer.post(
        url,
        {
            f"m{included.pk}-value": "66.7",
            f"m{included.pk}-target": "60",
            f"m{included.pk}-commentary": "Above target",
            f"m{reviewed.pk}-value": "84.8",
        },
    )
    assert response.status_code == 302
    saved = {r.measure_id: r for r in MeasureResult.objects.filter(year=2018, quarter=3)}
    assert saved[included.pk].value == Decimal("66.7") and saved[included.pk].status == "achieved"
    assert saved[included.pk].entered_by == contract_officer and saved[included.pk].entered_at is not None
    assert saved[reviewed.pk].status == "measured_only"


def test_results_grid_shows_each_rows_errors_and_saves_nothing(client_as_commissioner):
    strategy = StrategyFactory()
    included = MeasureFactory(strategy=strategy, name="Carers included")
    supported = MeasureFactory(strategy=strategy, name="Carers supported", unit="count")
    url = reverse("performance:results_grid", args=[strategy.pk, 2018, 4])
    response = client_as_commissioner.post(
        url, {f"m{included.pk}-value": "166", f"m{supported.pk}-value": "lots", f"m{supported.pk}-target": "10"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter a value for &#x27;Carers included&#x27; between 0 and 100" in html
    assert f'href="#id_m{supported.pk}-value"' in html
    assert not MeasureResult.objects.exists()


def test_results_grid_refuses_a_quarter_that_does_not_exist(client_as_commissioner):
    strategy = StrategyFactory()
    assert client_as_commissioner.get(f"/performance/strategies/{strategy.pk}/results/2018-Q5/").status_code == 404


def test_measure_can_be_added_and_changed(client_as_commissioner):
    strategy = StrategyFactory()
    outcome = OutcomeFactory(strategy=strategy)
    data = {
        "name": "Chlamydia diagnoses",
        "outcome": outcome.pk,
        "unit": "rate_100k",
        "decimal_places": "0",
        "polarity": "higher",
        "is_targeted": "on",
        "framework": "PHOF",
        "framework_code": "PHOF 3.02",
        "data_source": "PHE",
        "frequency": "quarterly",
        "order": "1",
        "is_active": "on",
    }
    response = client_as_commissioner.post(reverse("performance:measure_add", args=[strategy.pk]), data)
    assert response.status_code == 302
    measure = strategy.measures.get()
    assert (measure.framework_code, measure.outcome, measure.unit) == ("PHOF 3.02", outcome, "rate_100k")
    data["polarity"] = "lower"
    client_as_commissioner.post(reverse("performance:measure_edit", args=[measure.pk]), data)
    measure.refresh_from_db()
    assert measure.polarity == "lower"
    assert measure.history.first().history_user.username == "commissioner"


def test_measure_form_names_a_missing_field(client_as_commissioner):
    strategy = StrategyFactory()
    response = client_as_commissioner.post(reverse("performance:measure_add", args=[strategy.pk]), {"unit": "count"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not strategy.measures.exists()


def test_dashboard_figures_equal_counts_made_from_the_records(client_as_admin, council):
    today = datetime.date.today()
    response = client_as_admin.get(reverse("performance:dashboard") + "?quarter=2018-Q3")
    ctx = response.context

    reports = {r.strategy_id: r.rag for r in HighlightReport.objects.filter(year=2018, quarter=3)}
    expected_rag = {"red": 0, "amber": 0, "green": 0, "none": 0}
    for strategy in CommissioningStrategy.objects.all():
        expected_rag[reports.get(strategy.pk) or "none"] += 1
    assert ctx["rag_counts"] == expected_rag == {"red": 0, "amber": 0, "green": 1, "none": 1}

    results = MeasureResult.objects.filter(year=2018, quarter=3, measure__is_targeted=True).select_related("measure")
    assert ctx["measure_totals"]["achieved"] == sum(r.status == "achieved" for r in results) == 2
    assert ctx["measure_totals"]["not_achieved"] == sum(r.status == "not_achieved" for r in results) == 1
    assert ctx["measure_totals"]["awaiting_data"] == 1

    horizon = today + relativedelta(months=12)
    needing = Contract.objects.filter(
        status="live", start_date__lte=today, end_date__gte=today, maximum_end_date__lte=horizon,
        reprocurement_decision="",
    )  # fmt: skip
    assert ctx["needs_decision_count"] == needing.count() == 1

    assert ctx["visits"]["this"] == Visit.objects.filter(visited_on__range=(Q3.start, Q3.end)).count() == 2
    q2 = Q3.previous()
    assert ctx["visits"]["last"] == Visit.objects.filter(visited_on__range=(q2.start, q2.end)).count() == 1
    concerns = {row["kind"]: row for row in ctx["concern_rows"]}
    assert (
        concerns["safeguarding"]["this"] == Concern.objects.filter(kind="safeguarding", raised_on__gte=Q3.start).count()
    )
    assert concerns["poor_practice"]["last"] == 1

    risks = {r["level"]: r["count"] for r in ctx["risk_rows"]}
    current = [p.current_risk_level for p in Provider.objects.with_current_risk()]
    assert risks == {level: current.count(None if level == "none" else level) for level in risks}
    # The contracts' lead providers have no assessment either.
    assert risks == {"high": 1, "medium": 0, "low": 1, "none": 4}

    latest = CqcRating.objects.filter(location=OuterRef("pk")).order_by("-published_on")
    overall = list(Location.objects.annotate(o=Subquery(latest.values("overall")[:1])).values_list("o", flat=True))
    assert ctx["cqc"]["good_or_outstanding"] == sum(o in ("good", "outstanding") for o in overall) == 2
    assert ctx["cqc"]["share"] == Decimal("66.7")

    html = response.content.decode()
    for link in (
        "/strategies/?rag=green&amp;quarter=2018-Q3",
        "/contracts/needs-decision/?within=12",
        "/providers/?risk=high",
        "/contracts/visits/?from=2018-10-01&amp;to=2018-12-31",
        "/contracts/concerns/?from=2018-10-01&amp;to=2018-12-31&amp;kind=safeguarding",
        "/providers/locations/?cqc=good",
        f"/performance/strategies/{council['strategies'][0].pk}/?quarter=2018-Q3",
    ):
        assert f'href="{link}"' in html, link
    assert "style=" not in html


def test_provider_risk_trend_counts_each_month_end_from_the_latest_assessment(client_as_admin, council):
    response = client_as_admin.get(reverse("performance:dashboard") + "?quarter=2018-Q3")
    table = str(response.context["risk_trend_chart"].table)
    # April: nobody assessed; May: one low; June onwards two low; from November one high and one low.
    rows = table.split("<tr")[2:]
    assert len(rows) == 9  # April to December
    assert "Apr 2018" in rows[0] and rows[0].count(">0<") == 3
    assert "Nov 2018" in rows[7] and ">1<" in rows[7]


@pytest.mark.parametrize("page", ["dashboard", "strategy"])
def test_pages_run_the_same_number_of_queries_with_ten_times_the_records(
    client_as_admin, django_assert_max_num_queries, page
):
    def url():
        first = CommissioningStrategy.objects.order_by("pk").first()
        path = (
            reverse("performance:dashboard")
            if page == "dashboard"
            else reverse("performance:strategy", args=[first.pk])
        )
        return path + "?quarter=2018-Q3"

    build_council(scale=1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client_as_admin.get(url()).status_code == 200
    build_council(scale=10, first=1)
    # More measures for the first strategy too.
    first = CommissioningStrategy.objects.order_by("pk").first()
    for n in range(30):
        MeasureResultFactory(measure=MeasureFactory(strategy=first), year=2018, quarter=n % 4 + 1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client_as_admin.get(url()).status_code == 200


def test_the_dashboard_reuses_its_figures_for_a_minute_then_counts_again(
    client_as_admin, settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    from tests.factories import VisitFactory

    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    url = reverse("performance:dashboard") + "?quarter=2018-Q3"
    first = client_as_admin.get(url)
    assert first.status_code == 200
    VisitFactory(visited_on=datetime.date(2018, 10, 2))
    # Within the minute: the same figures, without counting the records again.
    with django_assert_max_num_queries(8):
        second = client_as_admin.get(url)
    assert second.context["visits"]["this"] == first.context["visits"]["this"]
    cache.clear()  # as when the minute is up
    third = client_as_admin.get(url)
    assert third.context["visits"]["this"] == first.context["visits"]["this"] + 1
