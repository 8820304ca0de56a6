"""With the demo data (manage.py load_demo): the dashboard's figures equal counts made directly from the
records, and the dashboard stays within the same query bound."""

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import OuterRef, Q, Subquery
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.periods import FinancialQuarter
from contracts.models import Contract
from oversight.models import Concern, Visit
from performance.models import Measure, MeasureResult
from providers.models import CqcRating, Location, Provider
from strategies.models import CommissioningStrategy, HighlightReport
from tests.factories import MeasureFactory, MeasureResultFactory
from tests.performance.conftest import build_council

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_database, db):
    """The demo data, loaded once for the run (tests/conftest.py)."""


def test_dashboard_figures_equal_counts_from_the_demo_records(demo, client_as_admin):
    response = client_as_admin.get(reverse("dashboards:council"))
    ctx = response.context
    period: FinancialQuarter = ctx["period"]
    latest = MeasureResult.objects.order_by("-year", "-quarter").first()
    assert period == latest.period

    reports = {r.strategy_id: r.rag for r in HighlightReport.objects.filter(year=period.year, quarter=period.quarter)}
    expected_rag = dict.fromkeys(("red", "amber", "green", "none"), 0)
    for strategy in CommissioningStrategy.objects.all():
        expected_rag[reports.get(strategy.pk) or "none"] += 1
    assert ctx["rag_counts"] == expected_rag

    results = {r.measure_id: r for r in MeasureResult.objects.filter(year=period.year, quarter=period.quarter)}
    targeted = Measure.objects.filter(is_active=True, is_targeted=True)
    statuses = [results[m.pk].status if m.pk in results else "awaiting_data" for m in targeted]
    assert ctx["measure_totals"]["total"] == Measure.objects.filter(is_active=True).count()
    assert ctx["measure_totals"]["achieved"] == statuses.count("achieved")
    assert ctx["measure_totals"]["not_achieved"] == statuses.count("not_achieved")
    assert ctx["measure_totals"]["awaiting_data"] == statuses.count("awaiting_data")

    today = timezone.localdate()
    # Live contracts past their latest possible end are counted too: they need a decision most of all.
    assert (
        ctx["needs_decision_count"]
        == Contract.objects.filter(
            status="live",
            maximum_end_date__lte=today + relativedelta(months=12),
            reprocurement_decision="",
        ).count()
    )
    assert (
        ctx["needs_decision_past_end"]
        == Contract.objects.filter(status="live", maximum_end_date__lt=today, reprocurement_decision="").count()
    )
    previous = period.previous()
    assert ctx["visits"]["this"] == Visit.objects.filter(visited_on__range=(period.start, period.end)).count()
    assert ctx["visits"]["last"] == Visit.objects.filter(visited_on__range=(previous.start, previous.end)).count()
    for row in ctx["concern_rows"]:
        assert (
            row["this"] == Concern.objects.filter(kind=row["kind"], raised_on__range=(period.start, period.end)).count()
        )

    # Providers that have left the market are not counted (their last level is history).
    in_market = Provider.objects.filter(Q(exited_on__isnull=True) | Q(exited_on__gt=today))
    levels = [p.current_risk_level or "none" for p in in_market.with_current_risk()]
    assert {r["level"]: r["count"] for r in ctx["risk_rows"]} == {
        lv: levels.count(lv) for lv in ("high", "medium", "low", "none")
    }

    newest = CqcRating.objects.filter(location=OuterRef("pk")).order_by("-published_on", "-pk")
    overall = [
        o for o in Location.objects.annotate(o=Subquery(newest.values("overall")[:1])).values_list("o", flat=True) if o
    ]
    assert ctx["cqc"]["good_or_outstanding"] == sum(o in ("good", "outstanding") for o in overall)
    assert ctx["cqc"]["rated"] == sum(o != "not_rated" for o in overall)


def test_the_dashboard_of_the_demo_data_stays_within_the_same_query_bound_with_ten_times_more(demo, client_as_admin):
    url = reverse("dashboards:council")
    with CaptureQueriesContext(connection) as queries:
        assert client_as_admin.get(url).status_code == 200
    count = len(queries.captured_queries)

    strategy = CommissioningStrategy.objects.order_by("pk").first()
    build_council(scale=10, first=100)
    for n in range(40):
        MeasureResultFactory(measure=MeasureFactory(strategy=strategy), year=2018, quarter=n % 4 + 1)
    with CaptureQueriesContext(connection) as queries:
        assert client_as_admin.get(url).status_code == 200
    assert len(queries.captured_queries) <= count
