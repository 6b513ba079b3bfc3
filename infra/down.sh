#!/usr/bin/env bash
# infra/down.sh — stop what infra/up.sh started for SyncroBoard: the local Kafka
# broker (infra/kafka/kafka.sh stop; KAFKA_DATA_DIR/SYNCRO_DATA select which).
# Postgres and Redis belong to the machine and are left running. Data is kept;
# delete the data dir (default ~/.local/share/syncroboard/kafka) for a clean slate.
#
# Usage: infra/down.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
echo "[infra] stopping kafka" >&2
bash "$ROOT/infra/kafka/kafka.sh" stop
echo "[infra] down (postgres and redis left running: they belong to the machine)" >&2
