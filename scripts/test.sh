#!/usr/bin/env bash
# The whole suite: type check, unit tests, integration tests against a real engine and promtool.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json --noEmit
bash scripts/with-test-engine.sh npx ava "$@"
