"""Issue 13, imports and open data: a contract officer uploads a contract register with a bad row, reads the
problem by row and column, downloads the error report and finds nothing imported; then opens the open data
page and its files."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_no_csp_violations, log_in

pytestmark = pytest.mark.e2e

# The template's required headings and a provider (contracts.imports.COLUMNS), written out here.
HEADINGS = [
    "Reference",
    "Service contracted",
    "Directorate",
    "Category",
    "Type",
    "Start date",
    "End date",
    "Annual value",
]
GOOD_REFERENCE = "E2E-IMPORT-0001"
BAD_REFERENCE = "E2E-IMPORT-0002"


def contracts_csv() -> bytes:
    """Two rows: the first is good, the second (file row 3) has a start date that is not a date."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    writer.writerow(
        [GOOD_REFERENCE, "Carers' breaks", "ACCW", "Community based", "Block", "01/04/2019", "31/03/2022", "125000"]
    )
    writer.writerow(
        [BAD_REFERENCE, "Day opportunities", "ACCW", "Community based", "Block", "31/02/2019", "31/03/2022", "9000"]
    )
    return out.getvalue().encode("utf-8")


def upload_contracts(page: Page, content: bytes, name: str = "contracts.csv") -> None:
    page.goto("/contracts/import/")
    page.get_by_label("Contract register file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    page.locator("main").get_by_role("button", name="Upload").click()


def test_officer_sees_a_bad_row_by_row_and_column_downloads_the_errors_and_nothing_is_imported(new_page):
    page = new_page()
    log_in(page, "officer")
    upload_contracts(page, contracts_csv())

    expect(page.locator(".govuk-error-summary")).to_contain_text("Nothing was imported: 1 problem found")
    problems = page.get_by_role("table", name="Problems in the file")
    bad = problems.locator("tbody tr")
    expect(bad).to_have_count(1)
    expect(bad.locator("td").nth(0)).to_have_text("3")
    expect(bad.locator("td").nth(1)).to_have_text("Start date")
    expect(bad.locator("td").nth(2)).to_have_text("31/02/2019")

    # The error report: one line per problem, with the row, column, value and problem.
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("^Download every problem as a CSV file")).click()
    download = info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    with open(download.path(), encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    assert len(lines) == 2, lines
    assert lines[1][:3] == ["3", "Start date", "31/02/2019"], lines

    # Nothing imported: not even the good row.
    for reference in (GOOD_REFERENCE, BAD_REFERENCE):
        page.goto(f"/contracts/?q={reference}")
        expect(page.locator("main")).not_to_contain_text(reference)
    assert_no_csp_violations(new_page)


def test_officer_opens_the_open_data_page_and_its_files(new_page):
    page = new_page()
    log_in(page, "officer")
    page.goto("/open-data/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open data: the council's contracts")
    files = page.get_by_role("table", name="Files")
    expected = {
        "Contracts (CSV)": "text/csv",
        "Invitations to tender (CSV)": "text/csv",
        "Contracts (OCDS JSON)": "json",
    }
    for name, content_type in expected.items():
        href = files.get_by_role("link", name=name, exact=True).get_attribute("href")
        assert href, name
        response = page.request.get(href)
        assert response.status == 200, f"{name} ({href}) answered {response.status}"
        assert content_type in response.headers.get("content-type", ""), response.headers
    contracts = page.request.get(files.get_by_role("link", name="Contracts (CSV)").get_attribute("href") or "")
    rows = list(csv.reader(io.StringIO(contracts.text().lstrip("\ufeff"))))
    assert len(rows) > 1, "The contracts file lists no contract"
    ocds = page.request.get(files.get_by_role("link", name="Contracts (OCDS JSON)").get_attribute("href") or "")
    package = ocds.json()
    assert package.get("releases"), "The OCDS package holds no release"
    assert_no_csp_violations(new_page)
