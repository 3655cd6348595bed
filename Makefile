# The two commands a fresh machine needs (see README):  make run  and  make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Test-only secrets: the suite runs with production settings (DEBUG off) over plain HTTP.
TEST_ENV := DEBUG=false SECURE_SSL_REDIRECT=false \
	SECRET_KEY=test-only-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz \
	FIELD_ENCRYPTION_KEYS=dGVzdC1vbmx5LWtleS1mb3ItbmV3c3Jvb20tdGVzdHM= \
	ALLOWED_HOSTS=testserver,localhost,127.0.0.1

.PHONY: run test install lint bench-smoke bench-http bench-write bench-feed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# axe-core for the browser tests, pinned by tests/browser/package-lock.json (Chromium itself
# comes from Debian: apt-get install -y chromium; .ci/run installs it).
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent; \
	else echo "npm not found: the browser tests will skip (CI=true makes them fail)"; fi

install: $(VENV)/.installed $(AXE)

run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py load_demo
	@echo "Admin: http://127.0.0.1:8000/admin/   Public stories: http://127.0.0.1:8000/stories/"
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The scale benchmark at 10k claims on its own scratch database (bench/scale.py): prints the
# figures, asserts only that the raw baseline's JSON equals the project's, never a time; then
# 20 writes of the write path on the same data, so its raw baseline keeps up with the schema.
BENCH_DB ?= newsroom_bench
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
bench-smoke: install
	psql -q "$(BENCH_PG)/postgres" -c "DROP DATABASE IF EXISTS $(BENCH_DB)" -c "CREATE DATABASE $(BENCH_DB)"
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(BIN)/python bench/scale.py --claims 10000 --repeat 3
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(BIN)/python bench/write_path.py --writes 20 --warmup 2

# Over HTTP (bench/http_load.py): the project under gunicorn (3 sync workers) beside a raw psycopg +
# orjson WSGI app, each loaded by wrk (apt-get install -y wrk) with 8 connections for
# BENCH_SECONDS per URL, on a database already filled by generate_scale_data.
BENCH_HTTP_DB ?= nr_scale
BENCH_SECONDS ?= 30
bench-http: install
	DATABASE_URL=$(BENCH_PG)/$(BENCH_HTTP_DB) $(BIN)/python -m bench.http_load --duration $(BENCH_SECONDS)

# The write path (bench/write_path.py): recording a claim with an appearance and a 3-link chain
# through claims/recording.py, beside raw INSERTs, on a generated database (written to).
bench-write: install
	DATABASE_URL=$(BENCH_PG)/$(BENCH_HTTP_DB) $(BIN)/python bench/write_path.py

# Feed ingestion throughput (bench/feed_throughput.py): 1,000 RSS items in-process and through
# one real Celery worker on Redis database 5 (flushed first), beside a raw bulk_create floor.
BENCH_BROKER ?= redis://127.0.0.1:6379/5
bench-feed: install
	$(BIN)/python bench/feed_throughput.py --items 1000 --broker $(BENCH_BROKER)
