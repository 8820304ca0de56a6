"""Issue 14, contract dates: a contract officer adds a contract still live years after its latest possible end,
finds it first on "needs a decision" under "Running past its end" with how long, records it rolled on with a
reason, sees it leave the list, and reads on its page which Procurement Act duties apply and why."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import assert_no_csp_violations, fill_date, log_in

pytestmark = pytest.mark.e2e

REFERENCE = "E2E-RES-2001"
TITLE = "Residential care block (journey)"


def test_officer_records_a_contract_running_past_its_end_as_rolled_on(new_page):
    page = new_page()
    log_in(page, "officer")

    # A contract on the register under the 2015 Regulations, live, whose last possible end passed long ago.
    page.goto("/contracts/add/")
    page.get_by_label("Reference").fill(REFERENCE)
    page.get_by_label("Service contracted").fill(TITLE)
    # The demo officer keeps the Commercial directorate's contracts.
    page.get_by_label("Directorate").select_option(label="Commercial")
    page.get_by_label("Category").select_option("residential")
    page.get_by_label("Type", exact=True).select_option("block")
    fill_date(page, "Start date", 1, 4, 1998)
    fill_date(page, "End date", 31, 3, 2001)
    page.get_by_role("button", name="Save contract").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Contract {REFERENCE} added")
    expect(page.locator(".govuk-warning-text").first).to_contain_text("Running past its end")

    # Needs a decision: the contract running past its end comes first, with how long.
    page.goto("/contracts/needs-decision/?within=6")
    headings = page.locator("main h2.govuk-heading-m")
    expect(headings.first).to_have_text("Running past its end")
    past = page.locator("table[data-group='past_end'] tbody tr").first
    expect(past).to_contain_text(REFERENCE)
    years = timezone.localdate().year - 2001 - (1 if timezone.localdate().month < 4 else 0)
    expect(past).to_contain_text(re.compile(rf"{years} years"))

    # Rolled on with a reason (the reason is required).
    past.get_by_role("link", name=f"Record a decision on {REFERENCE}").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("running past its latest possible end")
    page.get_by_role("radio", name="Roll on").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason the contract rolls on")
    page.get_by_label("Reason").fill("Carries on while the residential framework is re-procured under the Act.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Decision on {REFERENCE} recorded")
    expect(page.get_by_text("Roll on (decided")).to_be_visible()

    # It has left the list.
    page.goto("/contracts/needs-decision/?within=18")
    expect(page.locator("main table tbody tr", has_text=REFERENCE)).to_have_count(0)

    # Its page says which duties apply and why: none, since it was procured under the 2015 Regulations.
    page.goto(f"/contracts/?q={REFERENCE}")
    page.get_by_role("link", name=REFERENCE).click()
    expect(page.get_by_role("heading", name="Procurement Act duties")).to_be_visible()
    duties = page.locator("dl[data-duties]")
    kpis = duties.locator(".govuk-summary-list__row", has_text="Key performance indicators (section 52)")
    expect(kpis).to_contain_text("Does not apply")
    expect(kpis).to_contain_text("The Act's duty does not apply because")
    expect(kpis).to_contain_text("Public Contracts Regulations 2015")
    assert_no_csp_violations(new_page)
