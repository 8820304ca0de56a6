"""Writes to the contract register: contracts, their changes, decisions and imports, and pooled budgets.

Each is one transaction; each checks that the actor may make it (``commissioning.permissions``: the role's
model permission and the record's directorate), checks the rules, raising ValidationError naming the field,
and records who made it (the history row's user).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning import permissions, roles
from commissioning.models import Directorate, User
from providers.models import Location, Provider

from .models import Contract, ContractChange, PooledBudget


def _done_by(record: Any, by: User | None) -> None:
    """Who made the change, for the record's history row (django-simple-history reads ``_history_user``)."""
    record._history_user = by


class ContractFields(TypedDict, total=False):
    """The fields of a contract a page, the API or an import may set. maximum_end_date is derived;
    the re-procurement decision has its own service."""

    reference: str
    title: str
    description: str
    directorate: Directorate
    strategy: Any  # strategies.CommissioningStrategy (an app above this one) or None
    lead_provider: Provider | None
    contract_manager: User | None
    provider_summary: str
    category: str
    contract_type: str
    procurement_route: str
    start_date: date
    end_date: date
    extension_months: list[int]
    extensions_used: int
    duration_note: str
    review_date: date | None
    review_note: str
    annual_value: Decimal
    total_value: Decimal
    vat_not_recoverable: Decimal
    politically_sensitive: bool
    has_kpis: bool | None
    performance: str
    performance_note: str
    corrective_measures: str
    service_credit_percentage: Decimal | None
    payment_terms: str
    payment_terms_note: str
    payment_frequency: str
    payment_basis: str
    volume_sensitive: str
    status: str
    other_providers: list[Provider]
    locations: list[Location]


M2M_FIELDS = {"other_providers", "locations"}
EDITABLE_FIELDS = set(ContractFields.__annotations__) - M2M_FIELDS


def _require_for_import(by: User | None, perm: str, obj: Any = None) -> None:
    """An import run by a command on the server with no --user has no actor (None): the system itself."""
    if by is not None:
        permissions.require(by, perm, obj)


def _check_dates_and_extensions(contract: Contract) -> None:
    if contract.start_date and contract.end_date and contract.end_date < contract.start_date:
        raise ValidationError({"end_date": "The end date must be on or after the start date."})
    options = contract.extension_months or []
    if any(not isinstance(m, int) or isinstance(m, bool) or m <= 0 for m in options):
        raise ValidationError({"extension_months": "Each extension option must be a whole number of months above 0."})
    if contract.extensions_used > len(options):
        raise ValidationError(
            {"extensions_used": f"Only {len(options)} extension option(s) exist, so no more than that can be used."}
        )


def _check_manager(contract: Contract) -> None:
    manager = contract.contract_manager
    if manager is not None and not (manager.is_active and manager.has_role(roles.CONTRACT_OFFICER)):
        raise ValidationError({"contract_manager": "The contract manager must be an active contract officer."})


