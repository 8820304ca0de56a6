"""With the demo data (manage.py load_demo): the strategy performance page stays within the same query bound."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from strategies.models import CommissioningStrategy
from tests.factories import MeasureFactory, MeasureResultFactory

from .conftest import build_council

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_database, db):
    """The demo data, loaded once for the run (tests/conftest.py)."""


def test_the_strategy_page_of_the_demo_data_stays_within_the_same_query_bound_with_ten_times_more(
    demo, client_as_admin
):
    strategy = CommissioningStrategy.objects.order_by("pk").first()
    url = reverse("performance:strategy", args=[strategy.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client_as_admin.get(url)
    assert response.status_code == 200
    count = len(queries.captured_queries)
    assert escape(strategy.purpose) in response.content.decode()

    build_council(scale=10, first=100)
    for n in range(40):
        MeasureResultFactory(measure=MeasureFactory(strategy=strategy), year=2018, quarter=n % 4 + 1)
    with CaptureQueriesContext(connection) as queries:
        assert client_as_admin.get(url).status_code == 200
    assert len(queries.captured_queries) <= count
