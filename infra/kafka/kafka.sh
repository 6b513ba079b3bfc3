#!/usr/bin/env bash
# infra/kafka/kafka.sh — a real single-node Apache Kafka broker (KRaft, combined
# broker+controller, node.id 1) for dev, tests and CI. No Docker: the jars come
# from Maven Central via infra/kafka/pom.xml (Kafka version pinned there).
#
# Usage: infra/kafka/kafka.sh [options] start|stop|status|restart|fetch|help
#   start    resolve jars if needed, format storage on first use, launch the JVM
#            detached, wait until the broker answers a Metadata request with a
#            live (unfenced) broker, print the bootstrap address (stdout, last
#            line). Already running -> prints the address, exit 0. Fails (exit 1)
#            with the log tail and kills the JVM if not ready within the timeout.
#   stop     SIGTERM, wait for a clean exit (SIGKILL after the stop timeout),
#            remove the pid file. Not running -> exit 0.
#   status   exit 0 and print "running pid=… bootstrap=…" if the JVM is alive and
#            answers; exit 3 if not running; exit 1 if alive but not answering.
#   restart  stop, then start.
#   fetch    only resolve the jars into the cache (for warming CI/bootstrap).
#
# Options (flag or env var; flags win):
#   --port N              KAFKA_PORT              client listener port      [9092]
#   --controller-port N   KAFKA_CONTROLLER_PORT   KRaft controller port     [9093]
#   --data-dir DIR        KAFKA_DATA_DIR          broker home: config, log segments,
#                                                 logs/, kafka.pid
#                                    [${SYNCRO_DATA:-$HOME/.local/share/syncroboard}/kafka]
#   --heap SIZE           KAFKA_HEAP              -Xmx for the JVM          [384m]
#   --timeout SECS        KAFKA_START_TIMEOUT     start readiness timeout   [90]
#                         KAFKA_STOP_TIMEOUT      seconds before SIGKILL    [30]
#                         SYNCRO_CACHE            jar cache root [$HOME/.cache/syncroboard]
#                         KAFKA_MVN_ARGS          extra args for mvn (e.g. -o)
#                         JAVA                    java binary [$JAVA_HOME/bin/java or java]
#                         KAFKA_JVM_OPTS          extra JVM flags, appended last (they win;
#                                                 e.g. -XX:TieredStopAtLevel=4 for full C2 JIT)
#                         KAFKA_CDS=0             no AppCDS class-data archive (see cds_setup)
#   Listeners bind 127.0.0.1 only. The jars live OUTSIDE the repo in
#   $SYNCRO_CACHE/kafka-<version>/libs and are re-resolved only when missing or
#   when pom.xml changed (a sha256 of the pom is stored beside them).
#   Data dir layout: server.properties, log4j2.properties (both rewritten on every
#   start), cluster.id, kafka.pid, data/ (log.dirs, KRaft metadata), logs/server.log
#   (log4j2, INFO, rolling; nothing goes to the console), logs/kafka.out (JVM
#   stdout/stderr: crashes only).
#   A second throwaway broker: give it other ports and its own data dir, e.g.
#     infra/kafka/kafka.sh --port 19092 --controller-port 19093 --data-dir /tmp/k2 start
#
# Measured on the 2-core dev/CI machine (Java 17, Kafka 4.1.1, heap 384m, wall time
# of `kafka.sh start` until the broker serves metadata):
#   cold start: 9.1 s — empty Maven repo (plugin + 46 jars, 43 MB, from Maven
#               Central), storage format, first JVM start
#   warm start: 1.3-2.0 s — jars cached, AppCDS archive present (2.1-2.5 s without:
#               KAFKA_CDS=0, or the first start after a new jar set)
#   start after kill -9: ~4.3 s (waits out broker.session.timeout.ms=3000)
#   stop: 1.5-2.1 s clean SIGTERM (the first one ~4.5 s: it writes the CDS archive)
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$SCRIPT_DIR/../lib.sh"
LOG_TAG=kafka
POM="$SCRIPT_DIR/pom.xml"

PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
DATA_DIR="${KAFKA_DATA_DIR:-${SYNCRO_DATA:-$HOME/.local/share/syncroboard}/kafka}"
HEAP="${KAFKA_HEAP:-384m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
CMD=""

