"""Performance pages: who can see and change what, the strategy page, the results grid, query bounds."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning import roles
from performance.models import MeasureResult
from strategies.models import CommissioningStrategy
from tests.factories import MeasureFactory, MeasureResultFactory, OutcomeFactory, StrategyFactory

from .conftest import browser, build_council

pytestmark = pytest.mark.django_db

C, OFF, S, A = roles.COMMISSIONER, roles.CONTRACT_OFFICER, roles.SCRUTINY_MEMBER, roles.ADMINISTRATOR


@pytest.mark.parametrize(
    ("role", "page", "expected"),
    [
        *[(role, "strategy", 200) for role in (C, OFF, S, A)],
        *[(role, "late", 200) for role in (C, OFF, S, A)],
        (C, "grid", 200), (OFF, "grid", 200), (A, "grid", 200), (S, "grid", 403),
        (C, "import", 200), (OFF, "import", 200), (A, "import", 200), (S, "import", 403),
        (C, "add", 200), (A, "add", 200), (OFF, "add", 403), (S, "add", 403),
        (C, "edit", 200), (A, "edit", 200), (OFF, "edit", 403), (S, "edit", 403),
        (None, "strategy", 302),
    ],
)  # fmt: skip
def test_who_can_open_each_performance_page(client_for_role, own_strategy, role, page, expected):
    """Everyone of client_for_role is tied to the strategy's directorate (another directorate: below)."""
    measure = MeasureFactory(strategy=own_strategy)
    strategy = measure.strategy
    url = {
        "strategy": reverse("performance:strategy", args=[strategy.pk]),
        "late": reverse("performance:late_results"),
        "grid": reverse("performance:results_grid", args=[strategy.pk, 2018, 3]),
        "import": reverse("performance:results_import"),
        "add": reverse("performance:measure_add", args=[strategy.pk]),
        "edit": reverse("performance:measure_edit", args=[measure.pk]),
    }[page]
    assert client_for_role(role).get(url).status_code == expected


def test_strategy_page_shows_each_outcome_with_values_units_status_and_trend(client_as_scrutiny, council):
    carers = council["strategies"][0]
    response = client_as_scrutiny.get(reverse("performance:strategy", args=[carers.pk]) + "?quarter=2018-Q3")
    html = response.content.decode()
    assert carers.purpose in html
    assert "Carers feel valued and respected" in html
    assert "66.7%" in html
    assert "1,719 per 100,000" in html
    assert "Not achieved" in html
    assert "Measured only" in html
    assert html.count('role="img"') == 4
    assert "Q2 2017/18" in html  # the trend reaches back across the financial year end
    assert "style=" not in html


@pytest.mark.parametrize(
    ("asked", "words"),
    [
        ("soon", "'soon' is not a quarter"),
        ("2018-Q5", "'2018-Q5' is not a quarter"),
        ("0000-Q1", "not 0."),
        ("1999-Q4", "2000/01 to 2100/01, not 1999."),
        ("9999-Q4", "not 9999."),
    ],
)
def test_a_quarter_asked_for_that_cannot_be_is_a_clear_bad_request(client_as_scrutiny, asked, words):
    strategy = StrategyFactory()
    response = client_as_scrutiny.get(reverse("performance:strategy", args=[strategy.pk]), {"quarter": asked})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert words in html.replace("&#x27;", "'")
    assert 'name="quarter"' in html  # the picker, to choose one that exists


@pytest.mark.parametrize("quarter", ["0-Q1", "1999-Q4", "2101-Q1", "2018-Q0", "2018-Q5", "99999999999-Q1"])
def test_a_results_grid_of_a_quarter_that_cannot_be_is_not_found(client_as_admin, quarter):
    strategy = StrategyFactory()
    assert client_as_admin.get(f"/performance/strategies/{strategy.pk}/results/{quarter}/").status_code == 404


def test_the_first_and_last_recorded_quarters_have_grids(client_as_admin):
    strategy = StrategyFactory()
    for quarter in ("2000-Q1", "2100-Q4"):
        assert client_as_admin.get(f"/performance/strategies/{strategy.pk}/results/{quarter}/").status_code == 200


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
    assert saved[included.pk].value == Decimal("66.7")
    assert saved[included.pk].status == "achieved"
    assert saved[included.pk].entered_by == contract_officer
    assert saved[included.pk].entered_at is not None
    assert saved[reviewed.pk].status == "measured_only"


