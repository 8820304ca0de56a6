"""Issue 13, CQC files: a contract officer checks an extract of CQC's HSCA active locations file in which a
location the council commissions has fallen to Inadequate, imports it, sees the fall on the provider's page,
acknowledges it with a note, and no longer finds it among the falls to acknowledge."""

import csv
import io
import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from .conftest import assert_no_csp_violations, log_in

pytestmark = pytest.mark.e2e

# The HSCA file's headings (providers.imports.LOCATION_COLUMNS), written out here so the test does not take
# them from the code it checks.
HSCA_HEADINGS = [
    "Location ID",
    "Location HSCA start date",
    "Dormant (Y/N)",
    "Care home?",
    "Location Name",
    "Registered manager",
    "Care homes beds",
    "Location Type/Sector",
    "Location Latest Overall Rating",
    "Publication Date",
    "Inherited Rating (Y/N)",
    "Location Region",
    "Location Local Authority",
    "Location Street Address",
    "Location Address Line 2",
    "Location City",
    "Location County",
    "Location Postal Code",
    "Provider ID",
    "Provider Name",
]
# A registration the council does not commission (not in the demo's register).
UNKNOWN_ID = "1-999000111"
UNKNOWN_NAME = "Hillside View Nursing Home (not ours)"


def hsca_row(location_id: str, name: str, rating: str, published: date, provider: str) -> dict[str, str]:
    return {
        "Location ID": location_id,
        "Location HSCA start date": "01/04/2011",
        "Dormant (Y/N)": "N",
        "Care home?": "Y",
        "Location Name": name,
        "Registered manager": "Jo Whitlock",
        "Care homes beds": "40",
        "Location Type/Sector": "Social Care Org",
        "Location Latest Overall Rating": rating,
        "Publication Date": f"{published:%d/%m/%Y}",
        "Inherited Rating (Y/N)": "N",
        "Location Region": "South West",
        "Location Local Authority": "Somerset",
        "Location Street Address": "1 Station Road",
        "Location Address Line 2": "",
        "Location City": "Taunton",
        "Location County": "Somerset",
        "Location Postal Code": "TA1 1AA",
        "Provider ID": "",
        "Provider Name": provider,
    }


def hsca_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HSCA_HEADINGS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def a_good_location(page: Page) -> tuple[str, str, str, str]:
    """A demo location with a CQC location ID whose current rating is Good and has not dropped:
    (CQC ID, location name, provider name, provider page path)."""
    page.goto("/providers/locations/?cqc=good")
    for row in page.locator("main table tbody tr").all():
        header = row.get_by_role("rowheader")
        hint = header.locator(".govuk-hint")
        if not hint.count() or row.get_by_text(re.compile("^Dropped from")).count():
            continue
        cqc_id = hint.inner_text().strip()
        name = header.inner_text().replace(cqc_id, "").strip()
        link = row.get_by_role("link").first
        return cqc_id, name, link.inner_text().strip(), link.get_attribute("href") or ""
    raise AssertionError("No Good-rated location with a CQC ID on the first page of /providers/locations/")


def upload_hsca(page: Page, content: bytes, *, check_only: bool) -> None:
    page.goto("/providers/cqc-import/")
    page.get_by_role("radio", name="HSCA active locations").check()
    page.get_by_label("CQC file").set_input_files(
        {"name": "HSCA_Active_Locations.csv", "mimeType": "text/csv", "buffer": content}
    )
    # An extract: the demo's other locations are not in it and must not be flagged for review.
    page.get_by_role("checkbox", name=re.compile("^This is CQC's whole file")).uncheck()
    checkbox = page.get_by_role("checkbox", name="Check the file only, do not save")
    checkbox.check() if check_only else checkbox.uncheck()
    page.locator("main").get_by_role("button", name="Upload and check").click()


def test_officer_imports_a_cqc_extract_and_acknowledges_the_rating_fall(new_page):
    today = timezone.localdate()
    page = new_page()
    log_in(page, "officer")
    cqc_id, name, provider, provider_path = a_good_location(page)
    content = hsca_csv(
        [
            hsca_row(cqc_id, name, "Inadequate", today, provider),
            hsca_row(UNKNOWN_ID, UNKNOWN_NAME, "Good", today, "Hillside Care Ltd"),
        ]
    )

    # Checked first: what would change, the fall, and the location the council does not commission.
    upload_hsca(page, content, check_only=True)
    expect(page.locator(".govuk-panel")).to_contain_text("File checked: nothing saved")
    expect(page.locator(".govuk-panel")).to_contain_text("Ratings: 1 new")
    changes = page.get_by_role("table", name=re.compile("^Locations the file changes"))
    expect(changes).to_contain_text(cqc_id)
    expect(changes).to_contain_text("Registered manager")
    not_ours = page.get_by_role("table", name=re.compile("^Not commissioned by the council"))
    expect(not_ours).to_contain_text(UNKNOWN_ID)
    expect(not_ours).to_contain_text(UNKNOWN_NAME)
    expect(page.get_by_role("heading", name="Ratings that dropped")).to_be_visible()
    drop = re.compile(rf"{re.escape(name)} \({re.escape(provider)}\): (Overall: )?Good to Inadequate")
    expect(page.locator("main ul", has_text=name)).to_contain_text(drop)
    # Nothing saved: the location's current rating is still Good.
    page.goto(f"/providers/locations/?q={cqc_id}")
    expect(page.locator("main table tbody tr").first.locator(".govuk-tag").first).to_have_text("Good")

    # Imported for real.
    upload_hsca(page, content, check_only=False)
    expect(page.locator(".govuk-panel")).to_contain_text("Locations imported")
    expect(page.locator(".govuk-panel")).to_contain_text("Ratings: 1 new")
    expect(page.get_by_role("table", name=re.compile("^Our locations flagged for review"))).to_have_count(0)

    # The provider's page shows the fall to acknowledge; the officer acknowledges it with a note.
    page.goto(provider_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(provider)
    fall = page.locator(".govuk-warning-text", has_text=f"{name}: Overall: Good to Inadequate")
    expect(fall).to_contain_text(f"published {today:%d/%m/%Y}")
    note = "Spoke to the manager; improvement plan due in 14 days."
    page.get_by_label(f"Note (optional) on the fall at {name}").fill(note)
    page.get_by_role("button", name=f"Acknowledge the fall at {name}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Acknowledged the fall in the CQC rating of {name}."
    )
    expect(page.locator(".govuk-warning-text", has_text=f"{name}: Overall: Good to Inadequate")).to_have_count(0)
    done = page.get_by_role("table", name="Acknowledged falls, latest first").locator("tr", has_text=name)
    expect(done).to_contain_text("Overall: Good to Inadequate")
    expect(done).to_contain_text(note)
    expect(done).to_contain_text(re.compile(rf", {today:%d/%m/%Y} \d\d:\d\d"))
    who = done.locator("td").nth(2).inner_text()
    assert who.split(",")[0].strip() not in ("", "–"), f"No one named as acknowledging: {who!r}"

    # Gone from the falls to acknowledge; listed among those acknowledged.
    page.goto("/providers/cqc-alerts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("CQC rating falls")
    expect(page.locator("main table tbody tr", has_text=name)).to_have_count(0)
    page.get_by_role("link", name="Show acknowledged falls").click()
    expect(page.locator("main table tbody tr", has_text=name)).to_contain_text("Overall: Good to Inadequate")
    assert_no_csp_violations(new_page)
