"""load_demo's production guard: with DEBUG off it refuses unless told this is not production, and then never
gives the demo users the documented password."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from commissioning.models import User
from demo import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_with_debug_off_load_demo_refuses_and_adds_nobody(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--i-know-this-is-not-production"):
        call_command("load_demo", password="a-password-of-our-own", stdout=io.StringIO())

    assert not User.objects.filter(username="admin").exists()


def test_with_debug_off_the_documented_password_is_refused_even_with_the_flag(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--password"):
        call_command("load_demo", password=DEFAULT_PASSWORD, i_know_this_is_not_production=True, stdout=io.StringIO())

    assert not User.objects.filter(username="admin").exists()


def test_the_flag_is_given_on_the_command_line_as_documented(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="documented demo password"):
        call_command("load_demo", "--i-know-this-is-not-production", "--password", DEFAULT_PASSWORD)


@pytest.mark.slow
def test_with_the_flag_and_no_password_a_random_one_is_set_and_printed_once(settings, demo_database):
    """On the demo already loaded (tests/conftest.py), a second load under DEBUG off: every demo user gets a new
    random password, printed, and the documented one no longer signs anyone in. Rolled back with the test."""
    settings.DEBUG = False
    output = io.StringIO()

    call_command("load_demo", i_know_this_is_not_production=True, stdout=output)

    printed = set(re.findall(r"password: (\S+)", output.getvalue()))
    assert len(printed) == 1
    password = printed.pop()
    assert password != DEFAULT_PASSWORD
    assert len(password) >= 20
    admin = User.objects.get(username="admin")
    assert admin.check_password(password)
    assert not admin.check_password(DEFAULT_PASSWORD)
