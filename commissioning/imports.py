"""The one import pipeline: every spreadsheet import (contracts, CQC files, measure results) runs through it.

1. **Bound the file before parsing it**: type, size and content as ``commissioning.security`` checks every
   upload; a workbook (.xlsx, .ods) is a zip, so its members' sizes and compression ratios are checked from the
   zip's directory before it is opened (a zip bomb is refused as one). Every limit comes from
   ``settings.IMPORT_LIMITS`` and may be tightened per importer with ``UploadRules``.
2. **Read it into rows, streaming**: CSV (UTF-8 with or without BOM, else Windows-1252; comma or semicolon
   sniffed), or a sheet of an .xlsx/.ods workbook read with python-calamine. The header row is the first of the
   top ``header_search_rows`` rows that holds every required column's heading (titles and notes above it are
   skipped); row numbers stay as the spreadsheet numbers them. Rows, columns and cell lengths are counted while
   reading, and reading stops at the first limit passed. A heading that appears twice is refused, naming it.
3. **Check every row**, collecting a ``RowError`` (row number, column heading, value, message) for each problem,
   never stopping at the first, up to a hard cap (``max_errors``) past which they are only counted.
4. **Write all or nothing**: only when no row has a problem, in one transaction, through the app's services
   (``write_all``). A dry run does every write and then undoes it, so the services' own checks run too; the
   report lists each change a row would make (``ImportReport.changes``).
5. **Large files in the background**: ``run_or_queue`` runs a small file at once and hands a large one to a
   Celery task (``commissioning.tasks.run_import``) that records its progress on an ``ImportJob``.

A file that cannot be read at all (wrong type, too big, no header, missing columns) raises
``ImportFileError``. Domain apps define their columns and what a row means; this module knows none of them.
"""

from __future__ import annotations

import contextvars
import csv
import io
import re
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from .security import neutralise_row, validate_upload

if TYPE_CHECKING:
    from .models import ImportJob, User

HEADER_ROW = 1

# Defaults of every limit; ``settings.IMPORT_LIMITS`` overrides any of them (see config/settings/base.py).
DEFAULT_LIMITS: dict[str, int] = {
    "max_bytes": 5 * 1024 * 1024,
    "max_rows": 20_000,
    "max_columns": 200,
    "max_cell_chars": 10_000,
    "max_unpacked_bytes": 100 * 1024 * 1024,
    "max_compression_ratio": 100,
    "max_errors_shown": 100,
    "max_errors": 10_000,
    "max_changes_kept": 1_000,
    "background_bytes": 256 * 1024,
    "header_search_rows": 30,
    "progress_every": 500,
}
# Compression ratios are judged only on members this large: a tiny XML part may compress 50 times legitimately.
_RATIO_MIN_MEMBER_BYTES = 1024 * 1024
# How much of a CSV file the delimiter is sniffed from.
_SNIFF_BYTES = 8 * 1024
_SNIFF_LINES = 40

MAX_UPLOAD_BYTES = DEFAULT_LIMITS["max_bytes"]
MAX_ROWS = DEFAULT_LIMITS["max_rows"]


def import_limit(name: str) -> int:
    """One limit: from ``settings.IMPORT_LIMITS`` if set there, else the default above."""
    configured = getattr(settings, "IMPORT_LIMITS", None) or {}
    return int(configured.get(name, DEFAULT_LIMITS[name]))


def import_limits() -> dict[str, int]:
    """Every limit, as in effect now (for a page to state them)."""
    return {name: import_limit(name) for name in DEFAULT_LIMITS}


# --- Progress of a background import ---------------------------------------------------------------------


class Progress:
    """Where read_table and ImportReport.error tell how far an import has got. The background task sets one
    (``progress_to``) that writes to its ImportJob; otherwise nothing is recorded. Writes happen at most every
    ``progress_every`` rows or second, and never inside a transaction (a dry run's would be undone, and no one
    else could see them before the commit anyway)."""

    def __init__(self, save: Callable[[int, int], None], *, every: int | None = None) -> None:
        self._save = save
        self.every = every or import_limit("progress_every")
        self.rows = 0
        self.errors = 0
        self._saved_rows = 0
        self._saved_at = 0.0

    def rows_read(self, count: int) -> None:
        self.rows = count
        if count - self._saved_rows >= self.every:
            self.flush()

    def errors_found(self, count: int) -> None:
        self.errors = count
        if time.monotonic() - self._saved_at >= 1.0:
            self.flush()

    def flush(self, *, force: bool = False) -> None:
        if connection.in_atomic_block and not force:
            return
        self._saved_rows, self._saved_at = self.rows, time.monotonic()
        self._save(self.rows, self.errors)


