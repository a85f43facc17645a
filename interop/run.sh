#!/usr/bin/env bash
# `make interop`: our dht binaries beside stock libtorrent 2.1.1 sessions on loopback
# (interop/driver.py). Installs libtorrent from PyPI into .venv (ignored by git); if PyPI
# cannot be reached it says so and fails rather than skipping.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import libtorrent, cryptography; assert libtorrent.__version__.startswith("2.1.1")' 2>/dev/null; then
    if ! .venv/bin/pip install --quiet --disable-pip-version-check 'libtorrent==2.1.1' 'cryptography>=41'; then
        echo "interop: could not install libtorrent==2.1.1 from PyPI (is it reachable?); the interop tests did not run" >&2
        exit 1
    fi
fi

swift build -c release --product dht
DHT_BINARY="$(swift build -c release --show-bin-path)/dht" timeout 300 .venv/bin/python -W ignore::DeprecationWarning interop/driver.py
