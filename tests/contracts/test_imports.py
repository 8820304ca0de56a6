import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from contracts.imports import HEADERS, ImportFileError, RowError, import_contracts
from contracts.models import Contract
from providers.models import Provider
from tests.factories import DirectorateFactory, ProviderFactory, StrategyFactory
from tests.providers.factories import OfficerFactory

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    {
        "Reference": "ACCW-HBR-01",
        "Service contracted": "Home Based Reablement Service",
        "Directorate": "accw",
        "Strategy": "Adult Frailty and Long Term Conditions",
        "Provider": "Alderson Libertas",
        "Category": "Community based",
        "Type": "block",
        "Start date": "03/11/2015",
        "End date": "02/11/2018",
        "Extension options": "12+12",
        "Extensions used": "1",
        "Annual value": "£3,500,000.00",
        "Total value": "10500000",
        "Contract KPIs": "Y",
        "Payment terms": "Arrears",
        "Performance driven / independent": "Performance driven",
        "Volume sensitive": "Y".replace("Y", "Yes"),
    },
    {
        "Reference": "ACCW-RES-FW",
        "Service contracted": "Residential Care Contracts",
        "Directorate": "Adult Care and Community Wellbeing",
        "Provider summary": "315 x Provider Contracts",
        "Category": "residential",
        "Type": "Framework",
        "Start date": "2018-04-01",
        "End date": "2022-03-31",
        "Annual value": "95000000",
        "Politically sensitive": "N",
    },
]


@pytest.fixture
def reference_data(directorate):
    StrategyFactory(name="Adult Frailty and Long Term Conditions", directorate=directorate)
    return ProviderFactory(name="Alderson Libertas", companies_house_number="04567890")


def _csv(rows, headers=HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers)
    writer.writeheader()
    for row in rows:
        writer.writerow({h: row.get(h, "") for h in headers})
    return out.getvalue().encode("utf-8-sig")


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(h) for h in HEADERS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_good_csv_file_imports_every_contract(reference_data, contract_officer):
    report = import_contracts(content=_csv(GOOD_ROWS), filename="register.csv", by=contract_officer)

    assert report.ok, report.errors
    assert sorted(report.created_references) == ["ACCW-HBR-01", "ACCW-RES-FW"]
    assert (report.rows_read, report.created, report.updated, report.unchanged) == (2, 2, 0, 0)
    reablement = Contract.objects.get(reference="ACCW-HBR-01")
    assert reablement.lead_provider == reference_data
    assert reablement.annual_value == Decimal("3500000.00")
    assert reablement.end_date == datetime.date(2018, 11, 2)
    assert reablement.maximum_end_date == datetime.date(2019, 11, 2)
    # Performance is derived from the contract returns' grades, never imported.
    assert reablement.performance == Contract.Performance.NOT_ASSESSED
    assert reablement.has_kpis is True
    assert reablement.strategy.name == "Adult Frailty and Long Term Conditions"
    assert reablement.history.first().history_user == contract_officer


def test_good_excel_file_with_real_dates_and_numbers_imports(reference_data, contract_officer):
    rows = [
        dict(
            GOOD_ROWS[0],
            # An Excel cell holds a date and time with no time zone.
            **{"Start date": datetime.datetime(2015, 11, 3), "Annual value": 3500000, "Extensions used": 1},  # noqa: DTZ001
        )
    ]
    report = import_contracts(content=_xlsx(rows), filename="register.xlsx", by=contract_officer)
    assert report.ok, report.errors
    assert Contract.objects.get().start_date == datetime.date(2015, 11, 3)


def test_reimporting_the_same_file_updates_rather_than_duplicates(reference_data, contract_officer):
    import_contracts(content=_csv(GOOD_ROWS), filename="register.csv", by=contract_officer)
    changed = [dict(GOOD_ROWS[0], **{"Service contracted": "Home Based Reablement"}), GOOD_ROWS[1]]

    report = import_contracts(content=_csv(changed), filename="register.csv", by=contract_officer)

    assert report.created_references == []
    assert report.updated_references == ["ACCW-HBR-01"]
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Contract.objects.count() == 2
    assert Contract.objects.get(reference="ACCW-HBR-01").title == "Home Based Reablement"


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        ({"Reference": ""}, "Reference", "must be filled in"),
        ({"Start date": "31/02/2018"}, "Start date", "is not a date"),
        ({"End date": "2014-01-01"}, "End date", "before the start date"),
        ({"Annual value": "lots"}, "Annual value", "is not an amount of money"),
        ({"Total value": "-10"}, "Total value", "cannot be negative"),
        ({"Category": "Hospital"}, "Category", "is not one of"),
        ({"Type": ""}, "Type", "must be filled in"),
        ({"Directorate": "Highways"}, "Directorate", "No directorate"),
        ({"Strategy": "Unknown strategy"}, "Strategy", "No commissioning strategy"),
        ({"Provider": "Unknown Care Ltd"}, "Provider", "No provider 'Unknown Care Ltd'"),
        ({"Extension options": "one year"}, "Extension options", "Enter extension options in months"),
        ({"Extensions used": "3"}, "Extensions used", "Only 2 extension option(s)"),
        ({"Contract KPIs": "maybe"}, "Contract KPIs", "is not Y or N"),
    ],
)
def test_each_kind_of_bad_row_is_reported_and_nothing_is_imported(reference_data, change, column, message):
    rows = [GOOD_ROWS[1], dict(GOOD_ROWS[0], **change)]

    report = import_contracts(content=_csv(rows), filename="register.csv", by=None)

    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, column)]
    assert message in report.errors[0].message
    assert not Contract.objects.exists()


