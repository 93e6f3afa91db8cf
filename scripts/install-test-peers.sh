#!/usr/bin/env bash
# Installs the real third-party peers the end-to-end tests run against (Debian 12, as root):
#   sipp (sip-tester) as the IM Client's SIP side and as intake UAC, kamailio (msrp module) as the
#   IM Client's MSRP side (kamailio-tls-modules: also over TLS, msrps), tshark as the wire-format judge, freeDiameter as the Charging Enabler,
#   plus the tools to build freeDiameter's test_acct extension (scripts/freediameter/build-test-acct.sh),
#   and PostgreSQL (the production store; tests start their own server on a free port, as user postgres).
#   For the load benchmark (scripts/bench/load.sh): the incumbent, Kamailio msilo on SQLite
#   (kamailio-sqlite-modules, sqlite3 to create its WAL database).
#   And iperf3, the loopback TCP reference of the push benchmark (scripts/bench/push.sh).
#   And iproute2 (ip netns, veth, tc netem) and nftables (random loss where the kernel has no netem) for the fault
#   campaign's lossy link (scripts/fault/netem.sh).
#   And chromium with chromium-driver, the browser HawtioIT drives through Hawtio (scripts/hawtio.sh).
#   And prometheus for its promtool, which checks and unit-tests the alert rules of docs/operations.md.
# Idempotent and quick: apt is not touched when every package is already installed.
set -euo pipefail

PACKAGES=(sip-tester tshark kamailio kamailio-sqlite-modules kamailio-tls-modules sqlite3
          freediameter freediameterd freediameter-extensions libfreediameter-dev
          openssl dpkg-dev gcc libc6-dev postgresql iperf3 iproute2 nftables chromium chromium-driver
          prometheus)
BINARIES=(sipp tshark dumpcap kamailio sqlite3 freeDiameterd openssl dpkg-source gcc runuser iperf3 ip tc nft
          chromium chromedriver promtool)
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { echo "install-test-peers: $*"; }

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# kamailio lives in /usr/sbin, which is not on a normal user's PATH
have() {
    command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}

missing=()
for p in "${PACKAGES[@]}"; do
    installed "$p" || missing+=("$p")
done
for b in "${BINARIES[@]}"; do
    have "$b" || { log "binary $b not found"; missing+=("$b"); }
done

if [ ${#missing[@]} -eq 0 ]; then
    log "all packages present, skipping apt"
else
    if [ "$(id -u)" -ne 0 ]; then
        log "missing: ${missing[*]}; run this script as root (it uses apt-get)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # tshark's postinst asks whether non-root users may capture; answer it up front so apt never blocks
    log "preseeding wireshark-common/install-setuid=false"
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    log "apt-get update"
    apt-get update -q
    log "apt-get install ${PACKAGES[*]}"
    apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
fi

for b in "${BINARIES[@]}"; do
    have "$b" || { log "$b is still missing after apt-get install" >&2; exit 1; }
done
# the MSRP peer needs Kamailio's msrp module (main package); the benchmark's incumbent msilo (main
# package) on db_sqlite (kamailio-sqlite-modules); tls (kamailio-tls-modules) for the MSRP peer over TLS
for module in msrp msilo db_sqlite tls; do
    if ! compgen -G "/usr/lib/*/kamailio/modules/$module.so" >/dev/null; then
        log "kamailio $module.so module not found under /usr/lib/*/kamailio/modules" >&2
        exit 1
    fi
done

log "$(sipp -v 2>&1 | grep -m1 -o 'SIPp v[^ ]*')"
log "$(PATH="$PATH:/usr/sbin:/sbin" kamailio -v 2>/dev/null | head -1)"
log "$(tshark -v 2>/dev/null | head -1)"
log "freeDiameterd $(dpkg-query -W -f='${Version}' freediameterd)"
log "$(iperf3 --version 2>/dev/null | head -1)"
log "$(chromium --version 2>/dev/null | head -1), $(chromedriver --version 2>/dev/null | head -1)"

BUILD_TEST_ACCT="$SCRIPT_DIR/freediameter/build-test-acct.sh"
if [ -x "$BUILD_TEST_ACCT" ]; then
    log "building freeDiameter test_acct extension: $BUILD_TEST_ACCT"
    "$BUILD_TEST_ACCT"
fi
log "done"
