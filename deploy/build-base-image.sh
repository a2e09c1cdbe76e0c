#!/usr/bin/env bash
# Builds LegoFactory's sandbox base image without a registry: debootstrap of Debian bookworm,
# the host's CA bundle inside (so apt/npm work behind a TLS-intercepting proxy), then
# `docker import`. Skips the build when the image already exists and was built by this same
# recipe (its org.legofactory.recipe label) unless FORCE=1; an image from an older recipe is rebuilt.
#
#   deploy/build-base-image.sh [IMAGE]      default IMAGE: lego/base:bookworm
set -euo pipefail

IMAGE="${1:-${LEGO_BASE_IMAGE:-lego/base:bookworm}}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES="git,python3,python3-pytest,python3-venv,python3-pip,build-essential,ca-certificates,curl,xz-utils,procps,patch,libcap2-bin"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

log() { printf '[build-base-image] %s\n' "$*" >&2; }

# The recipe's fingerprint: this script's own text (packages, config, import options).
RECIPE="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
if [ "${FORCE:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  built="$(docker image inspect -f '{{ index .Config.Labels "org.legofactory.recipe" }}' "$IMAGE" 2>/dev/null || true)"
  if [ "$built" = "$RECIPE" ]; then
    log "$IMAGE already exists (FORCE=1 rebuilds it)"
    exit 0
  fi
  log "$IMAGE was built by another recipe (${built:-unlabelled}, now $RECIPE); rebuilding"
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
fi

ROOT="$(mktemp -d /tmp/lego-rootfs.XXXXXX)"
trap 'rm -rf "$ROOT"' EXIT

log "debootstrap bookworm into $ROOT (about a minute)"
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOT" "$MIRROR" >/tmp/lego-debootstrap.log 2>&1 || {
  log "debootstrap failed; last lines of /tmp/lego-debootstrap.log:"; tail -20 /tmp/lego-debootstrap.log >&2; exit 1; }

if [ -f "$CA_BUNDLE" ]; then
  # The host bundle may include a proxy's CA; trust it inside the image too.
  install -D -m 0644 "$CA_BUNDLE" "$ROOT/usr/local/share/ca-certificates/host-bundle.crt"
  cp "$CA_BUNDLE" "$ROOT/etc/ssl/certs/ca-certificates.crt"
fi
cat > "$ROOT/etc/apt/sources.list" <<SRC
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SRC
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*
# A default git identity so repositories can be committed inside sandboxes.
cat > "$ROOT/etc/gitconfig" <<GIT
[user]
	name = LegoFactory
	email = lego@localhost
[safe]
	directory = *
[init]
	defaultBranch = main
GIT

log "docker import -> $IMAGE"
tar -C "$ROOT" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV LANG=C.UTF-8' \
  -c 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
  -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  -c 'LABEL org.legofactory.role=base' \
  -c "LABEL org.legofactory.recipe=$RECIPE" \
  -c 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
log "built $IMAGE"