while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="${2:?--port needs a value}"; shift 2 ;;
    --port=*) PORT="${1#*=}"; shift ;;
    --controller-port) CONTROLLER_PORT="${2:?--controller-port needs a value}"; shift 2 ;;
    --controller-port=*) CONTROLLER_PORT="${1#*=}"; shift ;;
    --data-dir) DATA_DIR="${2:?--data-dir needs a value}"; shift 2 ;;
    --data-dir=*) DATA_DIR="${1#*=}"; shift ;;
    --heap) HEAP="${2:?--heap needs a value}"; shift 2 ;;
    --heap=*) HEAP="${1#*=}"; shift ;;
    --timeout) START_TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
    --timeout=*) START_TIMEOUT="${1#*=}"; shift ;;
    -h|--help|help) usage; exit 0 ;;
    start|stop|status|restart|fetch)
      [ -z "$CMD" ] || die "only one command allowed (got '$CMD' and '$1')"
      CMD="$1"; shift ;;
    *) die "unknown argument: $1 (see: $0 help)" ;;
  esac
done
[ -n "$CMD" ] || { usage >&2; exit 2; }
case "$PORT$CONTROLLER_PORT" in *[!0-9]*) die "ports must be numbers" ;; esac
[ "$PORT" != "$CONTROLLER_PORT" ] || die "client and controller port must differ"
DATA_DIR="$(realpath -m "$DATA_DIR")"

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
[ -n "$KAFKA_VERSION" ] || die "cannot read <kafka.version> from $POM"
CACHE_ROOT="${SYNCRO_CACHE:-$HOME/.cache/syncroboard}"
KAFKA_HOME="$CACHE_ROOT/kafka-$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"
PID_FILE="$DATA_DIR/kafka.pid"
LOG_DIR="$DATA_DIR/logs"
CONFIG="$DATA_DIR/server.properties"
LOG4J_CONFIG="$DATA_DIR/log4j2.properties"
if [ -n "${JAVA:-}" ]; then :; elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
BOOTSTRAP="127.0.0.1:$PORT"

# ---------------------------------------------------------------- jars ------
pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

libs_ready() {
  [ -f "$KAFKA_HOME/.pom.sha256" ] && [ "$(cat "$KAFKA_HOME/.pom.sha256")" = "$(pom_hash)" ] \
    && compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null
}

ensure_libs() {
  libs_ready && return 0
  command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven) — see infra/bootstrap.sh"
  mkdir -p "$KAFKA_HOME"
  # Serialize concurrent resolutions (e.g. up.sh and a test starting a broker).
  exec 8>"$KAFKA_HOME/.resolve.lock"
  flock 8
  if ! libs_ready; then
    log "resolving Kafka $KAFKA_VERSION jars from Maven Central into $LIBS ..."
    local tmp="$KAFKA_HOME/libs.tmp.$$"
    rm -rf "$tmp"
    # shellcheck disable=SC2086
    if ! mvn -q -B -Dstyle.color=never ${KAFKA_MVN_ARGS:-} -f "$POM" \
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
        >"$KAFKA_HOME/mvn.log" 2>&1; then
      tail -n 60 "$KAFKA_HOME/mvn.log" >&2
      rm -rf "$tmp"; die "Maven could not resolve the Kafka jars (full log: $KAFKA_HOME/mvn.log)"
    fi
    rm -rf "$LIBS" "$KAFKA_HOME"/kafka-*.jsa
    mv "$tmp" "$LIBS"
    pom_hash >"$KAFKA_HOME/.pom.sha256"
    log "$(ls "$LIBS" | wc -l) jars in $LIBS"
  fi
  flock -u 8
  exec 8>&-
}

# ---------------------------------------------------------------- process ---
# Prints the pid if the pid file names a live Kafka JVM for THIS data dir.
running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  case "$pid" in ''|*[!0-9]*) return 1 ;; esac
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "kafka.Kafka $CONFIG" || return 1
  echo "$pid"
}

