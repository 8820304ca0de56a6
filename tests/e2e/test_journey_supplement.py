"""Journey: a late item as supplement 1. An administrator (democratic services) adds a meeting of the Board,
writes its agenda, builds the pack from the agenda (its strategy pre-selected), renders and publishes it; then a
late item is added to the published agenda, marked late, put in supplement 1 with the chair's reasons for
urgency, rendered and published. A councillor on the Board finds the supplement beside the pack in the archive
("Supplement 1, pages 47–52") and downloads it: its first printed page, and the PDF's own page label, are the
page after the pack's last.

The journey makes its own meeting, so it neither depends on nor changes the seed's packs other journeys read."""

import re
from io import BytesIO

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from . import axe
from .conftest import assert_no_csp_violations, confirm_publication, fill_date, log_in

pytestmark = pytest.mark.e2e

COMMITTEE = "Overview and Scrutiny Management Board"
DAY, MONTH, YEAR = 14, 2, 2019
MEETING = "14 February 2019"
TITLE = "Commissioning Strategies – the Board's February pack"
PACKED = "Specialist Adult Services"
LATE = "Carers"
LATE_TITLE = "Carers Commissioning Strategy (late item)"
REASON = "The Carers report was cleared by the board after the agenda was published; the Executive decides soon."
RENDER_TIMEOUT = 120_000


def _refusals(page: Page) -> list[str]:
    refused: list[str] = []
    page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return refused


def _assert_accessible(page: Page, name: str) -> None:
    found = axe.violations(page)
    assert not found, f"axe found on {page.url}:\n" + axe.describe(name, found)


def _render(page: Page) -> None:
    with page.expect_response(lambda r: r.url.endswith("/render/") and r.request.method == "POST"):
        page.locator("main").get_by_role("button", name="Render the PDF").click()
    page.wait_for_load_state("load")
    expect(page.locator("[data-render-label]")).to_have_text("Ready", timeout=RENDER_TIMEOUT)


def _add_item(page: Page, title: str, strategy: str | None = None) -> None:
    page.locator("main").get_by_role("link", name="Add an agenda item").click()
    page.get_by_label("Title", exact=True).fill(title)
    if strategy:
        page.get_by_label("Highlight report considered (optional)").select_option(label=strategy)
    page.get_by_role("button", name="Save agenda item").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meeting of {MEETING}")


def _agenda_rows(page: Page):
    return (
        page.locator("main table")
        .filter(has=page.locator("caption", has_text="The meeting's agenda"))
        .locator("tbody tr")
    )


