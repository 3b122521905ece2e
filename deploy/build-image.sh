#!/bin/sh
# NAME
#   deploy/build-image.sh - build the real image from deploy/Dockerfile and
#   run docker-compose.yml, without a Docker daemon or Docker Hub
#
# SYNOPSIS
#   deploy/build-image.sh [DIR]        (as root; DIR: the container store,
#                                       the Debian trees and the logs, kept
#                                       after with the images; default a new
#                                       folder under /tmp, removed after;
#                                       new, empty or an earlier run's;
#                                       outside the repository or under
#                                       its build/, which the context omits)
#   BUILD_IMAGE_PORTS=13000            host ports: 13000 + (port mod 1000)
#
# DESCRIPTION
#   deploy/check-image.sh checks the Dockerfile's two stages in chroots;
#   this builds and runs the image itself with Debian 12's daemonless tools
#   (podman, buildah, docker-compose), in a container store of its own
#   (DIR/store), so nothing else on the machine is touched:
#     1. base images: debian:12 (debootstrap bookworm) and debian:12-slim
#        (minbase) imported under exactly those names, and redis:7 built on
#        debian:12-slim with Debian's redis-server (7.0), so the Dockerfile
#        and the compose file are used unchanged;
#     2. the build context: what Dockerfile.dockerignore lets through from
#        the working tree must be exactly what git tracks or would add;
#     3. `podman build -f deploy/Dockerfile -t inspraak .` in a clean clone
#        of the repository's HEAD (committed files only);
#     4. docker-compose.yml, as `docker-compose config` resolves it, with
#        only the host side of the published ports moved (all on 127.0.0.1,
#        BUILD_IMAGE_PORTS), run by Debian's docker-compose 1.29 through
#        podman's Docker API on a private socket: every service must turn
#        healthy and stay up without a restart, run as user inspraak (Redis
#        as redis), write its volume and not its read-only root, and get the
#        compose file's memory limit; an idea POSTed to intake-form's
#        /api/v1/ideas answers 201 and is read back classified through the
#        dashboard API (token made with `exec dashboard inspraakctl`);
#        `stop` ends every container with exit status 0 (SIGTERM handled),
#        `down` leaves no container, and a second `up` still has the idea.
#   Exit 0 when all of it passes; 1 with the reason otherwise. Containers,
#   networks and volumes are always removed at the end; the images and the
#   store too unless DIR was given. Not part of `make test` (needs root,
#   downloads ~500 MB of packages, ~10 minutes, ~5 GB of disk at its peak).
#
#   Why these tools: podman-compose 1.0.3 (Debian 12) ignores profiles,
#   depends_on conditions, pids_limit and stop_grace_period, so the compose
#   file is run by docker-compose against podman's Docker-compatible API.
#   No systemd runs here, and podman runs health checks from systemd
#   timers: this script runs `podman healthcheck run` itself every 5 s.
#   runc instead of crun: crun refuses hybrid cgroup hierarchies (v1 with
#   an empty v2 mount). The containers' nofile/nproc limits are set to at
#   most what this shell has, since without CAP_SYS_RESOURCE the runtime
#   cannot raise them.
#
# DIAGNOSTICS
#   "build-image: ..." on stderr for each step and for the first failure,
#   with the log file to read; the failing container's last log lines.
set -eu
caller=$(pwd) # DIR is relative to where the script was started
cd "$(dirname "$0")/.."
repo=$(pwd)
[ "$(id -u)" = 0 ] || { echo "build-image: run as root (debootstrap, podman)" >&2; exit 1; }
for p in podman buildah runc docker-compose debootstrap python3-yaml curl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        need="${need:-} $p"
done
if [ -n "${need:-}" ]; then
    echo "build-image: installing:$need" >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
