"""Journey: the procurement work plan. A contract officer adds a procurement project starting today, moves it out
to tender, and finds it among the projects live and ongoing in this year's figures at the top of the work plan,
filtered to the project's directorate; the list's CSV export carries it.

The journey makes its own project (dated from today, as the server's figures are), in the officer's own
directorate, so it depends on no other journey and on no demo project."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_csp_violations, fill_date, log_in

pytestmark = pytest.mark.e2e

REFERENCE = "PP-E2E-0001"
TITLE = "Community equipment minor adaptations framework"


def test_a_contract_officer_adds_a_project_moves_it_to_tender_and_sees_it_in_the_figures(new_page):
    today = datetime.datetime.now(tz=ZoneInfo("Europe/London")).date()  # the server's day (settings.TIME_ZONE)
    page = new_page()
    log_in(page, "officer")

    page.goto("/contracts/procurement/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Procurement work plan")
    page.locator("main").get_by_role("link", name="Add a procurement project").click()

    page.get_by_label("Reference").fill(REFERENCE)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Directorate").select_option(label="Commercial")
    page.get_by_label("Stage").select_option(label="Planned")
    page.get_by_label("Route", exact=True).select_option(label="Open procedure")
    page.get_by_label("Estimated annual value").fill("1234567")
    page.get_by_label("Estimated whole-life value").fill("4938268")
    # A tender notice before the start is refused, on the field.
    fill_date(page, "Planned start", today.day, today.month, today.year)
    earlier = today - datetime.timedelta(days=1)
    fill_date(page, "Expected tender notice date", earlier.day, earlier.month, earlier.year)
    page.get_by_role("button", name="Save project").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The expected tender notice date must be on or after the planned start."
    )
    fill_date(page, "Expected tender notice date", today.day, today.month, today.year)
    page.get_by_role("button", name="Save project").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Procurement project {REFERENCE} added to the work plan."
    )
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(main.locator(".govuk-tag")).to_have_text("Planned")

    main.get_by_role("link", name="Move to next stage").click()
    page.get_by_role("group", name="Move the project to").get_by_label("Tender", exact=True).check()
    page.get_by_role("button", name="Move project").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"{REFERENCE} moved to tender.")
    expect(page.locator("main .govuk-tag")).to_have_text("Tender")

    # This year's figures, for the officer's directorate: the project is live and ongoing today.
    page.goto("/contracts/procurement/")
    page.get_by_label("Directorate").select_option(label="Commercial")
    page.get_by_label("Stage").select_option(label="Tender")
    page.get_by_role("button", name="Apply filters").click()
    ongoing = page.locator("#figures-ongoing")
    expect(ongoing).to_contain_text(f"live and ongoing on {today.day} {today:%B %Y}")
    expect(ongoing).to_contain_text("£1,234,567")
    expect(ongoing.locator(".govuk-heading-xl")).to_have_text("1")
    expect(page.locator("main table")).to_contain_text(REFERENCE)

    with page.expect_download() as download:
        page.locator("main").get_by_role("link", name="CSV", exact=True).click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert re.search(rf"^{REFERENCE},{TITLE},.*,Tender,Open procedure,1234567\.00,", text, re.MULTILINE)
    assert_no_csp_violations(new_page)
