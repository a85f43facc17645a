#!/usr/bin/env bash
# Issue 16's bulk import on loopback: five nodes (four joined through the first), a sixth
# that puts N values of 100 bytes from piped stdin and quits, then prints the import time
# and how many nodes took each put.
#   bash bench/import/run.sh [N] [PIPELINE] [BASE_PORT] [DHT_BINARY]
set -euo pipefail
N=${1:-5000}; PIPELINE=${2:-1}; BASE=${3:-9100}
BIN=${4:-$(cd "$(dirname "$0")/../.." && pwd)/dht}
WORK=$(mktemp -d)
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for i in 1 2 3 4 5; do
    port=$((BASE + i)); seed=(); [ "$i" = 1 ] || seed=("127.0.0.1:$((BASE + 1))")
    "$BIN" "$port" "${seed[@]}" --bind 127.0.0.1 --no-repl 2>"$WORK/node-$port.err" &
    pids+=($!)
    disown
    sleep 0.2
done
sleep 2
python3 -c "
import sys
for i in range($N): print(f'put bulk{i} ' + 'x' * 100)
" > "$WORK/puts.txt"
start=$(date +%s.%N)
"$BIN" $((BASE + 6)) "127.0.0.1:$((BASE + 1))" --bind 127.0.0.1 --json --pipeline "$PIPELINE" \
    < "$WORK/puts.txt" > "$WORK/replies.txt" 2>"$WORK/importer.err"
end=$(date +%s.%N)
python3 - "$WORK/replies.txt" "$start" "$end" "$N" <<'PY'
import json, sys
path, start, end, n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
stored = {}
for line in open(path):
    reply = json.loads(line)
    if reply.get("op") == "put":
        stored[reply.get("stored_at", 0)] = stored.get(reply.get("stored_at", 0), 0) + 1
seconds = end - start
print(f"{n} puts in {seconds:.2f} s ({n / seconds:.0f} puts/s, importer start and leave included); "
      f"nodes that took each put: {dict(sorted(stored.items()))}")
PY
