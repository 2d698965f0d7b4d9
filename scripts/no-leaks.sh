#!/usr/bin/env bash
# Runs a command (the test suite, a benchmark, the soak, the demo) and fails when it leaves behind a
# process it started: dockerd, containerd, a containerd shim, vigil, Prometheus, Alertmanager or
# nats-server still alive once it is over. Each one left is listed, then killed, and the exit code is 1
# even when the command itself succeeded.
#
#   scripts/no-leaks.sh [--dirs] CMD [ARGS…]
#
# Temp dirs too: the run gets a TMPDIR of its own (node's os.tmpdir() and mktemp read it), so what is
# left in it at the end is what this run made and did not remove, whatever other runs on the machine
# make meanwhile. The `vigil-*` dirs left are listed; with --dirs (scripts/test.sh: every test dir has
# a teardown, test/helpers/temp-dir.ts) they fail the run too. The run's TMPDIR is removed either way.
#
# "Started by this run" is read from the environment, not guessed from names: the run exports
# VIGIL_TEST_RUN=<id>, every child inherits it (dockerd hands it to its containerd and containerd to
# every shim), and /proc/<pid>/environ of each candidate is searched for it. Processes that were there
# before, or that another run started, carry another id or none and never count.
# Nested under another run (VIGIL_TEST_RUN already set), it only runs the command: the outer one checks.
set -uo pipefail

fail_on_dirs=0
if [ "${1:-}" = --dirs ]; then fail_on_dirs=1; shift; fi
if [ $# -eq 0 ]; then echo "usage: no-leaks.sh [--dirs] CMD [ARGS…]" >&2; exit 2; fi
if [ -n "${VIGIL_TEST_RUN:-}" ]; then exec "$@"; fi

VIGIL_TEST_RUN="$(date +%s)-$$-$RANDOM"
export VIGIL_TEST_RUN

outer_tmp=${TMPDIR:-/tmp}
run_tmp=$(mktemp -d "$outer_tmp/vigil-run-XXXXXX")
# open to every user, as /tmp is: vigil runs as another user in some tests
chmod 1777 "$run_tmp"
# tsx's compile cache stays where it was, kept from run to run
mkdir -p "$outer_tmp/tsx-$(id -u)" && ln -s "$outer_tmp/tsx-$(id -u)" "$run_tmp/tsx-$(id -u)"
export TMPDIR=$run_tmp

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
  # a shim's children are its container's processes, which carry the container's environment, not
  # this run's marker: they go first, or a killed shim leaves them running without an engine
  while read -r pid cmd _; do
    [[ "${cmd##*/}" == containerd-shim* ]] && { pkill -KILL -P "$pid" 2>/dev/null || true; }
  done <<< "$left"
  while read -r pid _; do kill -KILL "$pid" 2>/dev/null || true; done <<< "$left"
  [ "$code" -eq 0 ] && code=1
fi

# what the run made in its TMPDIR and left there (the processes that might still write in it are gone)
mapfile -t dirs < <(find "$run_tmp" -mindepth 1 -maxdepth 1 -name 'vigil-*' -printf '%f\n' 2>/dev/null | sort)
if [ ${#dirs[@]} -gt 0 ]; then
  if [ "$fail_on_dirs" -eq 1 ]; then verdict="the run left ${#dirs[@]} temp dirs"; else verdict="note: the run left ${#dirs[@]} temp dirs"; fi
  echo "no-leaks: $verdict (now removed):" >&2
  printf '  %s\n' "${dirs[@]:0:20}" >&2
  [ ${#dirs[@]} -gt 20 ] && echo "  … and $(( ${#dirs[@]} - 20 )) more" >&2
  [ "$fail_on_dirs" -eq 1 ] && [ "$code" -eq 0 ] && code=1
fi
# not across into a mount a killed engine may have left (its container's overlay)
rm -rf --one-file-system "$run_tmp" 2>/dev/null || true
exit "$code"
