"""Reads of the contract register."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Contract


def key_contracts_for_strategies(*, strategy_ids: list[int]) -> QuerySet[Contract]:
    """Key contracts (annual value £1m or more, or politically sensitive) of the given strategies,
    with the lead provider loaded: the highlight report's ten-column table."""
    return (
        Contract.objects.key()
        .filter(strategy_id__in=strategy_ids)
        .exclude(status__in=[Contract.Status.EXPIRED, Contract.Status.TERMINATED])
        .select_related("lead_provider")
        .order_by("strategy_id", "-annual_value", "reference")
    )
