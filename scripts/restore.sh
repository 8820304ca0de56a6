#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into a database, replacing what is in it.
#
#   scripts/restore.sh --yes backups/commissioning-20190530T020000Z.dump postgres://user:pw@host:5432/commissioning
#
# The target database must exist (create it empty for a trial restore). Every table the dump holds is dropped
# and recreated from it, in one transaction: a restore that fails part-way changes nothing. Stop the web and
# worker containers first, then start them again (the readiness check waits for the migrations to match).
# Without --yes it refuses, since the target's current data is replaced.
set -euo pipefail

usage() {
    echo "usage: $0 --yes DUMP_FILE DATABASE_URL" >&2
    exit 2
}

[[ "${1:-}" == "--yes" ]] || { echo "Refusing: restoring replaces the target database's data. Pass --yes." >&2; usage; }
DUMP=${2:-}
TARGET=${3:-}
[[ -n "${DUMP}" && -n "${TARGET}" ]] || usage
[[ -r "${DUMP}" ]] || { echo "No readable dump at ${DUMP}" >&2; exit 1; }

# Is it a dump at all? (pg_restore --list reads only its table of contents.)
pg_restore --list "${DUMP}" >/dev/null

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
    --dbname="${TARGET}" "${DUMP}"
echo "Restored ${DUMP} into the target database."
