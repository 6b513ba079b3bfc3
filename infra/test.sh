#!/usr/bin/env bash
# infra/test.sh — the one test command (CI runs exactly this through .ci/run): installs what is
# missing, brings up Postgres, Redis, Kafka and the topics, typechecks, runs every test against
# the real servers, then the database suites again on the embedded Postgres (infra/test-embedded.sh),
# and ends with "N passed, N failed" (both runs added up). Extra arguments go to the first `bun
# test` and skip the second (EMBEDDED_PROFILE=1 runs it anyway).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# No -e: a failing step is counted and reported, and the summary line must still be printed.
set +e
LOG_TAG="test"
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

passed=0 failed=0
logs=()
trap 'rm -f "${logs[@]}"' EXIT
# phase NAME COMMAND...: runs a `bun test` run (its output shown and kept) and adds its counts:
# bun's own "N pass" / "N fail" lines, the last of each.
phase() {
  local name="$1" out status p f; shift
  out="$(mktemp)"; logs+=("$out")
  "$@" 2>&1 | tee "$out"
  status=${PIPESTATUS[0]}
  p="$(grep -Eo '^[[:space:]]*[0-9]+ pass$' "$out" | tail -n1 | grep -Eo '[0-9]+' || echo 0)"
  f="$(grep -Eo '^[[:space:]]*[0-9]+ fail$' "$out" | tail -n1 | grep -Eo '[0-9]+' || echo 0)"
  # bun exits non-zero on errors outside tests too (an unhandled rejection), and the embedded profile
  # when a suite made no database on its server: count that as a failure.
  if [ "$status" -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
  if [ "$p" = 0 ] && [ "$f" = 0 ]; then f=1; log "$name: no test ran"; fi
  log "$name: $p pass, $f fail"
  passed=$((passed + p)) failed=$((failed + f))
}

# --no-warnings: kafkajs 2.2 schedules negative timeouts, which Bun reports on every run.
# --timeout: integration tests and their hooks talk to real Postgres/Redis/Kafka, on a 2-core
# machine under load; bunfig's [test] timeout is ignored by Bun (oven-sh/bun#7789).
phase "every test, on the machine's servers" env LOG_LEVEL="${LOG_LEVEL:-error}" bun --no-warnings test --timeout 30000 "$@"
# The suites that exercise the database again on the embedded Postgres (the binary's default):
# the selection and why is in infra/test-embedded.sh. Skipped when arguments pick the tests to run.
if [ $# -eq 0 ] || [ "${EMBEDDED_PROFILE:-0}" = 1 ]; then
  phase "embedded profile" bash infra/test-embedded.sh
fi
echo "${passed} passed, ${failed} failed"
[ "$failed" = 0 ]
