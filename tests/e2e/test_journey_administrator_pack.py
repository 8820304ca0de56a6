"""Journey 4: an administrator takes a highlight report through the board and scrutiny to the Executive's
approval, then renders the meeting's pack; the pack page shows the render's progress while the background
worker (a real Celery worker when REDIS_URL is set) produces the PDF."""

import re
import time
from io import BytesIO

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from .conftest import assert_no_csp_violations, fill_date, log_in

pytestmark = pytest.mark.e2e

STRATEGY = "Adult Frailty and Long Term Conditions"
MEETING = re.compile(r"Adults and Community Wellbeing Scrutiny Committee.*10 July 2019")
PACK = "Commissioning Strategies – quarter 4 2018/19 highlight reports"

# Every text the pack page's status shows, in order, across reloads (recorded from inside the page).
RECORD_RENDER_STATUS = """
window.__renderLabels = [];
document.addEventListener("DOMContentLoaded", () => {
  const label = document.querySelector("[data-render-label]");
  if (!label) return;
  const record = () => {
    const progress = document.querySelector("[data-render-progress]");
    const text = label.textContent.trim() + (progress && !progress.hidden ? " " + progress.textContent.trim() : "");
    if (window.__renderLabels.at(-1) !== text) window.__renderLabels.push(text);
  };
  record();
  new MutationObserver(record).observe(document.querySelector("[data-module=scrutiny-render-status]"),
    {subtree: true, childList: true, characterData: true, attributes: true});
});
"""


def _move(
    page: Page,
    link: str,
    button: str,
    fill: dict[str, str] | None = None,
    select: dict | None = None,
    dates: dict[str, tuple[int, int, int]] | None = None,
):
    page.locator("main").get_by_role("link", name=link).click()
    for label, value in (fill or {}).items():
        page.get_by_label(label).fill(value)
    for legend, (day, month, year) in (dates or {}).items():
        fill_date(page, legend, day, month, year)
    for label, option in (select or {}).items():
        select_box = page.get_by_label(label)
        choice = next(o for o in select_box.locator("option").all_inner_texts() if option.search(o))
        select_box.select_option(label=choice)
    page.get_by_role("button", name=button).click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()


def test_administrator_approves_a_report_and_renders_the_pack_through_the_worker(new_page, worker_log):
    page = new_page()
    page.add_init_script(RECORD_RENDER_STATUS)
    log_in(page, "admin")

    page.goto("/strategies/")
    page.get_by_role("link", name=STRATEGY, exact=True).first.click()
    page.get_by_role("link", name="Q4 2018/19").click()
    expect(page.locator("#report-status")).to_have_text("Draft")

    _move(page, "Submit to the board", "Submit to the board")
    _move(
        page,
        "Record board review",
        "Record board review",
        fill={"Commissioning and Commercial Board comments": "The board supports the strategy's direction."},
    )
    _move(page, "Record scrutiny", "Record scrutiny", select={"Scrutiny meeting that considered the report": MEETING})
    _move(
        page,
        "Record approval",
        "Record approval",
        fill={"Executive decision reference": "I017463"},
        dates={"Date of the Executive decision": (23, 7, 2019)},
    )
    expect(page.locator("#report-status")).to_contain_text("Approved")
    expect(page.locator("main")).to_contain_text("I017463")

    # The meeting's pack, rendered in the background.
    page.goto("/scrutiny/")
    page.get_by_role("link", name="Adults and Community Wellbeing Scrutiny Committee").click()
    page.get_by_role("link", name=re.compile("10 July 2019")).click()
    page.locator("main").get_by_role("link", name=PACK).click()
    expect(page.locator("[data-render-label]")).to_have_text("Not rendered")
    started = time.monotonic()
    page.get_by_role("button", name="Render the PDF").click()
    status = page.get_by_role("status")
    download = status.get_by_role("link", name="Download the PDF")
    expect(download).to_be_visible(timeout=120_000)
    expect(page.locator("[data-render-label]")).to_have_text("Ready")
    seen = page.evaluate("window.__renderLabels")
    elapsed = time.monotonic() - started

    if worker_log is not None:
        # Through the worker: the page came back at once showing the job queued, then followed it to Ready.
        assert re.match(r"Queued|Rendering", seen[0]), f"The page did not show progress: {seen}"
        assert seen[-1].startswith("Ready"), seen
        log = worker_log.read_text()
        assert re.search(r"Task scrutiny\.tasks\.render_pack\[[^\]]+\] succeeded", log), log[-2000:]
    else:
        # Without a broker the task runs in the request: the page comes back with the PDF ready.
        assert seen[-1].startswith("Ready"), seen

    with page.expect_download() as info:
        download.click()
    content = open(info.value.path(), "rb").read()  # noqa: SIM115 - a temporary file Playwright owns
    assert content.startswith(b"%PDF-")
    text = "\n".join(p.extract_text() or "" for p in PdfReader(BytesIO(content)).pages)
    assert STRATEGY in text
    assert elapsed < 120
    assert_no_csp_violations(new_page)
