"""Background rendering of highlight report PDFs and scrutiny packs.

Both tasks take an ID, are acknowledged only when done (a worker killed mid-render leaves the
message to be delivered again) and retry with backoff when storage or the database is briefly
unavailable. They are idempotent: a repeat with unchanged inputs reuses the stored file.
"""

from celery import shared_task

from . import parallel, services

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


@shared_task(**RENDER_TASK_OPTIONS)
def render_supplement(self, supplement_id: int, force: bool = False) -> dict:
    """Render a pack supplement's PDF, its pages numbered on from the pack's."""
    try:
        outcome = services.run_supplement_render(supplement_id, force=force)
    except services.TRANSIENT_ERRORS as exc:
        _give_up_if_last_try(
            self,
            lambda pk, reason: services.supplement_mark_failed(supplement_id=pk, reason=reason),
            supplement_id,
            exc,
        )
        raise
    return {"pages": outcome.page_count, "reused": outcome.reused, "file": outcome.file_name}


# --- Quick previews: a pack laid out in parts in parallel (scrutiny.parallel), never published ---------------

# Acknowledged only when done, as the renders. A part or merge is not retried on its own: the chord would wait on
# a part's result for ever, so a failed preview is simply asked for again from the pack's page.
PART_TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name=parallel.LAYOUT_PART_TASK, **PART_TASK_OPTIONS)
def layout_pack_part(
    *, head: str, bodies: list[str], anchors: list[str], stylesheets: list[str], probe_front: str = ""
) -> dict:
    """Lay out one batch of a pack's appendices (the chord's group), numbered locally."""
    return parallel.layout_part(
        head=head, bodies=bodies, anchors=anchors, stylesheets=stylesheets, probe_front=probe_front
    )


@shared_task(name=parallel.MERGE_PARTS_TASK, **PART_TASK_OPTIONS)
def merge_pack_parts(
    batches: list[dict], *, head: str, front: str, stylesheets: list[str], order: list[str], store_as: str = ""
) -> dict:
    """The chord's callback: the cover and contents with real page numbers, then the merge. With ``store_as``
    the merged PDF is saved in storage under that name (and left out of the result)."""
    result = parallel.merge_parts(batches, head=head, front=front, stylesheets=stylesheets, order=order)
    if store_as:
        parallel.store_preview(store_as, parallel.decode(result))
        result = {"name": store_as, "page_count": result["page_count"], "figures": result["figures"]}
    return result


@shared_task(**RENDER_TASK_OPTIONS)
def preview_pack(self, pack_id: int) -> dict:
    """Build a pack's HTML and send the chord that lays it out in parallel, unless the preview of these inputs
    is already stored."""
    return services.run_pack_preview(pack_id)


# --- Two-stage scrutiny and recommendations ---


@shared_task(acks_late=True, autoretry_for=services.TRANSIENT_ERRORS, retry_backoff=True, max_retries=MAX_RETRIES)
def notify_overdue_recommendations() -> int:
    """Daily: tell the commissioners of the strategy's directorate and the administrators of each scrutiny
    recommendation whose response is overdue, once per recommendation. Returns how many were notified."""
    return services.notify_overdue_recommendations()