_progress: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("import_progress", default=None)


def progress_to(progress: Progress | None) -> contextvars.Token:
    """Set the progress the pipeline reports to (the import task does); returns the token to reset it with."""
    return _progress.set(progress)


def progress_reset(token: contextvars.Token) -> None:
    _progress.reset(token)


# --- What an import found ---------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class RowError:
    """One problem in a file: the row as a spreadsheet numbers it (the header is row 1), the column's
    heading (blank for the row as a whole), what is wrong, in words, and the cell's value where known."""

    row: int
    column: str
    message: str
    # The cell as written, for the error report; not part of what makes two errors the same.
    value: str = field(default="", compare=False)

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


# Stands for each problem past the cap (``max_errors``): counted, not kept. It sorts after every real row.
NOT_KEPT = RowError(2**62, "", "Not kept: more problems than the report keeps.")


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong type, too large, too many rows, not text, no header row,
    missing or repeated columns. ``column`` names the heading at fault, where there is one."""

    def __init__(self, message: str, *, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Change:
    """What one row did or would do: ``action`` is created, updated, unchanged or skipped (with ``reason``);
    ``record`` names what it is about (a contract's reference, a measure and quarter)."""

    row: int
    action: Literal["created", "updated", "unchanged", "skipped"]
    record: str
    reason: str = ""


@dataclass
class ImportReport:
    """What an import found and did. Importers add what only they report (a subclass per importer, which
    lists extra tables through ``sections`` so that a background job's page can show them)."""

    dry_run: bool = False
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    saved: bool = False
    changes: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors)

    @property
    def kept_errors(self) -> list[RowError]:
        """The problems kept in full: the first ``max_errors`` (past it each is only counted)."""
        return [error for error in self.errors if error is not NOT_KEPT]

    @property
    def errors_truncated(self) -> bool:
        return bool(self.errors) and self.errors[-1] is NOT_KEPT

    @property
    def skipped(self) -> int:
        return sum(1 for change in self.changes if change.action == "skipped")

    def error(self, row: int, column: str, message: str, value: Any = "") -> None:
        # Past the cap one shared placeholder is appended: the count (and ``len(errors)``, which importers
        # compare to see whether a row had a problem) stays right while memory stays small.
        if len(self.errors) < self._max_errors:
            self.errors.append(RowError(row, column, message, cell_text(value)))
        else:
            self.errors.append(NOT_KEPT)
        progress = _progress.get()
        if progress is not None:
            progress.errors_found(self.error_count)

    def change(self, row: int, action: Literal["created", "updated", "unchanged", "skipped"], record: str,
               reason: str = "") -> None:  # fmt: skip
        self.changes.append(Change(row, action, record, reason))

    @property
    def _max_errors(self) -> int:
        if not hasattr(self, "_cap"):
            self._cap = import_limit("max_errors")
        return self._cap

    def fill_values(self, table: Table) -> None:
        """Put each error's cell value in (for the error report) where the importer did not give it."""
        by_number = {row.number: row for row in table.rows}
        field_of = {}
        for name, column in table.columns.items():
            field_of[column.header] = name
            field_of[name] = name
        for position, error in enumerate(self.errors):
            if error is NOT_KEPT:
                break
            row, found = by_number.get(error.row), field_of.get(error.column)
            if error.value or row is None or found is None:
                continue
            self.errors[position] = RowError(error.row, error.column, error.message, row.text(found))

    def sections(self) -> list[dict[str, Any]]:
        """Extra tables a subclass reports (``{"title", "headings", "rows"}``, and ``"count"`` where ``rows`` is
        capped), e.g. rows matching nothing."""
        return []

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, for a background job's result (errors and changes capped)."""
        shown = import_limit("max_errors_shown")
        kept = import_limit("max_changes_kept")
        kept_errors = self.kept_errors
        return {
            "dry_run": self.dry_run,
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "saved": self.saved,
            "ok": self.ok,
            "error_count": self.error_count,
            "errors": [
                {"row": e.row, "column": e.column, "value": e.value, "message": e.message} for e in kept_errors[:shown]
            ],
            "errors_more": self.error_count - min(len(kept_errors), shown),
            "errors_truncated": self.errors_truncated,
            "errors_kept": len(kept_errors),
            "change_count": len(self.changes),
            "changes_more": max(len(self.changes) - kept, 0),
            "changes": [
                {"row": c.row, "action": c.action, "record": c.record, "reason": c.reason} for c in self.changes[:kept]
            ],
            "sections": self.sections(),
        }


