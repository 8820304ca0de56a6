"""Reads behind the open data files: the contracts the council publishes."""

from django.db.models import Prefetch

from contracts.models import Contract
from oversight.models import Sanction, Visit


def published_contracts(*, user):
    """Contracts let (not those still in procurement) that ``user`` may see, with everything both files show
    loaded up front: the same register rows, visits and sanctions as the register's pages and API."""
    return (
        Contract.objects.visible_to(user)
        .exclude(status=Contract.Status.PIPELINE)
        .select_related("directorate", "lead_provider")
        .prefetch_related(
            "other_providers",
            Prefetch("visits", queryset=Visit.objects.visible_to(user).order_by("visited_on", "pk")),
            Prefetch("sanctions", queryset=Sanction.objects.visible_to(user).order_by("issued_on", "pk")),
        )
        .order_by("reference")
    )
