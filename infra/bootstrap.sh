#!/usr/bin/env bash
# infra/bootstrap.sh — install what a fresh machine lacks to build, run and test
# SyncroBoard. Safe to call repeatedly; fast when nothing is missing.
#
# Usage: infra/bootstrap.sh [--no-kafka-jars] [--no-browser]
#   1. The system packages (infra/install.sh): PostgreSQL, Redis, Java 17+ and Maven (Kafka), npm
#      when Bun is missing; apt-get as root, else it says what to install and this stops.
#   2. Bun at exactly the version of package.json "packageManager" (bun@X):
#      `npm i -g bun@X` when bun is missing or `bun --version` differs.
#   3. `bun install --frozen-lockfile` at the repo root.
#   4. The Kafka jars resolved into the cache (infra/kafka/kafka.sh fetch) unless --no-kafka-jars.
#   5. Debian's Chromium at /usr/bin/chromium for the browser tests (apt-get, never a
#      downloaded browser); playwright-core drives it. Skipped with --no-browser (start.sh:
#      running the system needs no browser).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FETCH_KAFKA=1
BROWSER=1
on_arg() {
  case "$1" in
    --no-kafka-jars) FETCH_KAFKA=0 ;;
    --no-browser) BROWSER=0 ;;
    *) return 1 ;;
  esac
}
parse_args "$@"

# --------------------------------------------------------- system packages --
bash "$ROOT/infra/install.sh"

# -------------------------------------------------------------------- Bun --
BUN_VERSION="$(pinned_bun_version)"
[ -n "$BUN_VERSION" ] || die "package.json has no \"packageManager\": \"bun@X.Y.Z\""
current="$(bun --version 2>/dev/null || true)"
if [ "$current" = "$BUN_VERSION" ]; then
  log "bun $BUN_VERSION: present ($(command -v bun))"
else
  command -v npm >/dev/null || die "bun $BUN_VERSION is needed and npm is missing to install it (apt-get install npm)"
  log "bun: have '${current:-none}', need $BUN_VERSION: npm i -g bun@$BUN_VERSION"
  npm i -g --no-fund --no-audit "bun@$BUN_VERSION" >&2
  hash -r
  current="$(bun --version 2>/dev/null || true)"
  if [ "$current" != "$BUN_VERSION" ]; then
    npm_bin="$(npm prefix -g)/bin"
    die "bun on PATH is '${current:-none}' ($(command -v bun || echo missing)) after installing $BUN_VERSION into $npm_bin: put $npm_bin first on PATH"
  fi
  log "bun $BUN_VERSION: installed ($(command -v bun))"
fi

log "bun install --frozen-lockfile"
(cd "$ROOT" && bun install --frozen-lockfile) >&2

# -------------------------------------------------------------- Kafka jars --
if [ "$FETCH_KAFKA" = 1 ]; then
  log "kafka jars: $(bash "$ROOT/infra/kafka/kafka.sh" fetch)"
fi
# --------------------------------------------------------------- Chromium --
if [ "$BROWSER" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  command -v apt-get >/dev/null || die "/usr/bin/chromium is missing and apt-get is not available: install Debian's chromium package"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  log "chromium: missing: apt-get install chromium (Debian's build; the browser tests drive it with playwright-core)"
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >&2; then
    $sudo apt-get update -q >&2 && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >&2 \
      || die "could not install chromium (apt-get install chromium)"
  fi
fi
[ "$BROWSER" = 0 ] || log "chromium: present ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
log "bootstrap done"
