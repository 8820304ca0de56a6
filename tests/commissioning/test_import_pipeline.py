"""The one import pipeline's readers and bounds: .csv (BOM, Windows-1252, semicolons), .xlsx and .ods read the
same way; the header found below a title and on a named sheet; each limit refused naming it and the file's
figure; errors capped with the rest counted; the report serialisable for a background job."""

import csv
import datetime
import io
from typing import Any

import pytest
from django.test import override_settings

from commissioning.imports import (
    Column,
    ImportFileError,
    ImportReport,
    Progress,
    UploadRules,
    error_report_csv,
    progress_reset,
    progress_to,
    read_table,
)
from tests.commissioning.import_files import csv_bytes, ods, xlsx, zip_bomb_xlsx

COLUMNS = [
    Column("Reference", "reference", True),
    Column("Service contracted", "title", True, aliases=("Service",)),
    Column("Annual value", "value"),
]
RULES = UploadRules()
ROWS: list[list[Any]] = [
    ["Reference", "Service contracted", "Annual value"],
    ["A-1", "Homecare", 1200],
    ["A-2", "Day care", 50.5],
]


def _read(content: bytes, filename: str = "file.csv", rules: UploadRules = RULES, **kwargs):
    return read_table(content=content, filename=filename, columns=COLUMNS, rules=rules, unknown="ignore", **kwargs)


def _cells(table):
    return [(row.number, row.text("reference"), row.text("title"), row.text("value")) for row in table.rows]


EXPECTED = [(2, "A-1", "Homecare", "1200"), (3, "A-2", "Day care", "50.5")]


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("file.csv", csv_bytes(ROWS)),
        ("file.csv", csv_bytes(ROWS, encoding="utf-8-sig")),
        ("file.csv", csv_bytes(ROWS, delimiter=";")),
        ("file.xlsx", xlsx({"Register": ROWS})),
        ("file.ods", ods({"Register": ROWS})),
    ],
    ids=["csv", "csv-bom", "csv-semicolon", "xlsx", "ods"],
)
def test_every_format_reads_to_the_same_rows(filename, content):
    assert _cells(_read(content, filename)) == EXPECTED


def test_a_windows_1252_csv_with_semicolons_keeps_its_accents_and_decimal_commas():
    content = "Reference;Service contracted;Annual value\nA-1;Café à domicile;1 200,50\n".encode("cp1252")

    row = _read(content).rows[0]

    assert (row.text("title"), row.text("value")) == ("Café à domicile", "1 200,50")


def test_a_semicolon_inside_a_quoted_comma_separated_cell_does_not_fool_the_sniffer():
    content = b'Reference,Service contracted\nA-1,"Homecare; nights"\nA-2,"Respite; days"\n'

    assert [row.text("title") for row in _read(content).rows] == ["Homecare; nights", "Respite; days"]


@pytest.mark.parametrize("filename", ["file.csv", "file.xlsx", "file.ods"])
def test_the_header_is_found_below_a_title_and_rows_keep_the_spreadsheets_numbers(filename):
    rows = [["Contract register 2026"], ["Exported by the finance team"], [], *ROWS]
    content = {"file.csv": lambda: csv_bytes(rows), "file.xlsx": lambda: xlsx({"S": rows}),
               "file.ods": lambda: ods({"S": rows})}[filename]()  # fmt: skip

    table = _read(content, filename)

    assert table.header_row == 4
    assert _cells(table) == [(5, "A-1", "Homecare", "1200"), (6, "A-2", "Day care", "50.5")]


def test_a_header_below_the_rows_searched_is_not_found_and_the_refusal_says_how_many_were():
    rows = [["note"]] * 5 + ROWS

    with pytest.raises(ImportFileError, match="none of the first 5 rows"):
        _read(csv_bytes(rows), rules=UploadRules(header_search_rows=5))
    assert _read(csv_bytes(rows), rules=UploadRules(header_search_rows=6)).header_row == 6


