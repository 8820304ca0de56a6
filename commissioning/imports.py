"""The one import pipeline: every spreadsheet import (contracts, CQC ratings, measure results) runs through it.

1. **Bound the file before parsing it**: type, size and content as ``commissioning.security`` checks every
   upload (an .xlsx is also refused if it would unpack to too much), then a limit on the number of rows.
2. **Read it into rows**: CSV or the first sheet of an .xlsx workbook, with the header row's headings
   normalised (case, spaces and punctuation do not matter) and matched to the importer's columns. A heading
   that appears twice is refused, naming it: which of the two columns would count is anyone's guess.
3. **Check every row**, collecting a ``RowError`` (row number as the spreadsheet numbers it, column heading,
   message) for each problem, never stopping at the first.
4. **Write all or nothing**: only when no row has a problem, in one transaction, through the app's services
   (``write_all``). A dry run does every write and then undoes it, so the services' own checks run too.

A file that cannot be read at all (wrong type, too big, no header, missing columns) raises
``ImportFileError``. Domain apps define their columns and what a row means; this module knows none of them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from .security import validate_upload

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_ROW = 1


@dataclass(frozen=True, order=True)
class RowError:
    """One problem in a file: the row as a spreadsheet numbers it (the header is row 1), the column's
    heading (blank for the row as a whole) and what is wrong, in words."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong type, too large, too many rows, not text, no header row,
    missing or repeated columns. ``column`` names the heading at fault, where there is one."""

    def __init__(self, message: str, *, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass
class ImportReport:
    """What an import found and did. Importers add what only they report (a subclass per importer)."""

    dry_run: bool = False
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))


@dataclass(frozen=True)
class UploadRules:
    """The limits an import's files are held to, checked before a byte is parsed.

    ``messages`` lets an import word the upload problems its own way (see ``security.validate_upload``);
    ``encodings`` are tried in order for a CSV file.
    """

    extensions: tuple[str, ...] = ("csv", "xlsx")
    max_bytes: int = MAX_UPLOAD_BYTES
    max_rows: int = MAX_ROWS
    messages: Mapping[str, str] = field(default_factory=dict)
    encodings: tuple[str, ...] = ("utf-8-sig",)

    def check(self, file: Any) -> str:
        """Check an uploaded file (a form's ``clean_file``); raises ValidationError. Returns its extension."""
        return validate_upload(
            file, allowed_extensions=self.extensions, max_bytes=self.max_bytes, messages=dict(self.messages)
        )

    def bound(self, *, content: bytes, filename: str) -> str:
        """The same checks on bytes already read; raises ImportFileError. Returns the extension."""
        try:
            return self.check(ContentFile(content, name=filename))
        except ValidationError as error:
            raise ImportFileError(error.messages[0]) from error


@dataclass(frozen=True)
class Column:
    """A column an import reads: the heading its template writes, the field it fills, other headings that
    mean the same (matched after ``normalise_heading``), and what to enter, for the template's notes."""

    header: str
    field: str
    required: bool = False
    help: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def headings(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass
class Row:
    """One row with something in it: its number in the file and its cells by field name. Text cells are
    stripped; an .xlsx cell keeps its type (a date, a number) for the importer to read."""

    number: int
    values: dict[str, Any]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def text(self, name: str) -> str:
        return cell_text(self.values.get(name))


@dataclass
class Table:
    """A file read into rows: the columns its header row holds (by field) and every row that is not blank."""

    columns: dict[str, Column]
    rows: list[Row]

    def has(self, name: str) -> bool:
        return name in self.columns


_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


def normalise_heading(heading: Any) -> str:
    """How headings are compared: 'Well-led', 'WELL LED ' and 'well_led' are the same heading."""
    text = "" if heading is None else str(heading)
    return _NOT_ALPHANUMERIC.sub(" ", text.lower()).strip()


def cell_text(value: Any) -> str:
    """A cell as text: blank for nothing, dd/mm/yyyy for a date, 12 rather than 12.0 for a whole number."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _csv_cells(content: bytes, rules: UploadRules) -> Iterator[list[Any]]:
    for encoding in rules.encodings:
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(
            rules.messages.get("file_encoding", "The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.")
        )
    yield from csv.reader(io.StringIO(text))


def _xlsx_cells(content: bytes, rules: UploadRules) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds of error for a damaged file
        raise ImportFileError(
            rules.messages.get("file_content.xlsx", "The file could not be opened as an Excel (.xlsx) workbook.")
        ) from error
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _cells(*, content: bytes, extension: str, rules: UploadRules) -> Iterator[list[Any]]:
    if extension == "xlsx":
        return _xlsx_cells(content, rules)
    return _csv_cells(content, rules)


def _header(headings: list[Any], columns: Sequence[Column], unknown: Literal["refuse", "ignore"]) -> dict[int, Column]:
    """Position -> column for each heading that is one of ``columns``; refuses repeats, unknowns, gaps."""
    by_heading = {normalise_heading(h): column for column in columns for h in column.headings}
    positions: dict[int, Column] = {}
    seen: dict[str, str] = {}
    strangers = []
    for index, heading in enumerate(headings):
        name = normalise_heading(heading)
        if not name:
            continue
        column = by_heading.get(name)
        if column is None:
            strangers.append(str(heading).strip())
            continue
        written = str(heading).strip()
        if column.field in seen:
            first = seen[column.field]
            both = f"'{written}'" if first == written else f"'{first}' and '{written}'"
            raise ImportFileError(
                f"The header row has {both} as two columns for {column.header}: keep one and try again.",
                column=column.header,
            )
        seen[column.field] = written
        positions[index] = column
    if strangers and unknown == "refuse":
        raise ImportFileError(f"The header row has columns the template does not: {', '.join(strangers)}.")
    missing = [column.header for column in columns if column.required and column.field not in seen]
    if missing:
        raise ImportFileError(
            f"The header row is missing these columns: {', '.join(missing)}.", column=", ".join(missing)
        )
    return positions


def read_table(
    *,
    content: bytes,
    filename: str,
    columns: Sequence[Column],
    rules: UploadRules,
    unknown: Literal["refuse", "ignore"] = "refuse",
) -> Table:
    """Bound the file, then read its header and rows. Raises ImportFileError for a file that cannot be read.

    ``unknown="ignore"`` accepts headings that are none of ``columns`` (a downloaded directory with many
    columns); by default they are refused, so a misspelt heading is not quietly left out.
    """
    extension = rules.bound(content=content, filename=filename)
    cells = _cells(content=content, extension=extension, rules=rules)
    headings = next(cells, None)
    if headings is None or all(is_blank(h) for h in headings):
        raise ImportFileError("The file is empty: the first row must hold the column headings.")
    positions = _header(headings, columns, unknown)
    rows: list[Row] = []
    for number, values in enumerate(cells, start=HEADER_ROW + 1):
        if all(is_blank(v) for v in values):
            continue  # blank lines at the end of a spreadsheet are not rows
        if len(rows) >= rules.max_rows:
            raise ImportFileError(
                f"The file has more than {rules.max_rows:,} rows: split it into smaller files and import each."
            )
        row = {}
        for index, column in positions.items():
            value = values[index] if index < len(values) else None
            row[column.field] = value.strip() if isinstance(value, str) else value
        rows.append(Row(number=number, values=row))
    present = {column.field: column for column in positions.values()}
    return Table(columns=present, rows=rows)


R = TypeVar("R", bound=ImportReport)


def write_all(report: R, write: Callable[[], None], *, dry_run: bool) -> R:
    """Nothing saved on error: ``write`` runs only if every row passed its checks, in one transaction, and
    its writes are undone if it reports a problem of its own (``report.error``) or this is a dry run."""
    if report.errors:
        report.errors.sort()
        return report
    with transaction.atomic():
        write()
        if report.errors or dry_run:
            transaction.set_rollback(True)
    report.errors.sort()
    report.saved = report.ok and not dry_run
    return report


def refuse_rows(what: str, problems: dict[int, ValidationError]) -> ValidationError:
    """One ValidationError for a refused batch of a bulk service: each message keyed by the row's position in
    the batch and its field (``visits[3].visited_on``; ``visits[3].__all__`` for the row as a whole)."""
    keyed: dict[str, Any] = {}
    for position, error in sorted(problems.items()):
        for name, messages in error.update_error_dict({}).items():
            keyed[f"{what}[{position}].{name}"] = messages
    return ValidationError(keyed)
