#!/bin/sh
# redpanda/apply-topics.sh — create the topics of redpanda/topics.conf with rpk.
# Used by the one-shot `topics` service in compose.yaml (runs inside the
# Redpanda image, which ships rpk). Idempotent: a topic that already exists
# counts as success (its settings are left alone).
#
# Usage: apply-topics.sh [TOPICS_CONF]     (default: topics.conf beside this script)
# Env:   RPK_BROKERS               broker list for rpk, e.g. redpanda:9092 (rpk reads it)
#        KAFKA_REPLICATION_FACTOR  replicas per topic [1]
#        RPK                       rpk binary [rpk]
#        APPLY_TOPICS_WAIT         seconds to wait for the cluster to answer [60]
#        APPLY_TOPICS_DRY_RUN=1    only print the rpk commands (no broker needed)
# POSIX sh only (no bash): the loop must run in any image.
set -eu

CONF="${1:-$(dirname "$0")/topics.conf}"
RPK="${RPK:-rpk}"
RF="${KAFKA_REPLICATION_FACTOR:-1}"
WAIT="${APPLY_TOPICS_WAIT:-60}"
DRY="${APPLY_TOPICS_DRY_RUN:-0}"

log() { echo "[topics] $*" >&2; }
[ -r "$CONF" ] || { log "ERROR: cannot read $CONF"; exit 1; }

if [ "$DRY" != 1 ]; then
  i=0
  until "$RPK" cluster info >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -ge "$WAIT" ]; then
      log "ERROR: cluster not reachable after ${WAIT}s (RPK_BROKERS=${RPK_BROKERS:-unset})"
      "$RPK" cluster info >&2 || true
      exit 1
    fi
    sleep 1
  done
fi

# Strip comments, then read "name partitions retention_ms cleanup_policy".
sed -e 's/#.*//' "$CONF" | while read -r name partitions retention policy extra; do
  [ -n "$name" ] || continue
  if [ -z "$policy" ] || [ -n "$extra" ]; then
    log "ERROR: bad line for '$name' in $CONF (want: name partitions retention_ms cleanup_policy)"
    exit 1
  fi
  if [ "$DRY" = 1 ]; then
    echo "$RPK topic create $name -p $partitions -r $RF -c retention.ms=$retention -c cleanup.policy=$policy"
    continue
  fi
  if out=$("$RPK" topic create "$name" -p "$partitions" -r "$RF" \
      -c "retention.ms=$retention" -c "cleanup.policy=$policy" 2>&1); then
    log "created $name (partitions=$partitions retention.ms=$retention cleanup.policy=$policy)"
  else
    case "$out" in
      *TOPIC_ALREADY_EXISTS*|*"already exists"*) log "exists  $name" ;;
      *) log "ERROR: creating $name failed:"; echo "$out" >&2; exit 1 ;;
    esac
  fi
done
# (the loop runs in a subshell: its exit 1 is the pipeline's status, so set -e stops here)
log "done: topics from $CONF applied"
