"""Background import jobs: run_or_queue keeps small files inline and queues large ones; the task records the
outcome and forgets the file; the progress page refreshes itself while the job runs and is seen only by whoever
started it and administrators; the error report downloads as CSV."""

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse

from commissioning import roles
from commissioning.imports import ImportReport, run_or_queue
from commissioning.models import ImportJob
from commissioning.tasks import run_import
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IMPORTER = "tests.commissioning.test_import_jobs.fake_importer"


def fake_importer(*, content: bytes, filename: str, by, dry_run: bool = False, bad_rows: int = 0) -> ImportReport:
    """Counts lines; reports a problem on each of the first ``bad_rows`` rows."""
    report = ImportReport(dry_run=dry_run, rows_read=content.count(b"\n"))
    for number in range(2, 2 + bad_rows):
        report.error(number, "Reference", "Enter the reference.", "")
    if not bad_rows:
        report.created = report.rows_read
        report.change(2, "created", "Contract A-1")
        report.saved = not dry_run
    return report


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _queued(by, *, content=b"a\nb\n", **options) -> ImportJob:
    job = ImportJob(importer=IMPORTER, filename="register.csv", created_by=by, options=options)
    job.file.save("x.csv", ContentFile(content), save=False)
    job.save()
    return job


def test_a_small_file_runs_inline_and_returns_its_report(contract_officer):
    outcome = run_or_queue(importer=IMPORTER, content=b"a\n", filename="f.csv", by=contract_officer, dry_run=False)

    assert isinstance(outcome, ImportReport)
    assert (outcome.rows_read, outcome.created) == (1, 1)
    assert not ImportJob.objects.exists()  # a clean inline run leaves no job behind


def test_an_inline_run_with_problems_is_kept_for_its_error_report(contract_officer):
    outcome = run_or_queue(
        importer=IMPORTER, content=b"a\n", filename="f.csv", by=contract_officer, dry_run=False, options={"bad_rows": 2}
    )

    job = outcome.job
    assert (job.status, job.error_count, job.created_by) == (ImportJob.Status.FAILED, 2, contract_officer)
    assert not job.file


@override_settings(IMPORT_LIMITS={"background_bytes": 3})
def test_a_large_file_is_stored_and_queued_after_commit(contract_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = run_or_queue(importer=IMPORTER, content=b"a\nb\n", filename="f.csv", by=contract_officer, dry_run=True)

    assert isinstance(job, ImportJob)
    assert (job.status, job.dry_run, len(callbacks)) == (ImportJob.Status.QUEUED, True, 1)
    assert job.file.name.startswith("imports/")
    assert job.file.read() == b"a\nb\n"


def test_the_task_records_the_result_and_deletes_the_stored_file(contract_officer):
    job = _queued(contract_officer)
    stored = job.file.name

    assert run_import(job_id=str(job.pk)) == "succeeded"

    job.refresh_from_db()
    assert (job.status, job.rows_read, job.result["created"], job.file.name) == ("succeeded", 2, 2, "")
    assert job.started_at
    assert job.finished_at
    assert not job.file.storage.exists(stored)
    assert run_import(job_id=str(job.pk)) == "already run"


def test_a_job_whose_rows_have_problems_fails_with_an_error_report(contract_officer):
    job = _queued(contract_officer, bad_rows=3)

    run_import(job_id=str(job.pk))

    job.refresh_from_db()
    assert (job.status, job.error_count) == ("failed", 3)
    assert job.error_report.splitlines()[0] == "Row,Column,Value,Problem"


def test_a_job_whose_importer_breaks_fails_with_a_message_not_a_traceback(contract_officer):
    job = _queued(contract_officer)
    job.importer = "tests.commissioning.test_import_jobs.no_such_importer"
    job.save()

    run_import(job_id=str(job.pk))

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message.startswith("The import stopped with an unexpected error (ImportError)")


def test_the_progress_page_refreshes_while_the_job_runs_and_stops_when_done(client_as_officer, contract_officer):
    job = _queued(contract_officer)
    url = reverse("commissioning:import_job", args=[job.pk])

    running = client_as_officer.get(url).content.decode()
    run_import(job_id=str(job.pk))
    finished = client_as_officer.get(url).content.decode()

    assert '<meta http-equiv="refresh" content="3">' in running
    assert "Rows read" in running
    assert "refresh" not in finished.split("<body", 1)[0]
    assert "Import finished" in finished
    assert "Contract A-1" in finished


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("owner", 200),
        (roles.ADMINISTRATOR, 200),
        (roles.CONTRACT_OFFICER, 404),
        (roles.COMMISSIONER, 404),
        (roles.SCRUTINY_MEMBER, 404),
        (None, 302),
    ],
)
def test_only_the_jobs_creator_and_administrators_see_it(client_for_role, contract_officer, role, status):
    owner = UserFactory(username="job-owner")
    job = run_or_queue(
        importer=IMPORTER, content=b"a\n", filename="f.csv", by=owner, dry_run=False, options={"bad_rows": 1}
    ).job
    if role == "owner":
        client = client_for_role(None)
        client.force_login(owner)
    else:
        client = client_for_role(role)

    for name in ("commissioning:import_job", "commissioning:import_job_errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == status


def test_the_error_report_downloads_as_csv(client_as_officer, contract_officer):
    job = run_or_queue(
        importer=IMPORTER, content=b"a\n", filename="f.csv", by=contract_officer, dry_run=False, options={"bad_rows": 2}
    ).job

    response = client_as_officer.get(reverse("commissioning:import_job_errors", args=[job.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Row", "Column", "Value", "Problem"],
        ["2", "Reference", "", "Enter the reference."],
        ["3", "Reference", "", "Enter the reference."],
    ]


def test_a_job_with_no_problems_has_no_error_report(client_as_officer, contract_officer):
    job = _queued(contract_officer)
    run_import(job_id=str(job.pk))

    assert client_as_officer.get(reverse("commissioning:import_job_errors", args=[job.pk])).status_code == 404
