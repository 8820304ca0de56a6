"""The page and the API answer alike: the same forbidden actor is refused (403, nothing saved) and the same
bad input is refused with the same message on the same field, for measures (add, change), results (the
quarter's grid against one result through the API) and the results CSV import."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from performance import services
from performance.models import Measure, MeasureResult
from tests.factories import MeasureFactory, MeasureResultFactory, OutcomeFactory

from .conftest import api, browser

pytestmark = pytest.mark.django_db

MEASURE_PAGE_DATA = {
    "name": "Carers included",
    "unit": "percentage",
    "decimal_places": "1",
    "polarity": "higher",
    "is_targeted": "on",
    "framework": "ASCOF",
    "framework_code": "ASCOF 3C",
    "frequency": "quarterly",
    "order": "1",
    "is_active": "on",
}
MEASURE_API_DATA = {"name": "Carers included", "unit": "percentage", "framework": "ASCOF", "framework_code": "ASCOF 3C"}
CSV_HEADER = "measure_id,year,quarter,value,target,commentary\n"


def page_errors(response, field: str) -> list[str]:
    assert response.status_code == 200, response.status_code
    return list(response.context["form"].errors.get(field, []))


def api_errors(response, field: str) -> list[str]:
    assert response.status_code == 400, response.content
    return response.json()["errors"].get(field, [])


def grid_errors(response, measure, field: str) -> list[str]:
    assert response.status_code == 200, response.status_code
    form = next(form for form, _ in response.context["rows"] if form.measure == measure)
    return list(form.errors.get(field, []))


def upload(client, text: str):
    return client.post(reverse("performance:results_import"), {"file": SimpleUploadedFile("q3.csv", text.encode())})


# --- Adding a measure --------------------------------------------------------------------------------------------


def test_another_directorates_commissioner_is_refused_a_new_measure_on_the_page_and_the_api(
    other_commissioner, own_strategy
):
    page = browser(other_commissioner).post(
        reverse("performance:measure_add", args=[own_strategy.pk]), MEASURE_PAGE_DATA
    )
    through_api = api(other_commissioner).post(
        "/api/v1/measures/", {**MEASURE_API_DATA, "strategy": own_strategy.pk}, format="json"
    )

    assert (page.status_code, through_api.status_code) == (403, 403)
    assert not Measure.objects.exists()


def test_a_second_measure_of_the_same_name_is_refused_alike(commissioner, own_strategy):
    MeasureFactory(strategy=own_strategy, name="Carers included")

    page = browser(commissioner).post(reverse("performance:measure_add", args=[own_strategy.pk]), MEASURE_PAGE_DATA)
    through_api = api(commissioner).post(
        "/api/v1/measures/", {**MEASURE_API_DATA, "strategy": own_strategy.pk}, format="json"
    )

    assert page_errors(page, "name") == api_errors(through_api, "name")
    assert "already has a measure called 'Carers included'" in api_errors(through_api, "name")[0]
    assert own_strategy.measures.count() == 1


def test_an_outcome_of_another_strategy_is_refused_alike(commissioner, own_strategy, foreign_strategy):
    foreign_outcome = OutcomeFactory(strategy=foreign_strategy)

    page = browser(commissioner).post(
        reverse("performance:measure_add", args=[own_strategy.pk]), {**MEASURE_PAGE_DATA, "outcome": foreign_outcome.pk}
    )
    through_api = api(commissioner).post(
        "/api/v1/measures/",
        {**MEASURE_API_DATA, "strategy": own_strategy.pk, "outcome": foreign_outcome.pk},
        format="json",
    )

    assert page_errors(page, "outcome") == api_errors(through_api, "outcome") == [services.OUTCOME_OF_ANOTHER_STRATEGY]
    assert not Measure.objects.exists()


# --- Changing a measure ------------------------------------------------------------------------------------------


def test_another_directorates_commissioner_is_refused_a_change_on_the_page_and_the_api(
    other_commissioner, own_strategy
):
    """The report's case: refused PATCH /api/v1/measures/<id>/, but the page saved it."""
    measure = MeasureFactory(strategy=own_strategy, name="Carers included", polarity="higher")

    page = browser(other_commissioner).post(
        reverse("performance:measure_edit", args=[measure.pk]), {**MEASURE_PAGE_DATA, "polarity": "lower"}
    )
    through_api = api(other_commissioner).patch(f"/api/v1/measures/{measure.pk}/", {"polarity": "lower"}, format="json")

    assert (page.status_code, through_api.status_code) == (403, 403)
    measure.refresh_from_db()
    assert measure.polarity == "higher"


def test_renaming_a_measure_to_a_name_taken_is_refused_alike(commissioner, own_strategy):
    MeasureFactory(strategy=own_strategy, name="Carers included")
    measure = MeasureFactory(strategy=own_strategy, name="Carers supported")

    page = browser(commissioner).post(reverse("performance:measure_edit", args=[measure.pk]), MEASURE_PAGE_DATA)
    through_api = api(commissioner).patch(f"/api/v1/measures/{measure.pk}/", {"name": "Carers included"}, format="json")

    assert page_errors(page, "name") == api_errors(through_api, "name")
    assert Measure.objects.get(pk=measure.pk).name == "Carers supported"


