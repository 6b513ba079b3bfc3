#!/usr/bin/env bash
# infra/start.sh — the one command that starts SyncroBoard on this machine, installing what it
# needs: the system packages it lacks (infra/install.sh: PostgreSQL, Redis, Java 17+ and Maven with
# apt-get as root; otherwise it prints the apt-get line to run and stops), Bun (pinned) and
# dependencies, Postgres/Redis (started if stopped), the databases, Kafka (KRaft, jars from Maven
# Central) and its topics, then the services in the foreground:
# auth :3001, tickets :3002, assignment :3003, notifications :3004 (mail to a local sink, read at
# :8025, unless SMTP_URL is set), the realtime hub :3005, the web board :3006 (the URL to open). Ctrl-C stops the services; `bash infra/down.sh` stops Kafka too.
#
# This is the development start: the Auth Service runs with AUTH_DEV_LOGIN=1 (password-less
# `POST /auth/dev/login`) unless you set AUTH_DEV_LOGIN=0, and signs with a key it generates and
# keeps in ~/.local/share/syncroboard/auth. Google/OIDC login: export GOOGLE_CLIENT_ID/SECRET or
# OIDC_ISSUER/OIDC_CLIENT_ID/OIDC_CLIENT_SECRET first (README § Identity).
#
# A second instance beside the first (the README test runs one) sets, besides the services' own variables:
#   AUTH_PORT, TICKETS_PORT, ASSIGNMENT_PORT                          the ports [3001, 3002, 3003]
#   AUTH_DATABASE_URL, TICKETS_DATABASE_URL, ASSIGNMENT_DATABASE_URL  each service's DATABASE_URL
#   TICKETS_KAFKA_GROUP_ID, ASSIGNMENT_KAFKA_GROUP_ID                 each consumer's KAFKA_GROUP_ID
#   KAFKA_TOPIC_PREFIX, KAFKA_OFFSET_RESET, AUTH_KEY_DIR              passed on as they are
#   SKIP_SETUP=1   skip bootstrap.sh and up.sh (already done: the test command has just run them)
# Unset, a service gets its default (README § Configuration).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=start
parse_args "$@"
cd "$ROOT"

if [ "${SKIP_SETUP:-0}" = 1 ]; then
  log "SKIP_SETUP=1: not running bootstrap.sh and up.sh"
else
  bash infra/bootstrap.sh --no-browser
  bash infra/up.sh
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
# Exit on a signal (the EXIT trap then stops the services): a handler that returned would go on
# starting the services not yet started.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# service PORT DATABASE_URL GROUP_ID MAIN [VAR=VALUE...]: runs MAIN in the background on PORT; an
# empty DATABASE_URL or GROUP_ID leaves the service's own default (or what the caller exported).
service() {
  local port="$1" db="$2" group="$3" main="$4"; shift 4
  # --no-warnings: kafkajs 2.2 schedules negative timeouts, which Bun reports on every consumer start.
  env PORT="$port" ${db:+DATABASE_URL="$db"} ${group:+KAFKA_GROUP_ID="$group"} "$@" bun --no-warnings "$main" &
  pids+=($!)
}

export AUTH_PORT="${AUTH_PORT:-3001}"
export AUTH_ISSUER="${AUTH_ISSUER:-http://127.0.0.1:${AUTH_PORT}}"
export JWKS_URL="${JWKS_URL:-http://127.0.0.1:${AUTH_PORT}/.well-known/jwks.json}"
TICKETS_PORT="${TICKETS_PORT:-3002}"
ASSIGNMENT_PORT="${ASSIGNMENT_PORT:-3003}"
REALTIME_PORT="${REALTIME_PORT:-3005}"
NOTIFICATIONS_PORT="${NOTIFICATIONS_PORT:-3004}"
WEB_PORT="${WEB_PORT:-3006}"
# The hub reads projects' event logs with a service credential of its own: a client secret made
# for this run (auth keeps only its hash), unless one is given.
REALTIME_CLIENT_SECRET="${REALTIME_CLIENT_SECRET:-sbs_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')}"
REALTIME_CLIENT_HASH="$(printf %s "$REALTIME_CLIENT_SECRET" | sha256sum | cut -d' ' -f1)"

