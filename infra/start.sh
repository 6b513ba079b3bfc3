#!/usr/bin/env bash
# infra/start.sh — the one command that starts SyncroBoard on this machine, installing what it
# needs: Bun (pinned) and dependencies, Postgres/Redis (started if stopped), the databases,
# Kafka (KRaft, jars from Maven Central) and its topics, then the services in the foreground.
# Ctrl-C stops the services; `bash infra/down.sh` stops Kafka too.
#
# Environment: PORT (tickets, default 3002), DEV_IDP=0 to not start the development identity
# stand-in (needed until the Auth Service lands: it serves the JWKS on :3001).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash infra/bootstrap.sh
bash infra/up.sh

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ "${DEV_IDP:-1}" = 1 ] && ! (exec 3<>/dev/tcp/127.0.0.1/3001) 2>/dev/null; then
  bun infra/dev-idp.ts serve & pids+=($!)
  echo "[start] development tokens: bun infra/dev-idp.ts token you@example.com \"Your Name\"" >&2
fi

export AUTH_ISSUER="${AUTH_ISSUER:-http://127.0.0.1:3001}"
export JWKS_URL="${JWKS_URL:-http://127.0.0.1:3001/.well-known/jwks.json}"
bun services/tickets/src/main.ts & pids+=($!)
echo "[start] tickets on http://127.0.0.1:${PORT:-3002} (health: /health, API document: /openapi)" >&2
wait -n "${pids[@]}"
