"""Shared fixtures: one logged-in client per role."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from commissioning import roles

from .factories import DirectorateFactory, UserFactory


def _user_with_role(role: str, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: a cached figure (a user's unread count) must not outlive the
    rows a test rolled back."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def directorate(db):
    return DirectorateFactory(name="Adult Care and Community Wellbeing", code="accw")


@pytest.fixture
def commissioner(db, directorate):
    return _user_with_role(roles.COMMISSIONER, username="commissioner", directorate=directorate)


@pytest.fixture
def contract_officer(db):
    return _user_with_role(roles.CONTRACT_OFFICER, username="officer")


@pytest.fixture
def scrutiny_member(db):
    return _user_with_role(roles.SCRUTINY_MEMBER, username="councillor")


@pytest.fixture
def administrator(db):
    return _user_with_role(roles.ADMINISTRATOR, username="administrator", is_staff=True)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_as_commissioner(commissioner):
    return _client_for(commissioner)


@pytest.fixture
def client_as_officer(contract_officer):
    return _client_for(contract_officer)


@pytest.fixture
def client_as_scrutiny(scrutiny_member):
    return _client_for(scrutiny_member)


@pytest.fixture
def client_as_admin(administrator):
    return _client_for(administrator)


@pytest.fixture
def client_for_role(db, directorate):
    """Parametrize over role names: client_for_role("Commissioner") or None for anonymous."""

    def make(role: str | None) -> Client:
        if role is None:
            return Client()
        return _client_for(_user_with_role(role, directorate=directorate, is_staff=role == roles.ADMINISTRATOR))

    return make


@pytest.fixture
def live_celery_worker(transactional_db):
    """A real Celery worker thread consuming from the Redis broker named by REDIS_URL."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from config.celery import app

    if not settings.REDIS_URL:
        pytest.fail("live_celery_worker needs REDIS_URL (mark the test celery_worker)")
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = previous


def pytest_collection_modifyitems(config, items):
    """Tests that need a real worker and broker run only when REDIS_URL is set (CI's PostgreSQL run)."""
    import os

    if os.environ.get("REDIS_URL"):
        return
    skip = pytest.mark.skipif(True, reason="needs REDIS_URL: runs in CI's PostgreSQL run with a real broker")
    for item in items:
        if "celery_worker" in item.keywords:
            item.add_marker(skip)
