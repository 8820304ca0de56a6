"""/healthz/live and /healthz/ready: the process answers; readiness names each dependency that fails, with real
failures (a closed port, an unwritable storage, a migration not applied), never a 200 for a dead instance."""

import socket

import pytest
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import ConnectionHandler
from django.test import Client

from commissioning import health

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def redis_url(settings):
    """The run's Redis when it has one (REDIS_URL), else no Redis at all (the embedded default)."""
    return settings.REDIS_URL


@pytest.fixture(scope="module")
def migrations_table(django_db_setup, django_db_blocker):
    """The recorder's table (a test database built with --nomigrations has none), made outside any transaction:
    SQLite changes no schema inside one."""
    with django_db_blocker.unblock():
        MigrationRecorder(connections["default"]).ensure_schema()


@pytest.fixture
def real_migrations(settings, migrations_table):
    """The apps' own migration modules, as in production (pytest --nomigrations switches them off), each recorded
    as applied (a test database built from the models has none recorded); rolled back with the test."""
    settings.MIGRATION_MODULES = {}
    connection = connections["default"]
    recorder = MigrationRecorder(connection)
    applied = recorder.applied_migrations()
    for app_label, name in MigrationLoader(connection, ignore_no_migrations=True).disk_migrations:
        if (app_label, name) not in applied:
            recorder.record_applied(app_label, name)


def test_live_answers_ok_without_asking_anything(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"  # liveness never waits on a dependency

    for address in ("/healthz/live", "/healthz"):
        response = client.get(address)
        assert response.status_code == 200
        assert response.content == b"ok"
        assert response["Cache-Control"] == "no-store"


def test_ready_answers_200_with_each_part(media, real_migrations, redis_url):
    response = Client().get("/healthz/ready")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["checks"] == {
        "database": "ok",
        "redis": "ok" if redis_url else "not used",
        "storage": "ok",
        "migrations": "ok",
    }
    # The probe file is gone again.
    assert not list((media / health.PROBE_FOLDER).glob("*"))


def test_ready_is_open_without_sign_in_and_answers_only_get(media, real_migrations):
    assert Client().get("/healthz/ready").status_code == 200
    assert Client().post("/healthz/ready").status_code == 405


def test_redis_at_a_closed_port_makes_ready_503_naming_redis(settings, media, real_migrations):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"

    response = Client().get("/healthz/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]
    assert body["checks"]["redis"] == "failing (ConnectionError)"
    assert body["checks"]["database"] == body["checks"]["storage"] == body["checks"]["migrations"] == "ok"


def test_a_redis_celery_broker_is_pinged_too(settings):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/1"

    assert health.redis_urls() == [settings.CELERY_BROKER_URL]
    assert not health.check_redis().ok


def test_without_redis_the_redis_part_is_not_used(settings):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = "memory://"

    assert health.check_redis() == health.CheckResult("redis", True, "not used")


def test_an_unreachable_database_makes_ready_503_naming_it(monkeypatch, media, settings):
    """The check's connection points at PostgreSQL on a closed port of 127.0.0.1: a real refused connection."""
    unreachable = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "commissioning",
                "USER": "postgres",
                "HOST": "127.0.0.1",
                "PORT": str(_closed_port()),
                "OPTIONS": {"connect_timeout": 2},
            }
        }
    )
    monkeypatch.setattr(health, "connections", unreachable)

    response = Client().get("/healthz/ready")

    assert response.status_code == 503
    body = response.json()
    assert "database" in body["failing"]
    assert body["checks"]["database"] == "failing (OperationalError)"
    # Migrations cannot be read without the database: said so, not reported "ok".
    assert body["checks"]["migrations"] == "not checked (database failing)"
    assert body["checks"]["storage"] == "ok"
    unreachable.close_all()


def test_a_storage_that_cannot_write_makes_ready_503_naming_it(settings, tmp_path, real_migrations):
    # The media folder would have to be made inside a plain file: no user, root included, can write there.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file, not a folder")
    settings.MEDIA_ROOT = blocker / "media"

    response = Client().get("/healthz/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["storage"]
    assert body["checks"]["storage"].startswith("failing (")


def test_a_migration_not_applied_makes_ready_503_naming_migrations(media, real_migrations):
    # The newest migration of the commissioning app, as if this code were started before `migrate` ran.
    loader = MigrationLoader(connections["default"])
    app_label, name = max(key for key in loader.disk_migrations if key[0] == "commissioning")
    MigrationRecorder.Migration.objects.filter(app=app_label, name=name).delete()

    response = Client().get("/healthz/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["migrations"]
    assert body["checks"]["migrations"].startswith("failing (")
    assert f"{app_label}.{name}" in health.unapplied_migrations()


def test_the_failure_detail_stays_in_the_log_not_on_the_open_page(settings, media, real_migrations, caplog):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"

    response = Client().get("/healthz/ready")

    assert "127.0.0.1" not in response.content.decode()
    assert any("Readiness check redis failed" in record.getMessage() for record in caplog.records)


def test_a_probe_by_the_containers_own_address_over_plain_http_is_answered(settings, media, real_migrations):
    """As production is set up (HTTPS redirect on, only the public host allowed), an orchestrator's probe of
    http://10.0.0.7:8000/healthz/... is answered, not redirected nor refused for its host."""
    settings.ALLOWED_HOSTS = ["commissioning.council.example"]
    settings.SECURE_SSL_REDIRECT = True

    live = Client(HTTP_HOST="10.0.0.7:8000").get("/healthz/live")
    ready = Client(HTTP_HOST="10.0.0.7:8000").get("/healthz/ready")

    assert (live.status_code, live.content) == (200, b"ok")
    assert ready.status_code == 200
    # Every other page still gets the host check and the redirect.
    assert Client(HTTP_HOST="10.0.0.7:8000").get("/accounts/login/").status_code == 400
