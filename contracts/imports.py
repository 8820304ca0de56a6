"""Import of the contract register from a CSV or Excel file.

Every row is checked before anything is written. Each problem is reported as (row, column, reason),
where row is the spreadsheet row number (the header is row 1). With any problem nothing is imported.
Re-importing a file updates the contracts it names (matched on reference) rather than adding copies.

Providers are matched by Companies House number when given, otherwise by exact name (ignoring case).
A provider that is not found is an error unless ``create_providers`` is set, in which case it is added:
a typing slip should not quietly create a second copy of a provider.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from commissioning.models import Directorate, User
from providers.models import Provider

from . import services
from .forms import parse_extension_months
from .models import Contract


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool
    help: str


COLUMNS = [
    Column("Reference", "reference", True, "Unique contract reference; a re-import updates the contract with it."),
    Column("Service contracted", "title", True, "Name of the service."),
    Column("Directorate", "directorate", True, "Directorate code (e.g. accw) or full name."),
    Column("Strategy", "strategy", False, "Commissioning strategy name, exactly as on the system."),
    Column("Provider", "lead_provider", False, "Lead provider name."),
    Column("Companies House number", "companies_house_number", False, "Lead provider's number; matched first."),
    Column(
        "Provider summary", "provider_summary", False, "How the provider column reads, e.g. '315 x Provider Contracts'."
    ),
    Column("Category", "category", True, "; ".join(label for _, label in Contract.Category.choices)),
    Column("Type", "contract_type", True, "; ".join(label for _, label in Contract.ContractType.choices)),
    Column("Procurement route", "procurement_route", False, "Free text."),
    Column("Start date", "start_date", True, "dd/mm/yyyy or yyyy-mm-dd."),
    Column("End date", "end_date", True, "Current end date, including extensions used: dd/mm/yyyy or yyyy-mm-dd."),
    Column("Extension options", "extension_months", False, "Months of each option, e.g. 12+12 for 3+1+1."),
    Column("Extensions used", "extensions_used", False, "How many of the options have been taken (default 0)."),
    Column("Review date", "review_date", False, "dd/mm/yyyy or yyyy-mm-dd."),
    Column("Annual value", "annual_value", False, "Pounds, e.g. 1250000 or £1,250,000.00."),
    Column("Total value", "total_value", False, "Pounds over the whole term."),
    Column("Status", "status", False, "; ".join(label for _, label in Contract.Status.choices) + " (default Live)."),
    Column("Performance", "performance", False, "; ".join(label for _, label in Contract.Performance.choices)),
    Column("Contract KPIs", "has_kpis", False, "Y or N."),
    Column("Politically sensitive", "politically_sensitive", False, "Y or N (default N)."),
    Column("Payment terms", "payment_terms", False, "; ".join(label for _, label in Contract.PaymentTerms.choices)),
    Column(
        "Performance driven / independent",
        "payment_basis",
        False,
        "; ".join(label for _, label in Contract.PaymentBasis.choices),
    ),
    Column(
        "Volume sensitive", "volume_sensitive", False, "; ".join(label for _, label in Contract.VolumeSensitive.choices)
    ),
    Column("Corrective measures", "corrective_measures", False, "Free text."),
    Column("Description", "description", False, "Free text."),
]
HEADERS = [c.header for c in COLUMNS]
_BY_HEADER = {c.header.lower(): c for c in COLUMNS}

CHOICES = {
    "category": Contract.Category,
    "contract_type": Contract.ContractType,
    "status": Contract.Status,
    "performance": Contract.Performance,
    "payment_terms": Contract.PaymentTerms,
    "payment_basis": Contract.PaymentBasis,
    "volume_sensitive": Contract.VolumeSensitive,
}
DATE_FIELDS = {"start_date", "end_date", "review_date"}
MONEY_FIELDS = {"annual_value", "total_value"}
YES = {"y", "yes", "true", "1"}
NO = {"n", "no", "false", "0"}


@dataclass(frozen=True, order=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column}: {self.message}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    new_providers: list[str] = field(default_factory=list)
    rows: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header, missing columns)."""


