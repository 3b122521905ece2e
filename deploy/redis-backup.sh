#!/bin/sh
# NAME
#   redis-backup.sh - back up inspraak's Redis to one file, and turn such a
#   file into a data folder for a fresh Redis
#
# SYNOPSIS
#   deploy/redis-backup.sh backup FILE [HOST [PORT]]
#   deploy/redis-backup.sh restore FILE DIR [SCRATCH_PORT]
#
# DESCRIPTION
#   backup: `redis-cli --rdb` asks the running Redis (default 127.0.0.1
#   6390) for a snapshot over the replication protocol: consistent at one
#   moment, taken while inspraak runs, no access to Redis's folder needed.
#   Written to FILE.tmp (a new file: one left by an earlier run is removed
#   first), fsynced by redis-cli, then renamed to FILE (mode 0600, as
#   everything this script makes: umask 077).
#   Set REDISCLI_AUTH for a password.
#
#   restore: DIR must be empty or missing. Redis with appendonly yes ignores
#   a dump.rdb when it has no AOF yet, so the snapshot is loaded into a
#   scratch redis-server (loopback, SCRATCH_PORT [6399], appendonly off),
#   which then writes its AOF (CONFIG SET appendonly yes) and shuts down.
#   DIR then holds appendonlydir/ and dump.rdb: start inspraak's Redis on it
#   as usual (--appendonly yes --appendfsync always --dir DIR).
#   See docs/operations.md, "Backup and restore".
#
# EXIT STATUS
#   0 done; 1 failed (message on stderr); 2 bad usage.
set -eu
# The snapshot and a restored folder hold every name and email address:
# for the user running this only (the restore's owner: see docs/operations.md).
umask 077

usage() {
    echo "usage: $0 backup FILE [HOST [PORT]] | restore FILE DIR [SCRATCH_PORT]" >&2
    exit 2
}

die() {
    echo "redis-backup: $*" >&2
    exit 1
}

backup() {
    file=$1 host=${2:-127.0.0.1} port=${3:-6390}
    # redis-cli writes into an existing FILE.tmp and keeps its mode (one an
    # interrupted backup left may be 0644): start from a new file
    rm -f "$file.tmp"
    redis-cli -h "$host" -p "$port" --rdb "$file.tmp" >/dev/null 2>&1 ||
        { rm -f "$file.tmp"; die "snapshot from $host:$port failed"; }
    mv "$file.tmp" "$file"
    echo "redis-backup: $file ($(wc -c <"$file") bytes) from $host:$port"
}

info_field() { # port field
    redis-cli -p "$1" INFO persistence 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}

restore() {
    file=$1 dir=$2 port=${3:-6399}
    [ -s "$file" ] || die "$file is missing or empty"
    mkdir -p "$dir"
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
    cp "$file" "$dir/dump.rdb"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --dbfilename dump.rdb \
        --appendonly no --save "" --daemonize yes --logfile "$dir/restore.log" \
        --pidfile "$dir/restore.pid" || die "cannot start a scratch redis on port $port"
    i=0
    until [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] &&
        [ "$(info_field "$port" loading)" = 0 ]; do
        i=$((i + 1))
        [ $i -lt 600 ] || die "scratch redis on port $port did not come up ($dir/restore.log)"
        sleep 0.1
    done
    redis-cli -p "$port" CONFIG SET appendonly yes >/dev/null || die "CONFIG SET appendonly failed"
    i=0
    until [ "$(info_field "$port" aof_rewrite_in_progress)" = 0 ] &&
        [ "$(info_field "$port" aof_rewrite_scheduled)" = 0 ] &&
        [ "$(info_field "$port" aof_enabled)" = 1 ] &&
        [ "$(info_field "$port" aof_last_bgrewrite_status)" = ok ]; do
        i=$((i + 1))
        [ $i -lt 3000 ] || die "AOF rewrite did not finish ($dir/restore.log)"
        sleep 0.1
    done
    keys=$(redis-cli -p "$port" DBSIZE)
    redis-cli -p "$port" SHUTDOWN >/dev/null 2>&1 || true
    i=0
    while [ -e "$dir/restore.pid" ] && [ $i -lt 300 ]; do
        i=$((i + 1))
        sleep 0.1
    done
    [ -d "$dir/appendonlydir" ] || die "no appendonlydir written"
    echo "redis-backup: $dir ready ($keys keys); start Redis with --dir $dir --appendonly yes"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
backup) [ $# -ge 1 ] || usage; backup "$@" ;;
restore) [ $# -ge 2 ] || usage; restore "$@" ;;
*) usage ;;
esac
