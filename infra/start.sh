#!/usr/bin/env bash
# infra/start.sh — the one command that starts SyncroBoard on this machine, installing what it
# needs: Bun (pinned) and dependencies, Postgres/Redis (started if stopped), the databases,
# Kafka (KRaft, jars from Maven Central) and its topics, then the services in the foreground:
# auth on :3001, tickets on :3002, assignment on :3003. Ctrl-C stops the services; `bash infra/down.sh` stops Kafka too.
#
# This is the development start: the Auth Service runs with AUTH_DEV_LOGIN=1 (password-less
# `POST /auth/dev/login`) unless you set AUTH_DEV_LOGIN=0, and signs with a key it generates and
# keeps in ~/.local/share/syncroboard/auth. Google/OIDC login: export GOOGLE_CLIENT_ID/SECRET or
# OIDC_ISSUER/OIDC_CLIENT_ID/OIDC_CLIENT_SECRET first (README § Identity).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash infra/bootstrap.sh --no-browser
bash infra/up.sh

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

export AUTH_PORT="${AUTH_PORT:-3001}"
export AUTH_ISSUER="${AUTH_ISSUER:-http://127.0.0.1:${AUTH_PORT}}"
export JWKS_URL="${JWKS_URL:-http://127.0.0.1:${AUTH_PORT}/.well-known/jwks.json}"

PORT="$AUTH_PORT" PUBLIC_URL="${AUTH_PUBLIC_URL:-http://127.0.0.1:${AUTH_PORT}}" AUTH_DEV_LOGIN="${AUTH_DEV_LOGIN:-1}" \
  bun services/auth/src/main.ts & pids+=($!)
# The others fetch the JWKS from auth on their first request; wait so the first one is quick.
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/${AUTH_PORT}") 2>/dev/null && break; sleep 0.1; done
echo "[start] auth on http://127.0.0.1:${AUTH_PORT} (token: curl -s -XPOST localhost:${AUTH_PORT}/auth/dev/login -H 'content-type: application/json' -d '{\"email\":\"you@example.com\"}')" >&2

PORT="${TICKETS_PORT:-3002}" bun services/tickets/src/main.ts & pids+=($!)
echo "[start] tickets on http://127.0.0.1:${TICKETS_PORT:-3002} (health: /health, API document: /openapi)" >&2

PORT="${ASSIGNMENT_PORT:-3003}" bun services/assignment/src/main.ts & pids+=($!)
echo "[start] assignment on http://127.0.0.1:${ASSIGNMENT_PORT:-3003} (health: /health, API document: /openapi)" >&2
wait -n "${pids[@]}"
