"""Five wrong passwords lock the account for half an hour, and the page says so plainly."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passphrase-2019"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    from axes.handlers.proxy import AxesProxyHandler

    # Axes keeps its handler between requests: start from no failures.
    AxesProxyHandler.reset_attempts()
    return settings


@pytest.fixture
def officer(db):
    user = UserFactory(username="officer1")
    user.set_password(PASSWORD)
    user.save()
    return user


def _attempt(client, password):
    return client.post(reverse("login"), {"username": "officer1", "password": password})


def test_four_wrong_passwords_still_let_the_right_one_in(client, axes_on, officer):
    for _ in range(4):
        assert _attempt(client, "wrong-password-123").status_code == 200

    response = _attempt(client, PASSWORD)

    assert response.status_code == 302


def test_the_fifth_wrong_password_locks_the_account(client, axes_on, officer):
    for _ in range(4):
        _attempt(client, "wrong-password-123")

    response = _attempt(client, "wrong-password-123")

    assert response.status_code == 429
    assert b"Your account is locked for now" in response.content
    assert b"for 30 minutes" in response.content
    assert b"5 wrong passwords in a row" in response.content


def test_once_locked_even_the_right_password_is_refused(client, axes_on, officer):
    for _ in range(5):
        _attempt(client, "wrong-password-123")

    response = _attempt(client, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_carries_the_strict_security_policy(client, axes_on, officer):
    for _ in range(5):
        response = _attempt(client, "wrong-password-123")

    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_throttling_settings_are_five_failures_and_thirty_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AXES_LOCKOUT_TEMPLATE == "registration/lockout.html"
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
