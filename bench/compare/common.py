"""Pieces shared by the reference benchmarks: command line, values, statistics, output.

Each reference benchmark prints one JSON object on stdout with the keys of
dht-bench (nodes, build_s, rss_per_node_kib, and per phase p50_ms, p90_ms,
p99_ms, ops_per_s, success_rate, rpcs_per_op, rounds_p50); what it cannot
measure is null. Progress goes to stderr.
"""

import argparse
import hashlib
import json
import math
import socket
import sys
import time

VALUE_SIZE = 100


def parse_args(description, default_nodes):
    """Reads the options every benchmark takes, with dht-bench's names."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--nodes", type=int, default=default_nodes)
    parser.add_argument("--puts", type=int, default=200)
    parser.add_argument("--gets", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--op-timeout", type=float, default=30.0,
                        help="seconds after which one operation counts as failed")
    args = parser.parse_args()
    if args.nodes < 2 or args.puts < 1 or args.gets < 0 or args.concurrency < 1:
        parser.error("need --nodes >= 2, --puts >= 1, --gets >= 0, --concurrency >= 1")
    return args


def value_for(key):
    """The 100-byte value stored under `key`: its SHA-1 repeated, as dht-bench does."""
    digest = hashlib.sha1(key.encode()).digest()
    return bytes(digest[i % len(digest)] for i in range(VALUE_SIZE))


def resident_kib():
    """This process's resident anonymous memory in KiB (RssAnon): heap and stacks, without
    the code and shared libraries paged in once per process, as dht-bench counts it."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


def free_port():
    """A port on 127.0.0.1 that is free for both UDP and TCP right now."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port found on 127.0.0.1")


def percentile_ms(latencies_s, fraction):
    """The `fraction` quantile in milliseconds, nearest rank (as dht-bench)."""
    if not latencies_s:
        return 0.0
    ordered = sorted(latencies_s)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank] * 1000


def phase_report(samples, wall_s, rpcs_by_method=None, rounds=None, timeouts=None):
    """One phase's figures from (latency_s, ok) samples and optional RPC counts."""
    ops = len(samples)
    latencies = [latency for latency, _ in samples]
    report = {
        "ops": ops,
        "p50_ms": round(percentile_ms(latencies, 0.5), 3),
        "p90_ms": round(percentile_ms(latencies, 0.9), 3),
        "p99_ms": round(percentile_ms(latencies, 0.99), 3),
        "ops_per_s": round(ops / wall_s, 3) if wall_s > 0 else 0,
        "success_rate": round(sum(1 for _, ok in samples if ok) / ops, 4) if ops else 0,
        "rpcs_per_op": None,
        "rpcs_per_op_by_method": None,
        "timeouts": timeouts,
        "rounds_p50": sorted(rounds)[len(rounds) // 2] if rounds else None,
    }
    if rpcs_by_method is not None and ops:
        report["rpcs_per_op"] = round(sum(rpcs_by_method.values()) / ops, 3)
        report["rpcs_per_op_by_method"] = {
            method: round(count / ops, 3) for method, count in sorted(rpcs_by_method.items())}
    return report


def log(message):
    """A progress line on stderr, stamped with seconds since start."""
    print(f"[{time.monotonic() - _START:7.2f}s] {message}", file=sys.stderr, flush=True)


def emit(report):
    """Prints the report as the one JSON object on stdout."""
    print(json.dumps(report, indent=2), flush=True)


_START = time.monotonic()
