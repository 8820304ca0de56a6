"""CQC's long-format ratings file: one row per location, service / population group and domain."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from providers.imports import cqc_long_ratings_import
from providers.models import CqcRating
from tests.factories import CqcRatingFactory, LocationFactory
from tests.providers.cqc_files import csv_bytes, ods_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db
d = datetime.date
TODAY = d(2019, 6, 1)

HEADER = [
    "Location ID",
    "Location Name",
    "Care Home?",
    "Location Post Code",
    "Service / Population Group",
    "Domain",
    "Latest Rating",
    "Publication Date",
    "Report Type",
    "Inherited Rating (Y/N)",
    "URL",
    "Provider ID",
    "Provider Name",
]


def rows_for(location_id, name, published, ratings, *, group="Overall", inherited="N"):
    """A location's rows, one per domain, in the order CQC lists them."""
    return [
        [location_id, name, "Y", "LN1 1AA", group, domain, rating, published, "Location", inherited, "", "1-9", "Acme"]
        for domain, rating in ratings.items()
    ]


MEADOWS = {
    "Overall": "Requires improvement",
    "Safe": "Requires improvement",
    "Effective": "Good",
    "Caring": "Good",
    "Responsive": "Good",
    "Well-led": "Inadequate",
}
CAPRICORN = {"Overall": "Good", "Safe": "Good", "Effective": "Good", "Caring": "Outstanding", "Responsive": "Good",
             "Well-led": "Good"}  # fmt: skip
ROWS = [
    *rows_for("1-111", "Meadows Edge", "01/03/2019", MEADOWS),
    # A GP-style population group: not the location's own rating.
    *rows_for(
        "1-111",
        "Meadows Edge",
        "01/03/2019",
        {"Overall": "Outstanding", "Safe": "Outstanding"},
        group="People with long-term conditions",
    ),  # fmt: skip
    *rows_for("1-222", "Capricorn Cottage", "15/03/2019", CAPRICORN, inherited="Y"),
    *rows_for("1-999", "Somewhere Else", "15/03/2019", {"Overall": "Good", "Safe": "Good"}),
]


def ratings_file(rows, kind):
    if kind == "csv":
        return csv_bytes([HEADER, *rows]), "ratings.csv"
    sheets = {"Locations": [["Latest ratings"], [], HEADER, *rows], "Providers": [["Provider ID"], ["1-9"]]}
    return (ods_bytes if kind == "ods" else xlsx_bytes)(sheets), f"ratings.{kind}"


@pytest.fixture
def homes():
    meadows = LocationFactory(cqc_location_id="1-111", name="Meadows Edge")
    capricorn = LocationFactory(cqc_location_id="1-222", name="Capricorn Cottage")
    CqcRatingFactory(location=meadows, overall="good", published_on=d(2017, 3, 1))
    return meadows, capricorn


def run(rows, kind="csv", **options):
    content, filename = ratings_file(rows, kind)
    return cqc_long_ratings_import(content=content, filename=filename, by=None, today=TODAY, **options)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "ods"])
def test_each_locations_rows_become_its_overall_rating_and_five_key_questions(homes, kind):
    meadows, capricorn = homes
    report = run(ROWS, kind)

    assert report.ok, report.errors
    assert report.saved
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.group_rows_skipped == 2
    assert [u.location_id for u in report.unmatched] == ["1-999"]
    latest = meadows.cqc_ratings.order_by("-published_on").first()
    assert (latest.published_on, latest.overall, latest.safe, latest.effective, latest.well_led) == (
        d(2019, 3, 1),
        "requires_improvement",
        "requires_improvement",
        "good",
        "inadequate",
    )
    assert not latest.inherited
    other = capricorn.cqc_ratings.get()
    assert (other.overall, other.caring, other.responsive, other.inherited) == ("good", "outstanding", "good", True)
    assert [(drop.location, drop.previous, drop.new) for drop in report.drops] == [
        (meadows, "good", "requires_improvement")
    ]


def test_population_groups_are_listed_when_asked_for_but_never_recorded(homes):
    report = run(ROWS, include_population_groups=True)

    assert report.ok
    assert report.group_rows_skipped == 0
    assert [(g.location_id, g.group, g.ratings) for g in report.group_ratings] == [
        ("1-111", "People with long-term conditions", {"overall": "outstanding", "safe": "outstanding"})
    ]
    assert CqcRating.objects.filter(location=homes[0], published_on=d(2019, 3, 1)).get().overall == (
        "requires_improvement"
    )
    assert CqcRating.objects.count() == 3


def test_importing_the_same_file_again_changes_nothing(homes):
    run(ROWS)
    again = run(ROWS)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert CqcRating.objects.count() == 3


def test_a_key_question_published_before_the_overall_rating_belongs_to_it(homes):
    rows = [
        *rows_for("1-222", "Capricorn Cottage", "15/03/2019", {"Overall": "Good", "Safe": "Good"}),
        *rows_for("1-222", "Capricorn Cottage", "01/02/2019", {"Caring": "Outstanding"}),
    ]
    report = run(rows)

    assert report.ok, report.errors
    rating = homes[1].cqc_ratings.get()
    assert (rating.published_on, rating.safe, rating.caring, rating.effective) == (
        d(2019, 3, 15),
        "good",
        "outstanding",
        "",
    )


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_saved(homes):
    rows = [
        *ROWS,
        *rows_for("1-222", "Capricorn Cottage", "01/04/2019", {"Overall": "Splendid"}),  # row 18
        *rows_for("1-222", "Capricorn Cottage", "someday", {"Overall": "Good"}),  # row 19
        *rows_for("1-222", "Capricorn Cottage", "01/04/2019", {"Kindness": "Good"}),  # row 20
        *rows_for("1-333", "Lonely House", "01/04/2019", {"Safe": "Good"}),  # row 21: no overall rating
        *rows_for("1-111", "Meadows Edge", "01/03/2019", {"Safe": "Good"}),  # row 22: Safe twice
    ]
    report = run(rows)

    assert not report.saved
    assert [(e.row, e.column) for e in report.errors] == [
        (18, "Latest Rating"),
        (19, "Publication Date"),
        (20, "Domain"),
        (21, "Location ID"),
        (22, "Domain"),
    ]
    assert "no Overall rating row" in report.errors[3].message
    assert "already has a safe rating" in report.errors[4].message
    assert CqcRating.objects.count() == 1


def test_a_file_without_the_domain_column_is_refused_by_name(homes):
    content = csv_bytes([["Location ID", "Latest Rating", "Publication Date", "Service / Population Group"]])
    with pytest.raises(Exception, match="Domain"):
        cqc_long_ratings_import(content=content, filename="ratings.csv", by=None, today=TODAY)


def test_the_import_page_takes_the_long_format(client_as_officer, homes):
    content, filename = ratings_file(ROWS, "csv")
    response = client_as_officer.post(
        reverse("providers:cqc_import"), {"format": "long", "file": SimpleUploadedFile(filename, content)}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ratings imported" in page
    assert "Somewhere Else" in page
    assert CqcRating.objects.count() == 3
