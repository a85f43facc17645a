#!/usr/bin/env python3
"""Floods a dht node with stores and reports its memory: the hardening issue's experiment.

    python3 bench/flood/flood.py PORT PID [STORES=100000] [ADDRESSES=200]

Each of ADDRESSES sockets (127.0.0.2, 127.0.0.3, ...) asks the node at 127.0.0.1:PORT
for a write token with find_value, then all of them send STORES stores of 1000-byte
values between them as fast as the kernel takes them. Prints the node's resident
memory (VmRSS of PID) before and after, and how the stores were answered.
"""
import os, socket, sys, time, hashlib

def bencode(value):
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, dict):
        return b"d" + b"".join(bencode(k) + bencode(value[k]) for k in sorted(value)) + b"e"
    raise TypeError(value)

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

def main():
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    stores = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 200
    node = ("127.0.0.1", port)
    sockets = []
    for index in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((f"127.0.{(index + 2) // 256}.{(index + 2) % 256}", 0))
        s.settimeout(2)
        sockets.append(s)
    before = rss_kib(pid)
    tokens = []
    for index, s in enumerate(sockets):
        query = {b"t": b"tk", b"y": b"q", b"q": b"find_value",
                 b"a": {b"id": hashlib.sha1(b"flood%d" % index).digest(), b"target": hashlib.sha1(b"x").digest()}}
        s.sendto(bencode(query), node)
        reply = s.recv(1500)
        start = reply.find(b"5:token") + 7
        length, _, rest = reply[start:].partition(b":")
        tokens.append(rest[: int(length)])
    value = b"A" * 1000
    started = time.time()
    for n in range(stores):
        index = n % count
        key = b"flood-%d" % n
        query = {b"t": b"%c%c" % (n >> 8 & 0xFF, n & 0xFF), b"y": b"q", b"q": b"store",
                 b"a": {b"id": hashlib.sha1(b"flood%d" % index).digest(), b"target": hashlib.sha1(key).digest(),
                        b"key": key, b"v": value, b"seq": 0, b"token": tokens[index]}}
        sockets[index].sendto(bencode(query), node)
    sent_in = time.time() - started
    time.sleep(1)
    ok = errors = 0
    for s in sockets:
        s.setblocking(False)
        while True:
            try:
                reply = s.recv(1500)
            except BlockingIOError:
                break
            if b"1:y1:e" in reply:
                errors += 1
            else:
                ok += 1
    after = rss_kib(pid)
    print(f"{stores} stores from {count} addresses in {sent_in:.1f} s: {ok} stored, {errors} refused with an error "
          f"(replies read back; the kernel drops some); node RSS {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB")

if __name__ == "__main__":
    main()
