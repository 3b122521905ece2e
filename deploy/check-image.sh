#!/bin/sh
# NAME
#   deploy/check-image.sh - check deploy/Dockerfile's two stages without a
#   container engine
#
# SYNOPSIS
#   deploy/check-image.sh [DIR]        (as root; DIR: where the two Debian
#                                       trees and the logs go, kept after;
#                                       default a new folder under /tmp,
#                                       removed after)
#
# DESCRIPTION
#   Where no Docker daemon runs (this project's build machines), the image
#   cannot be built; this does the same steps in a chroot of a fresh
#   Debian 12 made by debootstrap (minbase, from the machine's Debian
#   mirror), in the Dockerfile's order:
#     1. build stage: the working tree's files (those git tracks or would
#        add) in /src, `deploy/install-deps.sh` with the mode the
#        Dockerfile's build stage gives it (`build`; read from the
#        Dockerfile, so the two cannot drift), `make clean && make build`;
#     2. runtime stage: a second fresh Debian 12 with only the packages the
#        Dockerfile's runtime stage installs (read from the Dockerfile, so
#        the two cannot drift), /opt/inspraak/{bin,data,web/field} copied
#        from stage 1 as the Dockerfile copies them; then `ldd` of every
#        program must resolve every library, and bin/classify, with the
#        image's INSPRAAK_DATA, must classify one idea.
#   Exit 0 when both stages pass; 1 with the reason otherwise. Not part of
#   `make test` (it downloads ~300 MB of packages and needs root); run it
#   after changing the Dockerfile, install-deps.sh or the libraries the
#   programs link against. What it cannot check: Docker itself (layers,
#   USER, VOLUME, the compose file's limits).
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "check-image: run as root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
keep=${1:+1}
work=${1:-$(mktemp -d /tmp/check-image.XXXXXX)}
mkdir -p "$work"
cleanup() {
    for r in "$work/build" "$work/run"; do umount "$r/proc" 2>/dev/null || true; done
    [ -n "$keep" ] || rm -rf "$work"
}
trap 'cleanup' EXIT
fail() { echo "check-image: $*" >&2; exit 1; }

s_rootfs() { # dir
    debootstrap --variant=minbase bookworm "$1" "$mirror" >"$work/$(basename "$1").log" 2>&1 ||
        fail "debootstrap of $1 failed (see $work/$(basename "$1").log)"
    cp /etc/resolv.conf "$1/etc/resolv.conf"
    mount -t proc proc "$1/proc"
}

# the package set the Dockerfile's build stage installs (install-deps.sh MODE)
mode=$(sed -n 's|^RUN deploy/install-deps\.sh \([a-z]*\)$|\1|p' deploy/Dockerfile)
[ "$(echo "$mode" | wc -w)" = 1 ] ||
    fail "no single 'RUN deploy/install-deps.sh MODE' line in deploy/Dockerfile"
echo "check-image: build stage (Debian 12, install-deps.sh $mode, make build)" >&2
s_rootfs "$work/build"
mkdir -p "$work/build/src"
# the tree as it is (tracked and new files, not what .gitignore names), so
# a change to the Dockerfile or install-deps.sh is checked before a commit
git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -x -C "$work/build/src"
chroot "$work/build" sh -c "cd /src && deploy/install-deps.sh $mode && make clean && make build" \
    >"$work/build-stage.log" 2>&1 || fail "build stage failed (see $work/build-stage.log)"

echo "check-image: runtime stage (Debian 12 with the Dockerfile's packages only)" >&2
pkgs=$(sed -n '/^FROM debian:12-slim/,/rm -rf/p' "$work/build/src/deploy/Dockerfile" |
    grep -v 'FROM\|apt-get\|DEBIAN_FRONTEND\|rm -rf' | tr -d '\\' | xargs)
[ -n "$pkgs" ] || fail "no runtime package list found in deploy/Dockerfile"
s_rootfs "$work/run"
chroot "$work/run" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends $pkgs" >"$work/run-stage.log" 2>&1 ||
    fail "runtime packages did not install (see $work/run-stage.log)"
mkdir -p "$work/run/opt/inspraak/web"
cp -r "$work/build/src/bin" "$work/build/src/data" "$work/run/opt/inspraak/"
cp -r "$work/build/src/services/intake-field/web" "$work/run/opt/inspraak/web/field"
missing=$(chroot "$work/run" sh -c 'for b in /opt/inspraak/bin/*; do
    ldd "$b" | sed -n "s|^[[:space:]]*\([^ ]*\) => not found|$b: \1|p"; done')
[ -z "$missing" ] || fail "libraries the runtime stage lacks:
$missing"
answer=$(echo '{"id":"x","text":"Graag een openbare wc bij het Pancratiusplein."}' |
    chroot "$work/run" env INSPRAAK_DATA=/opt/inspraak/data /opt/inspraak/bin/classify)
case "$answer" in
*'"wijk":"WK091733"'*'"language":"nl"'*) ;;
*) fail "bin/classify in the runtime stage answered: $answer" ;;
esac
echo "check-image: both stages pass ($(ls "$work/run/opt/inspraak/bin" | wc -l) programs," \
    "packages: $pkgs)" >&2