def error_report_csv(errors: Sequence[RowError], *, error_count: int | None = None) -> str:
    """The errors as a CSV of row, column, value, problem (cells made safe to open in a spreadsheet), with a
    last line saying so when more problems were found than were kept."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Row", "Column", "Value", "Problem"])
    kept = [error for error in errors if error is not NOT_KEPT]
    for error in kept:
        writer.writerow(neutralise_row([error.row, error.column, error.value, error.message]))
    total = len(errors) if error_count is None else error_count
    if total > len(kept):
        writer.writerow(["", "", "", f"Checking stopped listing problems after {len(kept):,} of {total:,}."])
    return out.getvalue()


# --- The rules a file is held to ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadRules:
    """The limits an import's files are held to, checked before a byte is parsed. A limit left as None is
    read from ``settings.IMPORT_LIMITS`` when the file is checked (``limit``).

    ``messages`` lets an import word the upload problems its own way (see ``security.validate_upload``);
    ``encodings`` are tried in order for a CSV file.
    """

    extensions: tuple[str, ...] = ("csv", "xlsx", "ods")
    max_bytes: int | None = None
    max_rows: int | None = None
    messages: Mapping[str, str] = field(default_factory=dict)
    encodings: tuple[str, ...] = ("utf-8-sig", "cp1252")
    max_columns: int | None = None
    max_cell_chars: int | None = None
    max_unpacked_bytes: int | None = None
    max_compression_ratio: int | None = None
    header_search_rows: int | None = None

    def limit(self, name: str) -> int:
        own = getattr(self, name, None)
        return int(own) if own is not None else import_limit(name)

    def check(self, file: Any) -> str:
        """Check an uploaded file (a form's ``clean_file``); raises ValidationError. Returns its extension.

        A workbook's zip directory is checked first, so that a zip bomb is called one rather than "too large"."""
        name = str(getattr(file, "name", "") or "").lower()
        size = getattr(file, "size", None)
        if name.endswith(tuple(f".{ext}" for ext in WORKBOOK_EXTENSIONS)) and (size or 0) <= self.limit("max_bytes"):
            try:
                file.seek(0)
                check_archive(file, rules=self)
            except ImportFileError as error:
                raise ValidationError(error.message, code="file_unpacked") from error
            finally:
                file.seek(0)
        return validate_upload(
            file,
            allowed_extensions=self.extensions,
            max_bytes=self.limit("max_bytes"),
            messages=dict(self.messages),
        )

    def bound(self, *, content: bytes, filename: str) -> str:
        """The same checks on bytes already read; raises ImportFileError. Returns the extension."""
        try:
            return self.check(ContentFile(content, name=filename))
        except ValidationError as error:
            raise ImportFileError(error.messages[0]) from error


WORKBOOK_EXTENSIONS = ("xlsx", "ods")


def check_archive(file: Any, *, rules: UploadRules) -> None:
    """Refuse a workbook whose zip would unpack to too much, from the zip's directory alone (nothing is
    decompressed): a member far larger than its compressed size is a zip bomb, named as such."""
    max_unpacked = rules.limit("max_unpacked_bytes")
    max_ratio = rules.limit("max_compression_ratio")
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: the content check says so in its own words
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size >= _RATIO_MIN_MEMBER_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > max_ratio:
                raise ImportFileError(
                    f"The file looks like a zip bomb: its part '{info.filename}' would unpack to "
                    f"{filesizeformat(info.file_size)} from {filesizeformat(info.compress_size)}, {ratio:,.0f} times "
                    f"its size (the limit is {max_ratio:,} times), so it was not opened."
                )
    if total > max_unpacked:
        raise ImportFileError(
            f"The workbook is too large once opened: it would unpack to {filesizeformat(total)}, more than the "
            f"limit of {filesizeformat(max_unpacked)}. Split it into smaller files, or save it as CSV."
        )


# --- Columns, rows, tables ----------------------------------------------------------------------------------


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
    stripped; a workbook cell keeps its type (a date, a number) for the importer to read."""

    number: int
    values: dict[str, Any]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def text(self, name: str) -> str:
        return cell_text(self.values.get(name))


@dataclass
class Table:
    """A file read into rows: the columns its header row holds (by field), every row that is not blank, the
    header's row number and the sheet it came from (blank for a CSV)."""

    columns: dict[str, Column]
    rows: list[Row]
    header_row: int = HEADER_ROW
    sheet: str = ""

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


def cell_date(value: Any) -> date:
    """A cell as a date: a spreadsheet's own date, or text as dd/mm/yyyy or yyyy-mm-dd. ValueError saying how
    to write it otherwise (the importer reports it against the row and column)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time of day
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date; use dd/mm/yyyy or yyyy-mm-dd.")


# --- Readers: each yields (row number, cells) -------------------------------------------------------------

Cells = Iterator[tuple[int, list[Any]]]


def _decode(content: bytes, rules: UploadRules) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            rules.messages.get(
                "file_encoding",
                "The file is saved as UTF-16 ('Unicode text'), which cannot be read. Save it as 'CSV UTF-8'.",
            )
        )
    for encoding in rules.encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    names = " or ".join(
        {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "cp1252": "Windows-1252"}.get(e, e) for e in rules.encodings
    )
    raise ImportFileError(
        rules.messages.get("file_encoding", f"The file is not {names} text. Save it as 'CSV UTF-8' and try again.")
    )


def _delimiter(text: str) -> str:
    """Comma or semicolon (as Excel saves CSV where the decimal mark is a comma), sniffed from the start."""
    # The first lines only: the sniffer's work grows with the lines it is given (4,000 short lines take a second).
    sample = "\n".join(text[:_SNIFF_BYTES].splitlines()[:_SNIFF_LINES])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        return ","


def _csv_cells(content: bytes, rules: UploadRules) -> Cells:
    text = _decode(content, rules)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for values in reader:
            # A quoted cell may span lines: the row is numbered by the line it starts on, as Excel shows it.
            yield reader.line_num, values
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportFileError(
                f"Row {reader.line_num} has a cell of more than {csv.field_size_limit():,} characters, more "
                f"than the limit of {rules.limit('max_cell_chars'):,}: shorten it and try again."
            ) from error
        raise ImportFileError(f"Row {reader.line_num} cannot be read as CSV: {error}.") from error


def _sheet_names(wanted: str | Sequence[str] | None) -> list[str]:
    if wanted is None:
        return []
    return [wanted] if isinstance(wanted, str) else list(wanted)


def _workbook_sheets(content: bytes, extension: str, rules: UploadRules, sheet: str | Sequence[str] | None):
    """The workbook's sheets to look in for the header, in order: the named sheet (first name present wins)
    or every sheet."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as error:  # calamine raises several kinds of error for a damaged file
        kind = "an Excel (.xlsx) workbook" if extension == "xlsx" else "an OpenDocument (.ods) spreadsheet"
        raise ImportFileError(
            rules.messages.get(f"file_content.{extension}", f"The file could not be opened as {kind}.")
        ) from error
    present = {normalise_heading(name): name for name in workbook.sheet_names}
    wanted = _sheet_names(sheet)
    if wanted:
        for name in wanted:
            if normalise_heading(name) in present:
                return workbook, [present[normalise_heading(name)]]
        raise ImportFileError(
            f"The workbook has no sheet called {' or '.join(repr(n) for n in wanted)}; "
            f"its sheets are: {', '.join(workbook.sheet_names)}."
        )
    return workbook, list(workbook.sheet_names)


def _sheet_cells(workbook: Any, name: str) -> Cells:
    sheet = workbook.get_sheet_by_name(name)
    first_row = (sheet.start or (0, 0))[0]  # the used area may start below row 1
    for index, values in enumerate(sheet.iter_rows()):
        yield first_row + index + 1, list(values)


# --- The header -------------------------------------------------------------------------------------------


def _holds_header(values: list[Any], columns: Sequence[Column]) -> bool:
    names = {normalise_heading(v) for v in values if not is_blank(v)}
    required = [c for c in columns if c.required]
    if not required:
        return any(normalise_heading(h) in names for c in columns for h in c.headings)
    return all(any(normalise_heading(h) in names for h in c.headings) for c in required)


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


class _Bounds:
    """The limits checked on each row read, raising as soon as one is passed."""

    def __init__(self, rules: UploadRules) -> None:
        self.max_rows = rules.limit("max_rows")
        self.max_columns = rules.limit("max_columns")
        self.max_cell_chars = rules.limit("max_cell_chars")

    def check(self, number: int, values: list[Any]) -> None:
        if len(values) > self.max_columns:
            # Trailing empty cells (a sheet formatted to column XFD) are not columns.
            used = len(values)
            while used and is_blank(values[used - 1]):
                used -= 1
            if used > self.max_columns:
                raise ImportFileError(
                    f"The file has more than {self.max_columns:,} columns (row {number} has {used:,}): "
                    "remove the columns the import does not need."
                )
        for position, value in enumerate(values):
            if isinstance(value, str) and len(value) > self.max_cell_chars:
                raise ImportFileError(
                    f"Row {number}, column {position + 1} has a cell of {len(value):,} characters, more than the "
                    f"limit of {self.max_cell_chars:,}: shorten it and try again."
                )


def _no_header(columns: Sequence[Column], search_rows: int) -> ImportFileError:
    wanted = ", ".join(c.header for c in columns if c.required) or ", ".join(c.header for c in columns)
    return ImportFileError(
        f"The file has no header row: the first row must hold the column headings ({wanted}), "
        f"and none of the first {search_rows:,} rows does."
    )


def _header_or_refuse(
    header: tuple[int, list[Any]] | None, columns: Sequence[Column], search_rows: int, unknown: Any
) -> tuple[int, list[Any]]:
    """The header found, or a refusal: the missing columns named if the top row has some of the headings."""
    if header is None:
        raise ImportFileError("The file is empty: the first row must hold the column headings.")
    if not _holds_header(header[1], columns):
        known = {normalise_heading(h) for c in columns for h in c.headings}
        if not any(normalise_heading(v) in known for v in header[1]):
            raise _no_header(columns, search_rows)
        _header(header[1], columns, unknown)  # names the missing columns
    return header


def _find_header(
    cells: Cells, columns: Sequence[Column], bounds: _Bounds, search_rows: int
) -> tuple[int, list[Any]] | None:
    """The first of the top ``search_rows`` rows holding every required heading. If none does, the first row
    with anything in it, so that the missing columns are named; None for a file with nothing at the top."""
    first: tuple[int, list[Any]] | None = None
    for seen, (number, values) in enumerate(cells, start=1):
        bounds.check(number, values)
        if not all(is_blank(v) for v in values):
            if _holds_header(values, columns):
                return number, values
            first = first or (number, values)
        if seen >= search_rows:
            break
    return first


def _read_rows(
    cells: Cells, header: tuple[int, list[Any]], columns: Sequence[Column], rules: UploadRules, unknown: Any
) -> tuple[dict[int, Column], list[Row]]:
    bounds = _Bounds(rules)
    positions = _header(header[1], columns, unknown)
    progress = _progress.get()
    rows: list[Row] = []
    for number, values in cells:
        bounds.check(number, values)
        if all(is_blank(v) for v in values):
            continue  # blank lines at the end of a spreadsheet are not rows
        if len(rows) >= bounds.max_rows:
            raise ImportFileError(
                f"The file has more than {bounds.max_rows:,} rows (it has at least {bounds.max_rows + 1:,}): "
                "split it into smaller files and import each."
            )
        row = {}
        for index, column in positions.items():
            value = values[index] if index < len(values) else None
            row[column.field] = value.strip() if isinstance(value, str) else value
        rows.append(Row(number=number, values=row))
        if progress is not None:
            progress.rows_read(len(rows))
    return positions, rows


def read_table(
    *,
    content: bytes,
    filename: str,
    columns: Sequence[Column],
    rules: UploadRules,
    unknown: Literal["refuse", "ignore"] = "refuse",
    sheet: str | Sequence[str] | None = None,
) -> Table:
    """Bound the file, then find its header row and read its rows. Raises ImportFileError for a file that
    cannot be read.

    ``sheet`` names the workbook sheet(s) to read (the first name present wins; compared as headings are),
    else the first sheet whose top rows hold the header. ``unknown="ignore"`` accepts headings that are none of
    ``columns`` (a downloaded directory with many columns); by default they are refused, so a misspelt heading
    is not quietly left out.
    """
    extension = rules.bound(content=content, filename=filename)
    search_rows = rules.limit("header_search_rows")
    bounds = _Bounds(rules)
    if extension in WORKBOOK_EXTENSIONS:
        workbook, names = _workbook_sheets(content, extension, rules, sheet)
        try:
            fallback = None
            for name in names:
                cells = _sheet_cells(workbook, name)
                header = _find_header(cells, columns, bounds, search_rows)
                if header is not None and _holds_header(header[1], columns):
                    positions, rows = _read_rows(cells, header, columns, rules, unknown)
                    return _table(positions, rows, header[0], name)
                fallback = fallback or header
            _header_or_refuse(fallback, columns, search_rows, unknown)
            raise _no_header(columns, search_rows)
        finally:
            workbook.close()
    cells = _csv_cells(content, rules)
    header = _header_or_refuse(_find_header(cells, columns, bounds, search_rows), columns, search_rows, unknown)
    positions, rows = _read_rows(cells, header, columns, rules, unknown)
    return _table(positions, rows, header[0], "")


def _table(positions: dict[int, Column], rows: list[Row], header_row: int, sheet: str) -> Table:
    present = {column.field: column for column in positions.values()}
    return Table(columns=present, rows=rows, header_row=header_row, sheet=sheet)


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


# --- Inline or in the background --------------------------------------------------------------------------


def run_or_queue(
    *,
    importer: str,
    content: bytes,
    filename: str,
    by: User,
    dry_run: bool,
    options: dict | None = None,
    background: bool | None = None,
) -> ImportReport | ImportJob:
    """Run an import now if the file is small, else store it and queue ``commissioning.tasks.run_import``.

    ``importer`` is the dotted path of a function ``(*, content, filename, by, dry_run=False, **options) ->
    ImportReport`` (found by name, so this core imports no domain app). ``background`` True or False forces
    the choice. An inline run whose file has problems is recorded as a finished ImportJob too, so its error
    report can be downloaded (``report.job``). ImportFileError from an inline run reaches the caller.
    """
    from celery import current_app
    from django.utils.module_loading import import_string

    from .models import ImportJob

    options = dict(options or {})
    if background is None:
        background = len(content) > import_limit("background_bytes")
    if not background:
        report = import_string(importer)(content=content, filename=filename, by=by, dry_run=dry_run, **options)
        if report.errors:
            now = timezone.now()
            report.job = ImportJob.objects.create(
                importer=importer,
                filename=filename[:255],
                created_by=by,
                dry_run=dry_run,
                options=options,
                status=ImportJob.Status.SUCCEEDED if report.ok else ImportJob.Status.FAILED,
                rows_read=report.rows_read,
                error_count=report.error_count,
                result=report.to_dict(),
                error_report=error_report_csv(report.errors),
                started_at=now,
                finished_at=now,
            )
        return report
    with transaction.atomic():
        job = ImportJob(importer=importer, filename=filename[:255], created_by=by, dry_run=dry_run, options=options)
        job.file.save(f"{job.pk}.{filename.rsplit('.', 1)[-1].lower()[:8]}", ContentFile(content), save=False)
        job.save()
        # Found by name in Celery's registry: the task module imports this one, not the other way round.
        task = current_app.tasks["commissioning.tasks.run_import"]
        transaction.on_commit(lambda: task.delay(job_id=str(job.pk)))
    return job
