#!/usr/bin/env python
"""pyhf workspaces: pre-fit conversion time, and post-fit against cabinetry.

Usage::

    python benchmarks/bench_pyhf.py [--runs 3]     # writes results/pyhf.md

A generated workspace (10 channels x 10 bins, 20 samples each, 50 shared nuisance
parameters as normsys and histosys, staterror per channel, lumi, one normfactor):

* pre-fit: ``histfmt convert`` in-process, reading the workspace, building every variation
  and writing the book (target: under 5 s);
* post-fit: ``histfmt.convert.pyhf.read_book(..., fit=True)`` written to a file, against
  cabinetry's fit plus its post-fit yields and standard deviations
  (``cabinetry.fit.fit`` + ``cabinetry.model_utils.prediction``, its cache cleared), the
  same workspace side by side, runs interleaved, medians reported (target: within 2x).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from _common import RESULTS_DIR, machine_info, md_table, write_report

CHANNELS, BINS, SAMPLES, NUISANCES = 10, 10, 20, 50


LUMI = {"name": "lumi", "auxdata": [1.0], "sigmas": [0.02], "bounds": [[0.5, 1.5]], "inits": [1.0]}


def _nuisance(rng: Any, k: int, nominal: Any) -> dict[str, Any]:
    """Nuisance ``k``: a normsys (odd) or a histosys (even) of one sample."""
    if k % 2:
        hi, lo = 1 + rng.uniform(0.01, 0.1), 1 - rng.uniform(0.01, 0.1)
        return {"name": f"np{k}", "type": "normsys", "data": {"hi": hi, "lo": lo}}
    shape = rng.uniform(0.9, 1.1, BINS)
    data = {"hi_data": list(nominal * shape), "lo_data": list(nominal / shape)}
    return {"name": f"np{k}", "type": "histosys", "data": data}


def workspace(seed: int = 1) -> dict[str, Any]:
    """A 10-channel, 20-sample, 50-nuisance workspace (deterministic)."""
    rng = np.random.default_rng(seed)
    channels, observations = [], []
    for c in range(CHANNELS):
        samples, total = [], np.zeros(BINS)
        for s in range(SAMPLES):
            nominal = rng.uniform(5, 50, BINS) * (0.2 if s == 0 else 1.0)
            total += nominal
            modifiers: list[dict[str, Any]] = [
                {"name": "lumi", "type": "lumi", "data": None},
                {"name": f"staterror_ch{c}", "type": "staterror",
                 "data": list(np.sqrt(nominal))},
            ]  # fmt: skip
            if s == 0:
                modifiers.append({"name": "mu", "type": "normfactor", "data": None})
            for k in rng.choice(NUISANCES, size=8, replace=False):
                modifiers.append(_nuisance(rng, int(k), nominal))
            samples.append({"name": f"sample{s}", "data": list(nominal), "modifiers": modifiers})
        channels.append({"name": f"ch{c}", "samples": samples})
        observations.append({"name": f"ch{c}", "data": list(rng.poisson(total).astype(float))})
    return {
        "channels": channels,
        "observations": observations,
        "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": [LUMI]}}],
        "version": "1.0.0",
    }


def histfmt_prefit(source: Path, target: Path) -> None:
    import contextlib
    import io

    from histfmt.cli import cli

    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            cli.main(["convert", str(source), str(target)], standalone_mode=False)
        except SystemExit as exit:  # convert ends with its exit status
            if exit.code:
                raise


def histfmt_postfit(source: Path, target: Path) -> None:
    import histfmt
    from histfmt.convert import pyhf

    histfmt.dump(pyhf.read_book(source, fit=True), target)


def cabinetry_postfit(source: Path) -> None:
    import cabinetry
    import pyhf

    cabinetry.model_utils._YIELD_STDEV_CACHE.clear()
    spec = json.loads(source.read_text())
    model, data = cabinetry.model_utils.model_and_data(pyhf.Workspace(spec))
    result = cabinetry.fit.fit(model, data)
    cabinetry.model_utils.prediction(model, fit_results=result)


def timed(func: Any, *args: Any) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    warnings.filterwarnings("ignore", "jsonschema.RefResolver", DeprecationWarning)
    logging.getLogger("cabinetry").setLevel(logging.ERROR)
    logging.getLogger("pyhf").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "workspace.json"
        source.write_text(json.dumps(workspace()))
        size = source.stat().st_size
        times: dict[str, list[float]] = {"pre": [], "post": [], "cabinetry": []}
        histfmt_prefit(source, Path(folder) / "warm.json")  # imports, caches
        for _ in range(runs):  # interleaved
            times["pre"].append(timed(histfmt_prefit, source, Path(folder) / "pre.json"))
            times["post"].append(timed(histfmt_postfit, source, Path(folder) / "post.json"))
            times["cabinetry"].append(timed(cabinetry_postfit, source))
        written = (Path(folder) / "pre.json").stat().st_size
    median = {key: statistics.median(value) for key, value in times.items()}
    rows = [
        ["pre-fit convert (read, variations, write)", f"{median['pre']:.2f} s", "< 5 s"],
        ["post-fit: histfmt fit + band, written", f"{median['post']:.2f} s", ""],
        ["post-fit: cabinetry fit + prediction", f"{median['cabinetry']:.2f} s", ""],
        ["ratio histfmt / cabinetry", f"{median['post'] / median['cabinetry']:.2f}", "<= 2"],
    ]
    text = (
        f"Workspace: {CHANNELS} channels x {BINS} bins, {SAMPLES} samples, {NUISANCES} "
        f"nuisance parameters (+ lumi, staterror, mu); {size / 1e6:.1f} MB; pre-fit book "
        f"{written / 1e6:.1f} MB. Medians of {runs} interleaved runs; every run: "
        + ", ".join(f"{k} {[round(t, 2) for t in v]}" for k, v in times.items())
        + "\n\n"
        + md_table(["what", "median", "target"], rows)
    )
    packages = ["histfmt", "pyhf", "cabinetry", "iminuit", "numpy"]
    machine = md_table(["", ""], machine_info(packages))
    write_report(RESULTS_DIR / "pyhf.md", f"# pyhf workspaces\n\n{machine}\n\n{text}\n")
    print(text)


if __name__ == "__main__":
    main()
