"""Browser journeys: the app served for real on 127.0.0.1 with demo data, driven by Playwright
in Debian's Chromium (never a downloaded browser). Run with `make e2e`."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
PASSWORD = "e2e-journeys-password-2019"


def _manage(env: dict, *args: str) -> None:
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@pytest.fixture(scope="session")
def e2e_env(tmp_path_factory):
    """Environment of the served app: its own database, media folder and (without REDIS_URL) queue folder.

    The journeys sign the demo administrator in with a password many times a minute, so the forced second factor
    is off here (tests/auth covers it through the test client)."""
    base = tmp_path_factory.mktemp("e2e")
    env = {k: v for k, v in os.environ.items() if k not in {"TESTING", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DEBUG="1",
        DATABASE_URL=os.environ.get("E2E_DATABASE_URL", f"sqlite:///{base / 'e2e.sqlite3'}"),
        MEDIA_ROOT=str(base / "media"),
        AXES_ENABLED="0",
        DJANGO_SETTINGS_MODULE="config.settings.local",
        CELERY_LOCAL_FOLDER=str(base / "celery"),
        SECOND_FACTOR_REQUIRED_FOR_ADMINISTRATORS="0",
    )
    if not os.environ.get("REDIS_URL"):
        env.pop("REDIS_URL", None)
    return env


@pytest.fixture(scope="session")
def live_app(e2e_env):
    """Migrate, load the demo data, index it for search, and serve the app with a Celery worker (through Redis when
    REDIS_URL is set, else the embedded default's queue folder).

    E2E_BASE_URL points the journeys at an app already serving fresh demo data instead (while writing them).
    """
    if os.environ.get("E2E_BASE_URL"):
        yield os.environ["E2E_BASE_URL"].rstrip("/")
        return
    python = sys.executable
    _manage(e2e_env, "migrate", "--noinput")
    _manage(e2e_env, "load_demo", "--password", PASSWORD)
    _manage(e2e_env, "rebuild_search_index")
    # load_demo renders and publishes the seed pack, so members download it at once (journey 3).
    port = _free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    log = open(ARTIFACTS / "server.log", "w")  # noqa: SIM115 - closed at teardown
    worker_log = open(ARTIFACTS / "worker.log", "w")  # noqa: SIM115 - closed at teardown
    processes = [
        subprocess.Popen(  # noqa: S603 - fixed arguments
            [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=e2e_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    ]
    processes.append(
        subprocess.Popen(  # noqa: S603 - fixed arguments
            [python, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=info"],
            cwd=ROOT,
            env=e2e_env,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/healthz")
        yield url
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        worker_log.close()


@pytest.fixture(scope="session")
def worker_log(e2e_env, live_app):
    """The Celery worker's log (None when the journeys run against an app served elsewhere)."""
    if os.environ.get("E2E_BASE_URL"):
        return None
    return ARTIFACTS / "worker.log"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy")


@pytest.fixture
def new_page(browser, live_app, request):
    """A fresh browser context per test; the last page is saved as a screenshot artefact.

    Pages run under the app's real CSP: anything the browser refuses under it (an inline script or style,
    a foreign host) is collected in ``new_page.csp_violations`` and fails the test, as it would break the
    page for users.
    """
    contexts = []
    violations: list[str] = []

    def watch(page) -> None:
        def on_console(message) -> None:
            if any(marker in message.text for marker in CSP_MARKERS):
                violations.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        # Inline style= attributes are refused without a console line in some builds; the DOM event sees all.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )

    def make(viewport=None, **kwargs):
        context = browser.new_context(
            base_url=live_app, viewport=viewport or {"width": 1280, "height": 900}, accept_downloads=True, **kwargs
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        watch(page)
        return page

    make.csp_violations = violations
    yield make
    for index, context in enumerate(contexts):
        for page in context.pages:
            name = request.node.name + (f"-{index}" if index else "")
            with contextlib.suppress(Exception):  # a screenshot is a courtesy, not the test
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        context.close()
    assert_no_csp_violations(make)


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def confirm_publication(page, *, members: int | None = None) -> None:
    """On the page that asks before a pack is published: it says what will happen; press the button that
    publishes (which names how many members it tells, when it tells any)."""
    import re

    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="What will happen")).to_be_visible()
    if members is not None:
        expect(page.locator("#recipients li")).to_have_count(members)
    page.get_by_role("button", name=re.compile(r"^Publish( and tell \d+ members?)?$")).click()


def assert_no_csp_violations(new_page) -> None:
    assert not new_page.csp_violations, "The browser refused content under the CSP:\n" + "\n".join(
        new_page.csp_violations
    )


def fill_date(page, legend: str, day: int | str, month: int | str, year: int | str) -> None:
    """Type a date into a GOV.UK date input (the fieldset named ``legend`` with Day, Month and Year boxes)."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))
