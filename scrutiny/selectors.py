"""Reads of committees, meetings, conclusions and packs."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ScrutinyConclusion


def conclusions_for_strategies(*, strategy_ids: list[int], up_to=None) -> QuerySet[ScrutinyConclusion]:
    """Committees' conclusions about the given strategies, newest meeting first; ``up_to`` limits
    them to meetings held on or before that date (what a report of that date could know)."""
    conclusions = ScrutinyConclusion.objects.filter(strategy_id__in=strategy_ids).select_related("meeting__committee")
    if up_to is not None:
        conclusions = conclusions.filter(meeting__date__lte=up_to)
    return conclusions.order_by("strategy_id", "-meeting__date", "pk")
