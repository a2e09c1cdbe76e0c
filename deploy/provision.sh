#!/usr/bin/env bash
# Brings up everything LegoFactory and its tests need on a Debian host, doing nothing for
# what already runs: PostgreSQL, Redis, the Docker engine, the sandbox base image and the Python
# trainer's test dependencies.
# Idempotent and quick when all is up; run by `npm start`, `npm test` and .ci/run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
log() { printf '[provision] %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  [ -n "${APT_UPDATED:-}" ] || { as_root apt-get update -qq; APT_UPDATED=1; }
  as_root apt-get install -y -qq "$@" >/dev/null
}

# PostgreSQL: only the tests need the server (the app defaults to embedded PGlite).
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    log "installing PostgreSQL"
    apt_install postgresql
  fi
  log "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || { log "PostgreSQL did not start; see /var/log/postgresql/"; exit 1; }
fi

# Redis: the BullMQ queues.
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  command -v redis-server >/dev/null 2>&1 || { log "installing Redis"; apt_install redis-server; }
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 20); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 0.5; done
fi

# Chromium: the dashboard's browser tests drive Debian's build through playwright-core.
command -v chromium >/dev/null 2>&1 || { log "installing Chromium"; apt_install chromium; }
# Go with Sprig: renders the Helm chart in its test where Helm itself is not installed (no Debian package).
if ! command -v helm >/dev/null 2>&1 && ! { command -v go >/dev/null 2>&1 && [ -d /usr/share/gocode/src/github.com/Masterminds/sprig ]; }; then
  log "installing Go and Sprig (the chart test's renderer)"
  apt_install golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev
fi

bash "$here/provision-docker.sh"
bash "$here/build-base-image.sh"
bash "$here/provision-python.sh"
