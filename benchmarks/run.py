"""``make bench``: load and speed figures on PostgreSQL and gunicorn, written to benchmarks/latest.json.

Steps (each in its own try, so one failing part records null with its error and the rest still runs):
 1. a fresh PostgreSQL database ``commissioning_bench``; migrate; the demo data; bench data at 1,000 contracts;
 2. SQL queries per page with Django's test client (in a child process), at 1,000 and then 10,000 contracts;
 3. gunicorn (2 x cores + 1 workers, DEBUG off): median time of each page and of an API page of 100,
    and requests per second;
 4. Locust, headless, 50 logged-in users for 60 s on a mix of pages and API calls;
 5. pack render times (six demo strategies, then 14) with demo.pack_bench.measure_pack_render; for the 14, the
    same HTML also through the parallel path on a Celery worker the bench starts (2 prefork processes), side by
    side: ``pack_parallel_ratio`` is its wall time over the single-process layout's;
 6. import of a 10,000-row contract register file with ``manage.py import_contracts``.

Run from the repository root: ``python benchmarks/run.py [--quick] [--only packs]`` (``--only packs``: a fresh
database with the demo and a tenth of the bench data, then the packs alone, merged into latest.json).
Settings come from the environment: BENCH_PG (default postgres://postgres@127.0.0.1:5432), BENCH_DB
(commissioning_bench), BENCH_REDIS (redis://127.0.0.1:6379/13, used when it answers), BENCH_WORKDIR
(/tmp/commissioning-bench).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "commissioning_bench")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
WORKDIR = Path(os.environ.get("BENCH_WORKDIR", Path(tempfile.gettempdir()) / "commissioning-bench"))
# gunicorn's recommended 2 x cores + 1 sync workers, as in production.
GUNICORN_WORKERS = 2 * (os.cpu_count() or 1) + 1
PORT = int(os.environ.get("BENCH_PORT", "8777"))
HOST = f"http://127.0.0.1:{PORT}"
PASSWORD = "bench-only-password-2019"  # noqa: S105 - the bench's own demo log-in (DEBUG is off here)
USER = "admin"
PAGE_SAMPLES = 30
# Seconds each Locust user waits between requests (min,max): an officer reads a page; an API client pauses briefly.
OFFICER_THINK = os.environ.get("BENCH_OFFICER_THINK", "5,15")
API_THINK = os.environ.get("BENCH_API_THINK", "2,5")
PAGE_TARGET_MS = 500
LATEST = ROOT / "benchmarks" / "latest.json"

# name: (unit, target, whether lower is better); queries are checked against the 1,000-contract count instead.
SPEC = {
    "dashboard_ms": ("ms", PAGE_TARGET_MS),
    "dashboard_queries": ("queries", None),
    "contract_list_ms": ("ms", PAGE_TARGET_MS),
    "contract_list_queries": ("queries", None),
    "provider_detail_ms": ("ms", PAGE_TARGET_MS),
    "provider_detail_queries": ("queries", None),
    "strategy_detail_ms": ("ms", PAGE_TARGET_MS),
    "strategy_detail_queries": ("queries", None),
    "api_contracts_ms": ("ms", PAGE_TARGET_MS),
    "api_contracts_queries": ("queries", None),
    "api_contracts_rps": ("requests/s", None),
    "load_p95_ms": ("ms", 500),
    "load_median_ms": ("ms", None),
    "load_rps": ("requests/s", None),
    "load_requests": ("requests", None),
    "load_errors": ("errors", 0),
    "import_10k_s": ("s", 30),
    "pack6_s": ("s", 10),
    "pack6_data_share": ("%", 10),
    "pack6_pages": ("pages", None),
    "pack14_s": ("s", 20),
    "pack14_data_share": ("%", 10),
    "pack14_pages": ("pages", None),
    # The 14-strategy pack's HTML laid out in parallel parts on 2 Celery worker processes (scrutiny.parallel: a
    # quick preview, untagged) over the same HTML laid out in one process (html_to_pdf), measured side by side.
    "pack_parallel_ratio": ("ratio", 0.6),
    "pack14_single_layout_s": ("s", None),
    "pack14_parallel_s": ("s", None),
}
# Each hostile import file's refusal (benchmarks/refusals.py): wall time and peak Python memory, in a child each.
REFUSALS = (
    "rows_1e6", "size_50mb", "zip_bomb", "unpacked_large", "duplicate_headers", "wrong_encoding", "many_columns",
    "overlong_cell",
)  # fmt: skip
for _name in REFUSALS:
    SPEC[f"refusal_{_name}_ms"] = ("ms", 2000)
    SPEC[f"refusal_{_name}_peak_mb"] = ("MB", 100)
# The OCDS export of the bench-size register, validated against the official schemas (benchmarks/ocds_check.py).
SPEC["ocds_errors"] = ("errors", 0)
SPEC["ocds_releases"] = ("releases", None)
SPEC["ocds_build_s"] = ("s", None)
SPEC["ocds_validate_s"] = ("s", None)
# Higher is better for these; every other target is a ceiling.
AT_LEAST: set[str] = set()


@dataclass
class ManageRun:
    """A finished ``manage.py`` command: its output and how long it took."""

    stdout: str
    elapsed: float


class Bench:
    def __init__(self, quick: bool):
        self.quick = quick
        self.results: dict[str, dict] = {}
        self.errors: dict[str, str] = {}
        self.notes: dict[str, object] = {}
        self.server: subprocess.Popen | None = None
        self.env = self._env()

    # --- environment -----------------------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": f"{PG}/{DB_NAME}",
                "DJANGO_SETTINGS_MODULE": "config.settings.production",
                "DEBUG": "0",
                "TESTING": "0",
                "SECRET_KEY": "bench-only-" + "x" * 50,
                "SECURE_SSL_REDIRECT": "0",
                "SECURE_HSTS_SECONDS": "0",
                "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
                "AXES_ENABLED": "0",
                # Load is many users behind one token in the API part: the per-client limit is not what is measured.
                "API_TOKEN_RATE": "100000/minute",
                # The bench signs the administrator in with a password many times: pages, not the second factor.
                "SECOND_FACTOR_REQUIRED_FOR_ADMINISTRATORS": "0",
                "STATIC_ROOT": str(WORKDIR / "static"),
                "MEDIA_ROOT": str(WORKDIR / "media"),
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.pop("REDIS_URL", None)
        if _redis_answers(REDIS):
            env["REDIS_URL"] = REDIS
            self_note = "Redis cache at " + REDIS
        else:
            self_note = "local-memory cache (Redis did not answer)"
        self.notes_cache = self_note
        return env

    def manage(self, *args: str, timeout: int = 600, env: dict | None = None) -> ManageRun:
        started = time.perf_counter()
        proc = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
            raise RuntimeError(f"manage.py {' '.join(args)} failed: " + " | ".join(tail))
        return ManageRun(stdout=proc.stdout, elapsed=elapsed)

    def record(self, name: str, value) -> None:
        unit, target = SPEC.get(name, ("", None))
        self.results[name] = {"value": value, "unit": unit, "target": target}

    def section(self, title: str, names: list[str], func) -> None:
        print(f"\n== {title}", flush=True)
        started = time.perf_counter()
        try:
            func()
        except Exception as exc:  # one failing part must not stop the others
            # The last line of a child's traceback says what went wrong; the whole of it is printed above.
            message = f"{type(exc).__name__}: {str(exc).split(' | ')[-1]}"
            print(f"   FAILED: {message}", flush=True)
            traceback.print_exc()
            for name in names:
                if name not in self.results or self.results[name]["value"] is None:
                    self.record(name, None)
                    self.errors[name] = message
        print(f"   ({time.perf_counter() - started:.1f}s)", flush=True)

    # --- 1. database -----------------------------------------------------------------------------------------
    def fresh_database(self) -> None:
        import psycopg2

        WORKDIR.mkdir(parents=True, exist_ok=True)
        conn = psycopg2.connect(f"{PG}/postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
        conn.close()
        if "REDIS_URL" in self.env:
            import redis

            redis.Redis.from_url(REDIS).flushdb()
        self.manage("migrate", "--noinput")
        if _static_is_stale():
            self.manage("collectstatic", "--noinput")
        proc = self.manage("load_demo", "--password", PASSWORD, "--i-know-this-is-not-production")
        print(f"   migrated, static collected, demo loaded ({proc.elapsed:.1f}s for the demo)")

    def grow(self, scale: float, import_file: Path | None = None) -> None:
        args = ["build_bench_data", "--scale", str(scale)]
        if import_file:
            args += ["--import-file", str(import_file), "--import-rows", str(self.import_rows)]
        proc = self.manage(*args, timeout=900)
        for line in proc.stdout.strip().splitlines():
            print("   " + line)
        self.notes[f"build_bench_data_scale_{scale}_s"] = round(proc.elapsed, 1)

    # --- 2. queries per page (child process with Django) -----------------------------------------------------
    def count_queries(self, provider_pk: int | None = None) -> dict:
        # Count the dashboard's real work, not its one-minute cache.
        env = dict(self.env, DASHBOARD_CACHE_SECONDS="0")
        if provider_pk:
            env["BENCH_PROVIDER_PK"] = str(provider_pk)
        proc = subprocess.run(  # noqa: S603
            [PYTHON, str(Path(__file__)), "--child-queries"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if proc.returncode != 0:
            raise RuntimeError("query count failed: " + " | ".join(proc.stderr.strip().splitlines()[-8:]))
        return json.loads(proc.stdout.strip().splitlines()[-1])

    # --- 3. gunicorn -----------------------------------------------------------------------------------------
    def start_server(self, dashboard_cache_seconds: int = 60) -> None:
        log = open(WORKDIR / "gunicorn.log", "a")  # noqa: SIM115 - closed with the process
        self.server = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "-w",
                str(GUNICORN_WORKERS),
                "-b",
                f"127.0.0.1:{PORT}",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=dict(self.env, DASHBOARD_CACHE_SECONDS=str(dashboard_cache_seconds)),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        import requests

        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(f"{HOST}/healthz", timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer on /healthz within 60 s; see " + str(WORKDIR / "gunicorn.log"))

    def stop_server(self) -> None:
        if self.server and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
        self.server = None

    def time_pages(self, urls: dict[str, str], token: str) -> None:
        import requests

        cookie = login(requests)
        for name, url in urls.items():
            api = name.startswith("api_")
            headers = {"Authorization": f"Token {token}"} if api else {"Cookie": cookie}
            samples = []
            for n in range(PAGE_SAMPLES + 2):
                started = time.perf_counter()
                response = requests.get(HOST + url, headers=headers, timeout=60, allow_redirects=False)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
                if n >= 2:  # the first two warm each worker up
                    samples.append(elapsed)
            self.record(f"{name}_ms", round(statistics.median(samples), 1))
            self.notes[f"{name}_url"] = url
            self.notes[f"{name}_p90_ms"] = round(sorted(samples)[int(len(samples) * 0.9) - 1], 1)
            print(f"   {url}: median {statistics.median(samples):.1f} ms")
        # Requests per second on the API: as many clients as workers plus one, 100 calls.
        url = urls["api_contracts"]
        headers = {"Authorization": f"Token {token}"}

        def call(_):
            return requests.get(HOST + url, headers=headers, timeout=60).status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=3) as pool:
            codes = list(pool.map(call, range(100)))
        elapsed = time.perf_counter() - started
        if any(code != 200 for code in codes):
            raise RuntimeError(f"API answered {sorted(set(codes))} under 3 concurrent clients")
        self.record("api_contracts_rps", round(100 / elapsed, 1))

    # --- 4. locust -------------------------------------------------------------------------------------------
    def load(self, targets: dict) -> None:
        prefix = WORKDIR / "locust"
        env = dict(self.env)
        env["BENCH_TARGETS"] = json.dumps(targets)
        env["BENCH_PASSWORD"] = PASSWORD
        env["BENCH_OFFICER_THINK"] = OFFICER_THINK
        env["BENCH_API_THINK"] = API_THINK
        duration = "20s" if self.quick else "60s"
        users = "10" if self.quick else "50"
        cmd = [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "-u",
            users,
            "-r",
            "10",
            "-t",
            duration,
            "--host",
            HOST,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
        (WORKDIR / "locust.log").write_text(proc.stdout + proc.stderr)
        rows = list(csv.DictReader(Path(f"{prefix}_stats.csv").read_text().splitlines()))
        total = next(r for r in rows if r["Name"] == "Aggregated")
        self.record("load_p95_ms", float(total["95%"]))
        self.record("load_median_ms", float(total["50%"]))
        self.record("load_rps", round(float(total["Requests/s"]), 1))
        self.record("load_requests", int(total["Request Count"]))
        self.record("load_errors", int(total["Failure Count"]))
        self.notes["load_users"] = int(users)
        self.notes["load_duration"] = duration
        self.notes["load_think_seconds"] = {"officer": OFFICER_THINK, "api_client": API_THINK}
        self.notes["load_by_request"] = {
            r["Name"]: {
                "count": int(r["Request Count"]),
                "p95_ms": float(r["95%"]),
                "failures": int(r["Failure Count"]),
            }
            for r in rows
            if r["Name"] != "Aggregated"
        }
        failures = Path(f"{prefix}_failures.csv")
        if failures.exists() and int(total["Failure Count"]):
            self.notes["load_failures"] = [
                f"{r['Method']} {r['Name']}: {r['Error']} x{r['Occurrences']}"
                for r in csv.DictReader(failures.read_text().splitlines())
            ][:10]
        print(f"   {total['Request Count']} requests, p95 {total['95%']} ms, {total['Failure Count']} failures")

    # --- 5. packs ------------------------------------------------------------------------------------------
    def packs(self) -> None:
        worker = self.start_worker()
        try:
            proc = subprocess.run(  # noqa: S603
                [PYTHON, str(Path(__file__)), "--child-packs", *(["--side-by-side"] if worker else [])],
                cwd=ROOT,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=600,
            )
        finally:
            self.stop_worker(worker)
        if proc.returncode != 0:
            raise RuntimeError("pack render failed: " + " | ".join(proc.stderr.strip().splitlines()[-8:]))
        packs = json.loads(proc.stdout.strip().splitlines()[-1])
        for key, result in packs.items():
            self.record(f"{key}_s", result["total_seconds"])
            self.record(f"{key}_data_share", round(result["data_share"] * 100, 1))
            self.record(f"{key}_pages", result["pages"])
            self.notes[f"{key}_split"] = {
                "data_seconds": result["data_seconds"],
                "layout_seconds": result["layout_seconds"],
                "wall_seconds": result.get("wall_seconds"),
            }
            print(
                f"   {key}: {result['total_seconds']} s ({result['data_seconds']} s data and HTML, "
                f"{result['layout_seconds']} s WeasyPrint layout), {result['pages']} pages"
            )
            if "parallel" in result:
                self._record_parallel(key, result)
        if not worker:
            self.errors["pack_parallel_ratio"] = "no Redis at " + REDIS + ": no worker to lay out the parts"

    def _record_parallel(self, key: str, result: dict) -> None:
        parallel = result["parallel"]
        if parallel["pages"] != result["pages"]:
            raise RuntimeError(f"parallel path made {parallel['pages']} pages, the single pass {result['pages']}")
        self.record("pack_parallel_ratio", result["parallel_ratio"])
        self.record(f"{key}_single_layout_s", min(result.get("single_samples") or [result["layout_seconds"]]))
        self.record(f"{key}_parallel_s", parallel["seconds"])
        self.notes[f"{key}_parallel"] = {
            **parallel["figures"],
            "warm_up_seconds": result.get("warm_up_seconds"),
            "single_samples": result.get("single_samples"),
            "parallel_samples": result.get("parallel_samples"),
            "single_cpu_seconds": result.get("single_cpu_seconds"),
        }
        print(
            f"   {key} in parallel parts: {result.get('parallel_samples')} s against {result.get('single_samples')} s "
            "in one process, best of each "
            f"(ratio {result['parallel_ratio']}); {parallel['figures']}"
        )

    def start_worker(self) -> subprocess.Popen | None:
        """A Celery worker with 2 prefork processes on the bench's Redis, for the parallel pack layout."""
        if "REDIS_URL" not in self.env:
            return None
        log = open(WORKDIR / "celery-worker.log", "w")  # noqa: SIM115 - closed with the worker
        worker = subprocess.Popen(  # noqa: S603 - our own Celery app with fixed arguments
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--concurrency=2",
                "--pool=prefork",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        worker.log = log  # type: ignore[attr-defined]
        return worker

    def stop_worker(self, worker: subprocess.Popen | None) -> None:
        if worker is None:
            return
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        worker.log.close()  # type: ignore[attr-defined]

    # --- 6. import -------------------------------------------------------------------------------------------
    def import_file(self, path: Path) -> None:
        proc = self.manage("import_contracts", str(path), "--user", USER, timeout=self.import_timeout)
        self.record("import_10k_s", round(proc.elapsed, 1))
        self.notes["import_rows"] = self.import_rows
        print("   " + proc.stdout.strip().splitlines()[-1] + f" ({proc.elapsed:.1f}s)")

    def ocds(self) -> None:
        """The whole register's OCDS export at bench size, validated with 0 errors against the official schemas."""
        proc = subprocess.run(  # noqa: S603 - a script of this folder with fixed arguments
            [PYTHON, str(Path(__file__).resolve().parent / "ocds_check.py"), "--json"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        lines = proc.stdout.strip().splitlines()
        if not lines:
            raise RuntimeError("ocds_check printed nothing: " + (proc.stderr or "").strip()[-300:])
        figures = json.loads(lines[-1])
        for name in ("ocds_errors", "ocds_releases", "ocds_build_s", "ocds_validate_s"):
            self.record(name, figures.get(name))
        if figures.get("ocds_first_errors"):
            self.notes["ocds_first_errors"] = figures["ocds_first_errors"]

    def refusals(self) -> None:
        """Each hostile import file refused in a child process of its own: time and peak memory of the refusal."""
        refusal_notes = {}
        for name in REFUSALS:
            proc = subprocess.run(  # noqa: S603 - this script with fixed arguments
                [PYTHON, str(Path(__file__).resolve()), "--child-refusal", name],
                cwd=ROOT,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if proc.returncode != 0:
                tail = (proc.stderr or proc.stdout).strip().splitlines()[-4:]
                raise RuntimeError(f"refusal {name} failed: " + " | ".join(tail))
            measured = json.loads(proc.stdout.strip().splitlines()[-1])
            self.record(f"refusal_{name}_ms", measured["ms"])
            self.record(f"refusal_{name}_peak_mb", measured["peak_mb"])
            refusal_notes[name] = measured
            print(f"   {name:18} {measured['ms']:>9.1f} ms {measured['peak_mb']:>7.1f} MB  {measured['message'][:90]}")
        self.notes["refusals"] = refusal_notes

    def run_imports_only(self) -> int:
        """The import refusals alone (no database needed); their figures replace those in latest.json."""
        WORKDIR.mkdir(parents=True, exist_ok=True)
        names = [f"refusal_{n}_{unit}" for n in REFUSALS for unit in ("ms", "peak_mb")]
        self.section("Import refusals", names, self.refusals)
        self.notes["only"] = "imports"
        self.write(keep_others=True)
        return 0

    # --- the run ------------------------------------------------------------------------------------------
    def run(self) -> int:
        started = time.perf_counter()
        # Other work on the machine slows every figure: record how busy it was.
        self.notes["load_average_at_start"] = os.getloadavg()
        self.import_rows = 1_000 if self.quick else 10_000
        self.import_timeout = 400
        import_path = WORKDIR / "contracts_import.csv"
        small, full = (0.1, 0.3) if self.quick else (0.1, 1.0)
        queries: dict[str, dict] = {}
        query_names = [f"{p}_queries" for p in PAGES]
        try:
            self.section("Fresh database, demo data", [], self.fresh_database)
            self.section(f"Bench data at scale {small}", [], lambda: self.grow(small))
            self.section("Queries per page, small", [], lambda: queries.update(small=self.count_queries()))
            self.section(f"Bench data at scale {full}", [], lambda: self.grow(full, import_path))
            self.section(
                "Queries per page, full",
                query_names,
                lambda: queries.update(full=self.count_queries(_provider_pk(queries.get("small")))),
            )
            self._record_queries(queries)
            targets = queries.get("full", {}).get("targets") or queries.get("small", {}).get("targets")
            server_names = [f"{p}_ms" for p in PAGES] + ["api_contracts_rps"]
            if targets:
                # Page medians with the dashboard counted every time; Locust as in production (one-minute cache).
                self.section("gunicorn", server_names, lambda: self.start_server(dashboard_cache_seconds=0))
                if self.server:
                    self.section("Page times", server_names, lambda: self.time_pages(targets["urls"], targets["token"]))
                self.stop_server()
                self.section("gunicorn", [], self.start_server)
                if self.server:
                    self.section(
                        "Locust",
                        ["load_p95_ms", "load_errors", "load_median_ms", "load_rps"],
                        lambda: self.load(targets),
                    )
                self.stop_server()
            else:
                for name in server_names + ["load_p95_ms", "load_errors"]:
                    self.record(name, None)
                    self.errors[name] = "no pages to time: the query count step failed"
            pack_names = [f"{k}_{s}" for k in ("pack6", "pack14") for s in ("s", "data_share", "pages")]
            pack_names += ["pack_parallel_ratio", "pack14_single_layout_s", "pack14_parallel_s"]
            self.section("Scrutiny packs", pack_names, self.packs)
            self.section(
                f"Import of {self.import_rows:,} contracts", ["import_10k_s"], lambda: self.import_file(import_path)
            )
            self.section(
                "OCDS export against the official schemas",
                ["ocds_errors", "ocds_releases", "ocds_build_s", "ocds_validate_s"],
                self.ocds,
            )
            refusal_names = [f"refusal_{n}_{unit}" for n in REFUSALS for unit in ("ms", "peak_mb")]
            self.section("Import refusals", refusal_names, self.refusals)
        finally:
            self.stop_server()
        for name in SPEC:
            if name not in self.results:
                self.record(name, None)
                self.errors.setdefault(name, "not measured")
        self.notes["load_average_at_end"] = os.getloadavg()
        self.notes["total_seconds"] = round(time.perf_counter() - started, 1)
        self.notes["cache"] = self.notes_cache
        self.notes["quick"] = self.quick
        self.write()
        return 0

    def run_packs_only(self) -> int:
        """The packs alone on a fresh database with the demo and a tenth of the bench data (enough strategies for
        14 appendices); their figures replace those in latest.json, the others are kept."""
        started = time.perf_counter()
        self.notes["load_average_at_start"] = os.getloadavg()
        self.section("Fresh database, demo data", [], self.fresh_database)
        self.section("Bench data at scale 0.1", [], lambda: self.grow(0.1))
        pack_names = [f"{k}_{s}" for k in ("pack6", "pack14") for s in ("s", "data_share", "pages")]
        pack_names += ["pack_parallel_ratio", "pack14_single_layout_s", "pack14_parallel_s"]
        self.section("Scrutiny packs", pack_names, self.packs)
        for name in pack_names:
            if name not in self.results:
                self.record(name, None)
                self.errors.setdefault(name, "not measured")
        self.notes["load_average_at_end"] = os.getloadavg()
        self.notes["total_seconds"] = round(time.perf_counter() - started, 1)
        self.notes["only"] = "packs"
        self.write(keep_others=True)
        return 0

    def _record_queries(self, queries: dict) -> None:
        small, full = queries.get("small", {}), queries.get("full", {})
        for page in PAGES:
            name = f"{page}_queries"
            at_small = small.get("counts", {}).get(page)
            at_full = full.get("counts", {}).get(page)
            self.record(name, at_full)
            # The target for the 10,000-contract count is the 1,000-contract count: constant queries.
            self.results[name]["target"] = at_small
            self.record(f"{name}_1k", at_small)
            self.results[f"{name}_1k"]["unit"] = "queries"
            self.results[f"{name}_same"] = {
                "value": None if at_small is None or at_full is None else int(at_small == at_full),
                "unit": "1 = same at 1,000 and 10,000 contracts",
                "target": 1,
            }
        for key in ("small", "full"):
            if key in queries:
                self.notes[f"data_{key}"] = queries[key].get("totals")
                self.notes[f"pages_{key}"] = queries[key].get("targets", {}).get("urls")

    def write(self, keep_others: bool = False) -> None:
        results = dict(self.results)
        if keep_others and LATEST.exists():
            results = {**json.loads(LATEST.read_text()), **results}
        out = {name: results[name] for name in sorted(results, key=_order)}
        LATEST.write_text(json.dumps(out, indent=2) + "\n")
        details = {"errors": self.errors, "notes": self.notes}
        (WORKDIR / "details.json").write_text(json.dumps(details, indent=2, default=str) + "\n")
        print("\n" + table(out))
        if self.errors:
            print("\nNot measured:")
            for name, message in self.errors.items():
                print(f"  {name}: {message}")
        print(f"\nWrote {LATEST.relative_to(ROOT)} (details in {WORKDIR / 'details.json'}).")


PAGES = ["dashboard", "contract_list", "provider_detail", "strategy_detail", "api_contracts"]


def _provider_pk(measured: dict | None) -> int | None:
    if not measured:
        return None
    return int(measured["targets"]["urls"]["provider_detail"].strip("/").rsplit("/", 1)[-1])


def _order(name: str) -> tuple[int, str]:
    keys = list(SPEC)
    base = name.removesuffix("_1k").removesuffix("_same")
    return (keys.index(base) if base in keys else len(keys), name)


def ok(entry: dict) -> str:
    value, target = entry["value"], entry["target"]
    if value is None:
        return "n/a"
    if target is None:
        return ""
    if entry["unit"].startswith("1 = same"):
        return "yes" if value == target else "NO"
    return "yes" if value <= target else "NO"


def table(results: dict) -> str:
    lines = [f"{'name':<30} {'value':>10} {'unit':<12} {'target':>8}  ok"]
    lines.append("-" * 68)
    for name, entry in results.items():
        value = "null" if entry["value"] is None else f"{entry['value']:g}"
        target = "" if entry["target"] is None else f"{entry['target']:g}"
        unit = "same?" if entry["unit"].startswith("1 = same") else entry["unit"]
        lines.append(f"{name:<30} {value:>10} {unit:<12} {target:>8}  {ok(entry)}")
    return "\n".join(lines)


def login(requests) -> str:
    """Sign in through the log-in form; returns the Cookie header. The cookies are Secure (production settings),
    which requests would not send over plain http, so they are carried by hand."""
    page = requests.get(f"{HOST}/accounts/login/", timeout=30)
    csrf = page.cookies.get("csrftoken")
    token = _csrf_from_form(page.text)
    response = requests.post(
        f"{HOST}/accounts/login/",
        data={"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Cookie": f"csrftoken={csrf}", "Referer": f"{HOST}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    session = response.cookies.get("sessionid")
    if response.status_code != 302 or not session:
        raise RuntimeError(f"log-in as {USER} failed: status {response.status_code}")
    return f"csrftoken={csrf}; sessionid={session}"


def _csrf_from_form(html: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def _static_is_stale() -> bool:
    """Collecting and compressing the static files takes minutes on two cores: only redo it when a file was
    added or changed since."""
    manifest = WORKDIR / "static" / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    known = set(json.loads(manifest.read_text()).get("paths", {}))
    sources = [(ROOT / "static", ""), (ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk", "govuk/")]
    sources += [(path / "static", "") for path in ROOT.iterdir() if (path / "static").is_dir()]
    for folder, prefix in sources:
        for file in folder.rglob("*") if folder.exists() else []:
            if file.is_file() and (
                file.stat().st_mtime > built or prefix + file.relative_to(folder).as_posix() not in known
            ):
                return True
    return False


def _redis_answers(url: str) -> bool:
    host, port = "127.0.0.1", 6379
    try:
        rest = url.split("://", 1)[1].split("/", 1)[0]
        host, _, port_text = rest.rpartition(":")
        port = int(port_text)
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except (OSError, ValueError):
        return False


# --- child processes: Django set up in-process ------------------------------------------------------------------
def _django():
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()


def child_queries() -> None:
    """Print JSON: the pages to time (busiest provider, a demo strategy, an API token) and their query counts."""
    _django()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from commissioning import tokens
    from commissioning.models import User
    from demo import bench_data
    from providers.models import Provider
    from strategies.models import CommissioningStrategy

    user = User.objects.get(username=USER)
    token = tokens.token_create(user=user, name="Benchmark", scope="read")
    # The busiest provider of the smaller data set, kept for the larger one so the same page is compared.
    pinned = os.environ.get("BENCH_PROVIDER_PK")
    provider = (
        Provider.objects.get(pk=pinned)
        if pinned
        else Provider.objects.annotate(n=Count("lead_contracts", distinct=True)).order_by("-n", "pk").first()
    )
    # A demo strategy (the first made), so the same page is measured at both sizes.
    strategy = CommissioningStrategy.objects.order_by("pk").first()
    if provider is None or strategy is None:
        raise RuntimeError("no providers or strategies: load the demo and bench data first")
    urls = {
        "dashboard": "/performance/",
        "contract_list": "/contracts/",
        "provider_detail": f"/providers/{provider.pk}/",
        "strategy_detail": f"/strategies/{strategy.pk}/",
        "api_contracts": "/api/v1/contracts/?page_size=100",
    }
    client = Client()
    client.force_login(user)
    counts = {}
    for name, url in urls.items():
        headers = {"Authorization": f"Token {token.key}"} if name.startswith("api_") else {}
        api_client = Client() if headers else client
        api_client.get(url, headers=headers)  # warm caches (content types, permissions) as a running server has them
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get(url, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        counts[name] = len(queries)
    busiest = Provider.objects.annotate(n=Count("lead_contracts", distinct=True)).order_by("-n", "pk")
    targets = {
        "urls": urls,
        "token": token.key,
        # For the load test: pages of many providers and strategies, not one cached row.
        "providers": list(busiest.values_list("pk", flat=True)[:50]),
        "strategies": list(CommissioningStrategy.objects.order_by("pk").values_list("pk", flat=True)[:30]),
    }
    print(json.dumps({"counts": counts, "targets": targets, "totals": bench_data.totals()}))


def child_packs(side_by_side: bool = False) -> None:
    """Print JSON: measure_pack_render for the six demo strategies and for 14 strategies; with ``side_by_side``
    (a worker is running), the 14's HTML through the parallel path too, after warming the worker up."""
    _django()
    from demo.pack_bench import measure_pack_render, warm_up_workers
    from strategies.models import CommissioningStrategy

    ids = list(CommissioningStrategy.objects.order_by("pk").values_list("pk", flat=True)[:14])
    warm_up = warm_up_workers() if side_by_side else None
    out = {}
    for key, chosen in (("pack6", ids[:6]), ("pack14", ids[:14])):
        started = time.perf_counter()
        result = measure_pack_render(chosen, side_by_side=side_by_side and key == "pack14")
        result["wall_seconds"] = round(time.perf_counter() - started, 3)
        if warm_up is not None and key == "pack14":
            result["warm_up_seconds"] = round(warm_up, 3)
        out[key] = result
    print(json.dumps(out))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="A tenth of the data, 10 users for 20 s: a smoke run.")
    parser.add_argument("--child-queries", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-packs", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--side-by-side", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--only", choices=["packs", "imports"], help="Only this part (packs: on a fresh, small database)."
    )
    parser.add_argument("--child-refusal", choices=REFUSALS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_refusal:
        _django()
        import refusals  # benchmarks/refusals.py: this script's folder is on sys.path

        refusals.child(args.child_refusal)
        return 0
    if args.only == "imports":
        return Bench(quick=args.quick).run_imports_only()
    if args.child_queries:
        child_queries()
        return 0
    if args.child_packs:
        child_packs(side_by_side=args.side_by_side)
        return 0
    if args.only == "packs":
        return Bench(quick=args.quick).run_packs_only()
    return Bench(quick=args.quick).run()


if __name__ == "__main__":
    sys.exit(main())
