#!/usr/bin/env bash
# The whole suite, in stages that stop at the first failure: type check, lint (typescript-eslint and
# prettier), unit tests (no Docker, no root), then the integration tests against a real engine,
# Prometheus, Alertmanager, NATS and SMTP, and promtool on the shipped rules. It ends by failing when
# the run left any engine, shim, vigil or service process alive, or any vigil-* temp dir
# (scripts/no-leaks.sh --dirs).
#
#   npm test                       everything
#   npm test -- test/x.test.ts     just those files, on the test engine
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -n "${VIGIL_TEST_RUN:-}" ] || exec bash scripts/no-leaks.sh --dirs bash "$root/scripts/test.sh" "$@"
[ -d node_modules ] || npm ci --no-audit --no-fund
stage() { echo "== $*" >&2; }
stage "type check"
npm run -s typecheck
if [ $# -gt 0 ]; then
  npm run -s build:web >/dev/null
  bash scripts/with-test-engine.sh npx ava --no-worker-threads "$@"
  exit
fi
stage "lint"
npm run --silent lint
stage "unit tests"
bash scripts/test-unit.sh
stage "build the page"
npm run -s build:web
stage "integration tests"
bash scripts/with-test-engine.sh npx ava --no-worker-threads --concurrency 3 'test/integration/**/*.test.ts' 'test/stack/**/*.test.ts'
