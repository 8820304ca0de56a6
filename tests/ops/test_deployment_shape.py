"""docker-compose.yml and the Dockerfile describe the scale-out shape the README's deployment section gives:
several web containers behind a load balancer, health-checked by readiness; Celery workers by queue, PDF apart
from e-mail, matching the task routes; beat once; PostgreSQL with a backup service running scripts/backup.sh;
Redis; S3-compatible storage shared by every app container."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "worker-pdf", "worker-email", "beat")


def _services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def _queues(command: str) -> set[str]:
    match = re.search(r"--queues[= ](\S+)", command)
    assert match, f"a worker names its queues: {command}"
    return set(match.group(1).split(","))


def test_several_web_containers_behind_a_load_balancer_that_is_the_only_one_published():
    services = _services()
    web = services["web"]
    assert web["deploy"]["replicas"] >= 2
    assert "ports" not in web  # reached through the load balancer only
    assert services["lb"]["ports"] == ["8000:80"]
    nginx = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["configs"]["nginx"]["content"]
    assert "server web:8000 resolve" in nginx
    assert "proxy_next_upstream error timeout http_502 http_503" in nginx


def test_web_containers_are_health_checked_by_readiness_and_the_image_by_liveness():
    web = _services()["web"]
    assert "/healthz/ready" in " ".join(web["healthcheck"]["test"])
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"HEALTHCHECK .*\n.*/healthz/live", dockerfile)


def test_migrations_run_once_before_web_and_workers_start():
    services = _services()
    assert "migrate" in services["migrate"]["command"]
    for name in ("web", "worker", "worker-pdf", "worker-email", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in str(services[name]["command"])


def _routes_with(environment: dict[str, str]) -> dict:
    """CELERY_TASK_ROUTES as the settings build them from these variables (a fresh process reads them)."""
    script = "import json; from django.conf import settings; print(json.dumps(settings.CELERY_TASK_ROUTES))"
    result = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", "import django; django.setup(); " + script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **environment},
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _queue_of(routes: dict, task_name: str) -> str:
    from celery import current_app
    from celery.app.routes import Router, prepare

    app = current_app._get_current_object()
    router = Router(prepare(routes), app.amqp.queues, create_missing=True, app=app)
    return router.route({}, task_name)["queue"].name


def test_workers_are_split_by_queue_and_the_tasks_are_routed_to_them():
    services = _services()
    environment = services["web"]["environment"]
    routes = _routes_with(
        {"CELERY_PDF_QUEUE": environment["CELERY_PDF_QUEUE"], "CELERY_EMAIL_QUEUE": environment["CELERY_EMAIL_QUEUE"]}
    )
    consumers = {name: _queues(services[name]["command"]) for name in ("worker", "worker-pdf", "worker-email")}
    assert consumers == {"worker": {"celery"}, "worker-pdf": {"pdf"}, "worker-email": {"email"}}

    def worker_for(task_name: str) -> str:
        queue = _queue_of(routes, task_name)
        (worker,) = [name for name, queues in consumers.items() if queue in queues]
        return worker

    for task in (
        "render_pack",
        "render_report",
        "render_supplement",
        "preview_pack",
        "layout_pack_part",
        "merge_pack_parts",
    ):
        assert worker_for(f"scrutiny.tasks.{task}") == "worker-pdf"
    for task in (
        "commissioning.tasks.send_notification",
        "commissioning.tasks.send_notification_emails",
        "contracts.tasks.send_needs_decision_digest",
        "scrutiny.tasks.notify_overdue_recommendations",
    ):
        assert worker_for(task) == "worker-email"
    for task in (
        "commissioning.tasks.run_import",
        "oversight.tasks.sweep_contract_alerts",
        "providers.tasks.refresh_cqc_ratings",
    ):
        assert worker_for(task) == "worker"
    assert "celery -A config beat" in services["beat"]["command"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_without_the_queue_variables_one_worker_runs_everything():
    """make worker and CI start a single `celery worker` on Celery's own queue: every task must reach it."""
    routes = _routes_with({"CELERY_PDF_QUEUE": "celery", "CELERY_EMAIL_QUEUE": "celery"})

    assert {
        _queue_of(routes, f"scrutiny.tasks.{task}") for task in ("render_pack", "notify_overdue_recommendations")
    } == {"celery"}
    assert _queue_of(routes, "commissioning.tasks.send_notification_emails") == "celery"


def test_every_app_container_shares_one_configuration_with_s3_storage():
    services = _services()
    environments = [services[name]["environment"] for name in APP_SERVICES]
    assert all(environment == environments[0] for environment in environments)
    environment = environments[0]
    assert environment["DEBUG"] == "0"
    assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert environment["STORAGE_BACKEND"] == "s3"
    assert environment["AWS_S3_ENDPOINT_URL"].endswith("storage:9000}")
    # Secrets come from the environment, never written into the file.
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert environment["AWS_SECRET_ACCESS_KEY"].startswith("${AWS_SECRET_ACCESS_KEY:?")
    assert all(services[name]["build"] == "." for name in APP_SERVICES)
    # No app container keeps files on a volume of its own any more: the bucket is shared.
    assert not any("volumes" in services[name] for name in APP_SERVICES)


def test_postgres_redis_storage_and_a_scheduled_backup_are_there():
    services = _services()
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"].startswith("redis:")
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    assert services["storage"]["image"].startswith("minio/minio:")
    backup = services["backup"]
    # The same major version as the server, so pg_dump can read it.
    assert backup["image"] == services["db"]["image"]
    assert backup["command"] == ["bash", "/app/scripts/backup.sh"]
    assert int(backup["environment"]["BACKUP_EVERY_SECONDS"].split(":-")[1].rstrip("}")) <= 86400
    assert "./scripts:/app/scripts:ro" in backup["volumes"]
    assert (ROOT / "scripts" / "restore.sh").exists()
