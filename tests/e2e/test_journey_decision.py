"""Journey 9: a decision record. A commissioner records the Executive's decision on a strategy (its report in
seed 000's sections), refused first for a reference already used; an administrator prepares a pack of its own
for the committee's meeting carrying that decision, renders it and reads, in the PDF, the Executive report as
Appendix 1 with the highlight report as its Appendix A. The decision's page then lists the pack.

The journey makes its own decision and pack, so it neither depends on nor changes what other journeys use."""

import re
from io import BytesIO

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from .conftest import ARTIFACTS, assert_no_csp_violations, fill_date, log_in

pytestmark = pytest.mark.e2e

REFERENCE = "I017990"
SUBJECT = "Carers commissioning strategy refresh"
SUMMARY = "The Executive is asked to approve the refreshed carers strategy after the Committee's comments."
RECOMMENDATION = "That the Executive approves the content of the refreshed Carers commissioning strategy."
COMMITTEE = "Adults and Community Wellbeing Scrutiny Committee"
MEETING = "10 July 2019"
PACK = "Carers strategy refresh – the Committee's pack with the Executive report"
STRATEGY = "Carers"
RENDER_TIMEOUT = 120_000


def _record_decision(page: Page, reference: str) -> None:
    page.goto("/scrutiny/decisions/")
    page.locator("main").get_by_role("link", name="Record a decision").click()
    page.get_by_label("Decision reference").fill(reference)
    page.get_by_label("Decision maker").fill("Executive")
    page.get_by_role("group", name="Key decision?").get_by_label("Yes").check()
    page.get_by_label("Report to").fill("Executive")
    fill_date(page, "Date of the report", 23, 7, 2019)
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_label("Summary").fill(SUMMARY)
    page.get_by_label("Recommendation(s)").fill(RECOMMENDATION)
    page.get_by_label("Alternatives considered").fill("Not to approve the refreshed strategy")
    page.get_by_role("group", name="Has the local member been consulted?").get_by_label("Yes").check()
    page.get_by_role("group", name="Commissioning strategies it concerns").get_by_label(STRATEGY, exact=True).check()
    page.get_by_role("button", name="Save decision").click()


def _pdf_text(page: Page) -> str:
    with page.expect_download() as info:
        page.get_by_role("status").get_by_role("link", name="Download the PDF").click()
    content = open(info.value.path(), "rb").read()  # noqa: SIM115 - a temporary file Playwright owns
    assert content.startswith(b"%PDF")
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(BytesIO(content)).pages).split())


def test_a_commissioner_records_a_decision_that_a_pack_prints_as_its_executive_report(new_page):
    commissioner = new_page()
    log_in(commissioner, "commissioner")

    # The demo's decision already holds I017457: the form says so on the reference, keeping what was typed.
    _record_decision(commissioner, "I017457")
    expect(commissioner.locator(".govuk-error-summary")).to_contain_text("Decision reference I017457 is already used")
    expect(commissioner.get_by_label("Subject")).to_have_value(SUBJECT)
    commissioner.get_by_label("Decision reference").fill(REFERENCE)
    commissioner.get_by_role("button", name="Save decision").click()
    expect(commissioner.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Decision {REFERENCE} recorded."
    )
    main = commissioner.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(main).to_contain_text(RECOMMENDATION)
    expect(main).to_contain_text("No report pack carries this decision's report yet.")
    decision_url = commissioner.url

    # An administrator prepares the meeting's pack with the decision as its Executive report, and renders it.
    admin = new_page()
    log_in(admin, "admin")
    admin.goto("/scrutiny/")
    admin.locator("main").get_by_role("link", name=COMMITTEE, exact=True).click()
    admin.locator("main").get_by_role("link", name=re.compile(MEETING)).click()
    admin.locator("main").get_by_role("link", name="Prepare a report pack").click()
    admin.get_by_label("Title", exact=True).fill(PACK)
    fill_date(admin, "Date of the report", 10, 7, 2019)
    admin.get_by_label("Subject", exact=True).fill(SUBJECT)
    admin.get_by_label("Executive report the pack carries (optional)").select_option(label=f"{REFERENCE}: {SUBJECT}")
    for box in admin.locator("main input[id^=id_appendix_]").all():
        box.fill("")
    admin.get_by_label(STRATEGY, exact=True).fill("1")
    admin.get_by_role("button", name="Save pack").click()
    expect(admin.locator(".govuk-notification-banner--success")).to_contain_text("Pack saved as a draft.")
    expect(admin.locator("main")).to_contain_text(f"Decision {REFERENCE}: {SUBJECT}")

    with admin.expect_response(lambda r: r.url.endswith("/render/") and r.request.method == "POST"):
        admin.locator("main").get_by_role("button", name="Render the PDF").click()
    admin.wait_for_load_state("load")
    expect(admin.locator("[data-render-label]")).to_have_text("Ready", timeout=RENDER_TIMEOUT)
    text = _pdf_text(admin)
    (ARTIFACTS / "decision-journey-pack.txt").write_text(text)

    # The cover lists the Executive report as Appendix 1; the report prints its sections; Appendix A follows.
    assert f"Report on {SUBJECT} to be presented to the Executive at its meeting on 23 July 2019" in text
    executive = text.index(f"Appendix 1: Report to the Executive: {SUBJECT} Open report Report to: Executive")
    sections = [
        f"Decision Reference: {REFERENCE}",
        "Key decision? Yes",
        f"Summary: {SUMMARY}",
        f"Recommendation(s): {RECOMMENDATION}",
        "Alternatives Considered:",
        "Not to approve the refreshed strategy",
        "a) Has Local Member Been Consulted? Yes",
        "b) Has Executive Councillor Been Consulted? Not stated",
        "7. Appendices",
    ]
    positions = [text.find(section, executive) for section in sections]
    assert -1 not in positions, [s for s, p in zip(sections, positions, strict=True) if p < 0] + [
        text[executive:][:1500]
    ]
    assert positions == sorted(positions)
    assert text.index(f"Appendix A1: {STRATEGY}", positions[-1]) > positions[-1]

    # The decision's page lists the pack that carries it to those who may open the pack: the administrator now;
    # the commissioner once it is published (a draft pack is not theirs to open).
    admin.goto(decision_url)
    packs = admin.locator("main table").filter(has=admin.locator("caption", has_text="Report packs"))
    expect(packs.get_by_role("link", name=PACK)).to_be_visible()
    commissioner.reload()
    expect(commissioner.locator("main")).to_contain_text("No report pack carries this decision's report yet.")
    assert_no_csp_violations(new_page)
