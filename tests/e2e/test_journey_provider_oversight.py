"""Journey 2: on a phone, a contract officer logs a visit and a safeguarding enquiry for a provider, re-scores
the provider's risk to High and sees it counted on the risk overview and listed among high-risk providers."""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from . import axe
from .conftest import assert_no_csp_violations, fill_date, log_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 667}
# Weighted factors that add up to the High band (14 or more): quality 3×2, safeguarding 3×2, finance 1×2.
HIGH_FACTORS = {
    "Quality and CQC rating": 3,
    "Safeguarding": 3,
    "Serious incidents": 0,
    "Complaints and feedback": 1,
    "Financial viability": 1,
    "Staffing and management": 0,
    "Contract compliance": 0,
    # Version 2 of the demo's risk method (in force since April 2025) adds this factor.
    "Market sustainability": 3,
}


def _fill_date(page: Page, legend: str, day: date) -> None:
    fill_date(page, legend, day.day, day.month, day.year)


def _high_count(page: Page, year: int) -> int:
    page.goto(f"/providers/risk/?year={year}")
    heading = page.get_by_role("heading", name="High risk providers")
    return int(heading.locator("xpath=following-sibling::p[1]").inner_text().strip())


def _financial_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def test_officer_logs_a_visit_and_a_concern_on_a_phone_and_rescores_the_provider_high(new_page):
    today = timezone.localdate()
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, "officer")
    high_before = _high_count(page, _financial_year(today))

    # A provider now at low risk, found with the list's filter.
    page.goto("/")
    page.locator("main").get_by_role("link", name=re.compile("^Providers")).first.click()
    page.get_by_label("Current risk level").select_option(label="Low")
    page.get_by_role("button", name="Apply filters").click()
    first = page.locator("main table tbody tr").first
    expect(first.get_by_text("Low", exact=True)).to_be_visible()
    provider = first.get_by_role("link").inner_text().strip()
    first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(provider)

    # The visit.
    page.get_by_role("link", name="Record a visit").click()
    _fill_date(page, "Date of visit", today)
    page.get_by_role("radio", name="Unannounced").check()
    page.get_by_label("Findings").fill("Two residents' care plans not reviewed since March; medication room left open.")
    page.get_by_role("group", name="Service-user environment").get_by_role("radio", name="Poor").check()
    page.get_by_role("group", name="Complaints and feedback level").get_by_role("radio", name="High").check()
    page.get_by_label("Follow-up actions").fill("Manager to send reviewed care plans within 14 days.")
    page.get_by_role("button", name="Save visit").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Visit recorded")
    expect(page.get_by_role("heading", level=1)).to_have_text(provider)

    # The safeguarding concern.
    page.get_by_role("link", name="Record a concern").click()
    page.get_by_role("radio", name="Safeguarding enquiry").check()
    _fill_date(page, "Date raised", today)
    page.get_by_role("group", name="Severity").get_by_role("radio", name="High").check()
    page.get_by_label("Summary").fill("Section 42 enquiry opened after an unexplained bruise to a resident.")
    page.get_by_role("button", name="Save concern").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(page.locator("#concerns ~ *").first).to_contain_text("Safeguarding enquiry")

    # Re-score the risk.
    page.get_by_role("link", name="New risk assessment").click()
    _fill_date(page, "Date of assessment", today)
    for factor, score in HIGH_FACTORS.items():
        group = page.get_by_role("group", name=re.compile(f"^{re.escape(factor)} \\(weight"))
        group.get_by_role("radio", name=re.compile(f"^{score} – ")).check()
    page.get_by_label("Notes on this assessment (optional)").fill("Re-scored after the visit and the enquiry.")
    page.get_by_role("button", name="Save assessment").click()
    current = page.locator(".govuk-summary-list__row", has_text="Current risk")
    expect(current.locator(".govuk-tag")).to_have_text("High")

    # The overview counts one more high-risk provider, and the high-risk list names this one.
    assert _high_count(page, _financial_year(today)) == high_before + 1
    page.goto("/providers/?risk=high")
    expect(page.locator("main table").get_by_role("link", name=provider, exact=True)).to_be_visible()
    page.goto(f"/providers/risk/?year={_financial_year(today)}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Provider risk overview")
    # At phone width, the page stays usable: nothing blocking for assistive technology either.
    assert not axe.violations(page), axe.describe("risk overview (phone)", axe.violations(page))
    assert_no_csp_violations(new_page)