@pytest.mark.parametrize("maker", [ods, xlsx], ids=["ods", "xlsx"])
def test_a_cqc_style_workbook_is_read_from_the_sheet_holding_the_header(maker):
    content = maker({"README": [["About this file"], ["Published monthly"]], "HSCA_Active_Locations": ROWS})
    name = "file.ods" if maker is ods else "file.xlsx"

    table = _read(content, name)

    assert table.sheet == "HSCA_Active_Locations"
    assert _cells(table) == EXPECTED


def test_a_named_sheet_is_read_even_when_an_earlier_sheet_has_the_header_too():
    other = [ROWS[0], ["B-1", "Other", 1]]
    content = ods({"README": [["About"]], "Dual_Registration_Locations": other, "HSCA_Active_Locations": ROWS})

    table = _read(content, "file.ods", sheet=["HSCA Active Locations", "Locations"])  # names compared as headings

    assert (table.sheet, _cells(table)) == ("HSCA_Active_Locations", EXPECTED)
    assert _read(content, "file.ods", sheet="dual_registration_locations").rows[0].text("reference") == "B-1"


def test_a_missing_named_sheet_is_refused_listing_the_sheets_there_are():
    content = ods({"README": [["About"]], "Data": ROWS})

    with pytest.raises(ImportFileError, match="no sheet called 'HSCA_Active_Locations'; its sheets are: README, Data"):
        _read(content, "file.ods", sheet="HSCA_Active_Locations")


def test_a_workbook_date_cell_reads_as_a_date():
    content = ods({"S": [ROWS[0], ["A-1", "Homecare", datetime.date(2026, 4, 1)]]})

    row = _read(content, "file.ods").rows[0]

    assert (row.get("value"), row.text("value")) == (datetime.date(2026, 4, 1), "01/04/2026")


# --- Bounds ------------------------------------------------------------------------------------------------


def test_too_many_rows_is_refused_naming_the_limit_and_the_count_reached():
    content = b"Reference,Service contracted\n" + b"A,x\n" * 11

    with pytest.raises(ImportFileError) as error:
        _read(content, rules=UploadRules(max_rows=10))

    assert error.value.message == (
        "The file has more than 10 rows (it has at least 11): split it into smaller files and import each."
    )


def test_a_million_one_character_rows_are_refused_without_reading_them_all():
    content = b"Reference,Service contracted\n" + b"a\n" * 1_000_000

    with pytest.raises(ImportFileError, match=r"more than 20,000 rows \(it has at least 20,001\)"):
        _read(content, rules=UploadRules(max_bytes=3 * 1024 * 1024))


def test_too_many_columns_is_refused_naming_the_row_and_its_count():
    content = csv_bytes([ROWS[0], ["A-1", "x", *range(10)]])

    with pytest.raises(ImportFileError, match=r"more than 8 columns \(row 2 has 12\)"):
        _read(content, rules=UploadRules(max_columns=8))


def test_empty_trailing_cells_are_not_columns():
    content = xlsx({"S": [ROWS[0] + [None] * 20, ["A-1", "x"]]})

    assert len(_read(content, "file.xlsx", rules=UploadRules(max_columns=5)).rows) == 1


def test_an_overlong_cell_is_refused_naming_its_row_column_and_length():
    content = csv_bytes([ROWS[0], ["A-1", "x" * 101]])

    with pytest.raises(
        ImportFileError, match=r"Row 2, column 2 has a cell of 101 characters, more than the limit of 100"
    ):
        _read(content, rules=UploadRules(max_cell_chars=100))


def test_a_decompression_bomb_is_called_one_before_it_is_opened():
    content = zip_bomb_xlsx(unpacked_bytes=60 * 1024 * 1024)
    assert len(content) < 100 * 1024

    with pytest.raises(
        ImportFileError, match=r"zip bomb: its part 'xl/worksheets/sheet1.xml' would unpack to 60\.0.MB"
    ):
        _read(content, "file.xlsx")


def test_a_workbook_over_the_unpacked_limit_is_refused_with_both_figures():
    content = xlsx({"S": [ROWS[0], *([f"A-{n}", "Homecare " * 20] for n in range(2000))]})

    with pytest.raises(
        ImportFileError, match=r"too large once opened: it would unpack to .* more than the limit of 100.0.KB"
    ):
        _read(content, "file.xlsx", rules=UploadRules(max_unpacked_bytes=100 * 1024))


