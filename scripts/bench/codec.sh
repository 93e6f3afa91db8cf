#!/usr/bin/env bash
# Runs the JMH benchmarks of the MSRP and Diameter codecs (src/test/java/org/imdp/bench: MsrpCodecBenchmark,
# DiameterCodecBenchmark and the EmbeddedChannelBaseline to subtract), from the project root:
#   ./scripts/bench/codec.sh                      # 1 fork, 3 warm-up and 5 measured iterations, -prof gc
#   ./scripts/bench/codec.sh -f 3 -prof gc Msrp   # any JMH options and benchmark regexps instead
# JMH forks its own JVM with the test class path (exec:exec, not exec:java, whose class path a fork cannot see).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [ $# -eq 0 ]; then
    set -- -f 1 -wi 3 -i 5 -prof gc
fi
exec mvn -B -q test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
    "-Dexec.args=-cp %classpath org.openjdk.jmh.Main $*"
