#!/usr/bin/env python
"""cProfile one histfmt I/O operation on the benchmark documents.

Usage::

    python benchmarks/profile_io.py dumps            # 100,000-bin document
    python benchmarks/profile_io.py loads --bins 40 --mc 4
    python benchmarks/profile_io.py dumps --sort cumtime --top 25

Prints the functions that take the time (cProfile inflates Python-level calls;
use bench_io.py for the real numbers).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys

from bench_io import build_document

import histfmt

OPERATIONS = ("loads", "dumps", "loads-gz", "dumps-gz")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("operation", choices=OPERATIONS)
    parser.add_argument("--bins", type=int, default=100_000)
    parser.add_argument("--mc", type=int, default=9, help="number of MC yields (plus data)")
    parser.add_argument("--calls", type=int, help="calls to profile (default: ~1 s worth)")
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumtime", "ncalls"))
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)

    doc = build_document(args.bins, args.mc)
    raw = histfmt.dumps(doc)
    compressed = histfmt.dumps(doc, format="json.gz")
    operation = {
        "loads": lambda: histfmt.loads(raw),
        "dumps": lambda: histfmt.dumps(doc),
        "loads-gz": lambda: histfmt.loads(compressed, format="json.gz"),
        "dumps-gz": lambda: histfmt.dumps(doc, format="json.gz"),
    }[args.operation]
    operation()  # warm-up: lazy imports, caches
    calls = args.calls or max(1, min(1000, 2_000_000 // max(len(raw), 1)))

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        operation()
    profiler.disable()
    print(f"{args.operation}: {args.bins:,} bins, {args.mc + 1} yields, {calls} calls")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
