#!/usr/bin/env bash
# Measures how many pings one node answers per second, against the kernel floor.
#   bash bench/ping/run.sh [SECONDS=5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds=${1:-5}
out=.build/ping
mkdir -p "$out"
cc -O2 -Wall -Wextra -o "$out/krpc_ping" bench/ping/krpc_ping.c
cc -O2 -Wall -Wextra -o "$out/udp_echo" bench/ping/udp_echo.c
swift build -c release --product dht >/dev/null

port_floor=$((20000 + RANDOM % 10000))
port_node=$((port_floor + 1))

"$out/udp_echo" "$port_floor" $((seconds + 5)) &
echo_pid=$!
# The node's stdin stays open (no REPL input) until the measurement ends.
# One socket sending 64 at a time is a flood by the default rate limits: raise them, so
# this measures what a node can answer.
sleep $((seconds + 5)) | "$(swift build -c release --show-bin-path)/dht" "$port_node" --bind 127.0.0.1 \
    --query-rate 10000000 --query-burst 10000000 >/dev/null &
node_pid=$!
trap 'kill $echo_pid $node_pid 2>/dev/null || true' EXIT
sleep 1

printf 'kernel floor (C echo): '
"$out/krpc_ping" 127.0.0.1 "$port_floor" "$seconds" 64
printf 'dht node:              '
"$out/krpc_ping" 127.0.0.1 "$port_node" "$seconds" 64
