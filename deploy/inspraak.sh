#!/bin/bash
# NAME
#   inspraak.sh - run Redis and every built inspraak service on one machine
#
# SYNOPSIS
#   deploy/inspraak.sh run|start|stop|status|urls
#
# DESCRIPTION
#   run     print the URLs, then run bin/supervisor in the foreground;
#           Ctrl-C stops everything (what `make run` does)
#   start   the same in the background (nohup, output appended to
#           $INSPRAAK_VAR/log/inspraak.log); waits until every service's
#           /healthz answers 200 (30 s at most) and prints the URLs
#   stop    SIGTERM to the supervisor (run/supervisor.pid), waits until it
#           and its children are gone
#   status  each pid file with alive/dead, and each service's /healthz
#   urls    the URLs only, and the inspraakctl commands that make a staff
#           user, a device token and an API token (what a first visit needs)
#
#   Files and folders are made with umask 027 (no access for other users),
#   and what an earlier run left in $INSPRAAK_VAR is closed likewise.
#   It writes $INSPRAAK_VAR/run/Procfile with Redis (AOF, appendfsync
#   always, data in $INSPRAAK_VAR/redis) and each service whose binary
#   exists in $INSPRAAK_BIN, and hands it to the supervisor, which restarts
#   what dies; the port base goes to $INSPRAAK_VAR/run/port-base, where
#   inspraakctl finds it. Stale pid files from a killed run are cleared; a live run on
#   the same INSPRAAK_VAR, or a port already in use, is refused with a
#   clear message.
#
# ENVIRONMENT
#   INSPRAAK_VAR        state folder [./var], made absolute
#   INSPRAAK_PORT_BASE  base of all ports [8080]; Redis on BASE-1690
#   INSPRAAK_DATA       data folder [./data], made absolute
#   INSPRAAK_BIN        binaries [./bin], made absolute
set -eu
# What this run writes under $INSPRAAK_VAR (Redis's AOF with names and
# addresses, spools, logs) is for the user running it and its group only,
# as under systemd (UMask=0027 in deploy/systemd/).
umask 027

abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "${1#./}" ;; esac; }

export INSPRAAK_VAR INSPRAAK_PORT_BASE INSPRAAK_DATA INSPRAAK_BIN
INSPRAAK_VAR=$(abspath "${INSPRAAK_VAR:-./var}")
INSPRAAK_DATA=$(abspath "${INSPRAAK_DATA:-./data}")
INSPRAAK_BIN=$(abspath "${INSPRAAK_BIN:-./bin}")
INSPRAAK_PORT_BASE=${INSPRAAK_PORT_BASE:-8080}
case "$INSPRAAK_PORT_BASE" in
    ''|*[!0-9]*) echo "inspraak: INSPRAAK_PORT_BASE=$INSPRAAK_PORT_BASE is not a number" >&2; exit 2 ;;
esac
if [ "$INSPRAAK_PORT_BASE" -lt 1700 ] || [ "$INSPRAAK_PORT_BASE" -gt 65000 ]; then
    echo "inspraak: INSPRAAK_PORT_BASE must be between 1700 and 65000" >&2
    exit 2
fi
BASE=$INSPRAAK_PORT_BASE
REDIS_PORT=$((BASE - 1690))
RUN=$INSPRAAK_VAR/run
LOG=$INSPRAAK_VAR/log

# name and HTTP port offset (common/config.h), in start order. Redis comes
# first; a service listed here runs only when its binary was built.
# The intakes yield CPU to the pipeline (classifier, storage, Redis) when
# the machine is busy: an accepted idea is safe in the spool either way,
# and with the pipeline first it keeps up with what is accepted instead of
# a backlog piling up during a burst (docs/benchmarks.md, "Session 4":
# on 2 cores the last idea is stored ~0.05 s after the last accepted
# instead of ~2.5 s, at ~25 % fewer ideas accepted per second at full
# load). The same value is in deploy/systemd (Nice=) and tests/lib/harness.py.
INTAKE_NICE=10
SERVICES="storage:5 classifier:4 intake-form:0 intake-mail:1 intake-transcript:2 intake-field:3 notify:6 dashboard:10"

