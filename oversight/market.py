"""Provider failure and market sustainability (seed 001's provider failure and home closures, seed 004's market
oversight and sustainability strategy): their writes and their reads.

- A **failure case** records a home or service closing, a provider in administration or leaving the market, or a
  contract handed back: the service users affected and moved (never more moved than affected), staff transferred,
  a novation and to whom, dates, the summary and the lessons learnt. Opening a closure case marks its location
  closing; closing it closes the location (``providers.services.location_record_status``); closing an
  administration or exit case records the provider's exit (``providers.services.provider_record_exit``) unless it
  is already recorded.
- A **market indicator** is one Red / Amber / Green reading of a provider's sustainability (occupancy, workforce,
  financial viability, fee pressure, risk of exit, and whether it is hard to replace); the latest per provider and
  kind is the current one. A provider is **hard to replace** while its current hard-to-replace reading is Red or
  Amber.

Services are keyword-only and atomic, check the actor (``commissioning.permissions``) then the rules, and raise
ValidationError naming the field.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any, TypedDict, Unpack

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from commissioning import permissions
from commissioning.models import User
from commissioning.notifications import notify
from contracts.models import Contract
from providers import services as provider_services
from providers.models import Location, Provider

from .models import MarketIndicator, ProviderFailureCase, Rag
from .services import TransitionNotAllowed

Kind = ProviderFailureCase.Kind
CaseStatus = ProviderFailureCase.Status

# A hard-to-replace reading at these levels flags the provider as hard to replace.
HARD_TO_REPLACE_LEVELS = (Rag.RED, Rag.AMBER)
# How a closed case of each kind records the provider leaving the market (closure and handback cases do not).
EXIT_STATUS: dict[str, str] = {
    Kind.EXIT: Provider.Status.EXITED,
    Kind.ADMINISTRATION: Provider.Status.IN_ADMINISTRATION,
}


def _done_by(record: Any, by: User | None) -> None:
    record._history_user = by


# --- Failure cases --------------------------------------------------------------------------------------------


class FailureCaseFields(TypedDict, total=False):
    location: Location | None
    contract: Contract | None
    announced_on: date
    service_users_affected: int
    service_users_moved: int
    staff_transferred: int
    novation: bool
    novated_to: Provider | None
    summary: str
    lessons: str


EDITABLE = tuple(FailureCaseFields.__annotations__)


def _contract_provider_ids(contract: Contract) -> set[int]:
    ids = set(contract.other_providers.values_list("pk", flat=True))
    if contract.lead_provider_id is not None:
        ids.add(contract.lead_provider_id)
    return ids


def _check_relations(case: ProviderFailureCase, errors: dict[str, str]) -> None:
    location, contract = case.location, case.contract
    if location is not None and location.provider_id != case.provider_id:
        errors["location"] = "Choose one of this provider's locations."
    elif case.kind == Kind.CLOSURE and location is None:
        errors["location"] = "Choose the home or service that is closing."
    if contract is not None:
        holders = _contract_provider_ids(contract)
        # A novated contract is the new provider's now: the case still names it.
        if case.provider_id not in holders and not (case.novation and case.novated_to_id in holders):
            errors["contract"] = "Choose a contract this provider holds (or, once novated, the new provider holds)."
    if case.novation:
        if case.novated_to_id is None:
            errors["novated_to"] = "Choose the provider the contract was novated to."
        elif case.novated_to_id == case.provider_id:
            errors["novated_to"] = "A contract is novated to another provider."
    elif case.novated_to_id is not None:
        errors["novated_to"] = "Name a provider only when the contract was novated."


def _check_counts(case: ProviderFailureCase, errors: dict[str, str]) -> None:
    for name in ("service_users_affected", "service_users_moved", "staff_transferred"):
        value = getattr(case, name)
        if value is None or value < 0:
            errors[name] = "Enter a whole number, 0 or more."
    counted = "service_users_moved" not in errors and "service_users_affected" not in errors
    if counted and case.service_users_moved > case.service_users_affected:
        errors["service_users_moved"] = (
            f"No more service users can be moved than were affected ({case.service_users_affected})."
        )


def _check_dates(case: ProviderFailureCase, errors: dict[str, str]) -> None:
    today = timezone.localdate()
    if case.announced_on is None:
        errors["announced_on"] = "Enter the date it was announced or became known."
        return
    if case.announced_on > today:
        errors["announced_on"] = "The date it was announced must be today or in the past."
    if case.ended_on is not None:
        if case.ended_on < case.announced_on:
            errors["ended_on"] = "The case cannot close before it was announced."
        elif case.ended_on > today:
            errors["ended_on"] = "The date the case closed must be today or in the past."


def _check_case(case: ProviderFailureCase) -> None:
    """A case's rules: the location and contract are the provider's; a closure names the location closing; counts
    are whole numbers, never more moved than affected; a novation names the provider it went to (another one);
    dates in order and not in the future; a summary in words."""
    errors: dict[str, str] = {}
    if case.kind not in Kind.values:
        errors["kind"] = f"Choose one of: {', '.join(Kind.labels)}."
    if not (case.summary or "").strip():
        errors["summary"] = "Describe what happened and what the council did."
    _check_relations(case, errors)
    _check_counts(case, errors)
    _check_dates(case, errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def failure_case_open(
    *,
    by: User,
    provider: Provider,
    kind: str,
    announced_on: date,
    summary: str,
    location: Location | None = None,
    contract: Contract | None = None,
    service_users_affected: int = 0,
    service_users_moved: int = 0,
    staff_transferred: int = 0,
    novation: bool = False,
    novated_to: Provider | None = None,
    lessons: str = "",
) -> ProviderFailureCase:
    """Open a provider failure or closure case. A closure marks its location closing from the day it was
    announced (``location_record_status``), unless the location is already closing or closed."""
    case = ProviderFailureCase(
        provider=provider,
        kind=kind,
        announced_on=announced_on,
        summary=(summary or "").strip(),
        location=location,
        contract=contract,
        service_users_affected=service_users_affected,
        service_users_moved=service_users_moved,
        staff_transferred=staff_transferred,
        novation=bool(novation),
        novated_to=novated_to,
        lessons=(lessons or "").strip(),
        recorded_by=by,
    )
    permissions.require(by, "oversight.add_providerfailurecase", case)
    _check_case(case)
    _done_by(case, by)
    case.save()
    _tell_contract_managers(case, by)
    if case.kind == Kind.CLOSURE and location is not None and location.status == Location.Status.OPEN:
        provider_services.location_record_status(
            location=location, status=Location.Status.CLOSING, on=announced_on, by=by
        )
    return case


def _tell_contract_managers(case: ProviderFailureCase, by: User) -> None:
    """The managers and backups of the case's contract and of the provider's live contracts hear of it at once (a
    link and generic words: what happened stays behind the sign-in)."""
    contracts = Contract.objects.filter(
        Q(pk=case.contract_id)
        | Q(status=Contract.Status.LIVE, lead_provider=case.provider_id)
        | Q(status=Contract.Status.LIVE, other_providers=case.provider_id)
    )
    ids = {i for pair in contracts.values_list("contract_manager_id", "backup_manager_id") for i in pair if i}
    ids.discard(by.pk)
    if ids:
        notify(
            recipients=User.objects.filter(pk__in=ids),
            kind="oversight.failure_case_opened",
            subject="A provider failure or closure case has been opened",
            link=case.get_absolute_url(),
            dedupe_key=f"failure-case-opened:{case.pk}",
            by=by,
        )


def _locked(case: ProviderFailureCase) -> ProviderFailureCase:
    return (
        ProviderFailureCase.objects.select_for_update(of=("self",))
        .select_related("provider", "location", "contract")
        .get(pk=case.pk)
    )


@transaction.atomic
def failure_case_update(
    *, by: User, case: ProviderFailureCase, **fields: Unpack[FailureCaseFields]
) -> ProviderFailureCase:
    """Change an open case's details as they become known (counts, novation, summary, lessons). A closed case
    changes only its lessons learnt."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This cannot be changed here."))
    case = _locked(case)
    permissions.require(by, "oversight.change_providerfailurecase", case)
    changed = {name for name, value in fields.items() if getattr(case, name) != value}
    if case.status == CaseStatus.CLOSED and changed - {"lessons"}:
        raise TransitionNotAllowed("This case is closed: only its lessons learnt can still be added.")
    for name, value in fields.items():
        setattr(case, name, str(value or "").strip() if name in ("summary", "lessons") else value)
    _check_case(case)
    _done_by(case, by)
    case.save()
    return case


