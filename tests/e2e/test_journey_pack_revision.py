"""Journey 6: democratic services correct a published pack. An administrator prepares a pack for the Board's
meeting, renders and publishes it, then starts revision 2, changes the cover summary, renders it again, is
refused publication until they say what changed, and publishes it. While revision 2 is prepared, a councillor
on the Board still reads revision 1 and nothing of the correction; once it is out, they read both revisions and
the note of what changed, download each revision's PDF, and find the notification in the header.

The journey makes its own pack (from the meeting page, as an officer would), so it neither depends on nor
changes the seed pack other journeys read."""

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
TITLE = "Adult Frailty and Long Term Conditions – the Board's corrected pack"
STRATEGY = "Adult Frailty and Long Term Conditions"
FIRST_SUMMARY = "The Board is invited to comment on the frailty strategy's quarter 3 highlight report."
SECOND_SUMMARY = "Corrected: the Board is invited to comment on the frailty strategy and its key contracts."
CHANGE_NOTE = "The cover summary now mentions the strategy's key contracts."
RENDER_TIMEOUT = 120_000


def _refusals(page: Page) -> list[str]:
    refused: list[str] = []
    page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return refused


def _unread(page: Page) -> int:
    """The header's unread count ("Notifications 3 unread"), 0 when it shows none."""
    name = page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Notifications")).inner_text()
    found = re.search(r"(\d+)", name)
    return int(found.group(1)) if found else 0