# Sends a Metadata v4 request (no topics) and succeeds if the answer lists at
# least one live broker: in KRaft the metadata cache only lists unfenced
# brokers, so this means "registered, caught up and able to create topics".
metadata_ready() {
  local bytes
  # size=27 | api_key=3 api_version=4 correlation_id=1 client_id="syncro-ready" | topics=[] allow_auto_create=false
  bytes="$(
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" 2>/dev/null || exit 1
    printf '\x00\x00\x00\x1b\x00\x03\x00\x04\x00\x00\x00\x01\x00\x0csyncro-ready\x00\x00\x00\x00\x00' >&3
    # size(4) correlation_id(4) throttle_time_ms(4) brokers.length(4)
    timeout 3 head -c 16 <&3 | od -An -v -tu1
  )" 2>/dev/null || return 1
  # shellcheck disable=SC2086
  set -- $bytes
  [ $# -eq 16 ] || return 1
  [ "$5$6$7$8" = "0001" ] || return 1                      # our correlation id
  local brokers=$(( (${13} << 24) | (${14} << 16) | (${15} << 8) | ${16} ))
  [ "$brokers" -ge 1 ] && [ "$brokers" -lt 1000 ]
}

log_tail() {
  local f
  for f in "$LOG_DIR/kafka.out" "$LOG_DIR/server.log"; do
    [ -s "$f" ] || continue
    echo "----- tail -n 40 $f -----" >&2
    tail -n 40 "$f" >&2
  done
}

write_config() {
  mkdir -p "$DATA_DIR/data" "$LOG_DIR"
  cat >"$CONFIG" <<EOF
# Generated by infra/kafka/kafka.sh on every start: edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR/data

# single node: replication factor 1 everywhere
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# topics come from redpanda/topics.conf (shared/kit/src/bus/topics.ts), never implicitly
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=1
group.initial.rebalance.delay.ms=0

# small machine
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.segment.bytes=134217728
log.retention.check.interval.ms=300000
broker.heartbeat.interval.ms=500
# a broker killed without a clean shutdown keeps its registration until this expires:
# short, so a restart after a crash (kill -9, CI teardown) is not held up for long
broker.session.timeout.ms=3000
EOF
  cat >"$LOG4J_CONFIG" <<EOF
# Generated by infra/kafka/kafka.sh: broker logs go to files only.
status = warn
name = syncro-kafka
shutdownHook = disable
appender.server.type = RollingFile
appender.server.name = server
appender.server.fileName = $LOG_DIR/server.log
appender.server.filePattern = $LOG_DIR/server.log.%i
appender.server.layout.type = PatternLayout
appender.server.layout.pattern = [%d] %p %m (%c)%n
appender.server.policies.type = Policies
appender.server.policies.size.type = SizeBasedTriggeringPolicy
appender.server.policies.size.size = 10MB
appender.server.strategy.type = DefaultRolloverStrategy
appender.server.strategy.max = 3
rootLogger.level = info
rootLogger.appenderRef.server.ref = server
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.statechange.name = state.change.logger
logger.statechange.level = warn
logger.cleaner.name = kafka.log.LogCleaner
logger.cleaner.level = warn
logger.kafkaconfig.name = org.apache.kafka.common.config.AbstractConfig
logger.kafkaconfig.level = warn
EOF
}

format_storage() {
  [ -f "$DATA_DIR/data/meta.properties" ] && return 0
  local cluster_id
  if [ -s "$DATA_DIR/cluster.id" ]; then
    cluster_id="$(cat "$DATA_DIR/cluster.id")"
  else
    # A Kafka Uuid is 16 random bytes, base64url without padding (22 chars).
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    echo "$cluster_id" >"$DATA_DIR/cluster.id"
  fi
  log "formatting storage in $DATA_DIR/data (cluster id $cluster_id)"
  "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" -cp "$LIBS/*" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" --ignore-formatted \
    >"$LOG_DIR/format.out" 2>&1 || { cat "$LOG_DIR/format.out" >&2; die "storage format failed"; }
}

