#!/usr/bin/env bash
# `npm run image`: builds vigil's image (vigil:latest, or VIGIL_IMAGE) from the Dockerfile on the
# engine DOCKER_HOST names.
#
# The base image comes from scripts/base-image.sh (pulled, or made from Debian's packages where no
# registry is reachable). The build runs with the host's network (`--network host`, the build only),
# so that `npm ci` and apt reach the npm registry and the Debian mirror from an engine without a
# bridge of its own. Nothing changed, nothing is rebuilt: the image carries the hash of what it is
# made of as the label vigil.context, and docker build's layer cache does the rest.
#
# With VIGIL_IMAGE_SAVE=1 (the test suite, whose engines are wiped on every run) the built image is
# also saved under ${VIGIL_IMAGE_CACHE:-~/.cache/vigil}, keyed by that hash, and loaded from there
# the next time, instead of built again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
image=${VIGIL_IMAGE:-vigil:latest}
cache=${VIGIL_IMAGE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/vigil}
log() { echo "image: $*" >&2; }

base=$(bash scripts/base-image.sh)
base_id=$(docker image inspect -f '{{.Id}}' "$base")

# what the image is made of: the Dockerfile and what its COPY lines take from the context (the files
# git knows or would add there, less what .dockerignore leaves out), so that an edit elsewhere (a
# test, the README) leaves the image as it is
context_hash() {
  local ignored sources
  # .dockerignore is an allow list ('*', then '!' for what the COPY lines take): the lines left after
  # those are what it takes back out (web/dist/, web/node_modules/)
  ignored=$(grep -v '^\s*\(#\|$\|!\|\*$\)' .dockerignore | sed 's#^/##; s#/$##' | paste -sd '|')
  sources=$(awk 'toupper($1) == "COPY" && $2 !~ /^--from=/ { for (i = 2; i < NF; i++) print $i }' Dockerfile)
  {
    echo "$image $base_id"
    sha256sum Dockerfile
    # shellcheck disable=SC2086 # the sources are paths, one word each
    git ls-files -z --cached --others --exclude-standard -- $sources |
      tr '\0' '\n' | grep -Ev "^($ignored)(/|$)" | sort |
      while IFS= read -r file; do [ -f "$file" ] && sha256sum "$file"; done
  } | sha256sum | cut -c1-16
}
hash=$(context_hash)

if [ "$(docker image inspect -f '{{index .Config.Labels "vigil.context"}}' "$image" 2>/dev/null)" = "$hash" ]; then
  log "$image is up to date ($hash)"
  exit 0
fi
tarball="$cache/vigil-$hash.tar"
if [ "${VIGIL_IMAGE_SAVE:-}" = 1 ] && [ -s "$tarball" ]; then
  docker load -i "$tarball" >/dev/null
  log "loaded $image from $tarball"
  exit 0
fi

started=$(date +%s)
docker build --network host --label "vigil.context=$hash" -t "$image" . >&2
log "built $image ($hash) in $(($(date +%s) - started)) s"
if [ "${VIGIL_IMAGE_SAVE:-}" = 1 ]; then
  mkdir -p "$cache"
  rm -f "$cache"/vigil-*.tar
  docker save -o "$tarball.part" "$image"
  mv "$tarball.part" "$tarball"
  log "saved to $tarball"
fi
