"""API clients per role: by session (the browser's) and by token (a program's)."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from commissioning import roles
from tests.auth.keys import api_key_for
from tests.factories import UserFactory

ROLE_NAMES = {
    "commissioner": roles.COMMISSIONER,
    "officer": roles.CONTRACT_OFFICER,
    "scrutiny": roles.SCRUTINY_MEMBER,
    "admin": roles.ADMINISTRATOR,
}


@pytest.fixture
def api_user(db, directorate):
    def make(role: str, **kwargs):
        user = UserFactory.create(username=f"api-{role}", directorate=directorate, **kwargs)
        user.groups.add(Group.objects.get(name=ROLE_NAMES[role]))
        return user

    return make


@pytest.fixture
def api_client_for(api_user):
    """api_client_for("officer") logs in by token; None is anonymous; session=True logs in as a browser."""

    def make(role: str | None, *, session: bool = False) -> APIClient:
        client = APIClient()
        if role is None:
            return client
        user = api_user(role)
        if session:
            client.force_login(user)
        else:
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
        client.user = user  # type: ignore[attr-defined]  # the test's own note of who is signed in
        return client

    return make
