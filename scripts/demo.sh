#!/usr/bin/env bash
# One-command demo: the service on its embedded defaults (SIP 5060, MSRP 2855, management 9876, embedded
# Artemis on 61616), SIPp + Kamailio msrp as bob's IM Client and freeDiameter as the Charging Enabler, all through
# the public interfaces (SIP, MSRP, Diameter). Stores two messages from alice, registers bob, and prints the
# 8-step ladder of the push as tshark saw it on the loopback interface.
#
# Needs the test peers (./scripts/install-test-peers.sh, as root on Debian 12) and capture rights for tshark
# on lo. Ports 5060, 2855, 9876 and 61616 must be free, or choose others, e.g.
#   DEMO_SIP_PORT=5070 DEMO_MSRP_PORT=2865 DEMO_MANAGEMENT_PORT=9886 DEMO_BROKER_PORT=61626 ./scripts/demo.sh
# (the peers of the demo, SIPp, Kamailio and freeDiameter, take free ports of their own).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in sipp kamailio tshark freeDiameterd; do
    command -v "$tool" > /dev/null || { echo "demo: $tool is missing; run ./scripts/install-test-peers.sh (as root)" >&2; exit 1; }
done
if [ ! -f target/im-deferred-push-runner.jar ]; then
    echo "* building the service: mvn -B -q package -DskipTests"
    mvn -B -q package -DskipTests
fi
mvn -B -q test-compile
exec mvn -B -q exec:java -Dexec.mainClass=org.imdp.ops.demo.PushDemo -Dexec.classpathScope=test
