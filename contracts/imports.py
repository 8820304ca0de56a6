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
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from commissioning.imports import (
    Column,
    ImportFileError,
    ImportReport,
    Row,
    RowError,
    UploadRules,
    cell_date,
    is_blank,
    read_table,
    write_all,
)
from commissioning.models import Directorate, User
from providers.models import Provider
from providers.services import provider_create

from . import services
from .models import Contract

__all__ = ["COLUMNS", "HEADERS", "IMPORTER", "ContractImportReport", "ImportFileError", "RowError", "import_contracts"]

# This page's own wording for each upload problem that commissioning.security finds.
# Size, rows and the other limits come from settings.IMPORT_LIMITS (5 MB and 20,000 rows by default); the
# size refusal keeps the file's own figure after this wording.
UPLOAD = UploadRules(
    extensions=("csv", "xlsx", "ods"),
    messages={
        "file_type": "The file must be a .csv, .xlsx or .ods file.",
        "file_empty": "The file is empty: it needs a header row with the template's columns.",
        "file_content.xlsx": "The file could not be opened as an Excel (.xlsx) workbook.",
        "file_content.ods": "The file could not be opened as an OpenDocument (.ods) spreadsheet.",
        "file_content.csv": (
            "The file is not a .csv file: it contains binary data. Save it as 'CSV UTF-8' and try again."
        ),
        "file_encoding": "The file is neither UTF-8 nor Windows-1252 text. Save it as 'CSV UTF-8' and try again.",
    },
)
# The dotted path run_or_queue and the import task find this importer by.
IMPORTER = "contracts.imports.import_contracts"


def parse_extension_months(text: str) -> list[int]:
    """Read extension options as councils write them: '12+12', '12, 12' or '12 12' months."""
    text = (text or "").strip()
    if not text:
        return []
    parts = [p for p in re.split(r"[+,;\s]+", text) if p]
    if not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError("Enter extension options in months, separated by '+', for example 12+12.")
    return [int(p) for p in parts]


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
    # Read so that a register export imports again, but never set: the field is derived from the contract's
    # returns (oversight.returns); a value other than the contract's own is refused.
    Column(
        "Performance",
        "performance",
        False,
        "Not imported: derived from the grade of the contract's returns. Leave blank, or as the register export "
        "wrote it; a different value for a contract already on the register is refused.",
    ),
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
    Column(
        "Procurement regime",
        "regime",
        False,
        "; ".join(label for _, label in Contract.Regime.choices) + " (default Public Contracts Regulations 2015).",
    ),
    Column(
        "Estimated total value",
        "estimated_value",
        False,
        "Pounds over the whole term, for the Procurement Act 2023's £5m KPI threshold.",
    ),
    Column("Supply type", "supply_type", False, "; ".join(label for _, label in Contract.Supply.choices)),
    Column("Concession", "is_concession", False, "Y or N (default N)."),
]
HEADERS = [c.header for c in COLUMNS]
_HEADER_OF = {c.field: c.header for c in COLUMNS}

CHOICES = {
    "category": Contract.Category,
    "contract_type": Contract.ContractType,
    "status": Contract.Status,
    "performance": Contract.Performance,
    "payment_terms": Contract.PaymentTerms,
    "payment_basis": Contract.PaymentBasis,
    "volume_sensitive": Contract.VolumeSensitive,
    "regime": Contract.Regime,
    "supply_type": Contract.Supply,
}
YES = {"y", "yes", "true", "1"}
NO = {"n", "no", "false", "0"}


@dataclass
class ContractImportReport(ImportReport):
    """The pipeline's report, with the references added and updated and the providers added."""

    created_references: list[str] = field(default_factory=list)
    updated_references: list[str] = field(default_factory=list)
    new_providers: list[str] = field(default_factory=list)

    def sections(self) -> list[dict[str, Any]]:
        if not self.new_providers:
            return []
        return [{"title": "Providers added", "headings": ["Provider"], "rows": [[name] for name in self.new_providers]}]


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


def _yes_no(value: Any) -> bool:
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"'{value}' is not Y or N.")


def _whole_number(value: Any) -> int:
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text.isdigit():
        raise ValueError(f"'{value}' is not a whole number.")
    return int(text)


def _choice(choices: Any) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        for code, label in choices.choices:
            if text in (code.lower(), label.lower()):
                return code
        raise ValueError(f"'{value}' is not one of: {', '.join(label for _, label in choices.choices)}.")

    return parse


