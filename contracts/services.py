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
