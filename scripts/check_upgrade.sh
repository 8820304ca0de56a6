#!/usr/bin/env bash
# Upgrade check: today's demo data, loaded by the release before the apps were restructured (475f91e),
# survives this code's `manage.py migrate` with every row kept. See tests/migrations/test_upgrade.py.
#
#   scripts/check_upgrade.sh                 # PostgreSQL on 127.0.0.1:5432 as postgres
#   DATABASE_URL=postgres://user:pw@host:5432/postgres scripts/check_upgrade.sh
#
# DATABASE_URL only says which server to use: the check creates its own database (upgrade_check_<pid>),
# and drops it, and the temporary git worktree of the old commit, when it ends.
set -euo pipefail

cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PYTHON="${PYTHON:-.venv/bin/python}"

case "$DATABASE_URL" in
  postgres://* | postgresql://* | pgsql://*) ;;
  *) echo "check_upgrade: DATABASE_URL must point at PostgreSQL (got ${DATABASE_URL%%://*}://...)" >&2; exit 2 ;;
esac

if ! git rev-parse --verify --quiet "475f91e^{commit}" >/dev/null; then
  echo "check_upgrade: commit 475f91e is not in this clone's history (fetch it, or clone without --depth)" >&2
  exit 2
fi

if command -v pg_isready >/dev/null; then
  host="$(printf '%s' "$DATABASE_URL" | sed -E 's#^[a-z]+://([^@/]*@)?([^:/]+).*#\2#')"
  pg_isready -q -h "$host" || { echo "check_upgrade: PostgreSQL is not answering on $host" >&2; exit 2; }
fi

# -s: print the table of row counts before and after; -m upgrade: only this check (not the e2e default).
unset REDIS_URL
exec "$PYTHON" -m pytest -p no:randomly -p no:cacheprovider -s -m upgrade tests/migrations/test_upgrade.py "$@"
