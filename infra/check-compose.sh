#!/usr/bin/env bash
# infra/check-compose.sh — validate compose.yaml without a Docker engine.
#
# Usage: infra/check-compose.sh [--no-install]
#   1. Compose's own parser, the first found of:
#        `docker compose config -q` (Compose v2 plugin)
#        `docker-compose config -q` (Debian's docker-compose 1.29.2: validates
#          against the Compose spec schema, depends_on targets and conditions)
#      When neither exists and we are root with apt-get, installs Debian's
#      docker-compose (--no-install-recommends: no engine) unless --no-install or
#      SYNCRO_NO_INSTALL=1. If none can be had, says so and goes on with 2 only.
#   2. Always: bun infra/check-compose.ts — YAML parse + structure (pinned images,
#      healthchecks, restart policies, depends_on conditions, host files, loopback
#      ports, volumes where state lives), the binary's role instances (every role
#      somewhere, two hubs, each instance's settings against the code's and on the
#      compose servers), deploy/Caddyfile's upstreams = compose instances owning
#      their paths, and the Dockerfile (the compile stage's Bun = package.json's).
# Exit 0 when every check that ran passed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COMPOSE_FILE="$ROOT/compose.yaml"
INSTALL=1
[ "${SYNCRO_NO_INSTALL:-0}" = 1 ] && INSTALL=0
on_arg() { [ "$1" = --no-install ] && INSTALL=0; }
parse_args "$@"

compose_cmd() {
  if docker compose version >/dev/null 2>&1; then echo "docker compose"; return 0; fi
  if command -v docker-compose >/dev/null 2>&1; then echo "docker-compose"; return 0; fi
  return 1
}

if ! cmd="$(compose_cmd)" && [ "$INSTALL" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  log "no compose binary: installing Debian's docker-compose (no engine)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends docker-compose >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends docker-compose >/dev/null 2>&1; } \
    || log "could not install docker-compose"
fi

status=0
if cmd="$(compose_cmd)"; then
  log "validating compose.yaml with: $cmd config ($($cmd version 2>/dev/null | head -n1))"
  # Project dir = repo root, so relative paths resolve as they will at `up`.
  if (cd "$ROOT" && $cmd -f "$COMPOSE_FILE" config -q); then
    log "compose config: ok"
  else
    log "compose config: FAILED"
    status=1
  fi
else
  log "WARNING: no 'docker compose' / 'docker-compose' available: structural check only"
fi

need bun "(infra/bootstrap.sh)"
if bun "$ROOT/infra/check-compose.ts" "$COMPOSE_FILE"; then :; else status=1; fi
[ "$status" = 0 ] && log "compose.yaml: valid" || log "compose.yaml: INVALID"
exit "$status"
