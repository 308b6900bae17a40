#!/usr/bin/env python
"""Rendering speed of histfmt against uhepp 0.5.2 and a naive mplhep plot.

Usage::

    python benchmarks/bench_render.py            # the issue's targets (~3-4 minutes)
    python benchmarks/bench_render.py --quick    # smoke run (~1 minute): results/render-quick.md
    python benchmarks/bench_render.py --axes     # render() vs drawing into a user's axes
                                                 # (~2 minutes): results/render-axes.md

Targets (from the project's issue):

1. *Scaling with bin count*: an in-process PNG render (dpi 100) of a document with
   9 stacked MC yields, data points, a data/MC ratio and an ATLAS badge takes at
   most 2x the time of the 40-bin document at 10,000 bins, and at most 4x at
   100,000 bins.  Context from the same run: uhepp 0.5.2 rendering the same plot
   (40 and 1,000 bins only; larger sizes are extrapolated from its per-bin slope)
   and a naive mplhep plot (``histplot(..., stack=True, histtype="fill")`` + data
   ``errorbar`` + ratio panel) at 40, 1,000 and 10,000 bins.
2. *Whole-process CLI*: ``histfmt render typical.json -o out.png --dpi 300`` takes
   at most 0.8x the time of ``uhepp render typical_uhepp.json out.png`` (dpi 300)
   for the same 40-bin data-vs-MC plot, best of 5 processes after a warm-up.

Every renderer runs in its own worker process (``--worker``), because ``import uhepp``
and mplhep styles change matplotlib's global state.  The exit status is 0 even when
a target is missed: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from _common import (
    RESULTS_DIR,
    fmt_bytes,
    fmt_time,
    machine_info,
    md_table,
    source_fingerprint,
    write_report,
)

PYTHON = sys.executable
BIN = Path(sys.executable).parent
HISTFMT_CLI = str(BIN / "histfmt")
UHEPP_CLI = str(BIN / "uhepp")
SCRIPT = Path(__file__).resolve()
MARKER = "@@BENCH-RENDER@@"

SCALING_BINS = (40, 1_000, 10_000, 100_000)
BASE_BINS = 40
SCALING_TARGETS = {10_000: 2.0, 100_000: 4.0}  # max time relative to 40 bins
CLI_TARGET = 0.8  # histfmt / uhepp, whole process
SCALING_DPI = 100
FIGSIZE = (6.0, 6.0)  # histfmt's default with a ratio panel; uhepp and mplhep are set to it
SLOW_RENDER = 2.5  # s: above this, a size gets fewer samples and no extra warm-up
N_MC = 9
TYPICAL_BINS = 40
TYPICAL_MC = 4


@dataclass(frozen=True)
class Plan:
    """How much to run: the full benchmark or the quick smoke run."""

    quick: bool
    histfmt_bins: tuple[int, ...]
    uhepp_bins: tuple[int, ...]
    mplhep_bins: tuple[int, ...]
    repeat: int  # samples per size (best of)
    slow_repeat: int  # samples for renders slower than SLOW_RENDER
    cli_repeat: int
    phase_runs: int


FULL = Plan(False, SCALING_BINS, (40, 1_000), (40, 1_000, 10_000), 5, 2, 5, 3)
QUICK = Plan(True, SCALING_BINS, (40, 200), (40, 1_000), 2, 1, 2, 1)


# -- the plots ---------------------------------------------------------------------------


def scaling_arrays(n_bins: int, *, seed: int = 20240601) -> dict[str, Any]:
    """Edges, 9 weighted MC yields and Poisson data, each with under/overflow (n + 2 values)."""
    rng = np.random.default_rng(seed)
    edges = np.linspace(0.0, 1000.0, n_bins + 1)
    shape = np.exp(-np.linspace(0.0, 5.0, n_bins + 2))
    mc = []
    for i in range(N_MC):
        values = shape * 1000.0 / (i + 1) * rng.uniform(0.8, 1.2, n_bins + 2)
        mc.append((f"mc{i}", f"Process {i}", values, np.sqrt(values)))
    data = rng.poisson(shape * 1000.0 * sum(1.0 / (i + 1) for i in range(N_MC))).astype(float)
    return {"edges": edges, "mc": mc, "data": data}


def typical_arrays(*, seed: int = 7) -> dict[str, Any]:
    """The typical plot: 40 bins, 4 MC samples and data, with under/overflow."""
    rng = np.random.default_rng(seed)
    n_bins = TYPICAL_BINS
    edges = np.linspace(0.0, 200.0, n_bins + 1)
    shape = np.exp(-np.linspace(0.0, 4.0, n_bins + 2))
    labels = [r"$t\bar{t}$", "W+jets", "Z+jets", "Diboson"]
    mc = []
    for i, label in enumerate(labels[:TYPICAL_MC]):
        values = shape * 500.0 / (i + 1) * rng.uniform(0.8, 1.2, n_bins + 2)
        mc.append((f"mc{i}", label, values, np.sqrt(values)))
    data = rng.poisson(sum(values for _, _, values, _ in mc)).astype(float)
    return {"edges": edges, "mc": mc, "data": data}


def histfmt_document(arrays: dict[str, Any], *, symbol: str, typical: bool = False) -> Any:
    """The plot with histfmt's builder API."""
    import histfmt
    from histfmt.model import Badge, Energy, Layout, Luminosity, Metadata

    doc = histfmt.Document.new(
        arrays["edges"], underflow=True, overflow=True, symbol=symbol, unit="GeV"
    )
    names = []
    for name, label, values, stat in arrays["mc"]:
        doc.add_yield(name, values, stat=stat, label=label)
        names.append(name)
    doc.add_yield("data", arrays["data"], stat=np.sqrt(arrays["data"]))
    doc.add_stack(names)
    doc.add_stack([("data", "Data")], type="points")
    doc.add_ratio("data", names)
    doc.badge = Badge(brand="ATLAS", label="Internal")
    if typical:
        doc.metadata = Metadata(sqrt_s=Energy(13.0), luminosity=Luminosity(139.0))
        doc.layout = Layout(size=(5.0, 5.0))  # uhepp's default size with a ratio panel
    return doc


