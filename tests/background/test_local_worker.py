"""Background work in the embedded default (no REDIS_URL): a real Celery worker on kombu's filesystem broker,
with results, groups and chords kept by Celery's SQLAlchemy backend in a SQLite file, and `make run`'s runner
(scripts/run_local.py) that starts and stops it beside runserver.

Every process here runs the development settings (config.settings.local) in a fresh interpreter, with
REDIS_URL empty and its own folder for the broker, the results and the database: nothing from this test run's
eager settings leaks in, and nothing touches the developer's var/celery/ or db.sqlite3.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Generous for a loaded CI machine; a healthy run takes a few seconds.
WORKER_SECONDS = 90

SEND_GROUP_AND_CHORD = """
import json
import django

django.setup()
from celery import chord, group

from commissioning.tasks import send_notification
from tests.background.tasks import add, total

timeout = float({timeout})
grouped = group(add.s(n, n) for n in range(4)).apply_async()
chorded = chord((add.s(n, 1) for n in range(4)), total.s()).apply_async()
mailed = send_notification.delay(subject="Pack published", body="A new pack.", recipients=["cllr@council.example"])
print(json.dumps({{
    "group": grouped.get(timeout=timeout),
    "chord": chorded.get(timeout=timeout),
    "mailed": mailed.get(timeout=timeout),
}}))
"""

SEND_ONE_NOTIFICATION = """
import django

django.setup()
from commissioning.tasks import send_notification

print(send_notification.delay(subject="Pack published", body="A new pack.", recipients=["cllr@council.example"])
      .get(timeout=float({timeout})))
"""


def _local_env(folder: Path, **extra: str) -> dict[str, str]:
    """The environment of `make run` without Redis, pointed at ``folder``. Empty rather than absent values, so a
    developer's .env file (read without overwriting) cannot fill them in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        REDIS_URL="",
        SECRET_KEY="",
        DEBUG="0",
        CELERY_LOCAL_FOLDER=str(folder / "celery"),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def _python(code: str, env: dict[str, str], *, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def _stop(process: subprocess.Popen, *, seconds: float = 30) -> None:
    """Stop a process we started (its group), warm first."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_without_redis_the_local_settings_use_the_filesystem_broker_and_a_database_result_backend(tmp_path):
    code = (
        "import json; from django.conf import settings; print(json.dumps([settings.CELERY_BROKER_URL,"
        " settings.CELERY_RESULT_BACKEND, settings.CELERY_TASK_ALWAYS_EAGER,"
        " settings.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'],"
        " settings.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_out']]))"
    )
    result = _python(code, _local_env(tmp_path))
    assert result.returncode == 0, result.stderr

    broker, backend, eager, folder_in, folder_out = json.loads(result.stdout)
    assert broker == "filesystem://"
    assert backend == f"db+sqlite:///{tmp_path / 'celery' / 'results.sqlite3'}"
    assert eager is False
    # One queue folder both ways: what the web process writes is what the worker reads.
    assert folder_in == folder_out == str(tmp_path / "celery" / "queue")


def test_with_redis_the_local_settings_use_redis_for_both(tmp_path):
    code = (
        "from django.conf import settings;"
        " print(settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND, settings.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = _python(code, _local_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/7"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["redis://127.0.0.1:6379/7", "redis://127.0.0.1:6379/7", "False"]


def test_the_unit_tests_still_run_tasks_eagerly(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is True


@pytest.mark.slow
def test_a_real_worker_on_the_filesystem_broker_returns_a_group_a_chord_and_a_project_task(tmp_path):
    env = _local_env(tmp_path)
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=info"]
        + ["--include=tests.background.tasks", "--without-mingle", "--without-gossip"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        process_group=0,
    )
    try:
        # Sent before or after the worker is up: the messages wait in the queue folder either way.
        sent = _python(SEND_GROUP_AND_CHORD.format(timeout=WORKER_SECONDS), env, timeout=WORKER_SECONDS + 30)
    finally:
        _stop(worker)
    log = worker.stdout.read() if worker.stdout else ""
    assert sent.returncode == 0, f"{sent.stderr}\n--- worker ---\n{log}"

    assert json.loads(sent.stdout) == {"group": [0, 2, 4, 6], "chord": 10, "mailed": 1}
    # The chord's callback was released by Celery's unlock task polling the result database (no native join).
    assert "celery.chord_unlock" in log
    assert "filesystem://" in log
    assert (tmp_path / "celery" / "results.sqlite3").exists()
    # Every message was taken: nothing is left waiting in the queue folder.
    assert list((tmp_path / "celery" / "queue").iterdir()) == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, *, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own local server
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"nothing answered at {url} within {seconds} s")


@pytest.mark.slow
def test_make_runs_runner_serves_pages_runs_tasks_and_stops_everything_on_ctrl_c(tmp_path):
    port = _free_port()
    env = _local_env(tmp_path, DEBUG="1")
    runner = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "scripts/run_local.py", "--port", str(port), "--concurrency", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        process_group=0,
    )
    try:
        # The login page answers (a redirect or a page: the temporary database has no tables, no matter).
        assert _wait_for(f"http://127.0.0.1:{port}/", seconds=WORKER_SECONDS) < 500
        # A project task, as a page would queue it, comes back from the runner's worker.
        sent = _python(SEND_ONE_NOTIFICATION.format(timeout=WORKER_SECONDS), env, timeout=WORKER_SECONDS + 30)
        assert sent.returncode == 0, sent.stderr
        assert sent.stdout.strip() == "1"
        # Ctrl-C in the terminal reaches the runner alone (its children have process groups of their own).
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=WORKER_SECONDS) == 0
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
    log = runner.stdout.read() if runner.stdout else ""
    assert "Warm shutdown" in log
    started = {name: int(pid) for name, pid in re.findall(r"run_local: (\w+) started \(pid (\d+)\)", log)}
    assert set(started) == {"web", "worker"}
    # Neither runserver nor the worker outlives the runner (their process groups are empty).
    for pid in started.values():
        with pytest.raises(ProcessLookupError):
            os.killpg(pid, 0)