@transaction.atomic
def failure_case_close(
    *,
    by: User,
    case: ProviderFailureCase,
    ended_on: date,
    service_users_moved: int | None = None,
    lessons: str | None = None,
) -> ProviderFailureCase:
    """Close a case on ``ended_on``, with the final count moved and the lessons learnt. A closure case closes its
    location on that day; an administration or exit case records that the provider left the market then (once:
    an exit already recorded is left as it is)."""
    case = _locked(case)
    permissions.require(by, "oversight.change_providerfailurecase", case)
    if case.status == CaseStatus.CLOSED:
        raise TransitionNotAllowed("This case is already closed.")
    if ended_on is None:
        raise ValidationError({"ended_on": "Enter the date the case closed."})
    case.ended_on = ended_on
    if service_users_moved is not None:
        case.service_users_moved = service_users_moved
    if lessons is not None:
        case.lessons = lessons.strip()
    _check_case(case)
    case.status = CaseStatus.CLOSED
    _done_by(case, by)
    case.save()
    if case.kind == Kind.CLOSURE and case.location is not None and case.location.status != Location.Status.CLOSED:
        _closed_location(case, by)
    if case.kind in EXIT_STATUS and case.provider.exited_on is None:
        try:
            provider_services.provider_record_exit(
                provider=case.provider, exited_on=ended_on, by=by, status=EXIT_STATUS[case.kind]
            )
        except ValidationError as error:
            raise ValidationError({"ended_on": error.messages}) from error
    return case


