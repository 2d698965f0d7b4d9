#!/usr/bin/env bash
# Runs a command with a private test engine up (DOCKER_HOST exported), and stops the engine afterwards
# whatever the command's outcome. The engine's state lives in .test-engine/ and is wiped on each run.
set -euo pipefail
# dockerd and nats-server live in /usr/sbin, which a non-login PATH may lack
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.test-engine"
bash "$root/scripts/install-test-deps.sh"

cleanup() {
  local code=$?
  bash "$root/scripts/test-engine.sh" down "$dir" || true
  exit "$code"
}
trap cleanup EXIT INT TERM

# a previous run that was killed may have left its engine up
bash "$root/scripts/test-engine.sh" down "$dir" >/dev/null 2>&1 || true
# and every run leaves its containers' state: an engine started on the 1,000 of a benchmark spent its
# start cleaning up after their shims, past the time dockerd gives containerd to start
rm -rf "$dir/data" "$dir/exec"
if ! line=$(bash "$root/scripts/test-engine.sh" up "$dir"); then
  echo "with-test-engine: the test engine did not start; nothing that needs it can run" >&2
  exit 1
fi
export "${line?}"
# containers left by an earlier run that was killed would be counted by this one
stale=$(docker ps -aq)
[ -z "$stale" ] || docker rm -f $stale >/dev/null
export VIGIL_TEST_IMAGE=${VIGIL_TEST_IMAGE:-vigil-test:latest}
export VIGIL_TEST_ENGINE_DIR="$dir"
"$@"
