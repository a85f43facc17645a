"""Tests of dht_client against real dht nodes on loopback.

The binary is $DHT_BINARY, by default .build/release/dht under the repository root. Run:
    DHT_BINARY=.build/release/dht python3 -m unittest discover -s clients/python -p 'test_*.py' -v
"""

import http.server
import os
import pathlib
import queue
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from dht_client import DHTClient, DHTError, SSEParser  # noqa: E402

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
DHT_BINARY = os.environ.get("DHT_BINARY") or str(REPO_ROOT / ".build" / "release" / "dht")
BANNER_TIMEOUT = 20


class Node:
    """One dht process with its HTTP API on a free loopback port."""

    def __init__(self, *args):
        if not os.access(DHT_BINARY, os.X_OK):
            raise AssertionError(f"no dht binary at {DHT_BINARY}: build it (make build) or set DHT_BINARY")
        self.process = subprocess.Popen([DHT_BINARY, "0", *args, "--no-repl", "--http", "0"],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        self.stderr_lines = []
        lines = queue.Queue()
        threading.Thread(target=self._drain, args=(lines,), daemon=True).start()
        deadline = time.monotonic() + BANNER_TIMEOUT
        self.url = None
        while self.url is None:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise AssertionError(f"no 'HTTP: http://' line in {BANNER_TIMEOUT} s: {self.stderr_lines}")
            if line is None:
                raise AssertionError(f"dht exited with {self.process.wait()}: {self.stderr_lines}")
            if line.startswith("HTTP: http://"):
                # "HTTP: http://127.0.0.1:41234/api/v1/status": keep scheme, host and port.
                self.url = "/".join(line.split()[1].split("/")[:3])

    def _drain(self, lines):
        """Read stderr to the end, so the pipe never fills; hand each line on until the banner."""
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.stderr_lines.append(line)
            lines.put(line)
        self.process.stderr.close()
        lines.put(None)

    def client(self, **options):
        """A client of this node's API."""
        return DHTClient(self.url, **options)

    def udp_address(self):
        """host:port others join through, from the status reply."""
        with self.client() as client:
            return client.status()["address"]

    def stop(self):
        """SIGTERM (a graceful leave), then SIGKILL after 5 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def eventually(predicate, timeout=5.0, interval=0.1):
    """Poll predicate until it is true or timeout passes; return its last result."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()) and time.monotonic() < deadline:
        time.sleep(interval)
    return result


class NodeTestCase(unittest.TestCase):
    def setUp(self):
        self.nodes = []
        self.clients = []

    def tearDown(self):
        for client in self.clients:
            client.close()
        for node in self.nodes:
            node.stop()

    def start(self, *args):
        node = Node(*args)
        self.nodes.append(node)
        return node

    def client(self, node, **options):
        client = node.client(**options)
        self.clients.append(client)
        return client


class TwoNodeTests(NodeTestCase):
    """Node B joins node A; a put on one is read on the other."""

    def setUp(self):
        super().setUp()
        self.node_a = self.start()
        self.node_b = self.start(self.node_a.udp_address())
        self.a, self.b = self.client(self.node_a), self.client(self.node_b)
        # The banner's HTTP line comes before B's join has finished: wait until each knows the other.
        self.assertTrue(eventually(lambda: self.b.health() and self.a.health()), "the nodes never met")

    def round_trip(self, key, value):
        reply = self.a.put(key, value)
        self.assertEqual(reply["op"], "put")
        self.assertEqual(reply["key"], key)
        expected = value.encode("utf-8") if isinstance(value, str) else value
        self.assertEqual(self.b.get(key), expected)

    def test_text_value_round_trip(self):
        self.round_trip("greeting", "hello, world")
        reply = self.b.get_json("greeting")
        self.assertTrue(reply["found"])
        self.assertEqual(reply["value"], "hello, world")

    def test_binary_value_round_trip(self):
        value = b"\xff\xfe\x00\x80 not UTF-8 \xc3\x28"
        self.round_trip("binary", value)
        self.assertIn("value_base64", self.b.get_json("binary"))

    def test_largest_value_round_trip(self):
        self.round_trip("large", bytes(range(256)) * 3 + bytes(232))
        self.assertEqual(len(self.b.get("large")), 1000)

    def test_empty_value_is_not_missing(self):
        self.round_trip("empty", b"")

    def test_key_with_reserved_and_non_ascii_characters(self):
        key = "a/b c+d%20?#&=é✓"
        self.round_trip(key, "odd key")
        self.assertEqual(self.b.get_json(key)["key"], key)

    def test_ttl_forms(self):
        self.assertEqual(self.a.put("ttl-int", "x", ttl=30)["op"], "put")
        self.assertEqual(self.a.put("ttl-text", "x", ttl="2m")["op"], "put")
        keys = {entry["key"]: entry for entry in self.a.keys()["keys"]}
        self.assertLessEqual(keys["ttl-int"]["expires_in_s"], 30)
        self.assertLessEqual(keys["ttl-text"]["expires_in_s"], 120)
        with self.assertRaises(DHTError) as refused:
            self.a.put("ttl-bad", "x", ttl="soon")
        self.assertEqual(refused.exception.status, 400)

    def test_missing_key_is_none(self):
        self.assertIsNone(self.b.get("never-stored"))
        self.assertFalse(self.b.get_json("never-stored")["found"])

    def test_delete_then_get_is_none(self):
        self.round_trip("doomed", "soon gone")
        reply = self.b.delete("doomed")
        self.assertTrue(reply["existed"])
        self.assertIsNone(self.a.get("doomed"))
        self.assertIsNone(self.b.get("doomed"))

    def test_too_large_value_is_refused(self):
        with self.assertRaises(DHTError) as refused:
            self.a.put("huge", bytes(1001))
        self.assertEqual(refused.exception.status, 413)
        self.assertIn("error", refused.exception.body)

    def test_status_peers_health_keys(self):
        status_a, status_b = self.a.status(), self.b.status()
        self.assertRegex(status_a["id"], r"^[0-9a-f]{40}$")
        self.assertNotEqual(status_a["id"], status_b["id"])
        self.assertTrue(eventually(lambda: self.a.health() and self.b.health()))
        self.assertIn(status_a["id"], [peer["id"] for peer in self.b.peers()["peers"]])
        self.assertTrue(eventually(lambda: status_b["id"] in [p["id"] for p in self.a.peers()["peers"]]))
        self.a.put("listed", "yes")
        self.assertIn("listed", [entry["key"] for entry in self.a.keys()["keys"]])

    def test_keep_alive_connection_survives_many_requests(self):
        for i in range(20):
            self.a.put(f"k{i}", str(i))
        self.assertEqual([self.b.get(f"k{i}") for i in range(20)], [str(i).encode() for i in range(20)])

    def test_join(self):
        node_c = self.start()
        c = self.client(node_c)
        self.assertFalse(c.health())
        reply = c.join(self.node_a.udp_address())
        self.assertEqual(reply["op"], "join")
        self.assertTrue(eventually(c.health))
        self.a.put("after-join", "seen")
        self.assertEqual(c.get("after-join"), b"seen")

    def test_watch_sees_a_put_on_another_node(self):
        self.a.put("watched", "first")
        stream = self.b.watch("watched", timeout=5)
        try:
            current = next(stream, None)
            self.assertIsNotNone(current, "the watch stream ended before its first event")
            self.assertEqual(current["key"], "watched")
            self.a.put("watched", "second")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                event = next(stream, None)
                self.assertIsNotNone(event, "the watch stream ended")
                if event.get("value") == "second":
                    self.assertEqual(event["op"], "watch")
                    self.assertGreater(event["seq"], current.get("seq", -1))
                    return
            self.fail("no watch event with the new value within 5 s")
        finally:
            stream.close()

    def test_events_show_value_stored(self):
        stream = self.a.events(timeout=5)
        try:
            first = next(stream, None)
            seen = [first]
            # The node diffs its state once a second against its last snapshot, which exists
            # once the first stats tick has come: put only then, so the next diff shows it.
            while seen[-1] is not None and seen[-1][0] != "stats":
                seen.append(next(stream, None))
            self.assertIsNotNone(seen[-1], f"the event stream ended before a stats event: {seen}")
            self.a.put("evented", "value")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                seen.append(next(stream, None))
                self.assertIsNotNone(seen[-1], "the event stream ended")
                kind, event_id, data = seen[-1]
                if kind == "value_stored" and isinstance(data, dict) and data.get("key") == "evented":
                    self.assertIsNotNone(event_id)
                    return
            self.fail(f"no value_stored event for the key within 5 s: {seen}")
        finally:
            stream.close()


class TokenTests(NodeTestCase):
    def test_token_is_required(self):
        node = self.start("--http-token", "secret")
        with self.assertRaises(DHTError) as refused:
            self.client(node).status()
        self.assertEqual(refused.exception.status, 401)
        with self.assertRaises(DHTError) as wrong:
            self.client(node, token="wrong").get("key")
        self.assertEqual(wrong.exception.status, 401)
        client = self.client(node, token="secret")
        self.assertRegex(client.status()["id"], r"^[0-9a-f]{40}$")
        client.put("key", "value")
        self.assertEqual(client.get("key"), b"value")
        self.assertFalse(self.client(node).health())  # health is open, and alone the node is not healthy


class SSEParserTests(unittest.TestCase):
    def test_canned_stream(self):
        stream = (b"\xef\xbb\xbf: hello\n\n"
                  b"id: 1\nevent: stats\ndata: {\"a\":1}\n\n"
                  b": heartbeat\r\n"
                  b"id: 2\r\nevent: multi\r\ndata: line one\r\ndata:line two\r\ndata\r\n\r\n"
                  b"data: no type, id carried over\r\r"
                  b"event: empty\n\n"
                  b"id\nretry: 3000\ndata: id reset\n\n"
                  b"data: unfinished")
        expected = [("stats", "1", '{"a":1}'), ("multi", "2", "line one\nline two\n"),
                    ("message", "2", "no type, id carried over"), ("message", None, "id reset")]
        self.assertEqual(SSEParser().feed(stream), expected)
        for size in (1, 2, 3, 7):  # every split, CR and LF of a CRLF in different chunks included
            parser = SSEParser()
            events = [e for i in range(0, len(stream), size) for e in parser.feed(stream[i:i + size])]
            self.assertEqual(events, expected, f"chunks of {size}")
            self.assertEqual(parser.retry, 3000)


class CannedStreamHandler(http.server.BaseHTTPRequestHandler):
    """Serves a canned event stream, chunked or ended by closing, and remembers the requests' headers."""
    protocol_version = "HTTP/1.1"
    seen = []

    def do_GET(self):
        type(self).seen.append((self.path, dict(self.headers)))
        if self.path == "/api/v1/status":  # answers, then drops the connection unannounced
            body = b'{"op":"status","id":"00"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        if not self.path.startswith(("/api/v1/events", "/api/v1/keys/")):
            body = b'{"op":"http","error":"no such path"}'
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        chunked = self.path.startswith("/api/v1/events")  # a watch ends with the connection instead
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding" if chunked else "Connection", "chunked" if chunked else "close")
        self.end_headers()
        for part in (b"id: 7\nevent: version\nda", b"ta: {\"op\":\"watch\",\"seq\":1}\r",
                     b"\n\r\n: heartbeat\n\n",
                     b"id: 8\nevent: version\ndata: {\"op\":\"watch\",\"deleted\":true}\n\n"):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            self.wfile.flush()
            time.sleep(0.02)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.close_connection = not chunked

    def log_message(self, *args):
        pass


class CannedServerTests(unittest.TestCase):
    """watch(), events() and connection reuse over real sockets, against a canned server."""

    def setUp(self):
        CannedStreamHandler.seen = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CannedStreamHandler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.client = DHTClient(f"http://127.0.0.1:{self.server.server_address[1]}", token="t")

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_events_and_watch(self):
        events = list(self.client.events(last_event_id=6))
        self.assertEqual(events, [("version", "7", {"op": "watch", "seq": 1}),
                                  ("version", "8", {"op": "watch", "deleted": True})])
        path, headers = CannedStreamHandler.seen[-1]
        self.assertEqual((path, headers["Last-Event-ID"], headers["Authorization"]),
                         ("/api/v1/events", "6", "Bearer t"))
        self.assertEqual([e["op"] for e in self.client.watch("a/b é")], ["watch", "watch"])
        self.assertEqual(CannedStreamHandler.seen[-1][0], "/api/v1/keys/a%2Fb%20%C3%A9/watch")

    def test_error_status_raises(self):
        client = DHTClient(f"http://127.0.0.1:{self.server.server_address[1]}/elsewhere")
        with self.assertRaises(DHTError) as error:
            next(client.events())
        self.assertEqual((error.exception.status, error.exception.body["error"]), (404, "no such path"))

    def test_request_after_the_server_dropped_the_idle_connection(self):
        self.assertEqual(self.client.status()["id"], "00")
        time.sleep(0.1)  # the server has closed its end by now (the node does after 30 s idle)
        self.assertEqual(self.client.status()["id"], "00")
        self.assertEqual(len(CannedStreamHandler.seen), 2)
        self.client.close()


if __name__ == "__main__":
    unittest.main()
