"""Import of the CQC care directory with ratings (CSV, or the same columns in an .xlsx workbook), on the one
import pipeline (``commissioning.imports``).

Rows are matched to our locations by CQC location ID. The file is checked first: if any row has
an error, nothing is imported and every error is reported with its row number, column and reason.
Rows for locations we do not manage are listed as unmatched, not treated as errors (the directory
covers every registered location in England). Importing the same file again updates, never duplicates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from commissioning.imports import (
    Column,
    ImportFileError,
    ImportReport,
    Row,
    RowError,
    Table,
    UploadRules,
    normalise_heading,
    read_table,
    write_all,
)
from commissioning.models import User

from .models import CqcRating, CqcRatingValue, Location, Provider
from .services import (
    KEY_QUESTIONS,
    CqcLocationAttributes,
    LocationInFile,
    RatingDrop,
    RatingEntry,
    RatingsRecorded,
    cqc_location_change_of_owner,
    cqc_location_changes,
    cqc_locations_flag_for_review,
    cqc_locations_seen_in_file,
    cqc_ratings_mark_inherited,
    cqc_ratings_record,
)

__all__ = [
    "COLUMNS",
    "UPLOAD",
    "CqcImportReport",
    "CqcLocationsImportReport",
    "CqcLongRatingsImportReport",
    "ImportFileError",
    "RatingDrop",
    "RowError",
    "cqc_locations_import",
    "cqc_long_ratings_import",
    "cqc_ratings_import",
]

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


# Rows of each extra table kept for the page and a background job's result: CQC's national file lists some
# 50,000 locations, nearly all of them not the council's. The table's title gives the full count.
SECTION_ROWS = 200


def _section(title: str, headings: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    return {"title": title, "headings": headings, "rows": rows[:SECTION_ROWS], "count": len(rows)}


@dataclass
class CqcImportReport(ImportReport):
    """The pipeline's report, with the rows that matched no location we manage and the rating drops."""

    unmatched: list[UnmatchedRow] = field(default_factory=list)
    drops: list[RatingDrop] = field(default_factory=list)

    def sections(self) -> list[dict[str, Any]]:
        return [
            _section(
                "Rows that did not match a location we manage",
                ["Row", "CQC location ID", "Location", "Provider"],
                [[u.row, u.location_id, u.location_name, u.provider_name] for u in self.unmatched],
            )
        ]

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


def _record_ratings(
    *, entries: list[RatingEntry], rows: list[int], titles: dict[str, str], report: ImportReport, by, today: date
) -> RatingsRecorded:
    """Record ratings through the service; each entry it refuses is reported on its file row (``rows``, by
    position) and column (``titles``, by field)."""
    done = cqc_ratings_record(entries=entries, by=by, today=today)
    for position, problem in done.problems.items():
        for name, messages in problem.message_dict.items():
            for message in messages:
                report.error(rows[position], titles.get(name, ""), message)
    return done


