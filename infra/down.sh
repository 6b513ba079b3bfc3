#!/usr/bin/env bash
# infra/down.sh — stop what infra/up.sh started for SyncroBoard: the local Kafka
# broker (infra/kafka/kafka.sh stop; KAFKA_DATA_DIR/SYNCRO_DATA select which).
# Postgres and Redis belong to the machine and are left running. Data is kept;
# delete the data dir (default ~/.local/share/syncroboard/kafka) for a clean slate.
#
# Usage: infra/down.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# No arguments: --help prints the above; anything else is refused before Kafka is touched.
parse_args "$@"

log "stopping kafka"
bash "$ROOT/infra/kafka/kafka.sh" stop
log "down (postgres and redis left running: they belong to the machine)"
