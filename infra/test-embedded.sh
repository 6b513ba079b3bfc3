#!/usr/bin/env bash
# infra/test-embedded.sh — the embedded profile: a representative part of the suites run again on a
# fresh embedded Postgres (the binary's default database, shared/kit/src/db/embedded-postgres.ts)
# instead of the machine's. The test helpers create their databases from PG_ADMIN_URL, which
# embedded-postgres.cli.ts points at that server; it counts the databases created there and fails
# when a suite below made none on it. Redis and Kafka stay the machine's (up.sh must have run).
# infra/test.sh runs this as its second phase and adds its counts; alone: bash infra/test-embedded.sh
# (extra arguments go to `bun test`).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG="test-embedded"
cd "$ROOT"

# The selection, and why each is in it. Together 49 tests, 82-86 s on the 2-core machine shared with
# other runs (load 11-14; 31-33 s of CPU), less than half of it in the tests themselves: the rest is
# starting the embedded server and the services and joining Kafka groups.
EMBEDDED_SUITES=(
  # The outbox relay: one leader per database by advisory lock, woken by LISTEN/NOTIFY, claiming
  # rows with FOR UPDATE SKIP LOCKED (its watchdog cases); three processes migrating at once.
  shared/kit/src/outbox/relay.test.ts
  # The Postgres bus (the binary's bus): the adapter suite Kafka passes, partitions held by
  # advisory locks, LISTEN/NOTIFY wake-ups, a database restart.
  shared/kit/src/bus/pgBus.test.ts
  # A service backbone on the Postgres bus, as the binary wires it: its relay publishes there.
  shared/kit/src/service/backbone.injected.test.ts
  # A migration over the rows an older release left (Ticket Service priorities).
  services/tickets/src/db/priorityMigration.test.ts
  # Ticket Service (its migrations, projects, tickets) with outbound webhooks: the sender claims
  # due deliveries with SKIP LOCKED and retries them.
  services/tickets/src/webhooks/webhooks.outbound.test.ts
  # Auth Service: sign-in under a per-email advisory lock, refresh rotation and reuse detection.
  services/auth/src/sessions/sessions.test.ts
  # Auth's outbox to Kafka (user.updated), once per change.
  services/auth/src/users/userUpdated.test.ts
  # Assignment Service with the Ticket Service: both outboxes to Kafka, the consumers, the projection.
  services/assignment/src/loop.test.ts
  # Notification Service: fan-out workers claiming SKIP LOCKED batches (a failing event backed off
  # alone), the mail beside it sent through the SKIP LOCKED delivery sender.
  services/notifications/src/fanout/fanoutWorkers.test.ts
)
# The database name prefixes (shared/testing createTestDatabase) the suites above must have created
# on the embedded server: a helper that ignored PG_ADMIN_URL fails the phase.
EXPECTED_DATABASES=relay_test,pg_bus,backbone_injected_test,tickets_test,tickets_migration_test,auth_test,assign_test,notify_test

log "embedded profile: ${#EMBEDDED_SUITES[@]} test files on a fresh embedded Postgres"
# --no-warnings and --timeout: as in infra/test.sh.
LOG_LEVEL="${LOG_LEVEL:-error}" bun --no-warnings shared/kit/src/db/embedded-postgres.cli.ts --expect-databases "$EXPECTED_DATABASES" -- \
  bun --no-warnings test --timeout 30000 "$@" "${EMBEDDED_SUITES[@]}"