class _Lookups:
    """Reference data loaded once per import, so the number of queries does not grow with the rows."""

    def __init__(self) -> None:
        # Strategies sit above contracts: reach their model through the FK, never by import.
        strategy_model: Any = Contract._meta.get_field("strategy").related_model
        self.directorates: dict[str, Directorate] = {}
        for d in Directorate.objects.all():
            self.directorates[d.code.lower()] = d
            self.directorates[d.name.lower()] = d
        self.strategies = {s.name.lower(): s for s in strategy_model._default_manager.all()}
        self.providers_by_number: dict[str, Provider] = {}
        self.providers_by_name: dict[str, list[Provider]] = {}
        for p in Provider.objects.all():
            if p.companies_house_number:
                self.providers_by_number[p.companies_house_number.strip().lower()] = p
            self.providers_by_name.setdefault(p.name.strip().lower(), []).append(p)
        self.existing = {c.reference: c for c in Contract.objects.all()}

    def directorate(self, value: Any) -> Directorate:
        found = self.directorates.get(str(value).strip().lower())
        if found is None:
            raise ValueError(f"No directorate with the code or name '{value}'.")
        return found

    def strategy(self, value: Any) -> Any:
        found = self.strategies.get(str(value).strip().lower())
        if found is None:
            raise ValueError(f"No commissioning strategy named '{value}'.")
        return found

    def parsers(self) -> dict[str, Callable[[Any], Any]]:
        """How each column's cell becomes a field's value (raising ValueError with the reason)."""
        parsers: dict[str, Callable[[Any], Any]] = {
            "start_date": cell_date,
            "end_date": cell_date,
            "review_date": cell_date,
            "annual_value": _money,
            "total_value": _money,
            "estimated_value": _money,
            "is_concession": _yes_no,
            "has_kpis": _yes_no,
            "politically_sensitive": _yes_no,
            "extension_months": lambda value: parse_extension_months(str(value)),
            "extensions_used": _whole_number,
            "directorate": self.directorate,
            "strategy": self.strategy,
        }
        parsers.update({name: _choice(choices) for name, choices in CHOICES.items()})
        return parsers


def _text(value: Any) -> str:
    return str(value).strip()


class _RowChecker:
    """Turns a row into a contract's fields, reporting each problem against its row and column."""

    def __init__(self, lookups: _Lookups, report: ContractImportReport, create_providers: bool) -> None:
        self.lookups = lookups
        self.report = report
        self.create_providers = create_providers
        self.parsers = lookups.parsers()

    def error(self, row: Row, field_name: str, message: str) -> None:
        self.report.error(row.number, _HEADER_OF[field_name], message, row.get(field_name))

    def clean(self, row: Row) -> dict[str, Any] | None:
        before = len(self.report.errors)
        data: dict[str, Any] = {}
        for column in COLUMNS:
            if column.required and is_blank(row.get(column.field)):
                self.error(row, column.field, "This column must be filled in.")
        for name, value in row.values.items():
            if is_blank(value):
                continue
            try:
                data[name] = self.parsers.get(name, _text)(value)
            except ValueError as exc:
                self.error(row, name, str(exc))
        if "start_date" in data and "end_date" in data and data["end_date"] < data["start_date"]:
            self.error(row, "end_date", "The end date is before the start date.")
        options = data.get("extension_months", [])
        options_unreadable = not is_blank(row.get("extension_months")) and "extension_months" not in data
        if not options_unreadable and data.get("extensions_used", 0) > len(options):
            self.error(row, "extensions_used", f"Only {len(options)} extension option(s) are given.")
        self._derived_performance(row, data)
        self._provider(row, data)
        return data if len(self.report.errors) == before else None

    def _derived_performance(self, row: Row, data: dict[str, Any]) -> None:
        """Performance is derived from the contract's returns, never imported: for a contract already on the
        register a cell may only repeat its own value (a register export imports again); for a new contract the
        cell is not read (an export from another register carries that register's grades, not this one's)."""
        if "performance" not in data:
            return
        given = data.pop("performance")
        existing = self.lookups.existing.get(str(data.get("reference", "")))
        if existing is not None and given != existing.performance:
            current = existing.performance
            self.error(
                row,
                "performance",
                "Performance is derived from the grade of the contract's returns and cannot be imported: leave "
                f"the cell blank (or as {Contract.Performance(current).label}).",
            )

    def _provider(self, row: Row, data: dict[str, Any]) -> None:
        """The lead provider: by Companies House number first, then by name."""
        number_given = data.pop("companies_house_number", "")
        provider_name = data.pop("lead_provider", "")
        if not (number_given or provider_name):
            return
        provider = self.lookups.providers_by_number.get(number_given.lower()) if number_given else None
        if provider is None and provider_name:
            matches = self.lookups.providers_by_name.get(provider_name.lower(), [])
            if len(matches) > 1:
                message = f"{len(matches)} providers are named '{provider_name}'; add the Companies House number."
                self.error(row, "lead_provider", message)
                return
            provider = matches[0] if matches else None
        if provider is None:
            if self.create_providers and provider_name:
                data["_new_provider"] = (provider_name, number_given)
            elif self.create_providers:
                self.error(row, "lead_provider", "Give the provider's name so that it can be added.")
            else:
                self.error(
                    row,
                    "lead_provider",
                    f"No provider '{provider_name or number_given}' on the system: add it first, or choose to "
                    "add providers that are not yet on the system.",
                )
        data["lead_provider"] = provider


