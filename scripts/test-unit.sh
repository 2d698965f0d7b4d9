#!/usr/bin/env bash
# Every test that needs no engine, no root and no network service: parsers, policy, the medic and the
# dispatcher on a fake engine and a fake clock, the store on a temp file. Prints its wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s%N)
npx ava 'test/**/*.test.ts' '!test/integration/**' '!test/stack/**' "$@"
ms=$(( ($(date +%s%N) - started) / 1000000 ))
echo "unit tests took $((ms / 1000)).$(( (ms % 1000) / 100 )) s" >&2
