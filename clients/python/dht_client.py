"""A client for the dht node's HTTP API (README § HTTP), Python 3.11+, standard library only.

Usage::

    from dht_client import DHTClient, DHTError

    client = DHTClient("http://127.0.0.1:8080", token=None)   # token: --http-token's
    client.put("greeting", "hello", ttl="30s")                # or ttl=30 (seconds)
    client.get("greeting")                                    # b'hello'; None when not found
    client.delete("greeting")
    client.status()["id"], client.health(), client.peers()
    for event in client.watch("greeting"):                    # blocks; one dict per version
        print(event.get("value"), event.get("deleted"))
    for kind, event_id, data in client.events():              # node events, stats each second
        print(kind, event_id, data)                           # resume: events(last_event_id=...)

An event's id is the last id the stream gave, as the SSE spec carries it over, so it is
always the one to resume from; an event's data is its JSON decoded (text that is not JSON
stays a str).

A failed request raises DHTError with .status (the HTTP status) and .body (the JSON reply,
or the raw bytes when it is not JSON). Plain requests share one keep-alive connection, so one
client must not be used from several threads at once; each stream opens its own connection
and closes it when the generator is closed or garbage-collected.
"""

import http.client
import json
import urllib.parse

__all__ = ["DHTClient", "DHTError", "SSEParser"]


class DHTError(Exception):
    """An error reply from the node: .status is the HTTP status, .body the parsed JSON (or bytes)."""

    def __init__(self, status, body):
        self.status = status
        self.body = body
        reason = body.get("error", body) if isinstance(body, dict) else body
        super().__init__(f"HTTP {status}: {reason}")


class SSEParser:
    """Incremental text/event-stream parser: feed() bytes, get back (event, id, data) tuples."""

    def __init__(self):
        self._buffer = b""
        self._skip_lf = False  # the last chunk ended in CR: a leading LF in the next is its pair
        self._first = True
        self._data = []
        self._event = ""
        self.last_event_id = ""  # per the spec it persists from one event to the next
        self.retry = None

    def feed(self, chunk):
        """Parse a chunk of bytes; return the events it completed as (type, id, data) tuples."""
        if self._skip_lf and chunk:
            chunk = chunk.removeprefix(b"\n")
            self._skip_lf = False
        self._buffer += chunk
        events = []
        while True:
            cr, lf = self._buffer.find(b"\r"), self._buffer.find(b"\n")
            if cr < 0 and lf < 0:
                break
            end = lf if cr < 0 or (0 <= lf < cr) else cr
            line, rest = self._buffer[:end], self._buffer[end + 1:]
            if end == cr:
                if rest.startswith(b"\n"):
                    rest = rest[1:]
                elif not rest:
                    self._skip_lf = True
            self._buffer = rest
            event = self._line(line.decode("utf-8", "replace"))
            if event is not None:
                events.append(event)
        return events

    def _line(self, line):
        if self._first:
            self._first = False
            line = line.removeprefix("\ufeff")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment, such as the server's ": heartbeat"
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value
        elif field == "id" and "\0" not in value:
            self.last_event_id = value
        elif field == "retry" and value.isdigit():
            self.retry = int(value)
        return None

    def _dispatch(self):
        data, event = self._data, self._event
        self._data, self._event = [], ""
        if not data:
            return None
        return (event or "message", self.last_event_id or None, "\n".join(data))


