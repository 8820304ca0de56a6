#!/usr/bin/env bash
# A PostgreSQL backup: pg_dump's custom format (compressed, restored by scripts/restore.sh), named by the time it
# was taken, then all but the newest BACKUP_KEEP dumps removed.
#
#   scripts/backup.sh                 # once (cron, a Kubernetes CronJob, or docker-compose's backup service)
#   BACKUP_EVERY_SECONDS=86400 scripts/backup.sh   # forever, one dump a day (the compose service runs this)
#
# Environment: DATABASE_URL (postgres://user:password@host:port/name), BACKUP_DIR (default ./backups),
# BACKUP_KEEP (default 14), BACKUP_EVERY_SECONDS (unset: once). Prints the dump's path.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
BACKUP_DIR=${BACKUP_DIR:-./backups}
BACKUP_KEEP=${BACKUP_KEEP:-14}

backup_once() {
    mkdir -p "${BACKUP_DIR}"
    local stamp target partial
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    target="${BACKUP_DIR}/commissioning-${stamp}.dump"
    partial="${target}.partial"
    # Written under another name first: a dump cut short never looks like a good one.
    pg_dump --format=custom --no-owner --no-privileges --file="${partial}" --dbname="${DATABASE_URL}"
    mv "${partial}" "${target}"
    # Oldest first by name (the names sort by time); keep the newest BACKUP_KEEP.
    local dumps=()
    mapfile -t dumps < <(find "${BACKUP_DIR}" -maxdepth 1 -name 'commissioning-*.dump' | sort)
    local excess=$(( ${#dumps[@]} - BACKUP_KEEP ))
    for (( i = 0; i < excess; i++ )); do
        rm -f -- "${dumps[$i]}"
    done
    echo "${target}"
}

if [[ -n "${BACKUP_EVERY_SECONDS:-}" ]]; then
    while true; do
        backup_once || echo "backup failed at $(date -u +%FT%TZ); trying again next time" >&2
        sleep "${BACKUP_EVERY_SECONDS}"
    done
else
    backup_once
fi