def uhepp_document(arrays: dict[str, Any], *, symbol: str, typical: bool = False) -> Any:
    """The same plot with uhepp's API (imports uhepp: call in a worker process only)."""
    import uhepp

    hist = uhepp.UHeppHist(symbol, arrays["edges"].tolist())
    hist.unit = "GeV"
    hist.yields = {
        name: uhepp.Yield(values.tolist(), stat.tolist()) for name, _, values, stat in arrays["mc"]
    }
    data = arrays["data"]
    hist.yields["data"] = uhepp.Yield(data.tolist(), np.sqrt(data).tolist())
    names = [name for name, _, _, _ in arrays["mc"]]
    hist.stacks = [
        uhepp.Stack([uhepp.StackItem([name], label) for name, label, _, _ in arrays["mc"]]),
        uhepp.Stack([uhepp.StackItem(["data"], "Data")], bartype="points"),
    ]
    hist.ratio = [uhepp.RatioItem(["data"], names, bartype="points")]
    hist.brand = "ATLAS"
    hist.brand_label = "Internal"
    if typical:  # uhepp never draws lumi_ifb / Ecm_TeV: users type them into subtext
        hist.lumi, hist.energy = 139.0, 13.0
        hist.subtext = r"$\sqrt{s}$ = 13 TeV, 139 fb$^{-1}$"
    else:
        hist.figure_size = FIGSIZE
    return hist


# -- renderers (run inside worker processes) ----------------------------------------------


def histfmt_renderer(n_bins: int) -> Callable[[], bytes]:
    from histfmt.render.mpl import render
    from histfmt.render.options import RenderOptions

    doc = histfmt_document(scaling_arrays(n_bins), symbol="$m$")
    options = RenderOptions(dpi=SCALING_DPI)
    return lambda: render(doc, format="png", options=options)


def uhepp_renderer(n_bins: int) -> Callable[[], bytes]:
    import matplotlib.pyplot as plt

    hist = uhepp_document(scaling_arrays(n_bins), symbol="$m$")

    def run() -> bytes:
        figure, _ = hist.render()
        buffer = io.BytesIO()
        try:
            figure.savefig(buffer, format="png", dpi=SCALING_DPI)
        finally:
            plt.close(figure)  # uhepp leaves its figures open
        return buffer.getvalue()

    return run


def mplhep_renderer(n_bins: int) -> Callable[[], bytes]:
    """What a user would write with mplhep directly: no decimation, no custom limits."""
    import matplotlib
    import mplhep
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    arrays = scaling_arrays(n_bins)
    edges = arrays["edges"]
    values = [v[1:-1] for _, _, v, _ in arrays["mc"]]  # the drawn bins, flow left out
    labels = [label for _, label, _, _ in arrays["mc"]]
    data = arrays["data"][1:-1]
    total = np.sum(values, axis=0)

    def run() -> bytes:
        with matplotlib.rc_context(mplhep.styles.ATLAS):
            fig = Figure(figsize=FIGSIZE)
            FigureCanvasAgg(fig)
            ax, rax = fig.subplots(
                2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1], "hspace": 0}
            )
            mplhep.histplot(
                values, edges, stack=True, histtype="fill", label=labels, ax=ax, flow="none"
            )
            mplhep.histplot(
                data, edges, yerr=np.sqrt(data), histtype="errorbar", color="k",
                label="Data", ax=ax, flow="none",
            )  # fmt: skip
            mplhep.histplot(
                data / total, edges, yerr=np.sqrt(data) / total, histtype="errorbar",
                color="k", ax=rax, flow="none",
            )  # fmt: skip
            rax.axhline(1.0, color="k", linestyle="--")
            ax.set_ylabel("Events")
            rax.set_ylabel("Data / MC")
            rax.set_xlabel("$m$ [GeV]")
            ax.legend()
            mplhep.atlas.label("Internal", data=True, ax=ax)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=SCALING_DPI)
        return buffer.getvalue()

    return run


MAP_BINS = 1_000  # a MAP_BINS x MAP_BINS 2-D document, drawn as a colour map
MAP_TARGET = 2.0  # max time relative to the 40-bin 1-D render, in the same process


def map_renderer(n_bins: int) -> Callable[[], bytes]:
    """``n_bins`` x ``n_bins`` Poisson counts as one map (and, for BASE_BINS, the 1-D
    reference document, so that both run in the same worker process)."""
    if n_bins == BASE_BINS:
        return histfmt_renderer(BASE_BINS)
    import histfmt
    from histfmt.model import Axis
    from histfmt.render.mpl import render
    from histfmt.render.options import RenderOptions

    rng = np.random.default_rng(20240601)
    edges = np.linspace(0.0, 100.0, n_bins + 1)
    doc = histfmt.Document.new(edges, symbol="$p_T$", unit="GeV", y=Axis.new(edges, symbol="$m$"))
    doc.add_yield("data", rng.poisson(5.0, (n_bins, n_bins)).astype(float))
    doc.add_stack([("data", "Data")], type="map")
    options = RenderOptions(dpi=SCALING_DPI)
    return lambda: render(doc, format="png", options=options)


RENDERERS: dict[str, Callable[[int], Callable[[], bytes]]] = {
    "histfmt": histfmt_renderer,
    "histfmt-map": map_renderer,
    "uhepp": uhepp_renderer,
    "mplhep": mplhep_renderer,
}


