#!/usr/bin/env bash
# infra/up.sh — make sure everything SyncroBoard needs locally is up. Safe to call
# repeatedly (each step is a no-op when already done); used by dev, tests and CI.
#
# Usage: infra/up.sh [--no-kafka]
#   1. Postgres on 127.0.0.1:5432 (user postgres, trust): if pg_isready fails and a
#      Debian cluster "main" is installed, start it with pg_ctlcluster; wait. Then check that
#      postgres signs in over TCP without a password (else: what to add to pg_hba.conf).
#   2. Redis on 127.0.0.1:6379: if PING fails, start redis-server (no persistence); wait.
#   3. Databases syncro_ticket_db, syncro_auth_db, syncro_assign_db, syncro_notify_db.
#   4. Kafka via infra/kafka/kafka.sh start (KAFKA_PORT, KAFKA_CONTROLLER_PORT,
#      KAFKA_DATA_DIR, KAFKA_HEAP, SYNCRO_CACHE, SYNCRO_DATA are passed through).
#   5. Topics of redpanda/topics.conf via `bun shared/kit/src/bus/topics.cli.ts`.
#   --no-kafka  skip 4 and 5.
# Prints the connection settings at the end. Postgres and Redis belong to the
# machine: infra/down.sh stops only Kafka.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DATABASES=(syncro_ticket_db syncro_auth_db syncro_assign_db syncro_notify_db)
WITH_KAFKA=1
on_arg() { [ "$1" = --no-kafka ] && WITH_KAFKA=0; }
parse_args "$@"

# ---------------------------------------------------------------- Postgres --
need pg_isready "install the PostgreSQL client (bash infra/install.sh, or apt-get install postgresql)"
need psql "install the PostgreSQL client (bash infra/install.sh, or apt-get install postgresql)"
if pg_isready -h 127.0.0.1 -p 5432 -q; then
  log "postgres: up on 127.0.0.1:5432"
else
  if [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ] && command -v pg_ctlcluster >/dev/null; then
    PG_VERSION="$(ls /etc/postgresql | sort -V | tail -n1)"
    log "postgres: not answering, starting cluster $PG_VERSION/main"
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start \
      || pg_isready -h 127.0.0.1 -p 5432 -q \
      || die "pg_ctlcluster $PG_VERSION main start failed"
    wait_for 30 "postgres" pg_isready -h 127.0.0.1 -p 5432 -q
    log "postgres: started"
  else
    die "postgres is not answering on 127.0.0.1:5432 and no Debian cluster is installed (bash infra/install.sh, or apt-get install postgresql)"
  fi
fi
# Every script and service connects as postgres@127.0.0.1 with no password; Debian's default
# pg_hba.conf asks one over TCP (scram-sha-256). infra/install.sh trusts a cluster it installs;
# one that was already there is changed only when asked.
if ! pg_login="$(psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -w -tAc 'select 1' 2>&1)"; then
  log "postgres: cannot sign in as postgres over 127.0.0.1 without a password: $pg_login"
  die "put these lines first in the cluster's pg_hba.conf and reload it (as root: bash infra/install.sh --pg-trust does both):
  host all postgres 127.0.0.1/32 trust
  host all postgres ::1/128 trust"
fi

# ------------------------------------------------------------------ Redis --
need redis-cli "install Redis (bash infra/install.sh, or apt-get install redis-server)"
if [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null || true)" = PONG ]; then
  log "redis: up on 127.0.0.1:6379"
else
  need redis-server "install Redis (bash infra/install.sh, or apt-get install redis-server)"
  log "redis: not answering, starting redis-server"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
  wait_for 20 "redis" redis_up
  log "redis: started"
fi

# -------------------------------------------------------------- databases --
for db in "${DATABASES[@]}"; do
  exists="$(psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")"
  if [ "$exists" = 1 ]; then
    log "database $db: exists"
  elif psql -h 127.0.0.1 -U postgres -d postgres -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db\"" 2>/tmp/syncro-createdb.$$; then
    log "database $db: created"
  elif grep -q "already exists" /tmp/syncro-createdb.$$; then
    log "database $db: exists (created concurrently)"
  else
    cat /tmp/syncro-createdb.$$ >&2; rm -f /tmp/syncro-createdb.$$
    die "could not create database $db"
  fi
  rm -f /tmp/syncro-createdb.$$
done

# ------------------------------------------------------------------ Kafka --
KAFKA_BOOTSTRAP=""
if [ "$WITH_KAFKA" = 1 ]; then
  KAFKA_BOOTSTRAP="$(bash "$ROOT/infra/kafka/kafka.sh" start | tail -n1)"
  log "kafka: up on $KAFKA_BOOTSTRAP"
  need bun "run infra/bootstrap.sh first"
  # --no-warnings: kafkajs 2.2.4 schedules negative timeouts, which Bun reports as warnings.
  KAFKA_BROKERS="$KAFKA_BOOTSTRAP" bun --no-warnings "$ROOT/shared/kit/src/bus/topics.cli.ts" >&2 \
    || die "applying redpanda/topics.conf failed"
fi

log "ready:"
log "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/<syncro_ticket_db|syncro_auth_db|syncro_assign_db|syncro_notify_db>"
log "  REDIS_URL=redis://127.0.0.1:6379"
[ -z "$KAFKA_BOOTSTRAP" ] || log "  KAFKA_BROKERS=$KAFKA_BOOTSTRAP"
