"""Journey: the forward plan of key decisions. A commissioner puts a key decision on the plan for two weeks'
time, is refused for too short a notice (28 clear days), records the general exception with its reasons and the
date the overview and scrutiny chair was told, and finds the decision on the published plan, marked as taken
under the general exception; a councillor reads it there too.

The journey makes its own entry (dated from today, as the server's plan is), so it depends on no other journey."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_no_csp_violations, fill_date, log_in

pytestmark = pytest.mark.e2e

REFERENCE = "I019901"
TITLE = "Interim day opportunities contract for adults with a learning disability"
REASONS = (
    "The current provider gave notice to end its contract; people who use the service need a new provider in place "
    "before it ends."
)


def _add_entry(page: Page, decision_due: datetime.date) -> None:
    page.goto("/scrutiny/forward-plan/")
    page.locator("main").get_by_role("link", name="Add a decision").click()
    page.get_by_label("Decision reference").fill(REFERENCE)
    page.get_by_label("Matter for decision").fill(TITLE)
    page.get_by_label("Decision maker", exact=True).fill("Executive")
    page.get_by_role("group", name="Is it a key decision?").get_by_label("Yes").check()
    fill_date(page, "Date of decision", decision_due.day, decision_due.month, decision_due.year)
    page.get_by_role("group", name="Does it contain exempt information?").get_by_label("No").check()
    page.get_by_label("Contact officer (optional)").fill("Democratic Services, 01522 000000")
    page.get_by_role("button", name="Save entry").click()


def test_a_commissioner_records_the_general_exception_when_notice_is_short(new_page):
    today = datetime.datetime.now(tz=ZoneInfo("Europe/London")).date()  # the server's day (settings.TIME_ZONE)
    decision_due = today + datetime.timedelta(days=15)  # 14 clear days: the day of publication and of decision left out
    commissioner = new_page()
    log_in(commissioner, "commissioner")

    _add_entry(commissioner, decision_due)
    summary = commissioner.locator(".govuk-error-summary")
    expect(summary).to_contain_text("A key decision needs 28 clear days' notice")
    expect(summary).to_contain_text("gives 14")
    expect(commissioner.get_by_label("Matter for decision")).to_have_value(TITLE)

    # The general exception: the reasons and the date the chair was told, at least 5 clear days before.
    commissioner.get_by_role("group", name="Notice route").get_by_label("General exception (regulation 10)").check()
    commissioner.get_by_role("button", name="Save entry").click()
    expect(summary).to_contain_text("Give the reasons why 28 clear days' notice is impracticable")
    commissioner.get_by_label("Reasons notice is short (general exception and special urgency)").fill(REASONS)
    fill_date(
        commissioner, "Date the overview and scrutiny chair was told in writing", today.day, today.month, today.year
    )
    commissioner.get_by_role("button", name="Save entry").click()
    expect(commissioner.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Decision {REFERENCE} added to the forward plan."
    )
    main = commissioner.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(main).to_contain_text("14 clear days' notice")
    expect(main).to_contain_text(REASONS)

    # On the published plan, under its month, marked as taken under the general exception.
    commissioner.goto("/scrutiny/forward-plan/")
    card = commissioner.locator(".govuk-summary-card").filter(has_text=REFERENCE)
    expect(card).to_contain_text(TITLE)
    expect(card).to_contain_text("General exception")
    expect(card).to_contain_text(f"{decision_due.day} {decision_due:%B %Y}")
    expect(commissioner.get_by_role("heading", name=f"{decision_due:%B %Y}", level=2)).to_be_visible()

    # A councillor reads the plan (and cannot add to it).
    councillor = new_page()
    log_in(councillor, "councillor")
    councillor.goto("/scrutiny/forward-plan/?notice_route=general_exception")
    expect(councillor.locator(".govuk-summary-card").filter(has_text=REFERENCE)).to_contain_text("General exception")
    expect(councillor.locator("main").get_by_role("link", name="Add a decision")).to_have_count(0)
    assert_no_csp_violations(new_page)
