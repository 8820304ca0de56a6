import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from providers.imports import ImportFileError, cqc_ratings_import
from providers.models import CqcRating
from tests.factories import CqcRatingFactory, LocationFactory

pytestmark = pytest.mark.django_db
d = datetime.date
TODAY = d(2019, 6, 1)

HEADER = (
    "Location ID,Location Name,Provider ID,Provider Name,Location Latest Overall Rating,Publication Date,"
    "Safe,Effective,Caring,Responsive,Well-led\n"
)


@pytest.fixture
def homes():
    meadows = LocationFactory(cqc_location_id="1-111", name="Meadows Edge")
    capricorn = LocationFactory(cqc_location_id="1-222", name="Capricorn Cottage")
    CqcRatingFactory(location=meadows, overall="good", published_on=d(2017, 3, 1))
    return meadows, capricorn


def run(text: str, *, dry_run=False, filename="ratings.csv"):
    return cqc_ratings_import(content=text.encode(), filename=filename, by=None, dry_run=dry_run, today=TODAY)


GOOD_FILE = HEADER + (
    "1-111,Meadows Edge,1-9,Acme Care,Requires improvement,01/03/2019,"
    "Requires improvement,Good,Good,Good,Requires improvement\n"
    "1-222,Capricorn Cottage,1-8,Capricorn Ltd,Good,15/03/2019,Good,Good,Outstanding,Good,Good\n"
    "1-999,Somewhere Else,1-7,Other Ltd,Good,15/03/2019,,,,,\n"
)


def test_a_good_file_creates_ratings_lists_unmatched_rows_and_reports_drops(homes):
    meadows, capricorn = homes
    result = run(GOOD_FILE)

    assert result.ok
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert [(row.row, row.location_id) for row in result.unmatched] == [(4, "1-999")]
    assert [(drop.location, drop.previous, drop.new) for drop in result.drops] == [
        (meadows, "good", "requires_improvement")
    ]
    latest = capricorn.cqc_ratings.get()
    assert (latest.overall, latest.caring, latest.published_on) == ("good", "outstanding", d(2019, 3, 15))


