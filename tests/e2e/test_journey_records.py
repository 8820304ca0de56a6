"""Issue 20, records a council can defend: anyone reads the accessibility statement and the privacy notice
without signing in; the administrator (for the data protection officer) runs a subject access search for a
person named in the records and sees what the retention schedule makes due; an officer flags a concern sensitive
so it becomes need to know. The pages pass axe's WCAG 2.2 AA checks."""

import pytest
from playwright.sync_api import expect

from .axe import describe, violations
from .conftest import log_in

pytestmark = pytest.mark.e2e


def _no_violations(page, name: str) -> None:
    found = violations(page)
    assert not found, describe(name, found)


def test_the_public_statements_are_read_without_signing_in(new_page):
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accessibility statement")
    expect(page.get_by_role("heading", name="How accessible this website is")).to_be_visible()
    _no_violations(page, "accessibility statement")
    page.get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Privacy notice")
    _no_violations(page, "privacy notice")


def test_the_data_protection_officer_finds_a_person_and_sees_what_is_due(new_page):
    page = new_page()
    log_in(page, "admin")

    page.goto("/records/subject-access/")
    page.get_by_label("Names or identifiers").fill("Ben Shaw")
    page.get_by_label("Request reference").fill("SAR-2026-014")
    page.get_by_label("Reason", exact=True).fill("A request from the officer himself.")
    page.locator("main").get_by_role("button").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access search SAR-2026-014")
    expect(page.locator("main")).to_contain_text("Named as")
    expect(page.get_by_role("link", name="CSV")).to_be_visible()
    _no_violations(page, "subject access results")

    page.goto("/records/retention/due/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Due for disposal")
    # The seed's 2018/19 contracts ended more than six years ago: the default schedule makes them due.
    expect(page.locator("main table").first).to_contain_text("Contract")
    _no_violations(page, "retention due")


def test_an_officer_flags_a_concern_sensitive(new_page):
    page = new_page()
    log_in(page, "officer.shaw")
    page.goto("/oversight/concerns/?kind=complaint")
    links = page.locator("main table tbody tr a[href*='/oversight/concerns/']")
    hrefs = [links.nth(i).get_attribute("href") for i in range(min(links.count(), 15))]
    # The first complaint this officer may change (one of their directorate's, or one under no contract).
    button = page.get_by_role("button", name="Flag as sensitive: need to know only")
    for href in hrefs:
        page.goto(href)
        if button.count():
            break
    else:
        pytest.fail("None of the first complaints listed may be changed by the officer")
    button.click()
    # Either the officer manages the provider's contracts and reads it still, or it leaves their reach and they
    # are told so.
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Flagged sensitive")
    _no_violations(page, "after flagging a concern sensitive")
