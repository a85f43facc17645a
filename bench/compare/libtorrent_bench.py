"""dht-bench's workload against libtorrent's DHT (the `libtorrent` Python package).

N sessions in this process run only their DHT on 127.0.0.1, each joining
through a random earlier one. Puts and gets are BEP 44 immutable items
(dht_put_immutable_item / dht_get_immutable_item), each timed from the call to
its alert; with --concurrency C, C operations are in flight and alerts are
matched to them by session and target. Every session's alerts wake one
selector through a pipe (set_alert_fd). RPCs are the DHT queries all sessions
received, from their session counters. Prints one JSON object with dht-bench's
keys.
"""

import collections
import hashlib
import importlib.metadata
import os
import random
import selectors
import time
import warnings

import libtorrent as lt

from common import emit, free_port, log, parse_args, phase_report, resident_kib, value_for

CATEGORY = lt.alert.category_t
# Queries a DHT node can receive, as named in libtorrent's session counters.
QUERY_METHODS = ("ping", "find_node", "get_peers", "announce_peer", "get", "put", "sample_infohashes")
JOIN_TIMEOUT_S = 5.0
STATS_TIMEOUT_S = 5.0


def dht_settings(port):
    """Settings for a DHT-only session on 127.0.0.1:port with no way off this machine."""
    return {
        "listen_interfaces": f"127.0.0.1:{port}",
        "enable_dht": True,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        # every node shares 127.0.0.1: lift the per-IP limits meant for the Internet
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_block_ratelimit": 1_000_000,
        "dht_upload_rate_limit": 100_000_000,
        # the sessions never touch a disk: one disk thread instead of ten
        "aio_threads": 1,
        "alert_mask": int(CATEGORY.dht_notification | CATEGORY.error_notification),
    }


class Swarm:
    """The sessions of this process and a selector over their alert pipes."""

    def __init__(self):
        self.sessions, self.ports = [], []
        self.selector = selectors.DefaultSelector()

    def add(self, seed_port):
        """Starts a session and points it at `seed_port` (None for the first)."""
        port = free_port()
        session = lt.session(dht_settings(port))
        read_end, write_end = os.pipe()
        os.set_blocking(read_end, False)
        session.set_alert_fd(write_end)
        self.selector.register(read_end, selectors.EVENT_READ, len(self.sessions))
        if seed_port is not None:
            session.add_dht_node(("127.0.0.1", seed_port))
        self.sessions.append(session)
        self.ports.append(port)
        return len(self.sessions) - 1

    def pump(self, timeout):
        """Waits up to `timeout` seconds for alerts; returns [(session index, alert)]."""
        events = []
        for key, _ in self.selector.select(max(timeout, 0)):
            try:
                os.read(key.fd, 4096)
            except BlockingIOError:
                pass
            events.extend((key.data, alert) for alert in self.sessions[key.data].pop_alerts())
        return events

    def collect(self, post, alert_type, indices, timeout):
        """Calls `post` on each session in `indices` and gathers one `alert_type`
        alert from each (within `timeout` seconds); returns {index: alert}."""
        for index in indices:
            post(self.sessions[index])
        found, deadline = {}, time.monotonic() + timeout
        while len(found) < len(indices) and time.monotonic() < deadline:
            for index, alert in self.pump(deadline - time.monotonic()):
                if isinstance(alert, alert_type) and index in indices:
                    found[index] = alert
        return found

    def routing_size(self, index):
        """(nodes in the session's routing table, lookups running), or None."""
        stats = self.collect(lt.session.post_dht_stats, lt.dht_stats_alert, [index], 1.0).get(index)
        if stats is None:
            return None
        return sum(bucket["num_nodes"] for bucket in stats.routing_table), len(stats.active_requests)

    def node_id(self, index):
        """The session's DHT node id (the first 20 bytes of its saved state)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            state = self.sessions[index].dht_state()
        return lt.sha1_hash(state[b"node-id"][0][:20])

    def join(self, index):
        """Completes a Kademlia join after add_dht_node: waits until the seed has
        answered, then looks up the node's own id (libtorrent has no call for
        that lookup alone: a get of the id as an immutable item walks the same
        path and ends, finding nothing, at the closest nodes). At most
        JOIN_TIMEOUT_S; returns whether the lookup ended in time."""
        deadline = time.monotonic() + JOIN_TIMEOUT_S
        while time.monotonic() < deadline and not (self.routing_size(index) or (0,))[0]:
            time.sleep(0.002)
        target = self.node_id(index)
        self.sessions[index].dht_get_immutable_item(target)
        while time.monotonic() < deadline:
            for where, alert in self.pump(deadline - time.monotonic()):
                if where == index and isinstance(alert, lt.dht_immutable_item_alert) and alert.target == target:
                    return True
        return False

    def queries_received(self):
        """DHT queries received by all sessions so far, by method."""
        indices = list(range(len(self.sessions)))
        found = self.collect(lt.session.post_session_stats, lt.session_stats_alert, indices, STATS_TIMEOUT_S)
        if len(found) < len(indices):
            return None
        totals = collections.Counter()
        for alert in found.values():
            for method in QUERY_METHODS:
                totals[method] += alert.values[f"dht.dht_{method}_in"]
        return totals


def build(count, rng):
    """Starts `count` sessions, each joining through a random earlier one."""
    swarm, unjoined = Swarm(), 0
    for _ in range(count):
        seed = rng.choice(swarm.ports) if swarm.ports else None
        index = swarm.add(seed)
        if seed is not None and not swarm.join(index):
            unjoined += 1
    return swarm, unjoined


def immutable_target(value):
    """BEP 44: an immutable item's target is the SHA-1 of its bencoded value."""
    return lt.sha1_hash(hashlib.sha1(b"%d:%s" % (len(value), value)).digest())


