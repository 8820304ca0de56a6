"""KPI results from a spreadsheet, on the one import pipeline (``commissioning.imports``): every problem
reported as (row, column, message), nothing saved unless the whole file is right. A dry run saves every row
through ``kpi_result_record`` and then undoes it, so the service's own checks run too.

Columns (headings compared case- and punctuation-insensitively): contract reference, KPI name (an active KPI
of that contract), period start, period end (one whole reporting period of the KPI's frequency; dd/mm/yyyy
or yyyy-mm-dd), value (blank when the data is missing), rating (blank to take the suggested rating; a
label such as "Requires improvement" or its code), override reason (needed for a rating different from the
suggestion), commentary. Importing the same period again updates its result.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from commissioning.imports import (
    HEADER_ROW,
    Column,
    ImportFileError,
    ImportReport,
    Row,
    UploadRules,
    cell_date,
    is_blank,
    read_table,
    write_all,
)
from commissioning.models import User
from contracts.models import Contract

from .models import ContractKpi, KpiRating, KpiResult
from .performance import kpi_result_record, result_problems

UPLOAD = UploadRules(
    extensions=("csv", "xlsx", "ods"),
    messages={
        "file_type": "The selected file must be a CSV (.csv), Excel (.xlsx) or OpenDocument (.ods) spreadsheet.",
        "file_empty": "The selected file is empty: it needs the template's header row and results.",
        "file_size": "The selected file must be smaller than 5 MB.",
        "file_content.csv": "The selected file is not a CSV (.csv): it contains binary data.",
        "file_content.xlsx": "The selected file could not be opened as an Excel (.xlsx) workbook.",
        "file_content.ods": "The selected file could not be opened as an OpenDocument (.ods) spreadsheet.",
        "file_encoding": "The selected file is neither UTF-8 nor Windows-1252 text: save it as 'CSV UTF-8'.",
    },
)

COLUMNS = [
    Column("Contract reference", "reference", True, "The contract's reference, as on the register."),
    Column("KPI name", "kpi", True, "The name of one of the contract's active KPIs."),
    Column("Period start", "period_start", True, "First day of the reporting period (dd/mm/yyyy)."),
    Column("Period end", "period_end", True, "Last day of the reporting period (dd/mm/yyyy)."),
    Column("Value", "value", True, "The result, a number; blank when the data is missing (say why in commentary)."),
    Column("Rating", "rating", False, "Blank for the suggested rating, or one of: " + ", ".join(KpiRating.labels)),
    Column("Override reason", "override_reason", False, "Why the rating differs from the suggested one."),
    Column("Commentary", "commentary", False, "Anything the assessment should know."),
]
HEADING = {column.field: column.header for column in COLUMNS}
# A service's field errors, by the column that holds the field.
_FIELD_COLUMN = {
    "kpi": "KPI name",
    "period_start": "Period start",
    "period_end": "Period end",
    "value": "Value",
    "rating": "Rating",
    "override_reason": "Override reason",
    "commentary": "Commentary",
}

IMPORTER = "oversight.performance_imports.kpi_results_importer"


@dataclass
class KpiResultsImportReport(ImportReport):
    """The pipeline's report, with the rows ready to save."""

    rows: list[tuple[int, ContractKpi, dict[str, Any]]] = field(default_factory=list)


def _number(value: Any) -> Decimal | None:
    if is_blank(value):
        return None
    text = str(value).strip().replace(",", "").removeprefix("£").removesuffix("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{value}' is not a number: write it like 92.5.") from None
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        raise ValueError(f"'{value}' is not a number this service can hold.")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        raise ValueError(f"'{value}' has more than 4 decimal places.")
    return number


_RATINGS = {**{label.lower(): code for code, label in KpiRating.choices}, **{code: code for code in KpiRating.values}}


def _rating(value: Any) -> str:
    text = "" if is_blank(value) else str(value).strip().lower()
    if not text:
        return ""
    if text not in _RATINGS:
        raise ValueError(f"'{value}' is not a rating: write one of {', '.join(KpiRating.labels)}, or leave it blank.")
    return _RATINGS[text]


class _Kpis:
    """Every active KPI the file's contracts hold, loaded once, by (contract reference, KPI name)."""

    def __init__(self, references: set[str]) -> None:
        kpis = ContractKpi.objects.filter(contract__reference__in=references, retired_on__isnull=True).select_related(
            "contract"
        )
        self.by_name = {(k.contract.reference.lower(), k.name.strip().lower()): k for k in kpis}
        self.known = {
            ref.lower() for ref in Contract.objects.filter(reference__in=references).values_list("reference", flat=True)
        }


