# Công dân số — two commands matter: `make run` and `make test` (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# uv from PATH if present, else bootstrapped into .tools/ with the machine's pip.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
# uv must use the machine's python3, never download one.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= auto

.PHONY: help run setup deps pydeps assets messages db reference demo worker test test-deps bench-deps lint \
        test-sqlite test-postgres bench clean

help:
	@echo "make run   - set up everything on SQLite with demo data and serve http://$(HOST):$(PORT)"
	@echo "make test  - install what tests need, lint, check migrations, run the suite on SQLite and PostgreSQL"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet 'uv==0.13.8'

pydeps: $(UV)
	$(UV) sync --frozen --quiet

assets:
	npm ci --no-audit --no-fund --loglevel=error

messages: pydeps
	@command -v msgfmt >/dev/null || bash scripts/ensure-debian-packages.sh gettext
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=.tools -v0

deps: pydeps assets messages
	@command -v ffmpeg >/dev/null || bash scripts/ensure-debian-packages.sh ffmpeg

db: deps
	$(PY) manage.py migrate --no-input -v0

reference: db
	$(PY) manage.py load_units
	$(PY) manage.py load_agencies
	$(PY) manage.py load_categories

demo: reference
	$(PY) manage.py train_category_model --if-missing
	$(PY) manage.py seed_demo

setup: demo

run: setup
	HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

# Tools only the benchmarks use (bench/http_submit.py drives the load with wrk).
bench-deps: deps
	bash scripts/ensure-debian-packages.sh wrk postgresql

test-deps: deps
	# The emoji font only makes category icons visible in screenshots; phones have their own.
	bash scripts/ensure-debian-packages.sh chromium postgresql gettext ffmpeg fonts-noto-color-emoji

lint: pydeps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy reports/services.py reports/workflow.py reports/deadlines.py reports/proof.py \
	    routing/rules.py routing/services.py units/lookup.py reports/selectors.py \
	    workspace/services.py workspace/selectors.py dashboard/stats.py \
	    open311/services.py open311/selectors.py accounts/phone.py accounts/ratelimit.py \
	    accounts/vneid.py notify/services.py notify/channels.py notify/tasks.py notify/sms.py \
	    sla/services.py sla/tasks.py alerts/services.py alerts/selectors.py demo/generate.py \
	    reports/derived.py reports/storage.py rollups/services.py rollups/selectors.py \
	    units/groups.py dashboard/groups.py cameras/services.py cameras/probe.py \
	    maps/services.py maps/selectors.py deployment/checks.py congdanso/counters.py \
	    reports/backup.py reports/audit.py reports/media_services.py accounts/enrolment.py sla/selectors.py \
	    accounts/linking.py classify/services.py classify/model.py classify/text.py classify/selectors.py \
	    intake/services.py intake/zalo.py intake/mail.py dashboard/channels.py
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite:
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

test-postgres:
	bash scripts/with-postgres.sh $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

test: test-deps lint test-sqlite test-postgres

bench: reference
	$(PY) bench/point_lookup.py

clean:
	rm -rf .venv .tools node_modules staticfiles db.sqlite3* media
