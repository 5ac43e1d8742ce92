# Homeward: `make run` serves the app with demo data; `make test` runs every check.
SHELL := /bin/bash
# uv from PATH, or else the one pip installs into python3 (run as a module).
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint typecheck pytest openapi openapi-check bench frontend clean

.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	touch $@

install: .venv/.installed

frontend:
	@if [ -f frontend/package.json ]; then \
		cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build; \
	fi

run: install frontend
	$(RUN) homeward migrate
	$(RUN) homeward seed-demo --if-empty
	@echo ""
	@echo "  Homeward is starting at http://$(HOST):$(PORT)  (API docs: /docs)"
	@echo "  Sign in as admin@homeward.example with password tulip-harbor-lantern-58"
	@echo ""
	HOMEWARD_WEBHOOK_WORKER_IN_PROCESS=$${HOMEWARD_WEBHOOK_WORKER_IN_PROCESS:-true} $(RUN) uvicorn homeward.main:create_app --factory --host $(HOST) --port $(PORT) --no-access-log

lint: install
	$(RUN) ruff check backend tests migrations
	$(RUN) ruff format --check backend tests migrations

typecheck: install
	$(RUN) mypy

pytest: install
	$(RUN) pytest

test: lint typecheck pytest

openapi: install
	$(RUN) python -m homeward.openapi > openapi.yaml

openapi-check: install
	@$(RUN) python -m homeward.openapi | diff -u openapi.yaml - && echo "openapi.yaml is up to date"

bench: install  # PART=http or PART=others runs half of it
	$(RUN) python -m tests.perf.run $(or $(PART),all)

clean:
	rm -rf .venv var frontend/dist
