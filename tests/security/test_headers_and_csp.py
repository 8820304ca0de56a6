"""Every page is sent with a strict Content-Security-Policy, and no template needs it loosened."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from commissioning.middleware import policy_for

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/two-factor/", "/admin/"])
def test_pages_carry_the_security_headers(client_as_admin, path):
    response = client_as_admin.get(path)

    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_no_policy_anywhere_allows_inline_or_eval_scripts():
    for path in ("/", "/api/docs/", "/api/schema/", "/admin/"):
        policy = policy_for(path)
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy


def test_the_api_documentation_gets_the_same_strict_policy(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == policy_for("/")


def test_swagger_ui_page_loads_its_script_and_styles_from_files(client_as_admin):
    response = client_as_admin.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()

    # Split view: the initialising script comes from a URL, so the strict script-src allows it.
    assert not _offences(body), "inline code on the API docs page"


# Markup the strict policy blocks: a <script> without src, <style> blocks, style="..." attributes,
# and inline event handlers such as onclick="...".
_OFFENCES = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "<style> block": re.compile(r"<style[\s>]", re.IGNORECASE),
    "style= attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "on*= event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE),
}


def _project_templates() -> list[Path]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]
    skip = {".venv", "node_modules", "staticfiles"}
    return sorted(
        path
        for folder in folders
        if not skip & set(folder.relative_to(ROOT).parts)
        for path in folder.rglob("*")
        if path.suffix in {".html", ".txt", ".svg"} and path.is_file()
    )


def _offences(text: str) -> list[str]:
    # Scripts of other types (e.g. JSON data for a chart) are data, not code: json_script is fine.
    text = re.sub(r"<script[^>]*type=\"application/(ld\+)?json\"[^>]*>.*?</script>", "", text, flags=re.DOTALL)
    return [name for name, pattern in _OFFENCES.items() if pattern.search(text)]


def test_the_scan_spots_each_kind_of_inline_code():
    assert _offences("<script>alert(1)</script>") == ["inline <script>"]
    assert _offences('<div style="color:red">') == ["style= attribute"]
    assert _offences("<style>p{}</style>") == ["<style> block"]
    assert _offences('<a href="#" onclick="go()">') == ["on*= event handler"]
    assert _offences('<a href="javascript:go()">') == ["javascript: URL"]
    assert _offences('<script type="module" src="/static/js/app.mjs"></script>') == []
    assert _offences('<script id="d" type="application/json">{"a": 1}</script>') == []


def test_no_template_needs_inline_scripts_or_styles():
    templates = _project_templates()
    assert any(path.name == "base.html" for path in templates)

    offenders = [
        f"{path.relative_to(ROOT)}: {', '.join(found)}"
        for path in templates
        if (found := _offences(path.read_text(encoding="utf-8", errors="replace")))
    ]

    assert not offenders, "Templates the Content-Security-Policy would break:\n" + "\n".join(offenders)
