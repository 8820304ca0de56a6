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

    from commissioning.drf import reset_throttles

    cache.clear()
    reset_throttles()
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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests that need a real worker and broker run only when REDIS_URL is set (CI's PostgreSQL run).

    The tests on the demo data go last (after pytest-randomly's shuffle and pytest-django's ordering, hence
    trylast), in their shuffled order: the demo is loaded once, when the first of them starts (``demo_database``)."""
    import os

    on_demo = [item for item in items if "demo_database" in getattr(item, "fixturenames", ())]
    if on_demo:
        items[:] = [item for item in items if "demo_database" not in getattr(item, "fixturenames", ())] + on_demo
    if os.environ.get("REDIS_URL"):
        return
    skip = pytest.mark.skipif(True, reason="needs REDIS_URL: runs in CI's PostgreSQL run with a real broker")
    for item in items:
        if "celery_worker" in item.keywords:
            item.add_marker(skip)


# --- The demo data, loaded once for the whole run ------------------------------------------------------------------

DEMO_PASSWORD = "a-demo-password-for-tests"


@pytest.fixture(scope="session")
def demo_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo (manage.py load_demo) loaded once for every test that asks for it, its files in a temporary
    MEDIA_ROOT; cleared at the end of the run. Returns what load_demo printed.

    Loading takes about a minute, so the tests that use it share one load: ``pytest_collection_modifyitems`` above
    runs them after every other test, so no other test sees the demo rows. Each test still runs in its own
    transaction, rolled back, so what one test changes the next never sees."""
    import io

    from django.core.management import call_command
    from django.test import override_settings

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"))
    media.enable()
    output = io.StringIO()
    with django_db_blocker.unblock():
        call_command("load_demo", password=DEMO_PASSWORD, i_know_this_is_not_production=True, stdout=output)
    yield output.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
    media.disable()
