"""Background jobs of the oversight app: the daily sweep of contract alerts."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .alerts import contract_alerts_sweep


@shared_task(acks_late=True)
def sweep_contract_alerts() -> int:
    """Daily (06:15 on the beat): raise the statutory, end-date and users' own contract alerts due today and
    escalate unacknowledged ones (``oversight.alerts.contract_alerts_sweep``). Safe to run again: each alert and
    each escalation is sent once. Returns how many alerts were raised plus how many escalated."""
    return contract_alerts_sweep(today=timezone.localdate())
