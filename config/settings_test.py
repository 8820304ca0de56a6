"""Settings for the test run: the same settings with TESTING on (fast hashing, eager Celery
unless REDIS_URL is set, local-memory cache, mail kept in memory)."""

import os

os.environ["TESTING"] = "1"

from .settings import *  # noqa: E402, F403

# Tasks run eagerly in tests; tests marked celery_worker switch this off and start a real
# worker against the Redis broker (see tests/conftest.py: live_celery_worker).
CELERY_TASK_ALWAYS_EAGER = True

# Tests compare the dashboard with the records they have just written; the test of the cache turns it on.
DASHBOARD_CACHE_SECONDS = 0
CELERY_TASK_EAGER_PROPAGATES = False
