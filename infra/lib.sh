# shellcheck shell=bash
# infra/lib.sh — the preamble every infra script shares; sourced, never run:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Gives: strict mode (set -euo pipefail), ROOT (the checkout), LOG_TAG (the log prefix, "infra";
# a script sets its own after sourcing), log/die/need, usage (the calling script's header comment),
# parse_args (-h/--help and unknown arguments, the rest to the script's on_arg), wait_until/wait_for
# (poll a command), port_open (a loopback TCP port answers) and pinned_bun_version.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG_TAG=infra

log() { echo "[$LOG_TAG] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# need COMMAND HINT: die naming HINT when COMMAND is not on PATH.
need() { command -v "$1" >/dev/null || die "$1 not found: $2"; }

# The running script's help is its header: the comment lines after the shebang, up to the first code line.
usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }

# parse_args "$@": -h/--help prints usage and exits 0; every other argument goes to the script's
# on_arg ARG, which returns non-zero for an argument it does not know (exit 2, naming it).
parse_args() {
  local arg
  for arg in "$@"; do
    case "$arg" in -h|--help) usage; exit 0 ;; esac
    if ! declare -F on_arg >/dev/null || ! on_arg "$arg"; then
      echo "[$LOG_TAG] ERROR: unknown argument: $arg (see: $0 --help)" >&2
      exit 2
    fi
  done
}

# wait_until SECONDS COMMAND...: polls COMMAND (quietly, every 0.2 s) until it succeeds; 1 on timeout.
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

# wait_for SECONDS DESCRIPTION COMMAND...: wait_until, or die saying DESCRIPTION did not come up.
wait_for() {
  local secs="$1" what="$2"; shift 2
  wait_until "$secs" "$@" || die "$what did not come up within ${secs}s"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pinned_bun_version: X.Y.Z of package.json's "packageManager": "bun@X.Y.Z" (empty when there is none).
pinned_bun_version() {
  sed -n 's/.*"packageManager"[[:space:]]*:[[:space:]]*"bun@\([^"]*\)".*/\1/p' "$ROOT/package.json" | head -n1
}
