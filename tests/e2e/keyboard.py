"""Keyboard-only helpers: reach an element by pressing Tab (never by clicking or focusing it from script)."""

from playwright.sync_api import Page

MAX_TABS = 250


def focused_is(page: Page, selector: str) -> bool:
    """Whether the element that has focus matches ``selector`` (a Playwright selector)."""
    return page.locator(selector).evaluate_all("(els) => els.includes(document.activeElement)")


def press_tab_until(page: Page, selector: str, *, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``; fail if it never does."""
    targets = page.locator(selector)
    targets.first.wait_for(state="attached")
    for _ in range(MAX_TABS):
        if targets.evaluate_all("(els) => els.includes(document.activeElement)"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector!r} was never reached by pressing {key} {MAX_TABS} times on {page.url}")


def activate(page: Page, selector: str) -> None:
    """Tab to a link or button and press Enter, waiting for the page it leads to."""
    press_tab_until(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_text(page: Page, text: str) -> None:
    page.keyboard.type(text)
