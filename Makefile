# The two commands: `make run` (the app with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= demo-password-2019

.PHONY: install run test worker beat lint migrate demo e2e bench clean

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
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(BIN)/python manage.py load_demo --password "$(DEMO_PASSWORD)"

run: demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A config worker --loglevel=info --concurrency=2

beat: install
	$(BIN)/celery -A config beat --loglevel=info

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
