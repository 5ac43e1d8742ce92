# Homeward: `make run` serves the app with demo data; `make test` runs every check.
SHELL := /bin/bash
# uv from PATH, or else the one pip installs into python3 (run as a module).
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint typecheck pytest openapi openapi-check bench frontend frontend-check browser-test dev clean

.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	touch $@

install: .venv/.installed

FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/package-lock.json
NPM_CI := cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	$(NPM_CI)

# Built again only when a source changed since the last build.
frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	cd frontend && npm run build

frontend: frontend/dist/index.html

# The front end's checks: generated client up to date, no hand-written API types, tsc
# (strict, so no implicit any), ESLint with the hooks rules and no explicit any, Vitest,
# and the bundle budget; then the browser tests.
frontend-check: frontend
	cd frontend && npm run gen:api:check && npm run typecheck && npm run lint && npm test \
		&& npm run bundle:check
	$(MAKE) browser-test

# Playwright (with axe) and Lighthouse against the real server, on the system Chromium.
browser-test: install frontend
	bash frontend/scripts/browser-tests.sh

# The Vite dev server on :5173 with hot reload, proxying /api to the API on $(PORT).
dev: install frontend/node_modules/.package-lock.json
	$(RUN) homeward migrate
	$(RUN) homeward seed-demo --if-empty
	@trap 'kill $$api 2>/dev/null' EXIT; \
	$(RUN) uvicorn homeward.main:create_app --factory --host $(HOST) --port $(PORT) --reload & api=$$!; \
	cd frontend && HOMEWARD_API=http://$(HOST):$(PORT) npx vite --host $(HOST)

run: install frontend
	$(RUN) homeward migrate
	$(RUN) homeward seed-demo --if-empty
	@echo ""
	@echo "  Homeward is starting at http://$(HOST):$(PORT)  (API docs: /docs)"
	@echo "  Sign in as clinician@homeward.example (or admin@, therapist@, medical@, intake@,"
	@echo "  viewer@) with password $$(sed -n 's/^DEMO_PASSWORD = "\(.*\)"/\1/p' backend/homeward/seed/demo.py)"
	@echo ""
	HOMEWARD_WEBHOOK_WORKER_IN_PROCESS=$${HOMEWARD_WEBHOOK_WORKER_IN_PROCESS:-true} $(RUN) uvicorn homeward.main:create_app --factory --host $(HOST) --port $(PORT) --no-access-log

lint: install
	$(RUN) ruff check backend tests migrations
	$(RUN) ruff format --check backend tests migrations
	$(RUN) lint-imports --no-cache

typecheck: install
	$(RUN) mypy

pytest: install
	$(RUN) pytest

test: lint typecheck pytest frontend-check

openapi: install
	$(RUN) python -m homeward.openapi > openapi.yaml

openapi-check: install
	@$(RUN) python -m homeward.openapi | diff -u openapi.yaml - && echo "openapi.yaml is up to date"

bench: install  # PART=http or PART=others runs half of it; AGAINST=<commit> measures it beside this tree
	$(RUN) python -m tests.perf.$(if $(AGAINST),compare $(AGAINST),run) $(or $(PART),all)

clean:
	rm -rf .venv var frontend/dist
