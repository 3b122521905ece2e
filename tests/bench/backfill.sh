#!/bin/sh
# NAME
#   tests/bench/backfill.sh - how long storage's one-time backfill of the
#   people and shown counts takes (the upgrade from a storage without them)
#
# SYNOPSIS
#   tests/bench/backfill.sh [IDEAS [PORT [RUNS]]]
#
# DESCRIPTION
#   Starts a throwaway redis-server as `make run` does (AOF, appendfsync
#   always) on 127.0.0.1:PORT [22990] in a temporary folder, stores IDEAS
#   [100000] ideas with $INSPRAAK_BIN/bench-load [bin/] (a third of them
#   hidden), then RUNS [3] times: deletes the keys of both counts (what a
#   Redis written by an older storage holds) and runs `bench-load URL 0`,
#   which begins the counts and runs backfill steps until both are done,
#   as storage does before and between messages (store_counts.h), and
#   prints the time it took. Needs redis-server and redis-cli.
set -eu
cd "$(dirname "$0")/../.." || exit 1
IDEAS=${1:-100000}
PORT=${2:-22990}
RUNS=${3:-3}
BIN=${INSPRAAK_BIN:-bin}
DIR=$(mktemp -d /tmp/inspraak-bench-backfill-XXXXXX)
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$DIR" --appendonly yes \
    --appendfsync always --save '' --daemonize yes --logfile "$DIR/redis.log" \
    --pidfile "$DIR/redis.pid"
trap 'redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
until redis-cli -p "$PORT" ping >/dev/null 2>&1; do sleep 0.1; done
URL="redis://127.0.0.1:$PORT"
"$BIN/bench-load" "$URL" "$IDEAS" >/dev/null
run=1
while [ "$run" -le "$RUNS" ]; do
    # shellcheck disable=SC2046 # the key names hold no spaces
    redis-cli -p "$PORT" del inspraak:people:pids inspraak:people:counts \
        $(redis-cli -p "$PORT" --scan --pattern 'inspraak:shown*') >/dev/null
    printf 'backfill of %s ideas, run %s: ' "$IDEAS" "$run"
    "$BIN/bench-load" "$URL" 0 2>/dev/null | sed 's/^loaded 0 ideas in \([0-9.]* s\).*/\1/'
    run=$((run + 1))
done