def test_importing_the_same_file_again_updates_and_does_not_duplicate(homes):
    run(GOOD_FILE)
    again = run(GOOD_FILE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert CqcRating.objects.count() == 3

    corrected = run(GOOD_FILE.replace("Outstanding", "Good"))
    assert (corrected.created, corrected.updated) == (0, 1)
    assert CqcRating.objects.get(location=homes[1]).caring == "good"


def test_a_dry_run_reports_but_saves_nothing(homes):
    result = run(GOOD_FILE, dry_run=True)
    assert result.created == 2
    assert result.drops
    assert CqcRating.objects.count() == 1


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (",Meadows Edge,1-9,Acme,Good,01/03/2019,,,,,", "Location ID", "Enter the CQC location ID."),
        ("1-111,Meadows Edge,1-9,Acme,,01/03/2019,,,,,", "Location Latest Overall Rating", "Enter the overall"),
        ("1-111,Meadows Edge,1-9,Acme,Very good,01/03/2019,,,,,", "Location Latest Overall Rating", "'Very good'"),
        ("1-111,Meadows Edge,1-9,Acme,Good,01/03/2019,Fine,,,,", "Safe", "'Fine' is not a CQC rating"),
        ("1-111,Meadows Edge,1-9,Acme,Good,,,,,,", "Publication Date", "Enter the publication date"),
        ("1-111,Meadows Edge,1-9,Acme,Good,31/02/2019,,,,,", "Publication Date", "is not a date"),
        ("1-111,Meadows Edge,1-9,Acme,Good,01/03/2030,,,,,", "Publication Date", "in the future"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_row_and_column_and_nothing_is_imported(homes, row, column, reason):
    text = GOOD_FILE + row + "\n"
    result = run(text)
    assert not result.ok
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (5, column)
    assert reason in error.message
    assert CqcRating.objects.count() == 1  # the good rows above were not saved either


def test_the_same_location_and_date_twice_in_a_file_is_an_error(homes):
    text = GOOD_FILE + "1-222,Capricorn Cottage,1-8,Capricorn Ltd,Good,15/03/2019,,,,,\n"
    result = run(text)
    assert [str(e) for e in result.errors] == [
        "Row 5, Location ID: Location 1-222 already has a rating published on 15/03/2019 in row 3."
    ]


def test_a_missing_column_refuses_the_file_naming_it():
    with pytest.raises(ImportFileError, match="missing these columns: Location Latest Overall Rating"):
        run("Location ID,Location Name,Publication Date\n1-111,Meadows Edge,01/03/2019\n")


def test_two_columns_for_the_same_heading_refuse_the_file_naming_it():
    with pytest.raises(ImportFileError, match="'Location ID' and 'CQC Location ID' as two columns for Location ID"):
        run(
            "Location ID,CQC Location ID,Location Latest Overall Rating,Publication Date\n1-111,1-111,Good,01/03/2019\n"
        )


def test_an_xlsx_workbook_with_the_same_columns_imports(homes):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Location ID", "Location Name", "Location Latest Overall Rating", "Publication Date"])
    # An Excel cell holds a date and time with no time zone.
    sheet.append(["1-222", "Capricorn Cottage", "Outstanding", datetime.datetime(2019, 3, 15)])  # noqa: DTZ001
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = cqc_ratings_import(content=buffer.getvalue(), filename="r.xlsx", by=None, today=TODAY)
    assert result.ok
    assert result.created == 1
    assert homes[1].cqc_ratings.get().overall == "outstanding"


def test_command_imports_and_reports(tmp_path, homes, capsys):
    path = tmp_path / "ratings.csv"
    path.write_text(GOOD_FILE)
    call_command("import_cqc_ratings", str(path))
    out = capsys.readouterr().out
    assert "Imported: 2 new, 0 updated, 0 unchanged" in out
    assert "Row 4: 1-999 Somewhere Else" in out
    assert "Rating dropped: Meadows Edge" in out


def test_command_dry_run_saves_nothing(tmp_path, homes, capsys):
    path = tmp_path / "ratings.csv"
    path.write_text(GOOD_FILE)
    call_command("import_cqc_ratings", str(path), "--dry-run")
    assert "Dry run: nothing was saved." in capsys.readouterr().out
    assert CqcRating.objects.count() == 1


def test_command_with_errors_fails_and_lists_them(tmp_path, homes, capsys):
    path = tmp_path / "ratings.csv"
    path.write_text(HEADER + "1-111,Meadows Edge,1-9,Acme,Brilliant,01/03/2019,,,,,\n")
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_cqc_ratings", str(path))
    assert "Row 2, Location Latest Overall Rating: 'Brilliant' is not a CQC rating." in capsys.readouterr().err


def test_upload_page_imports_and_the_drop_shows_on_the_provider_page(client_as_officer, homes):
    meadows = homes[0]
    upload = SimpleUploadedFile("ratings.csv", GOOD_FILE.encode(), content_type="text/csv")
    response = client_as_officer.post(reverse("providers:cqc_import"), {"file": upload})
    assert response.status_code == 200
    assert "Ratings imported" in response.text
    assert "Somewhere Else" in response.text
    assert "Good to Requires improvement" in response.text
    provider_page = client_as_officer.get(reverse("providers:detail", args=[meadows.provider.pk])).text
    assert "CQC rating fell at Meadows Edge" in provider_page
    assert "Meadows Edge" in client_as_officer.get(reverse("providers:cqc_alerts")).text


def test_upload_page_lists_row_errors_and_imports_nothing(client_as_officer, homes):
    upload = SimpleUploadedFile("ratings.csv", (GOOD_FILE + "1-111,X,,,Good,someday,,,,,\n").encode())
    response = client_as_officer.post(reverse("providers:cqc_import"), {"file": upload})
    assert "nothing was imported" in response.text
    assert "&#x27;someday&#x27; is not a date" in response.text
    assert CqcRating.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ratings.pdf", b"%PDF-1.4", "must be a CSV (.csv) or Excel workbook (.xlsx)"),
        ("ratings.csv", b"a" * (5 * 1024 * 1024 + 1), "smaller than 5 MB"),
        ("ratings.xlsx", b"not a workbook", "not a readable Excel workbook"),
    ],
)
def test_upload_checks_type_and_size(client_as_officer, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = client_as_officer.post(reverse("providers:cqc_import"), {"file": upload})
    assert message in response.text
    assert not CqcRating.objects.exists()


def test_upload_form_posts_the_file_as_multipart(client_as_officer):
    assert 'enctype="multipart/form-data"' in client_as_officer.get(reverse("providers:cqc_import")).text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "contains binary data"),
    ],
)
def test_upload_refuses_an_empty_file_and_a_program_renamed_csv(client_as_officer, homes, content, message):
    upload = SimpleUploadedFile("ratings.csv", content)
    response = client_as_officer.post(reverse("providers:cqc_import"), {"file": upload})
    assert message in str(response.context["form"].errors["file"])
    assert CqcRating.objects.count() == 1
