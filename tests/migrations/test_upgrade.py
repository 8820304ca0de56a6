"""Upgrade check: a PostgreSQL database holding today's demo data, built by the release before the apps
were restructured (commit 475f91e), is migrated by this code with every row kept.

It needs PostgreSQL (DATABASE_URL, used only to reach the server: the check makes and drops a database of
its own, ``upgrade_check_<pid>``) and the old commit in the git history, and is skipped otherwise. It takes a
minute or two; run it with ``scripts/check_upgrade.sh``. Steps:

1. ``git worktree add --detach`` the old commit into a temporary directory;
2. create an empty database;
3. in the old tree, with this project's Python, ``manage.py migrate`` and ``manage.py load_demo``;
4. count the rows of every table (``count(*)``, not the statistics' estimates);
5. run this tree's ``manage.py migrate`` against the same database;
6. check every old table is still there with the same rows, and that the moved models' querysets see them;
7. drop the database and remove the worktree, whatever happened.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.upgrade

OLD_COMMIT = "475f91e"
REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# Django's own records of the schema and of the models: migrate adds to them (its new migrations, the
# content types and permissions of models added since) but must not lose a row. Every other table must
# hold exactly the rows it held, except the role groups' grants, which every migrate re-syncs from
# commissioning/roles.py (this release stops granting the history tables' view rights): those must equal
# what roles.py grants, checked below.
# auth_group: the group sync after migrate adds the groups that are not roles (the "Safeguarding lead" group).
MAY_GROW = {"django_migrations", "django_content_type", "auth_permission", "auth_group"}
RESYNCED = {"auth_group_permissions"}

GRANTS_MATCH_ROLES = """
import json
from django.contrib.auth.models import Group, Permission
from commissioning import roles
name = lambda p: f"{p.content_type.app_label}.{p.codename}"
existing = {name(p) for p in Permission.objects.select_related("content_type")}
print(json.dumps({
    role: sorted(
        {name(p) for p in Group.objects.get(name=role).permissions.select_related("content_type")}
        ^ (roles.role_permissions(role) & existing)
    )
    for role in roles.ALL_ROLES
}))
"""

# The models that moved from contracts to oversight, by table; each must be read through its new model.
MOVED = {
    "contracts_visit": "Visit",
    "contracts_concern": "Concern",
    "contracts_sanction": "Sanction",
    "contracts_actionplan": "ActionPlan",
    "contracts_planaction": "PlanAction",
    "contracts_escalationstep": "EscalationStep",
}
MOVED_HISTORY = {f"contracts_historical{table.removeprefix('contracts_')}": model for table, model in MOVED.items()}


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if urlsplit(url).scheme in {"postgres", "postgresql", "pgsql", "postgis"} else None


def _old_commit_available() -> bool:
    try:
        found = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--verify", "--quiet", f"{OLD_COMMIT}^{{commit}}"],  # noqa: S607
            cwd=REPO,
            capture_output=True,
            check=False,
        )
    except OSError:
        return False
    return found.returncode == 0


skip_unless_possible = pytest.mark.skipif(
    _postgres_url() is None or not _old_commit_available(),
    reason=f"needs DATABASE_URL pointing at PostgreSQL and commit {OLD_COMMIT} in the git history",
)


def _url_for(database: str) -> str:
    parts = urlsplit(_postgres_url() or "")
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))


def _connect(database: str):
    import psycopg2

    parts = urlsplit(_url_for(database))
    connection = psycopg2.connect(
        dbname=database,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password) if parts.password else None,
    )
    connection.autocommit = True
    return connection


def _server_command(sql) -> None:
    """CREATE or DROP DATABASE, from the server's maintenance database."""
    connection = _connect("postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def _table_counts(database: str) -> dict[str, int]:
    """Exact row counts of every table in the public schema."""
    from psycopg2 import sql

    connection = _connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
            tables = [row[0] for row in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                counts[table] = cursor.fetchone()[0]
            return counts
    finally:
        connection.close()


def _ids(database: str, table: str) -> set[int]:
    from psycopg2 import sql

    connection = _connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("SELECT id FROM {}").format(sql.Identifier(table)))
            return {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()


def _environment(database: str) -> dict[str, str]:
    """What manage.py runs with: this database, DEBUG on, and nothing of the test run's own settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "TESTING", "REDIS_URL", "DATABASE_URL", "PYTHONPATH"}
    }
    env.update({"DATABASE_URL": _url_for(database), "DEBUG": "1", "AXES_ENABLED": "0"})
    return env


def _manage(tree: Path, database: str, *args: str, timeout: int = 240) -> str:
    done = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", *args],
        cwd=tree,
        env=_environment(database),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} in {tree} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    return done.stdout


def _git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True, timeout=120)  # noqa: S603, S607


def _report(before: dict[str, int], after: dict[str, int]) -> str:
    lines = [f"{'table':<45} {'before':>8} {'after':>8}"]
    for table in sorted(set(before) | set(after)):
        lines.append(f"{table:<45} {before.get(table, '-')!s:>8} {after.get(table, '-')!s:>8}")
    lines.append(f"{len(before)} tables before, {len(after)} after; {sum(before.values())} rows before.")
    return "\n".join(lines)


MOVED_COUNTS = """
import json
from oversight import models
print(json.dumps({name: getattr(models, name).objects.count() for name in %r}))
print(json.dumps({name: getattr(models, name).history.count() for name in %r}))
from django.contrib.contenttypes.models import ContentType
names = [n.lower() for n in %r] + ["historical" + n.lower() for n in %r]
print(json.dumps({label: ContentType.objects.filter(app_label=label, model__in=names).count()
                  for label in ("contracts", "oversight")}))
"""


@skip_unless_possible
def test_todays_demo_data_survives_the_upgrade_to_the_new_layout():
    database = f"upgrade_check_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix=f"upgrade_check_{os.getpid()}_"))
    old_tree = workdir / "tree"
    created = False
    try:
        from psycopg2 import sql

        _git("worktree", "add", "--detach", str(old_tree), OLD_COMMIT)
        _server_command(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database)))
        _server_command(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        created = True

        # Today's layout and data, built by the old code.
        _manage(old_tree, database, "migrate", "--no-input")
        _manage(old_tree, database, "load_demo", "--password", "x")
        before = _table_counts(database)
        kept_ids = {table: _ids(database, table) for table in MAY_GROW}
        assert before["contracts_visit"] > 0, "the demo data has visits to carry over"

        # The new layout, by this code.
        _manage(REPO, database, "migrate", "--no-input")
        after = _table_counts(database)
        print("\n" + _report(before, after))

        missing = sorted(set(before) - set(after))
        assert not missing, f"tables gone after the upgrade: {missing}"
        changed = {
            table: (count, after[table])
            for table, count in before.items()
            if table not in MAY_GROW | RESYNCED and after[table] != count
        }
        assert not changed, f"row counts changed (before, after): {changed}"
        shrunk = {table: (before[table], after[table]) for table in MAY_GROW if after[table] < before[table]}
        assert not shrunk, f"Django's records lost rows (before, after): {shrunk}"
        for table, ids in kept_ids.items():
            assert ids <= _ids(database, table), f"rows of {table} lost"

        # The moved models read the old tables, history included, and took their content types along.
        names = list(MOVED.values())
        output = _manage(REPO, database, "shell", "-c", MOVED_COUNTS % (names, names, names, names))
        rows, history, content_types = (json.loads(line) for line in output.strip().splitlines()[-3:])
        assert rows == {model: before[table] for table, model in MOVED.items()}
        assert history == {model: before[table] for table, model in MOVED_HISTORY.items()}
        assert content_types == {"contracts": 0, "oversight": 2 * len(MOVED)}

        # Each role group holds exactly what roles.py grants (no permission missing, none left over).
        differences = json.loads(_manage(REPO, database, "shell", "-c", GRANTS_MATCH_ROLES).strip().splitlines()[-1])
        assert differences == {role: [] for role in differences}, differences
    finally:
        if created:
            from psycopg2 import sql

            _server_command(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        if old_tree.exists():
            subprocess.run(  # noqa: S603
                ["git", "worktree", "remove", "--force", str(old_tree)],  # noqa: S607
                cwd=REPO,
                capture_output=True,
                check=False,
            )
        shutil.rmtree(workdir, ignore_errors=True)
