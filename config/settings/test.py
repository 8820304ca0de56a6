"""Settings for the test run (pytest's DJANGO_SETTINGS_MODULE): fast hashing, tasks run eagerly in-process
(a real broker when REDIS_URL is set, for the tests that start a worker), local-memory cache, mail kept in
memory, log-in throttling off unless AXES_ENABLED=1, and a key of its own."""

from .base import *  # noqa: F403
from .base import REDIS_URL, STORAGES, env

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = "test-only-insecure-key-do-not-use-in-production"  # noqa: S105

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# Each test starts from an empty cache, even when REDIS_URL names a broker; sessions stay in the database.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Tasks run eagerly in tests; tests marked celery_worker switch this off and start a real
# worker against the Redis broker (see tests/conftest.py: live_celery_worker).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
if not REDIS_URL:
    # Not the embedded default's folder broker: a test run leaves nothing queued in the checkout.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"

# Tests compare the dashboard with the records they have just written; the test of the cache turns it on.
DASHBOARD_CACHE_SECONDS = 0
