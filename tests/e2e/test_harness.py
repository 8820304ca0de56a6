"""The checks the journeys rely on can fail: axe finds a planted fault, and a script the CSP refuses is caught."""

import pytest
from playwright.sync_api import expect

from . import axe
from .conftest import log_in

pytestmark = pytest.mark.e2e


def test_axe_reports_an_image_without_a_text_alternative(new_page):
    page = new_page()
    page.goto("/accounts/login/")
    assert axe.violations(page) == []

    page.evaluate(
        "document.querySelector('main').append(Object.assign(document.createElement('img'), {src: '/x.png'}))"
    )

    assert "image-alt" in {violation["id"] for violation in axe.violations(page)}


def test_an_inline_script_is_refused_and_reported(new_page):
    page = new_page()
    log_in(page, "commissioner")
    page.evaluate(
        "document.body.append(Object.assign(document.createElement('script'), {textContent: 'window.ran = 1'}))"
    )

    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("window.ran === undefined")
    assert any("Content Security Policy" in message for message in new_page.csp_violations)
    new_page.csp_violations.clear()  # planted on purpose
