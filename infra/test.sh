#!/usr/bin/env bash
# infra/test.sh — the one test command (CI runs exactly this through .ci/run): installs what is
# missing, brings up Postgres, Redis, Kafka and the topics, typechecks, runs every test against
# the real servers, and ends with "N passed, N failed". Extra arguments go to `bun test`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# No -e: a failing step is counted and reported, and the summary line must still be printed.
set +e
LOG_TAG=test
cd "$ROOT"

bash infra/bootstrap.sh || exit 1
bash infra/up.sh || exit 1

log "typecheck (tsc --noEmit, strict)"
# The web app's TSX and DOM types have their own project (services/web/tsconfig.json).
if ! bunx tsc --noEmit -p tsconfig.json || ! bunx tsc --noEmit -p services/web/tsconfig.json; then
  log "typecheck failed"
  echo "0 passed, 1 failed"
  exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# --no-warnings: kafkajs 2.2 schedules negative timeouts, which Bun reports on every run.
# --timeout: integration tests and their hooks talk to real Postgres/Redis/Kafka, on a 2-core
# machine under load; bunfig's [test] timeout is ignored by Bun (oven-sh/bun#7789).
LOG_LEVEL="${LOG_LEVEL:-error}" bun --no-warnings test --timeout 30000 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed="$(grep -Eo '^[[:space:]]*[0-9]+ pass$' "$log" | tail -n1 | grep -Eo '[0-9]+' || echo 0)"
failed="$(grep -Eo '^[[:space:]]*[0-9]+ fail$' "$log" | tail -n1 | grep -Eo '[0-9]+' || echo 0)"
# bun exits non-zero on errors outside tests too (an unhandled rejection): count that as a failure.
if [ "$status" -ne 0 ] && [ "$failed" = 0 ]; then failed=1; fi
if [ "$passed" = 0 ] && [ "$failed" = 0 ]; then failed=1; log "no test ran"; fi
echo "${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" = 0 ]
