"""Reads behind the open data files: the contracts the council publishes."""

from django.db.models import Prefetch

from contracts.models import Contract
from oversight.models import Sanction, Visit


def published_contracts():
    """Contracts let (not those still in procurement), with everything both files show loaded up front."""
    return (
        Contract.objects.exclude(status=Contract.Status.PIPELINE)
        .select_related("directorate", "lead_provider")
        .prefetch_related(
            "other_providers",
            Prefetch("visits", queryset=Visit.objects.order_by("visited_on", "pk")),
            Prefetch("sanctions", queryset=Sanction.objects.order_by("issued_on", "pk")),
        )
        .order_by("reference")
    )
