# The two commands: `make run` (the app with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= demo-password-2019
# Local runs keep the test database between runs; CI (.ci/run) passes --create-db.
PYTEST_ARGS ?= --reuse-db
# Settings modules (config/settings/): development, the test run, production.
LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local
TEST_SETTINGS := DJANGO_SETTINGS_MODULE=config.settings.test
PRODUCTION := DJANGO_SETTINGS_MODULE=config.settings.production
TEMPLATE_DIRS := templates $(sort $(wildcard */templates))

.PHONY: install run test worker beat lint pre-commit migrate demo e2e bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the pinned requirements or the npm lock change.
$(VENV)/.installed: requirements.txt requirements-dev.txt package.json package-lock.json | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

migrate: install
	$(LOCAL) DEBUG=1 $(BIN)/python manage.py migrate --noinput

# The search index (search/) is built after the load: search sits beside demo, which does not depend on it.
demo: migrate
	$(LOCAL) DEBUG=1 $(BIN)/python manage.py load_demo --password "$(DEMO_PASSWORD)"
	$(LOCAL) DEBUG=1 $(BIN)/python manage.py rebuild_search_index

# The web server and a Celery worker (scripts/run_local.py; Ctrl-C stops both). Without REDIS_URL the worker
# uses the filesystem broker in var/celery/. BEAT=1 adds Celery beat for the scheduled digests and sweeps.
run: demo
	$(LOCAL) DEBUG=1 $(BIN)/python scripts/run_local.py --host $(HOST) --port $(PORT) $(if $(BEAT),--beat)

test: install
	$(TEST_SETTINGS) $(BIN)/python -m pytest $(PYTEST_ARGS)

worker: install
	$(LOCAL) $(BIN)/celery -A config worker --loglevel=info --concurrency=2

beat: install
	$(LOCAL) $(BIN)/celery -A config beat --loglevel=info

# The same checks as the pre-commit hooks (.pre-commit-config.yaml), plus the migrations check.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/djlint $(TEMPLATE_DIRS) --lint
	$(TEST_SETTINGS) $(BIN)/python manage.py makemigrations --check --dry-run

# The hooks on every tracked file, without installing them into .git (`pre-commit install` does that).
pre-commit: install
	$(BIN)/pre-commit run --all-files

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3

# Security: Python static analysis (medium and high findings fail) and Django's deployment checklist.
.PHONY: bandit check-deploy
bandit: install
	$(BIN)/bandit -q -r commissioning config strategies contracts providers performance scrutiny \
		oversight opendata dashboards records search demo -x '*/migrations/*,*/tests/*' -ll

check-deploy: install
	$(PRODUCTION) SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(60))')" \
		ALLOWED_HOSTS=council.example $(BIN)/python manage.py check --deploy --fail-level WARNING

# Load and speed figures on PostgreSQL (127.0.0.1:5432, user postgres) and gunicorn; writes benchmarks/latest.json.
# Not part of CI's pass/fail. BENCH_ARGS=--quick for a smoke run on a tenth of the data.
$(VENV)/.bench-installed: requirements-bench.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@

bench: install $(VENV)/.bench-installed
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# Browser journeys and accessibility checks: Playwright driving Debian's Chromium (.ci/e2e-setup.sh installs
# it; nothing downloads a browser) and axe-core from npm (package.json). Screenshots go to test-artifacts/e2e/.
e2e: install
	$(TEST_SETTINGS) $(BIN)/python -m pytest -m e2e tests/e2e -p no:randomly $(PYTEST_ARGS)
