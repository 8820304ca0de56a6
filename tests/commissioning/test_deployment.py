"""docker-compose.yml describes the production shape, and its app services share one configuration."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_web_worker_beat_postgres_16_and_redis():
    services = _compose()["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"].startswith("redis:")
    assert "gunicorn" in services["web"]["command"]
    assert "celery -A config worker" in services["worker"]["command"]
    assert "celery -A config beat" in services["beat"]["command"]


def test_web_worker_and_beat_share_the_same_settings_variables():
    services = _compose()["services"]
    environments = [services[name]["environment"] for name in ("web", "worker", "beat")]
    assert environments[0] == environments[1] == environments[2]
    for variable in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "MEDIA_ROOT"):
        assert variable in environments[0]
    assert environments[0]["DEBUG"] == "0"
    assert environments[0]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    # Taken from the environment, never written into the file.
    assert environments[0]["SECRET_KEY"].startswith("${SECRET_KEY:?")


def test_the_image_runs_the_production_settings():
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in (ROOT / "Dockerfile").read_text()


def test_every_app_service_is_built_from_the_dockerfile():
    services = _compose()["services"]
    assert all(services[name]["build"] == "." for name in ("web", "worker", "beat"))
    assert (ROOT / "Dockerfile").exists()
