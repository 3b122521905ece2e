#!/bin/sh
# install-deps.sh - install the Debian 12 packages inspraak needs to build,
# run and test. Idempotent and quick when everything is present: it asks dpkg
# first and calls apt-get only for what is missing.
#
# Usage: deploy/install-deps.sh [build|run|test]
#   build  only what `make build` reads: gcc, make, pkg-config, the -dev
#          packages, and the data the model training at build time reads
#          (libexttextcat-data: bin/classify-train stops without its
#          fingerprints; hunspell-nl: without it the model is trained
#          silently without compound parts). The image's build stage
#          (deploy/Dockerfile) uses this: no Chromium, no Redis, no curl.
#   run    build + runtime packages (make run, the default): Redis, curl,
#          tzdata (pages show Heerlen time: Europe/Amsterdam),
#          ca-certificates, Chromium for /report?format=pdf
#   test   run + the test peers: Dovecot, aiosmtpd, Redis Sentinel, wrk,
#          cmocka, clang, poppler-utils (pdftotext: the report PDF's text),
#          (make test)
set -eu

want_build="gcc make pkg-config zlib1g-dev libzmq3-dev libmsgpack-dev
 libhiredis-dev libmicrohttpd-dev libjansson-dev libsodium-dev libgmime-3.0-dev
 libcurl4-openssl-dev libstemmer-dev libexttextcat-dev libexttextcat-data
 libhunspell-dev hunspell-nl libidn2-dev libcsv-dev"
want_run="$want_build ca-certificates curl tzdata redis-server redis-tools chromium"
want_test="libcmocka-dev dovecot-imapd python3-aiosmtpd redis-sentinel wrk
 libclang-rt-14-dev clang python3 jq nodejs npm docker-compose python3-yaml
 python3-redis poppler-utils"

case "${1:-run}" in
build) want="$want_build" ;;
run) want="$want_run" ;;
test) want="$want_run $want_test" ;;
*)
    echo "usage: deploy/install-deps.sh [build|run|test]" >&2
    exit 2
    ;;
esac

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
