"""Writes the search makes: recording reads of restricted records its results show, as their pages do."""

from __future__ import annotations

from typing import Any

from oversight import safeguarding
from oversight.models import Concern

from .selectors import TypeResults


def record_search_reads(*, user: Any, results: list[TypeResults], via: str) -> int:
    """Record ``user``'s read of each restricted concern (safeguarding, serious incident, sensitive) the results
    show, through ``via`` ("page" or "api"); a snippet of one is a read of it. One query and one insert at most."""
    ids = [hit.id for group in results if group.key == "concerns" for hit in group.hits]
    if not ids:
        return 0
    shown = Concern.objects.filter(pk__in=ids).restricted()
    return safeguarding.audit_concern_reads(user=user, concerns=shown, via=via)
