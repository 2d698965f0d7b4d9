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
# Each worker thread loads its module graph anew (dockerode, koa, zod, fast-check, vigil's own
# modules): once per test file, that was half the stage's CPU. The test files are imported by a few
# group files instead, one worker each, so a graph is loaded a few times, not 75. Unit test files
# have no hooks and no shared titles, so grouping them changes nothing else, with one exception: a
# fake clock (test/helpers/fake-clock.ts) replaces the worker's timers, and a real socket's timer
# armed meanwhile (undici's, fetch) fired later into a parser already gone. Those files get a worker
# of their own.
# Given files (`npm run test:unit -- .unit/test/x.test.js`), ava runs just those, one worker each.
if [ $# -eq 0 ]; then
  groups=2
  mkdir -p "$out/groups"
  # the largest files first, each into the group with the fewest bytes so far. Which files share a
  # worker moves the stage's time: dealt in turn by name, 815 tests took 19.4-21.5 s; dealt so, 17.7-19.0
  mapfile -t compiled < <(cd "$out" && find test -name '*.test.js' -printf '%s %p\n' | sort -rn | cut -d' ' -f2)
  declare -a load
  for ((g = 0; g < groups; g++)); do load[g]=0; done
  for file in "${compiled[@]}"; do
    if grep -qE "fake-clock\.js|@sinonjs/fake-timers|medic-harness\.js" "$out/$file"; then
      group=fake-clock
    else
      group=0
      for ((g = 1; g < groups; g++)); do ((load[g] < load[group])) && group=$g; done
      load[group]=$((load[group] + $(stat -c %s "$out/$file")))
    fi
    echo "import '../${file}';" >> "$out/groups/group-$group.test.js"
  done
  set -- "$out"/groups/*.test.js
fi
npx ava --config ava.unit.config.mjs "$@"
ms=$(( ($(date +%s%N) - started) / 1000000 ))
echo "unit tests took $((ms / 1000)).$(( (ms % 1000) / 100 )) s" >&2