def test_results_grid_shows_each_rows_errors_and_saves_nothing(client_as_commissioner, own_strategy):
    strategy = own_strategy
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


def test_measure_can_be_added_and_changed(client_as_commissioner, own_strategy):
    strategy = own_strategy
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


def test_measure_form_names_a_missing_field(client_as_commissioner, own_strategy):
    strategy = own_strategy
    response = client_as_commissioner.post(reverse("performance:measure_add", args=[strategy.pk]), {"unit": "count"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not strategy.measures.exists()


def test_strategy_page_runs_the_same_number_of_queries_with_ten_times_the_records(
    client_as_admin, django_assert_max_num_queries
):
    def url():
        first = CommissioningStrategy.objects.order_by("pk").first()
        return reverse("performance:strategy", args=[first.pk]) + "?quarter=2018-Q3"

    build_council(scale=1)
    with CaptureQueriesContext(connection) as small:
        assert client_as_admin.get(url()).status_code == 200
    build_council(scale=10, first=1)
    # More measures for the first strategy too.
    first = CommissioningStrategy.objects.order_by("pk").first()
    for n in range(30):
        MeasureResultFactory(measure=MeasureFactory(strategy=first), year=2018, quarter=n % 4 + 1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client_as_admin.get(url()).status_code == 200


# --- Another directorate ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["add", "edit", "grid"])
def test_another_directorates_commissioner_may_not_open_the_forms(other_commissioner, own_strategy, page):
    measure = MeasureFactory(strategy=own_strategy)
    url = {
        "add": reverse("performance:measure_add", args=[own_strategy.pk]),
        "edit": reverse("performance:measure_edit", args=[measure.pk]),
        "grid": reverse("performance:results_grid", args=[own_strategy.pk, 2018, 3]),
    }[page]

    assert browser(other_commissioner).get(url).status_code == 403


def test_the_strategy_page_offers_changes_only_to_those_who_may_make_them(
    client_as_commissioner, other_commissioner, own_strategy
):
    MeasureFactory(strategy=own_strategy, name="Carers included")
    url = reverse("performance:strategy", args=[own_strategy.pk])

    own = client_as_commissioner.get(url).content.decode()
    other = browser(other_commissioner).get(url).content.decode()

    for words in ("Enter results for", "Add a measure", "Change<span"):
        assert words in own
        assert words not in other
    assert "Carers included" in other  # they read it all the same


def test_a_contract_officer_tied_to_a_directorate_enters_only_its_results(
    directorate_officer, own_strategy, foreign_strategy
):
    client = browser(directorate_officer)
    theirs = MeasureFactory(strategy=foreign_strategy)

    refused = client.post(
        reverse("performance:results_grid", args=[own_strategy.pk, 2018, 3]),
        {f"m{MeasureFactory(strategy=own_strategy).pk}-value": "50"},
    )
    saved = client.post(
        reverse("performance:results_grid", args=[foreign_strategy.pk, 2018, 3]), {f"m{theirs.pk}-value": "50"}
    )

    assert (refused.status_code, saved.status_code) == (403, 302)
    assert list(MeasureResult.objects.values_list("measure", flat=True)) == [theirs.pk]


def test_late_results_link_to_the_grids_the_reader_may_fill(client_as_commissioner, own_strategy, foreign_strategy):
    for strategy in (own_strategy, foreign_strategy):
        MeasureResultFactory(measure=MeasureFactory(strategy=strategy), year=2015, quarter=1)

    html = client_as_commissioner.get(reverse("performance:late_results")).content.decode()

    assert f"/performance/strategies/{own_strategy.pk}/results/" in html
    assert f"/performance/strategies/{foreign_strategy.pk}/results/" not in html
    assert f"/performance/strategies/{foreign_strategy.pk}/?quarter=" in html


def test_the_admin_shows_measures_and_results_but_writes_none(client_as_admin, own_strategy):
    """Writes go through the services (directorate, rules, who did it); the admin's own save skips them."""
    measure = MeasureFactory(strategy=own_strategy, name="Carers included")
    url = f"/admin/performance/measure/{measure.pk}/change/"

    assert client_as_admin.get(url).status_code == 200
    assert client_as_admin.post(url, {"name": "Renamed"}).status_code == 403
    assert client_as_admin.get("/admin/performance/measure/add/").status_code == 403
    measure.refresh_from_db()
    assert measure.name == "Carers included"
