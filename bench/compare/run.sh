#!/usr/bin/env bash
# Side-by-side benchmark of our DHT against bmuller's kademlia and libtorrent's DHT.
# Creates .venv (gitignored) with the two references, builds dht-bench, runs
# compare.py (extra arguments are passed on) and prints one markdown table.
# Exits non-zero only when our own benchmark cannot be built or run.
set -u
cd "$(dirname "$0")/../.."
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the work tree

VENV=.venv
PYTHON=python3
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >&2 || echo "run.sh: could not create $VENV" >&2
fi
if [ -x "$VENV/bin/python" ]; then
    PYTHON="$VENV/bin/python"
    # One at a time, so a reference that cannot install leaves the other usable.
    for requirement in "kademlia==2.2.3" "libtorrent==2.1.1"; do
        "$PYTHON" -m pip install --quiet --disable-pip-version-check "$requirement" >&2 \
            || echo "run.sh: could not install $requirement; its column will say n/a" >&2
    done
fi

swift build -c release --product dht-bench >&2 || exit 1
BENCH="$(swift build -c release --show-bin-path)/dht-bench"
exec "$PYTHON" bench/compare/compare.py --bench "$BENCH" --python "$PYTHON" "$@"
