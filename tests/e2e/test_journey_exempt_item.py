"""Journey 7: an exempt item (Schedule 12A to the Local Government Act 1972). An administrator prepares a pack
for the Board's meeting with two appendices, records the second as exempt information (refused until the public
interest test is written), excluding one councillor from the item, then renders and publishes the pack. A
councillor on the Board who is not excluded reads the restricted document, and the pack's PDF prints only the
item's title and paragraph; the excluded councillor, and a commissioner, get neither the link nor the document.

The journey makes its own pack (from the meeting page, as an officer would), so it neither depends on nor
changes the seed pack or the packs other journeys make."""

import re
from io import BytesIO

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from . import axe
from .conftest import assert_no_csp_violations, confirm_publication, fill_date, log_in

pytestmark = pytest.mark.e2e

COMMITTEE = "Overview and Scrutiny Management Board"
MEETING = "30 May 2019"
TITLE = "Carers and Specialist Adult Services – the Board's pack with an exempt item"
OPEN_STRATEGY = "Carers"
EXEMPT_STRATEGY = "Specialist Adult Services"
COVER_SUMMARY = "The Board is invited to comment on two adult care strategies; appendix 2 is exempt information."
# The exempt appendix's highlight report summary (demo/strategy_data.py): never in the pack, only restricted.
EXEMPT_SUMMARY = "Commissions adult social care for adults aged 18 and over with a learning disability"
REASONING = "Disclosure while the section 75 agreements are renegotiated would prejudice the council's position."
RESOLUTION = "That the press and public be excluded for the item under section 100A(4) of the 1972 Act."
EXCLUSION_REASONS = "Cllr Tennant declared a disclosable pecuniary interest: a trustee of a bidding provider."
# Both sit on the Board (demo/people.py): one reads the item, the other is excluded from it.
READER, EXCLUDED, EXCLUDED_NAME = "cllr.quinn", "cllr.tennant", "Robert Tennant"
RENDER_TIMEOUT = 120_000


def _refusals(page: Page) -> list[str]:
    refused: list[str] = []
    page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return refused


