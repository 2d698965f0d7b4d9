#!/usr/bin/env bash
# Every test that needs no engine, no root and no network service: parsers, policy, the medic and the
# dispatcher on a fake engine and a fake clock, the store on a temp file, the whole service on the fake
# engine. Prints its wall time.
#
# The sources and tests are compiled to JavaScript under .unit/ (esbuild, file by file, imports as they
# are; about a second), and ava runs them there in worker threads (ava.unit.config.mjs): that halves
# what tsx cost each test file. Fixtures, scripts and the page's files are linked in beside them, so paths
# taken from import.meta.url find the same files (README.md too: a test compares its configuration table).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s%N)
out=.unit
rm -rf "$out"
mapfile -t entries < <(find src test web/src -name '*.ts' -not -path 'test/fixtures/*' -not -path 'test/integration/*' \
  -not -path 'test/stack/*')
npx esbuild "${entries[@]}" --outdir="$out" --outbase=. --format=esm --platform=node --target=node20 --log-level=warning
ln -s ../../test/fixtures "$out/test/fixtures"
ln -s ../scripts "$out/scripts"
ln -s ../README.md "$out/README.md"
# the page's pure modules (web/src) are compiled beside the rest; its other files are linked
for f in web/*; do [ "$f" = web/src ] || ln -s "../../$f" "$out/$f"; done
# a test runs vigil's entry point from its source, under tsx
ln -s ../../src/main.ts "$out/src/main.ts"
npx ava --config ava.unit.config.mjs "$@"
ms=$(( ($(date +%s%N) - started) / 1000000 ))
echo "unit tests took $((ms / 1000)).$(( (ms % 1000) / 100 )) s" >&2