def import_contracts(
    *, content: bytes, filename: str, by: User | None, dry_run: bool = False, create_providers: bool = False
) -> ContractImportReport:
    """Check every row of a contract register file and, if none has a problem, create or update the
    contracts in one transaction (a dry run does it, then undoes it). Raises ImportFileError for a file that
    cannot be read. ``by`` None: a command run on the server with no user named."""
    report = ContractImportReport(dry_run=dry_run)
    table = read_table(content=content, filename=filename, columns=COLUMNS, rules=UPLOAD)
    report.rows_read = len(table.rows)
    lookups = _Lookups()
    checker = _RowChecker(lookups, report, create_providers)
    cleaned: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        data = checker.clean(row)
        reference = row.text("reference")
        if reference in seen:
            report.error(row.number, "Reference", f"'{reference}' is also on row {seen[reference]}.", reference)
            data = None
        elif reference:
            seen[reference] = row.number
        if data is not None:
            cleaned.append((row.number, data))
    return write_all(report, lambda: _write(cleaned, lookups, by, report), dry_run=dry_run)


def _write(cleaned: list[tuple[int, dict]], lookups: _Lookups, by: User | None, report: ContractImportReport) -> None:
    created_providers: dict[str, Provider] = {}
    new: list[tuple[int, dict]] = []
    updates: list[tuple[int, Contract, dict]] = []
    for number, data in cleaned:
        new_provider = data.pop("_new_provider", None)
        if new_provider is not None:
            name, ch_number = new_provider
            provider = created_providers.get(name.lower())
            if provider is None:
                provider = provider_create(by=by, name=name, companies_house_number=ch_number)
                created_providers[name.lower()] = provider
                report.new_providers.append(name)
            data["lead_provider"] = provider
        existing = lookups.existing.get(data["reference"])
        if existing is None:
            new.append((number, data))
        else:
            updates.append((number, existing, data))
    done = services.contracts_import(
        new=[data for _, data in new], updates=[(contract, data) for _, contract, data in updates], by=by
    )
    numbers = [number for number, _ in new] + [number for number, _, _ in updates]
    for position, exc in done.problems.items():
        for name, messages in exc.message_dict.items():
            for message in messages:
                report.error(numbers[position], _HEADER_OF.get(name, ""), message)
    if report.errors:
        report.new_providers.clear()
        return
    report.created_references = done.created
    report.updated_references = done.updated
    report.created, report.updated, report.unchanged = len(done.created), len(done.updated), len(done.unchanged)
    # What each row did (or, in a dry run, would do), in the file's order.
    row_of = {data["reference"]: number for number, data in new}
    row_of.update({data["reference"]: number for number, _, data in updates})
    actions = [("created", done.created), ("updated", done.updated), ("unchanged", done.unchanged)]
    changes = [(row_of.get(ref, 0), action, ref) for action, refs in actions for ref in refs]
    for number, action, reference in sorted(changes):
        report.change(number, action, f"Contract {reference}")  # type: ignore[arg-type]


def template_csv() -> str:
    """The header row of an import file, for the template download."""
    out = io.StringIO()
    csv.writer(out).writerow(HEADERS)
    return out.getvalue()
