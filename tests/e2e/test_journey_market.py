"""Issue 15, market oversight: a contract officer opens the market overview (seed 001's Allied Healthcare novation
and home closures are there as history, Libertas is hard to replace), opens a closure case for a home, marks it
closed, records a market indicator, and withdraws then reinstates a home's enhanced rate on the quality framework;
the overview, a case and the framework pass axe's WCAG 2.2 AA checks."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .axe import describe, violations
from .conftest import fill_date, log_in

pytestmark = pytest.mark.e2e


def _no_violations(page, name: str) -> None:
    found = violations(page)
    assert not found, describe(name, found)


def test_officer_manages_a_closure_a_reading_and_the_enhanced_rate(new_page, live_app):
    today = timezone.localdate()
    page = new_page()
    log_in(page, "officer")

    page.goto("/oversight/market/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Market oversight")
    expect(page.locator("table", has_text="Providers hard to replace")).to_contain_text("Alderson Libertas Ltd")
    _no_violations(page, "market overview")

    page.get_by_role("link", name="Every provider failure case").click()
    expect(page.locator("table")).to_contain_text("Nestor Primecare Services Ltd")
    page.get_by_role("link", name="Nestor Primecare Services Ltd").first.click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Novated to Alderson Libertas Ltd")
    expect(page.locator(".govuk-summary-list")).to_contain_text("270")
    _no_violations(page, "failure case")

    # Open a closure case for a home, from the menu: choose the provider, then the home.
    page.goto("/oversight/failure-cases/new/")
    provider_select = page.get_by_label("Provider")
    provider_select.select_option(index=5)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="Service or home closure").check()
    home = page.get_by_label("Home or service (optional)")
    home_options = home.locator("option")
    # The demo is built from a fixed seed: this provider has homes, so the list offers them after "none".
    expect(home_options.nth(1)).to_be_attached()
    home.select_option(index=1)
    fill_date(page, "Date announced or known", today.day, today.month, today.year)
    page.get_by_label("What happened and what the council did").fill("The owners gave notice of closure.")
    page.get_by_label("Service users affected").fill("12")
    page.get_by_label("Service users moved").fill("13")
    page.get_by_role("button", name="Save case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("No more service users can be moved")
    page.get_by_label("Service users moved").fill("4")
    page.get_by_role("button", name="Save case").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Case opened.")
    expect(page.locator(".govuk-summary-list")).to_contain_text("closing")

    page.get_by_role("link", name="Close the case").click()
    fill_date(page, "Date the case closed", today.day, today.month, today.year)
    page.get_by_label("Service users moved").fill("12")
    page.get_by_label("Lessons learnt").fill("Start finding placements on the day notice is given.")
    page.get_by_role("button", name="Close case").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Case closed.")
    expect(page.locator(".govuk-summary-list")).to_contain_text("closed")

    # A market indicator from the provider's page.
    page.locator(".govuk-summary-list").get_by_role("link").first.click()  # the provider
    page.get_by_role("link", name="Record a market indicator").click()
    page.get_by_role("radio", name="Workforce and staffing").check()
    page.get_by_role("radio", name="Red").check()
    fill_date(page, "Date of the reading", today.day, today.month, today.year)
    page.get_by_role("button", name="Save reading").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the indicator is Red")
    page.get_by_label("Note").fill("Agency staff cover half of night shifts.")
    page.get_by_role("button", name="Save reading").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Recorded: Workforce and staffing")
    expect(page.locator("#market ~ .app-table-wrap").first).to_contain_text("Agency staff cover half")

    # The quality framework: withdraw a home's enhanced rate, then reinstate it.
    page.goto("/oversight/quality-frameworks/")
    page.get_by_role("link", name="Care Home Quality Framework").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Care Home Quality Framework")
    _no_violations(page, "quality framework")
    paid_row = page.locator("tr", has=page.locator(".govuk-tag--green", has_text="Paid")).first
    provider_name = paid_row.locator("th a").inner_text()
    paid_row.get_by_role("link", name="Withdraw").click()
    fill_date(page, "Withdrawn from", today.day, today.month, today.year)
    page.get_by_role("button", name="Withdraw tier").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the tier is withdrawn")
    page.get_by_label("Why is it withdrawn?").fill("Care plans out of date at an unannounced visit.")
    page.get_by_role("button", name="Withdraw tier").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Withdrawn")
    row = page.locator("tr", has=page.locator("th a", has_text=provider_name)).first
    expect(row).to_contain_text("Withdrawn")
    row.get_by_role("link", name="Reinstate").click()
    fill_date(page, "Reinstated from", today.day, today.month, today.year)
    page.get_by_role("button", name="Reinstate tier").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Reinstated")


def test_the_market_and_quality_pages_pass_axe(new_page, live_app):
    page = new_page()
    log_in(page, "officer")
    for path in (
        "/oversight/failure-cases/",
        "/oversight/market/indicators/?current=true",
        "/oversight/quality-frameworks/",
    ):
        page.goto(path)
        _no_violations(page, path)
    page.goto("/oversight/market/")
    page.locator("table", has_text="Providers hard to replace").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Market sustainability")).to_be_visible()
    _no_violations(page, "provider page with its market panel")
    page.locator("#market ~ ul a[href$='/status/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Location status")
    _no_violations(page, "location status")
    page.get_by_role("button", name="Save status").click()
    _no_violations(page, "location status with errors")
