"""scripts/backup.sh and scripts/restore.sh on the PostgreSQL at 127.0.0.1: a small database dumped, changed,
then restored by the script to what was dumped; a restore without --yes refuses. Skipped where there is no
pg_dump or no PostgreSQL server to reach."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("BACKUP_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def _psql(database: str, sql: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own SQL on our own test databases
        ["psql", f"{SERVER}/{database}", "-v", "ON_ERROR_STOP=1", "-Atqc", sql],  # noqa: S607 - psql from PATH
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip()


def _server_reachable() -> bool:
    if not all(shutil.which(tool) for tool in ("pg_dump", "pg_restore", "psql")):
        return False
    try:
        _psql("postgres", "SELECT 1")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return False
    return True


pytestmark = pytest.mark.skipif(not _server_reachable(), reason="needs pg_dump, psql and PostgreSQL on 127.0.0.1")


@pytest.fixture
def databases():
    """A source and a target database of their own, dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    names = (f"backup_source_{suffix}", f"backup_target_{suffix}")
    for name in names:
        _psql("postgres", f'CREATE DATABASE "{name}"')
    yield names
    for name in names:
        _psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the project's own scripts
        ["bash", str(ROOT / "scripts" / script), *args],  # noqa: S607 - bash from PATH
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_a_dump_is_restored_by_the_script_to_what_was_dumped(databases, tmp_path):
    source, target = databases
    _psql(source, "CREATE TABLE contract (id int PRIMARY KEY, title text NOT NULL, value numeric(12, 2))")
    _psql(source, "INSERT INTO contract VALUES (1, 'Homecare lot 1', 1250000.50), (2, 'Carers support', 98000)")

    backup = _run("backup.sh", env={"DATABASE_URL": f"{SERVER}/{source}", "BACKUP_DIR": str(tmp_path)})
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.parent == tmp_path
    assert dump.name.startswith("commissioning-")
    assert dump.suffix == ".dump"

    # Into an empty database (a trial restore), and over the source after it has changed (a real one).
    _psql(source, "UPDATE contract SET title = 'overwritten'; INSERT INTO contract VALUES (3, 'later', 1)")
    for database in (target, source):
        restored = _run("restore.sh", "--yes", str(dump), f"{SERVER}/{database}")
        assert restored.returncode == 0, restored.stderr
        assert _psql(database, "SELECT id, title, value FROM contract ORDER BY id") == (
            "1|Homecare lot 1|1250000.50\n2|Carers support|98000.00"
        )


def test_restore_refuses_without_yes_and_changes_nothing(databases, tmp_path):
    source, target = databases
    _psql(source, "CREATE TABLE kept (id int)")
    _psql(target, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)")
    backup = _run("backup.sh", env={"DATABASE_URL": f"{SERVER}/{source}", "BACKUP_DIR": str(tmp_path)})
    dump = backup.stdout.strip().splitlines()[-1]

    refused = _run("restore.sh", dump, f"{SERVER}/{target}")

    assert refused.returncode != 0
    assert "--yes" in refused.stderr
    assert _psql(target, "SELECT id FROM kept") == "7"


def test_a_file_that_is_not_a_dump_is_refused_before_anything_is_dropped(databases, tmp_path):
    _source, target = databases
    _psql(target, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)")
    not_a_dump = tmp_path / "notes.dump"
    not_a_dump.write_text("not a dump")

    refused = _run("restore.sh", "--yes", str(not_a_dump), f"{SERVER}/{target}")

    assert refused.returncode != 0
    assert _psql(target, "SELECT id FROM kept") == "7"


def test_only_the_newest_dumps_are_kept(databases, tmp_path):
    source, _target = databases
    for old in ("commissioning-20190101T000000Z.dump", "commissioning-20190102T000000Z.dump"):
        (tmp_path / old).write_bytes(b"old")

    backup = _run(
        "backup.sh", env={"DATABASE_URL": f"{SERVER}/{source}", "BACKUP_DIR": str(tmp_path), "BACKUP_KEEP": "2"}
    )

    assert backup.returncode == 0, backup.stderr
    kept = sorted(path.name for path in tmp_path.glob("commissioning-*.dump"))
    assert kept == ["commissioning-20190102T000000Z.dump", Path(backup.stdout.strip()).name]
