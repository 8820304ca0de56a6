"""Journey 10: two-stage scrutiny and the recommendation tracker. The Public Protection lead takes next quarter's
highlight report to the board (an administrator records the board's review), sends it to the Public Protection
and Communities Scrutiny Committee, then to the Overview and Scrutiny Management Board, and records the
Committee's conclusions: the report's page shows the stage and that it will be reported to the Board. The lead
then records one of the Committee's recommendations and the Executive's response, refused first for a partial
acceptance without reasons, and finds it on the Committee's quarterly tracker and in its CSV.

The journey uses the Public Protection strategy, which no other journey changes."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_no_csp_violations, fill_date, log_in

pytestmark = pytest.mark.e2e

STRATEGY = "Public Protection"
COMMITTEE = "Public Protection and Communities Scrutiny Committee"
SUBJECT_MEETING = f"{COMMITTEE} – 12 March 2019"
BOARD_MEETING = "Overview and Scrutiny Management Board – 30 May 2019"
CONCLUSIONS = "The Committee welcomed the quarter's fall in repeat domestic abuse referrals."
RECOMMENDATION = "That the revised performance measures for domestic abuse are reported to the Committee."
REASONS = "The measures will be reported with the next highlight report rather than separately."


def _open_report(page: Page) -> None:
    page.goto("/strategies/")
    page.get_by_role("link", name=STRATEGY, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(STRATEGY)


def test_a_commissioner_records_a_stages_conclusions_and_the_response_to_a_recommendation(new_page):
    lead = new_page()
    log_in(lead, "lead.protection")
    _open_report(lead)
    lead.get_by_role("button", name="Start next quarter's report").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text("Q4 2018/19 started")
    lead.get_by_role("radio", name="Green").check()
    lead.get_by_role("button", name="Save report").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text("Report saved.")
    lead.get_by_role("link", name="Submit to the board").click()
    lead.get_by_role("button", name="Submit to the board").click()
    expect(lead.locator("#report-status")).to_have_text("Submitted to the Commissioning and Commercial Board")
    report_url = lead.url

    # The officers' board reviews it (the administrator's move): then it may go to scrutiny.
    admin = new_page()
    log_in(admin, "admin")
    admin.goto(report_url)
    admin.get_by_role("link", name="Record board review").click()
    admin.get_by_label("Commissioning and Commercial Board comments").fill("The board noted the report.")
    admin.get_by_role("button", name="Record board review").click()
    expect(admin.locator("#report-status")).to_have_text("Board reviewed")

    # The lead sends it to the subject committee, then to the Management Board.
    lead.goto(report_url)
    lead.get_by_role("link", name="Add a scrutiny stage").click()
    lead.get_by_role("radio", name="Subject scrutiny committee").check()
    lead.get_by_label("Meeting").select_option(label=SUBJECT_MEETING)
    lead.get_by_role("button", name="Add the stage").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text("Subject scrutiny committee stage")

    # The Board's stage must meet at the Board: the subject committee's meeting is refused on its field.
    lead.get_by_role("link", name="Add a scrutiny stage").click()
    lead.get_by_role("radio", name="Overview and Scrutiny Management Board").check()
    lead.get_by_label("Meeting").select_option(label=SUBJECT_MEETING)
    lead.get_by_role("button", name="Add the stage").click()
    expect(lead.locator(".govuk-error-summary")).to_contain_text(
        "meets at a meeting of the Overview and Scrutiny Management Board"
    )
    lead.get_by_label("Meeting").select_option(label=BOARD_MEETING)
    lead.get_by_role("button", name="Add the stage").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text("Management Board stage")

    # The Committee's conclusions: the report shows the stage and whom it will be reported to.
    lead.get_by_role("link", name=re.compile(r"Record conclusions.*12 March 2019")).click()
    lead.get_by_label("The committee's conclusions").fill(CONCLUSIONS)
    lead.get_by_role("button", name="Record the conclusions").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text("Conclusions of the")
    main = lead.locator("main")
    expect(main).to_contain_text(f"Conclusions from {COMMITTEE} – 12 March 2019")
    expect(main).to_contain_text("will be reported to the Overview and Scrutiny Management Board on 30 May 2019")
    expect(main).to_contain_text(CONCLUSIONS)

    # One of the Committee's recommendations, reported to the Executive on 4 June 2019.
    lead.goto("/scrutiny/recommendations/")
    lead.locator("main").get_by_role("link", name="Record a recommendation").click()
    lead.get_by_label("Committee", exact=True).select_option(label=COMMITTEE)
    lead.get_by_label("Meeting", exact=True).select_option(label=SUBJECT_MEETING)
    lead.get_by_label("Number in the committee's report").fill("7")
    lead.get_by_label("Recommendation", exact=True).fill(RECOMMENDATION)
    lead.get_by_label("Addressed to").fill("Executive")
    lead.get_by_label("Strategy", exact=True).select_option(label=STRATEGY)
    fill_date(lead, "Reported to the Executive on", 4, 6, 2019)
    lead.get_by_role("button", name="Save recommendation").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text("Recommendation 7")
    expect(lead.locator("main")).to_contain_text("3 August 2019")

    # The Executive's response: partly accepted needs its reasons.
    lead.get_by_role("link", name="Record the Executive's response").click()
    lead.get_by_role("radio", name="Partly accepted").check()
    lead.get_by_label("Response given by").fill("Executive")
    fill_date(lead, "Date of the response", 2, 7, 2019)
    lead.get_by_label("First action agreed").fill("Report the revised measures with the Q1 2019/20 report.")
    lead.get_by_role("button", name="Record the response").click()
    expect(lead.locator(".govuk-error-summary")).to_contain_text("Give the Executive's reasons")
    lead.get_by_label("Reasons", exact=True).fill(REASONS)
    fill_date(lead, "Date of the response", 2, 7, 2019)
    lead.get_by_role("button", name="Record the response").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text("partly accepted")
    expect(lead.locator("main")).to_contain_text("Actions in progress")
    expect(lead.locator("main")).to_contain_text(REASONS)

    # The Committee's tracker for the quarter of its meeting lists it, and so does the CSV.
    lead.get_by_role("link", name="tracker for Q4 2018/19").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Recommendation tracker, Q4 2018/19")
    expect(lead.locator("main")).to_contain_text(RECOMMENDATION[:40])
    with lead.expect_download() as info:
        lead.get_by_role("link", name="Download as CSV").click()
    content = open(info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115 - Playwright's temporary file
    assert RECOMMENDATION in content
    assert "Partly accepted" in content
    assert_no_csp_violations(new_page)
