#!/usr/bin/env bash
# Installs the Debian packages the test suite and benchmarks run for real: a Docker engine,
# busybox-static for the test image, Prometheus for promtool, Alertmanager, nats-server, chromium for
# the page's tests (driven by playwright-core, never downloaded), wrk for the benchmarks, debootstrap
# for vigil's base image where none can be pulled (scripts/base-image.sh), and systemd for
# `systemd-analyze verify` of deploy/vigil.service (the package's files only: nothing is started).
# Idempotent; quiet when all are there.
set -euo pipefail
# dockerd and nats-server live in /usr/sbin, which a non-login PATH may lack
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v promtool >/dev/null || need+=(prometheus)
command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || need+=(nats-server)
command -v wrk >/dev/null || need+=(wrk)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
command -v docker-compose >/dev/null || need+=(docker-compose)
# the static busybox is the only one that runs in an image with no libc
if ! [ -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then need+=(busybox-static); fi
command -v curl >/dev/null || need+=(curl)
command -v chromium >/dev/null || need+=(chromium)
command -v openssl >/dev/null || need+=(openssl)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v systemd-analyze >/dev/null || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
