#!/bin/sh
# install-deps.sh - install the Debian 12 packages inspraak needs to build,
# run and test. Idempotent and quick when everything is present: it asks dpkg
# first and calls apt-get only for what is missing.
#
# Usage: deploy/install-deps.sh [run|test]
#   run   build + runtime packages (make run), Chromium for /report?format=pdf
#   test  also the test peers: Dovecot, aiosmtpd, Redis Sentinel, wrk (make test)
set -eu

want_run="gcc make pkg-config ca-certificates curl zlib1g-dev
 libzmq3-dev libmsgpack-dev libhiredis-dev libmicrohttpd-dev libjansson-dev
 libsodium-dev libgmime-3.0-dev libcurl4-openssl-dev libstemmer-dev
 libexttextcat-dev libexttextcat-data libhunspell-dev hunspell-nl redis-server
 redis-tools chromium"
want_test="libcmocka-dev dovecot-imapd python3-aiosmtpd redis-sentinel wrk
 libclang-rt-14-dev clang python3 jq nodejs npm docker-compose python3-yaml
 python3-redis"

want="$want_run"
[ "${1:-run}" = "test" ] && want="$want_run $want_test"

missing=""
# Some tools may come from outside Debian (Node.js from NodeSource bundles
# npm, Python from pyenv); when their command is there, the Debian package
# is not needed and may even conflict with what is installed.
s_have_command() {
    case "$1" in
    nodejs) command -v node >/dev/null 2>&1 ;;
    npm | python3) command -v "$1" >/dev/null 2>&1 ;;
    *) return 1 ;;
    esac
}

for p in $want; do
    s_have_command "$p" && continue
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-deps: these Debian packages are missing:$missing" >&2
        echo "install-deps: run this script as root (or install sudo), or install them:" >&2
        echo "  apt-get install$missing" >&2
        exit 1
    fi
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
