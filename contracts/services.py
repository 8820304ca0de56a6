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

from .duties import change_notice_duty
from .models import Contract, ContractChange, PooledBudget, ProcurementProject


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
    backup_manager: User | None
    predecessor: Contract | None
    regime: str
    supply_type: str
    is_concession: bool
    estimated_value: Decimal
    kpi_exemption_reason: str
    notice_period_months: int | None
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
    """The named manager and the backup are active contract officers, and not the same person."""
    errors = {}
    for name, label in (("contract_manager", "contract manager"), ("backup_manager", "backup manager")):
        person = getattr(contract, name)
        if person is not None and not (person.is_active and person.has_role(roles.CONTRACT_OFFICER)):
            errors[name] = f"The {label} must be an active contract officer."
    if (
        "backup_manager" not in errors
        and contract.backup_manager_id is not None
        and contract.backup_manager_id == contract.contract_manager_id
    ):
        errors["backup_manager"] = "The backup manager must be someone other than the contract manager."
    if contract.predecessor_id is not None and contract.predecessor_id == contract.pk:
        errors["predecessor"] = "A contract cannot replace itself."
    if errors:
        raise ValidationError(errors)


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


def is_past_end(contract: Contract, today: date | None = None) -> bool:
    """A live contract whose latest possible end date (every extension option taken) has passed."""
    today = today or timezone.localdate()
    return contract.status == Contract.Status.LIVE and contract.maximum_end_date < today


def _check_approver(approved_by: User | None) -> None:
    if approved_by is not None and not (approved_by.is_active and permissions.is_officer(approved_by)):
        raise ValidationError({"approved_by": "The person who approved the change must be an active council officer."})


