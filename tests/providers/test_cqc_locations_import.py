"""CQC's HSCA active locations file: .ods (README sheet first, header below notes), .xlsx and .csv."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from providers.imports import cqc_locations_import
from providers.models import CqcRating, Location
from tests.factories import CqcRatingFactory, LocationFactory, ProviderFactory
from tests.providers.cqc_files import csv_bytes, ods_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db
d = datetime.date
TODAY = d(2019, 6, 1)

HEADER = [
    "Location ID",
    "Location HSCA start date",
    "Dormant (Y/N)",
    "Care home?",
    "Location Name",
    "Registered manager",
    "Care homes beds",
    "Location Type/Sector",
    "Location Latest Overall Rating",
    "Publication Date",
    "Inherited Rating (Y/N)",
    "Location Region",
    "Location Local Authority",
    "Location Street Address",
    "Location Address Line 2",
    "Location City",
    "Location Postal Code",
    "Provider ID",
    "Provider Name",
    "Service type - Care home service with nursing",
]


def line(location_id, name, *, dormant="N", care_home="Y", manager="", beds="", rating="", published="",
         inherited="N", la="Lincolnshire", street="", city="Lincoln", postcode="", provider_id="1-900",
         provider="Acme Care Ltd"):  # fmt: skip
    return [location_id, "01/04/2011", dormant, care_home, name, manager, beds, "Social Care Org", rating, published,
            inherited, "East Midlands", la, street, "", city, postcode, provider_id, provider, "Y"]  # fmt: skip


ROWS = [
    line(
        "1-111",
        "Meadows Edge",
        manager="Jane Smith",
        beds="42",
        rating="Good",
        published="01/03/2019",
        street="1 Meadow Lane",
        postcode="ln1 1aa",
    ),  # fmt: skip
    line("1-222", "Capricorn Cottage", beds="40", street="2 Goat Road", postcode="LN2 2BB"),  # not yet rated
    line("1-333", "Dormant Lodge", dormant="Y", beds="40", street="3 Sleepy Way", postcode="LN3 3CC"),
    line(
        "1-999",
        "Somewhere Else",
        beds="30",
        rating="Requires improvement",
        published="15/03/2019",
        la="Norfolk",
        postcode="NR1 1ZZ",
        provider_id="1-777",
        provider="Other Ltd",
    ),  # fmt: skip
    # The Old Mill changed owner: a new registration, the rating inherited, the same postcode and name.
    line(
        "1-556",
        "Old Mill",
        beds="20",
        rating="Good",
        published="10/02/2019",
        inherited="Y",
        street="5 Mill Road",
        postcode="PE12BB",
        provider_id="1-901",
        provider="New Owner Care",
    ),  # fmt: skip
]
PREAMBLE = [["Care directory with filters"], ["Source: Care Quality Commission"], []]


def hsca_file(rows, kind):
    """The file as CQC lays it out: .ods and .xlsx with a README sheet and the header on row 4; .csv plain."""
    if kind == "csv":
        return csv_bytes([HEADER, *rows]), "HSCA_Active_Locations.csv", 1
    sheets = {
        "README": [["About this file"], ["One row per active location."]],
        "HSCA_Active_Locations": [*PREAMBLE, HEADER, *rows],
        "Dual_Registration_Locations": [["Location ID", "Linked Organisation ID"], ["1-111", "1-112"]],
    }
    build = ods_bytes if kind == "ods" else xlsx_bytes
    return build(sheets), f"HSCA_Active_Locations.{kind}", 1 + len(PREAMBLE)


@pytest.fixture
def register():
    acme = ProviderFactory(name="Acme Care Ltd", cqc_provider_id="1-900")
    meadows = LocationFactory(provider=acme, cqc_location_id="1-111", name="Meadows Edge", beds=40, postcode="LN1 1AA")
    capricorn = LocationFactory(
        provider=acme,
        cqc_location_id="1-222",
        name="Capricorn Cottage",
        beds=40,
        postcode="LN2 2BB",
        address="2 Goat Road, Lincoln",
        local_authority="Lincolnshire",
    )
    dormant = LocationFactory(
        provider=acme,
        cqc_location_id="1-333",
        name="Dormant Lodge",
        cqc_review_reason="Not in CQC's file imported on 01/05/2019",
        cqc_review_since=d(2019, 5, 1),
    )
    gone = LocationFactory(provider=acme, cqc_location_id="1-444", name="Gone House", postcode="LN4 4DD")
    old_mill = LocationFactory(
        provider=acme, cqc_location_id="1-555", name="The Old Mill", postcode="PE1 2BB", zone="South", beds=20
    )
    no_cqc_id = LocationFactory(provider=acme, cqc_location_id="", name="Day Centre")
    return {
        "meadows": meadows,
        "capricorn": capricorn,
        "dormant": dormant,
        "gone": gone,
        "old_mill": old_mill,
        "no_cqc_id": no_cqc_id,
    }


def run(rows, kind="csv", **options):
    content, filename, header_row = hsca_file(rows, kind)
    report = cqc_locations_import(content=content, filename=filename, by=None, today=TODAY, **options)
    return report, header_row


@pytest.mark.parametrize("kind", ["ods", "xlsx", "csv"])
def test_the_hsca_file_updates_locations_lists_the_uncommissioned_and_flags_the_missing(register, kind):
    report, header = run(ROWS, kind)

    assert report.ok, report.errors
    assert report.saved
    assert report.rows_read == 5
    assert [(row.row, row.location_id) for row in report.not_commissioned] == [(header + 4, "1-999")]
    assert [flag.location for flag in report.flagged] == [register["gone"]]
    assert report.not_yet_rated == 2  # Capricorn Cottage and Dormant Lodge
    # Meadows (beds, postcode, address, LA, manager), Dormant Lodge (dormant, flag cleared, ...); Capricorn as before.
    assert (report.created, report.updated, report.unchanged) == (1, 2, 1)
    assert (report.ratings_created, report.ratings_updated, report.ratings_unchanged) == (2, 0, 0)

    meadows = Location.objects.get(pk=register["meadows"].pk)
    assert (meadows.beds, meadows.postcode, meadows.local_authority, meadows.registered_manager) == (
        42,
        "LN1 1AA",
        "Lincolnshire",
        "Jane Smith",
    )
    assert meadows.address == "1 Meadow Lane, Lincoln"
    assert meadows.last_seen_in_cqc_file == TODAY
    rating = meadows.cqc_ratings.get()
    assert (rating.overall, rating.published_on, rating.inherited) == ("good", d(2019, 3, 1), False)

    assert not CqcRating.objects.filter(location=register["capricorn"]).exists()  # not yet rated: no rating
    dormant = Location.objects.get(pk=register["dormant"].pk)
    assert dormant.is_dormant
    assert (dormant.cqc_review_reason, dormant.cqc_review_since) == ("", None)  # it reappeared

    gone = Location.objects.get(pk=register["gone"].pk)
    assert "Not in CQC's active locations file imported on 01/06/2019" in gone.cqc_review_reason
    assert gone.cqc_review_since == TODAY
    assert Location.objects.get(pk=register["no_cqc_id"].pk).cqc_review_reason == ""


def test_a_change_of_owner_links_the_new_registration_rather_than_calling_the_old_one_deregistered(register):
    report, header = run(ROWS)

    old_mill = Location.objects.get(pk=register["old_mill"].pk)
    successor = Location.objects.get(cqc_location_id="1-556")
    assert successor.previous_location == old_mill
    # No provider on the register has CQC provider ID 1-901: it stays with the contracted provider until novation.
    assert successor.provider == old_mill.provider
    assert (successor.name, successor.zone, successor.beds, successor.postcode) == ("Old Mill", "South", 20, "PE1 2BB")
    inherited = successor.cqc_ratings.get()
    assert (inherited.overall, inherited.published_on, inherited.inherited) == ("good", d(2019, 2, 10), True)
    assert old_mill.cqc_review_reason.startswith("Change of owner: CQC now registers this service as location 1-556")
    assert "not in CQC" not in old_mill.cqc_review_reason.lower()
    assert [(o.row, o.previous, o.location_id) for o in report.owner_changes] == [(header + 5, old_mill, "1-556")]
    assert "1-556" not in [row.location_id for row in report.not_commissioned]
    assert old_mill not in [flag.location for flag in report.flagged]


def test_the_new_registration_goes_to_the_provider_with_the_files_provider_id_when_the_register_has_it(register):
    new_owner = ProviderFactory(name="New Owner Care", cqc_provider_id="1-901")
    run(ROWS)

    assert Location.objects.get(cqc_location_id="1-556").provider == new_owner


def test_a_new_id_without_an_inherited_rating_is_no_change_of_owner(register):
    rows = [*ROWS[:4], line("1-556", "Old Mill", rating="Good", published="10/02/2019", postcode="PE1 2BB")]
    report, _ = run(rows)

    assert not Location.objects.filter(cqc_location_id="1-556").exists()
    assert {flag.location.name for flag in report.flagged} == {"Gone House", "The Old Mill"}
    assert "1-556" in [row.location_id for row in report.not_commissioned]


def test_importing_the_same_file_again_changes_nothing_and_keeps_the_first_flag_date(register):
    run(ROWS)
    Location.objects.filter(pk=register["gone"].pk).update(cqc_review_since=d(2019, 5, 20))
    again, _ = run(ROWS)

    assert again.ok
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == 4  # the successor is on the register now
    assert (again.ratings_created, again.ratings_updated, again.ratings_unchanged) == (0, 0, 2)
    assert again.not_commissioned[0].location_id == "1-999"
    assert [flag.location.name for flag in again.flagged] == ["Gone House"]
    assert Location.objects.get(pk=register["gone"].pk).cqc_review_since == d(2019, 5, 20)
    assert Location.objects.filter(cqc_location_id="1-556").count() == 1


def test_a_flagged_location_that_reappears_is_cleared(register):
    run(ROWS)
    back = line("1-444", "Gone House", beds="40", postcode="LN4 4DD")
    run([*ROWS, back])

    gone = Location.objects.get(pk=register["gone"].pk)
    assert (gone.cqc_review_reason, gone.cqc_review_since) == ("", None)


def test_the_file_keeps_key_questions_the_ratings_file_recorded_for_the_same_day(register):
    CqcRatingFactory(location=register["meadows"], published_on=d(2019, 3, 1), overall="good", safe="outstanding")
    report, _ = run(ROWS)

    rating = CqcRating.objects.get(location=register["meadows"])
    assert (rating.overall, rating.safe, rating.caring) == ("good", "outstanding", "good")
    assert report.ratings_unchanged == 1


def test_an_extract_need_not_flag_what_it_leaves_out(register):
    report, _ = run(ROWS[:1], flag_missing=False)

    assert report.flagged == []
    assert not Location.objects.exclude(cqc_review_reason="").exclude(pk=register["dormant"].pk).exists()


def test_a_dry_run_shows_every_change_and_saves_nothing(register):
    report, _ = run(ROWS, dry_run=True)

    assert report.ok
    assert not report.saved
    described = {change.location.name: change.described() for change in report.changed}
    assert "Beds: 40 to 42" in described["Meadows Edge"]
    assert "Postcode: LN1 1AA to LN1 1AA" not in described["Meadows Edge"]
    assert "Dormant: no to yes" in described["Dormant Lodge"]
    assert [o.location_id for o in report.owner_changes] == ["1-556"]
    assert [flag.location.name for flag in report.flagged] == ["Gone House"]
    assert Location.objects.get(pk=register["meadows"].pk).beds == 40
    assert Location.objects.get(pk=register["gone"].pk).cqc_review_reason == ""
    assert not Location.objects.filter(cqc_location_id="1-556").exists()
    assert not CqcRating.objects.exists()


def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_saved(register):
    rows = [
        *ROWS,
        line("1-777", "Bad Beds", beds="forty"),
        line("1-778", "Bad Rating", rating="Splendid", published="01/01/2019"),
        line("1-779", "No Date", rating="Good"),
        line("1-780", "Bad Flag", dormant="Maybe"),
    ]
    report, _ = run(rows)

    assert not report.saved
    assert [(e.row, e.column) for e in report.errors] == [
        (7, "Care homes beds"),
        (8, "Location Latest Overall Rating"),
        (9, "Publication Date"),
        (10, "Dormant (Y/N)"),
    ]
    assert "'forty' is not a whole number of beds" in report.errors[0].message
    assert Location.objects.get(pk=register["meadows"].pk).beds == 40
    assert Location.objects.get(pk=register["gone"].pk).cqc_review_reason == ""
    assert not Location.objects.filter(cqc_location_id="1-556").exists()
    assert not CqcRating.objects.exists()


def test_the_import_page_offers_the_locations_file_and_shows_the_outcome(client_as_officer, register):
    content, filename, _ = hsca_file(ROWS, "csv")
    response = client_as_officer.post(
        reverse("providers:cqc_import"),
        {"format": "locations", "file": SimpleUploadedFile(filename, content), "flag_missing": "on"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Not commissioned by the council" in page
    assert "Somewhere Else" in page
    assert "Our locations flagged for review" in page
    assert "Gone House" in page
    assert "Changes of owner" in page
    assert Location.objects.get(pk=register["gone"].pk).cqc_review_reason


def test_the_import_page_is_refused_to_commissioners_and_councillors(client_as_commissioner, client_as_scrutiny):
    assert client_as_commissioner.get(reverse("providers:cqc_import")).status_code == 403
    assert client_as_scrutiny.get(reverse("providers:cqc_import")).status_code == 403


def test_the_command_imports_the_locations_file_and_lists_what_it_found(tmp_path, register, capsys):
    content, filename, _ = hsca_file(ROWS, "ods")
    path = tmp_path / filename
    path.write_bytes(content)
    call_command("import_cqc", str(path), "--format", "locations", "--dry-run")

    out = capsys.readouterr().out
    assert "Would import: 1 new, 2 updated, 1 unchanged (5 rows read)." in out
    assert "Not commissioned by the council: 1" in out
    assert "Our locations flagged for review: 1" in out
    assert not Location.objects.filter(cqc_location_id="1-556").exists()


def test_the_command_refuses_a_file_with_errors(tmp_path, register):
    path = tmp_path / "HSCA_Active_Locations.csv"
    path.write_bytes(hsca_file([line("1-777", "Bad Beds", beds="forty")], "csv")[0])
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_cqc", str(path))
