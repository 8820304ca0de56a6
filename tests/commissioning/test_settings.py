"""One settings module per environment: production refuses to start without a SECRET_KEY whatever else the
environment says, local falls back to a development key, and the test run brings its own.

Each check imports the settings in a fresh interpreter, so no module state from this test run leaks in.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV_KEY = "dev-only-insecure-key-do-not-use-in-production"


def _run(code: str, module: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "TESTING"}}
    # An empty SECRET_KEY, not an absent one: a developer's .env file never fills it in (read with overwrite off).
    clean.update(DJANGO_SETTINGS_MODULE=module, SECRET_KEY="")
    clean.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def _setting(module: str, expression: str, **env: str) -> str:
    code = f"from django.conf import settings; print({expression})"
    result = _run(code, module, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_refuses_to_start_without_a_secret_key_even_with_debug_and_testing_on():
    result = _run("import config.settings.production", "config.settings.production", DEBUG="1", TESTING="1")

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _run("import config.settings.production", "config.settings.production", DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_with_a_key_has_debug_off_whatever_the_environment_says():
    values = _setting(
        "config.settings.production",
        "settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE",
        SECRET_KEY="k" * 60,
        DEBUG="1",
        TESTING="1",
    )

    assert values == "False True True"


def test_local_allows_the_development_key_and_has_debug_on_by_default():
    assert _setting("config.settings.local", "settings.SECRET_KEY, settings.DEBUG") == f"{DEV_KEY} True"


def test_local_uses_a_key_from_the_environment_and_can_turn_debug_off():
    assert _setting("config.settings.local", "settings.SECRET_KEY, settings.DEBUG", SECRET_KEY="k" * 60, DEBUG="0") == (
        f"{'k' * 60} False"
    )


def test_the_test_settings_bring_their_own_key_and_fast_hashing():
    values = _setting("config.settings.test", "settings.SECRET_KEY, settings.PASSWORD_HASHERS[0]")

    assert values == "test-only-insecure-key-do-not-use-in-production django.contrib.auth.hashers.MD5PasswordHasher"


def test_this_run_uses_the_test_settings(settings):
    assert settings.SETTINGS_MODULE == "config.settings.test"
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert settings.DASHBOARD_CACHE_SECONDS == 0
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert settings.CELERY_TASK_EAGER_PROPAGATES is False