def _closed_location(case: ProviderFailureCase, by: User) -> None:
    assert case.location is not None
    assert case.ended_on is not None
    try:
        provider_services.location_record_status(
            location=case.location, status=Location.Status.CLOSED, on=case.ended_on, by=by
        )
    except ValidationError as error:
        raise ValidationError({"ended_on": error.messages}) from error


def failure_cases(*, user: User, status: str = "", kind: str = "") -> QuerySet[ProviderFailureCase]:
    """The cases the user may see, open ones first then the newest, with provider, location, contract and the
    novation's provider loaded."""
    cases = ProviderFailureCase.objects.visible_to(user)
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    if kind in Kind.values:
        cases = cases.filter(kind=kind)
    return cases.select_related("provider", "location", "contract", "novated_to", "recorded_by").order_by(
        "-status", "-announced_on", "-pk"
    )


# --- Market indicators ----------------------------------------------------------------------------------------


@transaction.atomic
def market_indicator_record(
    *,
    by: User,
    provider: Provider,
    kind: str,
    level: str,
    recorded_on: date,
    note: str = "",
    contract: Contract | None = None,
    service_area: str = "",
) -> MarketIndicator:
    """Record a reading of a provider's market sustainability. Red needs a note saying why; the day is not in the
    future; a contract named is one the provider holds. The reading becomes current unless a later one exists."""
    indicator = MarketIndicator(
        provider=provider,
        kind=kind,
        level=level,
        recorded_on=recorded_on,
        note=(note or "").strip(),
        contract=contract,
        service_area=(service_area or "").strip(),
        recorded_by=by,
    )
    permissions.require(by, "oversight.add_marketindicator", indicator)
    errors: dict[str, str] = {}
    if kind not in MarketIndicator.Kind.values:
        errors["kind"] = f"Choose one of: {', '.join(MarketIndicator.Kind.labels)}."
    if level not in Rag.values:
        errors["level"] = "Choose Red, Amber or Green."
    elif level == Rag.RED and not indicator.note:
        errors["note"] = "Say why the indicator is Red."
    if recorded_on is None:
        errors["recorded_on"] = "Enter the date of the reading."
    elif recorded_on > timezone.localdate():
        errors["recorded_on"] = "The date of the reading must be today or in the past."
    if contract is not None and provider.pk not in _contract_provider_ids(contract):
        errors["contract"] = "Choose a contract this provider holds."
    if provider.exited_on is not None and recorded_on is not None and recorded_on > provider.exited_on:
        errors["recorded_on"] = f"The provider left the market on {provider.exited_on:%d/%m/%Y}."
    if errors:
        raise ValidationError(errors)
    indicator.save()
    return indicator