# --- Entering results: the grid against one result ---------------------------------------------------------------


def test_another_directorates_commissioner_is_refused_results_on_the_grid_and_the_api(other_commissioner, own_strategy):
    measure = MeasureFactory(strategy=own_strategy)
    stored = MeasureResultFactory(measure=measure, year=2018, quarter=2, value=Decimal("50"))

    grid = browser(other_commissioner).post(
        reverse("performance:results_grid", args=[own_strategy.pk, 2018, 3]), {f"m{measure.pk}-value": "70"}
    )
    created = api(other_commissioner).post(
        "/api/v1/measure-results/", {"measure": measure.pk, "year": 2018, "quarter": 3, "value": "70"}, format="json"
    )
    corrected = api(other_commissioner).patch(f"/api/v1/measure-results/{stored.pk}/", {"value": "70"}, format="json")

    assert (grid.status_code, created.status_code, corrected.status_code) == (403, 403, 403)
    assert list(MeasureResult.objects.values_list("value", flat=True)) == [Decimal("50")]


@pytest.mark.parametrize(
    ("unit", "field", "number"),
    [("percentage", "value", "120"), ("percentage", "target", "-5"), ("count", "value", "-1")],
)
def test_a_result_breaking_a_rule_is_refused_with_the_same_words_on_the_grid_and_the_api(
    commissioner, own_strategy, unit, field, number
):
    measure = MeasureFactory(strategy=own_strategy, name="Carers included", unit=unit)
    stored = MeasureResultFactory(measure=measure, year=2018, quarter=2, value=Decimal("50"), target=Decimal("60"))

    grid = browser(commissioner).post(
        reverse("performance:results_grid", args=[own_strategy.pk, 2018, 3]), {f"m{measure.pk}-{field}": number}
    )
    created = api(commissioner).post(
        "/api/v1/measure-results/", {"measure": measure.pk, "year": 2018, "quarter": 3, field: number}, format="json"
    )
    corrected = api(commissioner).patch(f"/api/v1/measure-results/{stored.pk}/", {field: number}, format="json")

    expected = grid_errors(grid, measure, field)
    assert expected  # the grid did refuse it
    assert api_errors(created, field) == api_errors(corrected, field) == expected
    assert MeasureResult.objects.get().value == Decimal("50")


def test_the_grid_and_the_api_save_the_same_result(commissioner, own_strategy):
    measure = MeasureFactory(strategy=own_strategy)
    MeasureFactory(strategy=own_strategy)  # a second row of the grid, left blank

    grid = browser(commissioner).post(
        reverse("performance:results_grid", args=[own_strategy.pk, 2018, 3]),
        {f"m{measure.pk}-value": "66.7", f"m{measure.pk}-target": "60"},
    )
    created = api(commissioner).post(
        "/api/v1/measure-results/",
        {"measure": measure.pk, "year": 2018, "quarter": 4, "value": "66.7", "target": "60"},
        format="json",
    )

    assert (grid.status_code, created.status_code) == (302, 201)
    by_quarter = {r.quarter: r for r in MeasureResult.objects.all()}
    assert (by_quarter[3].value, by_quarter[3].status) == (by_quarter[4].value, by_quarter[4].status)
    assert created.json()["status"] == "achieved"


# --- The results CSV import ---------------------------------------------------------------------------------------


def test_another_directorates_commissioner_is_refused_an_import_as_the_api_refuses_them(
    other_commissioner, own_strategy
):
    measure = MeasureFactory(strategy=own_strategy)

    page = upload(browser(other_commissioner), CSV_HEADER + f"{measure.pk},2018,3,70,,\n")
    through_api = api(other_commissioner).post(
        "/api/v1/measure-results/", {"measure": measure.pk, "year": 2018, "quarter": 3, "value": "70"}, format="json"
    )

    assert (page.status_code, through_api.status_code) == (403, 403)
    assert "own directorate" in page.content.decode()
    assert "own directorate" in through_api.json()["detail"]
    assert not MeasureResult.objects.exists()


def test_a_row_breaking_a_rule_is_refused_with_the_same_words_in_the_import_and_the_api(commissioner, own_strategy):
    measure = MeasureFactory(strategy=own_strategy, name="Carers included")

    page = upload(browser(commissioner), CSV_HEADER + f"{measure.pk},2018,3,120,,\n")
    through_api = api(commissioner).post(
        "/api/v1/measure-results/", {"measure": measure.pk, "year": 2018, "quarter": 3, "value": "120"}, format="json"
    )

    assert page.status_code == 200
    [error] = page.context["report"].errors
    assert (error.column, [error.message]) == ("value", api_errors(through_api, "value"))
    assert not MeasureResult.objects.exists()
