#!/bin/sh
# NAME
#   tests/soak/run.sh - the long fault run: SOAK_N submissions over the form,
#   field and mail channels with a kill -9 every 1-5 s, Redis included
#
# SYNOPSIS
#   make soak                     (SOAK_N=100000 by default)
#   SOAK_N=20000 INSPRAAK_BIN=build/release/bin tests/soak/run.sh
#
# DESCRIPTION
#   Runs tests/soak/soak.py against the release binaries ($INSPRAAK_BIN,
#   default bin/) and then the long outages of tests/fault/test_outage.py
#   (Redis stopped and the classifier paused for INSPRAAK_OUTAGE_S=60 s).
#   Prints the figures (accepted, stored, lost, doubled, kills per process,
#   time); exits 1 when anything was lost or doubled.
set -eu
cd "$(dirname "$0")/../.."
INSPRAAK_BIN=${INSPRAAK_BIN:-bin}
case "$INSPRAAK_BIN" in /*) ;; *) INSPRAAK_BIN="$PWD/$INSPRAAK_BIN" ;; esac
export INSPRAAK_BIN PYTHONDONTWRITEBYTECODE=1
python3 tests/soak/soak.py
if [ "${SOAK_OUTAGES:-1}" = 1 ]; then
    INSPRAAK_OUTAGE_S="${INSPRAAK_OUTAGE_S:-60}" python3 tests/fault/test_outage.py \
        TestRedisStopped TestConsumerPaused
fi
