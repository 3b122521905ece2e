#!/bin/sh
# run.sh - build and run the libFuzzer harness for the proto decoders
#
# Usage: tests/fuzz/run.sh [--short]
#   FUZZ_SECONDS  how long to fuzz (default 60; --short: 10)
#   FUZZ_BUILD    build/work folder (default build/fuzz); the growing corpus
#                 lives in $FUZZ_BUILD/corpus, seeded from proto/fixtures/
#
# Builds tests/fuzz/fuzz_envelope.c with clang -fsanitize=fuzzer,address,
# undefined against proto/*.c and common/xalloc.c (all proto needs) and
# runs it. Exit status 0 = no crash, leak, UB or broken codec promise; on a
# finding libFuzzer leaves crash-* next to the corpus and this exits 1.
set -eu
cd "$(dirname "$0")/../.."

secs="${FUZZ_SECONDS:-60}"
[ "${1:-}" = "--short" ] && secs=10
out="${FUZZ_BUILD:-build/fuzz}"
mkdir -p "$out/corpus"

# shellcheck disable=SC2046
clang -std=gnu11 -g -O1 -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Icommon -Iproto proto/*.c common/xalloc.c tests/fuzz/fuzz_envelope.c \
    $(pkg-config --cflags --libs msgpack jansson libsodium) -lm \
    -o "$out/fuzz_envelope"

echo "fuzz: running fuzz_envelope for ${secs}s (corpus $out/corpus)" >&2
"$out/fuzz_envelope" -max_total_time="$secs" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -dict=tests/fuzz/msgpack.dict \
    -artifact_prefix="$out/" -print_final_stats=1 \
    "$out/corpus" proto/fixtures
