"""The council dashboard: who can open it, its figures against counts made from the records, its links,
its cache and its query bound."""

import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning import roles
from contracts.models import Contract
from oversight.models import Concern, Visit
from performance.models import MeasureResult
from providers.models import CqcRating, Location, Provider
from strategies.models import CommissioningStrategy, HighlightReport
from tests.factories import HighlightReportFactory, MeasureFactory, MeasureResultFactory
from tests.performance.conftest import Q3, build_council

pytestmark = pytest.mark.django_db

C, OFF, S, A = roles.COMMISSIONER, roles.CONTRACT_OFFICER, roles.SCRUTINY_MEMBER, roles.ADMINISTRATOR


@pytest.mark.parametrize(("role", "expected"), [(C, 200), (OFF, 200), (S, 200), (A, 200), (None, 302)])
def test_who_can_open_the_council_dashboard(client_for_role, role, expected):
    assert client_for_role(role).get(reverse("dashboards:council")).status_code == expected


def test_scrutiny_members_see_measures_but_not_contract_or_provider_panels(client_as_scrutiny, council):
    response = client_as_scrutiny.get(reverse("dashboards:council") + "?quarter=2018-Q3")
    html = response.content.decode()
    assert "Measures achieving their target" in html
    assert "Contracts needing a decision" not in html
    assert "Providers by risk level" not in html
    assert "CQC ratings" not in html


def test_dashboard_defaults_to_the_latest_quarter_with_results(client_as_commissioner, council):
    response = client_as_commissioner.get(reverse("dashboards:council"))
    assert response.context["period"] == Q3


@pytest.mark.parametrize(
    ("asked", "words"), [("soon", "is not a quarter"), ("0000-Q1", "not 0."), ("2101-Q1", "not 2101.")]
)
def test_a_quarter_that_cannot_be_is_a_clear_bad_request_not_an_error(client_as_commissioner, asked, words):
    response = client_as_commissioner.get(reverse("dashboards:council"), {"quarter": asked})

    assert response.status_code == 400
    html = response.content.decode()
    assert words in html
    assert 'name="quarter"' in html


def test_a_councillor_never_sees_contract_or_provider_figures_whatever_grant_they_hold(scrutiny_member, council):
    """One definition of who sees officers' figures: permissions.is_officer, not a model permission."""
    scrutiny_member.user_permissions.add(
        Permission.objects.get(codename="view_contract"), Permission.objects.get(codename="view_provider")
    )
    client = Client()
    client.force_login(scrutiny_member)

    response = client.get(reverse("dashboards:council") + "?quarter=2018-Q3")

    assert response.context["show_officer_figures"] is False
    assert "needs_decision_count" not in response.context
    assert "Contracts needing a decision" not in response.content.decode()


def test_a_draft_reports_rag_counts_for_officers_only(client_as_scrutiny, client_as_officer):
    draft = HighlightReportFactory(year=2018, quarter=3, rag="red")
    assert draft.status == HighlightReport.Status.DRAFT
    MeasureResultFactory(year=2018, quarter=3)

    councillor = client_as_scrutiny.get(reverse("dashboards:council") + "?quarter=2018-Q3").context
    officer = client_as_officer.get(reverse("dashboards:council") + "?quarter=2018-Q3").context

    assert councillor["rag_counts"]["red"] == 0
    assert officer["rag_counts"]["red"] == 1


def test_the_cache_never_hands_officers_figures_to_a_councillor(client_as_admin, client_as_scrutiny, settings, council):
    from django.core.cache import cache

    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    url = reverse("dashboards:council") + "?quarter=2018-Q3"

    assert "needs_decision_count" in client_as_admin.get(url).context
    councillor = client_as_scrutiny.get(url)

    assert "needs_decision_count" not in councillor.context
    assert "Providers by risk level" not in councillor.content.decode()


def test_dashboard_figures_equal_counts_made_from_the_records(client_as_admin, council):
    today = timezone.localdate()
    response = client_as_admin.get(reverse("dashboards:council") + "?quarter=2018-Q3")
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
        "/oversight/visits/?from=2018-10-01&amp;to=2018-12-31",
        "/oversight/concerns/?from=2018-10-01&amp;to=2018-12-31&amp;kind=safeguarding",
        "/providers/locations/?cqc=good",
        f"/performance/strategies/{council['strategies'][0].pk}/?quarter=2018-Q3",
    ):
        assert f'href="{link}"' in html, link
    assert "style=" not in html


def test_provider_risk_trend_counts_each_month_end_from_the_latest_assessment(client_as_admin, council):
    response = client_as_admin.get(reverse("dashboards:council") + "?quarter=2018-Q3")
    table = str(response.context["risk_trend_chart"].table)
    # April: nobody assessed; May: one low; June onwards two low; from November one high and one low.
    rows = table.split("<tr")[2:]
    assert len(rows) == 9  # April to December
    assert "Apr 2018" in rows[0]
    assert rows[0].count(">0<") == 3
    assert "Nov 2018" in rows[7]
    assert ">1<" in rows[7]


def test_the_dashboard_runs_the_same_number_of_queries_with_ten_times_the_records(
    client_as_admin, django_assert_max_num_queries
):
    url = reverse("dashboards:council") + "?quarter=2018-Q3"
    build_council(scale=1)
    with CaptureQueriesContext(connection) as small:
        assert client_as_admin.get(url).status_code == 200
    build_council(scale=10, first=1)
    # More measures for the first strategy too.
    first = CommissioningStrategy.objects.order_by("pk").first()
    for n in range(30):
        MeasureResultFactory(measure=MeasureFactory(strategy=first), year=2018, quarter=n % 4 + 1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client_as_admin.get(url).status_code == 200


def test_the_dashboard_reuses_its_figures_for_a_minute_then_counts_again(
    client_as_admin, settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    from tests.factories import VisitFactory

    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    url = reverse("dashboards:council") + "?quarter=2018-Q3"
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
