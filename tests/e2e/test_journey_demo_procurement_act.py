"""Issue 14, demo data: the contract manager of the service re-procured under the Procurement Act 2023 opens a
seed contract (ended, under the 2015 Regulations, no Act duties, continued by its successor), then her own
Act contract (the KPI duty applies, a manager and backup named), its performance page (KPIs with a year of
results, the completed annual assessment) and the published performance notice, approved and published by
her backup; and "needs a decision" leads with the contracts running past their end."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_no_csp_violations, log_in

pytestmark = pytest.mark.e2e

ACT_CONTRACT = "ACCW-0108"


def open_contract(page: Page, reference: str) -> None:
    page.goto(f"/contracts/?q={reference}")
    page.locator("main table tbody").get_by_role("link", name=re.compile(reference)).first.click()
    expect(page.locator(".govuk-caption-l")).to_contain_text(reference)


def test_contract_manager_follows_the_demo_act_contract_from_its_predecessor_to_its_published_notice(new_page):
    page = new_page()
    log_in(page, "adultcare.begum")

    # A seed contract: ended as its terms say, under the 2015 Regulations, continued by a successor.
    open_contract(page, "ACCW-0011")
    expect(page.get_by_role("heading", level=1)).to_have_text("Residential Care Contracts")
    duties = page.locator("[data-duties]")
    expect(duties).to_contain_text("Does not apply")
    expect(duties).to_contain_text("Public Contracts Regulations 2015")
    expect(duties).not_to_contain_text("Applies ")
    expect(page.locator("main")).to_contain_text("Replaced by:")
    expect(page.locator("main")).to_contain_text("CUR-0005")

    # The Care and Wellbeing Hub's successor, re-procured under the Act: the KPI duty applies.
    open_contract(page, ACT_CONTRACT)
    expect(page.locator("main")).to_contain_text("Procurement Act 2023")
    kpi_row = page.locator("[data-duties] .govuk-summary-list__row", has_text="Key performance indicators")
    expect(kpi_row).to_contain_text("Applies")
    expect(kpi_row).to_contain_text("over £5 million")
    expect(page.locator(".govuk-summary-list__row", has_text="Contract manager")).to_contain_text("Aisha Begum")
    expect(page.locator(".govuk-summary-list__row", has_text="Backup manager")).to_contain_text("Nathan Clarke")
    expect(page.locator("main")).to_contain_text("ACCW-0008")

    # Its performance: four KPIs with their latest results, and the completed annual assessment.
    page.get_by_role("link", name="Performance under the Procurement Act").click()
    kpis = page.get_by_role("table", name="KPIs with their latest results").locator("tbody tr")
    expect(kpis).to_have_count(4)
    expect(kpis.first).to_contain_text("Calls answered within 60 seconds")
    assessments = page.get_by_role("table", name="Performance assessments")
    expect(assessments).to_contain_text("Annual assessment")
    expect(assessments).to_contain_text("Complete")

    # The notice: drafted by the manager, approved and published by her backup.
    page.goto("/oversight/notices/")
    page.locator("main").get_by_role("link", name=re.compile(ACT_CONTRACT)).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Contract performance notice for {ACT_CONTRACT}")
    expect(page.locator("#notice-fixed")).to_contain_text("Nathan Clarke")
    expect(page.locator(".govuk-summary-list__row", has_text="Drafted by")).to_contain_text("Aisha Begum")
    expect(page.locator(".govuk-summary-list__row", has_text="Status")).to_contain_text("Published")

    # Needs a decision: the contracts running past their end come first.
    page.goto("/contracts/needs-decision/")
    expect(page.locator("main")).to_contain_text("ACCW-0106")
    expect(page.locator("main")).to_contain_text(re.compile("past its end", re.IGNORECASE))
    assert_no_csp_violations(new_page)
