#!/usr/bin/env bash
# A private Docker engine for vigil's tests and benchmarks.
#
#   scripts/test-engine.sh up   DIR   start dockerd under DIR (socket DIR/docker.sock), wait until it answers,
#                                     import the test image; prints DOCKER_HOST=... on stdout
#   scripts/test-engine.sh down DIR   stop that engine and wait for it to exit
#
# With VIGIL_TEST_ENGINE_TLS_PORT=N, `up` also makes a CA, a server and a client certificate under
# DIR/certs (openssl) and has the engine listen on tcp://127.0.0.1:N with --tlsverify, as a remote
# engine would; DIR/certs then holds ca.pem, cert.pem and key.pem for DOCKER_CERT_PATH.
#
# With VIGIL_TEST_ENGINE_SOCKET_ACTIVATED=1 the engine's socket is made and held by another process,
# which hands it to dockerd (--host fd://) as systemd's docker.socket does on Debian's and Docker's own
# packages: dockerd closing its listener as it stops leaves the socket open, so a new connection is made
# and never answered, where dockerd's own socket refuses it.
#
# Every engine gets its own socket, data-root, exec-root, pidfile and cgroup-parent, and no
# networking of its own, so it never touches another engine on the machine. Containers run with
# --network none. No registry is reachable: the test image is imported from a busybox-static rootfs.
set -euo pipefail

cmd=${1:?usage: test-engine.sh up|down DIR}
dir=$(realpath -m "${2:?usage: test-engine.sh up|down DIR}")
image=${VIGIL_TEST_IMAGE:-vigil-test:latest}
sock="$dir/docker.sock"
pidfile="$dir/docker.pid"
log() { echo "test-engine: $*" >&2; }

# systemd's part in socket activation (sd_listen_fds(3)): the listening socket made here and kept open
# until dockerd exits, never accepted on; dockerd gets it as fd 3 with LISTEN_FDS=1 and LISTEN_PID its pid.
# Perl, as perl-base is on every Debian machine.
# shellcheck disable=SC2016
socket_holder='
  use strict; use IO::Socket::UNIX; use POSIX ();
  $^F = 255;  # no close-on-exec for what is opened here: the socket goes on to dockerd
  my $path = shift @ARGV;
  unlink $path;
  my $socket = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $path, Listen => 128) or die "listen on $path: $!";
  my $pid = fork() // die "fork: $!";
  if ($pid == 0) {
    POSIX::dup2(fileno($socket), 3) // die "dup2: $!" unless fileno($socket) == 3;
    $ENV{LISTEN_FDS} = 1; $ENV{LISTEN_PID} = $$;
    exec(@ARGV) or die "exec $ARGV[0]: $!";
  }
  waitpid($pid, 0);
  exit($? >> 8);
'

