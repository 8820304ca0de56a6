"""Journey 1: a commissioner starts next quarter's highlight report, meets the Amber-needs-a-comment rule,
fixes it and submits the report to the Commissioning and Commercial Board — by mouse, and by keyboard only."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_no_csp_violations, log_in
from .keyboard import activate, focused_is, press_tab_until, type_text

pytestmark = pytest.mark.e2e

AMBER_COMMENT = "Carers' assessments are behind the quarter's target while the new provider beds in."


def _open_strategy(page: Page, name: str) -> None:
    page.get_by_role("link", name="Commissioning strategies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Commissioning strategies")
    page.get_by_role("link", name=name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_commissioner_starts_edits_and_submits_next_quarters_report(new_page):
    page = new_page()
    log_in(page, "commissioner")
    _open_strategy(page, "Safeguarding Adults")

    page.get_by_role("button", name="Start next quarter's report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Safeguarding Adults highlight report")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Q4 2018/19 started")

    # Edit sections; the narrative was copied from Q3, so add to it rather than start again.
    page.get_by_label("Summary description").fill("Safeguarding referrals held steady in Q4 2018/19.")
    page.get_by_label("Property implications").fill("None this quarter.")
    page.get_by_label("Completed by").fill("Priya Marsh, Commissioning Manager")
    page.get_by_role("radio", name="Amber").check()
    page.get_by_label("Supporting comment if Red or Amber").fill("")
    page.get_by_role("button", name="Save report").click()

    # The rule, in the council's words, in the error summary and by the field; nothing saved.
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a supporting comment: a Amber status needs one.")
    expect(page.locator("#id_rag_comment-error, .govuk-error-message").first).to_contain_text("supporting comment")
    expect(page.get_by_role("radio", name="Amber")).to_be_checked()

    summary.get_by_role("link", name=re.compile("supporting comment")).click()
    expect(page.get_by_label("Supporting comment if Red or Amber")).to_be_focused()
    page.get_by_label("Supporting comment if Red or Amber").fill(AMBER_COMMENT)
    page.get_by_role("button", name="Save report").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Report saved.")
    expect(page.locator("#report-status")).to_have_text("Draft")
    page.get_by_role("link", name="Submit to the board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit to the Commissioning and Commercial Board")
    page.get_by_role("button", name="Submit to the board").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "sent to the Commissioning and Commercial Board"
    )
    expect(page.locator("#report-status")).to_have_text("Submitted to the Commissioning and Commercial Board")
    expect(page.locator("main")).to_contain_text(AMBER_COMMENT)
    assert_no_csp_violations(new_page)


def test_keyboard_only_commissioner_completes_the_report_journey(new_page):
    """Tab, Shift+Tab, Enter and Space only (arrow keys inside the RAG radio group, as a radio group works)."""
    page = new_page()
    page.goto("/accounts/login/")
    press_tab_until(page, "#id_username")
    type_text(page, "commissioner")
    page.keyboard.press("Tab")
    assert focused_is(page, "#id_password")
    type_text(page, "e2e-journeys-password-2019")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    activate(page, 'main a[href="/strategies/"]')
    expect(page.get_by_role("heading", level=1)).to_have_text("Commissioning strategies")
    activate(page, "main a:text-is('Specialist Adult Services')")
    expect(page.get_by_role("heading", level=1)).to_have_text("Specialist Adult Services")
    activate(page, 'button:text-is("Start next quarter\'s report")')
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Specialist Adult Services highlight report")

    press_tab_until(page, "#id_completed_by")
    page.keyboard.press("Control+A")
    type_text(page, "Daniel Whitworth, Head of Service")
    # Into the RAG radio group, then choose Amber; no supporting comment.
    page.keyboard.press("Tab")
    assert focused_is(page, "input[name=rag]")
    for _ in range(3):
        if page.locator("#id_rag_2").evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(page.locator("#id_rag_2")).to_be_checked()
    press_tab_until(page, "#id_rag_comment")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    activate(page, "input[type=submit][value='Save report']")

    # GOV.UK pattern: focus moves to the error summary, whose link takes focus to the field.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a supporting comment")
    page.keyboard.press("Tab")
    assert focused_is(page, ".govuk-error-summary a")
    page.keyboard.press("Enter")
    expect(page.locator("#id_rag_comment")).to_be_focused()
    type_text(page, AMBER_COMMENT)
    activate(page, "input[type=submit][value='Save report']")

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Report saved.")
    activate(page, "a:text-is('Submit to the board')")
    activate(page, "button:text-is('Submit to the board'), input[type=submit][value='Submit to the board']")
    expect(page.locator("#report-status")).to_have_text("Submitted to the Commissioning and Commercial Board")
    # Shift+Tab walks back too: from the status tag's neighbourhood back to the skip link at the top.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement !== document.body")
    assert_no_csp_violations(new_page)
