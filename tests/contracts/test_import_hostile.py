"""Hostile files uploaded to /contracts/import/: each gets a clear refusal that names the limit and the file's
figure (on the page, or on the background job's page) and nothing is imported. Large files go to a background
job; a dry run lists what each row would do; the problems can be downloaded as CSV."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from commissioning.models import ImportJob
from contracts.imports import HEADERS
from contracts.models import Contract
from tests.commissioning.import_files import zip_bomb_xlsx
from tests.factories import StrategyFactory

pytestmark = pytest.mark.django_db

URL = "/contracts/import/"
GOOD = {
    "Reference": "ACCW-HBR-01",
    "Service contracted": "Home Based Reablement Service",
    "Directorate": "accw",
    "Category": "Community based",
    "Type": "block",
    "Start date": "03/11/2015",
    "End date": "02/11/2018",
}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def register(directorate):
    StrategyFactory(name="Adult Frailty and Long Term Conditions", directorate=directorate)


def _csv(rows, headers=HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers)
    writer.writeheader()
    for row in rows:
        writer.writerow({h: row.get(h, "") for h in headers})
    return out.getvalue().encode()


def _post(client, name, content, **data):
    return client.post(URL, {"file": SimpleUploadedFile(name, content), **data})


def _file_error(response) -> str:
    return " ".join(response.context["form"].errors["file"])


def test_a_million_one_character_rows_go_to_a_job_that_fails_naming_the_row_limit(
    client_as_officer, register, django_capture_on_commit_callbacks
):
    content = ",".join(HEADERS).encode() + b"\n" + b"a\n" * 1_000_000
    assert len(content) < 5 * 1024 * 1024

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client_as_officer, "register.csv", content)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("commissioning:import_job", args=[job.pk])
    assert job.status == ImportJob.Status.FAILED
    assert job.message == (
        "The file has more than 20,000 rows (it has at least 20,001): split it into smaller files and import each."
    )
    page = client_as_officer.get(response["Location"])
    assert "more than 20,000 rows" in page.content.decode()
    assert not job.file  # the upload is not kept once the job is done
    assert not Contract.objects.exists()


def test_a_50_mb_file_is_refused_on_the_page_with_its_size(client_as_officer, register):
    response = _post(client_as_officer, "register.csv", b"a," * (25 * 1024 * 1024))

    assert response.status_code == 400
    assert "must be smaller than 5.0\xa0MB (it is 50.0\xa0MB)" in _file_error(response)
    assert not ImportJob.objects.exists()
    assert not Contract.objects.exists()


def test_a_decompression_bomb_is_refused_as_one(client_as_officer, register):
    response = _post(client_as_officer, "register.xlsx", zip_bomb_xlsx(unpacked_bytes=60 * 1024 * 1024))

    assert response.status_code == 400
    assert "looks like a zip bomb" in _file_error(response)
    assert "would unpack to 60.0\xa0MB" in _file_error(response)
    assert not Contract.objects.exists()


def test_two_reference_columns_are_refused_naming_the_column(client_as_officer, register):
    content = _csv([GOOD], headers=[*HEADERS, "Reference"])

    response = _post(client_as_officer, "register.csv", content)

    assert response.status_code == 400
    assert "'Reference' as two columns for Reference" in _file_error(response)
    assert not Contract.objects.exists()


def test_a_utf16_file_is_refused_naming_the_encoding(client_as_officer, register):
    response = _post(client_as_officer, "register.csv", ",".join(HEADERS).encode("utf-16"))

    assert response.status_code == 400
    assert "neither UTF-8 nor Windows-1252" in _file_error(response)


def test_too_many_columns_is_refused_with_the_count(client_as_officer, register):
    content = _csv([GOOD], headers=[*HEADERS, *(f"Extra {n}" for n in range(200))])

    response = _post(client_as_officer, "register.csv", content)

    assert response.status_code == 400
    assert f"more than 200 columns (row 1 has {len(HEADERS) + 200})" in _file_error(response)


def test_an_overlong_cell_is_refused_naming_row_and_column(client_as_officer, register):
    content = _csv([{**GOOD, "Description": "x" * 10_001}])

    response = _post(client_as_officer, "register.csv", content)

    assert response.status_code == 400
    column = HEADERS.index("Description") + 1
    assert f"Row 2, column {column} has a cell of 10,001 characters, more than the limit of 10,000" in _file_error(
        response
    )
    assert not Contract.objects.exists()


def test_a_windows_1252_file_with_semicolons_imports(client_as_officer, register):
    row = {**GOOD, "Service contracted": "Réablement à domicile"}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADERS, delimiter=";")
    writer.writeheader()
    writer.writerow({h: row.get(h, "") for h in HEADERS})

    response = _post(client_as_officer, "register.csv", out.getvalue().encode("cp1252"))

    assert response.status_code == 200
    assert Contract.objects.get().title == "Réablement à domicile"


def test_a_dry_run_lists_what_each_row_would_do_and_saves_nothing(client_as_officer, register):
    _post(client_as_officer, "register.csv", _csv([GOOD]))
    rows = [{**GOOD, "Service contracted": "Renamed"}, {**GOOD, "Reference": "NEW-1"}]

    response = _post(client_as_officer, "register.csv", _csv(rows), dry_run="on")

    report = response.context["report"]
    assert [(c.row, c.action, c.record) for c in report.changes] == [
        (2, "updated", "Contract ACCW-HBR-01"),
        (3, "created", "Contract NEW-1"),
    ]
    assert "What the import would do" in response.content.decode()
    assert Contract.objects.get().title == "Home Based Reablement Service"


@override_settings(IMPORT_LIMITS={"max_errors_shown": 2})
def test_problems_beyond_those_shown_are_counted_and_downloadable(client_as_officer, register):
    rows = [{**GOOD, "Reference": f"R-{n}", "Start date": "soon"} for n in range(5)]

    response = _post(client_as_officer, "register.csv", _csv(rows))

    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported: 5 problems found" in body
    assert "and 3 more problems" in body
    job = ImportJob.objects.get()
    assert reverse("commissioning:import_job_errors", args=[job.pk]) in body
    download = client_as_officer.get(reverse("commissioning:import_job_errors", args=[job.pk]))
    lines = list(csv.reader(io.StringIO(download.content.decode())))
    assert lines[0] == ["Row", "Column", "Value", "Problem"]
    assert lines[1] == ["2", "Start date", "soon", "'soon' is not a date; use dd/mm/yyyy or yyyy-mm-dd."]
    assert len(lines) == 6


@override_settings(IMPORT_LIMITS={"background_bytes": 10})
def test_a_file_over_the_background_threshold_is_imported_by_a_job(
    client_as_officer, register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client_as_officer, "register.csv", _csv([GOOD]), create_providers="on")

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.rows_read, job.result["created"]) == (ImportJob.Status.SUCCEEDED, 1, 1)
    assert job.options == {"create_providers": True}
    assert Contract.objects.get().reference == "ACCW-HBR-01"
    page = client_as_officer.get(response["Location"]).content.decode()
    assert "Import finished" in page
    assert "Contract ACCW-HBR-01" in page