def _timed(func: Callable[[], bytes]) -> tuple[float, bytes]:
    """One call with the garbage collector off (as timeit does)."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        result = func()
        return time.perf_counter() - start, result
    finally:
        if was_enabled:
            gc.enable()


def png_size(png: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk (None if not a PNG)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        return None
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def worker(tool: str, bins: list[int], repeat: int, slow_repeat: int, keep: Path | None) -> None:
    """Time ``tool`` at each size, smallest first; one JSON line per size on stdout.

    The first render of the process is a warm-up (imports, fonts, mathtext).  Then,
    per size, the first render is a warm-up too, unless it is slower than
    SLOW_RENDER: it then counts as a sample (the process is already warm) and the
    size gets ``slow_repeat`` samples instead of ``repeat``.
    """
    make = RENDERERS[tool]
    warm = make(min(bins))
    warm()
    for n_bins in sorted(bins):
        func = make(n_bins)
        first, png = _timed(func)
        samples, warmup = [], True
        if first > SLOW_RENDER:
            samples, warmup = [first], False
        while len(samples) < (repeat if warmup else slow_repeat):
            samples.append(_timed(func)[0])
        if keep is not None:
            (keep / f"{tool}_{n_bins}.png").write_bytes(png)
        line = {
            "tool": tool,
            "bins": n_bins,
            "best": min(samples),
            "median": statistics.median(samples),
            "samples": len(samples),
            "warmup": first if warmup else None,
            "png_bytes": len(png),
            "png_size": png_size(png),
        }
        print(MARKER + json.dumps(line), flush=True)


# -- running child processes --------------------------------------------------------------

# Bytecode cache for the children: the sandbox sets PYTHONDONTWRITEBYTECODE, which
# would make every child recompile everything it imports.  A private
# PYTHONPYCACHEPREFIX gives warm bytecode without writing into the source tree.
_PYCACHE = tempfile.TemporaryDirectory(prefix="histfmt-bench-render-pycache-")


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONSTARTUP", "PYTHONINSPECT"):
        env.pop(name, None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE.name
    env["MPLBACKEND"] = "Agg"  # headless: no backend probing in either CLI
    return env


@dataclass
class ScalingResult:
    tool: str
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    error: str | None = None


def run_worker(
    tool: str, bins: tuple[int, ...], plan: Plan, timeout: float, keep: Path | None
) -> ScalingResult:
    """Run one worker process; keep the sizes it finished if it fails or times out."""
    command = [
        PYTHON, str(SCRIPT), "--worker", tool, "--bins", ",".join(map(str, bins)),
        "--repeat", str(plan.repeat), "--slow-repeat", str(plan.slow_repeat),
    ]  # fmt: skip
    if keep is not None:
        command += ["--keep-images", str(keep)]
    print(f"  {tool}: {', '.join(f'{b:,}' for b in bins)} bins ...", file=sys.stderr, flush=True)
    result = ScalingResult(tool)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, env=child_env(), capture_output=True, timeout=timeout, check=False
        )
        stdout, stderr = done.stdout, done.stderr
        if done.returncode != 0:
            result.error = f"worker exited with {done.returncode}: {_last_line(stderr)}"
    except subprocess.TimeoutExpired as expired:
        stdout, stderr = expired.stdout or b"", expired.stderr or b""
        result.error = f"timed out after {timeout:.0f} s"
    for line in stdout.decode(errors="replace").splitlines():
        if line.startswith(MARKER):
            row = json.loads(line.removeprefix(MARKER))
            result.rows[row["bins"]] = row
            print(f"    {row['bins']:>7,} bins: {fmt_time(row['best'])}", file=sys.stderr)
    elapsed = time.perf_counter() - start
    note = f" ({result.error})" if result.error else ""
    print(f"  {tool} done in {elapsed:.0f} s{note}", file=sys.stderr, flush=True)
    return result


def _last_line(stderr: bytes) -> str:
    lines = [line for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


@dataclass
class ProcessTiming:
    label: str
    command: list[str]
    samples: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def best(self) -> float:
        return min(self.samples) if self.samples else float("nan")

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")


def time_processes(timings: list[ProcessTiming], repeat: int, timeout: float) -> None:
    """Best of ``repeat`` wall times per command, after one warm-up run each.

    The commands are interleaved (a, b, c, a, b, c, ...) so that drift on the
    shared machine hits them alike.
    """
    env = child_env()

    def once(timing: ProcessTiming) -> float | None:
        start = time.perf_counter()
        try:
            done = subprocess.run(
                timing.command, env=env, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            timing.error = f"timed out after {timeout:.0f} s"
            return None
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            timing.error = f"exit {done.returncode}: {_last_line(done.stderr)}"
            return None
        return elapsed

    for timing in timings:  # warm-up: bytecode, font and OS file caches
        once(timing)
    for _ in range(repeat):
        for timing in timings:
            if timing.error is None:
                elapsed = once(timing)
                if elapsed is not None:
                    timing.samples.append(elapsed)
    for timing in timings:
        shown = fmt_time(timing.best) if timing.samples else timing.error
        print(f"  {timing.label}: {shown}", file=sys.stderr)


# Phase breakdowns: fresh interpreters that import nothing before the measured steps.
_PHASE_HEAD = """
import time
_t = [time.perf_counter()]
_marks = []
def _mark(name):
    now = time.perf_counter()
    _marks.append((name, now - _t[0]))
    _t[0] = now
"""
_PHASE_TAIL = """
import json
print({marker!r} + json.dumps(_marks))
"""

PHASES_HISTFMT = (
    _PHASE_HEAD
    + """
import histfmt.cli
_mark("import histfmt.cli (numpy, msgspec, click)")
import matplotlib.figure, matplotlib.backends.backend_agg
_mark("import matplotlib.figure + Agg backend")
from histfmt.render.style import rc_for
rc_for("ATLAS")
_mark("import mplhep (rc_for('ATLAS') imports mplhep.styles, so all of mplhep)")
import io
import histfmt.render.mpl as m
from histfmt.render.options import RenderOptions
_mark("import histfmt.render.mpl")
doc = histfmt.load({source!r})
_mark("histfmt.load (read + validate)")
from matplotlib import mathtext
_math = []
_parse = mathtext.MathTextParser._parse_cached
def _spy(self, s, *args):
    start = time.perf_counter()
    try:
        return _parse(self, s, *args)
    finally:
        _math.append((s, time.perf_counter() - start))