def test_a_file_over_the_size_limit_names_both_sizes():
    with pytest.raises(ImportFileError, match=r"must be smaller than 1.0.KB \(it is 2.0.KB\)"):
        _read(b"a" * 2048, rules=UploadRules(max_bytes=1024))


@override_settings(IMPORT_LIMITS={"max_rows": 2})
def test_limits_come_from_settings_unless_the_importer_sets_its_own():
    content = b"Reference,Service contracted\n" + b"A,x\n" * 3

    with pytest.raises(ImportFileError, match="more than 2 rows"):
        _read(content)
    assert len(_read(content, rules=UploadRules(max_rows=3)).rows) == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Reference,Service contracted\n".encode("utf-16"), "UTF-16"),
        (b"Reference,Service contracted\nA-1,\x81\x8d\x8f\n", "not UTF-8 or Windows-1252 text"),
    ],
    ids=["utf-16", "neither"],
)
def test_a_csv_in_an_unreadable_encoding_is_refused_naming_it(content, message):
    with pytest.raises(ImportFileError, match=message):
        _read(content)


def test_a_header_with_the_same_column_twice_is_refused():
    with pytest.raises(ImportFileError, match="'Reference' as two columns for Reference"):
        _read(b"Reference,Service,Reference\nA-1,x,A-2\n")


# --- Reports ---------------------------------------------------------------------------------------------


@override_settings(IMPORT_LIMITS={"max_errors": 5, "max_errors_shown": 2})
def test_errors_past_the_cap_are_counted_not_kept_and_the_report_says_so():
    report = ImportReport()
    for number in range(2, 12):
        report.error(number, "Reference", "Enter the reference.")

    data = report.to_dict()

    assert (len(report.kept_errors), report.error_count, report.errors_truncated) == (5, 10, True)
    assert [e["row"] for e in data["errors"]] == [2, 3]
    assert (data["errors_more"], data["errors_kept"], data["ok"]) == (8, 5, False)


def test_the_error_report_is_a_safe_csv_of_row_column_value_problem():
    report = ImportReport()
    report.error(4, "Annual value", "'=1+1' is not an amount of money.", "=1+1")

    lines = list(csv.reader(io.StringIO(error_report_csv(report.errors, error_count=3))))

    assert lines[0] == ["Row", "Column", "Value", "Problem"]
    assert lines[1] == ["4", "Annual value", "'=1+1", "'=1+1' is not an amount of money."]
    assert lines[2][3] == "Checking stopped listing problems after 1 of 3."


def test_changes_and_sections_serialise_for_a_job_page():
    class WithSection(ImportReport):
        def sections(self):
            return [{"title": "Not ours", "headings": ["ID"], "rows": [["1-1"]]}]

    report = WithSection(dry_run=True)
    report.change(2, "created", "Contract A-1")
    report.change(3, "skipped", "Location 1-2", "not commissioned by the council")

    data = report.to_dict()

    assert data["changes"] == [
        {"row": 2, "action": "created", "record": "Contract A-1", "reason": ""},
        {"row": 3, "action": "skipped", "record": "Location 1-2", "reason": "not commissioned by the council"},
    ]
    assert (data["skipped"], data["change_count"], data["sections"][0]["title"]) == (1, 2, "Not ours")


def test_reading_reports_progress_every_so_many_rows():
    saved = []
    token = progress_to(Progress(lambda rows, errors: saved.append(rows), every=2))
    try:
        _read(b"Reference,Service contracted\n" + b"A,x\n" * 5)
    finally:
        progress_reset(token)

    assert saved == [2, 4]


def test_error_values_are_filled_from_the_table():
    table = _read(csv_bytes([ROWS[0], ["A-1", "x", "lots"]]))
    report = ImportReport()
    report.error(2, "value", "'lots' is not a number.")
    report.error(2, "Annual value", "again")

    report.fill_values(table)

    assert [e.value for e in report.errors] == ["lots", "lots"]
