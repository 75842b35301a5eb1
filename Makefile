# Two commands for a newcomer: `make run` and `make test`. Every setup step lives here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
export DJANGO_SETTINGS_MODULE ?= config.settings.base
# `make run` is a local development run: DEBUG on, demo API key, URLs on localhost:8000 (override in .env).
RUN_ENV := DEBUG=$${DEBUG:-1} API_KEY=$${API_KEY:-demo-api-key} PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://localhost:8000}
PYTEST_ARGS ?= -n auto

.PHONY: run test lint format install install-dev db protos fuzz bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

db: install
	$(RUN_ENV) $(MANAGE) ensure_database
	$(RUN_ENV) $(MANAGE) migrate --no-input
	$(RUN_ENV) $(MANAGE) collectstatic --no-input --verbosity 0

run: db
	$(RUN_ENV) $(MANAGE) seed_demo
	$(RUN_ENV) $(BIN)/honcho start -f Procfile

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

protos: install-dev
	$(PY) -m grpc_service.codegen

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