do_start() {
  local pid
  if pid="$(running_pid)"; then
    if metadata_ready || wait_ready "$pid"; then
      log "already running (pid $pid)"
      echo "$BOOTSTRAP"
      return 0
    fi
    die "pid $pid is alive but the broker on $BOOTSTRAP does not answer (try: $0 --data-dir $DATA_DIR restart)"
  fi
  rm -f "$PID_FILE"
  command -v "$JAVA" >/dev/null || die "java not found: install Java 17+ (apt-get install openjdk-17-jre-headless)"
  port_open "$PORT" && die "port $PORT is already in use by another process"
  port_open "$CONTROLLER_PORT" && die "controller port $CONTROLLER_PORT is already in use by another process"
  ensure_libs
  write_config
  format_storage

  local cds_opts=()
  cds_setup
  local t0=$SECONDS
  log "starting Kafka $KAFKA_VERSION on $BOOTSTRAP (controller 127.0.0.1:$CONTROLLER_PORT, data $DATA_DIR, heap $HEAP)"
  : >"$LOG_DIR/kafka.out"
  # setsid: own session, so the broker survives the caller's terminal/process group.
  nohup setsid "$JAVA" \
    -Xmx"$HEAP" -Xms64m -Xss512k \
    -XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError \
    -XX:TieredStopAtLevel=1 \
    "${cds_opts[@]}" \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$LOG_DIR" \
    ${KAFKA_JVM_OPTS:-} \
    -cp "$LIBS/*" kafka.Kafka "$CONFIG" \
    >>"$LOG_DIR/kafka.out" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
  if ! wait_ready "$pid"; then
    log "broker did not become ready within ${START_TIMEOUT}s"
    log_tail
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$PID_FILE"
    exit 1
  fi
  log "ready in $((SECONDS - t0))s (pid $pid)"
  echo "$BOOTSTRAP"
}

# AppCDS: the first run of a JDK + jar set dumps the classes it loaded into a
# dynamic archive at JVM exit (costs ~3 s once, on that stop); later starts map it
# (warm start ~2.1 s -> ~1.3 s). The dump goes to a per-data-dir temp file that
# do_stop moves into place only after a clean exit. KAFKA_CDS=0 turns it off.
cds_archive() {
  local java_bin key
  java_bin="$(readlink -f "$(command -v "$JAVA")")"
  key="$( { echo "$java_bin"; stat -c '%s %Y' "$java_bin"; ls -l "$LIBS"; } | sha256sum | cut -c1-12)"
  echo "$KAFKA_HOME/kafka-$key.jsa"
}
cds_setup() {
  [ "${KAFKA_CDS:-1}" != 0 ] || return 0
  local archive
  archive="$(cds_archive)"
  rm -f "$DATA_DIR/kafka.jsa.tmp"
  if [ -s "$archive" ]; then
    cds_opts=(-XX:SharedArchiveFile="$archive")
  else
    cds_opts=(-XX:ArchiveClassesAtExit="$DATA_DIR/kafka.jsa.tmp" '-Xlog:cds*=error')
  fi
}

# Waits until the broker answers or the JVM dies or START_TIMEOUT passes.
wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "the Kafka JVM (pid $pid) exited during startup"
      return 1
    fi
    if port_open "$PORT" && metadata_ready; then return 0; fi
    sleep 0.2
  done
  return 1
}

do_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running ($DATA_DIR)"
    return 0
  fi
  log "stopping pid $pid (SIGTERM, up to ${STOP_TIMEOUT}s)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT)) t0=$SECONDS
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid still alive after ${STOP_TIMEOUT}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    rm -f "$DATA_DIR/kafka.jsa.tmp"
  else
    log "stopped in $((SECONDS - t0))s"
    if [ -s "$DATA_DIR/kafka.jsa.tmp" ]; then
      mv -f "$DATA_DIR/kafka.jsa.tmp" "$(cds_archive)" && log "saved class-data archive for faster starts"
    fi
  fi
  rm -f "$PID_FILE"
}

do_status() {
  local pid
  if ! pid="$(running_pid)"; then
    echo "not running ($DATA_DIR)"
    return 3
  fi
  if metadata_ready; then
    echo "running pid=$pid bootstrap=$BOOTSTRAP data=$DATA_DIR"
    return 0
  fi
  echo "starting-or-unhealthy pid=$pid bootstrap=$BOOTSTRAP data=$DATA_DIR"
  return 1
}

# Start/stop of one data dir are serialized (fd 9); fetch takes only the jar lock.
case "$CMD" in
  fetch) ensure_libs; echo "$LIBS" ;;
  status) do_status ;;
  stop) [ -d "$DATA_DIR" ] || { log "not running ($DATA_DIR does not exist)"; exit 0; } ;;&
  start|stop|restart)
    mkdir -p "$DATA_DIR"
    exec 9>"$DATA_DIR/.kafka.sh.lock"
    flock 9
    case "$CMD" in
      start) do_start ;;
      stop) do_stop ;;
      restart) do_stop; do_start ;;
    esac
    ;;
esac
