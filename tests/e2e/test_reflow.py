"""Reflow at 320 CSS px (WCAG 2.2, 1.4.10): every page, as the role that uses it, fits a 320 px screen with no
horizontal page scroll (a wide table scrolls inside its own region, {% table_wrap %}) and has no serious or
critical axe violations there. Key pages are also saved as screenshots at 320, 768 and 1280 px.

The pages are test_accessibility.PAGES (one per URL pattern and role, with the widest demo data), plus the
patterns it lacks, below. The signed-in contexts are reused: each role signs in once, and its cookies are carried
into a 320 px context."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from . import axe
from .conftest import ARTIFACTS, CSP_MARKERS
from .test_accessibility import ADMIN, COMMISSIONER, COUNCILLOR, OFFICER, PAGES, follow, signed_in  # noqa: F401

pytestmark = pytest.mark.e2e

NARROW = {"width": 320, "height": 640}
WIDTHS = (320, 768, 1280)

# URL patterns test_accessibility.PAGES does not visit (or not as this role).
EXTRA_PAGES = [
    ("contract-register-commissioner", COMMISSIONER, "/contracts/"),
    ("contract-register-filtered", OFFICER, "/contracts/?status=live&end_after=1/4/2019&sort=-annual_value"),
    ("contract-detail-commissioner", COMMISSIONER, follow("/contracts/", r"/contracts/\d+/")),
    ("provider-list-commissioner", COMMISSIONER, "/providers/"),
    ("location-list", OFFICER, "/providers/locations/"),
    ("strategy-list-councillor", COUNCILLOR, "/strategies/"),
    ("strategy-detail-councillor", COUNCILLOR, follow("/strategies/", r"/strategies/\d+/")),
    ("decision-list-admin", ADMIN, "/scrutiny/decisions/"),
]

ALL_PAGES = [*PAGES, *EXTRA_PAGES]

# About ten pages people open most, saved at each width for review (test-artifacts/e2e/reflow-<name>-<width>.png).
SCREENSHOTS = [
    "home-commissioner",
    "strategy-detail",
    "report-draft",
    "report-editor",
    "contract-register",
    "contract-detail",
    "provider-detail",
    "scrutiny-pack",
    "performance-dashboard",
    "decision-list",
]

PAGE_WIDTH = """() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    // The widest elements that are not inside a scrolling region: what makes the page wider, to fix.
    culprits: [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .filter((el) => !el.closest(".app-table-wrap, .app-paged__table, .govuk-visually-hidden, [hidden]"))
        .slice(0, 5)
        .map((el) => el.tagName.toLowerCase()
            + (typeof el.className === "string" && el.className ? "." + el.className.trim().replace(/\\s+/g, ".") : "")
            + " " + Math.round(el.getBoundingClientRect().right)),
})"""


@pytest.fixture(scope="session")
def sized(browser, live_app, signed_in):  # noqa: F811 - the fixture imported above
    """A context for a role at a width, carrying the cookies of the role's signed-in context (no second sign-in)."""
    contexts = {}

    def get(role: str | None, width: int):
        if (role, width) not in contexts:
            state = signed_in(role).storage_state()
            context = browser.new_context(
                base_url=live_app, viewport={"width": width, "height": 900 if width > 320 else 640}, storage_state=state
            )
            context.set_default_timeout(15_000)
            contexts[role, width] = context
        return contexts[role, width]

    yield get
    for context in contexts.values():
        context.close()


def _open(page: Page, target) -> None:
    if callable(target):
        target(page)
    else:
        response = page.goto(target)
        assert response is not None, f"{target} gave no response"
        assert response.status == 200, f"{target} answered {response.status}"
    page.wait_for_load_state("load")


@pytest.mark.parametrize(("name", "role", "target"), ALL_PAGES, ids=[name for name, _, _ in ALL_PAGES])
def test_page_reflows_at_320_px(sized, name, role, target):
    page = sized(role, NARROW["width"]).new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if any(k in m.text for k in CSP_MARKERS) else None)
    try:
        _open(page, target)
        width = page.evaluate(PAGE_WIDTH)
        if width["scroll"] > width["client"]:
            page.screenshot(path=str(ARTIFACTS / f"reflow-fail-{name}.png"), full_page=True)
        assert width["scroll"] <= width["client"], (
            f"{page.url} is {width['scroll']} px wide on a {width['client']} px screen; widest: {width['culprits']}"
        )
        # Every table is in its own wrapper; one that scrolls is a focusable, named region, so the keyboard can
        # scroll it too (static/js/scrollable-tables.js takes the tab stop off a wrapper with nothing to scroll).
        unwrapped = page.evaluate(
            """() => [...document.querySelectorAll("main table")].filter((t) => !t.closest(
                ".app-table-wrap, .app-paged__table")).length"""
        )
        assert unwrapped == 0, f"{page.url} has {unwrapped} table(s) outside a scrolling region"
        unreachable = page.evaluate(
            """() => [...document.querySelectorAll("main .app-table-wrap")].filter((w) => w.scrollWidth > w.clientWidth
                && !(w.getAttribute("tabindex") === "0" && w.getAttribute("role") === "region"
                     && w.getAttribute("aria-label"))).length"""
        )
        assert unreachable == 0, f"{page.url} has {unreachable} scrolling table(s) the keyboard cannot reach"
        found = axe.violations(page)
        assert not found, f"axe found at 320 px on {page.url}:\n" + axe.describe(name, found)
        assert not refused, f"The browser refused content under the CSP on {page.url}: {refused}"
    finally:
        page.close()


SCREENSHOT_PAGES = [spec for spec in ALL_PAGES if spec[0] in SCREENSHOTS]


@pytest.mark.parametrize(("name", "role", "target"), SCREENSHOT_PAGES, ids=[name for name, _, _ in SCREENSHOT_PAGES])
def test_key_pages_screenshots(sized, name, role, target):
    for width in WIDTHS:
        page = sized(role, width).new_page()
        try:
            _open(page, target)
            page.screenshot(path=str(ARTIFACTS / f"reflow-{name}-{width}.png"), full_page=True)
            assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        finally:
            page.close()


def test_key_contracts_fit_the_report_column_on_a_laptop(sized):
    """The highlight report's ten key-contract columns fit the report's column at 1280 px: each contract stacks
    as label / value rows rather than a 1,030 px table in a 630 px column."""
    spec = next(spec for spec in ALL_PAGES if spec[0] == "report-draft")
    page = sized(spec[1], 1280).new_page()
    try:
        _open(page, spec[2])
        tables = page.locator("main table.app-table--stacked")
        assert tables.count() > 0, "the report shows no key contracts"
        region = tables.first.locator("xpath=..")
        sizes = region.evaluate("(el) => ({scroll: el.scrollWidth, client: el.clientWidth})")
        assert sizes["scroll"] <= sizes["client"], f"the key-contracts table is {sizes} in its column"
    finally:
        page.close()
