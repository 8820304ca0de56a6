"""The one import pipeline: files bounded before they are parsed, headings matched whatever their case and
punctuation, a heading given twice refused by name, every problem reported by row and column, and nothing
saved unless every row is right."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from commissioning.imports import (
    Column,
    ImportFileError,
    ImportReport,
    RowError,
    UploadRules,
    cell_text,
    normalise_heading,
    read_table,
    write_all,
)
from commissioning.models import Directorate

COLUMNS = [
    Column("Reference", "reference", True),
    Column("Service contracted", "title", True, aliases=("Service",)),
    Column("Well-led", "well_led"),
]
RULES = UploadRules(max_bytes=1024, max_rows=3)


def _read(content: bytes, filename: str = "file.csv", rules: UploadRules = RULES, **kwargs):
    return read_table(content=content, filename=filename, columns=COLUMNS, rules=rules, **kwargs)


def _xlsx(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_headings_match_whatever_their_case_spacing_and_punctuation():
    table = _read(b"REFERENCE , service contracted,Well led\nA-1,Homecare,good\n")

    assert set(table.columns) == {"reference", "title", "well_led"}
    assert [(row.number, row.values) for row in table.rows] == [
        (2, {"reference": "A-1", "title": "Homecare", "well_led": "good"})
    ]
    assert normalise_heading("Well-led") == normalise_heading("well_led") == normalise_heading(" WELL LED ")


def test_an_alias_reads_as_its_column_and_blank_lines_are_not_rows():
    table = _read(b"Reference,Service\nA-1,Homecare\n,\n\nA-2,Day care\n")

    assert [(row.number, row.get("title")) for row in table.rows] == [(2, "Homecare"), (5, "Day care")]


def test_a_csv_with_two_reference_columns_is_refused_naming_the_column():
    with pytest.raises(ImportFileError, match="'Reference' as two columns for Reference") as error:
        _read(b"Reference,Service contracted,Reference\nA-1,Homecare,A-2\n")

    assert error.value.column == "Reference"


def test_a_heading_and_its_alias_together_are_refused_too():
    with pytest.raises(ImportFileError, match="'Service contracted' and 'Service'"):
        _read(b"Reference,Service contracted,Service\nA-1,Homecare,Day care\n")


def test_a_missing_required_column_is_refused_naming_it():
    with pytest.raises(ImportFileError, match="missing these columns: Service contracted") as error:
        _read(b"Reference\nA-1\n")

    assert error.value.column == "Service contracted"


def test_unknown_headings_are_refused_unless_the_import_ignores_them():
    content = b"Reference,Service contracted,Colour\nA-1,Homecare,blue\n"
    with pytest.raises(ImportFileError, match="columns the template does not: Colour"):
        _read(content)

    assert "colour" not in _read(content, unknown="ignore").rows[0].values


def test_an_empty_header_row_is_refused():
    with pytest.raises(ImportFileError, match="first row must hold the column headings"):
        _read(b",,\nA-1,Homecare,\n")


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("file.pdf", b"%PDF-1.4", "must be a .csv, .ods or .xlsx file"),
        ("file.csv", b"", "is empty"),
        ("file.csv", b"a" * 1025, "must be smaller than 1.0"),
        ("file.csv", b"MZ\x90\x00\x03\x00", "contains binary data"),
        ("file.xlsx", b"not a workbook", "not a real .xlsx file"),
    ],
)
def test_a_file_is_bounded_by_the_upload_checks_before_it_is_parsed(filename, content, message):
    with pytest.raises(ImportFileError, match=message):
        _read(content, filename)


def test_an_import_words_the_upload_problems_its_own_way():
    rules = UploadRules(messages={"file_type": "Send a spreadsheet."})

    with pytest.raises(ImportFileError, match="Send a spreadsheet."):
        _read(b"x", "file.txt", rules=rules)


def test_a_workbook_that_would_unpack_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr("commissioning.security.MAX_WORKBOOK_EXPANDED_BYTES", 1000)
    content = _xlsx(["Reference", "Service contracted"], ["A-1", "x" * 5000])

    with pytest.raises(ImportFileError, match="too large once opened"):
        _read(content, "file.xlsx", rules=UploadRules(max_bytes=1024 * 1024))


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")

    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        _read(out.getvalue(), "file.xlsx", rules=UploadRules(max_bytes=1024 * 1024))


def test_more_rows_than_the_limit_are_refused_before_any_is_checked():
    content = b"Reference,Service contracted\n" + b"".join(f"A-{n},Homecare\n".encode() for n in range(4))

    with pytest.raises(ImportFileError, match="more than 3 rows"):
        _read(content)
    assert len(_read(content, rules=UploadRules(max_rows=4)).rows) == 4


def test_a_csv_that_is_not_utf8_is_refused_unless_the_import_reads_windows_text():
    content = "Reference,Service contracted\nA-1,Café\n".encode("cp1252")

    with pytest.raises(ImportFileError, match="not UTF-8"):
        _read(content, rules=UploadRules(encodings=("utf-8-sig",)))
    table = _read(content, rules=UploadRules(encodings=("utf-8-sig", "cp1252")))
    assert table.rows[0].get("title") == "Café"


def test_a_workbook_keeps_its_cells_types_and_reads_as_text_when_asked():
    import datetime

    content = _xlsx(["Reference", "Service contracted", "Well-led"], ["A-1", datetime.date(2018, 4, 1), 12.0])
    row = _read(content, "file.xlsx", rules=UploadRules(max_bytes=1024 * 1024)).rows[0]

    assert row.get("title") == datetime.date(2018, 4, 1)  # python-calamine gives a date cell as a date
    assert (row.text("title"), row.text("well_led"), cell_text(None)) == ("01/04/2018", "12", "")


def test_row_errors_read_as_the_spreadsheet_numbers_them():
    assert str(RowError(3, "Start date", "'soon' is not a date.")) == "Row 3, Start date: 'soon' is not a date."
    assert str(RowError(1, "", "The file is empty.")) == "Row 1: The file is empty."


@pytest.mark.django_db
def test_nothing_is_written_when_any_row_has_a_problem():
    report = ImportReport()
    report.error(3, "Reference", "Enter the reference.")
    written = []

    write_all(report, lambda: written.append(Directorate.objects.create(name="Highways", code="hw")), dry_run=False)

    assert written == []
    assert not report.saved
    assert not Directorate.objects.exists()


@pytest.mark.django_db
def test_a_problem_found_while_writing_undoes_every_write():
    report = ImportReport()

    def write():
        Directorate.objects.create(name="Highways", code="hw")
        report.error(4, "Reference", "Already on the register.")

    write_all(report, write, dry_run=False)

    assert not report.ok
    assert not report.saved
    assert not Directorate.objects.exists()


@pytest.mark.django_db
def test_a_dry_run_writes_and_then_undoes_it_and_a_real_run_keeps_it():
    dry = write_all(
        ImportReport(dry_run=True), lambda: Directorate.objects.create(name="Highways", code="hw"), dry_run=True
    )
    assert dry.ok
    assert not dry.saved
    assert not Directorate.objects.exists()

    real = write_all(ImportReport(), lambda: Directorate.objects.create(name="Highways", code="hw"), dry_run=False)
    assert real.saved
    assert Directorate.objects.get().code == "hw"


@pytest.mark.django_db
def test_errors_are_reported_in_row_order():
    report = ImportReport()
    report.error(5, "Type", "b")
    report.error(2, "Category", "a")

    write_all(report, lambda: None, dry_run=False)

    assert [(e.row, e.column) for e in report.errors] == [(2, "Category"), (5, "Type")]