def read_rows(*, content: bytes, filename: str) -> list[dict[str, Any]]:
    """The file's rows as dicts keyed by our field names. Raises ImportFileError for an unreadable file."""
    name = filename.lower()
    if name.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError("The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.") from exc
        table = list(csv.reader(io.StringIO(text)))
    elif name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ImportFileError("The file could not be opened as an Excel (.xlsx) workbook.") from exc
        sheet = workbook.worksheets[0]
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    else:
        raise ImportFileError("The file must be a .csv or .xlsx file.")
    if not table:
        raise ImportFileError("The file is empty: it needs a header row with the template's columns.")
    header = [str(h).strip().lower() if h is not None else "" for h in table[0]]
    missing = [c.header for c in COLUMNS if c.required and c.header.lower() not in header]
    if missing:
        raise ImportFileError(f"The header row is missing these columns: {', '.join(missing)}.")
    unknown = [h for h in header if h and h not in _BY_HEADER]
    if unknown:
        raise ImportFileError(f"The header row has columns the template does not: {', '.join(unknown)}.")
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue  # blank lines at the end of a spreadsheet are not rows
        row: dict[str, Any] = {"_row": number}
        for position, heading in enumerate(header):
            if heading:
                value = values[position] if position < len(values) else None
                row[_BY_HEADER[heading].field] = value.strip() if isinstance(value, str) else value
        rows.append(row)
    return rows


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date; use dd/mm/yyyy or yyyy-mm-dd.")


def _money(value: Any) -> Decimal:
    text = str(value).strip().replace("£", "").replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"'{value}' is not an amount of money.") from exc
    if not amount.is_finite():
        raise ValueError(f"'{value}' is not an amount of money.")
    if amount < 0:
        raise ValueError("The amount cannot be negative.")
    return amount.quantize(Decimal("0.01"))


def _choice(value: Any, choices) -> str:
    text = str(value).strip().lower()
    for code, label in choices.choices:
        if text in (code.lower(), label.lower()):
            return code
    raise ValueError(f"'{value}' is not one of: {', '.join(label for _, label in choices.choices)}.")


def _yes_no(value: Any) -> bool:
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"'{value}' is not Y or N.")


def _blank(value: Any) -> bool:
    return value is None or str(value).strip() == ""


class _Lookups:
    """Reference data loaded once per import, so the number of queries does not grow with the rows."""

    def __init__(self):
        # Strategies sit above contracts: reach their model through the FK, never by import.
        strategy_model = Contract._meta.get_field("strategy").related_model
        self.directorates = {}
        for d in Directorate.objects.all():
            self.directorates[d.code.lower()] = d
            self.directorates[d.name.lower()] = d
        self.strategies = {s.name.lower(): s for s in strategy_model.objects.all()}
        self.providers_by_number = {}
        self.providers_by_name: dict[str, list[Provider]] = {}
        for p in Provider.objects.all():
            if p.companies_house_number:
                self.providers_by_number[p.companies_house_number.strip().lower()] = p
            self.providers_by_name.setdefault(p.name.strip().lower(), []).append(p)
        self.existing = {c.reference: c for c in Contract.objects.all()}


def _clean_row(row: dict[str, Any], lookups: _Lookups, create_providers: bool, errors: list[RowError]) -> dict | None:
    number = row["_row"]
    headers = {c.field: c.header for c in COLUMNS}
    before = len(errors)
    data: dict[str, Any] = {}

    def error(field_name: str, message: str) -> None:
        errors.append(RowError(number, headers[field_name], message))

    for column in COLUMNS:
        if column.required and _blank(row.get(column.field)):
            error(column.field, "This column must be filled in.")
    for name, value in row.items():
        if name == "_row" or _blank(value):
            continue
        try:
            if name in DATE_FIELDS:
                data[name] = _date(value)
            elif name in MONEY_FIELDS:
                data[name] = _money(value)
            elif name in CHOICES:
                data[name] = _choice(value, CHOICES[name])
            elif name in ("has_kpis", "politically_sensitive"):
                data[name] = _yes_no(value)
            elif name == "extension_months":
                try:
                    data[name] = parse_extension_months(str(value))
                except ValidationError as exc:
                    raise ValueError(exc.messages[0]) from exc
            elif name == "extensions_used":
                text = str(value).strip()
                if isinstance(value, float) and value.is_integer():
                    text = str(int(value))
                if not text.isdigit():
                    raise ValueError(f"'{value}' is not a whole number.")
                data[name] = int(text)
            elif name == "directorate":
                found = lookups.directorates.get(str(value).strip().lower())
                if found is None:
                    raise ValueError(f"No directorate with the code or name '{value}'.")
                data[name] = found
            elif name == "strategy":
                found = lookups.strategies.get(str(value).strip().lower())
                if found is None:
                    raise ValueError(f"No commissioning strategy named '{value}'.")
                data[name] = found
            elif name == "companies_house_number":
                data[name] = str(value).strip()
            else:
                data[name] = str(value).strip()
        except ValueError as exc:
            error(name, str(exc))

    if "start_date" in data and "end_date" in data and data["end_date"] < data["start_date"]:
        error("end_date", "The end date is before the start date.")
    options = data.get("extension_months", [])
    options_unreadable = not _blank(row.get("extension_months")) and "extension_months" not in data
    if not options_unreadable and data.get("extensions_used", 0) > len(options):
        error("extensions_used", f"Only {len(options)} extension option(s) are given.")

    # Provider: by Companies House number first, then by name.
    number_given = data.pop("companies_house_number", "")
    provider_name = data.pop("lead_provider", "")
    if number_given or provider_name:
        provider = lookups.providers_by_number.get(number_given.lower()) if number_given else None
        ambiguous = False
        if provider is None and provider_name:
            matches = lookups.providers_by_name.get(provider_name.lower(), [])
            ambiguous = len(matches) > 1
            if ambiguous:
                error(
                    "lead_provider",
                    f"{len(matches)} providers are named '{provider_name}'; add the Companies House number.",
                )
            elif matches:
                provider = matches[0]
        if provider is None and not ambiguous:
            if create_providers and provider_name:
                data["_new_provider"] = (provider_name, number_given)
            elif create_providers:
                error("lead_provider", "Give the provider's name so that it can be added.")
            else:
                error(
                    "lead_provider",
                    f"No provider '{provider_name or number_given}' on the system: add it first, or choose to "
                    "add providers that are not yet on the system.",
                )
        data["lead_provider"] = provider
    return data if len(errors) == before else None


