#!/usr/bin/env bash
# Installs the Debian packages the test suite and benchmarks run for real: a Docker engine,
# busybox-static for the test image, and Prometheus for promtool. Idempotent; quiet when all are there.
set -euo pipefail
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v promtool >/dev/null || need+=(prometheus)
# the static busybox is the only one that runs in an image with no libc
if ! [ -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then need+=(busybox-static); fi
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
