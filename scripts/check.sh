#!/usr/bin/env bash
# `npm run check`: the type check, the lint and the unit tests, what to run before a push. The three
# run at once, each into its own log, printed in that order once all are done: on two cores that is
# the longest of them (the type-aware lint) and not their sum. Fails when any of them fails.
set -uo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s%N)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
names=("type check" "lint" "unit tests")
npm run -s typecheck > "$logs/0" 2>&1 & pids=($!)
npm run -s lint > "$logs/1" 2>&1 & pids+=($!)
bash scripts/test-unit.sh > "$logs/2" 2>&1 & pids+=($!)
failed=()
for i in 0 1 2; do
  wait "${pids[$i]}" || failed+=("${names[$i]}")
done
for i in 0 1 2; do
  echo "== ${names[$i]}" >&2
  cat "$logs/$i" >&2
done
ms=$(( ($(date +%s%N) - started) / 1000000 ))
echo "check took $((ms / 1000)).$(( (ms % 1000) / 100 )) s" >&2
if [ ${#failed[@]} -gt 0 ]; then echo "check: failed: ${failed[*]}" >&2; exit 1; fi