def test_a_late_item_is_published_as_supplement_1_and_a_councillor_reads_it_beside_the_pack(new_page):
    admin = new_page()
    admin_refused = _refusals(admin)
    log_in(admin, "admin")
    main = admin.locator("main")
    banner = admin.locator(".govuk-notification-banner--success")

    # A meeting of the Board, and its agenda.
    admin.goto("/scrutiny/")
    main.get_by_role("link", name=COMMITTEE, exact=True).click()
    main.get_by_role("link", name="Add a meeting").click()
    fill_date(admin, "Date of the meeting", DAY, MONTH, YEAR)
    admin.get_by_role("button", name="Save meeting").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Meeting of {MEETING}")
    meeting_url = admin.url
    _add_item(admin, "Apologies for absence and replacement members")
    _add_item(admin, f"{PACKED} Commissioning Strategy", PACKED)
    rows = _agenda_rows(admin)
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text(f"2 {PACKED} Commissioning Strategy")
    _assert_accessible(admin, "meeting-agenda-admin")

    # The pack, built from the agenda: its strategy is already appendix 1.
    main.get_by_role("link", name="Prepare a report pack").click()
    expect(admin.get_by_label(PACKED, exact=True)).to_have_value("1")
    expect(admin.get_by_label(LATE, exact=True)).to_have_value("")
    admin.get_by_label("Title", exact=True).fill(TITLE)
    fill_date(admin, "Date of the report", DAY, MONTH, YEAR)
    admin.get_by_label("Subject", exact=True).fill("Commissioning Strategies")
    admin.get_by_role("button", name="Save pack").click()
    expect(banner).to_contain_text("Pack saved as a draft.")
    pack_url = admin.url
    _render(admin)
    main.get_by_role("button", name="Publish to the committee's members").click()
    confirm_publication(admin)
    expect(banner).to_contain_text("Pack published.")
    revisions = main.locator("table").filter(has=admin.locator("caption", has_text="Published revisions"))
    pack_pages = int(re.search(r"(\d+) pages", revisions.locator("tbody tr").first.inner_text()).group(1))

    # A late item on the published agenda.
    admin.goto(meeting_url)
    expect(main).to_contain_text("The agenda has been published: an item added now is a late item")
    main.get_by_role("link", name="Add an agenda item").click()
    expect(main.locator(".govuk-inset-text")).to_contain_text("an item added now is a late item")
    admin.get_by_label("Title", exact=True).fill(LATE_TITLE)
    admin.get_by_label("Highlight report considered (optional)").select_option(label=LATE)
    admin.get_by_role("button", name="Save agenda item").click()
    expect(banner).to_contain_text("It is a late item: add it to a supplement to the pack.")
    expect(rows.nth(2)).to_contain_text("Late item")
    # The printed item stays: no button takes it off the agenda.
    expect(rows.nth(1).get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)

    # Supplement 1: the late item pre-selected, refused without the chair's reasons, then saved.
    admin.goto(pack_url)
    main.get_by_role("link", name="Add a supplement").click()
    late_box = admin.get_by_role("checkbox", name=LATE)
    expect(late_box).to_be_checked()
    expect(admin.get_by_role("checkbox", name=PACKED)).to_have_count(0)
    admin.get_by_role("button", name="Save supplement").click()
    expect(admin.locator(".govuk-error-summary")).to_contain_text("Record the chair's reasons")
    _assert_accessible(admin, "supplement-form-errors")
    admin.get_by_label("Reasons for urgency").fill(REASON)
    # The chair's agreement to the late items (s.100B(4)(b)), needed to publish the supplement.
    admin.get_by_label("Chair who agreed to the late items").fill("Cllr Hanna Dale, Chair")
    fill_date(admin, "Date the chair agreed", 13, 2, 2019)
    admin.get_by_role("button", name="Save supplement").click()
    expect(banner).to_contain_text("Supplement 1 saved as a draft.")
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Supplement 1")
    expect(main).to_contain_text(f"From page {pack_pages + 1}")
    expect(main).to_contain_text("From appendix 2")
    _assert_accessible(admin, "supplement-draft-admin")
    supplement_url = admin.url
    _render(admin)
    main.get_by_role("button", name="Publish supplement 1 to the committee's members").click()
    expect(banner).to_contain_text("Supplement 1 published. The committee's members have been told.")
    supplement_pages = int(re.search(r"PDF, (\d+) pages", main.inner_text()).group(1))
    last = pack_pages + supplement_pages
    expect(main).to_contain_text(f"pages {pack_pages + 1} to {last}")
    admin.goto(meeting_url)
    expect(rows.nth(2)).to_contain_text("Supplement 1")

    # The councillor finds it beside the pack in the archive and downloads it.
    member = new_page()
    member_refused = _refusals(member)
    log_in(member, "councillor")
    member.goto("/scrutiny/archive/")
    member.get_by_label("Committee").select_option(label=COMMITTEE)
    member.get_by_role("button", name="Show packs").click()
    row = member.locator("main tbody tr").filter(has_text=TITLE)
    expect(row).to_contain_text(re.compile(rf"Supplement 1\b.*, pages {pack_pages + 1}–{last}"))
    _assert_accessible(member, "archive-with-supplement-councillor")
    with member.expect_download() as info:
        row.get_by_role("link", name=re.compile(r"^Supplement 1")).click()
    content = open(info.value.path(), "rb").read()  # noqa: SIM115 - a temporary file Playwright owns
    assert info.value.suggested_filename.endswith("-2019-02-14-supplement-1.pdf"), info.value.suggested_filename
    reader = PdfReader(BytesIO(content))
    first = " ".join((reader.pages[0].extract_text() or "").split())
    assert f"Supplement 1 to the agenda for {COMMITTEE}, {MEETING}" in first, first[:400]
    assert REASON in first, first[:800]
    assert re.findall(r"Page (\d+)", first)[-1] == str(pack_pages + 1), first[-200:]
    assert reader.page_labels[0] == str(pack_pages + 1)
    assert len(reader.pages) == supplement_pages

    # The councillor reads the published supplement's page, with nothing to change on it.
    member.goto(supplement_url)
    expect(member.get_by_role("heading", level=1)).to_contain_text("Supplement 1 Published")
    expect(member.locator("main").get_by_role("button")).to_have_count(0)
    _assert_accessible(member, "supplement-published-councillor")

    assert not admin_refused, admin_refused
    assert not member_refused, member_refused
    assert_no_csp_violations(new_page)
