#!/usr/bin/env bash
# Manual interop test against Transmission 3.00 (jech/dht, BEP 5 only), too slow for CI:
#   sudo bash interop/transmission.sh        (needs transmission-daemon, python3, root for unshare)
# jech/dht treats 127/8 as martian, so everything runs in a private network namespace
# with 10.80.x.y addresses on its loopback: Transmission on 10.80.0.1, our nodes on
# 10.80.N.2 (one /24 each). Checks that Transmission keeps our nodes in its routing
# table, and that its announce for a magnet is found through our nodes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DHT="${DHT_BINARY:-$(swift build -c release --show-bin-path)/dht}"
OURS="${OURS:-10}"
if [ "${1:-}" != "--inside" ]; then
    exec unshare -n bash "$0" --inside
fi

WORK="$(mktemp -d /tmp/dht-transmission.XXXXXX)"
ip link set lo up
ip addr add 10.80.0.1/32 dev lo
for n in $(seq 1 "$OURS"); do ip addr add "10.80.$n.2/32" dev lo; done

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT
for n in $(seq 1 "$OURS"); do
    seed=""
    if [ "$n" -gt 1 ]; then seed="10.80.1.2:6881"; fi
    "$DHT" 6881 --bind "10.80.$n.2" --no-repl $seed 2>"$WORK/dht-$n.log" &
    pids+=($!)
    sleep 0.2
done

# Transmission's state: its DHT file names our nodes, so it bootstraps from them.
mkdir -p "$WORK/tr"
python3 - "$WORK/tr" "$OURS" <<'PY'
import os, socket, struct, sys
folder, count = sys.argv[1], int(sys.argv[2])
nodes = b"".join(socket.inet_aton(f"10.80.{n}.2") + struct.pack(">H", 6881) for n in range(1, count + 1))
node_id = os.urandom(20)
with open(os.path.join(folder, "dht.dat"), "wb") as f:
    f.write(b"d2:id20:" + node_id + b"5:nodes" + str(len(nodes)).encode() + b":" + nodes + b"e")
with open(os.path.join(folder, "settings.json"), "w") as f:
    f.write('{"bind-address-ipv4": "10.80.0.1", "peer-port": 51413, "dht-enabled": true, "lpd-enabled": false,'
            ' "pex-enabled": false, "port-forwarding-enabled": false, "utp-enabled": false,'
            ' "rpc-enabled": true, "rpc-bind-address": "10.80.0.1", "rpc-port": 9091,'
            ' "rpc-authentication-required": false, "rpc-whitelist-enabled": false,'
            ' "download-dir": "' + folder + '/downloads"}')
PY
TR_DHT_VERBOSE=1 transmission-daemon -f -g "$WORK/tr" >"$WORK/transmission.log" 2>&1 &
pids+=($!)
sleep 5

DHT="$DHT" TRANSMISSION_DEADLINE="${TRANSMISSION_DEADLINE:-240}" python3 - "$WORK" "$OURS" <<'PY'
import json, os, socket, struct, subprocess, sys, time, urllib.request
work, count = sys.argv[1], int(sys.argv[2])
infohash = "0123456789abcdef0123456789abcdef01234567"

def rpc(method, arguments):
    url = "http://10.80.0.1:9091/transmission/rpc"
    session = ""
    for _ in range(2):
        request = urllib.request.Request(url, json.dumps({"method": method, "arguments": arguments}).encode(),
                                         {"X-Transmission-Session-Id": session})
        try:
            return json.loads(urllib.request.urlopen(request, timeout=5).read())
        except urllib.error.HTTPError as error:
            session = error.headers.get("X-Transmission-Session-Id", "")
    raise RuntimeError("rpc failed")

print("transmission rpc:", rpc("torrent-add", {"filename": f"magnet:?xt=urn:btih:{infohash}"}).get("result"))

def transmission_contacts():
    """Transmission's answer to find_node from a probe socket: the nodes it knows."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("10.80.0.1", 0))
    probe.settimeout(3)
    target = os.urandom(20)
    query = b"d1:ad2:id20:" + os.urandom(20) + b"6:target20:" + target + b"e1:q9:find_node1:t2:aa1:y1:qe"
    probe.sendto(query, ("10.80.0.1", 51413))
    try:
        data, _ = probe.recvfrom(1500)
    except socket.timeout:
        return []
    start = data.find(b"5:nodes")
    if start < 0:
        return []
    length_end = data.index(b":", start + 7)
    length = int(data[start + 7:length_end])
    raw = data[length_end + 1:length_end + 1 + length]
    return [socket.inet_ntoa(raw[i + 20:i + 24]) for i in range(0, len(raw), 26)]

wait = int(os.environ.get("TRANSMISSION_DEADLINE", "240"))
deadline = time.time() + wait
seen, found = [], False
while time.time() < deadline and not (seen and found):
    time.sleep(5)
    seen = [ip for ip in transmission_contacts() if ip.startswith("10.80.") and ip != "10.80.0.1"]
    reply = subprocess.run([os.environ.get("DHT", "dht"), "0", "--bind", "10.80.1.2", "10.80.2.2:6881"],
                           input=f"peers {infohash}\nquit\n", capture_output=True, text=True, timeout=60).stdout
    found = "10.80.0.1:51413" in reply
    print(f"t+{int(wait - (deadline - time.time()))}s: Transmission lists {len(seen)} of our nodes; announce found through ours: {found}")
print("PASS" if seen else "FAIL", "Transmission keeps our nodes in its routing table:", seen)
print("PASS" if found else "FAIL", "Transmission's announce is found through our nodes")
sys.exit(0 if seen and found else 1)
PY