def market_indicators(*, user: User, current: bool = False) -> QuerySet[MarketIndicator]:
    """Indicators the user may see (``current``: only the latest of each provider and kind), newest first."""
    indicators = MarketIndicator.objects.visible_to(user)
    if current:
        indicators = indicators.current()
    return indicators.select_related("provider", "contract", "recorded_by").order_by("-recorded_on", "-pk")


def hard_to_replace_q(prefix: str = "") -> Q:
    """Providers (``prefix`` the path to one) whose current hard-to-replace reading is Red or Amber."""
    current = MarketIndicator.objects.current().filter(
        kind=MarketIndicator.Kind.HARD_TO_REPLACE, level__in=HARD_TO_REPLACE_LEVELS
    )
    return Q(**{f"{prefix}pk__in": current.values("provider_id")})


def hard_to_replace_providers(*, user: User) -> QuerySet[Provider]:
    """Providers flagged hard to replace that are still in the market."""
    return Provider.objects.visible_to(user).filter(hard_to_replace_q(), exited_on__isnull=True).order_by("name")


def is_hard_to_replace(provider: Provider) -> bool:
    return Provider.objects.filter(hard_to_replace_q(), pk=provider.pk).exists()


@dataclasses.dataclass(frozen=True)
class MarketOverview:
    hard_to_replace: list[Provider]
    red_indicators: list[MarketIndicator]
    open_cases: list[ProviderFailureCase]
    closing_locations: list[Location]
    closed_this_year: int


def market_overview(*, user: User, today: date | None = None) -> MarketOverview:
    """The market oversight page: providers hard to replace (with their current readings), current Red readings,
    open failure cases, and locations closing (with how many closed in the last 12 months)."""
    today = today or timezone.localdate()
    current = list(market_indicators(user=user, current=True))
    by_provider: dict[int, list[MarketIndicator]] = {}
    for indicator in current:
        by_provider.setdefault(indicator.provider_id, []).append(indicator)
    hard = list(hard_to_replace_providers(user=user))
    for provider in hard:
        provider.current_indicators = sorted(  # type: ignore[attr-defined]
            by_provider.get(provider.pk, []), key=lambda i: i.get_kind_display()
        )
    locations = Location.objects.visible_to(user)
    return MarketOverview(
        hard_to_replace=hard,
        red_indicators=[i for i in current if i.level == Rag.RED],
        open_cases=list(failure_cases(user=user, status=CaseStatus.OPEN)),
        closing_locations=list(
            locations.filter(status=Location.Status.CLOSING).select_related("provider").order_by("closing_from")
        ),
        closed_this_year=locations.filter(
            status=Location.Status.CLOSED, closed_on__gt=today - relativedelta(years=1)
        ).count(),
    )


@dataclasses.dataclass(frozen=True)
class ProviderMarketSummary:
    hard_to_replace: bool
    indicators: list[MarketIndicator]
    cases: list[ProviderFailureCase]


def provider_market_summary(*, provider: Provider, user: User) -> ProviderMarketSummary:
    """What the provider page shows of the market: its current readings, whether hard to replace, its cases."""
    indicators = sorted(
        market_indicators(user=user, current=True).filter(provider=provider), key=lambda i: i.get_kind_display()
    )
    hard = any(i.kind == MarketIndicator.Kind.HARD_TO_REPLACE and i.level in HARD_TO_REPLACE_LEVELS for i in indicators)
    return ProviderMarketSummary(
        hard_to_replace=hard,
        indicators=indicators,
        cases=list(failure_cases(user=user).filter(Q(provider=provider) | Q(novated_to=provider))),
    )
