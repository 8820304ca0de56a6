"""`make run`: the development server and a Celery worker side by side (and beat, with --beat), in one terminal.

Without REDIS_URL the worker takes its tasks from the filesystem broker under CELERY_LOCAL_FOLDER (var/celery/
by default, see config/settings/base.py), so a pack render or a large import runs there and no request waits
for it. Ctrl-C, or any one of the processes stopping, stops them all: runserver at once, the worker once its
current task is done (a second Ctrl-C stops it at once).

Why not honcho or another Procfile runner: they signal each process's whole group, so the worker's pool
processes are killed under a running render, and they kill the worker after a few seconds; with the
filesystem broker a task taken but not acknowledged is then lost rather than put back. Here the worker's
main process alone gets the signal and shuts down warm, as `celery worker` is meant to.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

BASE_DIR = Path(__file__).resolve().parent.parent
# How long a warm shutdown may take before the worker is stopped cold: a pack render takes under a minute.
WORKER_STOP_SECONDS = 90


def commands(*, host: str, port: int, concurrency: int, beat: bool) -> dict[str, list[str]]:
    """The processes to run, by name: the same commands as `make worker` and `make beat`."""
    python = sys.executable
    processes = {
        "web": [python, "manage.py", "runserver", f"{host}:{port}"],
        # Two pool processes by default: the parallel pack layout sends its two batches at once (scrutiny/parallel.py).
        "worker": [python, "-m", "celery", "-A", "config", "worker", "--loglevel=info", f"--concurrency={concurrency}"],
    }
    if beat:
        folder = Path(os.environ.get("CELERY_LOCAL_FOLDER") or BASE_DIR / "var" / "celery")
        folder.mkdir(parents=True, exist_ok=True)
        processes["beat"] = [python, "-m", "celery", "-A", "config", "beat", "--loglevel=info"]
        processes["beat"].append(f"--schedule={folder / 'beat-schedule'}")
    return processes


class Runner:
    """Starts the processes, each in a process group of its own so that the terminal's Ctrl-C reaches this
    script alone, and stops them in the right way for each."""

    def __init__(self, processes: dict[str, list[str]]) -> None:
        self.processes = processes
        self.children: dict[str, subprocess.Popen] = {}
        self.stopping_since: float | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # lines reach the terminal as they are written
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        for name, command in self.processes.items():
            self.children[name] = subprocess.Popen(command, cwd=BASE_DIR, env=env, process_group=0)  # noqa: S603
            print(f"run_local: {name} started (pid {self.children[name].pid})", flush=True)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping_since is None:
            print("\nrun_local: stopping (the worker finishes its current task; Ctrl-C again to stop now)", flush=True)
            self.stop()
        else:
            self.stop(now=True)

    def stop(self, *, now: bool = False) -> None:
        self.stopping_since = self.stopping_since or time.monotonic()
        for name, child in self.children.items():
            if child.poll() is not None:
                continue
            if name == "worker" and not now:
                # The main process alone: a warm shutdown lets the pool finish and acknowledge its task.
                child.send_signal(signal.SIGTERM)
            else:
                # The whole group: runserver's reloader and its server, or a worker past its warm shutdown.
                os.killpg(child.pid, signal.SIGKILL if name == "worker" else signal.SIGTERM)

    def wait(self) -> int:
        """Until every process has stopped; the first to stop on its own stops the others."""
        while any(child.poll() is None for child in self.children.values()):
            if self.stopping_since is None and any(child.poll() is not None for child in self.children.values()):
                stopped = [name for name, child in self.children.items() if child.poll() is not None]
                print(f"run_local: {', '.join(stopped)} stopped; stopping the others", flush=True)
                self.stop()
            if self.stopping_since is not None and time.monotonic() - self.stopping_since > WORKER_STOP_SECONDS:
                self.stop(now=True)
            time.sleep(0.2)
        codes = [child.returncode for child in self.children.values()]
        return next((code for code in codes if code not in (0, -signal.SIGTERM)), 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--concurrency", type=int, default=2, help="the worker's pool processes (default 2)")
    parser.add_argument("--beat", action="store_true", help="also run Celery beat (the scheduled digests and sweeps)")
    options = parser.parse_args(argv)

    runner = Runner(commands(host=options.host, port=options.port, concurrency=options.concurrency, beat=options.beat))
    signal.signal(signal.SIGINT, runner.on_signal)
    signal.signal(signal.SIGTERM, runner.on_signal)
    runner.start()
    return runner.wait()


if __name__ == "__main__":
    sys.exit(main())
