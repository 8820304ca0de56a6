"""Quarterly results from a CSV file: every problem reported as (row, column, message), nothing saved
unless the whole file is right. Used by the upload page and ``manage.py import_results``.

Columns (header names are case-insensitive): ``strategy`` and ``measure`` (names) or ``measure_id``;
``year`` ("2018/19" or "2018"); ``quarter`` ("Q3" or "3"); ``value``; optional ``target`` and ``commentary``
(when a column is left out, what is stored is kept). Importing the same quarter again updates it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from commissioning.models import User
from commissioning.periods import FinancialQuarter

from .models import Measure, MeasureResult
from .services import ResultEntry, result_problems, results_save_many

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
REQUIRED_COLUMNS = ("year", "quarter", "value")
HEADER_ROW = 1


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    rows: list[tuple[FinancialQuarter, ResultEntry]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _normalise(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", (header or "").strip().lower())


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
    if number.as_tuple().exponent < -4:
        raise ValueError(f"'{text.strip()}' has more than 4 decimal places.")
    if abs(number) >= Decimal("1e10"):
        raise ValueError(f"'{text.strip()}' is too large.")
    return number


def read_results(text: str) -> ImportReport:
    """Check every row of the CSV ``text`` and turn the good ones into result entries (nothing is saved)."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        report.errors.append(RowError(HEADER_ROW, "", "The file is empty: it needs a header row and results."))
        return report
    columns = {_normalise(name): name for name in reader.fieldnames if name}
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            report.errors.append(RowError(HEADER_ROW, column, f"The file has no '{column}' column."))
    by_id = "measure_id" in columns
    if not by_id and not ("strategy" in columns and "measure" in columns):
        report.errors.append(
            RowError(
                HEADER_ROW, "measure", "The file needs 'strategy' and 'measure' columns, or a 'measure_id' column."
            )
        )
    if report.errors:
        return report

    measures = list(Measure.objects.select_related("strategy"))
    measures_by_id = {m.pk: m for m in measures}
    measures_by_name = {(m.strategy.name.strip().lower(), m.name.strip().lower()): m for m in measures}
    strategy_names = {m.strategy.name.strip().lower() for m in measures}
    seen: dict[tuple[int, int, int], int] = {}
    pending: list[tuple[int, FinancialQuarter, Measure, dict]] = []

    def cell(raw: dict, column: str) -> str:
        return (raw.get(columns.get(column, ""), "") or "").strip()

    row_number = HEADER_ROW
    for raw in reader:
        row_number += 1
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue  # blank lines at the end of a spreadsheet export
        errors: list[RowError] = []
        measure = None
        if by_id and (cell(raw, "measure_id") or "measure" not in columns):
            text = cell(raw, "measure_id")
            if not text:
                errors.append(RowError(row_number, "measure_id", "Enter the measure id."))
            elif not text.isdigit() or int(text) not in measures_by_id:
                errors.append(RowError(row_number, "measure_id", f"There is no measure with id '{text}'."))
            else:
                measure = measures_by_id[int(text)]
        else:
            strategy, name = cell(raw, "strategy"), cell(raw, "measure")
            if not strategy:
                errors.append(RowError(row_number, "strategy", "Enter the strategy's name."))
            elif strategy.lower() not in strategy_names:
                errors.append(RowError(row_number, "strategy", f"There is no strategy called '{strategy}'."))
            elif not name:
                errors.append(RowError(row_number, "measure", "Enter the measure's name."))
            elif (strategy.lower(), name.lower()) not in measures_by_name:
                errors.append(RowError(row_number, "measure", f"'{strategy}' has no measure called '{name}'."))
            else:
                measure = measures_by_name[(strategy.lower(), name.lower())]
        parsed: dict = {}
        for column, parse in (("year", parse_year), ("quarter", parse_quarter)):
            text = cell(raw, column)
            if not text:
                errors.append(RowError(row_number, column, f"Enter the {column}."))
                continue
            try:
                parsed[column] = parse(text)
            except ValueError as error:
                errors.append(RowError(row_number, column, str(error)))
        for column in ("value", "target"):
            if column not in columns:
                continue
            try:
                parsed[column] = parse_number(cell(raw, column))
            except ValueError as error:
                errors.append(RowError(row_number, column, str(error)))
        if "commentary" in columns:
            parsed["commentary"] = cell(raw, "commentary")
        if measure is not None and "year" in parsed and "quarter" in parsed:
            key = (measure.pk, parsed["year"], parsed["quarter"])
            if key in seen:
                period = FinancialQuarter(parsed["year"], parsed["quarter"])
                errors.append(
                    RowError(row_number, "measure", f"'{measure.name}' for {period} is already on row {seen[key]}.")
                )
            else:
                seen[key] = row_number
        if measure is not None and not any(e.column in ("value", "target") for e in errors):
            problems = result_problems(measure=measure, value=parsed.get("value"), target=parsed.get("target"))
            if "target" not in columns:
                problems.pop("target", None)
            errors.extend(RowError(row_number, column, message) for column, message in problems.items())
        if errors:
            report.errors.extend(errors)
        else:
            pending.append((row_number, FinancialQuarter(parsed["year"], parsed["quarter"]), measure, parsed))

    if row_number == HEADER_ROW:
        report.errors.append(RowError(HEADER_ROW + 1, "", "The file has a header row but no results."))
    if report.errors:
        return report

    # Keep what is stored for a column the file leaves out; count updates against what exists.
    existing = {
        (r.measure_id, r.year, r.quarter): r
        for r in MeasureResult.objects.filter(
            measure__in={m.pk for _, _, m, _ in pending}, year__in={p.year for _, p, _, _ in pending}
        )
    }
    for _, period, measure, parsed in pending:
        stored = existing.get((measure.pk, period.year, period.quarter))
        if stored is None:
            report.created += 1
        else:
            report.updated += 1
        entry = ResultEntry(
            measure=measure,
            value=parsed["value"],
            target=parsed.get("target", stored.target if stored else None),
            commentary=parsed.get("commentary", stored.commentary if stored else ""),
        )
        report.rows.append((period, entry))
    return report


def decode(data: bytes) -> str:
    """CSV bytes as text (UTF-8, with or without the byte-order mark Excel writes)."""
    return data.decode("utf-8-sig")


@transaction.atomic
def import_results(*, data: bytes, by: User | None, dry_run: bool = False) -> ImportReport:
    """Check and (unless ``dry_run`` or any error) save every row of a results CSV, all or nothing."""
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return ImportReport(errors=[RowError(HEADER_ROW, "", "The file is not a CSV saved as UTF-8 text.")])
    report = read_results(text)
    if report.ok and not dry_run:
        results_save_many(rows=report.rows, by=by)
        report.saved = True
    return report
