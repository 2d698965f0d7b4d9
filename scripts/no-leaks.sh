#!/usr/bin/env bash
# Runs a command (the test suite, a benchmark, the soak, the demo) and fails when it leaves behind a
# process it started: dockerd, containerd, a containerd shim, vigil, Prometheus, Alertmanager or
# nats-server still alive once it is over. Each one left is listed, then killed, and the exit code is 1
# even when the command itself succeeded.
#
#   scripts/no-leaks.sh CMD [ARGS…]
#
# "Started by this run" is read from the environment, not guessed from names: the run exports
# VIGIL_TEST_RUN=<id>, every child inherits it (dockerd hands it to its containerd and containerd to
# every shim), and /proc/<pid>/environ of each candidate is searched for it. Processes that were there
# before, or that another run started, carry another id or none and never count.
# Nested under another run (VIGIL_TEST_RUN already set), it only runs the command: the outer one checks.
set -uo pipefail

if [ $# -eq 0 ]; then echo "usage: no-leaks.sh CMD [ARGS…]" >&2; exit 2; fi
if [ -n "${VIGIL_TEST_RUN:-}" ]; then exec "$@"; fi

VIGIL_TEST_RUN="$(date +%s)-$$-$RANDOM"
export VIGIL_TEST_RUN

# The processes the run may start, by what they run (argv[0]'s base name, or vigil's entry point under node).
watched() {
  local first=${1##*/}
  case "$first" in
    dockerd | containerd | containerd-shim* | prometheus | alertmanager | nats-server) return 0 ;;
  esac
  [[ "$first" == node* ]] || return 1
  local arg
  for arg in "${@:2}"; do [[ "$arg" =~ (^|/)(src/main\.ts|dist/main\.js)$ ]] && return 0; done
  return 1
}

# pid and command line of every watched process that carries this run's marker (bash builtins only:
# no process per candidate, so a scan of a busy machine stays cheap).
leftovers() {
  local dir pid entry
  local -a argv environ
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" = $$ ] && continue
    mapfile -d '' -t argv 2>/dev/null < "$dir/cmdline" || continue
    [ ${#argv[@]} -gt 0 ] && watched "${argv[@]}" || continue
    mapfile -d '' -t environ 2>/dev/null < "$dir/environ" || continue
    for entry in "${environ[@]}"; do
      if [ "$entry" = "VIGIL_TEST_RUN=$VIGIL_TEST_RUN" ]; then echo "$pid ${argv[*]}"; break; fi
    done
  done
  return 0
}

# Ctrl-C reaches the command too (the demo's way to stop); this shell waits for it and still checks.
trap ':' INT TERM
"$@"
code=$?

# a process that was told to stop a moment ago may still be exiting: it has this many seconds to go
deadline=$(( $(date +%s) + ${VIGIL_NO_LEAKS_GRACE_SECONDS:-10} ))
left=""
while :; do
  left=$(leftovers)
  if [ -z "$left" ] || [ "$(date +%s)" -ge "$deadline" ]; then break; fi
  sleep 0.2
done
if [ -n "$left" ]; then
  echo "no-leaks: the run left these processes alive (now killed):" >&2
  echo "$left" | sed 's/^/  /' | cut -c1-200 >&2
  while read -r pid _; do kill -KILL "$pid" 2>/dev/null || true; done <<< "$left"
  [ "$code" -eq 0 ] && code=1
fi
exit "$code"
