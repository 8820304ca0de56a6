"""Journey 3: a scrutiny member opens the Board's meeting, is offered nothing beyond reading, and downloads the
published pack: a PDF whose first page is the cover report."""

import re
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .conftest import assert_no_csp_violations, log_in

pytestmark = pytest.mark.e2e

COMMITTEE = "Overview and Scrutiny Management Board"


def test_member_downloads_the_published_pack_and_is_offered_nothing_more(new_page):
    page = new_page()
    refused: list[str] = []
    page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    log_in(page, "councillor")

    page.locator("main").get_by_role("link", name="Committees, meetings and report packs").click()
    page.get_by_role("link", name=COMMITTEE).click()
    page.get_by_role("link", name=re.compile("30 May 2019")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting of 30 May 2019")
    main = page.locator("main")
    # A member reads: no controls for what only officers may do.
    for control in ("Prepare a report pack", "Record the committee's conclusions"):
        expect(main.get_by_text(control)).to_have_count(0)
    meeting_url = page.url

    main.get_by_role("link", name=re.compile("^Commissioning Strategies")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Commissioning Strategies")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Published")
    for control in ("Render the PDF", "Render again", "Try again", "Publish to the committee's members"):
        expect(main.get_by_role("button", name=control)).to_have_count(0)
    expect(main.get_by_role("link", name=re.compile("Edit the cover report"))).to_have_count(0)

    with page.expect_download() as info:
        # A member downloads the published revision, never a working render.
        main.get_by_role("link", name=re.compile("^Download revision 1")).click()
    download = info.value
    content = open(download.path(), "rb").read()  # noqa: SIM115 - a temporary file Playwright owns
    assert content.startswith(b"%PDF-"), "The download is not a PDF"
    reader = PdfReader(BytesIO(content))
    first = reader.pages[0].extract_text()
    for expected in (
        "Report to: Overview and Scrutiny Management Board",
        "Date: 30 May 2019",
        "Subject: Commissioning Strategies",
        "Actions Required",
    ):
        assert expected in first, f"{expected!r} is not on the first page:\n{first[:600]}"
    assert len(reader.pages) > 5, "The pack should carry its appendices"

    # Nothing the member's browser asked for was refused...
    assert not refused, f"The member's pages requested what they may not: {refused}"
    # ...and asking directly for an officer's form is refused.
    meeting_id = re.search(r"/meetings/(\d+)/", meeting_url).group(1)
    for path in (f"/scrutiny/meetings/{meeting_id}/packs/new/", f"/scrutiny/meetings/{meeting_id}/conclusions/add/"):
        assert page.request.get(path, max_redirects=0).status == 403, path
    assert_no_csp_violations(new_page)
