#!/usr/bin/env bash
# Hawtio 4 for the running service, on one command from the project root:
#   scripts/hawtio.sh [port]            (default 8090; open http://127.0.0.1:<port>/hawtio/)
# Hawtio's war (io.hawt:hawtio-war) in an embedded Tomcat on 127.0.0.1, with a connection to the service's Jolokia
# (http://<camel.management.host>:<camel.management.port>/observe/jolokia, read from config/application.properties,
# -D... in JAVA_OPTS and the environment, CAMEL_MANAGEMENT_PORT etc., as the service reads them) chosen for you: log in
# with imdp.management.user / imdp.management.password. Everything comes from Maven Central (test scope of this
# project: nothing of it is in the service's jar). Ctrl-C (or SIGTERM) stops Tomcat and the script.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${1:-8090}"
cd "$ROOT"

# compiles the launcher (test scope), copies the war to target/hawtio/ and writes the classpath that runs it
if [ ! -f target/hawtio/hawtio.war ] || [ ! -f target/hawtio/classpath.txt ] \
        || [ ! -f target/test-classes/org/imdp/ops/hawtio/HawtioConsole.class ]; then
    echo "hawtio: building the launcher (mvn -B -q test-compile)"
    mvn -B -q test-compile
fi

# exec: the JVM is the script's process, so Ctrl-C and SIGTERM reach it and its shutdown hook stops Tomcat
# shellcheck disable=SC2086
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" ${JAVA_OPTS:-} -cp "target/test-classes:$(cat target/hawtio/classpath.txt)" \
    org.imdp.ops.hawtio.HawtioConsole "$PORT"