def _open_meeting(page: Page) -> None:
    page.goto("/scrutiny/")
    page.locator("main").get_by_role("link", name=COMMITTEE, exact=True).click()
    page.locator("main").get_by_role("link", name=re.compile(MEETING)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meeting of {MEETING}")


def _render(page: Page, button: str) -> None:
    """Ask for the PDF and wait, on the page, until the worker reports it Ready."""
    with page.expect_response(lambda r: r.url.endswith("/render/") and r.request.method == "POST"):
        page.locator("main").get_by_role("button", name=button).click()
    page.wait_for_load_state("load")
    expect(page.locator("[data-render-label]")).to_have_text("Ready", timeout=RENDER_TIMEOUT)
    expect(page.get_by_role("status").get_by_role("link", name="Download the PDF")).to_be_visible()


def _revisions(page: Page) -> Locator:
    table = page.locator("main table").filter(has=page.locator("caption", has_text="Published revisions"))
    expect(table).to_be_visible()
    return table.locator("tbody tr")


def _assert_accessible(page: Page, name: str) -> None:
    found = axe.violations(page)
    assert not found, f"axe found on {page.url}:\n" + axe.describe(name, found)


def _pdf(page: Page, link: Locator) -> tuple[bytes, str, str]:
    """Download through ``link``: the bytes, the file name offered, and the first page's text."""
    with page.expect_download() as info:
        link.click()
    download = info.value
    content = open(download.path(), "rb").read()  # noqa: SIM115 - a temporary file Playwright owns
    assert content.startswith(b"%PDF"), f"{download.suggested_filename} is not a PDF"
    first = PdfReader(BytesIO(content)).pages[0].extract_text() or ""
    return content, download.suggested_filename, " ".join(first.split())


def test_administrator_revises_a_published_pack_and_a_member_reads_both_revisions(new_page):
    # The councillor is signed in first, to know how many unread notifications they had before.
    member = new_page()
    member_refused = _refusals(member)
    log_in(member, "councillor")
    unread_before = _unread(member)

    admin = new_page()
    admin_refused = _refusals(admin)
    log_in(admin, "admin")
    main = admin.locator("main")
    banner = admin.locator(".govuk-notification-banner--success")

    # A pack of its own for the Board's meeting, rendered and published: revision 1.
    _open_meeting(admin)
    main.get_by_role("link", name="Prepare a report pack").click()
    admin.get_by_label("Title", exact=True).fill(TITLE)
    expect(admin.get_by_label("Report to", exact=True)).to_have_value(COMMITTEE)
    fill_date(admin, "Date of the report", 30, 5, 2019)
    admin.get_by_label("Subject", exact=True).fill(STRATEGY)
    admin.get_by_label("Summary", exact=True).fill(FIRST_SUMMARY)
    admin.get_by_label(STRATEGY, exact=True).fill("1")
    admin.get_by_role("button", name="Save pack").click()
    expect(banner).to_contain_text("Pack saved as a draft.")
    expect(admin.get_by_role("heading", level=1)).to_contain_text(TITLE)
    pack_url = admin.url
    pack_path = re.search(r"/scrutiny/packs/\d+/", pack_url).group(0)
    _render(admin, "Render the PDF")
    main.get_by_role("button", name="Publish to the committee's members").click()
    _assert_accessible(admin, "pack-publish-confirm")
    confirm_publication(admin)
    expect(banner).to_contain_text("Pack published. The committee's members have been told.")

    # Published: revision 1 is current, and the way to change it is a new revision.
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Published")
    rows = _revisions(admin)
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("1 Current")
    expect(rows.nth(0)).to_contain_text("First publication")
    expect(main.get_by_role("link", name=re.compile("Edit the cover report"))).to_have_count(0)
    main.get_by_role("button", name="Start revision 2").click()
    expect(banner).to_contain_text("Revision started.")
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Draft")
    expect(rows.nth(0)).to_contain_text("1 Current")  # members keep revision 1 until revision 2 is out

    # The correction: a new cover summary, rendered again.
    main.get_by_role("link", name="Edit the cover report and appendices").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Edit {TITLE}")
    expect(admin.get_by_label("Summary", exact=True)).to_have_value(FIRST_SUMMARY)
    admin.get_by_label("Summary", exact=True).fill(SECOND_SUMMARY)
    admin.get_by_role("button", name="Save pack").click()
    expect(banner).to_contain_text("Pack saved. Render it again")
    expect(main).to_contain_text(SECOND_SUMMARY)

    # Meanwhile the councillor still reads revision 1 as published, and nothing of the correction.
    member.goto(pack_url)
    expect(member.get_by_role("heading", level=1)).to_contain_text("Published")
    expect(member.get_by_role("heading", level=1)).not_to_contain_text("Draft")
    waiting = _revisions(member)
    expect(waiting).to_have_count(1)
    expect(waiting.nth(0)).to_contain_text("1 Current")
    expect(member.locator("main")).not_to_contain_text(SECOND_SUMMARY)
    expect(member.locator("main")).to_contain_text("A new revision of this pack is being prepared.")
    _assert_accessible(member, "pack-revision-in-preparation-councillor")

    _render(admin, "Render again")

    # Publishing without saying what changed is refused, and nothing is published.
    change_note = admin.get_by_label("What has changed since revision 1")
    expect(change_note).to_be_visible()
    main.get_by_role("button", name="Publish revision 2").click()
    # Refused on the field itself: the error summary links to it, and the page title says there is an error.
    expect(admin.locator(".govuk-error-summary[data-module]")).to_contain_text("Say what has changed since revision 1.")
    expect(admin.locator("#change_note-error")).to_contain_text("Say what has changed since revision 1.")
    expect(admin).to_have_title(re.compile("^Error: "))
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Draft")
    expect(rows).to_have_count(1)
    _assert_accessible(admin, "pack-revision-publish-refused")

    change_note.fill(CHANGE_NOTE)
    main.get_by_role("button", name="Publish revision 2").click()
    expect(admin.locator("main")).to_contain_text(CHANGE_NOTE)
    confirm_publication(admin)
    expect(banner).to_contain_text("Revision 2 published. The committee's members have been told.")
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Published")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("2 Current")
    expect(rows.nth(0)).to_contain_text(CHANGE_NOTE)
    expect(rows.nth(1)).to_contain_text("1 Superseded")
    expect(main.get_by_role("button", name="Start revision 3")).to_be_visible()

    # The councillor, on the Board, opens the pack from the meeting and reads both revisions.
    _open_meeting(member)
    member.locator("main").get_by_role("link", name=TITLE, exact=True).click()
    expect(member).to_have_url(pack_url)
    heading = member.get_by_role("heading", level=1)
    expect(heading).to_contain_text(TITLE)
    expect(heading).to_contain_text("Published")
    member_main = member.locator("main")
    member_rows = _revisions(member)
    expect(member_rows).to_have_count(2)
    expect(member_rows.nth(0)).to_contain_text("2 Current")
    expect(member_rows.nth(0)).to_contain_text(CHANGE_NOTE)
    expect(member_rows.nth(1)).to_contain_text("1 Superseded")
    expect(member_main).to_contain_text(SECOND_SUMMARY)
    for control in ("Start revision 3", "Render again", "Publish revision 3"):
        expect(member_main.get_by_role("button", name=control)).to_have_count(0)
    expect(member_main.get_by_role("textbox")).to_have_count(0)
    _assert_accessible(member, "pack-revisions-councillor")

    first, first_name, first_page = _pdf(
        member, member_main.get_by_role("link", name=f"Download revision 1 of {TITLE}")
    )
    second, second_name, second_page = _pdf(
        member, member_main.get_by_role("link", name=f"Download revision 2 of {TITLE}")
    )
    assert first != second, "Revision 2's PDF is the same as revision 1's"
    # Revision 1 keeps the pack's own file name; later revisions say which they are.
    assert first_name.endswith("-2019-05-30.pdf"), first_name
    assert second_name == first_name.removesuffix(".pdf") + "-revision-2.pdf", (first_name, second_name)
    # Each revision's cover carries the summary it was published with.
    assert FIRST_SUMMARY in first_page, first_page[:800]
    assert SECOND_SUMMARY not in first_page, first_page[:800]
    assert SECOND_SUMMARY in second_page, second_page[:800]
    assert FIRST_SUMMARY not in second_page, second_page[:800]

    # Told twice, once per revision: the header counts both, and the list links the revision to the pack.
    member.reload()
    unread = member.get_by_role("banner").get_by_role("link", name=re.compile(r"^Notifications \d+ unread$"))
    expect(unread).to_be_visible()
    assert _unread(member) == unread_before + 2, (unread_before, unread.inner_text())
    unread.click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Notifications")
    revised = member.locator("main tbody tr").filter(
        has=member.locator(f'a[href$="{pack_path}"]', has_text="A scrutiny report pack has been revised")
    )
    expect(revised).to_have_count(1)
    expect(revised).to_contain_text("Unread")
    published = member.locator("main tbody tr").filter(
        has=member.locator(f'a[href$="{pack_path}"]', has_text="A scrutiny report pack has been published")
    )
    expect(published).to_have_count(1)

    assert not admin_refused, admin_refused
    assert not member_refused, f"The member's pages requested what they may not: {member_refused}"
    assert_no_csp_violations(new_page)
