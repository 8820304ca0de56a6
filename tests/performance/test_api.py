"""The measures and results API: its shapes, its query strings, and edits that would move a record."""

from decimal import Decimal

import pytest

from performance.models import MeasureResult
from tests.factories import MeasureFactory, MeasureResultFactory

from .conftest import api

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("year=0", "year", "2000/01 to 2100/01"),
        ("year=99999999999999999999", "year", "2000/01 to 2100/01"),
        ("year=2018.5", "year", "like 2018 for 2018/19"),
        ("year=soon", "year", "like 2018 for 2018/19"),
        ("quarter=0", "quarter", "quarters 1 to 4"),
        ("quarter=9", "quarter", "quarters 1 to 4"),
    ],
)
def test_a_year_or_quarter_that_cannot_be_is_a_clear_bad_request(administrator, query, field, words):
    response = api(administrator).get(f"/api/v1/measure-results/?{query}")

    assert response.status_code == 400
    assert words in response.json()["errors"][field][0]


def test_results_are_filtered_by_year_and_quarter(administrator):
    MeasureResultFactory(year=2018, quarter=3)
    MeasureResultFactory(year=2018, quarter=2)

    response = api(administrator).get("/api/v1/measure-results/?year=2018&quarter=3")

    assert [row["period"] for row in response.json()["results"]] == ["Q3 2018/19"]


def test_a_new_result_outside_the_years_recorded_is_refused_by_field(commissioner, own_strategy):
    measure = MeasureFactory(strategy=own_strategy)

    response = api(commissioner).post(
        "/api/v1/measure-results/", {"measure": measure.pk, "year": 1999, "quarter": 4, "value": "50"}, format="json"
    )

    assert response.status_code == 400
    assert "year" in response.json()["errors"]
    assert not MeasureResult.objects.exists()


def test_a_result_is_answered_as_a_get_shows_it_with_its_status(commissioner, own_strategy):
    measure = MeasureFactory(strategy=own_strategy, polarity="lower", name="Delayed transfers")

    created = api(commissioner).post(
        "/api/v1/measure-results/",
        {"measure": measure.pk, "year": 2018, "quarter": 3, "value": "12", "target": "14", "commentary": " Good "},
        format="json",
    )

    assert created.status_code == 201
    body = created.json()
    assert body == api(commissioner).get(f"/api/v1/measure-results/{body['id']}/").json()
    assert (body["status"], body["period"], body["measure_name"], body["commentary"]) == (
        "achieved",
        "Q3 2018/19",
        "Delayed transfers",
        "Good",
    )
    assert body["entered_by"] == commissioner.pk


def test_posting_a_stored_quarter_replaces_it(commissioner, own_strategy):
    result = MeasureResultFactory(measure=MeasureFactory(strategy=own_strategy), year=2018, quarter=3)

    response = api(commissioner).post(
        "/api/v1/measure-results/",
        {"measure": result.measure_id, "year": 2018, "quarter": 3, "value": "90"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["id"] == result.pk
    assert MeasureResult.objects.get().value == Decimal("90")


def test_a_result_cannot_be_moved_to_another_quarter_or_measure(commissioner, own_strategy):
    result = MeasureResultFactory(measure=MeasureFactory(strategy=own_strategy), year=2018, quarter=3)
    other = MeasureFactory(strategy=own_strategy)

    moved = api(commissioner).put(
        f"/api/v1/measure-results/{result.pk}/",
        {"measure": other.pk, "year": 2018, "quarter": 4, "value": "1"},
        format="json",
    )
    kept = api(commissioner).put(
        f"/api/v1/measure-results/{result.pk}/",
        {"measure": result.measure_id, "year": 2018, "quarter": 3, "value": "1"},
        format="json",
    )

    assert moved.status_code == 400
    assert set(moved.json()["errors"]) == {"measure", "quarter"}
    assert kept.status_code == 200
    result.refresh_from_db()
    assert (result.measure_id, result.quarter, result.value) == (result.measure_id, 3, Decimal("1"))


def test_a_measure_cannot_be_moved_to_another_strategy(administrator, own_strategy, foreign_strategy):
    measure = MeasureFactory(strategy=own_strategy)

    response = api(administrator).patch(
        f"/api/v1/measures/{measure.pk}/", {"strategy": foreign_strategy.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["strategy"] == ["A measure cannot move to another strategy."]


def test_a_measure_is_added_and_changed_through_the_services(commissioner, own_strategy):
    created = api(commissioner).post(
        "/api/v1/measures/", {"strategy": own_strategy.pk, "name": "Carers included"}, format="json"
    )
    changed = api(commissioner).patch(f"/api/v1/measures/{created.json()['id']}/", {"polarity": "lower"}, format="json")

    assert (created.status_code, changed.status_code) == (201, 200)
    assert changed.json()["strategy_name"] == "Carers"
    measure = own_strategy.measures.get()
    assert measure.polarity == "lower"
    assert [h.history_user for h in measure.history.all()] == [commissioner, commissioner]


def test_a_contract_officer_tied_to_a_directorate_enters_only_its_results_through_the_api(
    directorate_officer, own_strategy, foreign_strategy
):
    client = api(directorate_officer)

    refused = client.post(
        "/api/v1/measure-results/",
        {"measure": MeasureFactory(strategy=own_strategy).pk, "year": 2018, "quarter": 3, "value": "50"},
        format="json",
    )
    allowed = client.post(
        "/api/v1/measure-results/",
        {"measure": MeasureFactory(strategy=foreign_strategy).pk, "year": 2018, "quarter": 3, "value": "50"},
        format="json",
    )

    assert (refused.status_code, allowed.status_code) == (403, 201)
