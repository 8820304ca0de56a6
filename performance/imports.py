"""Quarterly results from a CSV file, on the one import pipeline (``commissioning.imports``): every problem
reported as (row, column, message), nothing saved unless the whole file is right. Used by the upload page
and ``manage.py import_results``.

Columns (header names are case-insensitive): ``strategy`` and ``measure`` (names) or ``measure_id``;
``year`` ("2018/19" or "2018"); ``quarter`` ("Q3" or "3"); ``value``; optional ``target`` and ``commentary``
(when a column is left out, what is stored is kept). Importing the same quarter again updates it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from commissioning.imports import (
    HEADER_ROW,
    Column,
    ImportFileError,
    ImportReport,
    Row,
    RowError,
    Table,
    UploadRules,
    read_table,
    write_all,
)
from commissioning.models import User
from commissioning.periods import FinancialQuarter

from .models import Measure, MeasureResult
from .services import ResultEntry, result_problems, results_save_many

__all__ = [
    "IMPORTER",
    "MAX_UPLOAD_BYTES",
    "UPLOAD",
    "ImportReport",
    "ResultsImportReport",
    "RowError",
    "import_results",
    "results_importer",
]

# Size, rows and the other limits come from settings.IMPORT_LIMITS (5 MB and 20,000 rows by default).
UPLOAD = UploadRules(
    extensions=("csv", "xlsx", "ods"),
    messages={
        "file_type": "The selected file must be a CSV (.csv), Excel (.xlsx) or OpenDocument (.ods) spreadsheet.",
        "file_empty": "The selected file is empty: it needs a header row and results.",
        "file_size": "The selected file must be smaller than 5 MB.",
        "file_content.csv": "The selected file is not a CSV (.csv): it contains binary data.",
        "file_content.xlsx": "The selected file could not be opened as an Excel (.xlsx) workbook.",
        "file_content.ods": "The selected file could not be opened as an OpenDocument (.ods) spreadsheet.",
        "file_encoding": "The selected file is neither UTF-8 nor Windows-1252 text: save it as 'CSV UTF-8'.",
    },
)
MAX_UPLOAD_BYTES = UPLOAD.limit("max_bytes")
REQUIRED_COLUMNS = ("year", "quarter", "value")
COLUMNS = [
    Column("strategy", "strategy"),
    Column("measure", "measure"),
    Column("measure_id", "measure_id"),
    *(Column(name, name, True) for name in REQUIRED_COLUMNS),
    Column("target", "target"),
    Column("commentary", "commentary"),
]


@dataclass
class ResultsImportReport(ImportReport):
    """The pipeline's report, with the results the file holds (each quarter's entry, ready to save)."""

    rows: list[tuple[FinancialQuarter, ResultEntry]] = field(default_factory=list)


def parse_year(text: str) -> int:
    """'2018/19', '2018-19' or '2018' → 2018 (the year the financial year starts)."""
    text = text.strip()
    match = re.fullmatch(r"(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?", text)
    if not match:
        raise ValueError(f"'{text}' is not a financial year: write it like 2018/19 or 2018.")
    year = int(match.group(1))
    if match.group(2) is not None and int(match.group(2)) % 100 != (year + 1) % 100:
        raise ValueError(f"'{text}' is not a financial year: the second year must follow the first, like 2018/19.")
    if not 2000 <= year <= 2100:
        raise ValueError(f"{year} is outside the years this service records (2000 to 2100).")
    return year


def parse_quarter(text: str) -> int:
    """'Q3', 'q3' or '3' → 3."""
    match = re.fullmatch(r"[Qq]?\s*([1-4])", text.strip())
    if not match:
        raise ValueError(f"'{text.strip()}' is not a quarter: write Q1, Q2, Q3 or Q4.")
    return int(match.group(1))


def parse_number(text: str) -> Decimal | None:
    """'66.7', '66.7%', '1,719', '£12,000' → Decimal; blank → None."""
    cleaned = text.strip().replace(",", "").removeprefix("£").removesuffix("%").strip()
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{text.strip()}' is not a number: write it like 66.7 or 1719.") from None
    if not number.is_finite():
        raise ValueError(f"'{text.strip()}' is not a number: write it like 66.7 or 1719.")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        raise ValueError(f"'{text.strip()}' has more than 4 decimal places.")
    if abs(number) >= Decimal("1e10"):
        raise ValueError(f"'{text.strip()}' is too large.")
    return number


class _Measures:
    """Every measure, loaded once, to find each row's by id or by strategy and name."""

    def __init__(self) -> None:
        measures = list(Measure.objects.select_related("strategy"))
        self.by_id = {m.pk: m for m in measures}
        self.by_name = {(m.strategy.name.strip().lower(), m.name.strip().lower()): m for m in measures}
        self.strategy_names = {m.strategy.name.strip().lower() for m in measures}

    def find(self, row: Row, table: Table, report: ImportReport) -> Measure | None:
        if table.has("measure_id") and (row.text("measure_id") or not table.has("measure")):
            text = row.text("measure_id")
            if not text:
                report.error(row.number, "measure_id", "Enter the measure id.")
            elif not text.isdigit() or int(text) not in self.by_id:
                report.error(row.number, "measure_id", f"There is no measure with id '{text}'.")
            else:
                return self.by_id[int(text)]
            return None
        strategy, name = row.text("strategy"), row.text("measure")
        if not strategy:
            report.error(row.number, "strategy", "Enter the strategy's name.")
        elif strategy.lower() not in self.strategy_names:
            report.error(row.number, "strategy", f"There is no strategy called '{strategy}'.")
        elif not name:
            report.error(row.number, "measure", "Enter the measure's name.")
        elif (strategy.lower(), name.lower()) not in self.by_name:
            report.error(row.number, "measure", f"'{strategy}' has no measure called '{name}'.")
        else:
            return self.by_name[(strategy.lower(), name.lower())]
        return None


