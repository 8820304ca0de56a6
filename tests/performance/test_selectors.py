"""The strategy performance context shared with the highlight-report PDF, and its query bound."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from performance.selectors import format_measure_value, measures_summary, strategy_performance_context
from tests.factories import MeasureFactory

from .conftest import Q3

pytestmark = pytest.mark.django_db


def test_context_groups_measures_by_outcome_with_formatted_values_and_status(council):
    carers = council["strategies"][0]
    perf = strategy_performance_context(strategy=carers, period=Q3)

    assert perf["purpose"] == carers.purpose
    titles = [group["title"] for group in perf["outcomes"]]
    assert titles == ["Carers feel valued and respected", "Other measures"]
    rows = {row.name: row for group in perf["outcomes"] for row in group["measures"]}
    assert rows["Carers supported 0"].value == "1,719 per 100,000"
    assert rows["Carers included 0"].status_label == "Achieved"
    assert rows["Carers social contact 0"].status_label == "Not achieved"
    assert rows["Carers reviewed 0"].status_label == "Measured only"
    assert rows["Carers reviewed 0"].target == ""
    assert rows["Carers included 0"].trend_svg.startswith("<svg")
    assert perf["status_counts"]["achieved"] == 2


def test_context_agrees_with_the_highlight_report_summary(council):
    carers = council["strategies"][0]
    perf = strategy_performance_context(strategy=carers, period=Q3)
    summary = measures_summary(strategy_ids=[carers.pk], period=Q3)[carers.pk]
    assert (summary.achieved, summary.not_achieved, summary.measured_only) == (
        perf["status_counts"]["achieved"],
        perf["status_counts"]["not_achieved"],
        perf["status_counts"]["measured_only"],
    )


def test_fragment_renders_alone_for_the_pdf(council, django_assert_max_num_queries):
    carers = council["strategies"][0]
    with django_assert_max_num_queries(3):
        perf = strategy_performance_context(strategy=carers, period=Q3)
    html = render_to_string("performance/includes/strategy_performance.html", {"perf": perf})
    assert "<html" not in html
    assert "66.7%" in html
    assert html.count("<svg") == 4


@pytest.mark.parametrize(
    ("unit", "places", "value", "expected"),
    [
        ("percentage", 1, Decimal("66.7"), "66.7%"),
        ("rate_100k", 0, Decimal("1955"), "1,955 per 100,000"),
        ("pounds", 0, Decimal("12000"), "£12,000"),
        ("days", 0, Decimal("5"), "5 days"),
        ("count", 0, None, "—"),
    ],
)
def test_values_are_written_with_their_unit(unit, places, value, expected):
    assert format_measure_value(MeasureFactory.build(unit=unit, decimal_places=places), value) == expected
