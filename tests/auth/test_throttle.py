"""API rate limits: per token for programs, per person for browser sessions, counted atomically so that
parallel requests never let more through than the limit."""

import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from commissioning import tokens
from commissioning.drf import ApiRateThrottle, reset_throttles

pytestmark = pytest.mark.django_db

# Redis runs wherever the tests do (127.0.0.1:6379): without REDIS_URL, the Redis counter uses a database of its own.
REDIS_FOR_THROTTLE = django_settings.API_THROTTLE_REDIS_URL or "redis://127.0.0.1:6379/12"


@pytest.fixture
def rates(monkeypatch):
    def set_rates(**scopes):
        monkeypatch.setattr(ApiRateThrottle, "THROTTLE_RATES", scopes)

    return set_rates


@pytest.fixture(params=["redis", "cache"])
def counter(request, settings):
    """Each test runs with the Redis counter and with the Django cache fallback (no Redis)."""
    settings.API_THROTTLE_REDIS_URL = REDIS_FOR_THROTTLE if request.param == "redis" else ""
    reset_throttles()
    return request.param


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.token_create(user=user, name='Client', scope='read').key}")
    return client


def test_token_clients_are_limited_with_a_429_in_the_error_format(counter, rates, contract_officer):
    rates(token="3/minute", session="100/minute")
    client = _token_client(contract_officer)

    statuses = [client.get("/api/v1/contracts/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/contracts/")
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_each_token_has_its_own_count(counter, rates, contract_officer):
    rates(token="2/minute")
    first, second = _token_client(contract_officer), _token_client(contract_officer)

    assert [first.get("/api/v1/contracts/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/contracts/").status_code == 200


def test_browser_sessions_are_limited_too_at_their_own_rate(counter, rates, contract_officer):
    rates(token="100/minute", session="3/minute")
    client = APIClient()
    client.force_login(contract_officer)

    assert [client.get("/api/v1/contracts/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert _token_client(contract_officer).get("/api/v1/contracts/").status_code == 200


def test_with_redis_unreachable_the_api_still_answers(rates, settings, contract_officer):
    rates(token="1/minute")
    settings.API_THROTTLE_REDIS_URL = "redis://127.0.0.1:1/0"
    client = _token_client(contract_officer)

    assert [client.get("/api/v1/contracts/").status_code for _ in range(2)] == [200, 200]


LIMIT = 25
CLIENTS = 16
EACH = 5


@pytest.mark.django_db(transaction=True)
def test_parallel_clients_never_get_more_than_the_limit_through(counter, rates, live_server, contract_officer):
    """16 clients at once, 80 requests, one token limited to 25 a minute: exactly 25 succeed."""
    rates(token=f"{LIMIT}/minute")
    key = tokens.token_create(user=contract_officer, name="Client", scope="read").key
    url = f"{live_server.url}/api/v1/contracts/"
    assert url.startswith("http://127.0.0.1:") or url.startswith("http://localhost:")
    start = threading.Barrier(CLIENTS)

    def client(_: int) -> list[int]:
        start.wait(timeout=30)
        statuses = []
        for _ in range(EACH):
            request = urllib.request.Request(url, headers={"Authorization": f"Token {key}"})  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own live server on 127.0.0.1
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        return statuses

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = [status for batch in pool.map(client, range(CLIENTS)) for status in batch]

    assert len(statuses) == CLIENTS * EACH
    assert set(statuses) <= {200, 429}, statuses
    assert statuses.count(200) == LIMIT
