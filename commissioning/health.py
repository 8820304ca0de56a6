"""Health checks for an orchestrator or load balancer.

``live``: the process answers (no dependency is asked, so a slow database never gets a healthy web process
restarted). ``readiness``: each dependency a signed-in request needs - the database, Redis (when the cache or
the Celery broker is Redis), the file storage, and every migration of this code applied - so an instance that
would answer 500 is taken out of the load balancer's rotation instead. Each check answers a short status;
what went wrong in detail goes to the log only, since the health pages are open without sign-in.
"""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# Each probe gives up after this many seconds, well inside an orchestrator's usual 5-10 s probe timeout.
REDIS_TIMEOUT_SECONDS = 2.0
# Probe files live here, apart from every folder protected_media serves.
PROBE_FOLDER = "healthz"


@dataclass(frozen=True)
class CheckResult:
    """One dependency's answer: its name, whether it is usable, and a short status for the health page."""

    name: str
    ok: bool
    status: str


def _failed(name: str, error: BaseException) -> CheckResult:
    logger.warning("Readiness check %s failed: %r", name, error)
    return CheckResult(name, False, f"failing ({type(error).__name__})")


def check_database(connection: BaseDatabaseWrapper | None = None) -> CheckResult:
    """A query on the database (the default connection unless another is given)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "not usable"
        return _failed("database", error)
    return CheckResult("database", True, "ok")


def redis_urls() -> list[str]:
    """The Redis servers this process talks to: the cache/broker REDIS_URL and a Redis CELERY_BROKER_URL."""
    urls = []
    for url in (getattr(settings, "REDIS_URL", ""), getattr(settings, "CELERY_BROKER_URL", "")):
        if url and url.startswith(("redis://", "rediss://", "unix://")) and url not in urls:
            urls.append(url)
    return urls


def check_redis(urls: list[str] | None = None) -> CheckResult:
    """A PING to each Redis server; "not used" when the embedded default (no Redis) is running."""
    import redis

    urls = redis_urls() if urls is None else urls
    if not urls:
        return CheckResult("redis", True, "not used")
    for url in urls:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
        )
        try:
            client.ping()
        except Exception as error:
            return _failed("redis", error)
        finally:
            client.close()
    return CheckResult("redis", True, "ok")


def check_storage(storage: Storage | None = None) -> CheckResult:
    """Write a small probe file to the file storage (local folder or S3 bucket), read it back, delete it."""
    storage = storage or default_storage
    content = f"readiness probe {uuid.uuid4()}".encode()
    name = ""
    try:
        name = storage.save(f"{PROBE_FOLDER}/probe-{uuid.uuid4().hex}.txt", ContentFile(content))
        with storage.open(name, "rb") as probe:
            read_back = probe.read()
        if read_back != content:
            return CheckResult("storage", False, "failing (read back something else)")
    except Exception as error:
        return _failed("storage", error)
    finally:
        if name:
            try:
                storage.delete(name)
            except Exception as error:
                logger.warning("Could not delete the readiness probe %s: %r", name, error)
    return CheckResult("storage", True, "ok")


def unapplied_migrations(connection: BaseDatabaseWrapper | None = None) -> list[str]:
    """Migrations of this code not yet applied to the database, as "app.name"."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_migrations(connection: BaseDatabaseWrapper | None = None) -> CheckResult:
    """Every migration applied: new code on an old schema is not ready (it would answer 500 on the new columns)."""
    try:
        pending = unapplied_migrations(connection)
    except Exception as error:
        return _failed("migrations", error)
    if pending:
        logger.warning("Readiness: %d migrations not applied, first %s", len(pending), pending[0])
        return CheckResult("migrations", False, f"failing ({len(pending)} not applied)")
    return CheckResult("migrations", True, "ok")


def readiness(checks: list[Callable[[], CheckResult]] | None = None) -> list[CheckResult]:
    """Every readiness check, in order. The migrations check is skipped when the database failed (it needs it)."""
    results: list[CheckResult] = []
    for check in checks or [check_database, check_redis, check_storage, check_migrations]:
        database = next((result for result in results if result.name == "database"), None)
        if check is check_migrations and database is not None and not database.ok:
            results.append(CheckResult("migrations", False, "not checked (database failing)"))
            continue
        started = time.monotonic()
        results.append(check())
        logger.debug("Readiness %s took %.3fs", results[-1].name, time.monotonic() - started)
    return results


@require_GET
def healthz(request):
    """Liveness (``/healthz/live``, and ``/healthz`` as before): the process answers; nothing else is asked."""
    response = HttpResponse("ok", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def healthz_ready(request):
    """Readiness (``/healthz/ready``): 200 with each part's status, or 503 naming the parts failing."""
    results = readiness()
    failing = [result.name for result in results if not result.ok]
    body = {
        "status": "failing" if failing else "ok",
        "failing": failing,
        "checks": {result.name: result.status for result in results},
    }
    response = JsonResponse(body, status=503 if failing else 200)
    response["Cache-Control"] = "no-store"
    return response


# The health addresses answered before any other middleware: an orchestrator probes a container by its own
# address (not in ALLOWED_HOSTS) over plain HTTP (which production redirects to HTTPS), with no session.
HEALTH_PATHS = ("/healthz", "/healthz/live", "/healthz/ready")


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers the health addresses itself, so neither the host check, the HTTPS redirect,
    the session nor the sign-in rules stand between a probe and the truth about this process."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in HEALTH_PATHS:
            return healthz_ready(request) if request.path_info == "/healthz/ready" else healthz(request)
        return self.get_response(request)
