"""Pages run a constant number of queries whatever the number of contracts, measures or versions."""

import pytest
from django.urls import reverse

from strategies import services

pytestmark = pytest.mark.django_db

# One bound per page, the same at the demo size and at ten times more.
# The list reads the user's roles once (the latest RAG shown is of a report they may see); the strategy page asks
# for the next quarter to start only of those who may start one.
# Each includes the header's unread-notifications figure (cached in production; counted in a test's transaction).
BOUNDS = {"list": 15, "detail": 20, "report": 18, "edit": 20, "print": 18, "history": 12, "quarter": 10}


@pytest.mark.parametrize("scale", [1, 10])
def test_strategy_list_runs_constant_queries(client_as_commissioner, demo, django_assert_max_num_queries, scale):
    demo(count=3 * scale)
    with django_assert_max_num_queries(BOUNDS["list"]):
        response = client_as_commissioner.get(reverse("strategies:list"))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 3 * scale
    with django_assert_max_num_queries(BOUNDS["list"]):
        assert (
            client_as_commissioner.get(reverse("strategies:list"), {"rag": "green", "q": "strategy"}).status_code == 200
        )
    with django_assert_max_num_queries(BOUNDS["quarter"]):
        response = client_as_commissioner.get(reverse("strategies:reports_this_quarter"), {"quarter": "2018-Q3"})
    assert len(response.context["rows"]) == 3 * scale


@pytest.mark.parametrize("scale", [1, 10])
def test_strategy_and_report_pages_run_constant_queries(
    client_as_commissioner, commissioner, demo, django_assert_max_num_queries, scale
):
    strategy = demo(count=1, scale=scale)[0]
    report = strategy.highlight_reports.get()
    for n in range(3 * scale):  # saved versions
        report = services.highlight_report_update(
            report=report, by=commissioner, data={"summary": f"Summary {n}"}, expected_version=report.version
        )
    pages = {
        "detail": reverse("strategies:detail", args=[strategy.pk]),
        "report": reverse("strategies:report", args=[report.pk]),
        "edit": reverse("strategies:report_edit", args=[report.pk]),
        "print": reverse("strategies:report_print", args=[report.pk]),
        "history": reverse("strategies:report_history", args=[report.pk]),
    }
    for name, url in pages.items():
        with django_assert_max_num_queries(BOUNDS[name]):
            response = client_as_commissioner.get(url)
        assert response.status_code == 200, name
    doc = response.context["report"]
    assert doc.version == 3 * scale + 1
