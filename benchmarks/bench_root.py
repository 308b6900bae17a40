#!/usr/bin/env python
"""Converting a ROOT file of 1,000 histograms into a book, against uproot alone.

Usage::

    python benchmarks/bench_root.py            # 1,000 TH1D, 9 rounds (~1 minute)
    python benchmarks/bench_root.py --quick    # 200 TH1D, 3 rounds: a smoke run

Target (from issue 10): ``histfmt.convert.root.read_book(path)`` (open, read every
histogram, build, validate the book) within 3x the time uproot alone takes to open the
same file and read every histogram's ``values(flow=True)``, ``variances(flow=True)``
and axis edges.  The file is written once by uproot: 1,000 ``TH1D`` of 50 to 150 bins
with ``fSumw2``, a tenth of them in ten sub-directories.  The two operations are
interleaved (uproot, histfmt, uproot, histfmt...) so that drift on the shared machine
hits both alike; the report gives medians and bests and the load average before and
after.  The exit status is 0 even when the target is missed: this is a report.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import hist
import numpy as np
import uproot
from _common import RESULTS_DIR, fmt_time, machine_info, md_table, source_fingerprint, write_report

from histfmt.convert import root

TARGET = 3.0


def build(path: Path, n: int, *, seed: int = 20250101) -> None:
    """``n`` weighted TH1D written by uproot; every tenth in one of ten sub-directories."""
    rng = np.random.default_rng(seed)
    with uproot.recreate(path) as out:
        for i in range(n):
            bins = int(rng.integers(50, 151))
            h = hist.Hist.new.Reg(bins, 0.0, 500.0, name="m", label="m [GeV]").Weight()
            h.fill(rng.exponential(100.0, 200), weight=rng.uniform(0.5, 1.5, 200))
            key = f"region{i % 10}/h{i}" if i % 10 == 0 else f"h{i}"
            out[key] = h


def uproot_alone(path: Path) -> int:
    """What uproot needs to hand over the same numbers: every TH1's arrays and edges."""
    count = 0
    with uproot.open(path) as file:
        for key in file.keys(recursive=True, cycle=False, filter_classname="TH1*"):
            h = file[key]
            h.values(flow=True)
            h.variances(flow=True)
            h.axis().edges()
            count += 1
    return count


def histfmt_book(path: Path) -> int:
    return len(root.read_book(path).plots)


def once(func: Callable[[], int]) -> float:
    gc.collect()
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 histograms, 3 rounds")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 9; quick 3)")
    parser.add_argument("--output", type=Path, help="markdown report (default: results/...)")
    args = parser.parse_args(argv)
    n = 200 if args.quick else 1000
    rounds = args.rounds or (3 if args.quick else 9)
    output = args.output or RESULTS_DIR / ("root-quick.md" if args.quick else "root.md")
    sources, load_before = source_fingerprint(), os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "many.root"
        print(f"writing {n} TH1D ...", file=sys.stderr)
        build(path, n)
        size = path.stat().st_size
        assert uproot_alone(path) == n
        assert histfmt_book(path) == n
        samples: dict[str, list[float]] = {"uproot": [], "histfmt": []}
        once(lambda: uproot_alone(path))  # warm-up: OS cache, uproot's classes
        once(lambda: histfmt_book(path))
        for round_ in range(rounds):
            samples["uproot"].append(once(lambda: uproot_alone(path)))
            samples["histfmt"].append(once(lambda: histfmt_book(path)))
            print(
                f"  round {round_ + 1}/{rounds}: uproot {fmt_time(samples['uproot'][-1])}, "
                f"histfmt {fmt_time(samples['histfmt'][-1])}",
                file=sys.stderr,
            )
    load_after = os.getloadavg()
    median = {key: statistics.median(values) for key, values in samples.items()}
    best = {key: min(values) for key, values in samples.items()}
    ratio = median["histfmt"] / median["uproot"]
    status = "PASS" if ratio <= TARGET else "**FAIL**"
    rows = [
        [
            "uproot alone: open, `values(flow=True)`, `variances(flow=True)`, `axis().edges()`",
            fmt_time(median["uproot"]),
            fmt_time(best["uproot"]),
            "1.00x",
        ],
        [
            "histfmt: `convert.root.read_book(path)` (read, build, validate the book)",
            fmt_time(median["histfmt"]),
            fmt_time(best["histfmt"]),
            f"{ratio:.2f}x",
        ],
    ]
    text = "\n\n".join(
        [
            "# ROOT file of many histograms into a book",
            f"{n:,} TH1D (50-150 bins each, with `fSumw2`; a tenth in sub-directories), "
            f"one file of {size / 1e6:.2f} MB written by uproot. {rounds} interleaved rounds "
            "after one warm-up each; ratio of medians.",
            md_table(["operation", "median", "best", "vs uproot"], rows, "lrrr"),
            f"**Target**: histfmt within {TARGET:g}x uproot alone: **{ratio:.2f}x** "
            f"(best-to-best {best['histfmt'] / best['uproot']:.2f}x): {status}.",
            f"Load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in load_before)} "
            f"before, {', '.join(f'{x:.2f}' for x in load_after)} after.",
            "## Machine",
            md_table(
                ["", ""],
                machine_info(["numpy", "uproot", "msgspec", "hist"], sources),
            ),
        ]
    )
    print(text)
    print(f"{status}: read_book within {TARGET:g}x uproot ({ratio:.2f}x)")
    write_report(output, text + "\n")
    print(f"written: {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
