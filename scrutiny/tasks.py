"""Background rendering of highlight report PDFs and scrutiny packs.

Both tasks take an ID, are acknowledged only when done (a worker killed mid-render leaves the
message to be delivered again) and retry with backoff when storage or the database is briefly
unavailable. They are idempotent: a repeat with unchanged inputs reuses the stored file.
"""

from celery import shared_task

from . import services

MAX_RETRIES = 5


# Acknowledged only when done, and requeued if the worker dies: a render is never lost half-way.
RENDER_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": services.TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
}


def _give_up_if_last_try(task, mark_failed, object_id: int, exc: BaseException) -> None:
    if task.request.retries >= task.max_retries:
        mark_failed(object_id, f"Gave up after {task.max_retries} retries: {services.describe_error(exc)}")


@shared_task(**RENDER_TASK_OPTIONS)
def render_pack(self, pack_id: int, force: bool = False) -> dict:
    """Render a scrutiny pack's PDF and mark it ready (or failed, with the reason)."""
    try:
        outcome = services.run_pack_render(pack_id, force=force)
    except services.TRANSIENT_ERRORS as exc:
        _give_up_if_last_try(
            self, lambda pk, reason: services.pack_mark_failed(pack_id=pk, reason=reason), pack_id, exc
        )
        raise
    return {"pages": outcome.page_count, "reused": outcome.reused, "file": outcome.file_name}


@shared_task(**RENDER_TASK_OPTIONS)
def render_report(self, report_id: int, force: bool = False) -> dict:
    """Render one highlight report's PDF."""
    try:
        outcome = services.run_report_render(report_id, force=force)
    except services.TRANSIENT_ERRORS as exc:
        _give_up_if_last_try(
            self, lambda pk, reason: services.report_mark_failed(report_id=pk, reason=reason), report_id, exc
        )
        raise
    return {"pages": outcome.page_count, "reused": outcome.reused, "file": outcome.file_name}
