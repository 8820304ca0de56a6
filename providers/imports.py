"""Import of the CQC care directory with ratings (CSV, or the same columns in an .xlsx workbook).

Rows are matched to our locations by CQC location ID. The file is checked first: if any row has
an error, nothing is imported and every error is reported with its row number, column and reason.
Rows for locations we do not manage are listed as unmatched, not treated as errors (the directory
covers every registered location in England). Importing the same file again updates, never duplicates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from commissioning.models import User

from .models import CQC_RATING_RANK, CqcRating, CqcRatingValue, Location

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

KEY_QUESTIONS = ("safe", "effective", "caring", "responsive", "well_led")

# Our field -> the headings it may have in a CQC file (compared ignoring case, spaces and punctuation).
COLUMNS: dict[str, tuple[str, ...]] = {
    "location_id": ("Location ID", "CQC Location ID", "CQC Location ID (for office use only)"),
    "location_name": ("Location Name", "Name"),
    "provider_id": ("Provider ID", "CQC Provider ID", "CQC Provider ID (for office use only)"),
    "provider_name": ("Provider Name",),
    "overall": ("Location Latest Overall Rating", "Overall Rating", "Latest Overall Rating", "Overall"),
    "published_on": ("Publication Date", "Location Latest Overall Rating Publication Date", "Date of latest check"),
    "safe": ("Safe", "Location Latest Safe Rating", "Safe Rating"),
    "effective": ("Effective", "Location Latest Effective Rating", "Effective Rating"),
    "caring": ("Caring", "Location Latest Caring Rating", "Caring Rating"),
    "responsive": ("Responsive", "Location Latest Responsive Rating", "Responsive Rating"),
    "well_led": ("Well-led", "Well led", "Location Latest Well-led Rating", "Well-led Rating"),
}
REQUIRED_COLUMNS = ("location_id", "overall", "published_on")
COLUMN_TITLES = {name: headings[0] for name, headings in COLUMNS.items()}

RATING_WORDS = {
    "outstanding": CqcRatingValue.OUTSTANDING,
    "good": CqcRatingValue.GOOD,
    "requires improvement": CqcRatingValue.REQUIRES_IMPROVEMENT,
    "inadequate": CqcRatingValue.INADEQUATE,
    "not yet rated": CqcRatingValue.NOT_RATED,
    "not rated": CqcRatingValue.NOT_RATED,
    "no published rating": CqcRatingValue.NOT_RATED,
    "insufficient evidence to rate": CqcRatingValue.NOT_RATED,
}
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%m-%Y", "%d/%m/%y")


class ImportFileError(Exception):
    """The file cannot be read at all (wrong type, not UTF-8, no header row)."""


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column}: {self.message}"


@dataclass(frozen=True)
class UnmatchedRow:
    row: int
    location_id: str
    location_name: str
    provider_name: str


@dataclass(frozen=True)
class RatingDrop:
    location: Location
    previous: str
    previous_on: date
    new: str
    new_on: date

    @property
    def previous_label(self) -> str:
        return CqcRatingValue(self.previous).label

    @property
    def new_label(self) -> str:
        return CqcRatingValue(self.new).label


@dataclass
class ParsedRow:
    row: int
    location_id: str
    location_name: str
    provider_name: str
    published_on: date
    ratings: dict[str, str]


@dataclass
class CqcImportResult:
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    unmatched: list[UnmatchedRow] = field(default_factory=list)
    drops: list[RatingDrop] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def matched(self) -> int:
        return self.created + self.updated + self.unchanged


def _normalise(heading: str) -> str:
    return "".join(ch for ch in heading.lower() if ch.isalnum())


_HEADING_TO_FIELD = {_normalise(heading): name for name, headings in COLUMNS.items() for heading in headings}


def read_table(*, content: bytes, filename: str) -> list[list[str]]:
    """Rows of cells as text from a .csv or .xlsx file's bytes (dates in workbooks come back as dd/mm/yyyy)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many types for a damaged file
            raise ImportFileError("The file is not a readable Excel workbook (.xlsx).") from error
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            cells = []
            for value in values:
                if isinstance(value, datetime | date):
                    cells.append(value.strftime("%d/%m/%Y"))
                else:
                    cells.append("" if value is None else str(value))
            rows.append(cells)
        workbook.close()
        return rows
    if name.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError as error:
                raise ImportFileError("The file is not a text CSV file (it could not be read as UTF-8).") from error
        return list(csv.reader(io.StringIO(text)))
    raise ImportFileError("The file must be a CSV (.csv) or Excel workbook (.xlsx).")


def _parse_rating(value: str) -> str | None:
    return RATING_WORDS.get(" ".join(value.lower().replace("-", " ").split()))


