#!/bin/sh
# NAME
#   tests/run.sh - run the integration and fault suites (Python: the stdlib and
#   redis-py, Debian python3-redis)
#
# SYNOPSIS
#   INSPRAAK_BIN=build/asan/bin tests/run.sh [PATTERN]
#
# DESCRIPTION
#   `make test` calls this after the unit tests (tests/unit/run.sh). It runs
#   every tests/integration/test_*.py, tests/browser/test_*.py and tests/fault/test_*.py (those whose
#   path contains PATTERN, when given) with python3, one process per file,
#   each starting its own Redis and services on spare loopback ports (see
#   tests/lib/harness.py). Prints a PASS/FAIL line per file, then
#   "suites: N passed, N failed" with the total time; exits 1 on any
#   failure (including "no test files found"). A file that runs longer
#   than INSPRAAK_TEST_TIMEOUT seconds [1200] is stopped and fails.
#
# ENVIRONMENT
#   INSPRAAK_BIN   binaries to test [bin]; made absolute
#   ASAN_OPTIONS, UBSAN_OPTIONS   defaults below, inherited by the services
set -u
cd "$(dirname "$0")/.." || exit 1
INSPRAAK_BIN=${INSPRAAK_BIN:-bin}
case "$INSPRAAK_BIN" in /*) ;; *) INSPRAAK_BIN="$PWD/$INSPRAAK_BIN" ;; esac
export INSPRAAK_BIN
# tests/asan.supp: bugs inside libraries we use (never our code), each explained there
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}:suppressions=$PWD/tests/asan.supp"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export PYTHONDONTWRITEBYTECODE=1

start=$(date +%s)
pass=0
fail=0
summary=""
for t in tests/integration/test_*.py tests/browser/test_*.py tests/fault/test_*.py; do
    [ -e "$t" ] || continue
    case "$t" in *"${1:-}"*) ;; *) continue ;; esac
    echo "=== $t"
    t0=$(date +%s)
    if timeout --kill-after=15 "${INSPRAAK_TEST_TIMEOUT:-1200}" python3 "$t"; then
        pass=$((pass + 1))
        summary="$summary
  PASS  $t ($(($(date +%s) - t0)) s)"
    else
        fail=$((fail + 1))
        summary="$summary
  FAIL  $t ($(($(date +%s) - t0)) s)"
    fi
done
echo
echo "integration and fault suites (INSPRAAK_BIN=$INSPRAAK_BIN):$summary"
echo "total time: $(($(date +%s) - start)) s"
echo "suites: $pass passed, $fail failed"
if [ $((pass + fail)) -eq 0 ]; then
    echo "suites: no test files found" >&2
    exit 1
fi
[ "$fail" -eq 0 ]