def cqc_ratings_import(
    *, content: bytes, filename: str, by: User | None, dry_run: bool = False, today: date | None = None, **options: Any
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
        rows = [row.row for row in matched]
        done = _record_ratings(entries=entries, rows=rows, titles=TITLES, report=report, by=by, today=today)
        report.created, report.updated, report.unchanged = done.created, done.updated, done.unchanged
        report.drops = done.drops

    return write_all(report, write, dry_run=dry_run)


# --- CQC's HSCA active locations file and the long-format ratings file ---------------------------


def _yes_no(row: Row, name: str, title: str, report: ImportReport) -> bool | None:
    """CQC writes its flags as Y or N (or Yes/No, or blank for no)."""
    value = row.get(name)
    if isinstance(value, bool):
        return value
    text = row.text(name).lower()
    if text in ("y", "yes", "true", "1"):
        return True
    if text in ("", "n", "no", "false", "0"):
        return False
    report.error(row.number, title, f"'{row.text(name)}' is not Y or N.")
    return None


def _postcode(text: str) -> str:
    """A postcode as Royal Mail writes it: capitals, one space before the last three characters."""
    compact = "".join(text.upper().split())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


_NAME_NOISE = re.compile(r"\b(the|ltd|limited)\b")


def _name_key(name: str) -> str:
    """How two registrations' names are compared for a change of owner: case, punctuation, 'The' and 'Ltd' aside."""
    return " ".join(_NAME_NOISE.sub(" ", normalise_heading(name)).split())


def _rating_date(row: Row, name: str, title: str, report: ImportReport, today: date) -> date | None:
    text = row.text(name)
    value = row.get(name)
    published_on = value.date() if isinstance(value, datetime) else value if isinstance(value, date) else None
    if published_on is None:
        published_on = _parse_date(text.split(" ")[0] if re.match(r"^\d{4}-\d\d-\d\d ", text) else text)
    if published_on is None:
        report.error(row.number, title, f"'{text}' is not a date; use day/month/year, e.g. 01/06/2018.")
    elif published_on > today:
        report.error(row.number, title, f"{text} is in the future.")
        return None
    return published_on


# The HSCA active locations file ("Care directory with filters", published monthly by CQC at
# https://www.cqc.org.uk/about-us/transparency/using-cqc-data as HSCA_Active_Locations.ods). Its layout, as
# public write-ups and the code of projects that read it describe it (we hold no copy of CQC's file itself):
# a README sheet first, then HSCA_Active_Locations (the data; the header row below a few rows of notes -- one
# write-up has it on row 7), then Dual_Registration_Locations. Headings confirmed in more than one of those
# sources: Location ID, Location HSCA start date, Dormant (Y/N), Care home?, Location Name, Registered manager,
# Care homes beds, Location Type/Sector, Location Latest Overall Rating, Publication Date, Inherited Rating (Y/N),
# Location Region, Location Local Authority, Location Street Address, Location Address Line 2, Location City,
# Location County, Location Postal Code, Provider ID, Provider Name. Not confirmed (kept as aliases only):
# "Location Inherited Rating (Y/N)" and "Location Post Code" (the ratings file's spelling). The file has about
# a hundred more columns (service types, user bands, regulated activities); they are ignored.
LOCATIONS_SHEETS = ("HSCA_Active_Locations", "HSCA Active Locations")
LOCATIONS_UPLOAD = UploadRules(
    extensions=("csv", "xlsx", "ods"),
    # CQC's national file is some 50,000 locations; the .ods is around 15 MB.
    max_bytes=40 * 1024 * 1024,
    max_rows=100_000,
    # Some 120 columns (service types, user bands, regulated activities); an .ods's XML unpacks to many times
    # its size, so the pipeline's defaults (made for the council's own templates) would refuse the real file.
    max_columns=400,
    max_unpacked_bytes=600 * 1024 * 1024,
    messages={
        "file_type": "The file must be an OpenDocument spreadsheet (.ods), Excel workbook (.xlsx) or CSV (.csv)",
        "file_empty": "The file is empty",
        "file_size": "The file must be smaller than 40 MB",
        "file_content.xlsx": "The file is not a readable Excel workbook (.xlsx)",
        "file_content.ods": "The file is not a readable OpenDocument spreadsheet (.ods)",
        "file_content.csv": "The file is not a CSV (.csv) file: it contains binary data",
        "file_encoding": "The file is not a text CSV file (it could not be read as UTF-8)",
    },
    encodings=("utf-8-sig", "cp1252"),
)
LOCATION_COLUMNS = [
    Column("Location ID", "location_id", True, aliases=("CQC Location ID",)),
    Column("Location Name", "location_name", True),
    Column("Location HSCA start date", "hsca_start"),
    Column("Dormant (Y/N)", "dormant", aliases=("Dormant",)),
    Column("Care home?", "care_home", aliases=("Care home",)),
    Column("Registered manager", "registered_manager"),
    Column("Care homes beds", "beds", aliases=("Care home beds",)),
    Column("Location Type/Sector", "sector"),
    Column("Location Latest Overall Rating", "overall", True),
    Column("Publication Date", "published_on", True),
    Column("Inherited Rating (Y/N)", "inherited", aliases=("Location Inherited Rating (Y/N)",)),
    Column("Location Region", "region"),
    Column("Location Local Authority", "local_authority"),
    Column("Location Street Address", "street"),
    Column("Location Address Line 2", "address_2"),
    Column("Location City", "city"),
    Column("Location County", "county"),
    Column("Location Postal Code", "postcode", True, aliases=("Location Post Code", "Location Postcode")),
    Column("Provider ID", "provider_id"),
    Column("Provider Name", "provider_name"),
]
LOCATION_TITLES = {column.field: column.header for column in LOCATION_COLUMNS}
# Text fields and the longest value each may hold (the model's max_length), checked per row so a long value
# is an error naming its row and column, not a failure of the whole batch.
_LOCATION_LENGTHS = {"postcode": 10, "local_authority": 100, "registered_manager": 200}
_ATTRIBUTE_LABELS = {
    "is_care_home": "Care home",
    "beds": "Beds",
    "postcode": "Postcode",
    "address": "Address",
    "local_authority": "Local authority",
    "registered_manager": "Registered manager",
    "is_dormant": "Dormant",
    "cqc_review_reason": "Review flag",
}


@dataclass
class LocationRow:
    """One row of the HSCA file, checked."""

    row: int
    location_id: str
    name: str
    provider_id: str
    provider_name: str
    attributes: CqcLocationAttributes
    overall: str | None  # None: not yet rated
    published_on: date | None
    inherited: bool


@dataclass(frozen=True)
class LocationChange:
    """A register location the file changes: what each changed field is now and what the file says."""

    row: int
    location: Location
    changes: dict[str, tuple[Any, Any]]

    def described(self) -> str:
        def shown(value: Any) -> str:
            if isinstance(value, bool):
                return "yes" if value else "no"
            return "blank" if value in ("", None) else str(value)

        return "; ".join(
            f"{_ATTRIBUTE_LABELS.get(name, name)}: {shown(old)} to {shown(new)}"
            for name, (old, new) in self.changes.items()
        )


@dataclass(frozen=True)
class FlaggedLocation:
    location: Location
    reason: str


@dataclass(frozen=True)
class OwnerChange:
    """A register location CQC now lists under a new location ID, with an inherited rating."""

    row: int
    previous: Location
    location_id: str
    name: str
    provider_name: str


@dataclass
class CqcLocationsImportReport(ImportReport):
    """What an HSCA file import found and would do or did. ``created``/``updated``/``unchanged`` count
    register locations (created: new registrations after a change of owner); ratings are counted apart."""

    not_commissioned: list[UnmatchedRow] = field(default_factory=list)
    changed: list[LocationChange] = field(default_factory=list)
    flagged: list[FlaggedLocation] = field(default_factory=list)
    owner_changes: list[OwnerChange] = field(default_factory=list)
    not_yet_rated: int = 0
    ratings_created: int = 0
    ratings_updated: int = 0
    ratings_unchanged: int = 0
    drops: list[RatingDrop] = field(default_factory=list)

    def sections(self) -> list[dict[str, Any]]:
        return [
            _section(
                "Locations the file changes",
                ["Row", "CQC location ID", "Location", "Changes"],
                [[c.row, c.location.cqc_location_id, c.location.name, c.described()] for c in self.changed],
            ),
            _section(
                "Changes of owner (new registration linked to our location)",
                ["Row", "New CQC location ID", "New name", "Registered provider", "Our location"],
                [[o.row, o.location_id, o.name, o.provider_name, o.previous.name] for o in self.owner_changes],
            ),
            _section(
                "Our locations flagged for review",
                ["CQC location ID", "Location", "Reason"],
                [[f.location.cqc_location_id, f.location.name, f.reason] for f in self.flagged],
            ),
            _section(
                "Not commissioned by the council",
                ["Row", "CQC location ID", "Location", "Provider"],
                [[u.row, u.location_id, u.location_name, u.provider_name] for u in self.not_commissioned],
            ),
        ]


def _flags_and_beds(row: Row, table: Table, report: ImportReport) -> CqcLocationAttributes:
    attributes: CqcLocationAttributes = {}
    for column, name in (("care_home", "is_care_home"), ("dormant", "is_dormant")):
        if table.has(column):
            value = _yes_no(row, column, LOCATION_TITLES[column], report)
            if value is not None:
                attributes[name] = value  # type: ignore[literal-required]
    if table.has("beds"):
        text = row.text("beds")
        if not text:
            attributes["beds"] = None
        elif text.isdigit():
            attributes["beds"] = int(text)
        else:
            report.error(row.number, LOCATION_TITLES["beds"], f"'{text}' is not a whole number of beds.")
    return attributes


def _location_attributes(row: Row, table: Table, report: ImportReport) -> CqcLocationAttributes:
    """The location fields a row sets: only those whose columns the file has."""
    attributes = _flags_and_beds(row, table, report)
    if table.has("postcode"):
        attributes["postcode"] = _postcode(row.text("postcode"))
    if table.has("local_authority"):
        attributes["local_authority"] = row.text("local_authority")
    if table.has("registered_manager"):
        attributes["registered_manager"] = row.text("registered_manager")
    parts = ("street", "address_2", "city", "county")
    if any(table.has(part) for part in parts):
        attributes["address"] = ", ".join(row.text(part) for part in parts if row.text(part))
    for name, longest in _LOCATION_LENGTHS.items():
        value = attributes.get(name)
        if isinstance(value, str) and len(value) > longest:
            report.error(row.number, LOCATION_TITLES[name], f"'{value}' is longer than {longest} characters.")
    return attributes


def parse_location_rows(table: Table, report: ImportReport, *, today: date) -> list[LocationRow]:
    """Check every row of the HSCA file; return the good ones. A blank rating is 'not yet rated', not an error."""
    parsed: list[LocationRow] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        before = len(report.errors)
        location_id = row.text("location_id")
        if not location_id:
            report.error(row.number, LOCATION_TITLES["location_id"], "Enter the CQC location ID.")
        elif location_id in seen:
            report.error(
                row.number,
                LOCATION_TITLES["location_id"],
                f"Location {location_id} is already in row {seen[location_id]}.",
            )
        attributes = _location_attributes(row, table, report)
        overall_text = row.text("overall")
        overall = _parse_rating(overall_text) if overall_text else None
        if overall_text and overall is None:
            report.error(row.number, LOCATION_TITLES["overall"], f"'{overall_text}' is not a CQC rating.")
        published_on = None
        if overall_text and not row.text("published_on"):
            report.error(row.number, LOCATION_TITLES["published_on"], "Enter the publication date of the rating.")
        elif overall_text:
            published_on = _rating_date(row, "published_on", LOCATION_TITLES["published_on"], report, today)
        inherited = False
        if table.has("inherited"):
            inherited = bool(_yes_no(row, "inherited", LOCATION_TITLES["inherited"], report))
        if len(report.errors) > before:
            continue
        seen[location_id] = row.number
        parsed.append(
            LocationRow(
                row=row.number,
                location_id=location_id,
                name=row.text("location_name"),
                provider_id=row.text("provider_id"),
                provider_name=row.text("provider_name"),
                attributes=attributes,
                overall=overall,
                published_on=published_on,
                inherited=inherited,
            )
        )
    return parsed


def _owner_changes(
    missing: list[Location], unmatched: list[LocationRow]
) -> tuple[dict[int, LocationRow], list[Location]]:
    """Pair each missing register location with the file's new registration of the same service: an inherited
    rating, the same postcode and the same name (``_name_key``). Only a pairing with exactly one candidate
    counts; the rest stay missing. Returns (location pk -> row, locations still missing)."""
    candidates: dict[tuple[str, str], list[LocationRow]] = {}
    for row in unmatched:
        if row.inherited and row.attributes.get("postcode"):
            key = ("".join(str(row.attributes["postcode"]).split()), _name_key(row.name))
            candidates.setdefault(key, []).append(row)
    pairs: dict[int, LocationRow] = {}
    still_missing = []
    for location in missing:
        found = candidates.get(("".join(location.postcode.upper().split()), _name_key(location.name)), [])
        if len(found) == 1:
            pairs[location.pk] = found[0]
        else:
            still_missing.append(location)
    return pairs, still_missing


def _ratings_to_record(
    rows: list[tuple[Location, LocationRow]],
) -> tuple[list[RatingEntry], list[tuple[Location, date, bool]]]:
    """The HSCA file has the overall rating only: a rating already recorded for the same day keeps its key
    questions (from the ratings file), so importing both files in either order loses nothing."""
    rated = [(location, row) for location, row in rows if row.overall and row.published_on]
    existing = {
        (rating.location_id, rating.published_on): rating
        for rating in CqcRating.objects.filter(
            location__in={location.pk for location, _ in rated if location.pk},
            published_on__in={row.published_on for _, row in rated},
        )
    }
    entries = []
    inherited = []
    for location, row in rated:
        assert row.overall is not None
        assert row.published_on is not None
        same_day = existing.get((location.pk, row.published_on))
        ratings = {question: getattr(same_day, question) for question in KEY_QUESTIONS} if same_day else {}
        entries.append(RatingEntry(location, row.published_on, ratings | {"overall": row.overall}))
        inherited.append((location, row.published_on, row.inherited))
    return entries, inherited


@dataclass
class _LocationsPlan:
    matched: list[tuple[Location, LocationRow]]
    pairs: dict[int, LocationRow]
    previous_by_pk: dict[int, Location]
    providers: dict[str, Provider]
    newly_missing: list[Location]
    missing_reason: str


def _plan_locations(
    rows: list[LocationRow], report: CqcLocationsImportReport, *, today: date, flag_missing: bool
) -> _LocationsPlan:
    """What the file will do, before anything is written: the report's lists (so a dry run shows them) and
    the writes to make."""
    in_file = {row.location_id: row for row in rows}
    register = {
        location.cqc_location_id: location
        for location in Location.objects.select_related("provider").exclude(cqc_location_id="")
    }
    matched = [(register[row.location_id], row) for row in rows if row.location_id in register]
    unmatched = [row for row in rows if row.location_id not in register]
    report.not_yet_rated = sum(1 for row in rows if row.overall is None)
    missing = [location for cqc_id, location in register.items() if cqc_id not in in_file]
    # A location already linked to its successor, which the file lists, was dealt with by an earlier import.
    linked = set(
        Location.objects.filter(previous_location__in=missing, cqc_location_id__in=in_file).values_list(
            "previous_location_id", flat=True
        )
    )
    missing = [location for location in missing if location.pk not in linked]
    pairs, missing = _owner_changes(missing, unmatched) if flag_missing else ({}, [])
    successors = {row.location_id for row in pairs.values()}
    previous_by_pk = {location.pk: location for location in register.values()}
    providers = {
        provider.cqc_provider_id: provider
        for provider in Provider.objects.filter(cqc_provider_id__in={row.provider_id for row in pairs.values()} - {""})
    }
    for row in unmatched:
        if row.location_id not in successors:
            report.not_commissioned.append(UnmatchedRow(row.row, row.location_id, row.name, row.provider_name))
            report.change(row.row, "skipped", f"{row.location_id} {row.name}", "Not commissioned by the council")
    for location, row in matched:
        changes = cqc_location_changes(location, row.attributes)
        record = f"{location.cqc_location_id} {location.name}"
        if changes:
            report.changed.append(LocationChange(row.row, location, changes))
            report.change(row.row, "updated", record, report.changed[-1].described())
        else:
            report.change(row.row, "unchanged", record)
    report.updated = len(report.changed)
    report.unchanged = len(matched) - report.updated
    for pk, row in pairs.items():
        report.owner_changes.append(
            OwnerChange(row.row, previous_by_pk[pk], row.location_id, row.name, row.provider_name)
        )
        reason = f"Change of owner: new registration of {previous_by_pk[pk].name}"
        report.change(row.row, "created", f"{row.location_id} {row.name}", reason)
    report.created = len(report.owner_changes)
    missing_reason = (
        f"Not in CQC's active locations file imported on {today:%d/%m/%Y}: check whether it is deregistered."
    )
    for location in missing:
        report.flagged.append(FlaggedLocation(location, location.cqc_review_reason or missing_reason))
    newly_missing = [location for location in missing if not location.cqc_review_reason]
    return _LocationsPlan(matched, pairs, previous_by_pk, providers, newly_missing, missing_reason)


def cqc_locations_import(
    *,
    content: bytes,
    filename: str,
    by: User | None,
    dry_run: bool = False,
    today: date | None = None,
    flag_missing: bool = True,
    **options: Any,
) -> CqcLocationsImportReport:
    """Import CQC's HSCA active locations file (.ods, .xlsx or .csv): update each register location it lists
    (attributes, the day last listed, a review flag cleared) and record its rating where it has one; list the
    rows for locations the council does not commission; flag for review the register's locations with a CQC ID
    the file does not list (``flag_missing``: the file is CQC's whole national file, not an extract), except
    those that changed owner, which are linked to their new registration. All or nothing; a dry run shows what
    would change and saves nothing. ``by`` None: a command run on the server with no user named."""
    today = today or timezone.localdate()
    report = CqcLocationsImportReport(dry_run=dry_run)
    table = read_table(
        content=content,
        filename=filename,
        columns=LOCATION_COLUMNS,
        rules=LOCATIONS_UPLOAD,
        unknown="ignore",
        sheet=LOCATIONS_SHEETS,
    )
    report.rows_read = len(table.rows)
    rows = parse_location_rows(table, report, today=today)
    if report.errors:
        return write_all(report, lambda: None, dry_run=dry_run)
    plan = _plan_locations(rows, report, today=today, flag_missing=flag_missing)
    matched, pairs, previous_by_pk, providers = plan.matched, plan.pairs, plan.previous_by_pk, plan.providers

    def write() -> None:
        try:
            cqc_locations_seen_in_file(
                entries=[LocationInFile(location, row.attributes) for location, row in matched], seen_on=today, by=by
            )
            cqc_locations_flag_for_review(locations=plan.newly_missing, reason=plan.missing_reason, since=today, by=by)
            rated = list(matched)
            for pk, row in pairs.items():
                previous = previous_by_pk[pk]
                new = cqc_location_change_of_owner(
                    previous=previous,
                    cqc_location_id=row.location_id,
                    name=row.name,
                    provider=providers.get(row.provider_id, previous.provider),
                    attributes=row.attributes,
                    registered_by=row.provider_name,
                    seen_on=today,
                    by=by,
                )
                rated.append((new, row))
        except ValidationError as error:
            _row_errors(error, report, rows=[row for _, row in matched])
            return
        entries, inherited = _ratings_to_record(rated)
        rows = [row.row for _, row in rated]
        done = _record_ratings(entries=entries, rows=rows, titles=LOCATION_TITLES, report=report, by=by, today=today)
        cqc_ratings_mark_inherited(ratings=inherited, by=by)
        report.ratings_created, report.ratings_updated = done.created, done.updated
        report.ratings_unchanged = done.unchanged
        report.drops = done.drops

    return write_all(report, write, dry_run=dry_run)


_KEYED = re.compile(r"^locations\[(\d+)\]\.(\w+)$")


def _row_errors(error: ValidationError, report: ImportReport, *, rows: list[LocationRow]) -> None:
    """A service's refusal, keyed ``locations[3].postcode``, as errors on the file's rows and columns."""
    field_titles = {"is_care_home": "care_home", "is_dormant": "dormant"}
    for key, messages in error.message_dict.items():
        match = _KEYED.match(key)
        if match and int(match.group(1)) < len(rows):
            row = rows[int(match.group(1))]
            title = LOCATION_TITLES.get(field_titles.get(match.group(2), match.group(2)), "")
            for message in messages:
                report.error(row.row, title, message)
        else:
            for message in messages:
                report.error(0, "", message)


# CQC's ratings data ("Latest ratings", published monthly at https://www.cqc.org.uk/about-us/transparency/
# using-cqc-data as an .ods workbook with a "Locations" and a "Providers" sheet) is in long format: one row
# per location, service or population group and domain. Headings as projects that read it spell them (no copy
# of the file is held here): Location ID, Location Name, Care Home?, Location Type, Location Post Code,
# Location Local Authority, Service / Population Group, Domain (older editions: Key Question), Latest Rating,
# Publication Date, Report Type, Inherited Rating (Y/N), URL, Provider ID, Provider Name. The location's own
# rating is in the rows whose Service / Population Group is "Overall"; other groups (a GP practice's
# population groups, a hospital's core services) rate part of what the location does.
LONG_RATINGS_SHEETS = ("Locations",)
LONG_RATINGS_UPLOAD = LOCATIONS_UPLOAD
LONG_COLUMNS = [
    Column("Location ID", "location_id", True, aliases=("CQC Location ID",)),
    Column("Location Name", "location_name"),
    Column("Service / Population Group", "group", True, aliases=("Service/Population Group",)),
    Column("Domain", "domain", True, aliases=("Key Question",)),
    Column("Latest Rating", "rating", True),
    Column("Publication Date", "published_on", True),
    Column("Report Type", "report_type"),
    Column("Inherited Rating (Y/N)", "inherited"),
    Column("Provider ID", "provider_id"),
    Column("Provider Name", "provider_name"),
]
LONG_TITLES = {column.field: column.header for column in LONG_COLUMNS}
DOMAINS = {
    "overall": "overall",
    "safe": "safe",
    "effective": "effective",
    "caring": "caring",
    "responsive": "responsive",
    "well led": "well_led",
}
OVERALL_GROUP = "overall"
# A key question CQC did not assess at that inspection: left blank, as the wide file leaves it.
_NO_KEY_QUESTION_RATING = {"not applicable", "no rating", ""}


@dataclass
class LongRow:
    row: int
    location_id: str
    location_name: str
    provider_name: str
    group: str
    domain: str
    rating: str
    published_on: date
    inherited: bool


@dataclass
class PivotedRating:
    """A location's rating on a publication date, pivoted from its rows: the row of its Overall domain first."""

    row: int
    location_id: str
    location_name: str
    provider_name: str
    published_on: date
    ratings: dict[str, str]
    inherited: bool
    group: str = "Overall"


@dataclass
class CqcLongRatingsImportReport(ImportReport):
    """A long-format ratings import: counts are of ratings (one per location and publication date)."""

    unmatched: list[UnmatchedRow] = field(default_factory=list)
    drops: list[RatingDrop] = field(default_factory=list)
    # Rows of a service or population group other than "Overall": skipped unless asked for (then listed).
    group_rows_skipped: int = 0
    group_ratings: list[PivotedRating] = field(default_factory=list)

    def sections(self) -> list[dict[str, Any]]:
        def labels(ratings: dict[str, str]) -> list[str]:
            return [CqcRatingValue(ratings[q]).label if ratings.get(q) else "" for q in ("overall", *KEY_QUESTIONS)]

        return [
            _section(
                "Not commissioned by the council",
                ["Row", "CQC location ID", "Location", "Provider"],
                [[u.row, u.location_id, u.location_name, u.provider_name] for u in self.unmatched],
            ),
            _section(
                "Service and population group ratings (shown, not recorded)",
                ["Row", "CQC location ID", "Group", "Published", "Overall", *TITLES_BY_QUESTION],
                [
                    [g.row, g.location_id, g.group, g.published_on.strftime("%d/%m/%Y"), *labels(g.ratings)]
                    for g in self.group_ratings
                ],
            ),
        ]


TITLES_BY_QUESTION = ["Safe", "Effective", "Caring", "Responsive", "Well-led"]


def parse_long_rows(
    table: Table, report: CqcLongRatingsImportReport, *, today: date, include_groups: bool
) -> list[LongRow]:
    """Check every row of the long-format file that will be read; return the good ones."""
    parsed = []
    for row in table.rows:
        group = row.text("group")
        if normalise_heading(group) != OVERALL_GROUP and not include_groups:
            report.group_rows_skipped += 1
            continue
        before = len(report.errors)
        location_id = row.text("location_id")
        if not location_id:
            report.error(row.number, LONG_TITLES["location_id"], "Enter the CQC location ID.")
        domain = DOMAINS.get(normalise_heading(row.text("domain")))
        if domain is None:
            report.error(
                row.number,
                LONG_TITLES["domain"],
                f"'{row.text('domain')}' is not a CQC domain: "
                "Overall, Safe, Effective, Caring, Responsive or Well-led.",
            )
        text = row.text("rating")
        words = " ".join(text.lower().replace("-", " ").split())
        rating = "" if domain != "overall" and words in _NO_KEY_QUESTION_RATING else _parse_rating(text)
        if rating is None:
            report.error(
                row.number, LONG_TITLES["rating"], f"'{text}' is not a CQC rating." if text else "Enter the rating."
            )
        published_on = None
        if not row.text("published_on"):
            report.error(row.number, LONG_TITLES["published_on"], "Enter the publication date.")
        else:
            published_on = _rating_date(row, "published_on", LONG_TITLES["published_on"], report, today)
        inherited = (
            bool(_yes_no(row, "inherited", LONG_TITLES["inherited"], report)) if table.has("inherited") else False
        )
        if len(report.errors) > before or domain is None or rating is None or published_on is None:
            continue
        parsed.append(
            LongRow(
                row=row.number,
                location_id=location_id,
                location_name=row.text("location_name"),
                provider_name=row.text("provider_name"),
                group=group or "Overall",
                domain=domain,
                rating=rating,
                published_on=published_on,
                inherited=inherited,
            )
        )
    return parsed


def pivot_long_rows(rows: list[LongRow], report: ImportReport) -> list[PivotedRating]:
    """One rating per location, group and publication date of its Overall domain row. A key question's row
    belongs to the first of the location's overall ratings published on or after it (CQC recalculates the
    overall rating when a key question is rated again), else to the latest. Two rows for the same domain of
    one rating, or key questions with no overall rating, are errors naming the rows."""
    by_key: dict[tuple[str, str, date], PivotedRating] = {}
    origin: dict[tuple[str, str, date, str], int] = {}
    for row in rows:
        if row.domain != "overall":
            continue
        key = (row.location_id, normalise_heading(row.group), row.published_on)
        if key in by_key:
            report.error(
                row.row,
                LONG_TITLES["domain"],
                f"Location {row.location_id} already has an overall rating published on "
                f"{row.published_on:%d/%m/%Y} in row {by_key[key].row}.",
            )
            continue
        by_key[key] = PivotedRating(
            row.row,
            row.location_id,
            row.location_name,
            row.provider_name,
            row.published_on,
            {"overall": row.rating},
            row.inherited,
            row.group,
        )
        origin[(*key, "overall")] = row.row
    dates: dict[tuple[str, str], list[date]] = {}
    for location_id, group, published_on in by_key:
        dates.setdefault((location_id, group), []).append(published_on)
    for found in dates.values():
        found.sort()
    for row in rows:
        if row.domain == "overall":
            continue
        group = normalise_heading(row.group)
        options = dates.get((row.location_id, group))
        if not options:
            report.error(
                row.row,
                LONG_TITLES["location_id"],
                f"Location {row.location_id} has a {row.domain.replace('_', '-')} rating but no Overall rating row.",
            )
            continue
        published_on = next((day for day in options if day >= row.published_on), options[-1])
        key = (row.location_id, group, published_on)
        if (*key, row.domain) in origin:
            report.error(
                row.row,
                LONG_TITLES["domain"],
                f"Location {row.location_id} already has a {row.domain.replace('_', '-')} rating for the overall "
                f"rating published on {published_on:%d/%m/%Y}, in row {origin[(*key, row.domain)]}.",
            )
            continue
        origin[(*key, row.domain)] = row.row
        by_key[key].ratings[row.domain] = row.rating
    return sorted(by_key.values(), key=lambda rating: rating.row)


def cqc_long_ratings_import(
    *,
    content: bytes,
    filename: str,
    by: User | None,
    dry_run: bool = False,
    today: date | None = None,
    include_population_groups: bool = False,
    **options: Any,
) -> CqcLongRatingsImportReport:
    """Import CQC's long-format ratings file (one row per location and domain): pivot each location's rows into
    its overall rating and the five key questions and record them, matched on CQC location ID. Only the rows
    of the "Overall" service / population group are the location's own rating; with
    ``include_population_groups`` the other groups' rows are checked and listed in the report too (the register
    holds one rating per location and day, so they are not recorded). All or nothing; a dry run saves nothing.
    ``by`` None: a command run on the server with no user named."""
    today = today or timezone.localdate()
    report = CqcLongRatingsImportReport(dry_run=dry_run)
    table = read_table(
        content=content,
        filename=filename,
        columns=LONG_COLUMNS,
        rules=LONG_RATINGS_UPLOAD,
        unknown="ignore",
        sheet=LONG_RATINGS_SHEETS,
    )
    report.rows_read = len(table.rows)
    rows = parse_long_rows(table, report, today=today, include_groups=include_population_groups)
    pivoted = pivot_long_rows(rows, report)
    if report.errors:
        return write_all(report, lambda: None, dry_run=dry_run)
    own = [rating for rating in pivoted if normalise_heading(rating.group) == OVERALL_GROUP]
    report.group_ratings = [rating for rating in pivoted if normalise_heading(rating.group) != OVERALL_GROUP]
    locations = {
        location.cqc_location_id: location
        for location in Location.objects.select_related("provider").filter(
            cqc_location_id__in={rating.location_id for rating in own}
        )
    }
    matched = [rating for rating in own if rating.location_id in locations]
    seen_unmatched: set[str] = set()
    for rating in own:
        if rating.location_id not in locations and rating.location_id not in seen_unmatched:
            seen_unmatched.add(rating.location_id)
            report.unmatched.append(
                UnmatchedRow(rating.row, rating.location_id, rating.location_name, rating.provider_name)
            )
            record = f"{rating.location_id} {rating.location_name}"
            report.change(rating.row, "skipped", record, "Not commissioned by the council")

    def write() -> None:
        entries = [RatingEntry(locations[r.location_id], r.published_on, r.ratings) for r in matched]
        rows = [r.row for r in matched]
        done = _record_ratings(entries=entries, rows=rows, titles=LONG_TITLES, report=report, by=by, today=today)
        if done.problems:
            return
        cqc_ratings_mark_inherited(
            ratings=[(locations[r.location_id], r.published_on, r.inherited) for r in matched], by=by
        )
        report.created, report.updated, report.unchanged = done.created, done.updated, done.unchanged
        report.drops = done.drops

    return write_all(report, write, dry_run=dry_run)
