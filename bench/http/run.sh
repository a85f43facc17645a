#!/usr/bin/env bash
# The HTTP face under load, on loopback:
#  1. GET of a stored key with 16 keep-alive connections (wrk), our node's API beside
#     OpenDHT's proxy (Debian's dhtnode --proxyserver), each in front of a 3-node network,
#     alternating runs;
#  2. what a /metrics scrape costs our node (wrk, one connection);
#  3. the node's memory with 16 event streams open.
# Usage: bash bench/http/run.sh [SECONDS_PER_RUN] [RUNS]   (needs wrk and dhtnode: apt-get install wrk dhtnode)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
DURATION=${1:-10}
RUNS=${2:-3}
DHT=${DHT_BINARY:-.build/release/dht}
command -v wrk >/dev/null && command -v dhtnode >/dev/null || { echo "needs wrk and dhtnode (apt-get install wrk dhtnode)"; exit 1; }
[ -x "$DHT" ] || swift build -c release --product dht
WORK=$(mktemp -d)
PIDS=()
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# Ours: three nodes, the first with the API on 18080.
"$DHT" 18001 --bind 127.0.0.1 --no-repl --http 18080 2>"$WORK/ours-1.err" & PIDS+=($!)
sleep 1
for port in 18002 18003; do "$DHT" $port 127.0.0.1:18001 --bind 127.0.0.1 --no-repl 2>/dev/null & PIDS+=($!); done
# OpenDHT: three dhtnodes, the first with the proxy on 18090.
dhtnode -d -p 14222 --proxyserver 18090 >/dev/null 2>&1 & PIDS+=($!)
sleep 1
for port in 14223 14224; do dhtnode -d -p $port -b 127.0.0.1:14222 >/dev/null 2>&1 & PIDS+=($!); done
sleep 3

HASH=$(printf hello | sha1sum | cut -c1-40)
curl -s -X PUT --data-binary world http://127.0.0.1:18080/api/v1/keys/hello >/dev/null
curl -s -X POST -d '{"data":"d29ybGQ="}' "http://127.0.0.1:18090/$HASH" >/dev/null
curl -s http://127.0.0.1:18080/api/v1/keys/hello | grep -q '"value":"world"' || { echo "ours did not store the key"; exit 1; }
curl -s "http://127.0.0.1:18090/$HASH" | grep -q 'd29ybGQ=' || { echo "OpenDHT's proxy did not store the key"; exit 1; }

# Prints "requests/s p50" for one wrk run.
measure() {
    wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"${DURATION}s" --latency "$1" > "$WORK/wrk.out"
    awk '/Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } END { print rps, p50 }' "$WORK/wrk.out"
}

echo "| run | ours: requests/s | ours: p50 | OpenDHT proxy: requests/s | OpenDHT proxy: p50 |"
echo "| --- | ---: | ---: | ---: | ---: |"
for run in $(seq 1 "$RUNS"); do
    read -r ours_rps ours_p50 < <(measure http://127.0.0.1:18080/api/v1/keys/hello 16)
    read -r theirs_rps theirs_p50 < <(measure "http://127.0.0.1:18090/$HASH" 16)
    echo "| $run | $ours_rps | $ours_p50 | $theirs_rps | $theirs_p50 |"
done

read -r scrape_rps scrape_p50 < <(measure http://127.0.0.1:18080/metrics 1)
echo
echo "/metrics, one connection: $scrape_rps scrapes/s, p50 $scrape_p50 (one scrape a second costs 1/$scrape_rps of a second)"

NODE=${PIDS[0]}
rss() { awk '/VmRSS/ { print $2 }' "/proc/$NODE/status"; }
before=$(rss)
STREAMS=()
for _ in $(seq 1 16); do curl -sN http://127.0.0.1:18080/api/v1/events >/dev/null & STREAMS+=($!); done
sleep 3
after=$(rss)
kill "${STREAMS[@]}" 2>/dev/null || true
echo "16 event streams open: RSS $before -> $after KiB, $(( (after - before) / 16 )) KiB a stream"