mathtext.MathTextParser._parse_cached = _spy
options = RenderOptions(dpi=300)
def make(escape):
    _t[0] = time.perf_counter()
    fig = m._build(doc, options, escape)
    _mark("build the figure (artists, badge, legend placement)")
    fig.savefig(io.BytesIO(), format="png", dpi=300, metadata={{"Software": None}})
    _mark("savefig, dpi 300: first draw + PNG encoding")
    in_cli = list(_math)
    fig.canvas.draw()
    _mark("[extra] the same draw again, warm")
    from PIL import Image
    image = Image.frombuffer("RGBA", fig.canvas.get_width_height(physical=True),
                             fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image.save(io.BytesIO(), format="png")
    _mark("[extra] PNG encoding alone")
    if in_cli:
        strings = {{s for s, _ in in_cli}}
        _marks.append(("[mathtext] " + str(len(strings)) + " distinct strings parsed",
                       sum(t for _, t in in_cli)))
        _marks.append(("[mathtext] the first one, which builds the parser: "
                       + repr(in_cli[0][0]), in_cli[0][1]))
        ticks = {{s for s in strings if s.startswith("$\\mathdefault{{")}}
        _marks.append(("[mathtext] " + str(len(ticks)) + " tick labels ('$\\mathdefault{{..}}$')",
                       sum(t for s, t in in_cli if s in ticks and s != in_cli[0][0])))
m.with_label_fallback(doc, options, make)
"""
    + _PHASE_TAIL
)

PHASES_UHEPP = (
    _PHASE_HEAD
    + """
import matplotlib.pyplot
_mark("import matplotlib.pyplot (the CLI's first import)")
import uhepp
_mark("import uhepp (atlasify, requests, PyYAML)")
hist = uhepp.from_file({source!r})
_mark("uhepp.from_file")
figure, _ = hist.render()
_mark("render(): build + tight_layout (draws to measure)")
figure.savefig({target!r}, dpi=300)
_mark("savefig, dpi 300 (draw + PNG encoding)")
"""
    + _PHASE_TAIL
)


def phase_breakdown(code: str, runs: int, timeout: float) -> list[tuple[str, float]] | str:
    """Per-phase minimum over ``runs`` fresh processes (after one warm-up run)."""
    best: dict[str, float] = {}
    order: list[str] = []
    for run in range(runs + 1):
        try:
            done = subprocess.run(
                [PYTHON, "-c", code], env=child_env(), capture_output=True,
                timeout=timeout, check=False, text=True,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return f"timed out after {timeout:.0f} s"
        lines = [x for x in done.stdout.splitlines() if x.startswith(MARKER)]
        if done.returncode != 0 or not lines:
            return f"failed: {_last_line(done.stderr.encode())}"
        if run == 0:
            continue
        for name, seconds in json.loads(lines[0].removeprefix(MARKER)):
            if name not in best:
                order.append(name)
            best[name] = min(seconds, best.get(name, float("inf")))
    return [(name, best[name]) for name in order]


# -- the typical plot: files, CLI timings, images -----------------------------------------


def write_typical(directory: Path) -> tuple[Path, Path]:
    """typical.json (histfmt builder + dump) and typical_uhepp.json (uhepp API + to_json)."""
    import histfmt

    arrays = typical_arrays()
    ours = directory / "typical.json"
    theirs = directory / "typical_uhepp.json"
    histfmt.dump(histfmt_document(arrays, symbol="$m_{T}$", typical=True), ours)
    code = (
        "import sys, numpy as np\n"
        f"sys.path.insert(0, {str(SCRIPT.parent)!r})\n"
        "from bench_render import typical_arrays, uhepp_document\n"
        "hist = uhepp_document(typical_arrays(), symbol='$m_{T}$', typical=True)\n"
        f"hist.to_json({str(theirs)!r})\n"
    )
    subprocess.run([PYTHON, "-c", code], env=child_env(), check=True, timeout=120)
    return ours, theirs


def save_images(ours: Path, theirs: Path, directory: Path) -> dict[str, Path | str]:
    """Both renderings of the typical plot at dpi 100, for a side-by-side look."""
    targets = {tool: directory / f"typical_{tool}.png" for tool in ("histfmt", "uhepp")}
    code = (
        "import sys, uhepp\n"
        "figure, _ = uhepp.from_file(sys.argv[1]).render()\n"
        "figure.savefig(sys.argv[2], dpi=100)\n"
    )
    commands = {
        "histfmt": [HISTFMT_CLI, "render", str(ours), "-o", str(targets["histfmt"])],
        "uhepp": [PYTHON, "-c", code, str(theirs), str(targets["uhepp"])],
    }
    commands["histfmt"] += ["--dpi", "100"]
    written: dict[str, Path | str] = {}
    for tool, command in commands.items():
        try:
            done = subprocess.run(
                command, env=child_env(), capture_output=True, timeout=120, check=False
            )
            ok = done.returncode == 0 and targets[tool].exists()
            written[tool] = targets[tool] if ok else f"failed: {_last_line(done.stderr)}"
        except subprocess.TimeoutExpired:
            written[tool] = "timed out"
    return written


# -- reporting ----------------------------------------------------------------------------


def _slope(rows: dict[int, dict[str, Any]]) -> tuple[float, int, int] | None:
    """Seconds per bin between the two largest measured sizes."""
    sizes = sorted(rows)
    if len(sizes) < 2:
        return None
    low, high = sizes[-2], sizes[-1]
    return (rows[high]["best"] - rows[low]["best"]) / (high - low), low, high


def _estimate(rows: dict[int, dict[str, Any]], n_bins: int) -> float | None:
    """The best time at ``n_bins`` extrapolated linearly from the two largest sizes."""
    slope = _slope(rows)
    if slope is None:
        return None
    per_bin, _, high = slope
    return rows[high]["best"] + per_bin * (n_bins - high)


def _cell(rows: dict[int, dict[str, Any]], n_bins: int, error: str | None, ran: bool) -> str:
    if n_bins in rows:
        return fmt_time(rows[n_bins]["best"])
    if ran and error:
        return f"not measured ({error})"
    estimate = _estimate(rows, n_bins)
    if estimate is None:
        return "not run"
    how = "extrapolated" if n_bins > max(rows) else "interpolated"
    return f"~{fmt_time(estimate)} *({how})*"


@dataclass
class Target:
    name: str
    subject: float
    baseline: float
    limit: float

    @property
    def ratio(self) -> float:
        return self.subject / self.baseline

    @property
    def status(self) -> str:
        if not (np.isfinite(self.subject) and np.isfinite(self.baseline)):
            return "**FAIL** (not measured)"
        return "PASS" if self.ratio <= self.limit else "**FAIL**"


@dataclass
class Results:
    """Everything one run measured."""

    plan: Plan
    fingerprint: str
    planned: dict[str, tuple[int, ...]]
    scaling: dict[str, ScalingResult]
    processes: dict[str, ProcessTiming] = field(default_factory=dict)
    phases: dict[str, list[tuple[str, float]] | str] = field(default_factory=dict)
    images: dict[str, Path | str] = field(default_factory=dict)
    typical_sizes: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    load_before: tuple[float, float, float] = field(default_factory=os.getloadavg)

    def best(self, tool: str, n_bins: int) -> float:
        return float(self.scaling[tool].rows.get(n_bins, {}).get("best", float("nan")))

    def targets(self) -> list[Target]:
        base = self.best("histfmt", BASE_BINS)
        rows = [
            Target(
                f"histfmt render, {n:,} bins vs {BASE_BINS} bins "
                f"(in-process PNG, dpi {SCALING_DPI})",
                self.best("histfmt", n),
                base,
                limit,
            )
            for n, limit in SCALING_TARGETS.items()
        ]
        rows.append(
            Target(
                f"histfmt render, a {MAP_BINS:,} x {MAP_BINS:,} map vs {BASE_BINS} bins 1-D "
                f"(in-process PNG, dpi {SCALING_DPI}, same process)",
                self.best("histfmt-map", MAP_BINS),
                self.best("histfmt-map", BASE_BINS),
                MAP_TARGET,
            )
        )
        rows.append(
            Target(
                "`histfmt render typical.json -o out.png --dpi 300` vs "
                "`uhepp render typical_uhepp.json out.png` (whole process)",
                self.processes["histfmt"].best,
                self.processes["uhepp"].best,
                CLI_TARGET,
            )
        )
        return rows


def changed_sources(since: float) -> list[str]:
    """histfmt's Python files modified after ``since`` (a ``time.time()`` value)."""
    import histfmt

    root = Path(histfmt.__file__).resolve().parent
    return [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*.py"))
        if path.stat().st_mtime > since
    ]


def _load(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{x:.2f}" for x in load)


def _header(results: Results) -> list[str]:
    plan = results.plan
    packages = ["histfmt", "matplotlib", "mplhep", "numpy", "uhepp", "atlasify", "pillow"]
    out = [
        "# histfmt render benchmark" + (" (QUICK smoke run)" if plan.quick else ""),
        "",
        f"`python benchmarks/bench_render.py{' --quick' if plan.quick else ''}`. In-process "
        "renders: best of N after a warm-up render, `time.perf_counter`, garbage collector "
        "off, each renderer in its own worker process. Whole-process runs: best of N wall "
        "times after a warm-up run, warm bytecode (private `PYTHONPYCACHEPREFIX`), "
        "`MPLBACKEND=Agg`, commands interleaved. Ratios compare times from the same run.",
        "",
        md_table(
            ["", ""],
            [
                *machine_info(packages, results.fingerprint),
                ("load average (1, 5, 15 min) at the start", _load(results.load_before)),
                ("load average (1, 5, 15 min) at the end", _load(os.getloadavg())),
            ],
        ),
        "",
    ]
    if results.fingerprint != source_fingerprint():
        changed = ", ".join(f"`{name}`" for name in changed_sources(results.started))
        out += [
            "> WARNING: histfmt's sources changed while this ran; the numbers may mix "
            f"two versions. Run again. Changed: {changed or 'unknown'}.",
            "",
        ]
    if plan.quick:
        out += [
            f"> QUICK run: {plan.repeat} samples per size, uhepp at "
            f"{', '.join(map(str, plan.uhepp_bins))} bins, mplhep up to "
            f"{max(plan.mplhep_bins):,} bins, CLI best of {plan.cli_repeat}; PASS/FAIL is "
            "indicative only.",
            "",
        ]
    out += ["## Targets", ""]
    out.append(
        md_table(
            ["target", "histfmt", "baseline", "ratio", "limit", "result"],
            [
                [
                    t.name,
                    fmt_time(t.subject),
                    fmt_time(t.baseline),
                    f"{t.ratio:.2f}x",
                    f"<= {t.limit:g}x",
                    t.status,
                ]
                for t in results.targets()
            ],
            "lrrrrl",
        )
    )
    return out


SCALING_INTRO = [
    "* **histfmt**: `histfmt.render.mpl.render(doc, format='png', "
    f"options=RenderOptions(dpi={SCALING_DPI}))` of a document built with the builder API.",
    "* **uhepp 0.5.2**: `UHeppHist.render()` of the same plot built with uhepp's API "
    f"(`figure_size={FIGSIZE}`), then `figure.savefig(png, dpi={SCALING_DPI})` and "
    "`plt.close(figure)`.",
    "* **naive mplhep**: `Figure` + 2 panels, `mplhep.histplot(mc, stack=True, "
    "histtype='fill')`, `histplot(data, histtype='errorbar')`, `histplot(data/mc, "
    "histtype='errorbar')` in the ratio panel, `ax.legend()`, `mplhep.atlas.label`, "
    "in the mplhep ATLAS style. No MC uncertainty band.",
]


def _scaling_table(results: Results) -> str:
    ours, uhepp, mplhep = (results.scaling[t] for t in ("histfmt", "uhepp", "mplhep"))
    base = results.best("histfmt", BASE_BINS)
    all_bins = sorted(set(SCALING_BINS) | set(ours.rows) | set(uhepp.rows) | set(mplhep.rows))
    rows = []
    for n in all_bins:
        t = results.best("histfmt", n)
        u = uhepp.rows.get(n, {}).get("best") or _estimate(uhepp.rows, n)
        p = mplhep.rows.get(n, {}).get("best") or _estimate(mplhep.rows, n)
        rows.append(
            [
                f"{n:,}",
                fmt_time(t)
                if np.isfinite(t)
                else _cell({}, n, ours.error, n in results.planned["histfmt"]),
                f"{t / base:.2f}x" if np.isfinite(t) else "",
                _cell(uhepp.rows, n, uhepp.error, n in results.planned["uhepp"]),
                _cell(mplhep.rows, n, mplhep.error, n in results.planned["mplhep"]),
                f"{t / u:.3g}x" if u and np.isfinite(t) else "",
                f"{t / p:.3g}x" if p and np.isfinite(t) else "",
            ]
        )
    header = ["bins", "histfmt", "histfmt / 40 bins", "uhepp 0.5.2", "naive mplhep"]
    header += ["histfmt / uhepp", "histfmt / mplhep"]
    return md_table(header, rows, "rrrrrrr")


def _runs_table(results: Results) -> str:
    runs = []
    for tool, title in (("histfmt", "histfmt"), ("uhepp", "uhepp"), ("mplhep", "naive mplhep")):
        result = results.scaling[tool]
        for n, row in sorted(result.rows.items()):
            how = (
                f"warm-up ({fmt_time(row['warmup'])}) + {row['samples']}"
                if row["warmup"] is not None
                else f"{row['samples']} (slower than {SLOW_RENDER:g} s: no extra warm-up, "
                "process already warm)"
            )
            size = row["png_size"]
            image = f"{size[0]}x{size[1]} px, {fmt_bytes(row['png_bytes'])}" if size else "no PNG"
            runs.append(
                [title, f"{n:,}", fmt_time(row["best"]), fmt_time(row["median"]), how, image]
            )
        if result.error:
            runs.append([title, "", "", "", f"worker: {result.error}", ""])
    return md_table(["renderer", "bins", "best", "median", "runs", "image"], runs, "lrrrll")


def _scaling_section(results: Results) -> list[str]:
    out = [
        "",
        "## 1. Scaling with bin count (in-process PNG)",
        "",
        f"The same plot in each tool: {N_MC} stacked MC yields with stat. uncertainties, "
        "Poisson data as points, a data/MC ratio panel, an ATLAS *Internal* badge; "
        f"{FIGSIZE[0]:g} x {FIGSIZE[1]:g} in at dpi {SCALING_DPI} "
        f"({int(FIGSIZE[0] * SCALING_DPI)} x {int(FIGSIZE[1] * SCALING_DPI)} px), "
        "under/overflow stored but not drawn.",
        "",
        *SCALING_INTRO,
        "",
        _scaling_table(results),
        "",
        "Per-bin cost (slope between the two largest measured sizes):",
        "",
    ]
    slopes = []
    for tool, title in (("histfmt", "histfmt"), ("uhepp", "uhepp"), ("mplhep", "naive mplhep")):
        slope = _slope(results.scaling[tool].rows)
        if slope is not None:
            per_bin, low, high = slope
            shown = f"{fmt_time(per_bin)}/bin" if per_bin > 0 else f"{per_bin * 1e6:.2g} µs/bin"
            slopes.append([title, shown, f"{low:,} → {high:,} bins"])
    out.append(md_table(["renderer", "slope", "between"], slopes, "lrl"))
    out += [
        "",
        "Extrapolated cells are `best(largest) + slope x (bins - largest)`: uhepp is not run "
        "past 1,000 bins (about 8 ms per bin with 10 yields, so 100,000 bins would take "
        "~13 min) and naive mplhep not at 100,000 bins (the issue quotes ~84 s). "
        "Runs per size (best of):",
        "",
        _runs_table(results),
    ]
    return out


def _cli_section(results: Results) -> list[str]:
    sizes = results.typical_sizes
    floor = results.processes.get("import matplotlib.figure")
    out = [
        "",
        "## 2. Whole-process CLI: the typical plot",
        "",
        f"{TYPICAL_BINS} bins, {TYPICAL_MC} MC samples + data, ratio panel, ATLAS *Internal* "
        "badge with √s = 13 TeV and 139 fb⁻¹ (histfmt: `metadata.sqrt_s` / `luminosity`; "
        "uhepp: typed into `subtext`, since it never draws its `Ecm_TeV` / `lumi_ifb`). "
        "Both 5 x 5 in at dpi 300 (1500 x 1500 px). Input files, written from the same "
        f"numbers: `typical.json` ({fmt_bytes(sizes.get('histfmt', 0))}, builder + "
        f"`histfmt.dump`) and `typical_uhepp.json` ({fmt_bytes(sizes.get('uhepp', 0))}, "
        "uhepp API + `to_json`).",
        "",
    ]
    rows = []
    for timing in results.processes.values():
        measured = bool(timing.samples)
        versus = ""
        if floor is not None and floor.samples and measured:
            versus = f"{timing.best / floor.best:.2f}x"
        rows.append(
            [
                f"`{timing.label}`",
                fmt_time(timing.best) if measured else f"not measured ({timing.error})",
                fmt_time(timing.median) if measured else "",
                str(len(timing.samples)),
                versus,
            ]
        )
    header = ["command", "best", "median", "runs", "vs `import matplotlib.figure`"]
    out.append(md_table(header, rows, "lrrrr"))
    out += [
        "",
        "The floor of any matplotlib rendering CLI is the interpreter plus "
        "`import matplotlib.figure` (pyplot is not needed).",
        "",
        "## Where the CLI time goes",
        "",
        "Phases in a fresh interpreter, each the minimum over "
        f"{results.plan.phase_runs} run(s) after a warm-up run. Rows marked [extra] are "
        "measured after the CLI's work and are not part of its time; [mathtext] rows are "
        "parts of the rows above them.",
        "",
    ]
    for title, phases in results.phases.items():
        out += [f"**{title}**", ""]
        if isinstance(phases, str):
            out += [f"not measured: {phases}", ""]
            continue
        total = sum(s for name, s in phases if not name.startswith("["))
        rows = [[name, fmt_time(s)] for name, s in phases]
        rows.append(["sum (rows without [...])", fmt_time(total)])
        out += [md_table(["phase", "time"], rows, "lr"), ""]
    return out


def _images_section(results: Results) -> list[str]:
    out = ["## 3. The two images of the typical plot (dpi 100)", ""]
    for tool, where in results.images.items():
        if isinstance(where, Path):
            size = png_size(where.read_bytes())
            pixels = f"{size[0]} x {size[1]} px" if size else "not a PNG"
            shown = where.name if where.parent == RESULTS_DIR else f"{where} (temporary)"
            out.append(f"* {tool}: `{shown}` ({pixels}, {fmt_bytes(where.stat().st_size)})")
        else:
            out.append(f"* {tool}: {where}")
    if all(isinstance(w, Path) and w.parent == RESULTS_DIR for w in results.images.values()):
        out += [
            "",
            "| histfmt | uhepp 0.5.2 |",
            "| --- | --- |",
            "| ![histfmt](typical_histfmt.png) | ![uhepp](typical_uhepp.png) |",
        ]
    return out


def _map_section(results: Results) -> list[str]:
    one_d = results.best("histfmt-map", BASE_BINS)
    two_d = results.best("histfmt-map", MAP_BINS)
    error = results.scaling["histfmt-map"].error
    rows = [
        [f"1-D, {BASE_BINS} bins (9 MC, data, ratio, badge)", fmt_time(one_d), "1.00x"],
        [f"2-D map, {MAP_BINS:,} x {MAP_BINS:,} cells, one artist", fmt_time(two_d),
         f"{two_d / one_d:.2f}x"],
    ]  # fmt: skip
    return [
        "",
        "## A 2-D map",
        "",
        f"Both renders in one worker process, best of N, PNG at dpi {SCALING_DPI}. The map "
        "is one artist (`pcolorfast`'s image above 40,000 cells on linear axes), so its "
        f"cost hardly depends on the cell count. Target: at most {MAP_TARGET:g}x."
        + (f" Worker error: {error}" if error else ""),
        "",
        md_table(["render", "best", "vs 1-D"], rows),
    ]


def report(results: Results) -> str:
    out = _header(results)
    out += _scaling_section(results)
    out += _map_section(results)
    out += _cli_section(results)
    out += _images_section(results)
    targets = results.targets()
    missed = [t for t in targets if t.status != "PASS"]
    summary = f"**Summary: {len(targets) - len(missed)} of {len(targets)} targets met"
    if missed:
        summary += "; MISSED: " + "; ".join(
            f"{t.name} at {t.ratio:.2f}x > {t.limit:g}x" for t in missed
        )
    out += ["", summary + ".**"]
    return "\n".join(out) + "\n"


# -- drawing into a user's axes ------------------------------------------------------------

AXES_RUNS = 25
AXES_QUICK_RUNS = 5


def axes_cases() -> list[tuple[str, Any, Callable[[], bytes], Callable[[], bytes]]]:
    """(description, document, ``render()``, the user's path) for each compared case.

    The user's path is what the README shows: a ``Figure`` with two panels of the user's,
    ``histfmt.plot(doc, ax=ax, ratio_ax=rax)``, then ``fig.savefig``. First with the axes
    where ``render`` puts its own (the same draw), then with matplotlib's default margins.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    import histfmt
    from histfmt.render.mpl import figure, render
    from histfmt.render.options import RenderOptions

    doc = histfmt_document(scaling_arrays(BASE_BINS), symbol="$m$")
    options = RenderOptions(dpi=SCALING_DPI)
    positions = [axes.get_position() for axes in figure(doc, options=options).axes]

    def ours() -> bytes:
        return render(doc, format="png", options=options)

    def user(same: bool) -> Callable[[], bytes]:
        def run() -> bytes:
            fig = Figure(figsize=FIGSIZE, dpi=SCALING_DPI)
            FigureCanvasAgg(fig)
            ax, rax = fig.subplots(
                2, 1, sharex=True, gridspec_kw={"height_ratios": [0.72, 0.28], "hspace": 0}
            )
            if same:
                ax.set_position(positions[0])
                rax.set_position(positions[1])
            histfmt.plot(doc, ax=ax, ratio_ax=rax, options=options)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=SCALING_DPI)
            return buffer.getvalue()

        return run

    what = f"{BASE_BINS} bins, {N_MC} MC + data + ratio + ATLAS badge, PNG at dpi {SCALING_DPI}"
    return [
        (f"{what}; user axes where render puts its own", doc, ours, user(True)),
        (f"{what}; user axes with matplotlib's default margins", doc, ours, user(False)),
    ]


def _timed_both(func: Callable[[], bytes]) -> tuple[float, float]:
    """Wall and CPU seconds of one call, garbage collector off. On a shared machine the
    CPU time (``time.process_time``) is what the draw costs; the wall time adds waiting."""
    gc.collect()
    gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        func()
        return time.perf_counter() - wall, time.process_time() - cpu
    finally:
        gc.enable()


def axes_report(runs: int, quick: bool) -> str:
    """Interleaved ``render()`` / user-axes runs after one warm-up of each; medians."""
    import matplotlib

    rows, started, load_before = [], time.time(), os.getloadavg()
    for description, _, ours, user in axes_cases():
        ours(), user()  # warm-up: fonts, mathtext parser, style modules
        wall: dict[str, list[float]] = {"render": [], "user": []}
        cpu: dict[str, list[float]] = {"render": [], "user": []}
        for _ in range(runs):
            for name, func in (("render", ours), ("user", user)):
                seconds, used = _timed_both(func)
                wall[name].append(seconds)
                cpu[name].append(used)
        a, b = statistics.median(cpu["render"]), statistics.median(cpu["user"])
        c, d = statistics.median(wall["render"]), statistics.median(wall["user"])
        rows.append([description, fmt_time(a), fmt_time(b), f"**{b / a:.2f}x**",
                     fmt_time(c), fmt_time(d), f"{d / c:.2f}x"])  # fmt: skip
    load_after = os.getloadavg()
    info = machine_info(["histfmt", "matplotlib", "mplhep", "numpy"], source_fingerprint())
    info.append(("load average (1, 5, 15 min) before", _load(load_before)))
    info.append(("load average (1, 5, 15 min) after", _load(load_after)))
    lines = [
        "# histfmt: drawing into a user's axes vs `render()`" + (" (QUICK)" if quick else ""),
        "",
        f"`python benchmarks/bench_render.py --axes{' --quick' if quick else ''}`, "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(started))} UTC. One process, "
        f"matplotlib {matplotlib.__version__}; per case one warm-up of each path, then "
        f"{runs} rounds of `render(doc)` and the user's path one after the other "
        "(interleaved, so load drifts hit both), garbage collector off; medians of the CPU "
        "time (`time.process_time`: what the draw costs, steady on a shared machine) and "
        "of the wall time. The user's path: `Figure(figsize=(6, 6))` + "
        "`fig.subplots(2, 1, sharex=True)`, `histfmt.plot(doc, ax=ax, ratio_ax=rax)`, "
        "`fig.savefig(png)`. Target: the user's path costs no more than `render` "
        "(ratio <= 1.00x, noise aside).",
        "",
        md_table(["", ""], [list(row) for row in info]),
        "",
        md_table(
            [
                "case",
                "render CPU",
                "user axes CPU",
                "user / render (CPU)",
                "render wall",
                "user axes wall",
                "user / render (wall)",
            ],
            rows,
            "lrrrrrr",
        ),
        "",
        "Both paths make the same artists and the same ticks (cProfile: the same number of "
        "`Axis._get_tick` calls, within 1% of the same function calls); the user's path "
        "saves the `fig.clear()` that `render` does, and pays for `Figure.subplots` "
        "instead of histfmt's `panels`, for restyling the user's axes (tick defaults, "
        "axis-title fonts) and for one `rc_context` per axes at save (0.4 ms each); with "
        "matplotlib's margins the panel is smaller, so the legend may try one more layout.",
    ]
    return "\n".join(lines) + "\n"


def axes_main(quick: bool, output: Path | None) -> int:
    text = axes_report(AXES_QUICK_RUNS if quick else AXES_RUNS, quick)
    print(text)
    write_report(output or RESULTS_DIR / f"render-axes{'-quick' if quick else ''}.md", text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run (~1 minute)")
    parser.add_argument(
        "--output",
        type=Path,
        help="markdown report (default: results/render.md, or results/render-quick.md)",
    )
    parser.add_argument(
        "--axes",
        action="store_true",
        help="only compare render() with drawing into a user's axes: results/render-axes.md",
    )
    parser.add_argument("--worker", choices=sorted(RENDERERS), help=argparse.SUPPRESS)
    parser.add_argument("--bins", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=5, help=argparse.SUPPRESS)
    parser.add_argument("--slow-repeat", type=int, default=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--keep-images", type=Path, help="also write every timed image into this folder"
    )
    args = parser.parse_args(argv)
    if args.worker:
        bins = [int(b) for b in args.bins.split(",")]
        worker(args.worker, bins, args.repeat, args.slow_repeat, args.keep_images)
        return 0

    if args.axes:
        return axes_main(args.quick, args.output)

    plan = QUICK if args.quick else FULL
    output = args.output or RESULTS_DIR / ("render-quick.md" if plan.quick else "render.md")
    fingerprint = source_fingerprint()
    started_at, load_at_start = time.time(), os.getloadavg()
    if args.keep_images:
        args.keep_images.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    print("1. scaling with bin count (one worker process per renderer)", file=sys.stderr)
    planned = {"histfmt": plan.histfmt_bins, "uhepp": plan.uhepp_bins, "mplhep": plan.mplhep_bins}
    scaling = {
        tool: run_worker(tool, bins, plan, timeout=240, keep=args.keep_images)
        for tool, bins in planned.items()
    }
    print("   a 2-D map and the 40-bin 1-D plot, in one process", file=sys.stderr)
    scaling["histfmt-map"] = run_worker(
        "histfmt-map", (BASE_BINS, MAP_BINS), plan, timeout=240, keep=args.keep_images
    )
    results = Results(
        plan, fingerprint, planned, scaling, started=started_at, load_before=load_at_start
    )

    with tempfile.TemporaryDirectory(prefix="histfmt-bench-render-") as tmp:
        directory = Path(tmp)
        print("2. whole-process CLI", file=sys.stderr)
        ours, theirs = write_typical(directory)
        python = Path(PYTHON).name
        timings = [
            ProcessTiming(
                "histfmt",
                [HISTFMT_CLI, "render", str(ours), "-o", str(directory / "h.png"), "--dpi", "300"],
            ),
            ProcessTiming("uhepp", [UHEPP_CLI, "render", str(theirs), str(directory / "u.png")]),
            ProcessTiming("pass", [PYTHON, "-c", "pass"]),
            ProcessTiming("import matplotlib.figure", [PYTHON, "-c", "import matplotlib.figure"]),
            ProcessTiming(
                "import matplotlib.figure, mplhep",
                [PYTHON, "-c", "import matplotlib.figure, mplhep"],
            ),
            ProcessTiming("import uhepp", [PYTHON, "-c", "import uhepp"]),
            ProcessTiming("histfmt --help", [HISTFMT_CLI, "--help"]),
            ProcessTiming("histfmt validate typical.json", [HISTFMT_CLI, "validate", str(ours)]),
        ]
        time_processes(timings, plan.cli_repeat, timeout=120)
        labels = {
            "histfmt": "histfmt render typical.json -o out.png --dpi 300",
            "uhepp": "uhepp render typical_uhepp.json out.png",
            "pass": f'{python} -c "pass"',
        }
        for timing in timings:
            if timing.label.startswith("import"):
                labels[timing.label] = f'{python} -c "{timing.label}"'
        results.processes = {t.label: t for t in timings}
        for key, timing in results.processes.items():
            timing.label = labels.get(key, timing.label)

        print("   phase breakdowns ...", file=sys.stderr)
        results.phases = {
            "histfmt render (dpi 300)": phase_breakdown(
                PHASES_HISTFMT.format(source=str(ours), marker=MARKER), plan.phase_runs, 120
            ),
            "uhepp render (dpi 300)": phase_breakdown(
                PHASES_UHEPP.format(
                    source=str(theirs), target=str(directory / "p.png"), marker=MARKER
                ),
                plan.phase_runs,
                120,
            ),
        }

        print("3. images at dpi 100", file=sys.stderr)
        # The quick run checks that both images are produced but keeps them out of results/.
        results.images = save_images(ours, theirs, directory if plan.quick else RESULTS_DIR)
        results.typical_sizes = {"histfmt": ours.stat().st_size, "uhepp": theirs.stat().st_size}
        text = report(results)
    print(text)
    write_report(output, text)
    print(f"written: {output} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
