#!/usr/bin/env bash
# Makes sure the engine DOCKER_HOST names has the base image vigil's Dockerfile builds FROM.
#
#   scripts/base-image.sh        prints the image's name once the engine has it
#
# In order: the engine has it already; a copy saved by an earlier run (a tar under
# ${VIGIL_IMAGE_CACHE:-~/.cache/vigil}, keyed by this script's hash and the Node it copied) is loaded;
# the registry gives it (`docker pull`); else it is made here from Debian's packages: debootstrap of
# bookworm from the mirror this machine's apt uses, with this machine's Node (Debian bookworm's own
# nodejs is 18) and its npm copied in where node:20-bookworm-slim has them (/usr/local), imported with
# `docker import` under the Dockerfile's name and saved to the cache. The certificate authorities this
# machine adds (/usr/local/share/ca-certificates) go in too, with NODE_EXTRA_CA_CERTS naming the
# bundle, so that npm in the build trusts what npm here trusts. The Dockerfile does not know
# which of these happened: where the registry is reachable it builds on the real image, unchanged.
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
root=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "base-image: $*" >&2; }

# the first stage's FROM; every stage of the Dockerfile builds on the same image
image=$(awk 'toupper($1) == "FROM" { print $2; exit }' "$root/Dockerfile")
cache=${VIGIL_IMAGE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/vigil}

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi

node_bin=$(readlink -f "$(command -v node)")
node_version=$("$node_bin" --version)
# the certificate authorities this machine adds to Debian's (a TLS-inspecting egress proxy's, say),
# which the build's npm ci needs as much as this machine's npm does
local_cas=/usr/local/share/ca-certificates
key=$( (cat "$0"; echo "$node_version"; cat "$local_cas"/*.crt 2>/dev/null || true) | sha256sum | cut -c1-16)
tarball="$cache/base-${image//[:\/]/_}-$key.tar"
if [ -s "$tarball" ]; then
  docker load -i "$tarball" >/dev/null
  log "loaded $image from $tarball"
  echo "$image"
  exit 0
fi

# a registry that cannot be reached fails fast; one that hangs is given a minute
if timeout 60 docker pull -q "$image" >/dev/null 2>&1; then
  log "pulled $image"
  echo "$image"
  exit 0
fi
log "$image cannot be pulled; making it from Debian's packages"

# the mirror this machine's apt uses for bookworm itself (not its security or a third party's
# suites): deb822 stanzas first, then one-line sources
mirror=$(awk 'BEGIN { RS = "" } ("\n" $0) ~ /\nSuites:([^\n]* )?bookworm( |\n|$)/ {
  if (match($0, /URIs: *[^ \n]+/)) { split(substr($0, RSTART, RLENGTH), u, / +/); print u[2]; exit } }' \
  /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { for (i = 2; i < NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == "bookworm") { print $i; exit } break } }' \
  /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
[ -n "$mirror" ] || { log "no Debian mirror found in /etc/apt/sources.list(.d)"; exit 1; }

case "$node_version" in
  v20.*) ;;
  *) log "this machine's node is $node_version; the image needs Node 20"; exit 1 ;;
esac
npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)

if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends debootstrap >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-base.XXXXXX")
trap 'umount -R "$work/rootfs/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
rootfs="$work/rootfs"
# libstdc++ and libgcc for node (node:20-bookworm-slim has them too); apt is in minbase
log "debootstrap bookworm from $mirror"
# the packages' scripts run in the chroot, where a TMPDIR of the host (scripts/no-leaks.sh gives each run
# its own) does not exist: their mktemp would fail
export TMPDIR=/tmp
debootstrap --variant=minbase --include=libstdc++6,ca-certificates bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
mkdir -p "$rootfs/usr/local/include"
# node's headers, as the official image has them: native modules (better-sqlite3) build against them
# without downloading them from nodejs.org
cp -a "$(dirname "$node_bin")/../include/node" "$rootfs/usr/local/include/node"
extra_ca_env=()
if compgen -G "$local_cas/*.crt" >/dev/null; then
  mkdir -p "$rootfs/usr/local/share/ca-certificates"
  cp "$local_cas"/*.crt "$rootfs/usr/local/share/ca-certificates/"
  chroot "$rootfs" update-ca-certificates >/dev/null
  # node keeps its own list of authorities; this machine's node is told of the others so too
  extra_ca_env=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
fi
# the official image's unprivileged user, for Dockerfiles that use it
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log

tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'CMD ["node"]' \
  "${extra_ca_env[@]}" \
  - "$image" >/dev/null
log "imported $image ($("$rootfs/usr/local/bin/node" --version) from this machine, Debian bookworm from $mirror)"
mkdir -p "$cache"
rm -f "$cache"/base-"${image//[:\/]/_}"-*.tar
docker save -o "$tarball.part" "$image"
mv "$tarball.part" "$tarball"
log "saved to $tarball"
echo "$image"
