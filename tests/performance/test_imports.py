"""Importing quarterly results from CSV: every bad row named, nothing half-imported, re-import updates."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from commissioning import roles
from performance.imports import import_results
from performance.models import MeasureResult
from tests.factories import MeasureFactory, MeasureResultFactory, StrategyFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "strategy,measure,year,quarter,value,target,commentary\n"


@pytest.fixture
def carers_measures():
    carers = StrategyFactory(name="Carers")
    return {
        "included": MeasureFactory(strategy=carers, name="Carers included or consulted"),
        "supported": MeasureFactory(strategy=carers, name="Carers supported", unit="rate_100k"),
        "reviews": MeasureFactory(strategy=carers, name="Carers reviewed", is_targeted=False),
    }


def importer():
    """Imports are entered by a named person; an administrator may enter any directorate's results."""
    user = UserFactory(username="importer")
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return user


def run(text: str, **kwargs):
    return import_results(data=text.encode(), by=importer(), **kwargs)


def test_good_file_imports_every_row_with_both_year_and_quarter_spellings(carers_measures, administrator):
    report = import_results(
        data=(
            HEADER + "Carers,Carers included or consulted,2018/19,Q3,66.7,60,On track\n"
            'carers,carers supported,2018,3,"1,719",1500,\n'
            "Carers,Carers reviewed,2018-19,q4,84.8%,,\n"
        ).encode("utf-8-sig"),
        by=administrator,
    )
    assert report.ok, report.errors
    assert (report.created, report.updated) == (3, 0)
    included = MeasureResult.objects.get(measure=carers_measures["included"])
    assert (included.year, included.quarter, included.value, included.target) == (2018, 3, Decimal("66.7"), 60)
    assert included.commentary == "On track"
    assert included.entered_by == administrator
    assert MeasureResult.objects.get(measure=carers_measures["supported"]).value == Decimal("1719")
    assert MeasureResult.objects.get(measure=carers_measures["reviews"]).quarter == 4


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("Adults,Carers included or consulted,2018/19,Q3,66.7,60,", "strategy", "no strategy called 'Adults'"),
        ("Carers,Carers happy,2018/19,Q3,66.7,60,", "measure", "'Carers' has no measure called 'Carers happy'"),
        (",Carers included or consulted,2018/19,Q3,66.7,60,", "strategy", "Enter the strategy"),
        ("Carers,Carers included or consulted,2018/20,Q3,66.7,60,", "year", "second year must follow"),
        ("Carers,Carers included or consulted,18/19,Q3,66.7,60,", "year", "not a financial year"),
        ("Carers,Carers included or consulted,2018/19,Q5,66.7,60,", "quarter", "write Q1, Q2, Q3 or Q4"),
        ("Carers,Carers included or consulted,2018/19,,66.7,60,", "quarter", "Enter the quarter"),
        ("Carers,Carers included or consulted,2018/19,Q3,sixty,60,", "value", "not a number"),
        ("Carers,Carers included or consulted,2018/19,Q3,66.71234,60,", "value", "more than 4 decimal places"),
        ("Carers,Carers included or consulted,2018/19,Q3,166.7,60,", "value", "between 0 and 100"),
        ("Carers,Carers supported,2018/19,Q4,-3,60,", "value", "0 or more"),
        ("Carers,Carers reviewed,2018/19,Q3,84.8,90,", "target", "measured only"),
    ],
)
def test_each_kind_of_bad_row_is_reported_by_row_and_column_and_nothing_is_imported(
    carers_measures, row, column, words
):
    report = run(HEADER + "Carers,Carers supported,2018/19,Q3,1719,1500,\n" + row + "\n")

    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, column)]
    assert words in report.errors[0].message
    assert not MeasureResult.objects.exists()


def test_the_same_measure_and_quarter_twice_in_a_file_is_an_error(carers_measures):
    report = run(HEADER + "Carers,Carers supported,2018/19,Q3,1719,1500,\nCarers,Carers supported,2018,3,1720,1500,\n")
    assert [(e.row, e.column) for e in report.errors] == [(3, "measure")]
    assert "already on row 2" in report.errors[0].message


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("", "", "empty"),
        ("strategy,measure,year,value\n", "quarter", "quarter"),
        ("year,quarter,value\n2018,3,1\n", "measure", "'measure_id' column"),
        (HEADER, "", "no results"),
    ],
)
def test_a_file_with_missing_columns_or_no_rows_is_refused(carers_measures, text, column, words):
    report = run(text)
    assert not report.ok
    assert report.errors[0].column == column
    assert words in report.errors[0].message


def test_a_file_that_is_not_utf8_is_refused(carers_measures):
    report = import_results(data=b"\xff\xfestrategy", by=importer())
    assert "UTF-8" in report.errors[0].message


def test_measures_can_be_matched_by_id(carers_measures):
    measure = carers_measures["supported"]
    report = run(f"measure_id,year,quarter,value\n{measure.pk},2018,3,1719\n999999,2018,3,1\n")
    assert [(e.row, e.column) for e in report.errors] == [(3, "measure_id")]
    report = run(f"measure_id,year,quarter,value\n{measure.pk},2018,3,1719\n")
    assert report.ok
    assert MeasureResult.objects.get().value == 1719


