"""Sessions end after an hour without activity; passwords must be long and not guessable."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_session_lasts_one_hour_from_the_last_request(settings):
    assert settings.SESSION_COOKIE_AGE == 60 * 60
    # Activity moves the expiry on, within a minute (SessionActivityMiddleware).
    assert settings.SESSION_ACTIVITY_RESOLUTION <= 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_each_page_pushes_the_expiry_an_hour_ahead(client_as_officer):
    client_as_officer.get("/")
    session = Session.objects.get(session_key=client_as_officer.session.session_key)

    remaining = session.expire_date - timezone.now()

    assert timedelta(minutes=59) < remaining <= timedelta(hours=1)


def test_after_an_hour_without_activity_the_user_must_sign_in_again(client_as_officer):
    client_as_officer.get("/")
    Session.objects.filter(session_key=client_as_officer.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client_as_officer.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pw1", "too short"),
        ("password1234", "too common"),
        ("938475610293847", "entirely numeric"),
        ("jane.commissioner", "too similar"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, problem):
    user = UserFactory.build(username="jane.commissioner", email="jane@council.example")

    with pytest.raises(ValidationError) as error:
        validate_password(password, user=user)

    assert any(problem in message for message in error.value.messages)


def test_a_long_uncommon_passphrase_is_accepted():
    user = UserFactory.build(username="jane.commissioner")

    assert validate_password("river-lantern-quarterly-47", user=user) is None


def test_pages_within_the_same_minute_do_not_rewrite_the_session(client_as_officer, django_assert_max_num_queries):
    client_as_officer.get("/")
    key = client_as_officer.session.session_key
    first_expiry = Session.objects.get(session_key=key).expire_date
    client_as_officer.get("/")
    assert Session.objects.get(session_key=key).expire_date == first_expiry
