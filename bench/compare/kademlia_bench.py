"""dht-bench's workload against bmuller's `kademlia` package (asyncio, rpcudp).

N `Server`s in this process listen on 127.0.0.1, each bootstrapping through a
random earlier one; then puts of distinct keys and gets of put keys from random
nodes, one at a time and then --concurrency at a time. RPCs are counted by
wrapping the protocol's call_* methods, lookup rounds by wrapping the crawler's
round step. Prints one JSON object with dht-bench's keys.
"""

import asyncio
import collections
import contextvars
import importlib.metadata
import random
import time

from kademlia.crawling import SpiderCrawl
from kademlia.network import Server
from kademlia.protocol import KademliaProtocol

from common import emit, log, parse_args, phase_report, resident_kib, value_for

RPCS = collections.Counter()
OP_ROUNDS = contextvars.ContextVar("op_rounds", default=None)


class CountingProtocol(KademliaProtocol):
    """KademliaProtocol that counts every query this node sends, by method."""

    async def call_ping(self, node_to_ask):
        RPCS["ping"] += 1
        return await super().call_ping(node_to_ask)

    async def call_find_node(self, node_to_ask, node_to_find):
        RPCS["find_node"] += 1
        return await super().call_find_node(node_to_ask, node_to_find)

    async def call_find_value(self, node_to_ask, node_to_find):
        RPCS["find_value"] += 1
        return await super().call_find_value(node_to_ask, node_to_find)

    async def call_store(self, node_to_ask, key, value):
        RPCS["store"] += 1
        return await super().call_store(node_to_ask, key, value)


class CountingServer(Server):
    """A Server whose nodes use CountingProtocol."""

    protocol_class = CountingProtocol


def count_crawl_rounds():
    """Wraps SpiderCrawl._find (one round of up to alpha parallel queries) so the
    operation running in the current task can count its rounds."""
    original = SpiderCrawl._find

    async def counted(self, rpcmethod):
        box = OP_ROUNDS.get()
        if box is not None:
            box[0] += 1
        return await original(self, rpcmethod)

    SpiderCrawl._find = counted


async def build(count, rng, join_timeout=30.0):
    """Starts `count` servers, each joining through a random earlier one (a ping
    of the seed, then a lookup of its own id); a join is cut off after
    `join_timeout` seconds."""
    servers, ports = [], []
    for _ in range(count):
        server = CountingServer()
        await server.listen(0, interface="127.0.0.1")
        if ports:
            try:
                await asyncio.wait_for(server.bootstrap([("127.0.0.1", rng.choice(ports))]), join_timeout)
            except asyncio.TimeoutError:
                log("a join timed out")
        servers.append(server)
        ports.append(server.transport.get_extra_info("sockname")[1])
    return servers


async def run_phase(jobs, concurrency, op_timeout):
    """Runs the coroutine factories in `jobs`, `concurrency` at a time; returns
    the phase report with latencies, RPCs and rounds."""
    samples, rounds = [], []
    queue = collections.deque(jobs)
    before = RPCS.copy()

    async def worker():
        while queue:
            job = queue.popleft()
            box = [0]
            OP_ROUNDS.set(box)
            began = time.perf_counter()
            try:
                ok = await asyncio.wait_for(job(), op_timeout)
            except Exception as error:  # a failed or timed-out operation
                log(f"operation failed: {error!r}")
                ok = False
            samples.append((time.perf_counter() - began, ok))
            rounds.append(box[0])

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(jobs)))))
    wall = time.perf_counter() - start
    return phase_report(samples, wall, dict(RPCS - before), rounds)


def put_jobs(servers, keys, rng):
    """One put per key, each from a random server; ok when a store was acknowledged."""
    def job(server, key):
        return lambda: server.set(key, value_for(key))
    return [job(rng.choice(servers), key) for key in keys]


def get_jobs(servers, keys, count, rng):
    """`count` gets of random keys from random servers; ok when the value matches."""
    def job(server, key):
        async def get():
            return await server.get(key) == value_for(key)
        return get
    return [job(rng.choice(servers), rng.choice(keys)) for _ in range(count)]


async def main():
    """Builds the network, runs the four phases, prints the report."""
    args = parse_args(__doc__.splitlines()[0], default_nodes=200)
    random.seed(args.seed)  # kademlia draws node ids from the global generator
    rng = random.Random(args.seed)
    count_crawl_rounds()

    rss_before = resident_kib()
    began = time.perf_counter()
    servers = await build(args.nodes, rng)
    build_s = time.perf_counter() - began
    rss_per_node = (resident_kib() - rss_before) / args.nodes
    log(f"built {args.nodes} nodes in {build_s:.1f}s")

    report = {
        "implementation": "kademlia " + importlib.metadata.version("kademlia"),
        "transport": "udp",
        "nodes": args.nodes,
        "build_s": round(build_s, 3),
        "rss_per_node_kib": round(rss_per_node, 2),
        "settings": {"ksize": servers[0].ksize, "alpha": servers[0].alpha, "rpc_timeout_s": 5},
    }
    keys = [f"key-{i}" for i in range(args.puts)]
    fresh = [f"concurrent-key-{i}" for i in range(args.puts)]
    phases = [
        ("put", put_jobs(servers, keys, rng), 1),
        ("get", get_jobs(servers, keys, args.gets, rng), 1),
        ("put_concurrent", put_jobs(servers, fresh, rng), args.concurrency),
        ("get_concurrent", get_jobs(servers, fresh, args.gets, rng), args.concurrency),
    ]
    for name, jobs, concurrency in phases:
        report[name] = await run_phase(jobs, concurrency, args.op_timeout)
        log(f"{name}: p50 {report[name]['p50_ms']} ms, success {report[name]['success_rate']}")
    for server in servers:
        server.stop()
    emit(report)


if __name__ == "__main__":
    asyncio.run(main())
