#!/bin/sh
# run.sh - build and run every libFuzzer harness tests/fuzz/fuzz_*.c
#
# Usage: tests/fuzz/run.sh [--short] [--build-only] [TARGET...]
#   FUZZ_SECONDS  how long to fuzz each target (default 600 = 10 minutes;
#                 --short: 10)
#   FUZZ_JOBS     targets run at the same time (default: the number of cores)
#   FUZZ_BUILD    build/work folder (default build/fuzz); the growing corpus
#                 of target T lives in $FUZZ_BUILD/corpus/T, seeded from
#                 tests/fuzz/corpus/T/ (committed, small) and the
#                 folders on the target's FUZZ_SEEDS: line
#   TARGET        e.g. fuzz_mail; default: every tests/fuzz/fuzz_*.c
#
# common/*.c and proto/*.c are compiled once with clang
# -fsanitize=fuzzer-no-link,address,undefined into a static library; each
# target links it plus the service sources named on its "FUZZ_SOURCES:"
# lines (one or more paths a line, as many lines as needed). A target may name a dictionary on a "FUZZ_DICT:" line and more
# seed folders (read, never written) on a "FUZZ_SEEDS:" line.
# Exit status 0 = no crash, leak, hang, UB or broken parser promise in any
# target; on a finding libFuzzer leaves crash-*/leak-*/timeout-* in
# $FUZZ_BUILD/T/ and this exits 1. Each run's last lines (executions,
# coverage) go to $FUZZ_BUILD/T.log.
set -eu
cd "$(dirname "$0")/../.."
# tests/asan.supp: bugs inside libraries we use (never our code), each explained there
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}suppressions=$PWD/tests/asan.supp"

secs="${FUZZ_SECONDS:-600}"
build_only=0
while [ $# -gt 0 ]; do
    case "$1" in
    --short) secs=10; shift ;;
    --build-only) build_only=1; shift ;;
    *) break ;;
    esac
done
out="${FUZZ_BUILD:-build/fuzz}"
jobs="${FUZZ_JOBS:-$(nproc)}"
# The libraries are the Makefile's (PKGS, and the -l flags after
# PKG_LIBS's pkg-config call): a list of its own here drifted once
# (libidn2 missing: fuzz_field no longer linked).
pkgs="$(sed -n 's/^PKGS *:= *//p' Makefile)"
extra_libs="$(sed -n 's/^PKG_LIBS *= *$(shell .*) *\(-l.*\)$/\1/p' Makefile)"
if [ -z "$pkgs" ] || [ -z "$extra_libs" ]; then
    echo "fuzz: cannot read PKGS / PKG_LIBS from the Makefile" >&2
    exit 1
fi
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
# shellcheck disable=SC2086
cflags="-std=gnu11 -g -O1 -Wall -Wextra -Werror -Icommon -Iproto $(pkg-config --cflags $pkgs)"
# shellcheck disable=SC2086
libs="$(pkg-config --libs $pkgs) $extra_libs"

# The library, rebuilt only when a source is newer than the archive.
lib="$out/obj/libfuzz.a"
mkdir -p "$out/obj" "$out/bin"
if [ ! -f "$lib" ] || [ -n "$(find common proto -name '*.[ch]' -newer "$lib" | head -1)" ]; then
    echo "fuzz: building $lib" >&2
    rm -f "$out"/obj/*.o "$lib"
    # shellcheck disable=SC2086
    for src in common/*.c proto/*.c; do echo "$src"; done |
        xargs -P "$(nproc)" -I{} sh -c 'o="$1/obj/$(echo "$2" | tr / _ | sed "s/\.c\$/.o/")";
            exec clang $3 -fsanitize=fuzzer-no-link -c "$2" -o "$o"' sh "$out" {} "$cflags $san"
    ar rcs "$lib" "$out"/obj/*.o
fi

if [ $# -gt 0 ]; then targets="$*"; else
    targets="$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c; done)"
fi

s_build() { # target
    src="tests/fuzz/$1.c"
    extra="$(sed -n 's/^ *\** *FUZZ_SOURCES: *//p' "$src")"
    # shellcheck disable=SC2086
    clang $cflags $san -fsanitize=fuzzer $(for s in $extra; do echo "-I$(dirname "$s")"; done | sort -u) \
        "$src" $extra "$lib" $libs -o "$out/bin/$1"
}

s_run() { # target
    t="$1"
    dict="$(sed -n 's/^ *\** *FUZZ_DICT: *//p' "tests/fuzz/$t.c")"
    mkdir -p "$out/corpus/$t" "$out/$t"
    seeds=""
    for d in "tests/fuzz/corpus/$t" $(sed -n 's/^ *\** *FUZZ_SEEDS: *//p' "tests/fuzz/$t.c"); do
        [ -d "$d" ] && seeds="$seeds $d"
    done
    echo "fuzz: running $t for ${secs}s (corpus $out/corpus/$t)" >&2
    # shellcheck disable=SC2086
    "$out/bin/$t" -max_total_time="$secs" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -malloc_limit_mb=2048 ${dict:+-dict=$dict} \
        -artifact_prefix="$out/$t/" -print_final_stats=1 \
        "$out/corpus/$t" $seeds >"$out/$t.log" 2>&1
    rc=$?
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)' \
        "$out/$t.log" | sed "s/^/fuzz: $t: /" >&2 || true
    if [ $rc -ne 0 ]; then
        echo "fuzz: $t FAILED (exit $rc), see $out/$t.log and $out/$t/" >&2
        tail -40 "$out/$t.log" >&2
    fi
    return $rc
}

for t in $targets; do s_build "$t"; done
[ $build_only = 1 ] && exit 0

fail=0
set +e
running=0
pids=""
for t in $targets; do
    s_run "$t" &
    pids="$pids $!"
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then
        for p in $pids; do wait "$p" || fail=1; done
        pids=""
        running=0
    fi
done
for p in $pids; do wait "$p" || fail=1; done
[ $fail = 0 ] && echo "fuzz: all targets passed (${secs}s each)" >&2
exit $fail
