"""Background jobs of the records app: the daily retention run."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .retention import retention_apply

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def apply_retention_daily() -> int:
    """Daily (02:30 on the beat): delete or anonymise what the retention schedule says is due, skipping held
    records; "review" items are left for a person (the due page lists them). Safe to run again: what was disposed
    of is not due again. Only once the council has turned it on (``RETENTION_APPLY_AUTOMATICALLY``); until then a
    dry run, logged. Returns how many records were disposed of."""
    automatic = settings.RETENTION_APPLY_AUTOMATICALLY
    outcome = retention_apply(today=timezone.localdate(), by=None, dry_run=not automatic)
    if not automatic:
        logger.info("Retention: records due, not disposed of (RETENTION_APPLY_AUTOMATICALLY is off)")
        return 0
    return outcome.applied_total