class DHTClient:
    """A dht node's HTTP API at base_url, such as http://127.0.0.1:8080."""

    def __init__(self, base_url, token=None, timeout=10):
        url = urllib.parse.urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"expected an http:// or https:// URL, not {base_url!r}")
        self._https = url.scheme == "https"
        self._host, self._port = url.hostname, url.port
        self._prefix = url.path.rstrip("/")
        self.token, self.timeout = token, timeout
        self._conn = None

    def put(self, key, value, ttl=None):
        """Store value (bytes or str) under key, for ttl (seconds or text like "30s"); return the reply."""
        body = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        if isinstance(ttl, (int, float)):
            ttl = f"{ttl}s" if isinstance(ttl, int) else f"{round(ttl * 1000)}ms"
        query = None if ttl is None else {"ttl": ttl}
        return self._json("PUT", self._key_path(key), query=query, body=body)

    def get(self, key):
        """The value's bytes as stored, or None when no node has the key."""
        raw = {"Accept": "application/octet-stream"}
        status, body = self._request("GET", self._key_path(key), headers=raw)
        if status not in (200, 404):
            raise DHTError(status, _decode(body))
        return body if status == 200 else None

    def get_json(self, key):
        """The JSON get reply: found, seq and value (text) or value_base64 (other bytes)."""
        status, body = self._request("GET", self._key_path(key))
        reply = _decode(body)
        if status == 200 or (status == 404 and isinstance(reply, dict) and "found" in reply):
            return reply
        raise DHTError(status, reply)

    def delete(self, key):
        """Delete key from the nodes that hold it; return the reply."""
        return self._json("DELETE", self._key_path(key))

    def status(self):
        """The node's id, address, routing table and counts."""
        return self._json("GET", "/api/v1/status")

    def health(self):
        """True while the node has contacts it heard from lately (200), False when cut off (503)."""
        status, body = self._request("GET", "/api/v1/health")
        if status in (200, 503):
            return status == 200
        raise DHTError(status, _decode(body))

    def keys(self, include_deleted=False):
        """What this node stores (include_deleted: the deleted keys' tombstones too)."""
        return self._json("GET", "/api/v1/keys", query={"all": "1"} if include_deleted else None)

    def peers(self):
        """This node's contacts."""
        return self._json("GET", "/api/v1/peers")

    def join(self, address):
        """Join the network through the node at address ("host:port")."""
        return self._json("POST", "/api/v1/join", body=json.dumps({"address": address}).encode(),
                          headers={"Content-Type": "application/json"})

    def close(self):
        """Close the keep-alive connection (the next request opens a new one)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def watch(self, key, timeout=60):
        """Yield a dict per version of key, the current one first (timeout: longest silence, s)."""
        for _, _, data in self._stream(self._key_path(key) + "/watch", {}, timeout):
            yield data

    def events(self, last_event_id=None, timeout=60):
        """Yield (event_type, id, data_dict) per node event; last_event_id resumes after that id."""
        headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
        yield from self._stream("/api/v1/events", headers, timeout)

    def _stream(self, path, headers, timeout):
        conn, response = self._new_connection(), None
        try:
            conn.connect()
            sock = conn.sock  # kept: a response that ends by closing takes it from conn
            conn.request("GET", self._prefix + path,
                         headers=self._headers({"Accept": "text/event-stream", **headers}))
            response = conn.getresponse()
            if response.status != 200:
                raise DHTError(response.status, _decode(response.read()))
            sock.settimeout(timeout)  # heartbeats come every 15 s; None waits for ever
            parser = SSEParser()
            while chunk := response.read1(65536):
                for event, event_id, data in parser.feed(chunk):
                    yield event, event_id, _decode(data)
        finally:
            if response is not None:
                response.close()  # after a response that ends by closing, it holds the socket
            conn.close()

    @staticmethod
    def _key_path(key):
        return "/api/v1/keys/" + urllib.parse.quote(key, safe="")

    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _new_connection(self):
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        return kind(self._host, self._port, timeout=self.timeout)

    def _request(self, method, path, query=None, body=None, headers=None):
        target = self._prefix + path + ("?" + urllib.parse.urlencode(query) if query else "")
        while True:
            reused = self._conn is not None
            if not reused:
                self._conn = self._new_connection()
            try:
                self._conn.request(method, target, body=body, headers=self._headers(headers))
                response = self._conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if reused:  # the server closed the idle keep-alive connection (after 30 s) before
                    continue  # reading this request: send it again, once, on a new connection
                raise
            except BaseException:
                self.close()
                raise
            if response.will_close:
                self.close()
            return response.status, data

    def _json(self, method, path, query=None, body=None, headers=None):
        status, data = self._request(method, path, query, body, headers)
        reply = _decode(data)
        if not 200 <= status < 300:
            raise DHTError(status, reply)
        return reply


def _decode(data):
    """JSON text as Python values; text that is not JSON comes back as it is."""
    try:
        return json.loads(data)
    except ValueError:
        return data
