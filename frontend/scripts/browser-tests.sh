#!/usr/bin/env bash
# Playwright (with axe and screenshots) and Lighthouse, on the system Chromium, against the
# real server on a fresh seeded SQLite database. They need no particular database, so
# they run in the SQLite pass only; under CI they must run.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"

if [[ "${DATABASE_URL:-}" == postgresql* ]]; then
  echo "browser tests: run in the SQLite pass only (they start their own SQLite server); skipped here"
  exit 0
fi
if [[ ! -x "$CHROME_PATH" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL: Chromium is missing at $CHROME_PATH; the browser tests cannot be skipped in CI" >&2
    exit 1
  fi
  echo "################################################################################"
  echo "##  BROWSER TESTS SKIPPED: no Chromium at $CHROME_PATH."
  echo "##  Playwright, axe and Lighthouse did not run. Install it with:"
  echo "##    apt-get update && apt-get install -y chromium"
  echo "################################################################################"
  exit 0
fi
mkdir -p test-results/screens
npx playwright test
node scripts/lighthouse.mjs
