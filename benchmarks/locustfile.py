"""Locust load for ``make bench``: signed-in officers reading pages and API clients reading the API.

Run by benchmarks/run.py with BENCH_TARGETS (JSON: urls, token, provider and strategy ids), BENCH_PASSWORD and
BENCH_OFFICER_THINK / BENCH_API_THINK (seconds between requests, "min,max").
Cookies are Secure under the production settings, which requests will not send over plain http to 127.0.0.1,
so each user carries its session cookie in the Cookie header by hand.
"""

import json
import os
import random

import requests
from locust import HttpUser, between, events, task

TARGETS = json.loads(os.environ.get("BENCH_TARGETS", "{}"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "demo-password-2019")
USERS = ["admin", "commissioner", "officer"]
SESSIONS: dict[str, dict] = {}


def _think(name: str, default: str):
    low, high = (float(x) for x in os.environ.get(name, default).split(","))
    return between(low, high)


def _csrf_from_form(html: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def _sign_in(host: str, username: str) -> dict:
    page = requests.get(f"{host}/accounts/login/", timeout=30)
    csrf = page.cookies.get("csrftoken", "")
    response = requests.post(
        f"{host}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": _csrf_from_form(page.text)},
        headers={"Cookie": f"csrftoken={csrf}", "Referer": f"{host}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    return {"Cookie": f"csrftoken={csrf}; sessionid={response.cookies.get('sessionid', '')}"}


@events.test_start.add_listener
def _sign_in_each_account(environment, **kwargs):
    # People sign in once at the start of the day, not in the minute measured: sign in each account before the
    # users start (password hashing is deliberately slow), and let its users share the session.
    for username in USERS:
        SESSIONS[username] = _sign_in(environment.host, username)


class Officer(HttpUser):
    """A council officer moving between the dashboard, the register, providers and strategies."""

    weight = 4
    # People read a page before they open the next one.
    wait_time = _think("BENCH_OFFICER_THINK", "5,15")

    def on_start(self):
        self.username = random.choice(USERS)  # noqa: S311 - load mix, not security
        self.headers = SESSIONS.get(self.username) or _sign_in(self.host, self.username)

    def get(self, url: str, name: str):
        with self.client.get(url, headers=self.headers, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")

    @task(3)
    def dashboard(self):
        self.get("/performance/", "/performance/ [dashboard]")

    @task(3)
    def contract_register(self):
        page = random.randint(1, 10)  # noqa: S311
        self.get(f"/contracts/?page={page}", "/contracts/?page=N [register]")

    @task(1)
    def contract_register_search(self):
        self.get("/contracts/?q=care", "/contracts/?q= [register search]")

    @task(2)
    def provider(self):
        pk = random.choice(TARGETS["providers"])  # noqa: S311
        self.get(f"/providers/{pk}/", "/providers/<pk>/")

    @task(2)
    def strategy(self):
        pk = random.choice(TARGETS["strategies"])  # noqa: S311
        self.get(f"/strategies/{pk}/", "/strategies/<pk>/")

    @task(1)
    def api_from_browser(self):
        self.get("/api/v1/contracts/?page_size=25", "/api/v1/contracts/ [session]")


class ApiClient(HttpUser):
    """A system reading the API with a token, a page of 100 at a time."""

    weight = 1
    wait_time = _think("BENCH_API_THINK", "2,5")

    def on_start(self):
        self.headers = {"Authorization": f"Token {TARGETS['token']}"}

    def get(self, url: str, name: str):
        with self.client.get(url, headers=self.headers, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")

    @task(3)
    def contracts(self):
        page = random.randint(1, 10)  # noqa: S311
        self.get(f"/api/v1/contracts/?page_size=100&page={page}", "/api/v1/contracts/?page_size=100")

    @task(1)
    def providers(self):
        self.get("/api/v1/providers/?page_size=100", "/api/v1/providers/?page_size=100")

    @task(1)
    def strategies(self):
        self.get("/api/v1/strategies/?page_size=100", "/api/v1/strategies/?page_size=100")
