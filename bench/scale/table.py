"""Formats dht-bench scale runs (JSON files given as arguments) as one markdown table."""
import json
import math
import sys


def row(report):
    """The table row for one run: how cost and success grow with N."""
    n = report["nodes"]
    put, get = report["put"], report["get"]
    return "| {:,} | {:.1f} | {:.1f} | {:.1f} | {} | {:.1%} | {:.1%} | {:.1f} | {:.0f} |".format(
        n, math.log2(n), get["rpcs_per_op_by_method"]["find_value"], put["rpcs_per_op"],
        get["rounds_p50"], put["success_rate"], get["success_rate"],
        report["rss_per_node_kib"], report["build_s"])


def main(paths):
    """Prints the header and one row per file, smallest N first."""
    reports = sorted((json.load(open(path)) for path in paths), key=lambda r: r["nodes"])
    print("| N | log2 N | RPCs per get lookup | RPCs per put (lookup + stores) | hops p50 "
          "| put success | get success | memory per node (KiB) | build (s) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for report in reports:
        print(row(report))


if __name__ == "__main__":
    main(sys.argv[1:])
