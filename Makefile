# Himpun — two commands on a fresh machine:
#   make run    set everything up and serve on http://127.0.0.1:$(HIMPUN_PORT)
#   make test   set up and run every test (lint, SQLite, PostgreSQL, browser)

SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
PYTHON ?= python3.12
UV := $(PYTHON) -m uv
VENV := .venv
PY := $(VENV)/bin/python
HIMPUN := $(PY) -m himpun
HIMPUN_PORT ?= 8000
export HIMPUN_PORT

.PHONY: help setup run serve test lint check test-sqlite test-postgres test-browser system-deps bench clean messages

help:
	@echo "make run   - set up and serve Himpun (SQLite) on 127.0.0.1:$(HIMPUN_PORT)"
	@echo "make test  - set up and run every test"

# --- setup -------------------------------------------------------------------------------
$(PY): pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --quiet
	@touch $(PY)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(PY) node_modules/.package-lock.json

# --- run ---------------------------------------------------------------------------------
# The access log leaves out query strings: searches carry member names, and member data
# never goes into logs.
run: setup
	@$(HIMPUN) migrate --noinput -v0
	@HIMPUN_STATIC_MANIFEST=1 $(HIMPUN) collectstatic --noinput -v0
	@$(HIMPUN) demo
	@echo
	@echo "Himpun berjalan di http://127.0.0.1:$(HIMPUN_PORT)/  (Ctrl+C untuk berhenti)"
	@# The task worker (imports and other long work) runs beside the web server and stops with it.
	@$(HIMPUN) db_worker --no-reload --no-startup-delay -v0 & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	HIMPUN_STATIC_MANIFEST=1 $(VENV)/bin/gunicorn himpun.wsgi:application \
		--bind 127.0.0.1:$(HIMPUN_PORT) --workers $${HIMPUN_WORKERS:-2} --threads 4 \
		--access-logfile - --access-logformat '%(t)s %(m)s %(U)s %(s)s %(L)ss'

# --- test --------------------------------------------------------------------------------
system-deps:
	@scripts/system-deps.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: setup
	@TMP=$$(mktemp -d) && HIMPUN_DATA_DIR=$$TMP $(HIMPUN) makemigrations --check --dry-run && rm -rf $$TMP

test-sqlite: setup
	@TMP=$$(mktemp -d) && HIMPUN_DATA_DIR=$$TMP $(PY) -m pytest -q -m "not browser" -p no:randomly; rc=$$?; rm -rf $$TMP; exit $$rc

test-postgres: setup
	@TMP=$$(mktemp -d) && HIMPUN_DATA_DIR=$$TMP scripts/with-postgres.sh $(PY) -m pytest -q -m "not browser"; rc=$$?; rm -rf $$TMP; exit $$rc

test-browser: setup
	@TMP=$$(mktemp -d) && HIMPUN_DATA_DIR=$$TMP DJANGO_ALLOW_ASYNC_UNSAFE=1 $(PY) -m pytest -q -m browser; rc=$$?; rm -rf $$TMP; exit $$rc

test: system-deps lint check test-sqlite test-postgres test-browser

messages: setup
	cd src/himpun && ../../$(HIMPUN) makemessages -l en --no-location --no-obsolete && ../../$(HIMPUN) compilemessages -l en

clean:
	rm -rf $(VENV) node_modules staticfiles

# --- benchmarks (not part of `make test`; see docs/performance.md) ------------------------
SIZE ?= S
B1_ROWS_S := 100000
B1_ROWS_M := 1000000
B1_ROWS_L := 1000000
B5_MEMBERS_S := 100000
B5_MEMBERS_M := 1000000
B5_MEMBERS_L := 5000000
bench: setup
	HIMPUN_DATA_DIR=$$(mktemp -d) scripts/with-postgres.sh $(PY) bench/b1_import.py --rows $(B1_ROWS_$(SIZE))
	HIMPUN_DATA_DIR=$$(mktemp -d) scripts/with-postgres.sh $(PY) bench/b1_browser.py --rows 40000
	HIMPUN_DATA_DIR=$$(mktemp -d) scripts/with-postgres.sh $(PY) bench/b3_search.py --size $(SIZE)
	HIMPUN_DATA_DIR=$$(mktemp -d) scripts/with-postgres.sh $(PY) bench/b4_list.py --size $(SIZE)
	HIMPUN_DATA_DIR=$$(mktemp -d) scripts/with-postgres.sh $(PY) bench/b5_dues.py --members $(B5_MEMBERS_$(SIZE))
	HIMPUN_DATA_DIR=$$(mktemp -d) scripts/with-postgres.sh $(PY) bench/b6_generate.py --size $(SIZE)
	HIMPUN_DATA_DIR=$$(mktemp -d) $(PY) bench/duplicates_quality.py --people 20000
