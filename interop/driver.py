#!/usr/bin/env python3
"""Interop checks: our `dht` binaries and stock libtorrent 2.1.1 sessions on loopback.

Each process gets its own 127.X.0.1 (libtorrent keeps one routing-table entry per IP and
one per /24 in a bucket). Every check prints PASS or FAIL; the exit status is the number
of failures. Run through `make interop`, which builds `dht` and installs libtorrent.
"""
import hashlib, json, os, queue, subprocess, sys, threading, time

import libtorrent as lt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

DHT = os.environ.get("DHT_BINARY", ".build/release/dht")
OURS = 2
THEIRS = 4
failures = 0


def check(name, ok, detail=""):
    global failures
    print(("PASS " if ok else "FAIL ") + name + (f": {detail}" if detail and not ok else ""), flush=True)
    if not ok:
        failures += 1


class OurNode:
    """One `dht` process driven through its --json REPL."""

    def __init__(self, index, seed=None):
        self.host = f"127.1.{index}.1"
        self.port = 8001 + index
        arguments = [DHT, str(self.port), "--bind", self.host, "--json", "--history-file", ""]
        if seed:
            arguments.append(f"{seed.host}:{seed.port}")
        self.process = subprocess.Popen(arguments, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=open(f"/tmp/interop-dht-{index}.log", "w"), text=True, bufsize=1)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def command(self, line, timeout=20):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return json.loads(self.lines.get(timeout=timeout))

    def stop(self):
        try:
            self.command("quit", timeout=10)
        except Exception:
            pass
        self.process.kill()


def session(index):
    settings = {
        "listen_interfaces": f"127.{10 + index}.0.1:{7001 + index}",
        "enable_dht": True, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        "alert_mask": lt.alert.category_t.dht_notification | lt.alert.category_t.dht_log_notification
                      | lt.alert.category_t.dht_operation_notification,
    }
    return lt.session(settings)


def alerts(s, kind, wait=10.0, count=1, read=None):
    """Alerts of `kind` popped from `s` within `wait` seconds; stops at the first batch that
    brings the total to `count` (replies to several queries can come in separate batches).

    libtorrent frees the alerts of one pop_alerts at the next, so an alert kept across
    batches points at freed memory (reading one segfaulted the driver in CI). With `read`,
    each alert is turned into plain values as it is popped, and those are returned; without
    it, only alerts of the last batch are returned, still valid until `s` is next popped."""
    assert read or count == 1, "alerts from several batches must be read as they are popped"
    deadline = time.time() + wait
    found = []
    while time.time() < deadline and len(found) < count:
        s.wait_for_alert(200)
        batch = []
        for a in s.pop_alerts():
            if isinstance(a, kind):
                batch.append(read(a) if read else a)
            elif "BANNING" in a.message():
                banned.append(a.message())
        if read:
            found += batch
        elif batch:
            found = batch
    return found


banned = []


def libtorrent_keypair(seed):
    """libtorrent's 64-byte ed25519 secret (SHA-512 of the seed, clamped) and the public key."""
    digest = bytearray(hashlib.sha512(seed).digest())
    digest[0] &= 248
    digest[31] &= 127
    digest[31] |= 64
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return bytes(digest), public