def _open_meeting(page: Page) -> None:
    page.goto("/scrutiny/")
    page.locator("main").get_by_role("link", name=COMMITTEE, exact=True).click()
    page.locator("main").get_by_role("link", name=re.compile(MEETING)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meeting of {MEETING}")


def _render(page: Page) -> None:
    """Ask for the PDF and wait, on the page, until the worker reports it Ready."""
    with page.expect_response(lambda r: r.url.endswith("/render/") and r.request.method == "POST"):
        page.locator("main").get_by_role("button", name="Render the PDF").click()
    page.wait_for_load_state("load")
    expect(page.locator("[data-render-label]")).to_have_text("Ready", timeout=RENDER_TIMEOUT)
    expect(page.get_by_role("status").get_by_role("link", name="Download the PDF")).to_be_visible()


def _revisions(page: Page) -> Locator:
    table = page.locator("main table").filter(has=page.locator("caption", has_text="Published revisions"))
    expect(table).to_be_visible()
    return table.locator("tbody tr")


def _restricted_link(page: Page) -> Locator:
    return page.locator("main").get_by_role("link", name=re.compile(r"^Exempt Appendix A?2: .+ \(restricted\)"))


def _assert_accessible(page: Page, name: str) -> None:
    found = axe.violations(page)
    assert not found, f"axe found on {page.url}:\n" + axe.describe(name, found)


def _pdf_text(page: Page, link: Locator) -> str:
    """Download through ``link``: the whole PDF's text, its whitespace made single spaces."""
    with page.expect_download() as info:
        link.click()
    download = info.value
    content = open(download.path(), "rb").read()  # noqa: SIM115 - a temporary file Playwright owns
    assert content.startswith(b"%PDF"), f"{download.suggested_filename} is not a PDF"
    text = " ".join(page_.extract_text() or "" for page_ in PdfReader(BytesIO(content)).pages)
    return " ".join(text.split())


def test_administrator_records_an_exempt_item_and_only_councillors_not_excluded_read_it(new_page):
    admin = new_page()
    admin_refused = _refusals(admin)
    log_in(admin, "admin")
    main = admin.locator("main")
    banner = admin.locator(".govuk-notification-banner--success")

    # A pack of its own for the Board's meeting: Carers is appendix 1, Specialist Adult Services appendix 2.
    _open_meeting(admin)
    main.get_by_role("link", name="Prepare a report pack").click()
    admin.get_by_label("Title", exact=True).fill(TITLE)
    expect(admin.get_by_label("Report to", exact=True)).to_have_value(COMMITTEE)
    fill_date(admin, "Date of the report", 30, 5, 2019)
    admin.get_by_label("Subject", exact=True).fill("Adult care commissioning strategies")
    admin.get_by_label("Summary", exact=True).fill(COVER_SUMMARY)
    admin.get_by_label(OPEN_STRATEGY, exact=True).fill("1")
    admin.get_by_label(EXEMPT_STRATEGY, exact=True).fill("2")
    admin.get_by_role("button", name="Save pack").click()
    expect(banner).to_contain_text("Pack saved as a draft.")
    expect(admin.get_by_role("heading", level=1)).to_contain_text(TITLE)
    pack_url = admin.url
    appendices = main.locator("table").filter(has=admin.locator("caption", has_text="The appendices"))
    expect(appendices.locator("tbody tr")).to_have_count(2)
    expect(main.get_by_role("link", name="Mark appendix 1 as exempt")).to_be_visible()

    # Appendix 2 is exempt under paragraph 3: refused until a paragraph is chosen and the public interest test
    # written.
    main.get_by_role("link", name="Mark appendix 2 as exempt").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Exempt item: appendix 2, {EXEMPT_STRATEGY}")
    paragraph = admin.get_by_label("Paragraph of Part 1 of Schedule 12A")
    admin.get_by_role("button", name="Save as an exempt item").click()
    summary = admin.locator(".govuk-error-summary")
    no_paragraph = "Choose the paragraph of Schedule 12A the information falls under (1 to 7)."
    expect(summary.get_by_role("link", name=no_paragraph)).to_be_visible()
    paragraph.select_option("3")
    admin.get_by_label("Resolution to exclude the press and public").fill(RESOLUTION)
    admin.get_by_role("button", name="Save as an exempt item").click()
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=no_paragraph)).to_have_count(0)
    expect(admin).to_have_title(re.compile(r"^Error: "))
    missing = (
        "Record why the public interest in keeping the information exempt outweighs the interest in disclosing it."
    )
    expect(summary.get_by_role("link", name=missing)).to_be_visible()
    reasoning = admin.get_by_label("Public interest test")
    expect(reasoning).to_have_attribute("aria-describedby", re.compile(r"error"))
    expect(admin.locator(".govuk-form-group--error").filter(has=reasoning)).to_contain_text(missing)
    # What was typed is kept.
    expect(paragraph).to_have_value("3")
    expect(admin.get_by_label("Resolution to exclude the press and public")).to_have_value(RESOLUTION)
    _assert_accessible(admin, "exempt-item-errors")

    reasoning.fill(REASONING)
    admin.get_by_role("group", name="Councillors excluded from the item").get_by_label(EXCLUDED_NAME).check()
    admin.get_by_label("Why they are excluded").fill(EXCLUSION_REASONS)
    admin.get_by_role("button", name="Save as an exempt item").click()
    expect(banner).to_contain_text(f"Appendix 2, {EXEMPT_STRATEGY}, is recorded as exempt.")
    expect(admin).to_have_url(pack_url)
    rows = appendices.locator("tbody tr")
    expect(rows.nth(1).locator(".govuk-tag", has_text="Exempt")).to_be_visible()
    expect(rows.nth(1)).to_contain_text("paragraph 3 of Part 1 of Schedule 12A")
    expect(rows.nth(0).locator(".govuk-tag", has_text="Exempt")).to_have_count(0)
    expect(main.get_by_role("link", name="Change the exemption of appendix 2")).to_be_visible()

    # Rendered and published: revision 1, with the restricted document, which administrators read too.
    _render(admin)
    main.get_by_role("button", name="Publish to the committee's members").click()
    confirm_publication(admin)
    expect(banner).to_contain_text("Pack published. The committee's members have been told.")
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Published")
    expect(_revisions(admin)).to_have_count(1)
    expect(_restricted_link(admin)).to_be_visible()

    # A councillor on the Board, not excluded, reads the restricted document and the pack.
    reader = new_page()
    reader_refused = _refusals(reader)
    log_in(reader, READER)
    _open_meeting(reader)
    reader.locator("main").get_by_role("link", name=TITLE, exact=True).click()
    expect(reader).to_have_url(pack_url)
    expect(reader.get_by_role("heading", level=1)).to_contain_text("Published")
    reader_main = reader.locator("main")
    expect(reader_main).to_contain_text("Exempt")
    link = _restricted_link(reader)
    expect(link).to_have_count(1)
    # Which revision it belongs to is said to screen readers (visually hidden), not shown.
    expect(link).to_have_accessible_name(re.compile(r"^Exempt Appendix A?2: .+ \(restricted\)\s*, revision 1$"))
    restricted_path = link.get_attribute("href") or ""
    assert re.fullmatch(r"/scrutiny/exempt/\d+/download/", restricted_path), restricted_path
    for control in ("Render the PDF", "Publish to the committee's members", "Start revision 2"):
        expect(reader_main.get_by_role("button", name=control)).to_have_count(0)
    expect(reader_main.get_by_role("link", name=re.compile(r"as exempt|Change the exemption"))).to_have_count(0)
    _assert_accessible(reader, "exempt-pack-councillor")

    restricted = _pdf_text(reader, link)
    pack_text = _pdf_text(reader, reader_main.get_by_role("link", name=f"Download revision 1 of {TITLE}"))
    # The pack prints the item's title and paragraph, never its content; the restricted document has it.
    assert "Schedule 12A" in pack_text, pack_text[:2000]
    assert f"Appendix 2: {EXEMPT_STRATEGY}" in pack_text, pack_text[:2000]
    assert f"{EXEMPT_STRATEGY} Commissioning Highlight Report" in pack_text, pack_text[:2000]
    assert EXEMPT_SUMMARY not in pack_text, "The exempt appendix's content is in the published pack"
    assert COVER_SUMMARY in pack_text, pack_text[:2000]
    assert EXEMPT_SUMMARY in restricted, restricted[:2000]
    assert "Not for publication" in restricted, restricted[:2000]
    assert "paragraph 3 of Part 1 of Schedule 12A" in restricted, restricted[:2000]

    # The excluded councillor reads the pack, but is offered no restricted link and is refused the document.
    excluded = new_page()
    log_in(excluded, EXCLUDED)
    excluded.goto(pack_url)
    expect(excluded.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(_revisions(excluded)).to_have_count(1)
    expect(excluded.locator("main").get_by_role("link", name=f"Download revision 1 of {TITLE}")).to_be_visible()
    expect(excluded.locator("main").get_by_role("link", name=re.compile(r"restricted"))).to_have_count(0)
    assert excluded.request.get(restricted_path).status == 404

    # A commissioner is not a councillor: no exempt item for them either.
    commissioner = new_page()
    log_in(commissioner, "commissioner")
    assert commissioner.request.get(restricted_path).status == 404
    commissioner.goto(pack_url)
    expect(commissioner.locator("main").get_by_role("link", name=re.compile(r"restricted"))).to_have_count(0)

    assert not admin_refused, admin_refused
    assert not reader_refused, f"The councillor's pages requested what they may not: {reader_refused}"
    assert_no_csp_violations(new_page)