def _extension_months(
    contract: Contract, past_end: bool, extension_months: int | None, approved_by: User | None
) -> tuple[int, bool]:
    """How many months an extension adds, and whether it goes beyond the contract's options. The next option
    is taken (even late, recording history) unless the contract is running past its latest possible end and
    the extension is approved: then, or once no option is left, the months given are added, recorded as one
    more option taken, and only for a contract past its end with who approved it."""
    remaining = contract.remaining_extension_months
    if remaining and not (past_end and approved_by is not None):
        if extension_months and extension_months != remaining[0]:
            raise ValidationError(
                {"extension_months": f"The next extension option is {remaining[0]} months, not {extension_months}."}
            )
        return remaining[0], False
    if not past_end:
        raise ValidationError({"extension_months": f"{contract.reference} has no extension options left to use."})
    if not extension_months:
        raise ValidationError(
            {
                "extension_months": f"{contract.reference} has no extension options left and is running past its "
                "end: enter how many months it is extended by."
            }
        )
    if approved_by is None:
        raise ValidationError(
            {
                "approved_by": f"{contract.reference} is running past its latest possible end "
                f"({contract.maximum_end_date:%d/%m/%Y}): say who approved the extension."
            }
        )
    contract.extension_months = [*contract.extension_months[: contract.extensions_used], extension_months]
    return extension_months, True


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
    approved_by: User | None = None,
) -> ContractChange:
    """Record a variation, extension or novation and apply it to the contract.

    - Extension: takes the next unused extension option; the end date moves on by its months. A contract
      running past its latest possible end has no option left: it is extended by ``extension_months`` (a
      modification beyond its options), and only with who approved it (``approved_by``).
    - Novation: the lead provider moves from the current one to ``to_provider``.
    - Variation (and any change): ``value_change`` is added to the total value; ``annual_value`` replaces it.

    Whether a change notice (UK10) is due is set from ``contracts.duties.change_notice_duty``, on the contract
    as it was before the change.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    change = ContractChange(
        contract=contract,
        kind=kind,
        effective_on=effective_on,
        description=description,
        value_change=value_change or Decimal("0"),
        recorded_by=by,
        approved_by=approved_by,
    )
    past_end = is_past_end(contract)
    beyond_options = False
    permissions.require(by, "contracts.change_contract", contract)
    permissions.require(by, "contracts.add_contractchange", change)
    _check_approver(approved_by)
    if kind == ContractChange.Kind.EXTENSION:
        change.extension_months, beyond_options = _extension_months(contract, past_end, extension_months, approved_by)
    elif kind == ContractChange.Kind.NOVATION:
        if to_provider is None:
            raise ValidationError({"to_provider": "Choose the provider the contract is novated to."})
        if to_provider.pk == contract.lead_provider_id:
            raise ValidationError({"to_provider": f"{to_provider} is already the lead provider."})
        change.from_provider = contract.lead_provider
        change.to_provider = to_provider
    elif kind != ContractChange.Kind.VARIATION:
        raise ValidationError({"kind": f"'{kind}' is not a variation, extension or novation."})

    notice = change_notice_duty(
        contract=contract,
        value_change=change.value_change,
        extension_months=change.extension_months if kind == ContractChange.Kind.EXTENSION else None,
    )
    change.change_notice_required = notice.applies
    change.change_notice_reason = notice.reason[:255]

    if kind == ContractChange.Kind.EXTENSION:
        months = change.extension_months or 0
        # Past its end, the extension runs from the day it takes effect, not from the end long passed.
        start_from = max(contract.end_date, effective_on) if beyond_options else contract.end_date
        contract.extensions_used += 1
        contract.end_date = start_from + relativedelta(months=months)
    elif kind == ContractChange.Kind.NOVATION:
        contract.lead_provider = to_provider
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
def contract_change_record_notice(
    *, change: ContractChange, by: User, notice_id: str, published_on: date
) -> ContractChange:
    """Record the change notice (UK10) once published on the Central Digital Platform: its identifier and date."""
    change = ContractChange.objects.select_for_update().select_related("contract").get(pk=change.pk)
    permissions.require(by, "contracts.change_contract", change.contract)
    if not change.change_notice_required:
        raise ValidationError({"change_notice_id": "No change notice is due for this change."})
    notice_id = (notice_id or "").strip()
    errors = {}
    if not notice_id:
        errors["change_notice_id"] = "Enter the notice's identifier on the Central Digital Platform."
    if published_on is None:
        errors["change_notice_published_on"] = "Enter the date the notice was published."
    elif published_on > timezone.localdate():
        errors["change_notice_published_on"] = "The date published must be today or in the past."
    if errors:
        raise ValidationError(errors)
    change.change_notice_id = notice_id
    change.change_notice_published_on = published_on
    change.full_clean()
    _done_by(change, by)
    change.save(update_fields=["change_notice_id", "change_notice_published_on", "updated_at"])
    return change


# The outcome "ended" is not a re-procurement decision: the contract is closed as Expired on the day it ended.
ENDED = "ended"
DECISION_CHOICES = [
    *[(value, label) for value, label in Contract.Reprocurement.choices if value],
    (ENDED, "Ended"),
]


@transaction.atomic
def contract_record_parts(*, summary: Contract, parts: list[Contract], by: User | None) -> int:
    """Record that ``parts`` are the individual contracts a key-contract row (``summary``: a framework, a block of
    provider contracts, an open select list) stands for, so that totals count their values once
    (``ContractQuerySet.counted``) while the summary row stays in the highlight reports' key-contracts tables.

    One level only: a summary is not itself a part, and a part belongs to one summary. ``by`` None: the system
    (the demo, a command). Returns how many contracts were linked."""
    from simple_history.utils import bulk_update_with_history

    if by is not None:
        permissions.require(by, "contracts.change_contract", summary)
    summary = Contract.objects.select_for_update(of=("self",)).get(pk=summary.pk)
    if summary.part_of_id is not None:
        raise ValidationError({"part_of": f"{summary.reference} is itself part of another contract."})
    rows = list(Contract.objects.select_for_update(of=("self",)).filter(pk__in=[part.pk for part in parts]))
    problems = {}
    for row in rows:
        if row.pk == summary.pk:
            problems[row.reference] = "A contract cannot be part of itself."
        elif row.part_of_id not in (None, summary.pk):
            problems[row.reference] = "It is already part of another contract."
    if Contract.objects.filter(part_of__in=[row.pk for row in rows]).exists():
        problems["parts"] = "A contract that stands for others cannot be part of another one."
    if problems:
        raise ValidationError({"part_of": [f"{ref}: {text}" for ref, text in sorted(problems.items())]})
    for row in rows:
        row.part_of = summary
    bulk_update_with_history(rows, Contract, ["part_of"], batch_size=500, default_user=by)
    return len(rows)


@transaction.atomic
def contract_record_decision(
    *,
    contract: Contract,
    by: User,
    decision: str,
    decided_on: date,
    reason: str = "",
    successor: Contract | None = None,
) -> Contract:
    """Record what was decided about a contract's end, which takes it off the needs-a-decision list:

    - re-procure (and the other re-procurement decisions): with the successor contract if known (it records
      this one as its predecessor);
    - roll on: the contract carries on past its end while a decision is made; the reason is required;
    - ended (``ENDED``): the service ended on ``decided_on`` (on or after its current end): status Expired, the
      end date that day, no extension options left;
    - extend: for a contract running past its end, only as an extension recorded with who approved it
      (``contract_record_change``)."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    permissions.require(by, "contracts.change_contract", contract)
    today = timezone.localdate()
    valid = {value for value, _ in DECISION_CHOICES}
    if decision not in valid:
        raise ValidationError({"reprocurement_decision": "Choose the decision that was made."})
    if decided_on is None or decided_on > today:
        raise ValidationError({"decided_on": "The date decided must be today or in the past."})
    reason = (reason or "").strip()
    fields = ["reprocurement_decision", "reprocurement_decided_on", "decision_reason", "updated_at"]
    if successor is not None and decision != Contract.Reprocurement.REPROCURE:
        raise ValidationError({"successor": "A successor contract is recorded with a re-procurement."})
    if decision == Contract.Reprocurement.EXTEND and is_past_end(contract, today):
        raise ValidationError(
            {
                "reprocurement_decision": "This contract is running past its latest possible end: record the "
                "extension itself, with who approved it, as a change to the contract."
            }
        )
    if decision == Contract.Reprocurement.ROLL_ON and not reason:
        raise ValidationError({"reason": "Give the reason the contract rolls on past its end."})
    if decision == ENDED:
        if contract.status != Contract.Status.LIVE:
            raise ValidationError({"reprocurement_decision": "Only a live contract can be recorded as ended."})
        if decided_on < contract.end_date:
            raise ValidationError(
                {
                    "decided_on": f"A contract ends on or after its end date ({contract.end_date:%d/%m/%Y}); "
                    "record an earlier end as a termination."
                }
            )
        contract.status = Contract.Status.EXPIRED
        contract.end_date = decided_on
        contract.extension_months = list(contract.extension_months[: contract.extensions_used])
        fields += ["status", "end_date", "extension_months"]
    else:
        contract.reprocurement_decision = decision
    if successor is not None:
        successor = Contract.objects.select_for_update().get(pk=successor.pk)
        if successor.pk == contract.pk:
            raise ValidationError({"successor": "A contract cannot succeed itself."})
        if successor.predecessor_id not in (None, contract.pk):
            raise ValidationError({"successor": f"{successor.reference} already replaced another contract."})
        permissions.require(by, "contracts.change_contract", successor)
        successor.predecessor = contract
        _done_by(successor, by)
        successor.save(update_fields=["predecessor", "updated_at"])
    contract.reprocurement_decided_on = decided_on
    contract.decision_reason = reason
    _done_by(contract, by)
    contract.save(update_fields=fields)
    return contract