def start(swarm, job):
    """Issues one operation; returns the (session, kind, target) its alert will carry."""
    kind, index, payload = job
    session = swarm.sessions[index]
    if kind == "put":
        target = session.dht_put_immutable_item(payload)
    else:
        target = payload
        session.dht_get_immutable_item(target)
    return index, kind, str(target)


def finished(index, alert, expected):
    """(operation key, ok) when the alert ends a put or a get, else None; a get
    is ok when it returned the expected value, a put when a node stored it."""
    if isinstance(alert, lt.dht_put_alert):
        return (index, "put", str(alert.target)), alert.num_success > 0
    if isinstance(alert, lt.dht_immutable_item_alert):
        target = str(alert.target)
        return (index, "get", target), alert.item == expected.get(target)
    return None


def run_phase(swarm, jobs, concurrency, op_timeout, expected):
    """Runs jobs (kind, session index, payload), `concurrency` in flight, each
    timed from its call to its alert (failed after `op_timeout` seconds);
    `expected` maps get targets to their values. Returns the phase report."""
    queue, inflight, samples, timeouts = collections.deque(jobs), {}, [], 0
    before = swarm.queries_received()
    began = time.perf_counter()
    while queue or inflight:
        while queue and len(inflight) < concurrency:
            key = start(swarm, queue.popleft())
            inflight.setdefault(key, collections.deque()).append(time.perf_counter())
        oldest = min(times[0] for times in inflight.values())
        for index, alert in swarm.pump(min(0.1, oldest + op_timeout - time.perf_counter())):
            ended = finished(index, alert, expected)
            if ended is not None and ended[0] in inflight:
                samples.append((time.perf_counter() - inflight[ended[0]].popleft(), ended[1]))
                if not inflight[ended[0]]:
                    del inflight[ended[0]]
        now = time.perf_counter()
        for key in [key for key, times in inflight.items() if now - times[0] > op_timeout]:
            samples.append((now - inflight[key].popleft(), False))
            timeouts += 1
            if not inflight[key]:
                del inflight[key]
    wall = time.perf_counter() - began
    after = swarm.queries_received()
    rpcs = dict(after - before) if before is not None and after is not None else None
    return phase_report(samples, wall, rpcs, None, timeouts)


def main():
    """Builds the swarm, runs the four phases, prints the report."""
    args = parse_args(__doc__.splitlines()[0], default_nodes=100)
    rng = random.Random(args.seed)
    rss_before = resident_kib()
    began = time.perf_counter()
    swarm, unjoined = build(args.nodes, rng)
    build_s = time.perf_counter() - began
    rss_per_node = (resident_kib() - rss_before) / args.nodes
    sizes = sorted(filter(None, (swarm.routing_size(i) for i in range(args.nodes))))
    median_table = sizes[len(sizes) // 2][0] if sizes else None
    log(f"built {args.nodes} sessions in {build_s:.1f}s, {unjoined} joins timed out, "
        f"median routing table {median_table}")

    report = {
        "implementation": "libtorrent " + importlib.metadata.version("libtorrent"),
        "transport": "udp",
        "nodes": args.nodes,
        "build_s": round(build_s, 3),
        "rss_per_node_kib": round(rss_per_node, 2),
        "routing_table_median": median_table,
        "joins_timed_out": unjoined,
        "settings": {k: v for k, v in dht_settings(0).items() if k != "listen_interfaces"},
    }
    nodes = range(args.nodes)
    for prefix, put_phase, get_phase, concurrency in (
            ("key", "put", "get", 1),
            ("concurrent-key", "put_concurrent", "get_concurrent", args.concurrency)):
        values = [value_for(f"{prefix}-{i}") for i in range(args.puts)]
        puts = [("put", rng.choice(nodes), value) for value in values]
        report[put_phase] = run_phase(swarm, puts, concurrency, args.op_timeout, {})
        expected = {str(immutable_target(value)): value for value in values}
        gets = [("get", rng.choice(nodes), immutable_target(rng.choice(values))) for _ in range(args.gets)]
        report[get_phase] = run_phase(swarm, gets, concurrency, args.op_timeout, expected)
        for phase in (put_phase, get_phase):
            log(f"{phase}: p50 {report[phase]['p50_ms']} ms, success {report[phase]['success_rate']}")
    emit(report)
    # Tearing down N sessions one by one takes long and measures nothing; the
    # kernel closes every socket when the process ends.
    os._exit(0)


if __name__ == "__main__":
    main()
