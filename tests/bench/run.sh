#!/bin/sh
# NAME
#   tests/bench/run.sh - the benchmarks of `make bench`
#
# SYNOPSIS
#   tests/bench/run.sh [--quick] [--only intake,drain,latency,field,classifier,dashboard,redis]
#
# DESCRIPTION
#   `make bench` builds the optimised binaries into bin/ first and then
#   calls this. It runs tests/bench/bench.py against $INSPRAAK_BIN [bin],
#   which starts its own Redis and services on loopback ports 22000-25999 (below the kernel's ephemeral range 32768-60999, so client sockets in TIME-WAIT do not fragment it)
#   and writes docs/benchmarks.md (see bench.py for what is measured).
#   --quick: 3 s per run and 10,000 ideas, for development (about 1 min).
#   Needs wrk and redis-benchmark (deploy/install-deps.sh test).
set -eu
cd "$(dirname "$0")/../.." || exit 1
INSPRAAK_BIN=${INSPRAAK_BIN:-bin}
case "$INSPRAAK_BIN" in /*) ;; *) INSPRAAK_BIN="$PWD/$INSPRAAK_BIN" ;; esac
export INSPRAAK_BIN PYTHONDONTWRITEBYTECODE=1
for tool in wrk redis-benchmark redis-server; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 1; }
done
for b in bench-baseline bench-durable bench-load bench-post classify supervisor storage classifier intake-form dashboard; do
    [ -x "$INSPRAAK_BIN/$b" ] || { echo "bench: $INSPRAAK_BIN/$b is not built" >&2; exit 1; }
done
exec python3 tests/bench/bench.py "$@"
