#!/usr/bin/env bash
# What `make interop` needs, installed once: libtorrent 2.1.1 from PyPI into .venv (ignored by
# git; if PyPI cannot be reached this says so and fails rather than skipping) and, as root
# with apt, Debian's transmission-daemon. `.ci/run` runs it while the Swift code compiles.
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

if ! command -v transmission-daemon >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq transmission-daemon >/dev/null; } \
        || echo "interop: could not install transmission-daemon" >&2
fi