def import_contracts(
    *, content: bytes, filename: str, by: User | None, dry_run: bool = False, create_providers: bool = False
) -> ImportReport:
    """Check every row of a contract register file and, if none has a problem and this is not a dry run,
    create or update the contracts in one transaction. Raises ImportFileError for an unreadable file."""
    report = ImportReport(dry_run=dry_run)
    rows = read_rows(content=content, filename=filename)
    report.rows = len(rows)
    lookups = _Lookups()
    cleaned: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for row in rows:
        data = _clean_row(row, lookups, create_providers, report.errors)
        reference = str(row.get("reference") or "").strip()
        if reference:
            if reference in seen:
                report.errors.append(
                    RowError(row["_row"], "Reference", f"'{reference}' is also on row {seen[reference]}.")
                )
                data = None
            seen.setdefault(reference, row["_row"])
        if data is not None:
            cleaned.append((row["_row"], data))
    if report.errors:
        report.errors.sort()
        return report
    with transaction.atomic():
        _write(cleaned, lookups, by, report)
        if dry_run:
            # Every write runs, so the model's own checks run too, and is then undone.
            transaction.set_rollback(True)
    report.errors.sort()
    return report


def _write(cleaned: list[tuple[int, dict]], lookups: _Lookups, by: User | None, report: ImportReport) -> None:
    created_providers: dict[str, Provider] = {}
    new: list[tuple[int, dict]] = []
    updates: list[tuple[int, Contract, dict]] = []
    for number, data in cleaned:
        new_provider = data.pop("_new_provider", None)
        if new_provider is not None:
            name, ch_number = new_provider
            provider = created_providers.get(name.lower())
            if provider is None:
                provider = Provider.objects.create(name=name, companies_house_number=ch_number)
                created_providers[name.lower()] = provider
                report.new_providers.append(name)
            data["lead_provider"] = provider
        existing = lookups.existing.get(data["reference"])
        if existing is None:
            new.append((number, data))
        else:
            updates.append((number, existing, data))
    problems = services.contracts_import(
        new=[data for _, data in new], updates=[(contract, data) for _, contract, data in updates], by=by
    )
    numbers = [number for number, _ in new] + [number for number, _, _ in updates]
    headers = {c.field: c.header for c in COLUMNS}
    for position, exc in problems.items():
        for name, messages in exc.message_dict.items():
            for message in messages:
                report.errors.append(RowError(numbers[position], headers.get(name, "Row"), message))
    if report.errors:
        # Any problem found while writing undoes every row.
        transaction.set_rollback(True)
        report.new_providers.clear()
        return
    report.created.extend(data["reference"] for _, data in new)
    report.updated.extend(data["reference"] for _, _, data in updates)


def template_csv() -> str:
    """The header row of an import file, for the template download."""
    out = io.StringIO()
    csv.writer(out).writerow(HEADERS)
    return out.getvalue()