def main():
    ours = []
    for i in range(OURS):
        ours.append(OurNode(i, ours[0] if ours else None))
        time.sleep(0.5)
    theirs = [session(i) for i in range(THEIRS)]
    for s in theirs:
        for node in ours:
            s.add_dht_node((node.host, node.port))
    time.sleep(15)

    ids = [lt.sha1_hash(s.dht_state()[b"node-id"][0][:20]) for s in theirs]
    live_everywhere = True
    for s, nid in zip(theirs, ids):
        s.dht_live_nodes(nid)
        got = alerts(s, lt.dht_live_nodes_alert)
        endpoints = {tuple(n["endpoint"]) for n in got[0].nodes} if got else set()
        missing = [f"{n.host}:{n.port}" for n in ours if (n.host, n.port) not in endpoints]
        if missing:
            live_everywhere = False
            print(f"  session lists {sorted(endpoints)}; missing {missing}")
    check("every libtorrent session lists every one of our nodes as live", live_everywhere)

    # An immutable item put by libtorrent, read by our REPL.
    target = theirs[0].dht_put_immutable_item(b"put by libtorrent")
    alerts(theirs[0], lt.dht_put_alert, wait=15)
    reply = ours[1].command(f"item-get {target}")
    check("an immutable item put by libtorrent is read by our REPL", reply.get("item") == "put by libtorrent", reply)

    # An immutable item put by our REPL, read by libtorrent.
    reply = ours[0].command("item-put put by our node")
    ok = "target" in reply
    if ok:
        theirs[2].dht_get_immutable_item(lt.sha1_hash(bytes.fromhex(reply["target"])))
        got = alerts(theirs[2], lt.dht_immutable_item_alert, wait=15)
        ok = bool(got) and got[0].item == b"put by our node"
    check("an immutable item put by our REPL is read by libtorrent", ok, reply)

    # A libtorrent announce found by our REPL, and ours found by libtorrent.
    infohash = lt.sha1_hash(bytes(range(20)))
    theirs[1].dht_announce(infohash, 6881, 0)
    alerts(theirs[1], lt.dht_announce_alert, wait=5)
    time.sleep(3)
    reply = ours[1].command(f"peers {infohash}")
    check("a peer announced by libtorrent is found by our REPL", any(p.endswith(":6881") for p in reply.get("peers", [])), reply)
    other = lt.sha1_hash(bytes(range(20, 40)))
    reply = ours[0].command(f"announce {other} 51413")
    time.sleep(1)
    theirs[3].dht_get_peers(other)
    got = alerts(theirs[3], lt.dht_get_peers_reply_alert, wait=15)
    found = [p for a in got for p in a.peers()]
    check("a peer announced through our node is found by libtorrent dht_get_peers",
          any(p[1] == 51413 for p in found), f"{reply}; libtorrent found {found}")

    # A mutable item signed and put by libtorrent, read by our REPL, and ours by libtorrent.
    secret, public = libtorrent_keypair(bytes(range(32)))
    theirs[0].dht_put_mutable_item(secret, public, b"mutable by libtorrent", b"salty")
    alerts(theirs[0], lt.dht_put_alert, wait=15)
    reply = ours[1].command(f"mutable-get {public.hex()} salty")
    check("a mutable item put by libtorrent is read by our REPL", reply.get("item") == "mutable by libtorrent", reply)
    reply = ours[0].command("mutable-put --salt s1 mutable by our node")
    ok = "key" in reply
    if ok:
        theirs[3].dht_get_mutable_item(bytes.fromhex(reply["key"]), b"s1")
        got = alerts(theirs[3], lt.dht_mutable_item_alert, wait=15)
        ok = bool(got) and got[0].item == b"mutable by our node" and got[0].seq == reply["seq"]
        reply["libtorrent"] = [(a.item, a.seq) for a in got]
    check("a mutable item put by our REPL is read by libtorrent", ok, reply)

    # BEP 51: libtorrent's dht_sample_infohashes reads each of our nodes' count and sample.
    for node in ours:
        theirs[2].dht_sample_infohashes((node.host, node.port), lt.sha1_hash(bytes(20)))
    def samples_of(a):
        listed = a.samples() if callable(a.samples) else a.samples
        return [str(h) for h in listed]
    got = alerts(theirs[2], lt.dht_sample_infohashes_alert, wait=15, count=len(ours),
                 read=lambda a: (tuple(a.endpoint), a.num_infohashes, samples_of(a)))
    replies = {endpoint: (num, samples) for endpoint, num, samples in got}
    sane = all(0 < len(samples) <= min(num, 20) and all(len(h) == 40 for h in samples)
               for num, samples in replies.values() if num > 0)
    check("libtorrent's dht_sample_infohashes reads a count and sample from every one of our nodes",
          len(replies) == len(ours) and sane and any(num > 0 for num, _ in replies.values()), replies)

    # Our crawl finds every libtorrent node and counts what each holds: the load it maps
    # equals the num libtorrent's own dht_sample_infohashes reads from the same node.
    reply = ours[0].command("crawl", timeout=90)
    mapped = {n["address"]: n.get("load") for n in reply.get("nodes", [])}
    endpoints = [(f"127.{10 + i}.0.1", 7001 + i) for i in range(THEIRS)]
    others = [e for e in endpoints if e != (f"127.{10 + 3}.0.1", 7001 + 3)]
    told = {}
    # libtorrent asking libtorrent: a reply now and then never comes (seen twice in CI with
    # our nodes idle, once for the same node twice running), so the ones missing are asked
    # again, and one libtorrent node that never tells is libtorrent's silence, not our
    # crawl's fault: the crawl must still have mapped it.
    for _ in range(3):
        missing = [e for e in others if f"{e[0]}:{e[1]}" not in told]
        for host, port in missing:
            theirs[3].dht_sample_infohashes((host, port), lt.sha1_hash(bytes(20)))
        got = alerts(theirs[3], lt.dht_sample_infohashes_alert, wait=15, count=len(missing),
                     read=lambda a: (f"{a.endpoint[0]}:{a.endpoint[1]}", a.num_infohashes))
        told.update(dict(got))
        if len(told) == len(others):
            break
    check("our crawl maps every libtorrent node with the count it tells libtorrent",
          all(f"{h}:{p}" in mapped for h, p in endpoints) and len(told) >= len(others) - 1
          and all(mapped.get(e) == n for e, n in told.items()),
          {"crawl": mapped, "libtorrent": told, "summary": {k: reply.get(k) for k in ("found", "answered", "queries")}})

    check("no libtorrent session banned any of our nodes", not banned, banned)
    for node in ours:
        node.stop()
    return failures


if __name__ == "__main__":
    sys.exit(main())
