#!/usr/bin/env bash
# The real server for the browser tests: FastAPI serving the built app with its CSP, on a
# fresh SQLite database seeded with the demo clinic.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d -t homeward-e2e-XXXXXX)
export DATABASE_URL="sqlite:///$dir/homeward.db"
export HOMEWARD_LOG_LEVEL=WARNING
.venv/bin/homeward migrate >/dev/null
.venv/bin/homeward seed-demo --if-empty >/dev/null
exec .venv/bin/uvicorn homeward.main:create_app --factory --host 127.0.0.1 \
  --port "${E2E_PORT:-8150}" --no-access-log --log-level warning