@transaction.atomic
def contract_record_termination(
    *,
    contract: Contract,
    by: User,
    terminated_on: date,
    extent: str,
    reason: str,
    notice_id: str = "",
) -> Contract:
    """Record a termination for the contract termination notice (UK11): the date, whole contract or part, and
    the reason. Terminating the whole contract makes it Terminated; the notice's identifier can follow later
    (``contract_record_termination_notice``)."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    permissions.require(by, "contracts.change_contract", contract)
    errors = {}
    if contract.status != Contract.Status.LIVE:
        errors["terminated_on"] = f"Only a live contract can be terminated (it is {contract.get_status_display()})."
    elif terminated_on is None:
        errors["terminated_on"] = "Enter the date the termination takes effect."
    elif terminated_on > timezone.localdate():
        errors["terminated_on"] = "The date must be today or in the past."
    elif terminated_on < contract.start_date:
        errors["terminated_on"] = f"The date must be on or after the contract started ({contract.start_date:%d/%m/%Y})."
    if extent not in (Contract.TerminationExtent.WHOLE, Contract.TerminationExtent.PART):
        errors["termination_extent"] = "Choose whether the whole contract or part of it was terminated."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Give the reason for the termination."
    if errors:
        raise ValidationError(errors)
    contract.terminated_on = terminated_on
    contract.termination_extent = extent
    contract.termination_reason = reason
    contract.termination_notice_id = (notice_id or "").strip()
    fields = ["terminated_on", "termination_extent", "termination_reason", "termination_notice_id", "updated_at"]
    if extent == Contract.TerminationExtent.WHOLE:
        contract.status = Contract.Status.TERMINATED
        fields.append("status")
    contract.full_clean(exclude=["maximum_end_date"])
    _done_by(contract, by)
    contract.save(update_fields=fields)
    return contract


@transaction.atomic
def contract_record_termination_notice(*, contract: Contract, by: User, notice_id: str) -> Contract:
    """Record the termination notice's (UK11) identifier on the Central Digital Platform, once published."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    permissions.require(by, "contracts.change_contract", contract)
    if not contract.termination_extent:
        raise ValidationError({"termination_notice_id": "Record the termination first."})
    notice_id = (notice_id or "").strip()
    if not notice_id:
        raise ValidationError(
            {"termination_notice_id": "Enter the notice's identifier on the Central Digital Platform."}
        )
    contract.termination_notice_id = notice_id
    contract.full_clean(exclude=["maximum_end_date"])
    _done_by(contract, by)
    contract.save(update_fields=["termination_notice_id", "updated_at"])
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


