"""Journey: a commissioner searches from the header for a strategy's words, sees the results grouped by type
with the match highlighted, and opens a result."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_csp_violations, log_in

pytestmark = pytest.mark.e2e


def test_commissioner_searches_from_the_header_and_opens_a_result(live_app, new_page):
    # The demo is indexed once it is loaded (conftest's live_app runs manage.py rebuild_search_index).
    page = new_page()
    log_in(page, "commissioner")

    header = page.locator("header")
    header.get_by_label("Search").fill("carers")
    header.get_by_role("button", name="Search").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.locator("#search-summary")).to_contain_text("for ‘carers’")
    strategies = page.locator("#results-strategies")
    expect(strategies.get_by_role("heading", level=2)).to_contain_text("Strategies")
    expect(strategies.locator("mark").first).to_be_visible()

    first = strategies.get_by_role("heading", level=3).first.get_by_role("link")
    title = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(r"/strategies/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)

    # No words: a clear error on the same page, not a server error.
    page.goto("/search/?q=")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter words to search for.")
    assert_no_csp_violations(new_page)
