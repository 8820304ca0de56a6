"""Reads of the contract register."""

from __future__ import annotations

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from commissioning import roles
from commissioning.models import User
from providers.models import CqcRating, CqcRatingValue, Location, Provider

from .models import Contract, ContractChange

NEEDS_DECISION_WINDOWS = (6, 12, 18)


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


def contract_register(*, user) -> QuerySet[Contract]:
    """Every contract ``user`` may see, with what a register row shows loaded in the same query."""
    return (
        Contract.objects.visible_to(user)
        .with_is_key()
        .select_related("directorate", "strategy", "lead_provider", "contract_manager")
        .order_by("end_date", "reference")
    )


def contracts_needing_decision(*, within_months: int, today: date | None = None, user=None) -> QuerySet[Contract]:
    """Live contracts whose last possible end date (after every extension option left) falls within
    the window and that have no re-procurement or extension decision recorded. With ``user``, only those
    they may see (a page); without, every one (the weekly digest, the council dashboard's count)."""
    today = today or timezone.localdate()
    horizon = today + relativedelta(months=within_months)
    contracts = Contract.objects.all() if user is None else Contract.objects.visible_to(user)
    return (
        contracts.live(on=today)
        .with_is_key()
        .filter(maximum_end_date__lte=horizon, reprocurement_decision="")
        .select_related("lead_provider", "directorate", "strategy__commissioning_lead")
        .order_by("maximum_end_date", "reference")
    )


def _latest_rating(field: str):
    return Subquery(
        CqcRating.objects.filter(location=OuterRef("pk")).order_by("-published_on", "-pk").values(field)[:1]
    )


def _logged(relation: str) -> Any:
    """The model of what officers log against a contract (oversight's visits, concerns...), reached by
    the reverse relation so that contracts does not import the app above it."""
    model: Any = Contract._meta.get_field(relation).related_model
    return model._default_manager


def contract_detail(*, pk: int, user) -> Contract:
    """One contract ``user`` may see, with everything its page shows loaded up front: changes, pooled
    budgets, what officers logged against it, its locations' latest CQC ratings. Raises
    Contract.DoesNotExist."""
    locations = (
        Location.objects.select_related("provider")
        .annotate(latest_overall=_latest_rating("overall"), latest_published_on=_latest_rating("published_on"))
        .order_by("name")
    )
    contract = (
        Contract.objects.visible_to(user)
        .with_is_key()
        .select_related("directorate", "strategy__commissioning_lead", "lead_provider", "contract_manager")
        .prefetch_related(
            Prefetch("other_providers", queryset=Provider.objects.order_by("name")),
            Prefetch("locations", queryset=locations),
            Prefetch(
                "changes",
                queryset=ContractChange.objects.select_related("from_provider", "to_provider", "recorded_by"),
            ),
            "pooled_budgets",
            Prefetch("visits", queryset=_logged("visits").select_related("location", "officer")),
            Prefetch("concerns", queryset=_logged("concerns").select_related("location")),
            Prefetch("sanctions", queryset=_logged("sanctions").select_related("location")),
            Prefetch("action_plans", queryset=_logged("action_plans").select_related("location")),
        )
        .get(pk=pk)
    )
    for location in contract.locations.all():
        overall = location.latest_overall
        location.latest_overall_label = CqcRatingValue(overall).label if overall else "Not rated"
    return contract


def contract_providers_with_risk(*, contract: Contract) -> list[Provider]:
    """The lead and other providers of a contract, each with its current risk level (one query)."""
    ids = {p.pk for p in contract.other_providers.all()}
    if contract.lead_provider_id:
        ids.add(contract.lead_provider_id)
    if not ids:
        return []
    providers = list(Provider.objects.with_current_risk().filter(pk__in=ids).order_by("name"))
    # The lead provider first: it is the one the register names.
    providers.sort(key=lambda p: p.pk != contract.lead_provider_id)
    return providers


def contract_officers() -> QuerySet[User]:
    """The people who may be named a contract's manager: active contract officers, by name."""
    return (
        User.objects.filter(is_active=True, groups__name=roles.CONTRACT_OFFICER)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
