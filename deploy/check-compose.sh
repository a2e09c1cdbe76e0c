#!/usr/bin/env bash
# Checks that deploy/compose.yaml really starts: builds its images from the offline base image,
# brings it up under a throwaway project name, waits until web, both workers, PostgreSQL and Redis
# report healthy, checks what each must do, and takes everything down again with its volumes.
#
#   bash deploy/check-compose.sh          (LEGO_HTTP_PORT picks the host port, default 13000)
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[check-compose] %s\n' "$*" >&2; }

if docker compose version >/dev/null 2>&1; then compose_cmd=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then compose_cmd=(docker-compose)
else
  log "installing docker-compose (Debian's package)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  compose_cmd=(docker-compose)
fi
project="legocheck$$"
export LEGO_HTTP_PORT="${LEGO_HTTP_PORT:-13000}"
export LEGO_DASHBOARD_TOKEN="compose-check-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
compose() { "${compose_cmd[@]}" -p "$project" -f deploy/compose.yaml "$@"; }
trap 'status=$?; [ $status -eq 0 ] || compose logs --tail 40 >&2 || true; compose down -v --remove-orphans >/dev/null 2>&1 || true; exit $status' EXIT

bash deploy/build-base-image.sh
log "building images (the app, PostgreSQL and Redis from Debian's packages)"
compose build -q
log "starting $project"
compose up -d

deadline=$((SECONDS + 300))
for svc in postgres redis web worker-1 worker-2; do
  while :; do
    id="$(compose ps -q "$svc")"
    health="$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id" 2>/dev/null || echo missing)"
    [ "$health" = healthy ] && { log "$svc is healthy"; break; }
    [ $SECONDS -lt $deadline ] || { log "$svc is $health after 300 s"; exit 1; }
    sleep 3
  done
done

base="http://127.0.0.1:$LEGO_HTTP_PORT"
health="$(curl -fsS "$base/healthz")"
echo "$health" | grep -q '"database":{"kind":"postgres","status":"ok"}' || { log "web's /healthz: $health"; exit 1; }
echo "$health" | grep -q '"redis":"ok"' || { log "web's /healthz: $health"; exit 1; }
[ "$(compose exec -T redis redis-cli config get maxmemory-policy | tail -1 | tr -d '\r')" = noeviction ] || { log "Redis is not noeviction"; exit 1; }
[ "$(compose exec -T redis redis-cli config get appendonly | tail -1 | tr -d '\r')" = yes ] || { log "Redis has no AOF"; exit 1; }
for w in worker-1 worker-2; do
  compose logs "$w" | grep -q '"msg":"workers started"' || { log "$w did not start its workers"; exit 1; }
  compose exec -T "$w" curl -fsS http://127.0.0.1:9464/metrics | grep -q '^lego_process_resident_memory_bytes' || { log "$w serves no metrics"; exit 1; }
done
curl -fsS "$base/metrics" | grep -q '^lego_queue_jobs{queue="webhooks",state="waiting"}' || { log "web's /metrics has no queue depths"; exit 1; }
code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $LEGO_DASHBOARD_TOKEN" "$base/dashboard?format=json")"
[ "$code" = 200 ] || { log "dashboard answered $code"; exit 1; }
log "compose check passed: web, worker-1, worker-2, postgres and redis healthy; Redis noeviction with AOF; dashboard and metrics answer"
