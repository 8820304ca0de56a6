"""Journey: commissioning plans and savings. An administrator adds a finer stage to the council's commissioning
cycle (under Plan); a commissioner places a new intention of the Carers plan at it, sees it marked in words on the
plan's row of cells, then records a saving on the LPFT Section 75 agreement and reads the provider check: the trust
also holds contracts in Children's Services (seed 004's check before a saving).

The journey makes its own stage, intention and saving, so it neither depends on nor changes what other journeys
use (it reads the demo's Carers plan and ACCW-0005, and the CAMHS contract demo.savings adds)."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import log_in

pytestmark = pytest.mark.e2e

STAGE = "Market engagement (journey)"
INTENTION = "Engage carers' organisations on a new short breaks offer"
SAVING = "ASC-JOURNEY-01"


def _add_stage(page: Page) -> None:
    page.goto("/strategies/cycle-stages/")
    page.get_by_role("link", name="Add a stage").click()
    page.get_by_label("Name").fill(STAGE)
    page.get_by_label("Phase").select_option(label="Plan")
    page.get_by_label("Order").fill("9")
    page.get_by_role("button", name="Save stage").click()
    expect(page.get_by_role("row", name=STAGE)).to_contain_text("Plan")


def _record_intention(page: Page) -> None:
    page.goto("/strategies/")
    page.locator("main").get_by_role("link", name="Carers", exact=True).click()
    page.get_by_role("link", name="Commissioning intentions by strategic theme").click()
    page.locator("main").get_by_role("link", name="Add a commissioning intention").click()
    page.get_by_label("Theme").select_option(index=1)
    page.get_by_label("Commissioning intention / details").fill(INTENTION)
    page.get_by_label("Driver").fill("Care Act 2014")
    # Not before the existing position in the cycle: refused, on the field, keeping what was typed.
    page.get_by_label("Existing position on the cycle").select_option(label="Do")
    page.get_by_label("Expected progress").select_option(label=f"Plan: {STAGE}")
    page.get_by_role("button", name="Save intention").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot be earlier in the cycle")
    expect(page.get_by_label("Commissioning intention / details")).to_have_value(INTENTION)
    page.get_by_label("Existing position on the cycle").select_option(label=f"Plan: {STAGE}")
    page.get_by_label("Expected progress").select_option(label="Do")
    page.get_by_role("button", name="Save intention").click()
    expect(page.get_by_role("heading", name="Commissioning intentions by strategic theme")).to_be_visible()


def test_an_administrator_adds_a_finer_stage_and_a_commissioner_plans_and_saves_with_it(new_page):
    admin = new_page()
    log_in(admin, "admin")
    _add_stage(admin)

    commissioner = new_page()
    log_in(commissioner, "commissioner")
    _record_intention(commissioner)
    row = commissioner.get_by_role("row").filter(has_text=INTENTION)
    expect(row).to_contain_text("Driver: Care Act 2014")
    expect(row.get_by_text("Existing", exact=True)).to_be_visible()
    # Expected: Do, the whole phase (each of its finer stages' cells, if it has any).
    expect(row.get_by_text("Expected", exact=True).first).to_be_visible()
    expect(commissioner.get_by_role("columnheader", name=STAGE).first).to_be_visible()

    commissioner.goto("/strategies/savings/")
    commissioner.get_by_role("link", name="Record a saving").click()
    commissioner.get_by_label("Reference").fill(SAVING)
    # Their own directorate is the one they may choose, already chosen.
    expect(commissioner.get_by_label("Directorate")).to_have_value(
        commissioner.get_by_label("Directorate")
        .locator("option", has_text="Adult Care and Community Wellbeing")
        .get_attribute("value")
        or ""
    )
    commissioner.get_by_label("Financial year").select_option(label="2026/27")
    commissioner.get_by_label("Proposal").fill("Renegotiate the LPFT Section 75 agreement's day services")
    commissioner.get_by_label("Budgeted saving (£)").fill("120000")
    commissioner.get_by_role("group", name="Status").get_by_label("Agreed").check()
    commissioner.get_by_label("Contracts it touches (optional)").fill("ACCW-0005")
    commissioner.get_by_role("button", name="Save saving").click()

    expect(commissioner.get_by_role("heading", level=1)).to_contain_text(SAVING)
    check = commissioner.get_by_role("table").filter(has_text="Lincolnshire Partnership NHS Foundation Trust")
    expect(check).to_contain_text("ACCW-0005")
    expect(check).to_contain_text("Children's Services")
    expect(
        commissioner.get_by_text("1 provider of this saving's contracts also serves other directorates")
    ).to_be_visible()
