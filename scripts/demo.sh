#!/usr/bin/env bash
# make demo: a local network of 20 nodes on loopback with some data, the live page on the
# first, and its URL printed. Ctrl-C stops every node (each leaves as on SIGTERM).
#   DEMO_NODES=20 DEMO_HTTP_PORT=8080 DEMO_VALUES=400 bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

NODES=${DEMO_NODES:-20}
HTTP_PORT=${DEMO_HTTP_PORT:-8080}
VALUES=${DEMO_VALUES:-400}
DHT=${DHT_BINARY:-./dht}
[ -x "$DHT" ] || { echo "demo: $DHT is missing; run make build first" >&2; exit 1; }

LOGS=$(mktemp -d "${TMPDIR:-/tmp}/dht-demo.XXXXXX")
PIDS=()
stop() {
    trap - INT TERM EXIT
    echo
    echo "Stopping ${#PIDS[@]} nodes..."
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
    rm -rf "$LOGS"
    echo "Stopped."
}
trap stop INT TERM EXIT

# The first node: the bootstrap, and the page.
"$DHT" 0 --bind 127.0.0.1 --no-repl --http "127.0.0.1:$HTTP_PORT" 2>"$LOGS/node-0.log" >/dev/null &
PIDS+=($!)
BOOTSTRAP=""
for _ in $(seq 1 100); do
    BOOTSTRAP=$(grep -o 'listening on UDP 127\.0\.0\.1:[0-9]*' "$LOGS/node-0.log" 2>/dev/null | grep -o '127[0-9.:]*' || true)
    [ -n "$BOOTSTRAP" ] && grep -q '^HTTP: ' "$LOGS/node-0.log" && break
    sleep 0.1
done
if [ -z "$BOOTSTRAP" ] || ! grep -q '^HTTP: ' "$LOGS/node-0.log"; then
    echo "demo: the first node did not start (is port $HTTP_PORT free? set DEMO_HTTP_PORT):" >&2
    cat "$LOGS/node-0.log" >&2
    exit 1
fi

for index in $(seq 1 $((NODES - 1))); do
    "$DHT" 0 --bind 127.0.0.1 --no-repl "$BOOTSTRAP" 2>"$LOGS/node-$index.log" >/dev/null &
    PIDS+=($!)
    sleep 0.05
done
sleep 1

API="http://127.0.0.1:$HTTP_PORT"
echo "Storing $VALUES values..."
for index in $(seq 1 "$VALUES"); do
    curl -s -o /dev/null -X PUT --data-binary "value $index, put at $(date +%T)" "$API/api/v1/keys/demo-$index" || true
done
curl -s -o /dev/null -X PUT --data-binary "sunny" "$API/api/v1/keys/weather" || true

cat <<TEXT

A network of $NODES nodes is running on 127.0.0.1, holding $VALUES values.
Open the page:  $API/
Try: look up the key 'weather', watch it, and in another terminal
     ./dht --api $API put weather "rain by noon"
     ./dht --api $API crawl
Press Ctrl-C to stop every node.
TEXT
wait "${PIDS[0]}"
