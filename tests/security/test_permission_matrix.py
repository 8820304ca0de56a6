"""Every page and API endpoint, asked by every actor, gives the answer the rules give.

The answers are written by hand in tests/security/expectations.py (from the role definitions, not from
``commissioning.roles``): a wrong grant, a missing check or a check in the wrong place fails a row. Each
(actor, URL, method) is a test of its own. A URL, or an API route's method, with no row fails
``test_every_url_and_api_method_has_rows``, so nothing new goes unchecked.

Rows where today's code is wrong are listed in ``KNOWN_BUGS`` and run as strict xfails: fixing the bug
turns the row into an XPASS, which fails until the entry is removed.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.views.generic import RedirectView

from .expectations import ACTORS, ADMIN, EXPECTED, KNOWN_BUGS, NA, OTHER_COMMISSIONER, ROWS
from .matrix import (
    API_PREFIX,
    ask,
    client_for,
    describe,
    matches,
    row_id,
    rows,
    split_key,
    url_for,
    walk,
)
from .world import module_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_world(django_db_blocker, tmp_path_factory.mktemp("matrix-media")) as built:
        yield built


@pytest.fixture(scope="module")
def routes():
    return walk()[0]


def _cases():
    for actor, key, method, expected in rows():
        marks = []
        if (actor, key, method) in KNOWN_BUGS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[(actor, key, method)]))
        yield pytest.param(actor, key, method, expected, id=row_id(actor, key, method), marks=marks)


@pytest.mark.parametrize(("actor", "key", "method", "expected"), list(_cases()))
def test_each_actor_gets_the_answer_the_rules_give(world, routes, actor, key, method, expected):
    name, target = split_key(key)
    assert name in routes, f"{name} is no longer a URL: rename or remove its rows in expectations.py"
    path = url_for(name, target, world, routes)

    response = ask(client_for(actor, world), method, path)

    assert matches(response, expected, world, routes), (
        f"{actor}: {method} {path} gave {describe(response)}; the rule says {expected!r}"
    )


# --- The table covers every URL, and names nothing that has gone ------------------------------------------


def _table_methods() -> dict[str, set[str]]:
    """URL name -> the methods some row asks it with."""
    methods: dict[str, set[str]] = defaultdict(set)
    for actor in ACTORS:
        for key, by_method in EXPECTED[actor].items():
            methods[split_key(key)[0]] |= set(by_method)
    return methods


def test_every_url_and_api_method_has_rows(routes):
    table = _table_methods()

    missing = sorted(name for name in routes if name not in table)
    missing_methods = sorted(
        f"{name} {method}"
        for name, route in routes.items()
        if name.startswith(API_PREFIX)
        for method in route.methods
        if method not in table.get(name, set())
    )

    assert not missing, "Add rows to tests/security/expectations.py for: " + ", ".join(missing)
    assert not missing_methods, "Add rows to tests/security/expectations.py for: " + ", ".join(missing_methods)


def test_the_table_names_only_urls_and_methods_that_exist(routes):
    gone = sorted({split_key(key)[0] for key, *_ in ROWS} - set(routes))
    not_offered = sorted(
        f"{key} {method}"
        for key, methods, *_ in ROWS
        if key.startswith(API_PREFIX) and split_key(key)[0] in routes
        for method in methods.split()
        if method not in routes[split_key(key)[0]].methods
    )

    assert not gone, "These URL names have gone; rename or remove their rows: " + ", ".join(gone)
    assert not not_offered, "These API routes do not offer these methods: " + ", ".join(not_offered)


def test_every_row_has_an_answer_for_every_actor():
    """Only the other commissioner's cell may be NA (where the URL targets nothing directorate-owned)."""
    for key, methods, *cells in ROWS:
        for actor, cell in zip(ACTORS, cells, strict=True):
            assert cell is not NA or actor == OTHER_COMMISSIONER, f"{key} {methods}: no answer for {actor}"


def test_known_bugs_name_rows_of_the_table():
    stale = [entry for entry in KNOWN_BUGS if entry[2] not in EXPECTED[entry[0]].get(entry[1], {})]

    assert not stale, f"KNOWN_BUGS entries with no row: {stale}"


def test_every_page_that_takes_a_post_has_a_post_row(world, routes):
    """A page asked only with GET in the table must refuse POST (405): else its POST goes unchecked."""
    table = _table_methods()
    unchecked = []
    for key in sorted(EXPECTED[ADMIN]):
        name, target = split_key(key)
        if name.startswith(API_PREFIX) or name.startswith("admin:") or "POST" in table[name]:
            continue
        path = url_for(name, target, world, routes)
        response = ask(client_for(ADMIN, world), "POST", path)
        if response.status_code != 405:
            unchecked.append(f"{key} (POST gave {describe(response)})")

    assert not unchecked, "These pages take a POST: add POST rows for them: " + ", ".join(unchecked)


def test_unnamed_urls_only_redirect():
    """Patterns without a name (old addresses, /assets/) must not serve anything themselves."""
    _, unnamed = walk()
    serving = [
        route for route, callback in unnamed if not issubclass(getattr(callback, "view_class", object), RedirectView)
    ]

    assert not serving, "Unnamed URL patterns that are not redirects (name them and add rows): " + ", ".join(serving)


# --- What a status alone does not show --------------------------------------------------------------------


def test_a_councillor_finds_no_draft_in_the_api_lists(world):
    client = client_for("councillor", world)

    packs = {row["id"] for row in client.get("/api/v1/scrutiny-packs/").json()["results"]}
    reports = {row["id"] for row in client.get("/api/v1/highlight-reports/").json()["results"]}

    assert world.objects["published_pack"].pk in packs
    assert world.objects["draft_pack"].pk not in packs
    assert world.objects["board_reviewed_report"].pk in reports  # printed in the published pack
    assert world.objects["submitted_report"].pk not in reports  # still with the board
    assert world.objects["draft_report"].pk not in reports


def test_a_refused_edit_of_another_directorates_strategy_changes_nothing(world, routes):
    strategy = world.objects["strategy"]
    client = client_for(OTHER_COMMISSIONER, world)

    page = client.post(url_for("strategies:edit", "strategy", world, routes), {"name": "Taken over"})
    api = client.patch(
        url_for("v1:strategy-detail", "strategy", world, routes),
        {"name": "Taken over"},
        content_type="application/json",
    )

    assert (page.status_code, api.status_code) == (403, 403)
    strategy.refresh_from_db()
    assert strategy.name == "Carers"


def test_an_outcome_cannot_be_edited_through_another_strategys_address(world):
    """The URL's strategy and the outcome must belong together: no reaching across by swapping an ID."""
    from django.urls import reverse

    from tests import factories as f

    foreign = f.OutcomeFactory(strategy=f.StrategyFactory(directorate=world.users[OTHER_COMMISSIONER].directorate))
    client = client_for("commissioner", world)

    path = reverse("strategies:outcome_edit", args=[world.objects["strategy"].pk, foreign.pk])

    assert client.get(path).status_code == 404
