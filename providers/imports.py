"""Import of the CQC care directory with ratings (CSV, or the same columns in an .xlsx workbook), on the one
import pipeline (``commissioning.imports``).

Rows are matched to our locations by CQC location ID. The file is checked first: if any row has
an error, nothing is imported and every error is reported with its row number, column and reason.
Rows for locations we do not manage are listed as unmatched, not treated as errors (the directory
covers every registered location in England). Importing the same file again updates, never duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from commissioning.imports import (
    Column,
    ImportFileError,
    ImportReport,
    Row,
    RowError,
    UploadRules,
    read_table,
    write_all,
)
from commissioning.models import User

from .models import CqcRatingValue, Location
from .services import KEY_QUESTIONS, RatingDrop, RatingEntry, cqc_ratings_record

__all__ = ["COLUMNS", "UPLOAD", "CqcImportReport", "ImportFileError", "RatingDrop", "RowError", "cqc_ratings_import"]

# This page's own wording for each upload problem that commissioning.security finds. The directory is often
# saved from Excel in Windows' own encoding, so that is read too.
UPLOAD = UploadRules(
    extensions=("csv", "xlsx"),
    max_bytes=5 * 1024 * 1024,
    messages={
        "file_type": "The file must be a CSV (.csv) or Excel workbook (.xlsx)",
        "file_empty": "The file is empty",
        "file_size": "The file must be smaller than 5 MB",
        "file_content.xlsx": "The file is not a readable Excel workbook (.xlsx)",
        "file_content.csv": "The file is not a CSV (.csv) file: it contains binary data",
        "file_encoding": "The file is not a text CSV file (it could not be read as UTF-8)",
    },
    encodings=("utf-8-sig", "cp1252"),
)
MAX_UPLOAD_BYTES = UPLOAD.max_bytes

# The headings each field may have in a CQC file (compared ignoring case, spaces and punctuation).
COLUMNS = [
    Column("Location ID", "location_id", True, aliases=("CQC Location ID", "CQC Location ID (for office use only)")),
    Column("Location Name", "location_name", aliases=("Name",)),
    Column("Provider ID", "provider_id", aliases=("CQC Provider ID", "CQC Provider ID (for office use only)")),
    Column("Provider Name", "provider_name"),
    Column(
        "Location Latest Overall Rating",
        "overall",
        True,
        aliases=("Overall Rating", "Latest Overall Rating", "Overall"),
    ),
    Column(
        "Publication Date",
        "published_on",
        True,
        aliases=("Location Latest Overall Rating Publication Date", "Date of latest check"),
    ),
    Column("Safe", "safe", aliases=("Location Latest Safe Rating", "Safe Rating")),
    Column("Effective", "effective", aliases=("Location Latest Effective Rating", "Effective Rating")),
    Column("Caring", "caring", aliases=("Location Latest Caring Rating", "Caring Rating")),
    Column("Responsive", "responsive", aliases=("Location Latest Responsive Rating", "Responsive Rating")),
    Column("Well-led", "well_led", aliases=("Location Latest Well-led Rating", "Well-led Rating")),
]
TITLES = {column.field: column.header for column in COLUMNS}

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


@dataclass(frozen=True)
class UnmatchedRow:
    row: int
    location_id: str
    location_name: str
    provider_name: str


@dataclass
class ParsedRow:
    row: int
    location_id: str
    location_name: str
    provider_name: str
    published_on: date
    ratings: dict[str, str]


@dataclass
class CqcImportReport(ImportReport):
    """The pipeline's report, with the rows that matched no location we manage and the rating drops."""

    unmatched: list[UnmatchedRow] = field(default_factory=list)
    drops: list[RatingDrop] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return self.created + self.updated + self.unchanged


def _parse_rating(value: str) -> str | None:
    return RATING_WORDS.get(" ".join(value.lower().replace("-", " ").split()))


