#!/usr/bin/env bash
# infra/install.sh — install the system packages SyncroBoard needs and this machine lacks (Debian or
# Ubuntu): PostgreSQL (server and client), Redis, a Java 17+ runtime and Maven (Kafka 4 and its jars,
# infra/kafka/kafka.sh), and npm only when Bun is not at the pinned version (bootstrap.sh installs Bun
# with it). Run first by infra/bootstrap.sh, so by the start and the test commands.
#
# Usage: infra/install.sh [--dry-run] [--pg-trust]
#   nothing missing        → says so, exit 0.
#   root, with apt-get     → apt-get update, then apt-get install -y --no-install-recommends <packages>.
#                            A PostgreSQL it installs gets pg_hba.conf lines that trust the user
#                            postgres over loopback TCP (see --pg-trust); infra/up.sh starts it
#                            (pg_ctlcluster) and Redis (redis-server --daemonize yes).
#   not root, or no apt-get → prints exactly what to install (the apt-get command line, to run as
#                            root) and exits 1.
#   --dry-run              print the apt-get command line (stdout) instead of running it, exit 0;
#                          or SYNCRO_INSTALL_DRY_RUN=1.
#   --pg-trust             (root) only add the trust lines to the newest Debian cluster's pg_hba.conf
#                          and reload it: the scripts and services connect as postgres@127.0.0.1
#                          without a password, and Debian's default asks one (scram-sha-256) over TCP.
#                          It lets every local user in as postgres: for a development or CI machine.
#   SYNCRO_INSTALL_PROBE_PATH  where to look for the tools instead of PATH (the tests hide some).
# Sourced (`source infra/install.sh`), it only defines its functions.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=install

PG_HBA_MARK="# SyncroBoard (infra/install.sh): its scripts and services connect as postgres over loopback TCP, no password"

# probe COMMAND: prints where COMMAND is on the probe path; fails when it is not there.
probe() { (PATH="${SYNCRO_INSTALL_PROBE_PATH:-$PATH}" && hash -r && command -v "$1") 2>/dev/null; }

# java_major JAVA: the major version of that Java (17), empty if it does not say.
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }

# java_package: the headless JRE to install: 17 (what Kafka is measured with here) where the package
# lists have it, else 21 (Debian 13 has no 17); without lists (before apt-get update), 17's name.
java_package() {
  local apt_cache p
  apt_cache="$(probe apt-cache || true)"
  for p in openjdk-17-jre-headless openjdk-21-jre-headless; do
    if [ -n "$apt_cache" ] && "$apt_cache" show --no-all-versions "$p" >/dev/null 2>&1; then echo "$p"; return; fi
  done
  echo openjdk-17-jre-headless
}

