"""Imports accept only real CSV/Excel files of a sensible size; exports never start a spreadsheet formula."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from commissioning.security import neutralise_formula, neutralise_row, validate_upload

MB = 1024 * 1024


def _xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _validate(name: str, content: bytes, *, allowed=("csv", "xlsx"), max_bytes=5 * MB) -> str:
    return validate_upload(SimpleUploadedFile(name, content), allowed_extensions=allowed, max_bytes=max_bytes)


def test_a_csv_of_contracts_is_accepted_and_left_ready_to_read():
    upload = SimpleUploadedFile("contracts.csv", b"Reference,Title\nCON-00001,Homecare lot 1\n")

    assert validate_upload(upload, allowed_extensions=["csv"], max_bytes=MB) == "csv"
    assert upload.read().startswith(b"Reference")


def test_a_real_workbook_is_accepted():
    assert _validate("ratings.xlsx", _xlsx_bytes([["Location ID", "Rating"], ["1-101", "Good"]])) == "xlsx"


def test_a_csv_saved_from_excel_in_windows_encoding_is_accepted():
    assert _validate("contracts.csv", "Provider,Note\nCafé Care,£5\n".encode("cp1252")) == "csv"


@pytest.mark.parametrize("name", ["contracts.exe", "contracts.csv.html", "contracts", "contracts.xls"])
def test_other_kinds_of_file_are_refused_naming_the_allowed_ones(name):
    with pytest.raises(ValidationError) as error:
        _validate(name, b"Reference\n")

    assert error.value.messages == ["The selected file must be a .csv or .xlsx file."]


def test_a_file_over_the_limit_is_refused_with_the_limit_in_words():
    with pytest.raises(ValidationError) as error:
        _validate("contracts.csv", b"a,b\n" * 300_000, max_bytes=1 * MB)

    assert error.value.messages == ["The selected file must be smaller than 1.0\xa0MB (it is 1.1\xa0MB)."]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        _validate("contracts.csv", b"")


def test_a_program_renamed_to_csv_is_refused():
    with pytest.raises(ValidationError, match="binary data"):
        _validate("contracts.csv", b"MZ\x90\x00\x03\x00\x00\x00")


def test_a_csv_renamed_to_xlsx_is_refused():
    with pytest.raises(ValidationError, match="not a real .xlsx file"):
        _validate("contracts.xlsx", b"Reference,Title\nCON-1,Homecare\n")


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")

    with pytest.raises(ValidationError, match="not an Excel workbook"):
        _validate("contracts.xlsx", buffer.getvalue())


def test_a_workbook_that_would_expand_hugely_is_refused(monkeypatch):
    monkeypatch.setattr("commissioning.security.MAX_WORKBOOK_EXPANDED_BYTES", 1 * MB)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (2 * MB))

    with pytest.raises(ValidationError, match="too large once opened"):
        _validate("contracts.xlsx", buffer.getvalue(), max_bytes=5 * MB)


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example","Click")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "\uff1d1+1",  # a full-width equals sign, which some spreadsheets also read as a formula
    ],
)
def test_text_that_would_start_a_formula_is_made_plain_text(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["Homecare lot 1", "-12.50", "+44", "-1e3", "", None, 42, Decimal("-250000.00"), -3.5, True],
)
def test_ordinary_values_and_numbers_are_left_alone(value):
    assert neutralise_formula(value) == value


def test_dates_stay_dates():
    import datetime

    day = datetime.date(2019, 3, 31)

    assert neutralise_formula(day) is day


def test_a_neutralised_csv_row_reads_back_as_text():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(neutralise_row(["CON-1", "=1+1", Decimal("10.00")]))

    assert buffer.getvalue().strip() == "CON-1,'=1+1,10.00"


def test_a_neutralised_workbook_cell_is_not_a_formula():
    workbook = load_workbook(io.BytesIO(_xlsx_bytes([neutralise_row(["=SUM(A1:A9)", 5])])))
    cell = workbook.active["A1"]

    assert cell.data_type == "s"
    assert cell.value == "'=SUM(A1:A9)"
