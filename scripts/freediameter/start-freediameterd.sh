#!/bin/sh
# Starts freeDiameterd as a test Charging Enabler (Diameter Base Accounting server, test_acct answers
# every ACR with ACA 2001) on 127.0.0.1:<port>, in the background, with every message dumped to the log.
#
# Usage: start-freediameterd.sh <run-dir> <port> <tls-port> [identity] [tls-dir]
#   run-dir   gets freeDiameter.conf, a self-signed certificate, acl_wl.conf, freediameterd.log and freediameterd.pid
#   identity  Diameter identity of the server, default ocs.localdomain (realm localdomain)
#   tls-dir   certificates made by scripts/tls/make-test-certs.sh: freeDiameter shows server.pem on <tls-port> (TLS
#             from connect, RFC 6733 §13) and requires a client certificate issued by ca.pem; without it a
#             self-signed certificate (freeDiameter needs one even when every peer uses plain TCP)
# Accepts clients whose Origin-Host matches *.localdomain. Exits non-zero when the daemon is not
# listening within 15 s. freeDiameter 1.2.1 ignores ListenOn and binds every interface.
set -eu

RUN_DIR="$1"
PORT="$2"
TLS_PORT="$3"
IDENTITY="${4:-ocs.localdomain}"
TLS_DIR="${5:-}"
HERE=$(cd "$(dirname "$0")" && pwd)
EXT=/usr/lib/freeDiameter
log() { echo "start-freediameterd: $*" >&2; }

command -v freeDiameterd >/dev/null 2>&1 || { log "freeDiameterd not installed (apt-get install freediameterd freediameter-extensions)"; exit 1; }
for ext in dict_nasreq dict_dcca dict_dcca_3gpp acl_wl dbg_msg_dumps; do
    [ -f "$EXT/$ext.fdx" ] || { log "$EXT/$ext.fdx missing (apt-get install freediameter-extensions)"; exit 1; }
done
if ! command -v openssl >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssl >&2
    else
        log "openssl missing"; exit 1
    fi
fi
TEST_ACCT=$("$HERE/build-test-acct.sh" | tail -n 1)

mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
if [ -f "$RUN_DIR/freediameterd.pid" ] && kill -0 "$(cat "$RUN_DIR/freediameterd.pid")" 2>/dev/null; then
    log "already running in $RUN_DIR (pid $(cat "$RUN_DIR/freediameterd.pid"))"
    exit 1
fi
if [ -n "$TLS_DIR" ]; then
    TLS_DIR=$(cd "$TLS_DIR" && pwd)
    CERT="$TLS_DIR/server.pem"; KEY="$TLS_DIR/server.key"; CA="$TLS_DIR/ca.pem"
else
    CERT="$RUN_DIR/cert.pem"; KEY="$RUN_DIR/key.pem"; CA="$CERT"
    if [ ! -s "$CERT" ]; then
        # freeDiameter needs TLS credentials even when every peer uses plain TCP
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$KEY" -out "$CERT" -days 3650 \
            -subj "/CN=$IDENTITY" >/dev/null 2>&1
    fi
fi
# ALLOW_IPSEC lets a client connect without TLS
echo "ALLOW_OLD_TLS ALLOW_IPSEC *.localdomain" > "$RUN_DIR/acl_wl.conf"
cat > "$RUN_DIR/freeDiameter.conf" <<CONF
Identity = "$IDENTITY";
Realm = "localdomain";
Port = $PORT;
SecPort = $TLS_PORT;
No_SCTP;
No_IPv6;
TLS_Cred = "$CERT", "$KEY";
TLS_CA = "$CA";
LoadExtension = "$EXT/dict_nasreq.fdx";
LoadExtension = "$EXT/dict_dcca.fdx";
LoadExtension = "$EXT/dict_dcca_3gpp.fdx";
LoadExtension = "$EXT/acl_wl.fdx" : "$RUN_DIR/acl_wl.conf";
LoadExtension = "$TEST_ACCT";
LoadExtension = "$EXT/dbg_msg_dumps.fdx" : "0x0080";
CONF

touch "$RUN_DIR/freediameterd.log"
LOG_START=$(($(wc -l < "$RUN_DIR/freediameterd.log") + 1))
# setsid: the daemon must not die with the shell that started it, and stop can signal it alone
setsid freeDiameterd -c "$RUN_DIR/freeDiameter.conf" >>"$RUN_DIR/freediameterd.log" 2>&1 </dev/null &
echo $! > "$RUN_DIR/freediameterd.pid"

i=0
while [ $i -lt 150 ]; do
    if ! kill -0 "$(cat "$RUN_DIR/freediameterd.pid")" 2>/dev/null; then
        log "freeDiameterd exited; last log lines:"; tail -n 20 "$RUN_DIR/freediameterd.log" >&2
        exit 1
    fi
    if tail -n +"$LOG_START" "$RUN_DIR/freediameterd.log" | grep -q "daemon initialized"; then
        log "freeDiameterd $IDENTITY listening on $PORT (pid $(cat "$RUN_DIR/freediameterd.pid"))"
        exit 0
    fi
    sleep 0.1
    i=$((i + 1))
done
log "freeDiameterd not listening on $PORT after 15 s"
exit 1