# plan: fills PKGS (the apt packages to install) and WHAT (what each one is, for a machine without
# apt-get) with what this machine lacks.
plan() {
  PKGS=() WHAT=()
  want() { PKGS+=("$1"); WHAT+=("$2"); }
  local isready cli java major="" bun pinned
  # PostgreSQL: psql and pg_isready (up.sh) and a server Debian's tools start (pg_ctlcluster, up.sh),
  # unless one already answers on 127.0.0.1:5432.
  isready="$(probe pg_isready || true)"
  if ! probe pg_ctlcluster >/dev/null && ! { [ -n "$isready" ] && "$isready" -h 127.0.0.1 -p 5432 -q; }; then
    want postgresql "PostgreSQL server and client (pg_ctlcluster, psql, pg_isready)"
  elif [ -z "$isready" ] || ! probe psql >/dev/null; then
    want postgresql-client "PostgreSQL client (psql, pg_isready)"
  fi
  # Redis: redis-cli (up.sh pings with it) and a server, unless one already answers on 127.0.0.1:6379.
  cli="$(probe redis-cli || true)"
  if ! probe redis-server >/dev/null && ! { [ -n "$cli" ] && [ "$("$cli" -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }; then
    want redis-server "Redis (redis-server, redis-cli)"
  elif [ -z "$cli" ]; then
    want redis-tools "Redis client (redis-cli)"
  fi
  # Kafka 4 runs on Java 17+; Maven resolves its jars (infra/kafka/pom.xml).
  java="$(probe java || true)"
  [ -z "$java" ] || major="$(java_major "$java")"
  if [ -z "$major" ] || [ "$major" -lt 17 ]; then want "$(java_package)" "Java 17 or newer (a headless JRE)"; fi
  probe mvn >/dev/null || want maven "Maven (mvn)"
  # npm only to install the pinned Bun (bootstrap.sh).
  pinned="$(pinned_bun_version)"
  bun="$(probe bun || true)"
  if { [ -z "$bun" ] || [ "$("$bun" --version 2>/dev/null)" != "$pinned" ]; } && ! probe npm >/dev/null; then
    want npm "npm (to install Bun $pinned)"
  fi
}

# pg_trust_loopback PG_HBA_CONF: puts the trust lines for user postgres over 127.0.0.1 and ::1 first
# (the first matching line wins), once; keeps the file's owner and mode.
pg_trust_loopback() {
  local file="$1" tmp
  grep -qxF "$PG_HBA_MARK" "$file" && return 0
  tmp="$(mktemp)"
  { printf '%s\n' "$PG_HBA_MARK" 'host all postgres 127.0.0.1/32 trust' 'host all postgres ::1/128 trust'; cat "$file"; } >"$tmp"
  cat "$tmp" >"$file"
  rm -f "$tmp"
}

# pg_newest_cluster: the version of the newest Debian cluster in /etc/postgresql (empty when none).
pg_newest_cluster() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n1; }

# pg_trust_cluster: pg_trust_loopback on the newest cluster "main", and a reload when it runs.
pg_trust_cluster() {
  local version
  version="$(pg_newest_cluster)"
  [ -n "$version" ] || die "no PostgreSQL cluster in /etc/postgresql"
  pg_trust_loopback "/etc/postgresql/$version/main/pg_hba.conf"
  log "postgres $version/main: user postgres trusted over 127.0.0.1 and ::1 (first lines of /etc/postgresql/$version/main/pg_hba.conf)"
  if pg_ctlcluster --skip-systemctl-redirect "$version" main status >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  fi
}

# setup_postgres: after apt-get installed it: a cluster "main" (postgresql-common makes one unless
# its createcluster.conf says not to) that trusts postgres over loopback TCP. infra/up.sh starts it.
setup_postgres() {
  if [ -z "$(pg_newest_cluster)" ]; then
    local version
    version="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
    log "postgres: no cluster yet: pg_createcluster $version main"
    pg_createcluster "$version" main >&2
  fi
  pg_trust_cluster
}

main() {
  local dry_run="${SYNCRO_INSTALL_DRY_RUN:-0}" trust_only=0
  on_arg() {
    case "$1" in
      --dry-run) dry_run=1 ;;
      --pg-trust) trust_only=1 ;;
      *) return 1 ;;
    esac
  }
  parse_args "$@"
  if [ "$trust_only" = 1 ]; then
    [ "$(id -u)" = 0 ] || die "--pg-trust edits pg_hba.conf: run it as root"
    pg_trust_cluster
    return
  fi

  plan
  if [ "${#PKGS[@]}" = 0 ]; then
    log "nothing to install: PostgreSQL, Redis, Java 17+, Maven and npm/Bun are present"
    return
  fi
  local i line="apt-get install -y --no-install-recommends ${PKGS[*]}"
  for i in "${!PKGS[@]}"; do log "missing: ${WHAT[$i]}"; done
  if ! probe apt-get >/dev/null; then
    log "ERROR: apt-get not found: install these with the system's package manager, then run this again:"
    for i in "${!WHAT[@]}"; do echo "  - ${WHAT[$i]}" >&2; done
    exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    log "ERROR: not running as root, so nothing is installed. As root (e.g. with sudo), run:"
    echo "  apt-get update && $line" >&2
    log "then run this again."
    exit 1
  fi
  if [ "$dry_run" = 1 ]; then
    log "dry run: would run apt-get update, then:"
    echo "$line"
    return
  fi
  log "apt-get update"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  plan # again: the Java package's name is read from the fresh package lists
  log "apt-get install -y --no-install-recommends ${PKGS[*]}"
  # Slim images drop /usr/share/man, and the JRE's postinst fails linking its man pages there.
  mkdir -p /usr/share/man/man1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${PKGS[@]}" >&2 \
    || die "apt-get install ${PKGS[*]} failed"
  if [[ " ${PKGS[*]} " == *" postgresql "* ]]; then setup_postgres; fi
  log "installed: ${PKGS[*]}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
