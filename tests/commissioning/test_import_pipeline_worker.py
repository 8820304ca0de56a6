"""A 50,000-row contract register imported through the real broker and a real worker (CI's PostgreSQL + Redis
run), all or nothing, with its progress recorded on the job while it runs."""

import csv
import io
import time

import pytest
from django.urls import reverse

from commissioning.imports import run_or_queue
from commissioning.models import ImportJob
from contracts.imports import HEADERS, IMPORTER
from contracts.models import Contract

ROWS = 50_000


def _register() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    at = {h: i for i, h in enumerate(HEADERS)}
    for n in range(ROWS):
        row = [""] * len(HEADERS)
        row[at["Reference"]] = f"BULK-{n:05d}"
        row[at["Service contracted"]] = f"Homecare lot {n}"
        row[at["Directorate"]] = "accw"
        row[at["Category"]] = "Community based"
        row[at["Type"]] = "block"
        row[at["Start date"]] = "01/04/2024"
        row[at["End date"]] = "31/03/2027"
        row[at["Annual value"]] = f"{1000 + n}.50"
        writer.writerow(row)
    return out.getvalue().encode()


@pytest.mark.celery_worker
def test_a_50000_row_register_imports_through_the_worker_with_progress(
    live_celery_worker, directorate, contract_officer, client_as_officer, settings, tmp_path
):
    # Through the settings fixture alone: an override_settings decorator as well would be undone in the wrong
    # order at teardown and leak these limits into the tests after it.
    settings.IMPORT_LIMITS = {"max_rows": ROWS, "max_bytes": 20 * 1024 * 1024, "progress_every": 2_000}
    settings.MEDIA_ROOT = tmp_path
    job = run_or_queue(importer=IMPORTER, content=_register(), filename="bulk.csv", by=contract_officer, dry_run=False)
    assert isinstance(job, ImportJob)

    seen = []
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen.append((job.status, job.rows_read))
        if job.finished:
            break
        time.sleep(0.2)

    assert job.status == ImportJob.Status.SUCCEEDED, job.message or job.result
    assert (job.rows_read, job.result["created"], job.error_count) == (ROWS, ROWS, 0)
    assert Contract.objects.count() == ROWS
    assert ("running", ROWS) in seen or any(status == "running" for status, _ in seen)
    rows_seen = [rows for _, rows in seen]
    assert rows_seen == sorted(rows_seen)  # progress only goes forward
    page = client_as_officer.get(reverse("commissioning:import_job", args=[job.pk])).content.decode()
    assert "Import finished" in page
    assert "and 49,000 more rows" in page  # the changes listed are capped at max_changes_kept (1,000)
