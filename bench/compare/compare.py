"""Runs dht-bench and the two reference benchmarks and prints one markdown table.

Each benchmark is a subprocess that prints one JSON object on stdout (progress
on stderr) and is killed after --timeout seconds. A reference that cannot run
gets an "n/a" column with the reason; the raw JSON of all three goes to
bench/compare/results.json. Exits 1 only when our own benchmark fails.
"""

import argparse
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NAMES = ("ours", "bmuller", "libtorrent")


def parse_args():
    """The command line: where our benchmark is, node counts, workload, limits."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default=str(ROOT / ".build/release/dht-bench"),
                        help="our dht-bench binary")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter with kademlia and libtorrent installed")
    parser.add_argument("--nodes", type=int, default=200, help="nodes for ours and bmuller")
    parser.add_argument("--libtorrent-nodes", type=int, default=100)
    parser.add_argument("--puts", type=int, default=200)
    parser.add_argument("--gets", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=240, help="seconds per benchmark")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    return parser.parse_args()


def run(name, command, timeout):
    """Runs one benchmark; returns (report, None) or (None, reason)."""
    print(f"== {name}: {' '.join(command)}", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as expired:
        sys.stderr.write(_text(expired.stderr))
        return None, f"timeout after {timeout:g} s"
    except OSError as error:
        return None, f"could not start: {error.strerror}"
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or [""]
        return None, f"exit {done.returncode}: {last[0][:160]}"
    try:
        return json.loads(done.stdout), None
    except json.JSONDecodeError:
        return None, "printed no JSON"


def _text(output):
    """Captured output as text, whatever subprocess handed back."""
    if output is None:
        return ""
    return output.decode(errors="replace") if isinstance(output, bytes) else output


def commands(args):
    """The command line of each benchmark, with the shared workload."""
    workload = ["--puts", str(args.puts), "--gets", str(args.gets),
                "--concurrency", str(args.concurrency), "--seed", str(args.seed)]
    return {
        "ours": [args.bench, "--nodes", str(args.nodes)] + workload,
        "bmuller": [args.python, str(HERE / "kademlia_bench.py"), "--nodes", str(args.nodes)] + workload,
        "libtorrent": [args.python, str(HERE / "libtorrent_bench.py"),
                       "--nodes", str(args.libtorrent_nodes)] + workload,
    }


def pick(report, phase, key):
    """report[phase][key] (or report[key] when phase is None), None if absent."""
    if report is None:
        return None
    section = report if phase is None else report.get(phase) or {}
    return section.get(key)


# (label, phase, key, True when higher is better, format)
ROWS = [
    ("nodes", None, "nodes", None, "{:.0f}"),
    ("put median (ms)", "put", "p50_ms", False, "{:.2f}"),
    ("get median (ms)", "get", "p50_ms", False, "{:.2f}"),
    ("gets/s, C in flight", "get_concurrent", "ops_per_s", True, "{:.0f}"),
    ("puts/s, C in flight", "put_concurrent", "ops_per_s", True, "{:.0f}"),
    ("memory per node (KiB)", None, "rss_per_node_kib", False, "{:.1f}"),
    ("RPCs per put", "put", "rpcs_per_op", False, "{:.1f}"),
    ("RPCs per get", "get", "rpcs_per_op", False, "{:.1f}"),
]
SUCCESS_ROWS = [
    ("success put / get (%)", ("put", "get")),
    ("success put / get, C in flight (%)", ("put_concurrent", "get_concurrent")),
]


def ratio(ours, theirs, higher_is_better):
    """How many times better ours is (>1 means ours is better)."""
    if higher_is_better is None:
        return "—"
    if ours is None or theirs is None:
        return "n/a"
    if higher_is_better:
        return f"{ours / theirs:.2f}×" if theirs > 0 else "n/a"
    return f"{theirs / ours:.2f}×" if ours > 0 else "n/a"


def cell(value, fmt):
    """A number formatted for the table, or n/a."""
    return "n/a" if value is None else fmt.format(value)


def table(reports, errors, concurrency):
    """The comparison as markdown lines."""
    def header(name):
        """The column title: the implementation and version when known."""
        label = (name != "ours" and pick(reports[name], None, "implementation")) or name
        return label if name not in errors else f"{label} (n/a)"

    lines = [
        f"| C = {concurrency} | {header('ours')} | {header('bmuller')} | {header('libtorrent')} "
        "| ours vs bmuller | ours vs libtorrent |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, phase, key, higher, fmt in ROWS:
        values = [pick(reports[name], phase, key) for name in NAMES]
        lines.append(f"| {label} | " + " | ".join(cell(v, fmt) for v in values)
                     + f" | {ratio(values[0], values[1], higher)} | {ratio(values[0], values[2], higher)} |")
    for label, phases in SUCCESS_ROWS:
        cells = []
        for name in NAMES:
            rates = [pick(reports[name], phase, "success_rate") for phase in phases]
            cells.append("n/a" if None in rates else " / ".join(f"{100 * r:.1f}" for r in rates))
        lines.append(f"| {label} | " + " | ".join(cells) + " | — | — |")
    lines.append("")
    lines.append("Ratios: >1 means ours is better (time and memory: theirs / ours; rates: ours / theirs).")
    for name in NAMES:
        if name in errors:
            lines.append(f"{name}: n/a ({errors[name]})")
    return lines


def main():
    """Runs the three benchmarks, writes results.json, prints the table."""
    args = parse_args()
    reports, errors = {}, {}
    for name, command in commands(args).items():
        reports[name], reason = run(name, command, args.timeout)
        if reason:
            errors[name] = reason
    pathlib.Path(args.out).write_text(json.dumps(
        {"reports": reports, "errors": errors, "commands": commands(args)}, indent=2) + "\n")
    print("\n".join(table(reports, errors, args.concurrency)))
    return 1 if "ours" in errors else 0


if __name__ == "__main__":
    sys.exit(main())