# --- Procurement projects (the commercial team's work plan) -------------------------------------------------

Stage = ProcurementProject.Stage

# Where a project may go next, by stage. A project is delivered once its contracts are awarded (or the service is
# live); it may be abandoned at any point before the service goes live. Delivered and abandoned are closed.
STAGE_MOVES: dict[str, set[str]] = {
    Stage.PLANNED: {Stage.PRE_MARKET, Stage.TENDER, Stage.ABANDONED},
    Stage.PRE_MARKET: {Stage.PLANNED, Stage.TENDER, Stage.ABANDONED},
    Stage.TENDER: {Stage.EVALUATION, Stage.ABANDONED},
    Stage.EVALUATION: {Stage.TENDER, Stage.AWARD, Stage.ABANDONED},
    Stage.AWARD: {Stage.MOBILISATION, Stage.LIVE, Stage.DELIVERED, Stage.ABANDONED},
    Stage.MOBILISATION: {Stage.LIVE, Stage.DELIVERED, Stage.ABANDONED},
    Stage.LIVE: {Stage.DELIVERED},
    Stage.DELIVERED: set(),
    Stage.ABANDONED: set(),
}
# Routes with no competition: the project may go from planning (or pre-market engagement) straight to award.
NO_TENDER_ROUTES = {
    ProcurementProject.Route.DIRECT_AWARD,
    ProcurementProject.Route.GRANT,
    ProcurementProject.Route.IN_HOUSE,
}
CLOSED_STAGES = (Stage.DELIVERED, Stage.ABANDONED)
# Stages at which the project's contracts have been awarded, so resulting contracts may be linked.
AWARDED_STAGES = (Stage.AWARD, Stage.MOBILISATION, Stage.LIVE, Stage.DELIVERED)


class ProcurementProjectFields(TypedDict, total=False):
    """The fields of a procurement project a page or the API may set. The stage moves with
    ``procurement_project_move`` (a new project may start at any open stage); completed_on and the reason for
    abandoning are set by that move."""

    reference: str
    title: str
    description: str
    service_area: str
    directorate: Directorate
    strategy: Any  # strategies.CommissioningStrategy (an app above this one) or None
    route: str
    stage: str
    estimated_annual_value: Decimal
    whole_life_value: Decimal
    planned_start: date | None
    tender_notice_date: date | None
    go_live_date: date | None
    lead_officer: User | None
    decision_route: str
    cpv_code: str
    replaces: list[Contract]
    resulting_contracts: list[Contract]


PROJECT_M2M_FIELDS = {"replaces", "resulting_contracts"}
PROJECT_FIELDS = set(ProcurementProjectFields.__annotations__) - PROJECT_M2M_FIELDS


