#!/bin/sh
# Builds freeDiameter's test_acct.fdx (a Diameter Base Accounting server that answers every ACR
# with ACA 2001) from Debian's own source package, matching the installed libfdcore version.
# Debian ships no accounting server extension, so the CH-1 integration tests need this one.
#
# Usage: build-test-acct.sh [output-dir]
#   output-dir defaults to $FREEDIAMETER_TEST_CACHE or ~/.cache/imdp/freediameter.
# Prints the path of test_acct.fdx on stdout (last line). Idempotent: does nothing when the
# extension for the installed version is already there.
# Needs root only when build tools are missing (installs gcc, libc6-dev, dpkg-dev with apt-get).
set -eu

OUT="${1:-${FREEDIAMETER_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imdp/freediameter}}"
log() { echo "build-test-acct: $*" >&2; }

if ! dpkg-query -W -f='${Status}' libfreediameter-dev 2>/dev/null | grep -q 'install ok installed'; then
    log "libfreediameter-dev is not installed (apt-get install freediameter freediameterd freediameter-extensions libfreediameter-dev)"
    exit 1
fi
# the extension must be built from the same source version as the installed libfdcore
SRC_VERSION=$(dpkg-query -W -f='${source:Version}' libfreediameter-dev)
TARGET="$OUT/$SRC_VERSION/test_acct.fdx"
if [ -s "$TARGET" ]; then
    echo "$TARGET"
    exit 0
fi

# one build at a time per cache (test JVMs may start in parallel)
mkdir -p "$OUT/$SRC_VERSION"
exec 9>"$OUT/$SRC_VERSION/.lock"
flock 9
if [ -s "$TARGET" ]; then
    echo "$TARGET"
    exit 0
fi

missing=""
command -v gcc >/dev/null 2>&1 || missing="$missing gcc libc6-dev"
command -v dpkg-source >/dev/null 2>&1 || missing="$missing dpkg-dev"
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        log "missing build tools:$missing (run as root or install them)"
        exit 1
    fi
    log "installing$missing"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >&2
fi

WORK="$OUT/$SRC_VERSION/work"
rm -rf "$WORK"
mkdir -p "$WORK/lists/partial" "$WORK/archives/partial"

# A private deb-src list: the system's deb822 stanzas with Types: deb-src, and apt state kept
# in the work directory so the system's own package lists stay untouched.
# (Debian 12 images use deb822 debian.sources; older installs a one-line sources.list)
if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    SOURCE_LIST="$WORK/deb-src.sources"
    sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$SOURCE_LIST"
elif [ -r /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list; then
    SOURCE_LIST="$WORK/deb-src.list"
    sed -n -e 's/^deb /deb-src /p' /etc/apt/sources.list > "$SOURCE_LIST"
else
    log "neither /etc/apt/sources.list.d/debian.sources nor /etc/apt/sources.list: cannot derive a deb-src source"
    exit 1
fi
APT_OPTS="-o Dir::Etc::SourceList=$SOURCE_LIST -o Dir::Etc::SourceParts=/dev/null \
 -o Dir::State::Lists=$WORK/lists -o Dir::Cache::Archives=$WORK/archives \
 -o Debug::NoLocking=true -o APT::Sandbox::User=root"

log "fetching Debian source package freediameter=$SRC_VERSION"
# shellcheck disable=SC2086
apt-get $APT_OPTS -q update >&2
cd "$WORK"
# shellcheck disable=SC2086
apt-get $APT_OPTS -q source --download-only "freediameter=$SRC_VERSION" >&2
dpkg-source -x ./freediameter_*.dsc src >&2

log "compiling test_acct.fdx"
gcc -shared -fPIC -O2 -o "$WORK/test_acct.fdx" src/extensions/test_acct/test_acct.c -lfdcore -lfdproto >&2
mv "$WORK/test_acct.fdx" "$TARGET"
cd "$OUT"
rm -rf "$WORK"
log "built $TARGET"
echo "$TARGET"
