#!/usr/bin/env bash
# Runs the workload on the in-memory network at growing N and prints a markdown table.
#   bash bench/scale/run.sh [N ...]        (default: 1000 10000 100000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
swift build -c release --product dht-bench >/dev/null
bench="$(swift build -c release --show-bin-path)/dht-bench"
out=.build/scale
mkdir -p "$out"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
for n in "${sizes[@]}"; do
    echo "running N=$n ..." >&2
    "$bench" --transport memory --nodes "$n" --puts 1000 --gets 1000 --no-concurrent --seed 1 --join-batch 64 > "$out/scale-$n.json"
done
python3 bench/scale/table.py $(for n in "${sizes[@]}"; do echo "$out/scale-$n.json"; done)
