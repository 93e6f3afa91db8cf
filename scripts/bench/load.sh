#!/usr/bin/env bash
# The load benchmark against the incumbent, Kamailio msilo (see docs/performance.md, "The load benchmark: against Kamailio msilo").
#
#   ./scripts/bench/load.sh [--rounds R] [--recipients N] [--messages M] [--in-flight F] [--warmup W]
#                           [--warmup-messages K] [--warmup-cycles C] [--profile] [--no-build]
#
# Defaults: 1 round, 1000 recipients x 10 messages, 10 MESSAGEs in flight, after a warm-up of the jar (not measured):
# cycles of intake and delivery for as many other recipients and messages (W x K, --warmup 0: none) until a cycle
# spends under 5 % of the jar's CPU in the JIT compiler, at most C = 10. --profile records JFR in the jar
# during the first intake and delivery phases and prints the top costs. --no-build uses the jar and test classes as built.
# Extra JVM options for the jar (e.g. new store keys as -D...): BENCH_JAVA_OPTS="-Xmx2g -Dimdp.x=y".
# Needs the test peers (./scripts/install-test-peers.sh, as root on Debian 12) and capture rights on lo.
# Every process it starts it stops, also on Ctrl-C; output (logs, captures, recordings) in target/bench/.
# Exit code 1 when im-deferred-push lost, duplicated or reordered a message, left one stored, did not charge
# a session exactly once, or its run failed (the incumbent's failures are reported without failing the run).
set -euo pipefail
cd "$(dirname "$0")/../.."

build=yes
args=()
for a in "$@"; do
    if [ "$a" = "--no-build" ]; then build=no; else args+=("$a"); fi
done

for tool in sipp kamailio dumpcap tshark sqlite3 freeDiameterd; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
        echo "load.sh: $tool is missing; run ./scripts/install-test-peers.sh (as root)" >&2; exit 1; }
done
if [ "$build" = yes ]; then
    echo "* building: mvn -B -q package -DskipTests (the jar and the benchmark's classes)"
    mvn -B -q package -DskipTests
fi
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
# exec: Ctrl-C reaches the benchmark's JVM, whose shutdown hook stops every server it started
exec java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    org.imdp.bench.LoadBenchmark ${args[@]+"${args[@]}"}
