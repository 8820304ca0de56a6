"""Journey 5: democratic services set up a committee in the UI — its name and two councillors — add its first
meeting, move the meeting to another day and room, and find it on the committee's page."""

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_csp_violations, fill_date, log_in

pytestmark = pytest.mark.e2e

COMMITTEE = "Health Scrutiny Committee for Lincolnshire"
MEMBERS = ("Hugh Barker", "Nisha Mistry")


def test_administrator_sets_up_a_committee_and_its_meeting(new_page):
    page = new_page()
    refused: list[str] = []
    page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    log_in(page, "admin")
    main = page.locator("main")
    banner = page.locator(".govuk-notification-banner--success")

    page.goto("/scrutiny/")
    main.get_by_role("link", name="Add a committee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a committee")
    # Sent without a name first: the error names the field and nothing is added.
    page.get_by_role("checkbox", name=MEMBERS[0], exact=True).check()
    page.get_by_role("button", name="Save committee").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("This field cannot be blank.")
    expect(page.get_by_role("checkbox", name=MEMBERS[0], exact=True)).to_be_checked()
    page.get_by_label("Name of the committee").fill(COMMITTEE)
    page.get_by_role("checkbox", name=MEMBERS[1], exact=True).check()
    page.get_by_role("button", name="Save committee").click()

    expect(banner).to_contain_text(f"{COMMITTEE} added.")
    expect(page.get_by_role("heading", level=1)).to_have_text(COMMITTEE)
    members = main.locator("ul.govuk-list")
    for member in MEMBERS:
        expect(members).to_contain_text(member)
    expect(main).to_contain_text("No meetings recorded.")

    main.get_by_role("link", name="Add a meeting").click()
    fill_date(page, "Date of the meeting", 31, 2, 2020)
    page.get_by_role("button", name="Save meeting").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The date of the meeting must be a real date")
    fill_date(page, "Date of the meeting", 12, 3, 2020)
    page.get_by_label("Venue (optional)").fill("Committee Room One, County Offices")
    page.get_by_role("button", name="Save meeting").click()
    expect(banner).to_contain_text("Meeting of 12 March 2020 added.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting of 12 March 2020")

    main.get_by_role("link", name="Edit meeting").click()
    expect(page.get_by_role("group", name="Date of the meeting").get_by_label("Day")).to_have_value("12")
    fill_date(page, "Date of the meeting", 19, 3, 2020)
    page.get_by_label("Venue (optional)").fill("Council Chamber")
    page.get_by_role("button", name="Save meeting").click()
    expect(banner).to_contain_text("Meeting of 19 March 2020 saved.")
    expect(main).to_contain_text("Venue: Council Chamber")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=COMMITTEE).click()
    meetings = main.get_by_role("table")
    row = meetings.get_by_role("row").filter(has=page.get_by_role("link", name="19 March 2020"))
    expect(row).to_contain_text("Council Chamber")
    expect(meetings).not_to_contain_text("12 March 2020")

    page.goto("/scrutiny/")
    expect(main.get_by_role("link", name=COMMITTEE)).to_be_visible()
    assert not refused, refused
    assert_no_csp_violations(new_page)
