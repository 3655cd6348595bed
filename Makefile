# The two commands a fresh machine needs (see README):  make run  and  make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Test-only secrets: the suite runs with production settings (DEBUG off) over plain HTTP.
TEST_ENV := DEBUG=false SECURE_SSL_REDIRECT=false \
	SECRET_KEY=test-only-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz \
	FIELD_ENCRYPTION_KEYS=dGVzdC1vbmx5LWtleS1mb3ItbmV3c3Jvb20tdGVzdHM= \
	ALLOWED_HOSTS=testserver,localhost,127.0.0.1

.PHONY: run test install lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py load_demo
	@echo "Admin: http://127.0.0.1:8000/admin/"
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