def test_reimporting_a_quarter_updates_it_and_keeps_columns_the_file_leaves_out(carers_measures):
    MeasureResultFactory(
        measure=carers_measures["supported"], year=2018, quarter=3, value=1, target=1500, commentary="Provisional"
    )
    report = run("strategy,measure,year,quarter,value\nCarers,Carers supported,2018/19,Q3,1719\n")
    assert report.ok
    assert (report.created, report.updated) == (0, 1)
    result = MeasureResult.objects.get()
    assert (result.value, result.target, result.commentary) == (1719, 1500, "Provisional")


def test_dry_run_checks_but_saves_nothing(carers_measures):
    report = run(HEADER + "Carers,Carers supported,2018/19,Q3,1719,1500,\n", dry_run=True)
    assert report.ok
    assert report.created == 1
    assert not report.saved
    assert not MeasureResult.objects.exists()


def test_command_imports_and_reports(carers_measures, administrator, tmp_path, capsys):
    path = tmp_path / "results.csv"
    path.write_text(HEADER + "Carers,Carers supported,2018/19,Q3,1719,1500,\n")
    call_command("import_results", str(path), "--dry-run", "--user", "administrator")
    assert not MeasureResult.objects.exists()
    call_command("import_results", str(path), "--user", "administrator")
    assert MeasureResult.objects.get().value == 1719
    assert MeasureResult.objects.get().entered_by == administrator
    assert "1 new, 0 updated" in capsys.readouterr().out


def test_command_needs_the_person_entering_the_results(carers_measures, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(HEADER + "Carers,Carers supported,2018/19,Q3,1719,1500,\n")
    with pytest.raises(CommandError, match="--user"):
        call_command("import_results", str(path))
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        call_command("import_results", str(path), "--user", "nobody")
    assert not MeasureResult.objects.exists()


def test_command_refuses_results_of_another_directorate_and_imports_nothing(carers_measures, commissioner, tmp_path):
    """The commissioner is tied to Adult Care; the Carers strategy of this file belongs to another directorate."""
    path = tmp_path / "results.csv"
    path.write_text(HEADER + "Carers,Carers supported,2018/19,Q3,1719,1500,\n")
    with pytest.raises(CommandError, match="Nothing imported: You may add only your own directorate's records"):
        call_command("import_results", str(path), "--user", "commissioner")
    assert not MeasureResult.objects.exists()


def test_command_with_errors_fails_and_imports_nothing(carers_measures, administrator, tmp_path, capsys):
    path = tmp_path / "results.csv"
    path.write_text(HEADER + "Carers,Carers supported,2018/19,Q3,1719,1500,\nCarers,Nope,2018/19,Q3,1,1,\n")
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_results", str(path), "--user", "administrator")
    assert "'Carers' has no measure called 'Nope'" in capsys.readouterr().err
    assert not MeasureResult.objects.exists()


def test_upload_page_imports_a_csv(client_as_officer, carers_measures):
    upload = SimpleUploadedFile("q3.csv", (HEADER + "Carers,Carers supported,2018/19,Q3,1719,1500,\n").encode())
    response = client_as_officer.post("/performance/import/", {"file": upload})
    assert response.status_code == 302
    assert MeasureResult.objects.get().entered_by.username == "officer"


def test_upload_page_lists_row_errors_and_imports_nothing(client_as_officer, carers_measures):
    upload = SimpleUploadedFile("q3.csv", (HEADER + "Carers,Carers supported,2018/19,Q7,1719,1500,\n").encode())
    response = client_as_officer.post("/performance/import/", {"file": upload})
    assert response.status_code == 200
    assert "Problems in the file" in response.content.decode()
    assert "Q7" in response.content.decode()
    assert not MeasureResult.objects.exists()


@pytest.mark.parametrize(
    ("name", "size", "words"),
    [
        ("results.pdf", 10, "must be a CSV (.csv), Excel (.xlsx) or OpenDocument (.ods)"),
        ("results.xlsx", 10, "could not be opened as an Excel (.xlsx) workbook"),
        ("results.csv", 5 * 1024 * 1024 + 1, "smaller than 5 MB"),
    ],
)
def test_upload_page_refuses_other_types_and_big_files(client_as_officer, name, size, words):
    upload = SimpleUploadedFile(name, b"a" * size)
    response = client_as_officer.post("/performance/import/", {"file": upload})
    assert response.status_code == 200
    assert words in response.content.decode()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "The selected file is empty"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "contains binary data"),
    ],
)
def test_upload_page_refuses_an_empty_file_and_a_program_renamed_csv(
    client_as_officer, carers_measures, content, words
):
    upload = SimpleUploadedFile("q3.csv", content)
    response = client_as_officer.post("/performance/import/", {"file": upload})
    assert response.status_code == 200
    assert words in str(response.context["form"].errors["file"])
    assert not MeasureResult.objects.exists()
