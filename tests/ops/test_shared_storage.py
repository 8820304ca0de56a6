"""Documents and PDFs in an S3-compatible bucket (STORAGE_BACKEND=s3), against a real S3-protocol server (moto's
server mode on 127.0.0.1): what is uploaded or rendered lands in the bucket, comes back byte for byte, and is only
ever downloaded through the app, with the same rights as on the file system."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter

from commissioning import roles
from commissioning.models import Document
from commissioning.storage import CouncilS3Storage
from scrutiny import services
from scrutiny.models import ScrutinyPack
from tests.factories import ContractFactory, UserFactory
from tests.scrutiny.conftest import pack_with_appendices  # noqa: F401 - the fixture, used by name

pytestmark = pytest.mark.django_db


def _pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _client(role: str, username: str, **kwargs) -> Client:
    user = UserFactory(username=username, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def _keys(client, bucket: str) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_settings_choose_the_s3_backend_and_its_urls_are_the_apps(s3_storage):
    from django.core.files.storage import storages

    assert isinstance(storages["default"], CouncilS3Storage)
    assert not default_storage.exists("packs/nothing-here.pdf")
    # Never the bucket's own address (private) nor a signed link: the app's permission-checked /media/ address.
    assert default_storage.url("packs/1-abc.pdf") == "/media/packs/1-abc.pdf"


def test_a_document_uploaded_on_the_page_is_kept_in_the_bucket_and_downloaded_only_by_those_allowed(
    s3_storage, directorate
):
    client, bucket = s3_storage
    contract = ContractFactory(directorate=directorate)
    officer = _client(roles.CONTRACT_OFFICER, "s3-officer")
    content = _pdf_bytes()

    response = officer.post(
        reverse("document-attach", args=["contracts", "contract", contract.pk]),
        {"title": "Signed contract", "file": SimpleUploadedFile("signed.pdf", content, "application/pdf")},
    )

    assert response.status_code == 302
    document = Document.objects.get(title="Signed contract")
    assert document.file.name in _keys(client, bucket)
    assert client.get_object(Bucket=bucket, Key=document.file.name)["Body"].read() == content

    download = reverse("document-download", args=[document.pk])
    allowed = officer.get(download)
    assert allowed.status_code == 200
    assert _body(allowed) == content
    assert allowed["Content-Disposition"].startswith("attachment")
    commissioner = _client(roles.COMMISSIONER, "s3-commissioner", directorate=directorate)
    assert _body(commissioner.get(download)) == content  # commissioners read the contract's documents
    assert _client(roles.SCRUTINY_MEMBER, "s3-councillor").get(download).status_code == 404
    assert Client().get(download).status_code == 302  # to sign in


def test_a_document_whose_object_has_gone_from_the_bucket_is_not_found_rather_than_an_error(s3_storage, directorate):
    client, bucket = s3_storage
    officer = _client(roles.CONTRACT_OFFICER, "s3-officer")
    contract = ContractFactory(directorate=directorate)
    officer.post(
        reverse("document-attach", args=["contracts", "contract", contract.pk]),
        {"title": "Lost", "file": SimpleUploadedFile("lost.pdf", _pdf_bytes(), "application/pdf")},
    )
    document = Document.objects.get(title="Lost")
    client.delete_object(Bucket=bucket, Key=document.file.name)

    assert officer.get(reverse("document-download", args=[document.pk])).status_code == 404


def test_removing_a_document_deletes_its_object(s3_storage, directorate, django_capture_on_commit_callbacks):
    client, bucket = s3_storage
    officer = _client(roles.CONTRACT_OFFICER, "s3-officer")
    contract = ContractFactory(directorate=directorate)
    officer.post(
        reverse("document-attach", args=["contracts", "contract", contract.pk]),
        {"title": "Old letter", "file": SimpleUploadedFile("old.pdf", _pdf_bytes(), "application/pdf")},
    )
    document = Document.objects.get(title="Old letter")

    with django_capture_on_commit_callbacks(execute=True):
        officer.post(reverse("document-remove", args=[document.pk]))

    assert document.file.name not in _keys(client, bucket)


def test_a_rendered_pack_pdf_is_kept_in_the_bucket_and_served_through_the_app_with_its_rights(
    s3_storage,
    pack_with_appendices,  # noqa: F811
):
    client, bucket = s3_storage

    services.run_pack_render(pack_with_appendices.pk)

    pack = ScrutinyPack.objects.get(pk=pack_with_appendices.pk)
    assert pack.render_status == ScrutinyPack.RenderStatus.READY
    assert {pack.file.name, pack.html_file.name} <= _keys(client, bucket)
    stored = client.get_object(Bucket=bucket, Key=pack.file.name)["Body"].read()
    assert stored.startswith(b"%PDF")
    assert pack.file.url == f"/media/{pack.file.name}"

    administrator = _client(roles.ADMINISTRATOR, "s3-admin", is_staff=True)
    allowed = administrator.get(pack.file.url)
    assert allowed.status_code == 200
    assert _body(allowed) == stored
    assert "no-store" in allowed["Cache-Control"]
    # A draft pack's working render is for those who prepare packs: councillors are not told it exists.
    assert _client(roles.SCRUTINY_MEMBER, "s3-councillor").get(pack.file.url).status_code == 404
    assert Client().get(pack.file.url).status_code == 302

    # Rendering again with nothing changed reuses the stored file (found in the bucket, not laid out again).
    assert services.run_pack_render(pack.pk).reused


def test_a_large_import_is_stored_in_the_bucket_read_back_by_the_task_and_then_deleted(
    s3_storage, settings, contract_officer, django_capture_on_commit_callbacks
):
    """The web container stores the upload, a worker container (another host) reads it from the bucket."""
    from commissioning.imports import run_or_queue
    from commissioning.models import ImportJob
    from commissioning.tasks import run_import

    client, bucket = s3_storage
    settings.IMPORT_LIMITS = {"background_bytes": 3}
    content = b"reference\nA-1\nA-2\n"

    with django_capture_on_commit_callbacks(execute=False):
        job = run_or_queue(
            importer="tests.commissioning.test_import_jobs.fake_importer",
            content=content,
            filename="register.csv",
            by=contract_officer,
            dry_run=True,
        )

    assert isinstance(job, ImportJob)
    stored = job.file.name
    assert client.get_object(Bucket=bucket, Key=stored)["Body"].read() == content
    assert run_import(job_id=str(job.pk)) == "succeeded"
    job.refresh_from_db()
    assert job.rows_read == 3
    assert stored not in _keys(client, bucket)


def test_the_readiness_probe_writes_reads_and_deletes_in_the_bucket(s3_storage):
    from commissioning import health

    client, bucket = s3_storage

    assert health.check_storage() == health.CheckResult("storage", True, "ok")
    assert _keys(client, bucket) == set()


def test_a_bucket_that_does_not_exist_fails_the_readiness_probe(settings, s3_server):
    """A real answer from the S3 server (NoSuchBucket), as after a typo in AWS_STORAGE_BUCKET_NAME."""
    from commissioning import health
    from tests.ops.conftest import s3_options

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "commissioning.storage.CouncilS3Storage", "OPTIONS": s3_options(s3_server, "no-such")},
    }

    assert health.check_storage() == health.CheckResult("storage", False, "failing (NoSuchBucket)")


def test_an_s3_endpoint_that_does_not_answer_fails_the_readiness_probe(settings):
    import socket

    from commissioning import health
    from tests.ops.conftest import s3_options

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "commissioning.storage.CouncilS3Storage",
            "OPTIONS": s3_options(f"http://127.0.0.1:{closed}", "commissioning"),
        },
    }

    assert health.check_storage() == health.CheckResult("storage", False, "failing (EndpointConnectionError)")
