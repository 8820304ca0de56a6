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


@shared_task(acks_late=True)
def contract_returns_daily() -> int:
    """Daily (06:30 on the beat): make due the contract returns whose period has ended, then chase by e-mail
    those overdue by ``CONTRACT_RETURN_CHASE_AFTER_DAYS`` (``oversight.returns``). Safe to run again: returns are
    made once per period and each chase is sent once. Returns how many returns were chased."""
    from .returns import contract_returns_chase, returns_schedule_all

    today = timezone.localdate()
    returns_schedule_all(today=today)
    return contract_returns_chase(today=today)


@shared_task(acks_late=True)
def sweep_escalation_triggers() -> int:
    """Daily (06:30 on the beat): escalate each new situation the active triggers see, once: a new escalation, or
    a further situation on the provider's open one, telling the stage's people
    (``oversight.escalation.escalation_triggers_sweep``). Safe to run again. Returns how many were opened."""
    from .escalation import escalation_triggers_sweep

    return escalation_triggers_sweep(today=timezone.localdate())
