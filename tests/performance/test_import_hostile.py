"""Hostile files uploaded to /performance/import/: a clear refusal on the page (or on the background job's
page) and no result saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from commissioning.models import ImportJob
from performance.models import MeasureResult
from tests.commissioning.import_files import zip_bomb_xlsx
from tests.factories import MeasureFactory, StrategyFactory

pytestmark = pytest.mark.django_db

URL = "/performance/import/"
HEADER = "strategy,measure,year,quarter,value,target,commentary\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def measure():
    return MeasureFactory(strategy=StrategyFactory(name="Carers"), name="Carers supported")


def _post(client, name, content, **data):
    return client.post(URL, {"file": SimpleUploadedFile(name, content), **data})


def test_a_million_bad_rows_go_to_a_job_that_fails_naming_the_row_limit(
    client_as_officer, measure, django_capture_on_commit_callbacks
):
    content = HEADER.encode() + b"x\n" * 1_000_000

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client_as_officer, "q3.csv", content)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.FAILED
    assert job.error_count == 1  # one refusal of the file, not a million row errors
    assert "more than 20,000 rows (it has at least 20,001)" in job.result["errors"][0]["message"]
    page = client_as_officer.get(reverse("commissioning:import_job", args=[job.pk]))
    assert len(page.content) < 100_000
    assert "more than 20,000 rows" in page.content.decode()
    assert not MeasureResult.objects.exists()


@override_settings(IMPORT_LIMITS={"max_errors": 50, "max_errors_shown": 10})
def test_many_bad_rows_build_a_capped_page_and_report(client_as_officer, measure, django_capture_on_commit_callbacks):
    content = HEADER.encode() + b"Carers,Carers supported,2018/19,Q9,1,,\n" * 10_000

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client_as_officer, "q3.csv", content)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.error_count, len(job.result["errors"])) == (ImportJob.Status.FAILED, 10_000, 10)
    assert job.error_report.count("\n") == 52  # heading, 50 problems, the line saying listing stopped
    page = client_as_officer.get(reverse("commissioning:import_job", args=[job.pk])).content.decode()
    assert "and 9,990 more problems" in page
    assert not MeasureResult.objects.exists()


def test_a_50_mb_file_is_refused_on_the_page(client_as_officer, measure):
    response = _post(client_as_officer, "q3.csv", b"a," * (25 * 1024 * 1024))

    assert response.status_code == 200
    assert "smaller than 5 MB" in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


def test_a_decompression_bomb_is_refused_as_a_zip_bomb(client_as_officer, measure):
    response = _post(client_as_officer, "q3.xlsx", zip_bomb_xlsx())

    assert "zip bomb" in response.content.decode()
    assert not MeasureResult.objects.exists()


def test_two_value_columns_are_refused_naming_the_column(client_as_officer, measure):
    content = b"strategy,measure,year,quarter,value,value\nCarers,Carers supported,2018/19,Q3,1,2\n"

    response = _post(client_as_officer, "q3.csv", content)

    assert "&#x27;value&#x27; as two columns for value" in response.content.decode()
    assert not MeasureResult.objects.exists()


def test_a_utf16_file_is_refused(client_as_officer, measure):
    response = _post(client_as_officer, "q3.csv", HEADER.encode("utf-16"))

    assert "neither UTF-8 nor Windows-1252 text" in response.content.decode()


def test_an_overlong_commentary_is_refused_naming_its_length(client_as_officer, measure):
    content = HEADER.encode() + b"Carers,Carers supported,2018/19,Q3,1,," + b"x" * 10_001 + b"\n"

    response = _post(client_as_officer, "q3.csv", content)

    assert "has a cell of 10,001 characters, more than the limit of 10,000" in response.content.decode()
    assert not MeasureResult.objects.exists()


def test_a_dry_run_lists_each_result_it_would_add(client_as_officer, measure):
    content = HEADER.encode() + b"Carers,Carers supported,2018/19,Q3,60,50,\n"

    response = _post(client_as_officer, "q3.csv", content, dry_run="on")

    assert [(c.row, c.action, c.record) for c in response.context["report"].changes] == [
        (2, "created", "Carers: Carers supported, Q3 2018/19")
    ]
    assert not MeasureResult.objects.exists()