def test_every_bad_row_is_reported_not_just_the_first(reference_data):
    rows = [dict(GOOD_ROWS[0], **{"Start date": "soon"}), dict(GOOD_ROWS[1], **{"Category": "x", "Type": "y"})]
    report = import_contracts(content=_csv(rows), filename="register.csv", by=None)
    assert report.errors == [
        RowError(2, "Start date", "'soon' is not a date; use dd/mm/yyyy or yyyy-mm-dd."),
        RowError(3, "Category", report.errors[1].message),
        RowError(3, "Type", report.errors[2].message),
    ]


def test_the_same_reference_twice_in_a_file_is_an_error(reference_data):
    report = import_contracts(content=_csv([GOOD_ROWS[0], GOOD_ROWS[0]]), filename="register.csv", by=None)
    assert [(e.row, e.column) for e in report.errors] == [(3, "Reference")]
    assert not Contract.objects.exists()


def test_provider_with_an_ambiguous_name_needs_its_companies_house_number(reference_data):
    ProviderFactory(name="Alderson Libertas", companies_house_number="09999999")
    report = import_contracts(content=_csv([GOOD_ROWS[0]]), filename="register.csv", by=None)
    assert "add the Companies House number" in report.errors[0].message

    row = dict(GOOD_ROWS[0], **{"Companies House number": "04567890"})
    assert import_contracts(content=_csv([row]), filename="register.csv", by=None).ok
    assert Contract.objects.get().lead_provider == reference_data


def test_new_providers_are_added_only_when_asked(reference_data):
    row = dict(GOOD_ROWS[0], Provider="Fosse Healthcare")
    assert not import_contracts(content=_csv([row]), filename="register.csv", by=None).ok

    report = import_contracts(content=_csv([row]), filename="register.csv", by=None, create_providers=True)

    assert report.new_providers == ["Fosse Healthcare"]
    assert Contract.objects.get().lead_provider.name == "Fosse Healthcare"


def test_dry_run_reports_but_saves_nothing(reference_data):
    row = dict(GOOD_ROWS[0], Provider="Fosse Healthcare")
    report = import_contracts(
        content=_csv([row]), filename="register.csv", by=None, dry_run=True, create_providers=True
    )
    assert report.ok
    assert report.created_references == ["ACCW-HBR-01"]
    assert not report.saved
    assert not Contract.objects.exists()
    assert not Provider.objects.filter(name="Fosse Healthcare").exists()