def _parse_date(value: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def _ratings(row: Row, report: ImportReport) -> dict[str, str]:
    ratings: dict[str, str] = {}
    overall_text = row.text("overall")
    overall = _parse_rating(overall_text)
    if not overall_text:
        report.error(row.number, TITLES["overall"], "Enter the overall rating.")
    elif overall is None:
        report.error(row.number, TITLES["overall"], f"'{overall_text}' is not a CQC rating.")
    else:
        ratings["overall"] = overall
    for question in KEY_QUESTIONS:
        text = row.text(question)
        value = _parse_rating(text) if text else ""
        if value is None:
            report.error(row.number, TITLES[question], f"'{text}' is not a CQC rating.")
        else:
            ratings[question] = value
    return ratings


def _published_on(row: Row, report: ImportReport, today: date) -> date | None:
    text = row.text("published_on")
    title = TITLES["published_on"]
    if not text:
        report.error(row.number, title, "Enter the publication date.")
        return None
    published_on = _parse_date(text)
    if published_on is None:
        report.error(row.number, title, f"'{text}' is not a date; use day/month/year, e.g. 01/06/2018.")
    elif published_on > today:
        report.error(row.number, title, f"{text} is in the future.")
        return None
    return published_on


def parse_rows(rows: list[Row], report: ImportReport, *, today: date) -> list[ParsedRow]:
    """Check every row; return the good ones, adding an error to ``report`` for each problem found."""
    parsed: list[ParsedRow] = []
    seen: dict[tuple[str, date], int] = {}
    for row in rows:
        before = len(report.errors)
        location_id = row.text("location_id")
        if not location_id:
            report.error(row.number, TITLES["location_id"], "Enter the CQC location ID.")
        ratings = _ratings(row, report)
        published_on = _published_on(row, report, today)
        if len(report.errors) > before or published_on is None:
            continue
        key = (location_id, published_on)
        if key in seen:
            report.error(
                row.number,
                TITLES["location_id"],
                f"Location {location_id} already has a rating published on {row.text('published_on')} "
                f"in row {seen[key]}.",
            )
            continue
        seen[key] = row.number
        parsed.append(
            ParsedRow(
                row=row.number,
                location_id=location_id,
                location_name=row.text("location_name"),
                provider_name=row.text("provider_name"),
                published_on=published_on,
                ratings=ratings,
            )
        )
    return parsed


def cqc_ratings_import(
    *, content: bytes, filename: str, by: User | None, dry_run: bool = False, today: date | None = None
) -> CqcImportReport:
    """Check a CQC ratings file and, if every row is good, save the ratings (a dry run saves and undoes).

    Raises ImportFileError when the file cannot be read at all. Returns the report with row errors,
    unmatched rows, counts and rating drops (a new overall rating below the one before it).
    ``by`` None: a command run on the server with no user named.
    """
    today = today or timezone.localdate()
    report = CqcImportReport(dry_run=dry_run)
    table = read_table(content=content, filename=filename, columns=COLUMNS, rules=UPLOAD, unknown="ignore")
    report.rows_read = len(table.rows)
    rows = parse_rows(table.rows, report, today=today)
    if report.errors:
        return write_all(report, lambda: None, dry_run=dry_run)
    locations = {
        location.cqc_location_id: location
        for location in Location.objects.select_related("provider").filter(
            cqc_location_id__in={row.location_id for row in rows}
        )
    }
    matched: list[ParsedRow] = []
    for row in rows:
        if row.location_id in locations:
            matched.append(row)
        else:
            report.unmatched.append(UnmatchedRow(row.row, row.location_id, row.location_name, row.provider_name))

    def write() -> None:
        entries = [RatingEntry(locations[row.location_id], row.published_on, row.ratings) for row in matched]
        done = cqc_ratings_record(entries=entries, by=by, today=today)
        for position, problem in done.problems.items():
            for name, messages in problem.message_dict.items():
                for message in messages:
                    report.error(matched[position].row, TITLES.get(name, ""), message)
        report.created, report.updated, report.unchanged = done.created, done.updated, done.unchanged
        report.drops = done.drops

    return write_all(report, write, dry_run=dry_run)
