#!/bin/sh
# NAME
#   tests/unit/run.sh - run cmocka unit test binaries and sum them up
#
# SYNOPSIS
#   tests/unit/run.sh BINARY...      (from the repository root; `make unit`)
#
# DESCRIPTION
#   Runs each binary in turn (output shown as it comes), then prints one
#   line per binary and "unit: N passed, N failed" with the total time.
#   Exits 1 when any binary failed (non-zero exit, including a sanitizer
#   report: LeakSanitizer is on), 0 otherwise; 1 also when given none.
# tests/asan.supp: bugs inside libraries we use (never our code), each explained there
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}:suppressions=$(cd "$(dirname "$0")/../.." && pwd)/tests/asan.supp"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

if [ $# -eq 0 ]; then
    echo "unit: no test binaries given" >&2
    exit 1
fi
start=$(date +%s)
pass=0
fail=0
summary=""
for t in "$@"; do
    echo "=== $t"
    t0=$(date +%s)
    if "$t"; then
        pass=$((pass + 1))
        summary="$summary
  PASS  $t ($(($(date +%s) - t0)) s)"
    else
        rc=$?
        fail=$((fail + 1))
        summary="$summary
  FAIL  $t (exit $rc, $(($(date +%s) - t0)) s)"
    fi
done
echo
echo "unit test binaries:$summary"
echo "total time: $(($(date +%s) - start)) s"
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
