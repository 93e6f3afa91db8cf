#!/usr/bin/env bash
# The fault campaign's lossy link (issue 10, docs/fault-report.md): the service on one end of a veth pair, the IM
# Client (org.imdp.fault.LossyLinkPush: SIP over UDP, MSRP over TCP) in a network namespace on the other, with delay
# and loss on both directions of the link. Loopback cannot lose a packet; this link does.
#
#   ./scripts/fault/netem.sh [--recipients N] [--messages M] [--delay 50ms] [--loss 5] [--timeout S] [--no-build]
#
# Defaults: 50 recipients x 4 messages, 50ms delay, 5 % loss each way. The link is shaped with
# `tc qdisc ... netem delay D loss L%`; on a kernel without netem (CONFIG_NET_SCH_NETEM unset, as on the campaign's
# machine) the loss is made with nftables in the namespace (`numgen random mod 100 < L drop`, both directions) and
# no delay is added: the script says which it applied. The client prints one line (delivered, lost, duplicates,
# unmarked duplicates, time) and the script exits with its code: 1 when a message was lost or came again with
# another imdn.Message-ID. Needs root, iproute2 and nftables (./scripts/install-test-peers.sh). Charging is not on
# the link (the service's CH-1 peer is an unused loopback port: its records wait, as with a Charging Enabler down).
# Output in target/fault/netem/: the service's and the client's logs, and a capture of the service's end of the link.
set -euo pipefail
cd "$(dirname "$0")/../.."

recipients=50; messages=4; delay=50ms; loss=5; timeout=300; build=yes
while [ $# -gt 0 ]; do
    case "$1" in
        --recipients) recipients=$2; shift 2 ;;
        --messages) messages=$2; shift 2 ;;
        --delay) delay=$2; shift 2 ;;
        --loss) loss=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --no-build) build=no; shift ;;
        *) echo "netem.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "netem.sh: needs root (ip netns, tc, nft)" >&2; exit 1; }
for tool in ip tc nft java; do
    command -v "$tool" >/dev/null 2>&1 || { echo "netem.sh: $tool is missing; run ./scripts/install-test-peers.sh" >&2; exit 1; }
done

ns=imdp-fault-$$
outer=imdpf$$a
inner=imdpf$$b
service_ip=10.203.0.1
client_ip=10.203.0.2
sip_port=15060; msrp_port=12855; broker_port=16161
run=target/fault/netem
nft_table=imdp_fault_$$
service_pid=
capture_pid=

cleanup() {
    if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
        kill "$service_pid"; wait "$service_pid" 2>/dev/null || true
    fi
    if [ -n "$capture_pid" ]; then kill "$capture_pid" 2>/dev/null || true; wait "$capture_pid" 2>/dev/null || true; fi
    nft delete table netdev "$nft_table" 2>/dev/null || true
    ip link del "$outer" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if [ "$build" = yes ]; then
    echo "* building: mvn -B -q package -DskipTests"
    mvn -B -q package -DskipTests
fi
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/fault-classpath.txt >/dev/null

echo "* link: namespace $ns, veth $outer ($service_ip) <-> $inner ($client_ip)"
ip netns add "$ns"
ip link add "$outer" type veth peer name "$inner"
ip link set "$inner" netns "$ns"
ip addr add "$service_ip/30" dev "$outer"
ip link set "$outer" up
ip netns exec "$ns" ip addr add "$client_ip/30" dev "$inner"
ip netns exec "$ns" ip link set "$inner" up
ip netns exec "$ns" ip link set lo up

if tc qdisc add dev "$outer" root netem delay "$delay" loss "$loss%" 2>/dev/null; then
    ip netns exec "$ns" tc qdisc add dev "$inner" root netem delay "$delay" loss "$loss%"
    applied="netem delay $delay loss $loss% on each direction"
else
    # on the ingress of each end, so that a sender never learns of the drop (an output-hook drop fails its send
    # with EPERM); the root namespace's table hooks only this script's veth
    ip netns exec "$ns" nft -f - <<NFT
table netdev fault {
    chain toclient { type filter hook ingress device "$inner" priority 0; numgen random mod 100 < $loss drop; }
}
NFT
    nft -f - <<NFT
table netdev $nft_table {
    chain toservice { type filter hook ingress device "$outer" priority 0; numgen random mod 100 < $loss drop; }
}
NFT
    applied="loss $loss% on each direction (nftables on each end's ingress); no delay: this kernel has no netem"
fi
echo "* impairment: $applied"

rm -rf "$run"; mkdir -p "$run"
if command -v dumpcap >/dev/null 2>&1; then
    # what reached the service's end of the link (after the loss towards it, before the loss towards the client)
    dumpcap -q -i "$outer" -w "$run/link.pcapng" 2>/dev/null &
    capture_pid=$!
fi
echo "* service on $service_ip:$sip_port (MSRP $msrp_port), log $run/service.log"
java -Dimdp.sip.host=$service_ip -Dimdp.sip.port=$sip_port -Dimdp.msrp.host=$service_ip -Dimdp.msrp.port=$msrp_port \
    -Dimdp.broker.embedded.port=$broker_port -Dimdp.data-dir=$run/data -Dcamel.management.port=0 \
    -Dimdp.sip.trusted-nodes=$client_ip -Dimdp.sip.home-domains=$client_ip \
    -Dimdp.ch1.peers=127.0.0.1:1 -jar target/im-deferred-push-runner.jar > "$run/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 120); do
    grep -qsE "Apache Camel .* started" "$run/service.log" && break
    kill -0 "$service_pid" 2>/dev/null || { echo "netem.sh: the service exited, see $run/service.log" >&2; exit 1; }
    sleep 0.5
done
grep -qE "Apache Camel .* started" "$run/service.log" || { echo "netem.sh: the service did not start in 60 s" >&2; exit 1; }

echo "* client in $ns: $recipients recipients x $messages messages"
set +e
ip netns exec "$ns" java -cp "target/test-classes:target/classes:$(cat target/fault-classpath.txt)" \
    org.imdp.fault.LossyLinkPush --server "$service_ip:$sip_port" --local "$client_ip" \
    --recipients "$recipients" --messages "$messages" --timeout "$timeout" 2> "$run/client.log"
code=$?
set -e
echo "* service: $(grep -c 'Push to .* complete' "$run/service.log") push sessions complete, $(grep -c 'failed, its messages stay stored' "$run/service.log") failed"
echo "* client's errors (MESSAGE or REGISTER without a final answer): $run/client.log"
grep -E "^(MESSAGE|REGISTER) " "$run/client.log" | head -5 || true
exit $code