ports=${BUILD_IMAGE_PORTS:-13000}
keep=${1:+1}
case ${1:-} in
"") work=$(mktemp -d /tmp/build-image.XXXXXX) ;;
/*) work=$1 ;;
*) work=$caller/$1 ;;
esac
made=""
[ -d "$work" ] || made=1
mkdir -p "$work"
work=$(cd "$work" && pwd)
# Step 2 sends the working tree to podman: a store inside it would be sent
# too (gigabytes) unless both ignore files keep it out, as they do build/.
case $work/ in
"$repo"/build/*) ;;
"$repo"/*)
    [ -z "$made" ] || rmdir "$work"
    echo "build-image: DIR must be outside $repo (or under its build/)" >&2
    exit 1
    ;;
esac
# Only a new or empty folder, or one an earlier run made (its mark), since
# what is below and the store are removed or overwritten in it.
if [ ! -e "$work/.build-image" ] && [ -n "$(ls -A "$work")" ]; then
    echo "build-image: $work is not empty and not an earlier run's DIR: give a new folder" >&2
    exit 1
fi
: >"$work/.build-image"
# A DIR kept from an earlier run: its process ids may belong to other
# processes by now, and its half-made trees and clone would stop this run.
rm -rf "$work/service.pid" "$work/ticker.pid" "$work/ticker.on" "$work/src" "$work/probe" \
    "$work/debian12" "$work/debian12-slim"
project=inspraakimg
started=$(date +%s)
T=""       # staff API token, once made
full=""    # the background debootstrap, while it runs
private="" # set once podman is pointed at the private store

log() { echo "build-image: $*" >&2; }
fail() {
    log "FAILED: $*"
    # shellcheck disable=SC2012 # names are ours, without newlines
    newest=$(ls -t "$work"/*.log 2>/dev/null | head -n 1)
    [ -z "${newest:-}" ] || { log "last lines of $newest:"; tail -n 8 "$newest" >&2; }
    [ -n "$keep" ] || log "(logs are removed at exit: give a DIR to keep them)"
    exit 1
}

cleanup() {
    rc=$?
    set +e # clean up as much as can be
    rm -f "$work/ticker.on"
    if [ -n "$full" ]; then # a failure while debootstrap still runs
        pkill -TERM -P "$full" 2>/dev/null
        wait "$full" 2>/dev/null
    fi
    if [ -n "$private" ] && [ -f "$work/compose.yml" ] && [ -S "$work/podman.sock" ]; then
        compose --profile scale down -v -t 30 >>"$work/compose.log" 2>&1
    fi
    for p in service ticker; do
        [ -f "$work/$p.pid" ] && kill "$(cat "$work/$p.pid")" 2>/dev/null
        rm -f "$work/$p.pid"
    done
    if [ -n "$private" ]; then # never podman on the machine's own store
        podman rm -af -t 5 >/dev/null 2>&1
        podman volume prune -f >/dev/null 2>&1
        [ -n "$keep" ] || podman system reset -f >/dev/null 2>&1
    fi
    if [ -z "$keep" ]; then
        rm -rf "$work" 2>/dev/null || log "could not remove all of $work"
    else
        log "kept $work (images: CONTAINERS_STORAGE_CONF=$work/storage.conf podman images)"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- a private container store and configuration ---------------------------

cat >"$work/storage.conf" <<EOF
[storage]
driver = "${BUILD_IMAGE_STORAGE_DRIVER:-overlay}"
graphroot = "$work/store"
runroot = "$work/run"
EOF
# Limits the runtime may set without CAP_SYS_RESOURCE: this shell's hard
# limits (nproc at most 32768: runc was refused above that here, 96365 hard).
nofile=$(python3 -c 'import resource as r; h = r.getrlimit(r.RLIMIT_NOFILE)[1]; print(h if 0 <= h < 1048576 else 1048576)')
nproc=$(python3 -c 'import resource as r; h = r.getrlimit(r.RLIMIT_NPROC)[1]; print(h if 0 <= h < 32768 else 32768)')
cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[network]
network_config_dir = "$work/networks"
[engine]
runtime = "runc"
volume_path = "$work/store/volumes"
EOF
export CONTAINERS_STORAGE_CONF="$work/storage.conf" CONTAINERS_CONF="$work/containers.conf"
export DOCKER_HOST="unix://$work/podman.sock" COMPOSE_PROJECT_NAME=$project
private=1
compose() { docker-compose -f "$work/compose.yml" "$@"; }

# --- 1. base images ---------------------------------------------------------

# A debootstrap tree made to look like Docker's debian image: the host's
# deb822 sources (bookworm, -updates, -security), no apt lists or caches,
# and for slim no documentation from later packages.
s_rootfs() { # dir variant
    debootstrap ${2:+--variant=$2} bookworm "$1" "$mirror" >"$1.log" 2>&1 ||
        fail "debootstrap of $1 (see $1.log)"
    rm -f "$1/etc/apt/sources.list"
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        cp /etc/apt/sources.list.d/debian.sources "$1/etc/apt/sources.list.d/"
    else
        echo "deb $mirror bookworm main" >"$1/etc/apt/sources.list"
    fi
    rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb
    : >"$1/etc/resolv.conf"
}

s_slim() { # dir
    cat >"$1/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
    find "$1/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
    rm -rf "$1"/usr/share/man/* "$1"/usr/share/info/*
}

s_base_images() {
    log "1. base images: debootstrap bookworm (debian:12) and minbase (debian:12-slim)"
    s_rootfs "$work/debian12" &
    full=$!
    s_rootfs "$work/debian12-slim" minbase || fail "debian:12-slim tree"
    st=0
    wait "$full" || st=$?
    full="" # reaped: its id may be reused, cleanup must not signal it
    [ "$st" = 0 ] || fail "debian:12 tree"
    s_slim "$work/debian12-slim"
    tar -C "$work/debian12" -c . | podman import -q --change CMD=bash - docker.io/library/debian:12 >/dev/null
    tar -C "$work/debian12-slim" -c . | podman import -q --change CMD=bash - docker.io/library/debian:12-slim >/dev/null
    rm -rf "$work/debian12" "$work/debian12-slim"

    log "1. redis:7 from debian:12-slim and Debian's redis-server"
    mkdir -p "$work/redis"
    # Like the official image: /data owned by redis, and protected mode off
    # (the official build patches its default), or the other containers,
    # which reach Redis by name without a password, are refused.
    cat >"$work/redis/Containerfile" <<'EOF'
FROM docker.io/library/debian:12-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server redis-tools \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o redis -g redis /data \
 && printf '%s\n' '#!/bin/sh' \
      'case "$1 $*" in redis-server*protected-mode*) ;; redis-server*) set -- "$@" --protected-mode no ;; esac' \
      'exec "$@"' >/usr/local/bin/docker-entrypoint.sh \
 && chmod 0755 /usr/local/bin/docker-entrypoint.sh
USER redis
WORKDIR /data
VOLUME /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
EOF
    podman build -t docker.io/library/redis:7 "$work/redis" >"$work/redis-build.log" 2>&1 ||
        fail "redis:7 build (see $work/redis-build.log)"
}

# --- 2. build context and 3. the image -------------------------------------

s_context() {
    log "2. build context: deploy/Dockerfile.dockerignore against git's view of the working tree"
    mkdir -p "$work/probe"
    printf 'FROM docker.io/library/debian:12-slim\nCOPY . /ctx\n' >"$work/probe/Containerfile"
    podman build -q --ignorefile deploy/Dockerfile.dockerignore -f "$work/probe/Containerfile" \
        -t inspraak-context . >"$work/context.log" 2>&1 || fail "context probe (see $work/context.log)"
    podman run --rm inspraak-context sh -c 'cd /ctx && find . -type f' | sort >"$work/probe/sent"
    podman rmi -f inspraak-context >/dev/null
    git ls-files -co --exclude-standard | sed 's|^|./|' | sort >"$work/probe/git"
    extra=$(comm -23 "$work/probe/sent" "$work/probe/git" | head -20)
    lost=$(comm -13 "$work/probe/sent" "$work/probe/git" | head -20)
    [ -z "$extra" ] || fail "the build context holds what git ignores:
$extra"
    [ -z "$lost" ] || fail "the build context lacks files git has:
$lost"
}

s_image() {
    log "3. podman build -f deploy/Dockerfile -t inspraak . (clean clone of HEAD)"
    git clone -q "$repo" "$work/src"
    (cd "$work/src" && podman build -f deploy/Dockerfile -t inspraak .) >"$work/build.log" 2>&1 ||
        fail "image build (see $work/build.log)"
    cfg=$(podman image inspect inspraak --format '{{.Config.User}} {{.Config.Volumes}} {{.Config.Cmd}}')
    [ "$cfg" = "inspraak map[/var/lib/inspraak:{}] [dashboard]" ] ||
        fail "image config: user, volume, command are: $cfg"
    log "   image: $(podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -v '<none>' | xargs)"
}

# --- 4. the stack -----------------------------------------------------------

# The compose file as docker-compose resolves it, with the host side of
# every published port moved to BUILD_IMAGE_PORTS + (port mod 1000) on
# 127.0.0.1, so a run does not clash with anything on the usual ports and
# publishes nothing beyond this machine. Everything else is unchanged.
s_compose_file() {
    (cd "$work/src" && docker-compose config) >"$work/compose.resolved.yml" ||
        fail "docker-compose config refused docker-compose.yml"
    python3 - "$ports" "$work/compose.resolved.yml" >"$work/compose.yml" <<'EOF'
import sys, yaml
base = int(sys.argv[1])
d = yaml.safe_load(open(sys.argv[2]))
for svc in d["services"].values():
    out = []
    for p in svc.get("ports", []):
        if isinstance(p, dict):
            pub, tgt = p["published"], p["target"]
        else:
            pub, tgt = p.split(":")[-2], p.split(":")[-1].split("/")[0]
        out.append("127.0.0.1:%d:%s" % (base + int(pub) % 1000, tgt))
    if out:
        svc["ports"] = out
yaml.safe_dump(d, sys.stdout, sort_keys=False)
EOF
}

s_start_engine() {
    podman system service --time=0 "$DOCKER_HOST" >"$work/service.log" 2>&1 &
    echo $! >"$work/service.pid"
    i=0
    until [ -S "$work/podman.sock" ]; do
        i=$((i + 1)); [ $i -lt 50 ] || fail "podman system service did not start (see $work/service.log)"
        sleep 0.2
    done
    # health checks, which systemd timers would run (see DESCRIPTION)
    touch "$work/ticker.on"
    (while [ -e "$work/ticker.on" ]; do
        for c in $(podman ps -q --filter "label=com.docker.compose.project=$project"); do
            podman healthcheck run "$c" >/dev/null 2>&1 || true
        done
        sleep 5
    done) >/dev/null 2>&1 &
    echo $! >"$work/ticker.pid"
}

s_names() { podman ps -a --filter "label=com.docker.compose.project=$project" --format '{{.Names}}' | sort; }

s_show() { # container
    log "last lines of $1:"
    podman logs --tail 15 "$1" >&2 2>&1 || true
}

# Every container of the project running and healthy within 120 s.
s_wait_healthy() {
    i=0
    while :; do
        bad=$(podman ps -a --filter "label=com.docker.compose.project=$project" \
            --format '{{.Names}} {{.Status}}' | grep -v ' Up .*(healthy)$' || true)
        [ -n "$bad" ] || return 0
        i=$((i + 1))
        if [ $i -ge 60 ]; then
            for c in $(echo "$bad" | cut -d' ' -f1); do s_show "$c"; done
            fail "not healthy after 120 s: $(echo "$bad" | tr '\n' ';')"
        fi
        sleep 2
    done
}

s_up() {
    compose up -d >>"$work/compose.log" 2>&1 || fail "compose up (see $work/compose.log)"
    s_wait_healthy
    n=$(s_names | wc -l)
    [ "$n" = 9 ] || fail "expected 9 containers (redis and 8 services), found $n: $(s_names | xargs)"
}

s_curl() { # url [curl args...]: prints the body, then the status on the last line
    url=$1; shift
    curl -sS --max-time 10 -w '\n%{http_code}' "$@" "$url" || echo "000"
}

# User, writable volume, read-only root and memory limit, as compose says.
s_check_containers() {
    for c in $(s_names); do
        svc=$(podman inspect "$c" --format '{{index .Config.Labels "com.docker.compose.service"}}')
        want=inspraak dir=/var/lib/inspraak
        [ "$svc" = redis ] && want=redis dir=/data
        user=$(podman exec "$c" id -un) || fail "$c: exec id failed"
        [ "$user" = "$want" ] || fail "$c runs as $user, not $want"
        podman exec "$c" sh -c "touch $dir/.write-test && rm $dir/.write-test" ||
            fail "$c ($user) cannot write its volume $dir"
        limit=$(podman exec "$c" cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null ||
            podman exec "$c" cat /sys/fs/cgroup/memory.max)
        want_limit=$(python3 -c 'import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["services"][sys.argv[2]].get("mem_limit", "")
print({"m": 1 << 20, "g": 1 << 30}[s[-1]] * int(s[:-1]) if s else "")' "$work/compose.yml" "$svc")
        [ -z "$want_limit" ] || [ "$limit" = "$want_limit" ] ||
            fail "$c: memory limit $limit, compose says $want_limit"
        [ "$svc" = redis ] && continue
        if podman exec "$c" touch /opt/inspraak/.x 2>/dev/null; then
            fail "$c: root file system is writable (compose says read_only)"
        fi
    done
    log "   9 containers healthy; users, volumes, read-only roots, memory limits as compose says"
}

# POST an idea (201), make a staff token, read the idea back classified.
s_idea() {
    out=$(s_curl "http://127.0.0.1:$((ports + 80))/api/v1/ideas" -X POST \
        -H 'Content-Type: application/json' \
        --data '{"text":"Graag een openbare wc bij het Pancratiusplein, want nu is er niets voor bezoekers.","title":"Openbare wc"}')
    [ "$(echo "$out" | tail -n 1)" = 201 ] || fail "POST /api/v1/ideas answered: $out"
    id=$(echo "$out" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
    [ -n "$id" ] || fail "no id in: $out"
    T=$(compose exec -T dashboard inspraakctl token create build-image 2>>"$work/compose.log") ||
        fail "inspraakctl token create in the dashboard container (see $work/compose.log)"
    log "   POST /api/v1/ideas: 201, id $id"
}

s_read_back() { # what: wait up to 30 s for the idea, classified
    i=0
    while :; do
        out=$(s_curl "http://127.0.0.1:$((ports + 90))/api/v1/ideas/$id" -H "Authorization: Bearer $T")
        case "$out" in
        *'"wijk":"WK091733"'*'"themes":["'*'"language":"nl"'*"
200") break ;;
        esac
        i=$((i + 1))
        [ $i -lt 30 ] || fail "idea $id not read back classified ($1): $out"
        sleep 1
    done
    log "   GET /api/v1/ideas/$id ($1): 200, classified: $(echo "$out" | grep -o '"themes":[^]]*]')"
}

s_stays_up() {
    sleep 20
    for c in $(s_names); do
        st=$(podman inspect "$c" --format '{{.State.Status}} {{.RestartCount}}')
        [ "$st" = "running 0" ] || { s_show "$c"; fail "$c did not stay up: $st"; }
    done
    s_wait_healthy
    log "   after 20 s: all 9 still running, none restarted, all healthy"
}

s_stop_down() {
    compose stop -t 30 >>"$work/compose.log" 2>&1 || fail "compose stop (see $work/compose.log)"
    for c in $(s_names); do
        st=$(podman inspect "$c" --format '{{.State.Status}} {{.State.ExitCode}}')
        [ "$st" = "exited 0" ] || { s_show "$c"; fail "$c after stop: $st (SIGTERM not handled cleanly?)"; }
    done
    compose down >>"$work/compose.log" 2>&1 || fail "compose down (see $work/compose.log)"
    [ -z "$(s_names)" ] || fail "containers left after down: $(s_names | xargs)"
    log "   stop: every container exited 0; down: none left, volumes kept"
}

s_stack() {
    log "4. docker-compose.yml through podman's Docker API (host ports $ports + port mod 1000)"
    s_compose_file
    s_start_engine
    s_up
    s_check_containers
    s_idea
    s_read_back "first up"
    s_stays_up
    s_stop_down
    log "4. second up on the same volumes"
    s_up
    s_read_back "second up"
}

s_base_images
s_context
s_image
s_stack
log "disk used in $work at the end: $(du -sh "$work" 2>/dev/null | cut -f1)"
log "passed in $(($(date +%s) - started)) s"
