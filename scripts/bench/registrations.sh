#!/usr/bin/env bash
# The registrations in the store at scale: the per-MESSAGE contactOf lookup, a REGISTER's refresh and a new
# recipient's REGISTER with N registrations stored, next to references measured in the same run.
#   ./scripts/bench/registrations.sh [registrations=100000] [jdbc-url, or postgres: a server of its own (default: embedded SQLite)]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q test-compile
mvn -B -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.imdp.bench.RegistrationBenchmark -Dexec.args="${1:-100000} ${2:-}"
