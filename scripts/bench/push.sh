#!/usr/bin/env bash
# Push benchmark, from the project root: a large message end to end through the packaged jar to SIPp and
# Kamailio's msrp module as the IM Client, against loopback TCP measured with iperf3 in the same run
# (org.imdp.bench.PushThroughputBenchmark). Needs the peers of ./scripts/install-test-peers.sh (iperf3 included).
#   ./scripts/bench/push.sh [rounds, default 5] [megabytes, default 10]
# Builds target/im-deferred-push-runner.jar first when it is missing; set BENCH_REBUILD=1 to rebuild it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export PATH="$PATH:/usr/sbin:/sbin"
rounds="${1:-5}"
megabytes="${2:-10}"
if [ ! -f target/im-deferred-push-runner.jar ] || [ "${BENCH_REBUILD:-0}" = 1 ]; then
    mvn -B -q package -DskipTests
fi
exec mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
    -Dexec.mainClass=org.imdp.bench.PushThroughputBenchmark -Dexec.args="$rounds $megabytes"
