"""Background rendering: retries, the render_pack command, and a real worker with Redis (CI)."""

import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from scrutiny import services, tasks
from scrutiny.models import ScrutinyPack
from tests.factories import ScrutinyPackFactory


@pytest.mark.django_db
def test_transient_errors_are_retried_then_reported(monkeypatch):
    pack = ScrutinyPackFactory(render_status=ScrutinyPack.RenderStatus.QUEUED)
    attempts = []

    def storage_down(pack_id, *, force):
        attempts.append(pack_id)
        raise OSError("Storage unavailable")

    monkeypatch.setattr(services, "_render_pack", storage_down)

    tasks.render_pack.apply(args=[pack.pk])

    pack.refresh_from_db()
    assert len(attempts) == tasks.MAX_RETRIES + 1
    assert pack.render_status == ScrutinyPack.RenderStatus.FAILED
    assert "Storage unavailable" in pack.render_error


def test_render_task_is_acknowledged_only_when_done():
    for task in (tasks.render_pack, tasks.render_report):
        assert task.acks_late
        assert task.reject_on_worker_lost
        assert task.max_retries == tasks.MAX_RETRIES


@pytest.mark.django_db
def test_render_pack_command_prints_pages_and_timing_and_reuses_unchanged_file(pack_with_appendices, capsys):
    call_command("render_pack", str(pack_with_appendices.pk))
    first = capsys.readouterr().out
    call_command("render_pack", str(pack_with_appendices.pk))
    second = capsys.readouterr().out

    pack_with_appendices.refresh_from_db()
    assert first.startswith("Rendered")
    assert f"{pack_with_appendices.page_count} pages" in first
    assert "layout" in first
    assert second.startswith("Reused the stored file")


@pytest.mark.django_db
def test_render_pack_command_names_a_missing_pack():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="There is no scrutiny pack 999"):
        call_command("render_pack", "999")


@pytest.mark.celery_worker
def test_pack_renders_through_a_real_worker(live_celery_worker, pack_with_appendices, admin_client):
    from tests.factories import UserFactory

    admin = UserFactory(username="render-admin", is_superuser=True, is_staff=True)
    admin_client.force_login(admin)

    admin_client.post(reverse("scrutiny:pack_render", args=[pack_with_appendices.pk]))

    deadline = time.monotonic() + 120
    status = {}
    while time.monotonic() < deadline:
        status = admin_client.get(reverse("scrutiny:pack_status", args=[pack_with_appendices.pk])).json()
        if status["status"] in ("ready", "failed"):
            break
        time.sleep(0.5)
    assert status["status"] == "ready", status
    assert status["progress_done"] == status["progress_total"] == 3
    response = admin_client.get(status["download_url"])
    assert b"".join(response.streaming_content).startswith(b"%PDF")
