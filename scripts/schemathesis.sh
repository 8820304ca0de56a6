#!/usr/bin/env bash
# Fuzz the API against its own OpenAPI schema: no 5xx, no response that breaks the schema.
#
# Loads the demo data into a throwaway SQLite database, serves the app on 127.0.0.1:8765,
# makes a token for an administrator (who may read everything), runs schemathesis on
# /api/schema/ and stops the server. GET operations only: writes would change the data
# the next examples read and make the run flaky.
#
# Environment: PYTHON (default .venv/bin/python), SCHEMATHESIS (default .venv/bin/schemathesis),
# MAX_EXAMPLES (default 20), MAX_TIME seconds for the fuzzing budget (default 180), PORT (8765).
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
SCHEMATHESIS=${SCHEMATHESIS:-.venv/bin/schemathesis}
PORT=${PORT:-8765}
MAX_EXAMPLES=${MAX_EXAMPLES:-20}
MAX_TIME=${MAX_TIME:-180}

WORKDIR=$(mktemp -d)
export DATABASE_URL="sqlite:///${WORKDIR}/schemathesis.sqlite3"
# Without Redis, tasks the API starts wait in a queue folder of the run's own (no worker runs here).
export CELERY_LOCAL_FOLDER="${WORKDIR}/celery"
# The development settings (config/settings/local.py): plain HTTP on the loopback, no HTTPS redirect.
export DJANGO_SETTINGS_MODULE=config.settings.local
export DEBUG=1 SECRET_KEY=schemathesis-only AXES_ENABLED=0 MEDIA_ROOT="${WORKDIR}/media"
# Far above what the run sends: this checks the API's answers, not its throttle.
export API_TOKEN_RATE=100000/minute
unset REDIS_URL

SERVER_PID=""
cleanup() {
    if [[ -n "${SERVER_PID}" ]]; then
        kill "${SERVER_PID}" 2>/dev/null || true
        wait "${SERVER_PID}" 2>/dev/null || true
    fi
    rm -rf "${WORKDIR}"
}
trap cleanup EXIT

echo "== Migrating and loading demo data into ${DATABASE_URL}"
"${PYTHON}" manage.py migrate --noinput >/dev/null
if "${PYTHON}" manage.py help load_demo >/dev/null 2>&1; then
    "${PYTHON}" manage.py load_demo >/dev/null
fi

TOKEN=$("${PYTHON}" manage.py shell -c "
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from commissioning import roles, tokens
User = get_user_model()
user = User.objects.filter(groups__name=roles.ADMINISTRATOR).order_by('pk').first()
if user is None:
    user = User.objects.create_user('schemathesis-admin', password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
print(tokens.token_create(user=user, name='schemathesis', scope='read').key)
" | tail -n 1)

echo "== Starting the server on 127.0.0.1:${PORT}"
# Thousands of calls a minute from one token: the API's rate limit is not what is checked here.
export API_TOKEN_RATE=100000/minute
"${PYTHON}" manage.py runserver "127.0.0.1:${PORT}" --noreload --insecure >"${WORKDIR}/server.log" 2>&1 &
SERVER_PID=$!

status=0
# Run from the throwaway directory: schemathesis keeps a .schemathesis/ cache in the working directory.
SCHEMATHESIS=$(realpath "${SCHEMATHESIS}")
cd "${WORKDIR}"
"${SCHEMATHESIS}" run "http://127.0.0.1:${PORT}/api/schema/" \
    --wait-for-schema 60 \
    --header "Authorization: Token ${TOKEN}" \
    --checks not_a_server_error,response_schema_conformance \
    --include-method GET \
    --phases examples,coverage,fuzzing \
    --max-examples "${MAX_EXAMPLES}" \
    --max-time "${MAX_TIME}" \
    --workers 2 \
    --seed 1 \
    --generation-database none \
    --no-color || status=$?

if [[ ${status} -ne 0 ]]; then
    echo "== Server log (last 80 lines)"
    tail -n 80 "${WORKDIR}/server.log"
fi
exit ${status}
