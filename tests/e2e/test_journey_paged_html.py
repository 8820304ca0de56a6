"""Journey: a councillor on a phone reads the published pack on screen. From the seed pack's page (the Board's
meeting of 30 May 2019) they follow "Read on screen", find the PDF's page numbers marked in the text, jump to
page 3 from the list of pages, and read it without scrolling the page sideways (tables scroll in their own
containers)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_csp_violations, log_in

pytestmark = pytest.mark.e2e

COMMITTEE = "Overview and Scrutiny Management Board"
PHONE = {"width": 375, "height": 812}


def test_councillor_on_a_phone_reads_the_pack_on_screen_and_jumps_to_page_3(new_page):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    refused: list[str] = []
    page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    log_in(page, "councillor")

    page.goto("/scrutiny/")
    page.locator("main").get_by_role("link", name=COMMITTEE, exact=True).click()
    page.get_by_role("link", name=re.compile("30 May 2019")).click()
    page.locator("main").get_by_role("link", name="Commissioning Strategies", exact=True).click()
    revisions = page.get_by_role("table", name="Published revisions")
    expect(revisions).to_be_visible()
    revisions.get_by_role("link", name=re.compile(r"^Read on screen \(pages as in the PDF\)")).first.click()

    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Commissioning Strategies")
    expect(main.get_by_role("link", name=re.compile("^Download revision 1 as a PDF"))).to_be_visible()
    pages = main.get_by_role("navigation", name="Pages")
    markers = main.locator(".app-page-marker")
    # The navigation is complete when it is shown; the page markers may still be arriving as the document loads,
    # so they are awaited to match it rather than counted at once.
    links = pages.get_by_role("link", name=re.compile(r"^Page \d+$"))
    expect(links.first).to_be_visible()
    count = links.count()
    assert count >= 10, f"only {count} pages"
    expect(markers).to_have_count(count)
    # The markers run 1, 2, 3 ... in the order the PDF's pages do.
    assert markers.evaluate_all("(all) => all.map((m) => m.id)") == [f"page-{n}" for n in range(1, count + 1)]

    pages.get_by_role("link", name="Page 3", exact=True).click()
    page.wait_for_url(re.compile(r"#page-3$"))
    marker = page.locator("#page-3")
    expect(marker).to_be_in_viewport()
    expect(marker).to_contain_text("Page 3")
    # The list of pages names what page 3 begins with, and that is what follows its marker.
    label = pages.get_by_role("listitem").nth(2).inner_text()
    assert label.startswith("Page 3: "), label
    following = page.evaluate("() => document.getElementById('page-3').nextElementSibling.innerText")
    assert following.strip().startswith(label.removeprefix("Page 3: ")), following[:200]

    # Nothing makes the page itself wider than the phone: wide tables scroll in their own container.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"
    wraps = main.locator(".app-paged__table")
    assert wraps.count() > 0
    assert wraps.first.evaluate("(el) => getComputedStyle(el).overflowX") == "auto"

    assert not refused, f"refused: {refused}"
    assert_no_csp_violations(new_page)