service "$AUTH_PORT" "${AUTH_DATABASE_URL:-}" "" services/auth/src/main.ts \
  PUBLIC_URL="${AUTH_PUBLIC_URL:-http://127.0.0.1:${AUTH_PORT}}" AUTH_DEV_LOGIN="${AUTH_DEV_LOGIN:-1}" \
  APP_URL="${APP_URL:-http://127.0.0.1:${WEB_PORT}/}" \
  SERVICE_CLIENTS="${SERVICE_CLIENTS:+$SERVICE_CLIENTS,}realtime:${REALTIME_CLIENT_HASH}"
# The others fetch the JWKS from auth on their first request; wait so the first one is quick.
wait_until 10 port_open "$AUTH_PORT" || true
log "auth on http://127.0.0.1:${AUTH_PORT} (token: curl -s -XPOST localhost:${AUTH_PORT}/auth/dev/login -H 'content-type: application/json' -d '{\"email\":\"you@example.com\"}')"

service "$TICKETS_PORT" "${TICKETS_DATABASE_URL:-}" "${TICKETS_KAFKA_GROUP_ID:-}" services/tickets/src/main.ts
log "tickets on http://127.0.0.1:${TICKETS_PORT} (health: /health, API document: /openapi)"

service "$ASSIGNMENT_PORT" "${ASSIGNMENT_DATABASE_URL:-}" "${ASSIGNMENT_KAFKA_GROUP_ID:-}" services/assignment/src/main.ts
log "assignment on http://127.0.0.1:${ASSIGNMENT_PORT} (health: /health, API document: /openapi)"

# Mail goes to a local catch-all unless SMTP_URL names a real server: read it at :8025.
if [ -z "${SMTP_URL:-}" ]; then
  export MAIL_SINK_SMTP_PORT="${MAIL_SINK_SMTP_PORT:-2525}" MAIL_SINK_HTTP_PORT="${MAIL_SINK_HTTP_PORT:-8025}"
  export SMTP_URL="smtp://127.0.0.1:${MAIL_SINK_SMTP_PORT}"
  bun --no-warnings services/notifications/src/dev/mailSink.ts & pids+=($!)
  log "mail sink: SMTP 127.0.0.1:${MAIL_SINK_SMTP_PORT}, received mails at http://127.0.0.1:${MAIL_SINK_HTTP_PORT}/"
fi
service "$NOTIFICATIONS_PORT" "${NOTIFICATIONS_DATABASE_URL:-}" "${NOTIFICATIONS_KAFKA_GROUP_ID:-}" services/notifications/src/main.ts \
  PUBLIC_URL="${NOTIFICATIONS_PUBLIC_URL:-http://127.0.0.1:${NOTIFICATIONS_PORT}}" APP_URL="${APP_URL:-http://127.0.0.1:${WEB_PORT}/}"
log "notifications on http://127.0.0.1:${NOTIFICATIONS_PORT} (health: /health, API document: /openapi)"

service "$REALTIME_PORT" "" "${REALTIME_KAFKA_GROUP_ID:-}" services/realtime/src/main.ts \
  TICKETS_URL="http://127.0.0.1:${TICKETS_PORT}" AUTH_URL="http://127.0.0.1:${AUTH_PORT}" \
  SERVICE_CLIENT_ID=realtime SERVICE_CLIENT_SECRET="$REALTIME_CLIENT_SECRET"
log "realtime hub on ws://127.0.0.1:${REALTIME_PORT}/ws (health: /health)"

service "$WEB_PORT" "" "" services/web/src/main.ts \
  AUTH_URL="http://127.0.0.1:${AUTH_PORT}" TICKETS_URL="http://127.0.0.1:${TICKETS_PORT}" ASSIGNMENT_URL="http://127.0.0.1:${ASSIGNMENT_PORT}" \
  NOTIFICATIONS_URL="http://127.0.0.1:${NOTIFICATIONS_PORT}" REALTIME_URL="http://127.0.0.1:${REALTIME_PORT}"
log "the board: open http://127.0.0.1:${WEB_PORT}/ and sign in with the development login (any email)"
wait -n "${pids[@]}"
