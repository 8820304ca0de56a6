"""Reads behind the open data files: the contracts the council publishes."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from contracts.models import Contract, ContractChange
from oversight.models import ContractKpi, ContractPerformanceNotice, Sanction, Visit

# The Local Government Transparency Code 2015 asks for every invitation to tender above £5,000.
INVITATION_TO_TENDER_THRESHOLD = Decimal("5000")


def published_contracts(*, user, pipeline: bool | None = None) -> QuerySet[Contract]:
    """The contracts the open data files show, with everything the files read loaded up front: the
    providers, monitoring visits, sanctions and changes (variations, extensions, novations).

    ``user`` None is the public (``OPEN_DATA_PUBLIC``): the whole register, as the council publishes it.
    Otherwise the rows that user may see, through the same ``visible_to`` rules as the register's pages.
    ``pipeline`` True gives only contracts still in procurement, False only those let, None both.
    """
    contracts = Contract.objects.all() if user is None else Contract.objects.visible_to(user)
    visits = Visit.objects.all() if user is None else Visit.objects.visible_to(user)
    sanctions = Sanction.objects.all() if user is None else Sanction.objects.visible_to(user)
    changes = ContractChange.objects.all() if user is None else ContractChange.objects.visible_to(user)
    if pipeline is True:
        contracts = contracts.filter(status=Contract.Status.PIPELINE)
    elif pipeline is False:
        contracts = contracts.exclude(status=Contract.Status.PIPELINE)
    return (
        contracts.select_related("directorate", "lead_provider")
        .prefetch_related(
            "other_providers",
            Prefetch("visits", queryset=visits.order_by("visited_on", "pk")),
            Prefetch("sanctions", queryset=sanctions.select_related("provider").order_by("issued_on", "pk")),
            Prefetch(
                "changes",
                queryset=changes.select_related("from_provider", "to_provider").order_by("effective_on", "pk"),
            ),
        )
        .order_by("reference")
    )


def invitations_to_tender(*, user) -> QuerySet[Contract]:
    """Contracts still in procurement worth more than the Transparency Code's £5,000 (whole-life value)."""
    return published_contracts(user=user, pipeline=True).filter(total_value__gt=INVITATION_TO_TENDER_THRESHOLD)


def with_performance(contracts: QuerySet[Contract], *, user) -> QuerySet[Contract]:
    """``contracts`` with what the OCDS release reads of the Procurement Act 2023 loaded up front: the KPIs
    (agreed metrics) and the published contract performance notices (results and implementation documents).
    Two queries. ``user`` None is the public, as for ``published_contracts``."""
    notices = ContractPerformanceNotice.objects.all()
    kpis = ContractKpi.objects.all()
    if user is not None:
        notices, kpis = notices.visible_to(user), kpis.visible_to(user)
    return contracts.prefetch_related(
        Prefetch("kpis", queryset=kpis.order_by("position", "pk")),
        Prefetch(
            "performance_notices",
            queryset=notices.filter(status=ContractPerformanceNotice.Status.PUBLISHED).order_by("period_end", "pk"),
        ),
    )
