#!/usr/bin/env python
"""Load/save speed of histfmt against plain JSON libraries on the same bytes.

Usage::

    python benchmarks/bench_io.py            # 100,000-bin document (~1 minute)
    python benchmarks/bench_io.py --quick    # 10,000 bins, no big YAML: a smoke run (~15 s)
    python benchmarks/bench_io.py --map      # a 1,000 x 1,000-bin 2-D document (~1 minute)

Targets (from the project's issue), for a 100,000-bin document with 10 yields
(9 MC + data, each with ``values`` and ``stat``, under/overflow bins, a 9-layer
stack, a data points stack and a ratio item):

* ``histfmt.loads(raw)`` (decode + full validation) within 1.5x of ``orjson.loads(raw)``;
* ``histfmt.dumps(doc)`` (validation + encode) within 2x of ``orjson.dumps`` of the
  equivalent plain dict of lists.

With ``--map`` the document is a 2-D map of 1,000 x 1,000 bins (plus flow bins, so
1,002 x 1,002 cells) with values and stat, reported in ``results/io-2d.md`` against the
same two targets: load + validate within 1.5x ``orjson.loads``, save within 2x
``orjson.dumps`` of the same data as nested lists.

Every other row (json, msgspec, numpy-aware orjson, .json.gz, YAML, the 40-bin
document) is context.  Each time is the best of N runs with the garbage
collector disabled; every ratio compares numbers from the same run.  The exit
status is 0 even when a target is missed: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import orjson
import yaml
from _common import (
    RESULTS_DIR,
    Timing,
    fmt_bytes,
    fmt_time,
    machine_info,
    md_table,
    measure,
    source_fingerprint,
    write_report,
)

import histfmt

MAP_BINS = 1_000
LARGE_BINS = 100_000
QUICK_BINS = 10_000
SMALL_BINS = 40
YAML_BINS = 10_000  # YAML at 100k bins takes ~30 s per parse: measured on 10k instead
LOAD_TARGET = 1.5
SAVE_TARGET = 2.0
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# -- the documents ------------------------------------------------------------------


def build_document(n_bins: int, n_mc: int, *, seed: int = 20240601) -> histfmt.Document:
    """A data-vs-MC plot: ``n_mc`` weighted MC yields plus Poisson data, with stat errors.

    MC values are full-precision doubles (weighted events), the worst case for
    number parsing and printing; data are integer counts stored as floats.
    """
    rng = np.random.default_rng(seed)
    edges = np.linspace(0.0, 1000.0, n_bins + 1)
    doc = histfmt.Document.new(edges, underflow=True, overflow=True, symbol="$m$", unit="GeV")
    n_values = n_bins + 2
    shape = np.exp(-np.linspace(0.0, 5.0, n_values))
    names = [f"mc{i}" for i in range(n_mc)]
    for i, name in enumerate(names):
        values = shape * 1000.0 / (i + 1) * rng.uniform(0.8, 1.2, n_values)
        stat = np.sqrt(values) * rng.uniform(0.9, 1.1, n_values)
        doc.add_yield(name, values, stat=stat, label=f"Process {i}")
    data = rng.poisson(shape * 1000.0 * sum(1.0 / (i + 1) for i in range(n_mc))).astype(float)
    doc.add_yield("data", data, stat=np.sqrt(data), label="Data")
    colors = [f"C{i % 10}" for i in range(n_mc)]
    doc.add_stack(names, styles=[{"color": c} for c in colors])
    doc.add_stack(["data"], type="points", error="poisson")
    doc.add_ratio("data", names, error="poisson", label="Data / MC")
    return doc


def build_map(n_bins: int, *, seed: int = 20240601) -> histfmt.Document:
    """A 2-D map of ``n_bins`` x ``n_bins`` weighted counts with stat errors and flow bins."""
    rng = np.random.default_rng(seed)
    y = histfmt.Axis.new(np.linspace(0.0, 500.0, n_bins + 1), underflow=True, overflow=True)
    doc = histfmt.Document.new(
        np.linspace(0.0, 1000.0, n_bins + 1), underflow=True, overflow=True, unit="GeV", y=y
    )
    values = rng.exponential(100.0, (n_bins + 2, n_bins + 2))
    doc.add_yield("map", values, stat=np.sqrt(values) * rng.uniform(0.9, 1.1, values.shape))
    doc.add_stack(["map"], type="map", error="none")  # type: ignore[arg-type]
    return doc


def numpy_builtins(plain: dict[str, Any]) -> dict[str, Any]:
    """``plain`` with every per-bin list (edges, values, stat) as a float64 array."""
    result = dict(plain)
    result["x"] = {**plain["x"], "edges": np.asarray(plain["x"]["edges"], dtype=np.float64)}
    result["yields"] = {
        name: {
            key: np.asarray(value, dtype=np.float64) if key in ("values", "stat") else value
            for key, value in item.items()
        }
        for name, item in plain["yields"].items()
    }
    return result


# -- measuring -----------------------------------------------------------------------


@dataclass
class Suite:
    """Timings of one document, and the comparisons drawn from them."""

    title: str
    repeat: int
    timings: dict[str, Timing] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)

    def time(
        self, key: str, func: Callable[[], object], *, repeat: int | None = None, **kw: Any
    ) -> None:
        print(f"  {self.title}: {key} ...", end="", flush=True, file=sys.stderr)
        self.timings[key] = measure(func, repeat=repeat or self.repeat, **kw)
        print(f" {fmt_time(self.timings[key].seconds)}", file=sys.stderr)

    def ratio(self, subject: str, baseline: str) -> float:
        return self.timings[subject].seconds / self.timings[baseline].seconds


@dataclass(frozen=True)
class Comparison:
    suite: Suite
    subject: str
    baseline: str
    target: float | None  # maximum ratio; None: context only
    is_target: bool = False

    @property
    def ratio(self) -> float:
        return self.suite.ratio(self.subject, self.baseline)

    @property
    def status(self) -> str:
        if self.target is None:
            return "context"
        ok = self.ratio <= self.target
        if self.is_target:
            return "PASS" if ok else "**FAIL**"
        return f"context ({'within' if ok else 'over'} {self.target:g}x)"


def run_document(title: str, doc: histfmt.Document, repeat: int) -> Suite:
    """Load and save timings for ``doc`` and their baselines."""
    suite = Suite(title, repeat)
    raw = histfmt.dumps(doc)
    plain = orjson.loads(raw)
    as_numpy = numpy_builtins(plain)
    # The baselines must see the same data: check before timing anything.
    assert histfmt.loads(raw) == doc, "round trip changed the document"
    assert orjson.loads(orjson.dumps(plain)) == plain
    assert orjson.loads(orjson.dumps(as_numpy, option=orjson.OPT_SERIALIZE_NUMPY)) == plain
    suite.sizes["JSON"] = len(raw)

    suite.time("histfmt.loads(raw)", lambda: histfmt.loads(raw))
    suite.time("orjson.loads(raw)", lambda: orjson.loads(raw))
    suite.time("msgspec.json.decode(raw) (untyped)", lambda: msgspec.json.decode(raw))
    suite.time("json.loads(raw)", lambda: json.loads(raw))

    suite.time("histfmt.dumps(doc)", lambda: histfmt.dumps(doc))
    suite.time("orjson.dumps(dict of lists)", lambda: orjson.dumps(plain))
    suite.time(
        "orjson.dumps(dict of arrays, OPT_SERIALIZE_NUMPY)",
        lambda: orjson.dumps(as_numpy, option=orjson.OPT_SERIALIZE_NUMPY),
    )
    suite.time("msgspec.json.encode(dict of lists)", lambda: msgspec.json.encode(plain))

    compressed = histfmt.dumps(doc, format="json.gz")
    suite.sizes["JSON.gz"] = len(compressed)
    suite.time(
        "histfmt.loads(gz, format='json.gz')",
        lambda: histfmt.loads(compressed, format="json.gz"),
    )
    suite.time(
        "orjson.loads(gzip.decompress(gz))", lambda: orjson.loads(gzip.decompress(compressed))
    )
    slow = {"repeat": 1, "warmup": False} if len(raw) > 5_000_000 else {}
    suite.time(
        "histfmt.dumps(doc, format='json.gz')",
        lambda: histfmt.dumps(doc, format="json.gz"),
        **slow,
    )
    suite.time(
        "gzip.compress(orjson.dumps(dict of lists), 6)",
        lambda: gzip.compress(orjson.dumps(plain), compresslevel=6, mtime=0),
        **slow,
    )
    return suite


def run_yaml(suite: Suite, doc: histfmt.Document, repeat: int, note: str = "") -> None:
    """YAML load of ``doc`` against a plain PyYAML parse of the same text."""
    text = histfmt.dumps(doc, format="yaml")
    suite.sizes["YAML" + note] = len(text)
    assert histfmt.loads(text, format="yaml") == doc
    slow = {"warmup": False} if len(text) > 1_000_000 else {}
    suite.time(
        f"histfmt.loads(yaml, format='yaml'){note}",
        lambda: histfmt.loads(text, format="yaml"),
        repeat=repeat,
        **slow,
    )
    suite.time(
        f"yaml.load(yaml, CSafeLoader){note}",
        lambda: yaml.load(text, Loader=YAML_LOADER),
        repeat=repeat,
        **slow,
    )


def comparisons(suite: Suite, *, targets: bool, yaml_note: str) -> list[Comparison]:
    load, save = (LOAD_TARGET, SAVE_TARGET)
    rows = [
        Comparison(suite, "histfmt.loads(raw)", "orjson.loads(raw)", load, targets),
        Comparison(suite, "histfmt.loads(raw)", "json.loads(raw)", None),
        Comparison(suite, "histfmt.loads(raw)", "msgspec.json.decode(raw) (untyped)", None),
        Comparison(suite, "histfmt.dumps(doc)", "orjson.dumps(dict of lists)", save, targets),
        Comparison(
            suite,
            "histfmt.dumps(doc)",
            "orjson.dumps(dict of arrays, OPT_SERIALIZE_NUMPY)",
            save,
        ),
        Comparison(suite, "histfmt.dumps(doc)", "msgspec.json.encode(dict of lists)", None),
        Comparison(
            suite, "histfmt.loads(gz, format='json.gz')", "orjson.loads(gzip.decompress(gz))", None
        ),
        Comparison(
            suite,
            "histfmt.dumps(doc, format='json.gz')",
            "gzip.compress(orjson.dumps(dict of lists), 6)",
            None,
        ),
    ]
    subject = f"histfmt.loads(yaml, format='yaml'){yaml_note}"
    if subject in suite.timings:
        rows.append(Comparison(suite, subject, f"yaml.load(yaml, CSafeLoader){yaml_note}", None))
    return rows


# -- reporting -----------------------------------------------------------------------


def render(
    suites: list[tuple[Suite, list[Comparison]]], quick: bool, n_large: int, fingerprint: str
) -> str:
    info = machine_info(["histfmt", "numpy", "msgspec", "orjson", "PyYAML"], fingerprint)
    out = [
        "# histfmt I/O benchmark" + (" (QUICK smoke run)" if quick else ""),
        "",
        f"`python benchmarks/bench_io.py{' --quick' if quick else ''}`: best of N runs "
        "(N x loops for fast operations), `time.perf_counter`, garbage collector off. "
        "Ratios compare times from the same run.",
        "",
        md_table(["", ""], info),
        "",
    ]
    if fingerprint != source_fingerprint():
        out += [
            "> WARNING: histfmt's sources changed while this ran; the numbers may mix "
            "two versions. Run again.",
            "",
        ]
    if quick:
        out += [
            f"> QUICK run: the 'large' document has {n_large:,} bins, not {LARGE_BINS:,}; "
            "the PASS/FAIL below is indicative only.",
            "",
        ]
    targets = [c for _, comps in suites for c in comps if c.is_target]
    out += ["## Targets", ""]
    out.append(
        md_table(
            ["target", "histfmt", "baseline", "ratio", "limit", "result"],
            [
                [
                    f"{c.subject} vs {c.baseline} ({c.suite.title})",
                    fmt_time(c.suite.timings[c.subject].seconds),
                    fmt_time(c.suite.timings[c.baseline].seconds),
                    f"{c.ratio:.2f}x",
                    f"<= {c.target:g}x",
                    c.status,
                ]
                for c in targets
            ],
            "lrrrrl",
        )
    )
    out.append("")
    for suite, comps in suites:
        sizes = ", ".join(f"{k} {fmt_bytes(v)}" for k, v in suite.sizes.items())
        out += [f"## {suite.title}", "", f"Sizes: {sizes}.", ""]
        out.append(
            md_table(
                ["operation", "best time", "runs"],
                [[f"`{k}`", fmt_time(t.seconds), t.runs] for k, t in suite.timings.items()],
                "lrr",
            )
        )
        out += ["", "Ratios (histfmt time / baseline time):", ""]
        out.append(
            md_table(
                ["histfmt", "baseline", "ratio", "status"],
                [[f"`{c.subject}`", f"`{c.baseline}`", f"{c.ratio:.2f}x", c.status] for c in comps],
                "llrl",
            )
        )
        out.append("")
    failed = [c for c in targets if c.status != "PASS"]
    out.append(
        f"**Summary: {len(targets) - len(failed)} of {len(targets)} targets met"
        + (
            "; MISSED: "
            + "; ".join(f"{c.subject} at {c.ratio:.2f}x > {c.target:g}x" for c in failed)
            if failed
            else ""
        )
        + ".**"
    )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_BINS:,} bins: a smoke run")
    parser.add_argument(
        "--map", action="store_true", help=f"a {MAP_BINS:,} x {MAP_BINS:,}-bin 2-D document"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="markdown report (default: results/io.md, results/io-quick.md with --quick, "
        "results/io-2d.md with --map)",
    )
    args = parser.parse_args(argv)
    if args.map:
        return main_map(args.output or RESULTS_DIR / "io-2d.md")
    n_large = QUICK_BINS if args.quick else LARGE_BINS
    output = args.output or RESULTS_DIR / ("io-quick.md" if args.quick else "io.md")
    fingerprint = source_fingerprint()

    print(f"building documents ({n_large:,} and {SMALL_BINS} bins) ...", file=sys.stderr)
    large = build_document(n_large, 9)
    small = build_document(SMALL_BINS, 4)

    large_suite = run_document(f"Large: {n_large:,} bins, 10 yields", large, repeat=5)
    yaml_note = ""
    if not args.quick:  # the quick run does YAML on the typical document only
        yaml_note = f" [{YAML_BINS:,}-bin doc]"
        run_yaml(large_suite, build_document(YAML_BINS, 9), repeat=3, note=yaml_note)
    small_suite = run_document(f"Typical: {SMALL_BINS} bins, 5 yields", small, repeat=15)
    run_yaml(small_suite, small, repeat=15)

    report = render(
        [
            (large_suite, comparisons(large_suite, targets=True, yaml_note=yaml_note)),
            (small_suite, comparisons(small_suite, targets=False, yaml_note="")),
        ],
        args.quick,
        n_large,
        fingerprint,
    )
    print(report)
    write_report(output, report)
    print(f"written: {output}", file=sys.stderr)
    return 0


def main_map(output: Path) -> int:
    """The 2-D run: one map document, its targets, its report."""
    fingerprint = source_fingerprint()
    print(f"building a {MAP_BINS:,} x {MAP_BINS:,}-bin map ...", file=sys.stderr)
    suite = run_document(f"Map: {MAP_BINS:,} x {MAP_BINS:,} bins, 1 yield", build_map(MAP_BINS), 5)
    report = render(
        [(suite, comparisons(suite, targets=True, yaml_note=""))], False, MAP_BINS, fingerprint
    )
    report = report.replace("# histfmt I/O benchmark", "# histfmt I/O benchmark: a 2-D map", 1)
    report = report.replace("bench_io.py`", "bench_io.py --map`", 1)
    print(report)
    write_report(output, report)
    print(f"written: {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
