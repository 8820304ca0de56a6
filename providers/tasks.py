"""Background jobs of the providers app: the daily refresh of CQC ratings from CQC's API."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services
from .cqc_api import CqcApiClient, CqcApiError

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def refresh_cqc_ratings() -> dict[str, int | str]:
    """Daily: record the current CQC ratings of the council's locations that CQC's changes feed lists for the
    last ``CQC_REFRESH_HOURS`` (``services.cqc_refresh``; a fall raises its alert). Does nothing, and logs why,
    while ``CQC_API_KEY`` is blank. Returns a summary (counts only: it lands in the result backend)."""
    if not settings.CQC_API_KEY:
        logger.info("CQC refresh skipped: CQC_API_KEY is not set.")
        return {"skipped": "CQC_API_KEY is not set"}
    client = CqcApiClient(settings.CQC_API_BASE_URL, settings.CQC_API_KEY, timeout=settings.CQC_API_TIMEOUT_SECONDS)
    end = timezone.now()
    start = end - timedelta(hours=settings.CQC_REFRESH_HOURS)
    try:
        done = services.cqc_refresh(client=client, start=start, end=end, by=None)
    except CqcApiError as error:
        logger.warning("CQC refresh failed: %s", error)
        return {"failed": str(error)}
    for location_id, reason in done.failed.items():
        logger.warning("CQC refresh of location %s failed: %s", location_id, reason)
    summary: dict[str, int | str] = {
        "changed": done.changed,
        "held": done.held,
        "created": done.recorded.created,
        "updated": done.recorded.updated,
        "unchanged": done.recorded.unchanged,
        "drops": len(done.recorded.drops),
        "failed": len(done.failed),
    }
    logger.info("CQC refresh: %s", summary)
    return summary