def _parse_date(value: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_rows(table: list[list[str]], *, today: date) -> tuple[list[ParsedRow], list[RowError]]:
    """Check the header and every row; return the good rows and an error for each problem found."""
    if not table or not any(cell.strip() for cell in table[0]):
        return [], [RowError(1, "header", "The file is empty: the first row must hold the column headings.")]
    positions: dict[str, int] = {}
    for index, heading in enumerate(table[0]):
        name = _HEADING_TO_FIELD.get(_normalise(heading))
        if name and name not in positions:
            positions[name] = index
    missing = [COLUMN_TITLES[name] for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        return [], [RowError(1, "header", f"Missing column: {title}.") for title in missing]

    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, date], int] = {}
    for row_number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(name: str, cells=cells) -> str:
            index = positions.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        row_errors = []
        location_id = cell("location_id")
        if not location_id:
            row_errors.append(RowError(row_number, COLUMN_TITLES["location_id"], "Enter the CQC location ID."))
        ratings: dict[str, str] = {}
        overall_text = cell("overall")
        overall = _parse_rating(overall_text)
        if not overall_text:
            row_errors.append(RowError(row_number, COLUMN_TITLES["overall"], "Enter the overall rating."))
        elif overall is None:
            row_errors.append(RowError(row_number, COLUMN_TITLES["overall"], f"'{overall_text}' is not a CQC rating."))
        else:
            ratings["overall"] = overall
        for question in KEY_QUESTIONS:
            text = cell(question)
            if not text:
                ratings[question] = ""
                continue
            value = _parse_rating(text)
            if value is None:
                row_errors.append(RowError(row_number, COLUMN_TITLES[question], f"'{text}' is not a CQC rating."))
            else:
                ratings[question] = value
        date_text = cell("published_on")
        published_on = _parse_date(date_text) if date_text else None
        if not date_text:
            row_errors.append(RowError(row_number, COLUMN_TITLES["published_on"], "Enter the publication date."))
        elif published_on is None:
            row_errors.append(
                RowError(
                    row_number,
                    COLUMN_TITLES["published_on"],
                    f"'{date_text}' is not a date; use day/month/year, e.g. 01/06/2018.",
                )
            )
        elif published_on > today:
            row_errors.append(RowError(row_number, COLUMN_TITLES["published_on"], f"{date_text} is in the future."))
        if not row_errors:
            key = (location_id, published_on)
            if key in seen:
                row_errors.append(
                    RowError(
                        row_number,
                        COLUMN_TITLES["location_id"],
                        f"Location {location_id} already has a rating published on {date_text} in row {seen[key]}.",
                    )
                )
            else:
                seen[key] = row_number
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.append(
            ParsedRow(
                row=row_number,
                location_id=location_id,
                location_name=cell("location_name"),
                provider_name=cell("provider_name"),
                published_on=published_on,
                ratings=ratings,
            )
        )
    return parsed, errors


def _is_drop(previous: str, new: str) -> bool:
    if previous not in CQC_RATING_RANK or new not in CQC_RATING_RANK:
        return False
    return CQC_RATING_RANK[new] < CQC_RATING_RANK[previous]


@transaction.atomic
def cqc_ratings_import(
    *, content: bytes, filename: str, by: User | None, dry_run: bool = False, today: date | None = None
) -> CqcImportResult:
    """Check a CQC ratings file and, if every row is good and this is not a dry run, save the ratings.

    Raises ImportFileError when the file cannot be read at all. Returns the result with row errors,
    unmatched rows, counts and rating drops (a new overall rating below the one before it).
    """
    today = today or timezone.localdate()
    result = CqcImportResult(dry_run=dry_run)
    table = read_table(content=content, filename=filename)
    rows, result.errors = parse_rows(table, today=today)
    result.rows_read = sum(1 for cells in table[1:] if any(cell.strip() for cell in cells))
    if result.errors:
        return result

    locations = {
        location.cqc_location_id: location
        for location in Location.objects.select_related("provider").filter(
            cqc_location_id__in={row.location_id for row in rows}
        )
    }
    existing: dict[int, list[CqcRating]] = {}
    for rating in CqcRating.objects.filter(location__in=locations.values()).order_by("published_on", "pk"):
        existing.setdefault(rating.location_id, []).append(rating)

    for row in rows:
        location = locations.get(row.location_id)
        if location is None:
            result.unmatched.append(UnmatchedRow(row.row, row.location_id, row.location_name, row.provider_name))
            continue
        history = existing.setdefault(location.pk, [])
        same_day = next((rating for rating in history if rating.published_on == row.published_on), None)
        before = [rating for rating in history if rating.published_on < row.published_on]
        if before and _is_drop(before[-1].overall, row.ratings["overall"]):
            previous = before[-1]
            new = row.ratings["overall"]
            result.drops.append(RatingDrop(location, previous.overall, previous.published_on, new, row.published_on))
        if same_day is not None:
            if all(getattr(same_day, name) == value for name, value in row.ratings.items()):
                result.unchanged += 1
                continue
            result.updated += 1
            rating = same_day
        else:
            result.created += 1
            rating = CqcRating(location=location, published_on=row.published_on)
            history.append(rating)
            history.sort(key=lambda r: r.published_on)
        for name, value in row.ratings.items():
            setattr(rating, name, value)
        if not dry_run:
            rating._history_user = by  # simple_history records who imported it
            rating.save()
    return result
