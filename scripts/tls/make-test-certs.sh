#!/bin/sh
# Makes test certificates for TLS on SIP, MSRP and CH-1 (Diameter): a CA and two certificates it signs,
# each for 127.0.0.1 and localhost (both can serve and be a client: EKU serverAuth and clientAuth).
# For testing only: the private keys are not encrypted in the .pem files and the stores' password is given.
#
# Usage: make-test-certs.sh <dir> [password] [server-name] [client-name]
#   dir          created if missing; an existing set in it is kept (delete the directory to make a new one)
#   password     of the PKCS#12 stores, default changeit
#   server-name  DNS name added to the server certificate (CN and subjectAltName), default ocs.localdomain
#   client-name  DNS name of the client certificate (CN and subjectAltName), default im-deferred.localdomain
#
# Writes into <dir>:
#   ca.pem, ca.key                      the CA
#   server.pem, server.key, server.p12  server certificate (SAN DNS:<server-name>, DNS:localhost, IP:127.0.0.1)
#   client.pem, client.key, client.p12  client certificate (SAN DNS:<client-name>, DNS:localhost, IP:127.0.0.1)
#   truststore.p12                      the CA only, as a Java trust store (alias ca)
# The .p12 stores are PKCS#12 with the key under alias "server" / "client"; point imdp.tls.keystore at one
# and imdp.tls.truststore at truststore.p12 (docs/security.md, "TLS").
set -eu

DIR="$1"
PASSWORD="${2:-changeit}"
SERVER_NAME="${3:-ocs.localdomain}"
CLIENT_NAME="${4:-im-deferred.localdomain}"
DAYS=3650
log() { echo "make-test-certs: $*" >&2; }

command -v openssl >/dev/null 2>&1 || { log "openssl missing (apt-get install openssl)"; exit 1; }
command -v keytool >/dev/null 2>&1 || { log "keytool missing (a JDK 17 is needed)"; exit 1; }

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
if [ -s "$DIR/truststore.p12" ] && [ -s "$DIR/server.p12" ] && [ -s "$DIR/client.p12" ]; then
    log "certificates already in $DIR"
    exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" -keyout "$DIR/ca.key" -out "$DIR/ca.pem" \
    -subj "/CN=im-deferred-push test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

# <name> <dns name>: a key and a certificate signed by the CA, and a PKCS#12 store with both and the CA
issue() {
    cat > "$TMP/$1.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:$2,DNS:localhost,IP:127.0.0.1
EXT
    openssl req -new -newkey rsa:2048 -nodes -keyout "$DIR/$1.key" -out "$TMP/$1.csr" -subj "/CN=$2" 2>/dev/null
    openssl x509 -req -sha256 -days "$DAYS" -in "$TMP/$1.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca.key" \
        -set_serial "0x$(openssl rand -hex 8)" -extfile "$TMP/$1.ext" -out "$DIR/$1.pem" 2>/dev/null
    rm -f "$DIR/$1.p12"
    openssl pkcs12 -export -name "$1" -inkey "$DIR/$1.key" -in "$DIR/$1.pem" -certfile "$DIR/ca.pem" \
        -out "$DIR/$1.p12" -passout "pass:$PASSWORD"
}
issue server "$SERVER_NAME"
issue client "$CLIENT_NAME"

rm -f "$DIR/truststore.p12"
keytool -importcert -noprompt -alias ca -file "$DIR/ca.pem" -keystore "$DIR/truststore.p12" -storetype PKCS12 \
    -storepass "$PASSWORD" >/dev/null 2>&1
chmod 600 "$DIR"/*.key
log "CA, server ($SERVER_NAME) and client ($CLIENT_NAME) certificates in $DIR"