def test_command_imports_a_file(reference_data, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(_csv(GOOD_ROWS))
    out = io.StringIO()
    call_command("import_contracts", str(path), stdout=out)
    assert "2 contract(s) were added" in out.getvalue()
    assert Contract.objects.count() == 2


def test_command_dry_run_and_bad_rows(reference_data, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(_csv(GOOD_ROWS))
    call_command("import_contracts", str(path), "--dry-run", stdout=io.StringIO())
    assert not Contract.objects.exists()

    path.write_bytes(_csv([dict(GOOD_ROWS[0], **{"End date": "never"})]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
        call_command("import_contracts", str(path), stderr=err)
    assert "Row 2, End date: 'never' is not a date" in err.getvalue()


def test_command_refuses_a_file_missing_required_columns(tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(_csv([{"Reference": "X"}], headers=["Reference", "Service contracted"]))
    with pytest.raises(CommandError, match="missing these columns: Directorate, Category, Type, Start date, End date"):
        call_command("import_contracts", str(path))


def test_upload_page_imports_a_good_file(client_as_officer, reference_data):
    upload = SimpleUploadedFile("register.csv", _csv(GOOD_ROWS), content_type="text/csv")
    response = client_as_officer.post(reverse("contracts:import"), {"file": upload})
    assert response.status_code == 200
    assert "2 added and 0 updated" in response.content.decode()
    assert Contract.objects.count() == 2


def test_upload_page_lists_each_problem_by_row_and_column(client_as_officer, reference_data):
    upload = SimpleUploadedFile("register.xlsx", _xlsx([dict(GOOD_ROWS[0], **{"Category": "Hospital"})]))
    response = client_as_officer.post(reverse("contracts:import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported: 1 problem found" in page
    assert "&#x27;Hospital&#x27; is not one of" in page
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("register.pdf", b"%PDF", "must be a .csv, .xlsx or .ods file"),
        ("register.csv", b"x" * (5 * 1024 * 1024 + 1), "(it is 5,242,881 bytes; the limit is 5,242,880)"),
        ("register.xlsx", b"not a workbook", "could not be opened as an Excel"),
        ("register.csv", "Reference".encode("utf-16"), "neither UTF-8 nor Windows-1252"),
    ],
)
def test_upload_page_refuses_wrong_files(client_as_officer, name, content, message):
    response = client_as_officer.post(reverse("contracts:import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in str(response.context["form"].errors["file"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_download_has_the_documented_columns(client_as_officer, fmt):
    response = client_as_officer.get(reverse("contracts:import_template"), {"format": fmt} if fmt == "csv" else {})
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(response.content.decode())))
    else:
        header = [c.value for c in next(load_workbook(io.BytesIO(response.content)).active.iter_rows())]
    assert header == HEADERS


def test_directorate_fixture_is_matched_by_code(directorate, reference_data):
    DirectorateFactory(name="Public Health", code="ph")
    assert import_contracts(content=_csv([GOOD_ROWS[0]]), filename="r.csv", by=None).ok
    assert Contract.objects.get().directorate == directorate


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "contains binary data"),
    ],
)
def test_upload_page_refuses_an_empty_file_and_a_program_renamed_csv(client_as_officer, content, message):
    upload = SimpleUploadedFile("register.csv", content)
    response = client_as_officer.post(reverse("contracts:import"), {"file": upload})
    assert response.status_code == 400
    assert message in str(response.context["form"].errors["file"])
    assert not Contract.objects.exists()


def test_reimporting_an_unchanged_file_writes_no_new_history(reference_data, contract_officer):
    """Re-importing the same register is a no-op: matched on reference, nothing rewritten."""
    first = import_contracts(content=_csv(GOOD_ROWS), filename="register.csv", by=contract_officer)
    assert first.ok
    history_rows = Contract.history.count()
    second = import_contracts(content=_csv(GOOD_ROWS), filename="register.csv", by=contract_officer)
    assert second.ok
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert Contract.history.count() == history_rows


def test_reimport_with_a_changed_value_updates_only_that_contract(reference_data, contract_officer):
    import_contracts(content=_csv(GOOD_ROWS), filename="register.csv", by=contract_officer)
    changed = [dict(GOOD_ROWS[0], **{"Annual value": "3600000"}), GOOD_ROWS[1]]
    report = import_contracts(content=_csv(changed), filename="register.csv", by=contract_officer)
    assert report.ok
    contract = Contract.objects.get(reference="ACCW-HBR-01")
    assert contract.annual_value == Decimal("3600000")
    assert contract.history.first().history_user == contract_officer
    assert Contract.objects.get(reference="ACCW-RES-FW").history.count() == 1


@pytest.mark.parametrize("count", [30, 300])
def test_a_large_file_is_checked_and_written_in_a_handful_of_queries(
    reference_data, contract_officer, django_assert_max_num_queries, count
):
    rows = [dict(GOOD_ROWS[1], Reference=f"ACCW-RES-{n:04d}") for n in range(count)]
    content = _csv(rows)
    contract_officer.role_names  # noqa: B018 - read once, as the page's request would
    # The rows are written in batches: SQLite's limit on query parameters makes them some 18 rows each.
    with django_assert_max_num_queries(12 + count // 9):
        report = import_contracts(content=content, filename="register.csv", by=contract_officer)
    assert report.created == count


def test_a_file_with_two_reference_columns_is_refused_naming_the_column(reference_data):
    content = _csv([GOOD_ROWS[0]], headers=[*HEADERS, "Reference"])
    with pytest.raises(ImportFileError, match="'Reference' as two columns for Reference"):
        import_contracts(content=content, filename="register.csv", by=None)
    assert not Contract.objects.exists()


def test_an_officer_tied_to_a_directorate_imports_only_that_directorates_contracts(reference_data, directorate):
    elsewhere = OfficerFactory(directorate=DirectorateFactory(code="cs", name="Children's Services"))
    report = import_contracts(content=_csv(GOOD_ROWS), filename="register.csv", by=elsewhere)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "Directorate", "You may import contracts only for your own directorate."),
        (3, "Directorate", "You may import contracts only for your own directorate."),
    ]
    assert not Contract.objects.exists()