def _cell_error(report: ImportReport, row: Row, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            report.error(row.number, "", message)
        return
    for name, messages in error.message_dict.items():
        for message in messages:
            report.error(row.number, _FIELD_COLUMN.get(name, ""), message)


def _find_kpi(row: Row, kpis: _Kpis, report: ImportReport) -> ContractKpi | None:
    reference, name = row.text("reference"), row.text("kpi")
    if not reference:
        report.error(row.number, HEADING["reference"], "Enter the contract's reference.")
    elif reference.lower() not in kpis.known:
        report.error(row.number, HEADING["reference"], f"There is no contract '{reference}'.")
    elif not name:
        report.error(row.number, HEADING["kpi"], "Enter the KPI's name.")
    elif (reference.lower(), name.lower()) not in kpis.by_name:
        report.error(row.number, HEADING["kpi"], f"Contract {reference} has no active KPI called '{name}'.")
    else:
        return kpis.by_name[(reference.lower(), name.lower())]
    return None


def _values(row: Row, report: ImportReport) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, parse in (
        ("period_start", cell_date),
        ("period_end", cell_date),
        ("value", _number),
        ("rating", _rating),
    ):
        raw = row.get(column)
        if column.startswith("period") and is_blank(raw):
            report.error(row.number, HEADING[column], f"Enter the {HEADING[column].lower()}.")
            continue
        try:
            values[column] = parse(raw)
        except ValueError as problem:
            report.error(row.number, HEADING[column], str(problem))
    values["override_reason"] = row.text("override_reason")
    values["commentary"] = row.text("commentary")
    return values


def _check(table: Any, report: KpiResultsImportReport) -> None:
    """Check every row (the service's own rules included); keep the good ones in ``report.rows``."""
    if not table.rows:
        report.error(HEADER_ROW + 1, "", "The file has a header row but no results.")
        return
    kpis = _Kpis({row.text("reference") for row in table.rows if row.text("reference")})
    seen: dict[tuple[int, date], int] = {}
    for row in table.rows:
        before = report.error_count
        kpi = _find_kpi(row, kpis, report)
        values = _values(row, report)
        if kpi is None or report.error_count != before:
            continue
        key = (kpi.pk, values["period_start"])
        if key in seen:
            report.error(
                row.number, HEADING["period_start"], f"'{kpi.name}' for this period is already on row {seen[key]}."
            )
            continue
        seen[key] = row.number
        try:
            result_problems(kpi=kpi, **values)
        except ValidationError as problem:
            _cell_error(report, row, problem)
            continue
        report.rows.append((row.number, kpi, values))


def import_kpi_results(
    *, data: bytes, by: User | None, dry_run: bool = False, filename: str = "kpi-results.csv"
) -> KpiResultsImportReport:
    """Check every row of a KPI results file and, unless any has a problem, save them all (``kpi_result_record``
    each, in one transaction); a dry run saves and undoes. A file that cannot be read is reported on row 1."""
    report = KpiResultsImportReport(dry_run=dry_run)
    try:
        table = read_table(content=data, filename=filename, columns=COLUMNS, rules=UPLOAD)
        report.rows_read = len(table.rows)
        _check(table, report)
        report.fill_values(table)
    except ImportFileError as error:
        report.error(HEADER_ROW, error.column, error.message)
        return report
    if not report.errors:
        stored = set(
            KpiResult.objects.filter(kpi__in={kpi.pk for _, kpi, _ in report.rows}).values_list(
                "kpi_id", "period_start"
            )
        )
        for number, kpi, values in report.rows:
            action = "updated" if (kpi.pk, values["period_start"]) in stored else "created"
            setattr(report, action, getattr(report, action) + 1)
            report.change(number, action, f"{kpi.contract.reference}: {kpi.name}, {values['period_start']:%d/%m/%Y}")  # type: ignore[arg-type]

    def save() -> None:
        for number, kpi, values in report.rows:
            try:
                kpi_result_record(by=by, kpi=kpi, **values)
            except ValidationError as problem:
                report.error(number, "", "; ".join(problem.messages))
            except PermissionDenied as refusal:
                report.error(number, HEADING["reference"], str(refusal))

    return write_all(report, save, dry_run=dry_run)


def kpi_results_importer(
    *, content: bytes, filename: str, by: User | None, dry_run: bool = False
) -> KpiResultsImportReport:
    """``import_kpi_results`` with the pipeline's importer signature (for ``run_or_queue``)."""
    return import_kpi_results(data=content, by=by, dry_run=dry_run, filename=filename)


def template_csv() -> str:
    """The header row of a KPI results file, for the template download."""
    out = io.StringIO()
    csv.writer(out).writerow([column.header for column in COLUMNS])
    return out.getvalue()