def _split(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    unknown = set(fields) - EDITABLE_FIELDS - M2M_FIELDS
    if unknown:
        raise TypeError(f"Not contract fields a user may set: {', '.join(sorted(unknown))}")
    plain = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    m2m = {k: v for k, v in fields.items() if k in M2M_FIELDS}
    return plain, m2m


def _save(contract: Contract, by: User, m2m: dict[str, Any]) -> Contract:
    _check_dates_and_extensions(contract)
    _check_manager(contract)
    contract.full_clean(exclude=["maximum_end_date"])
    _done_by(contract, by)
    contract.save()
    for name, values in m2m.items():
        getattr(contract, name).set(values)
    return contract


@transaction.atomic
def contract_create(*, by: User, **fields: Unpack[ContractFields]) -> Contract:
    """Add a contract to the register. Raises PermissionDenied for someone who may not add it to its
    directorate, ValidationError naming each bad field."""
    plain, m2m = _split(dict(fields))
    contract = Contract(**plain)
    permissions.require(by, "contracts.add_contract", contract)
    return _save(contract, by, m2m)


@transaction.atomic
def contract_update(*, contract: Contract, by: User, **fields: Unpack[ContractFields]) -> Contract:
    """Change a contract's details. Use ``contract_record_change`` for variations, extensions and novations,
    ``contract_record_decision`` for the re-procurement decision."""
    plain, m2m = _split(dict(fields))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    permissions.require(by, "contracts.change_contract", contract)
    was_directorate_id = contract.directorate_id
    for name, value in plain.items():
        setattr(contract, name, value)
    # Moving a contract to another directorate needs the right to change that directorate's contracts too
    # (a named contract manager manages the contract; they do not move it between directorates).
    if contract.directorate_id != was_directorate_id and not (
        permissions.acts_for(by, was_directorate_id) and permissions.acts_for(by, contract.directorate_id)
    ):
        raise PermissionDenied("You may change only your own directorate's records.")
    permissions.require(by, "contracts.change_contract", contract)
    return _save(contract, by, m2m)


@transaction.atomic
def contract_record_change(
    *,
    contract: Contract,
    by: User,
    kind: str,
    effective_on: date,
    description: str,
    value_change: Decimal = Decimal("0"),
    annual_value: Decimal | None = None,
    extension_months: int | None = None,
    to_provider: Provider | None = None,
) -> ContractChange:
    """Record a variation, extension or novation and apply it to the contract.

    - Extension: takes the next unused extension option; the end date moves on by its months.
    - Novation: the lead provider moves from the current one to ``to_provider``.
    - Variation (and any change): ``value_change`` is added to the total value; ``annual_value`` replaces it.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    change = ContractChange(
        contract=contract,
        kind=kind,
        effective_on=effective_on,
        description=description,
        value_change=value_change or Decimal("0"),
        recorded_by=by,
    )
    permissions.require(by, "contracts.change_contract", contract)
    permissions.require(by, "contracts.add_contractchange", change)
    if kind == ContractChange.Kind.EXTENSION:
        remaining = contract.remaining_extension_months
        if not remaining:
            raise ValidationError({"extension_months": f"{contract.reference} has no extension options left to use."})
        if extension_months and extension_months != remaining[0]:
            raise ValidationError(
                {"extension_months": f"The next extension option is {remaining[0]} months, not {extension_months}."}
            )
        change.extension_months = remaining[0]
        contract.extensions_used += 1
        contract.end_date = contract.end_date + relativedelta(months=remaining[0])
    elif kind == ContractChange.Kind.NOVATION:
        if to_provider is None:
            raise ValidationError({"to_provider": "Choose the provider the contract is novated to."})
        if to_provider.pk == contract.lead_provider_id:
            raise ValidationError({"to_provider": f"{to_provider} is already the lead provider."})
        change.from_provider = contract.lead_provider
        change.to_provider = to_provider
        contract.lead_provider = to_provider
    elif kind != ContractChange.Kind.VARIATION:
        raise ValidationError({"kind": f"'{kind}' is not a variation, extension or novation."})

    new_total = contract.total_value + change.value_change
    if new_total < 0:
        raise ValidationError(
            {"value_change": f"This would take the total value below £0 (it is £{contract.total_value:,.2f})."}
        )
    contract.total_value = new_total
    if annual_value is not None:
        if annual_value < 0:
            raise ValidationError({"annual_value": "The annual value cannot be negative."})
        contract.annual_value = annual_value
    change.full_clean()
    _done_by(contract, by)
    contract.save()
    _done_by(change, by)
    change.save()
    return change


@transaction.atomic
def contract_record_decision(*, contract: Contract, by: User, decision: str, decided_on: date) -> Contract:
    """Record the re-procurement or extension decision, which takes the contract off the needs-a-decision list."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    permissions.require(by, "contracts.change_contract", contract)
    if decision not in Contract.Reprocurement.values or decision == Contract.Reprocurement.NONE:
        raise ValidationError({"reprocurement_decision": "Choose the decision that was made."})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": "The date decided must be today or in the past."})
    contract.reprocurement_decision = decision
    contract.reprocurement_decided_on = decided_on
    _done_by(contract, by)
    contract.save(update_fields=["reprocurement_decision", "reprocurement_decided_on", "updated_at"])
    return contract


# --- The register import ------------------------------------------------------------------------------------

# Foreign keys an import has already resolved from its own lookups; validating them again costs a query each.
_RESOLVED_FOREIGN_KEYS = ["directorate", "strategy", "lead_provider", "maximum_end_date"]
_OWN_DIRECTORATE = "You may import contracts only for your own directorate."


def _check_in_memory(contract: Contract) -> None:
    """The checks of ``_save`` that need no query: the import resolved the foreign keys, and the service
    checks the references against the register once for the whole file."""
    _check_dates_and_extensions(contract)
    contract.full_clean(exclude=_RESOLVED_FOREIGN_KEYS, validate_unique=False, validate_constraints=False)
    contract.maximum_end_date = contract.compute_maximum_end_date()


def _differs(contract: Contract, name: str, value: Any) -> bool:
    field: Any = Contract._meta.get_field(name)
    if field.is_relation:
        # Compare ids: reading the related object would cost a query per row.
        return getattr(contract, field.attname) != (value.pk if value is not None else None)
    return getattr(contract, name) != value


def _check_new(
    new: list[dict[str, Any]], by: User | None
) -> tuple[list[Contract], list[dict[str, Any]], dict[int, ValidationError]]:
    problems: dict[int, ValidationError] = {}
    to_create = []
    links = []
    for position, fields in enumerate(new):
        plain, m2m = _split(fields)
        contract = Contract(**plain)
        links.append(m2m)
        if by is not None and not permissions.may(by, "contracts.add_contract", contract):
            problems[position] = ValidationError({"directorate": _OWN_DIRECTORATE})
            continue
        try:
            _check_in_memory(contract)
        except ValidationError as exc:
            problems[position] = exc
        to_create.append(contract)
    taken = set(
        Contract.objects.filter(reference__in=[c.reference for c in to_create]).values_list("reference", flat=True)
    )
    for position, fields in enumerate(new):
        if fields.get("reference") in taken and position not in problems:
            problems[position] = ValidationError(
                {"reference": f"A contract with the reference {fields['reference']} is already on the register."}
            )
    return to_create, links, problems


def _link_many(contracts: list[Contract], links: list[dict[str, Any]]) -> None:
    """The new contracts' other providers and locations, a batch of rows per relation (not a query each)."""
    for name in sorted(M2M_FIELDS):
        relation = getattr(Contract, name)
        through = relation.through
        own, target = relation.field.m2m_field_name(), relation.field.m2m_reverse_field_name()
        rows = [
            through(**{f"{own}_id": contract.pk, f"{target}_id": related.pk})
            for contract, m2m in zip(contracts, links, strict=True)
            for related in m2m.get(name) or []
        ]
        through.objects.bulk_create(rows, batch_size=500)


def _check_updates(
    updates: list[tuple[Contract, dict[str, Any]]], by: User | None, offset: int
) -> tuple[list[Contract], set[str], dict[int, ValidationError]]:
    problems: dict[int, ValidationError] = {}
    to_update = []
    changed: set[str] = set()
    for position, (contract, fields) in enumerate(updates, start=offset):
        plain, _ = _split(fields)
        differs = {name for name, value in plain.items() if _differs(contract, name, value)}
        if not differs:
            continue  # Re-importing the same row changes nothing, not even its history.
        may_before = by is None or permissions.may(by, "contracts.change_contract", contract)
        for name in differs:
            setattr(contract, name, plain[name])
        # Moving a contract to another directorate needs the right to change that directorate's too.
        if not (may_before and (by is None or permissions.may(by, "contracts.change_contract", contract))):
            problems[position] = ValidationError({"directorate": _OWN_DIRECTORATE})
            continue
        changed |= differs
        try:
            _check_in_memory(contract)
        except ValidationError as exc:
            problems[position] = exc
        to_update.append(contract)
    return to_update, changed, problems


@dataclass
class ContractsImported:
    """What ``contracts_import`` did: nothing if there are problems (by position: ``new`` first, then
    ``updates``), otherwise the references it added and updated, and those it left as they were."""

    problems: dict[int, ValidationError] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@transaction.atomic
def contracts_import(
    *, new: list[dict[str, Any]], updates: list[tuple[Contract, dict[str, Any]]], by: User | None
) -> ContractsImported:
    """Create and update many contracts at once (the register import), with their history rows.

    ``new`` and ``updates`` carry plain fields whose foreign keys the caller resolved (``new`` may also name
    other providers and locations, linked in batches; an update leaves its links as they are). Every row is
    checked here first, with the rules of ``contract_create`` and ``contract_update`` (dates, extensions,
    choices, references not already taken, the actor's right to each contract's directorate); with any
    problem nothing is written. Writes go in batches, so a 10,000-row file takes a handful of queries per
    500 rows; rows identical to the register are not written at all.
    ``by`` None is a command run on the server with no user named.
    """
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    _require_for_import(by, "contracts.import_contracts")
    to_create, links, problems = _check_new(new, by)
    to_update, changed, update_problems = _check_updates(updates, by, offset=len(new))
    problems.update(update_problems)
    if problems:
        return ContractsImported(problems=problems)
    if to_create:
        bulk_create_with_history(to_create, Contract, batch_size=500, default_user=by)
        _link_many(to_create, links)
    if to_update:
        now = timezone.now()
        for contract in to_update:
            contract.updated_at = now
        fields = sorted(changed | {"maximum_end_date", "updated_at"})
        bulk_update_with_history(to_update, Contract, fields, batch_size=500, default_user=by)
    updated = {contract.pk for contract in to_update}
    return ContractsImported(
        created=[contract.reference for contract in to_create],
        updated=[contract.reference for contract in to_update],
        unchanged=[contract.reference for contract, _ in updates if contract.pk not in updated],
    )


# --- Pooled budgets -----------------------------------------------------------------------------------------


class PooledBudgetFields(TypedDict, total=False):
    name: str
    strategy: Any  # strategies.CommissioningStrategy or None
    contract: Contract | None
    arrangement_type: str
    partner: str
    total_value: Decimal
    partner_contribution: Decimal
    start_date: date | None
    end_date: date | None
    risk_share: bool
    description: str


POOLED_BUDGET_FIELDS = set(PooledBudgetFields.__annotations__)


def _save_budget(budget: PooledBudget, by: User) -> PooledBudget:
    errors = {}
    if budget.total_value is not None and budget.total_value < 0:
        errors["total_value"] = "The total value cannot be negative."
    if budget.partner_contribution is not None and budget.partner_contribution < 0:
        errors["partner_contribution"] = "The partner's contribution cannot be negative."
    elif (budget.partner_contribution or 0) > (budget.total_value or 0):
        errors["partner_contribution"] = "The partner's contribution cannot be more than the total value."
    if budget.start_date and budget.end_date and budget.end_date < budget.start_date:
        errors["end_date"] = "The end date must be on or after the start date."
    if errors:
        raise ValidationError(errors)
    budget.full_clean()
    _done_by(budget, by)
    budget.save()
    return budget


def _check_budget_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - POOLED_BUDGET_FIELDS
    if unknown:
        raise TypeError(f"Not pooled budget fields a user may set: {', '.join(sorted(unknown))}")


@transaction.atomic
def pooled_budget_create(*, by: User, **fields: Unpack[PooledBudgetFields]) -> PooledBudget:
    """Record a pooled budget or co-commissioning arrangement, with its strategy or contract. Commissioners
    keep their own directorate's; contract officers and administrators any."""
    _check_budget_fields(dict(fields))
    budget = PooledBudget(**fields)
    permissions.require(by, "contracts.add_pooledbudget", budget)
    return _save_budget(budget, by)


@transaction.atomic
def pooled_budget_update(*, budget: PooledBudget, by: User, **fields: Unpack[PooledBudgetFields]) -> PooledBudget:
    """Change a pooled budget; moving it to another strategy or contract needs the right to that one too."""
    _check_budget_fields(dict(fields))
    budget = PooledBudget.objects.select_for_update().get(pk=budget.pk)
    permissions.require(by, "contracts.change_pooledbudget", budget)
    for name, value in fields.items():
        setattr(budget, name, value)
    permissions.require(by, "contracts.change_pooledbudget", budget)
    return _save_budget(budget, by)
