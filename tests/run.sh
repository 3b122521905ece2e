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
#   tests/lib/harness.py). Prints each file's output when it ends, then a
#   PASS/FAIL line per file and "suites: N passed, N failed" with the total
#   time; exits 1 on any failure (including "no test files found"). A file
#   that runs longer than INSPRAAK_TEST_TIMEOUT seconds [1200] is stopped
#   and fails.
#
#   INSPRAAK_TEST_JOBS files run at the same time [2 on a machine with 2 or
#   more cores, else 1]. Most suites spend their time waiting for services,
#   so two lanes on 2 cores take little more than half the time of one.
#   Each lane takes the next file not yet taken (mkdir is the claim; the
#   longest suites come first, in the order of tests/suite-seconds.txt, so
#   the lanes end together) and gets its own half of the port range (INSPRAAK_TEST_PORTS,
#   default 26000-29999), so two clusters never pick the same ports.
#
# ENVIRONMENT
#   INSPRAAK_BIN   binaries to test [bin]; made absolute
#   INSPRAAK_TEST_JOBS, INSPRAAK_TEST_PORTS, INSPRAAK_TEST_TIMEOUT   above
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

cores=$(nproc 2>/dev/null || echo 1)
jobs=${INSPRAAK_TEST_JOBS:-$([ "$cores" -ge 2 ] && echo 2 || echo 1)}
case "$jobs" in '' | *[!0-9]* | 0)
    echo "tests/run.sh: INSPRAAK_TEST_JOBS=$jobs is not a number of lanes (1, 2, ...)" >&2
    exit 2 ;;
esac
ports=${INSPRAAK_TEST_PORTS:-26000-29999}
plow=${ports%-*}
phigh=${ports#*-}
case "$plow$phigh" in '' | *[!0-9]*)
    echo "tests/run.sh: INSPRAAK_TEST_PORTS=$ports is not a port range LOW-HIGH" >&2
    exit 2 ;;
esac
width=$(((phigh - plow + 1) / jobs))
if [ "$jobs" -gt 1 ] && [ "$width" -lt 1750 ]; then
    echo "tests/run.sh: $jobs lanes need at least $((jobs * 1750)) ports, INSPRAAK_TEST_PORTS=$ports has $((phigh - plow + 1)); set INSPRAAK_TEST_JOBS=1 or widen the range" >&2
    exit 2
fi

# New suites (not in tests/suite-seconds.txt) first, then the listed ones
# longest first: a long suite taken last would run alone at the end while
# the other lane has nothing left.
listed=$(sed -n 's/^[0-9][0-9]* //p' tests/suite-seconds.txt | tr '\n' ' ')
new=""
for t in tests/integration/test_*.py tests/browser/test_*.py tests/fault/test_*.py; do
    [ -e "$t" ] || continue
    case " $listed " in *" $t "*) ;; *) new="$new $t" ;; esac
done
files=""
for t in $new $listed; do
    [ -e "$t" ] || continue
    case "$t" in *"${1:-}"*) files="$files $t" ;; esac
done
if [ -z "$files" ]; then
    echo "suites: no test files found" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/inspraak-run.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
start=$(date +%s)

# lane K: claims files in order, runs each with its own port range, prints
# the file's whole output under a lock so lanes never mix their lines
lane() {
    k=$1
    low=$((plow + k * width))
    high=$((low + width - 1))
    [ "$jobs" -eq 1 ] && high=$phigh
    i=0
    for t in $files; do
        i=$((i + 1))
        mkdir "$work/claim.$i" 2>/dev/null || continue
        t0=$(date +%s)
        if INSPRAAK_TEST_PORTS=$low-$high timeout --kill-after=15 "${INSPRAAK_TEST_TIMEOUT:-1200}" \
            python3 "$t" > "$work/out.$i" 2>&1; then
            r=PASS
        else
            r=FAIL
        fi
        echo "  $r  $t ($(($(date +%s) - t0)) s)" > "$work/result.$i"
        flock "$work/print.lock" sh -c 'echo "=== $1"; cat "$2"' sh "$t" "$work/out.$i"
    done
}

k=0
pids=""
while [ "$k" -lt "$jobs" ]; do
    lane "$k" &
    pids="$pids $!"
    k=$((k + 1))
done
for p in $pids; do wait "$p"; done

pass=0
fail=0
summary=""
i=0
for t in $files; do
    i=$((i + 1))
    line=$(cat "$work/result.$i" 2>/dev/null || echo "  FAIL  $t (did not run)")
    case "$line" in "  PASS"*) pass=$((pass + 1)) ;; *) fail=$((fail + 1)) ;; esac
    summary="$summary
$line"
done
echo
echo "integration and fault suites (INSPRAAK_BIN=$INSPRAAK_BIN, $jobs at a time):$summary"
echo "total time: $(($(date +%s) - start)) s"
echo "suites: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
