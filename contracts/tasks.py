"""Background jobs of the contract register."""

from __future__ import annotations

from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from .selectors import contracts_needing_decision

DIGEST_WINDOW_MONTHS = 18


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_needs_decision_digest(self) -> int:
    """Weekly: each commissioning lead gets one e-mail listing their strategies' contracts whose last
    possible end date falls within 18 months and that have no re-procurement or extension decision.
    Returns the number of e-mails sent. Contracts without a strategy lead are not sent to anyone."""
    by_lead = defaultdict(list)
    for contract in contracts_needing_decision(within_months=DIGEST_WINDOW_MONTHS):
        lead = contract.strategy.commissioning_lead if contract.strategy is not None else None
        if lead is not None and lead.is_active and lead.email:
            by_lead[lead].append(contract)
    base_url = getattr(settings, "SITE_URL", "").rstrip("/")
    messages = []
    for lead, contracts in by_lead.items():
        body = render_to_string(
            "contracts/email/needs_decision_digest.txt",
            {
                "lead": lead,
                "contracts": contracts,
                "window": DIGEST_WINDOW_MONTHS,
                "list_url": base_url + reverse("contracts:needs_decision") + f"?within={DIGEST_WINDOW_MONTHS}",
                "base_url": base_url,
            },
        )
        subject = f"Contracts needing a decision: {len(contracts)} ending within {DIGEST_WINDOW_MONTHS} months"
        messages.append(EmailMessage(subject, body, None, [lead.email]))
    if not messages:
        return 0
    # One connection for the whole batch rather than one per lead.
    return get_connection().send_messages(messages) or 0