def _parsed(row: Row, table: Table, report: ImportReport) -> dict:
    parsed: dict = {}
    for column, parse in (("year", parse_year), ("quarter", parse_quarter)):
        text = row.text(column)
        if not text:
            report.error(row.number, column, f"Enter the {column}.")
            continue
        try:
            parsed[column] = parse(text)
        except ValueError as error:
            report.error(row.number, column, str(error))
    for column in ("value", "target"):
        if not table.has(column):
            continue
        try:
            parsed[column] = parse_number(row.text(column))
        except ValueError as error:
            report.error(row.number, column, str(error))
    if table.has("commentary"):
        parsed["commentary"] = row.text("commentary")
    return parsed


def _row_problems(row: Row, measure: Measure | None, parsed: dict, table: Table, report: ImportReport) -> None:
    """The council's rules for a result (``result_problems``), once the row's numbers could be read."""
    if measure is None or any(e.row == row.number and e.column in ("value", "target") for e in report.errors):
        return
    problems = result_problems(measure=measure, value=parsed.get("value"), target=parsed.get("target"))
    if not table.has("target"):
        problems.pop("target", None)
    for column, message in problems.items():
        report.error(row.number, column, message)


def _checked_rows(table: Table, report: ImportReport) -> list[tuple[FinancialQuarter, Measure, dict]]:
    """Check every row; return the good ones as (quarter, measure, values read; "_row" its number)."""
    measures = _Measures()
    seen: dict[tuple[int, int, int], int] = {}
    pending: list[tuple[FinancialQuarter, Measure, dict]] = []
    for row in table.rows:
        before = len(report.errors)
        measure = measures.find(row, table, report)
        parsed = _parsed(row, table, report)
        if measure is not None and "year" in parsed and "quarter" in parsed:
            key = (measure.pk, parsed["year"], parsed["quarter"])
            if key in seen:
                period = FinancialQuarter(parsed["year"], parsed["quarter"])
                report.error(row.number, "measure", f"'{measure.name}' for {period} is already on row {seen[key]}.")
            else:
                seen[key] = row.number
        _row_problems(row, measure, parsed, table, report)
        if len(report.errors) == before and measure is not None:
            pending.append(
                (FinancialQuarter(parsed["year"], parsed["quarter"]), measure, {**parsed, "_row": row.number})
            )
    return pending


def _read(table: Table, report: ResultsImportReport) -> None:
    """Check every row and turn the good ones into result entries (nothing is saved)."""
    if not (table.has("measure_id") or (table.has("strategy") and table.has("measure"))):
        raise ImportFileError(
            "The file needs 'strategy' and 'measure' columns, or a 'measure_id' column.", column="measure"
        )
    if not table.rows:
        report.error(HEADER_ROW + 1, "", "The file has a header row but no results.")
        return
    pending = _checked_rows(table, report)
    if report.errors:
        return
    # Keep what is stored for a column the file leaves out; count updates against what exists.
    existing = {
        (r.measure_id, r.year, r.quarter): r
        for r in MeasureResult.objects.filter(
            measure__in={m.pk for _, m, _ in pending}, year__in={p.year for p, _, _ in pending}
        )
    }
    for period, measure, parsed in pending:
        stored = existing.get((measure.pk, period.year, period.quarter))
        record = f"{measure.strategy.name}: {measure.name}, {period}"
        if stored is None:
            report.created += 1
            report.change(parsed["_row"], "created", record)
        else:
            report.updated += 1
            report.change(parsed["_row"], "updated", record)
        entry = ResultEntry(
            measure=measure,
            value=parsed["value"],
            target=parsed.get("target", stored.target if stored else None),
            commentary=parsed.get("commentary", stored.commentary if stored else ""),
        )
        report.rows.append((period, entry))


def import_results(
    *, data: bytes, by: User | None, dry_run: bool = False, filename: str = "results.csv"
) -> ResultsImportReport:
    """Check and (unless any row has an error) save every row of a results CSV, all or nothing: through
    ``results_save_many``, which a dry run calls too and then undoes. A file that cannot be read at all is
    reported as a problem with its header row (row 1)."""
    report = ResultsImportReport(dry_run=dry_run)
    try:
        table = read_table(content=data, filename=filename, columns=COLUMNS, rules=UPLOAD, unknown="ignore")
        report.rows_read = len(table.rows)
        _read(table, report)
        report.fill_values(table)
    except ImportFileError as error:
        report.error(HEADER_ROW, error.column, error.message)
        return report

    def save() -> None:
        results_save_many(rows=report.rows, by=by)

    return write_all(report, save, dry_run=dry_run)


# The dotted path run_or_queue and the import task find the importer by.
IMPORTER = "performance.imports.results_importer"


def results_importer(*, content: bytes, filename: str, by: User | None, dry_run: bool = False) -> ResultsImportReport:
    """``import_results`` with the pipeline's importer signature (for ``run_or_queue``)."""
    return import_results(data=content, by=by, dry_run=dry_run, filename=filename)
