"""Writes to the contract register. Each is one transaction and records who made it (the history row's user)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction

from commissioning.models import User
from providers.models import Provider

from .models import Contract, ContractChange

# Fields a contract form or import may set directly; maximum_end_date is derived, status of changes is not here.
EDITABLE_FIELDS = {
    "reference",
    "title",
    "description",
    "directorate",
    "strategy",
    "lead_provider",
    "provider_summary",
    "category",
    "contract_type",
    "procurement_route",
    "start_date",
    "end_date",
    "extension_months",
    "extensions_used",
    "duration_note",
    "review_date",
    "review_note",
    "annual_value",
    "total_value",
    "vat_not_recoverable",
    "politically_sensitive",
    "has_kpis",
    "performance",
    "performance_note",
    "corrective_measures",
    "service_credit_percentage",
    "payment_terms",
    "payment_terms_note",
    "payment_frequency",
    "payment_basis",
    "volume_sensitive",
    "status",
}
M2M_FIELDS = {"other_providers", "locations"}


def _check_dates_and_extensions(contract: Contract) -> None:
    if contract.start_date and contract.end_date and contract.end_date < contract.start_date:
        raise ValidationError({"end_date": "The end date must be on or after the start date."})
    options = contract.extension_months or []
    if any(not isinstance(m, int) or m <= 0 for m in options):
        raise ValidationError({"extension_months": "Each extension option must be a whole number of months above 0."})
    if contract.extensions_used > len(options):
        raise ValidationError(
            {"extensions_used": f"Only {len(options)} extension option(s) exist, so no more than that can be used."}
        )


def _save(contract: Contract, by: User | None, m2m: dict[str, Any]) -> Contract:
    _check_dates_and_extensions(contract)
    contract.full_clean(exclude=["maximum_end_date"])
    contract._history_user = by  # simple-history records who made the change
    contract.save()
    for name, values in m2m.items():
        getattr(contract, name).set(values)
    return contract


def _split(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    unknown = set(fields) - EDITABLE_FIELDS - M2M_FIELDS
    if unknown:
        raise TypeError(f"Not contract fields a user may set: {', '.join(sorted(unknown))}")
    plain = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    m2m = {k: v for k, v in fields.items() if k in M2M_FIELDS}
    return plain, m2m


@transaction.atomic
def contract_create(*, by: User | None, **fields: Any) -> Contract:
    """Add a contract to the register. Raises ValidationError naming each bad field."""
    plain, m2m = _split(fields)
    contract = Contract(**plain)
    return _save(contract, by, m2m)


@transaction.atomic
def contract_update(*, contract: Contract, by: User | None, **fields: Any) -> Contract:
    """Change a contract's details. Use ``contract_record_change`` for variations, extensions and novations."""
    plain, m2m = _split(fields)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    for name, value in plain.items():
        setattr(contract, name, value)
    return _save(contract, by, m2m)


# Foreign keys an import has already resolved from its own lookups; validating them again costs a query each.
_RESOLVED_FOREIGN_KEYS = ["directorate", "strategy", "lead_provider", "maximum_end_date"]


def _check_in_memory(contract: Contract) -> None:
    """The checks of ``_save`` that need no query: the import has resolved foreign keys and references itself."""
    _check_dates_and_extensions(contract)
    contract.full_clean(exclude=_RESOLVED_FOREIGN_KEYS, validate_unique=False, validate_constraints=False)
    contract.maximum_end_date = contract.compute_maximum_end_date()


def _differs(contract: Contract, name: str, value: Any) -> bool:
    field = Contract._meta.get_field(name)
    if field.is_relation:
        # Compare ids: reading the related object would cost a query per row.
        return getattr(contract, field.attname) != (value.pk if value is not None else None)
    return getattr(contract, name) != value


@transaction.atomic
def contracts_import(
    *, new: list[dict[str, Any]], updates: list[tuple[Contract, dict[str, Any]]], by: User | None
) -> dict[int, ValidationError]:
    """Create and update many contracts at once (the register import), with their history rows.

    ``new`` and ``updates`` carry only plain fields whose foreign keys the caller resolved. Every row is checked
    first; returns the problems by position (``new`` first, then ``updates``) and writes nothing if there are any.
    Writes go in batches, so a 10,000-row file takes a handful of queries per 500 rows; rows identical to
    the register are not written at all.
    """
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    problems: dict[int, ValidationError] = {}
    to_create = []
    for position, fields in enumerate(new):
        plain, _ = _split(fields)
        contract = Contract(**plain)
        try:
            _check_in_memory(contract)
        except ValidationError as exc:
            problems[position] = exc
        to_create.append(contract)
    to_update = []
    changed: set[str] = set()
    for offset, (contract, fields) in enumerate(updates):
        plain, _ = _split(fields)
        differs = {name for name, value in plain.items() if _differs(contract, name, value)}
        if not differs:
            continue  # Re-importing the same row changes nothing, not even its history.
        for name in differs:
            setattr(contract, name, plain[name])
        changed |= differs
        try:
            _check_in_memory(contract)
        except ValidationError as exc:
            problems[len(new) + offset] = exc
        to_update.append(contract)
    if problems:
        return problems
    if to_create:
        bulk_create_with_history(to_create, Contract, batch_size=500, default_user=by)
    if to_update:
        from django.utils import timezone

        now = timezone.now()
        for contract in to_update:
            contract.updated_at = now
        fields = sorted(changed | {"maximum_end_date", "updated_at"})
        bulk_update_with_history(to_update, Contract, fields, batch_size=500, default_user=by)
    return problems


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
    contract._history_user = by
    contract.save()
    change._history_user = by
    change.save()
    return change


@transaction.atomic
def contract_record_decision(*, contract: Contract, by: User, decision: str, decided_on: date) -> Contract:
    """Record the re-procurement or extension decision, which takes the contract off the needs-a-decision list."""
    if decision not in Contract.Reprocurement.values or decision == Contract.Reprocurement.NONE:
        raise ValidationError({"reprocurement_decision": "Choose the decision that was made."})
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    contract.reprocurement_decision = decision
    contract.reprocurement_decided_on = decided_on
    contract._history_user = by
    contract.save(update_fields=["reprocurement_decision", "reprocurement_decided_on", "updated_at"])
    return contract
