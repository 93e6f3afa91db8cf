#!/usr/bin/env bash
# The store at scale: fetch latency, intake, start-up and heap with N recipients x M messages stored.
#   ./scripts/bench/store-scale.sh [recipients=100000] [messages-per-recipient=10] [jdbc-url (default: embedded SQLite)]
# Builds the jar first (the service's start-up and heap are measured on the full store).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q package -DskipTests
mvn -B -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.imdp.bench.StoreBenchmark -Dexec.args="${1:-100000} ${2:-10} ${3:-}"
