#!/bin/sh
# Stops the freeDiameterd started by start-freediameterd.sh in <run-dir>: SIGTERM (it sends DPR to its
# peers and exits), SIGKILL after 10 s. Usage: stop-freediameterd.sh <run-dir> [--kill]
#   --kill  SIGKILL at once, as a crash would
set -eu
RUN_DIR="$1"
PID_FILE="$RUN_DIR/freediameterd.pid"
[ -f "$PID_FILE" ] || exit 0
PID=$(cat "$PID_FILE")
if [ "${2:-}" = "--kill" ]; then
    kill -KILL "$PID" 2>/dev/null || true
else
    kill -TERM "$PID" 2>/dev/null || true
fi
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -KILL "$PID" 2>/dev/null || true
rm -f "$PID_FILE"