install_missing() {
  local pkgs=()
  command -v dockerd >/dev/null || pkgs+=(docker.io)
  [ -z "${VIGIL_TEST_ENGINE_TLS_PORT:-}" ] || command -v openssl >/dev/null || pkgs+=(openssl)
  [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx sh && file_static /bin/busybox || pkgs+=(busybox-static)
  if [ ${#pkgs[@]} -gt 0 ]; then
    log "installing ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >&2
  fi
}

# busybox-static replaces the dynamic busybox; only the static one runs inside an empty rootfs.
file_static() { ! grep -q 'ld-linux' <(head -c 4096 "$1" | tr -c '[:print:]' '\n'); }

wait_until_answers() {
  for _ in $(seq 1 120); do
    if docker -H "unix://$sock" version >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$(cat "$dir/dockerd.launcher.pid")" 2>/dev/null; then
      log "dockerd exited; last lines of $dir/dockerd.log:"; tail -n 30 "$dir/dockerd.log" >&2; return 1
    fi
    sleep 0.25
  done
  log "dockerd did not answer on $sock within 30 s"; tail -n 30 "$dir/dockerd.log" >&2; return 1
}

import_image() {
  if docker -H "unix://$sock" image inspect "$image" >/dev/null 2>&1; then return 0; fi
  local rootfs="$dir/rootfs"
  rm -rf "$rootfs"; mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"
  tar -C "$rootfs" -c . | docker -H "unix://$sock" import \
    --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$image" >/dev/null
  rm -rf "$rootfs"
  log "imported $image"
}

# A CA, a server certificate for 127.0.0.1 and a client certificate, as Docker's "protect the daemon
# socket" guide makes them; the client's files carry the names DOCKER_CERT_PATH expects.
make_certs() {
  local certs="$1"
  [ -s "$certs/cert.pem" ] && return 0
  mkdir -p "$certs"
  (
    cd "$certs"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=vigil-test-ca -keyout ca-key.pem -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server-key.pem -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile server.ext -out server-cert.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj /CN=vigil-test-client -keyout key.pem -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' > client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile client.ext -out cert.pem 2>/dev/null
    rm -f ./*.csr ./*.ext
  )
}

# The pids of this engine's own containerd and shims, whatever became of dockerd: a shim is a daemon of
# its own (its parent is init) and outlives the engine, one per container, with the container's
# processes under it. Each names this engine's containerd socket (-address DIR/exec/containerd/…), its
# containerd this engine's config: another engine's never match.
engine_processes() {
  local proc
  local -a argv
  for proc in /proc/[0-9]*; do
    mapfile -d '' -t argv 2>/dev/null < "$proc/cmdline" || continue
    [[ " ${argv[*]} " == *" $dir/exec/containerd/"* ]] && echo "${proc#/proc/}"
  done
  return 0
}

end_leftovers() {
  local pids pid
  pids=$(engine_processes)
  [ -z "$pids" ] && return 0
  log "ending what the engine left: $(echo "$pids" | wc -w) containerd/shim processes"
  # the containers' processes first (a shim's children), so that none is left without its shim
  for pid in $pids; do pkill -KILL -P "$pid" 2>/dev/null || true; done
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 40); do
    pids=$(for pid in $pids; do if kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi; done)
    [ -z "$pids" ] && return 0
    sleep 0.25
  done
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
}

case "$cmd" in
  up)
    install_missing
    mkdir -p "$dir/data" "$dir/exec"
    if [ -S "$sock" ] && docker -H "unix://$sock" version >/dev/null 2>&1; then
      log "engine already up at $sock"
    else
      rm -f "$sock" "$pidfile"
      tls=()
      if [ -n "${VIGIL_TEST_ENGINE_TLS_PORT:-}" ]; then
        make_certs "$dir/certs"
        tls=(--host "tcp://127.0.0.1:$VIGIL_TEST_ENGINE_TLS_PORT" --tlsverify --tlscacert "$dir/certs/ca.pem"
          --tlscert "$dir/certs/server-cert.pem" --tlskey "$dir/certs/server-key.pem")
      fi
      host=(--host "unix://$sock")
      launch=()
      if [ -n "${VIGIL_TEST_ENGINE_SOCKET_ACTIVATED:-}" ]; then
        host=(--host fd://)
        launch=(perl -e "$socket_holder" "$sock")
      fi
      # setsid: the engine outlives the shell that started it and is stopped only by `down`.
      setsid "${launch[@]}" dockerd \
        "${host[@]}" \
        --data-root "$dir/data" \
        --exec-root "$dir/exec" \
        --pidfile "$pidfile" \
        --cgroup-parent "vigil-test-$(basename "$dir")" \
        --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
        --userland-proxy=false \
        "${tls[@]}" \
        >"$dir/dockerd.log" 2>&1 < /dev/null &
      echo $! > "$dir/dockerd.launcher.pid"
      wait_until_answers
      log "engine up at $sock"
    fi
    import_image
    echo "DOCKER_HOST=unix://$sock"
    ;;
  down)
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      # dockerd stops every container first, each up to its stop timeout (10 s), in parallel
      for _ in $(seq 1 360); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && { log "dockerd $pid still running after 90 s; killing"; kill -KILL "$pid"; }
    fi
    end_leftovers
    # a killed engine leaves its overlay and netns mounts behind, which would keep DIR from being removed
    awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r umount -l 2>/dev/null || true
    rm -f "$sock" "$pidfile"
    log "engine at $sock down"
    ;;
  *) echo "usage: test-engine.sh up|down DIR" >&2; exit 2 ;;
esac