def _split_project_fields(fields: dict[str, Any], *, creating: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    unknown = set(fields) - PROJECT_FIELDS - PROJECT_M2M_FIELDS
    if not creating and "stage" in fields:
        unknown.add("stage")  # an existing project's stage moves only through procurement_project_move
    if unknown:
        raise TypeError(f"Not procurement project fields a user may set: {', '.join(sorted(unknown))}")
    plain = {k: v for k, v in fields.items() if k in PROJECT_FIELDS}
    m2m = {k: list(v or []) for k, v in fields.items() if k in PROJECT_M2M_FIELDS}
    return plain, m2m


def _check_project_dates(project: ProcurementProject, today: date) -> None:
    errors: dict[str, str] = {}
    start, notice, live = project.planned_start, project.tender_notice_date, project.go_live_date
    if project.stage != Stage.PLANNED and start is None:
        errors["planned_start"] = "Enter the date the procurement started: it is under way."
    elif project.stage in ProcurementProject.ONGOING_STAGES and start is not None and start > today:
        errors["planned_start"] = (
            f"The procurement is under way, so it cannot start in the future ({start:%d/%m/%Y}); "
            "enter the date it started."
        )
    if notice and start and notice < start:
        errors["tender_notice_date"] = "The expected tender notice date must be on or after the planned start."
    if live and notice and live < notice:
        errors["go_live_date"] = "The go-live date must be on or after the expected tender notice date."
    elif live and start and live < start:
        errors["go_live_date"] = "The go-live date must be on or after the planned start."
    if errors:
        raise ValidationError(errors)


def _check_lead_officer(project: ProcurementProject) -> None:
    lead = project.lead_officer
    if lead is not None and not (lead.is_active and permissions.is_officer(lead)):
        raise ValidationError({"lead_officer": "The lead officer must be an active council officer."})


def _check_links(project: ProcurementProject, replaces: list[Contract], resulting: list[Contract]) -> None:
    both = {c.pk for c in replaces} & {c.pk for c in resulting}
    if both:
        names = ", ".join(sorted(c.reference for c in resulting if c.pk in both))
        raise ValidationError(
            {"resulting_contracts": f"A contract cannot be both replaced by and result from the project ({names})."}
        )
    if resulting and project.stage not in AWARDED_STAGES:
        raise ValidationError(
            {
                "resulting_contracts": "Contracts can be linked as resulting from the project once it reaches award "
                f"(it is at {project.get_stage_display().lower()})."
            }
        )


def _save_project(project: ProcurementProject, by: User, m2m: dict[str, Any]) -> ProcurementProject:
    _check_project_dates(project, timezone.localdate())
    _check_lead_officer(project)
    project.full_clean()
    if m2m:
        replaces = m2m.get("replaces", list(project.replaces.all()) if project.pk else [])
        resulting = m2m.get("resulting_contracts", list(project.resulting_contracts.all()) if project.pk else [])
        _check_links(project, replaces, resulting)
    _done_by(project, by)
    project.save()
    for name, values in m2m.items():
        getattr(project, name).set(values)
    return project


@transaction.atomic
def procurement_project_create(*, by: User, **fields: Unpack[ProcurementProjectFields]) -> ProcurementProject:
    """Put a procurement project on the work plan, at planning or at the open stage it has reached (a project
    recorded once under way needs its start date). Raises PermissionDenied for someone who may not add projects
    to its directorate, ValidationError naming each bad field."""
    plain, m2m = _split_project_fields(dict(fields), creating=True)
    project = ProcurementProject(**plain)
    if project.stage in CLOSED_STAGES:
        raise ValidationError(
            {"stage": "A new project starts at an open stage; record its delivery or abandonment as a move."}
        )
    permissions.require(by, "contracts.add_procurementproject", project)
    return _save_project(project, by, m2m)


@transaction.atomic
def procurement_project_update(
    *, project: ProcurementProject, by: User, **fields: Unpack[ProcurementProjectFields]
) -> ProcurementProject:
    """Change a project's details (not its stage: ``procurement_project_move``). Moving it to another directorate
    needs the right to change that directorate's projects too. A closed project keeps its record as it is."""
    plain, m2m = _split_project_fields(dict(fields), creating=False)
    project = ProcurementProject.objects.select_for_update().get(pk=project.pk)
    permissions.require(by, "contracts.change_procurementproject", project)
    if project.stage in CLOSED_STAGES:
        raise ValidationError(
            {"stage": f"The project is {project.get_stage_display().lower()}: a closed project cannot be changed."}
        )
    for name, value in plain.items():
        setattr(project, name, value)
    permissions.require(by, "contracts.change_procurementproject", project)
    return _save_project(project, by, m2m)


@transaction.atomic
def procurement_project_link_contracts(
    *,
    project: ProcurementProject,
    by: User,
    replaces: list[Contract] | None = None,
    resulting_contracts: list[Contract] | None = None,
) -> ProcurementProject:
    """Set the contracts the project replaces and those it awarded (None leaves that list as it is). Resulting
    contracts are linked from award on, delivered projects included; no contract is on both lists."""
    project = ProcurementProject.objects.select_for_update().get(pk=project.pk)
    permissions.require(by, "contracts.change_procurementproject", project)
    if project.stage == Stage.ABANDONED:
        raise ValidationError({"stage": "An abandoned project's contracts cannot be changed."})
    current_replaces = list(project.replaces.all()) if replaces is None else list(replaces)
    current_resulting = list(project.resulting_contracts.all()) if resulting_contracts is None else resulting_contracts
    _check_links(project, current_replaces, list(current_resulting))
    if replaces is not None:
        project.replaces.set(replaces)
    if resulting_contracts is not None:
        project.resulting_contracts.set(resulting_contracts)
    # The links are many-to-many: a history row marks who changed them and when.
    _done_by(project, by)
    project.save(update_fields=["updated_at"])
    return project


def procurement_project_next_stages(*, project: ProcurementProject) -> list[str]:
    """The stages ``project`` may move to next, in the order of the work plan."""
    allowed = set(STAGE_MOVES[project.stage])
    if project.route in NO_TENDER_ROUTES and project.stage in (Stage.PLANNED, Stage.PRE_MARKET):
        allowed.add(Stage.AWARD)
    return [value for value in Stage.values if value in allowed]


@transaction.atomic
def procurement_project_move(
    *,
    project: ProcurementProject,
    by: User,
    stage: str,
    completed_on: date | None = None,
    reason: str = "",
) -> ProcurementProject:
    """Move a project to its next stage (``STAGE_MOVES``). Delivered and abandoned close it: they need the date
    it closed (``completed_on``, not in the future, not before it started), and abandoning needs the reason.
    A closed project moves no further. Leaving planning needs the start date (the work plan year follows)."""
    project = ProcurementProject.objects.select_for_update().get(pk=project.pk)
    permissions.require(by, "contracts.change_procurementproject", project)
    if stage not in Stage.values:
        raise ValidationError({"stage": f"'{stage}' is not a stage of a procurement project."})
    if project.stage in CLOSED_STAGES:
        raise ValidationError(
            {"stage": f"The project is {project.get_stage_display().lower()}: a closed project moves no further."}
        )
    if stage not in procurement_project_next_stages(project=project):
        target = Stage(stage).label.lower()
        raise ValidationError({"stage": f"A project at {project.get_stage_display().lower()} cannot move to {target}."})
    today = timezone.localdate()
    update_fields = ["stage", "updated_at"]
    if stage in CLOSED_STAGES:
        if completed_on is None:
            raise ValidationError({"completed_on": f"Enter the date the project was {Stage(stage).label.lower()}."})
        if completed_on > today:
            raise ValidationError({"completed_on": "The date must be today or in the past."})
        if project.planned_start and completed_on < project.planned_start:
            raise ValidationError(
                {
                    "completed_on": "The date must be on or after the project started "
                    f"({project.planned_start:%d/%m/%Y})."
                }
            )
        if stage == Stage.ABANDONED:
            if not reason.strip():
                raise ValidationError({"reason": "Give the reason the project was abandoned."})
            project.abandoned_reason = reason.strip()
            update_fields.append("abandoned_reason")
        project.completed_on = completed_on
        update_fields.append("completed_on")
    elif completed_on is not None:
        raise ValidationError({"completed_on": "Only a delivered or abandoned project has a completion date."})
    project.stage = stage
    _check_project_dates(project, today)
    _done_by(project, by)
    project.save(update_fields=update_fields)
    return project


@transaction.atomic
def contract_dispose(*, contract: Contract, by: User | None) -> str:
    """Delete a contract, its changes and the history of both, as the retention schedule says
    (``records.retention``, which checks legal holds first). ``by`` None: the daily retention task.

    Returns the contract's label for the disposal record. Raises ValidationError naming ``contract`` when another
    record still protects it (a procurement project, a notice): the schedule lists it again next run."""
    from django.db.models import ProtectedError

    if by is not None:
        permissions.require(by, "contracts.delete_contract", contract)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    label, contract_id = str(contract)[:255], contract.pk
    change_ids = list(contract.changes.values_list("pk", flat=True))
    try:
        with transaction.atomic():
            contract.delete()
    except ProtectedError as error:
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
        raise ValidationError(
            {"contract": f"{label} cannot be deleted while {', '.join(kinds)} refer to it."}
        ) from error
    # The history rows are copies of the record: disposing of it disposes of them too.
    Contract.history.filter(id=contract_id).delete()
    ContractChange.history.filter(id__in=change_ids).delete()
    return label