built_services() {
    local s
    for s in $SERVICES; do
        [ -x "$INSPRAAK_BIN/${s%%:*}" ] && printf '%s\n' "$s"
    done
    return 0
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A live process (not a zombie waiting to be reaped) named supervisor.
alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

supervisor_pid() {
    local pid
    pid=$(cat "$RUN/supervisor.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && alive "$pid" &&
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = supervisor ] && printf '%s\n' "$pid"
}

print_urls() {
    local s name port
    echo "inspraak (INSPRAAK_VAR=$INSPRAAK_VAR, PORT_BASE=$BASE):"
    for s in $(built_services); do
        name=${s%%:*}
        port=$((BASE + ${s##*:}))
        case "$name" in
            intake-form) printf '  %-18s http://localhost:%d/\n' "idea form" "$port" ;;
            intake-field) printf '  %-18s http://localhost:%d/field\n' "field app" "$port" ;;
            intake-transcript) printf '  %-18s http://localhost:%d/api/v1/transcripts  (POST, staff token)\n' "transcripts" "$port" ;;
            notify)      printf '  %-18s http://localhost:%d/afmelden  (unsubscribe links in mails)\n' "unsubscribe" "$port" ;;
            dashboard)   printf '  %-18s http://localhost:%d/   (public page: /resultaten)\n' "staff dashboard" "$port" ;;
        esac
    done
    for s in $(built_services); do
        name=${s%%:*}
        port=$((BASE + ${s##*:}))
        printf '  %-18s http://localhost:%d/healthz  http://localhost:%d/metrics\n' "$name" "$port" "$port"
    done
    printf '  %-18s redis://127.0.0.1:%d  (data in %s/redis)\n' "redis" "$REDIS_PORT" "$INSPRAAK_VAR"
    local ctl="INSPRAAK_VAR=$INSPRAAK_VAR INSPRAAK_PORT_BASE=$BASE $INSPRAAK_BIN/inspraakctl"
    echo "Before the first login, make a staff user (add --role admin for user and device admin):"
    echo "  $ctl user add NAME"
    echo "A tablet for the field app needs a device token:"
    echo "  $ctl device add NAME"
    echo "Programs use a staff API token:"
    echo "  $ctl token create NAME"
}

# Refuses a second run and busy ports; clears what a killed run left.
prepare() {
    local pid s p ports
    if [ ! -x "$INSPRAAK_BIN/supervisor" ]; then
        echo "inspraak: $INSPRAAK_BIN/supervisor not found: build first (make build)" >&2
        exit 1
    fi
    command -v redis-server >/dev/null || { echo "inspraak: redis-server not installed (make deps)" >&2; exit 1; }
    if pid=$(supervisor_pid); then
        echo "inspraak: already running (supervisor pid $pid, $RUN); stop it first: make stop" >&2
        exit 1
    fi
    rm -f "$RUN"/*.pid "$RUN"/*.pid.tmp
    ports="$REDIS_PORT $((BASE + 11)) $((BASE + 12)) $((BASE + 13))"
    for s in $(built_services); do ports="$ports $((BASE + ${s##*:}))"; done
    for p in $ports; do
        if port_in_use "$p"; then
            echo "inspraak: port $p is already in use on this machine (another inspraak or program?)." >&2
            echo "inspraak: stop that program, or choose other ports: INSPRAAK_PORT_BASE=9080 make run" >&2
            exit 1
        fi
    done
    mkdir -p "$RUN" "$LOG" "$INSPRAAK_VAR/redis"
    # umask 027 covers what this run makes; an earlier run under umask 022
    # left the folder, the AOF and the log open to every user: close them.
    chmod -R o-rwx "$INSPRAAK_VAR" ||
        echo "inspraak: warning: cannot close $INSPRAAK_VAR to other users (chmod -R o-rwx)" >&2
    {
        echo "# generated by deploy/inspraak.sh; edited copies are overwritten"
        echo "redis: redis-server --port $REDIS_PORT --bind 127.0.0.1 --dir \"\$INSPRAAK_VAR/redis\" --appendonly yes --appendfsync always --save '' --daemonize no --logfile ''"
        for s in $(built_services); do
            case "${s%%:*}" in
            intake-*) echo "${s%%:*}: nice -n $INTAKE_NICE \"\$INSPRAAK_BIN/${s%%:*}\"" ;;
            *) echo "${s%%:*}: \"\$INSPRAAK_BIN/${s%%:*}\"" ;;
            esac
        done
    } > "$RUN/Procfile"
    # inspraakctl finds this run's Redis and bus through INSPRAAK_VAR alone
    echo "$BASE" > "$RUN/port-base"
}

wait_healthy() {
    local deadline=$((SECONDS + 30)) s bad
    while :; do
        bad=""
        for s in $(built_services); do
            curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$((BASE + ${s##*:}))/healthz" 2>/dev/null ||
                bad="$bad ${s%%:*}"
        done
        if command -v redis-cli >/dev/null &&
            [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" != PONG ]; then
            bad="$bad redis"
        fi
        [ -z "$bad" ] && return 0
        if ! supervisor_pid >/dev/null; then
            echo "inspraak: the supervisor stopped; see $LOG/inspraak.log" >&2
            return 1
        fi
        if [ $SECONDS -ge $deadline ]; then
            echo "inspraak: not healthy after 30 s:$bad (still running; see $LOG/inspraak.log, make stop)" >&2
            return 1
        fi
        sleep 0.3
    done
}

cmd_stop() {
    local pid i
    if ! pid=$(supervisor_pid); then
        echo "inspraak: not running"
        rm -f "$RUN"/*.pid
        return 0
    fi
    kill -TERM "$pid"
    # The supervisor waits up to 10 s for its children, then SIGKILLs them.
    for i in $(seq 150); do
        alive "$pid" || { echo "inspraak: stopped"; return 0; }
        sleep 0.1
    done
    echo "inspraak: supervisor $pid did not stop in 15 s" >&2
    return 1
}

cmd_status() {
    local f name pid state s code rc=0
    if pid=$(supervisor_pid); then echo "supervisor: running, pid $pid"; else echo "supervisor: not running"; rc=3; fi
    for f in "$RUN"/*.pid; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .pid)
        [ "$name" = supervisor ] && continue
        pid=$(cat "$f" 2>/dev/null || true)
        state=dead
        [ -n "$pid" ] && alive "$pid" && state=alive
        printf '  %-18s pid %-8s %s\n' "$name" "$pid" "$state"
    done
    for s in $(built_services); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$((BASE + ${s##*:}))/healthz" 2>/dev/null || true)
        printf '  %-18s /healthz %s\n' "${s%%:*}" "${code:-000}"
    done
    return $rc
}

case "${1:-}" in
    run)
        prepare
        print_urls
        echo "Ctrl-C stops everything."
        exec "$INSPRAAK_BIN/supervisor" "$RUN/Procfile"
        ;;
    start)
        prepare
        nohup "$INSPRAAK_BIN/supervisor" "$RUN/Procfile" >> "$LOG/inspraak.log" 2>&1 < /dev/null &
        if wait_healthy; then print_urls; else exit 1; fi
        ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    urls) print_urls ;;
    *)
        echo "usage: $0 run|start|stop|status|urls" >&2
        exit 2
        ;;
esac
