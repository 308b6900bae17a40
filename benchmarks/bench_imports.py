#!/usr/bin/env python
"""Import cost of histfmt, and a check that heavy optional packages stay unloaded.

Usage::

    python benchmarks/bench_imports.py     # ~15 s; writes results/imports.md

* Whole-process wall time of ``python -c "import histfmt"`` (best of 5 after a
  warm-up run), next to the interpreter alone and histfmt's import-time
  dependencies, plus a ``-X importtime`` breakdown.
* Lazy imports (target): after ``import histfmt``, and after running
  ``histfmt validate file.json`` in-process (``histfmt.cli.cli.main([...],
  standalone_mode=False)`` in a fresh subprocess), neither ``matplotlib`` nor
  ``flask`` is in ``sys.modules``.  An import hook also records any *attempt*
  to import them, so the check means something even where they are not
  installed.

The exit status is 0 even when a check fails: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from _common import RESULTS_DIR, fmt_time, machine_info, md_table, write_report

import histfmt

PYTHON = sys.executable
REPEAT = 5
FORBIDDEN = ("matplotlib", "flask")
WATCHED = (
    *FORBIDDEN,
    "werkzeug",
    "jinja2",
    "PIL",
    "scipy",
    "pandas",
    "hist",
    "boost_histogram",
    "uhi",
    "jsonschema",
    "yaml",
    "click",
)
STATEMENTS = [
    ("pass", "interpreter start-up only"),
    ("import numpy", "numpy alone"),
    ("import numpy, msgspec", "histfmt's import-time dependencies"),
    ("import histfmt", "the library"),
    ("import histfmt.cli", "the command line (adds click)"),
]
MARKER = "@@BENCH-RESULT@@"

# Run in a fresh interpreter: watch imports, run one scenario, report sys.modules.
PROBE = """
import json, sys
WATCHED = {watched!r}
attempted = set()

class Spy:
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in WATCHED:
            attempted.add(top)
        return None

sys.meta_path.insert(0, Spy())
exit_code = None
{scenario}
print({marker!r} + json.dumps({{
    "loaded": sorted(m for m in WATCHED if m in sys.modules),
    "attempted": sorted(attempted),
    "exit": exit_code,
}}))
"""
CLI_SCENARIO = """
import histfmt.cli
try:
    exit_code = histfmt.cli.cli.main({args!r}, standalone_mode=False)
except SystemExit as exc:
    exit_code = exc.code
"""


# Bytecode cache for the child interpreters.  Sandboxes often set
# PYTHONDONTWRITEBYTECODE, and an editable install then recompiles histfmt on
# every start; users have .pyc files.  A private PYTHONPYCACHEPREFIX gives warm
# bytecode without writing __pycache__ directories into the source tree.
_PYCACHE = tempfile.TemporaryDirectory(prefix="histfmt-bench-pycache-")


def _environment(*, bytecode_cache: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONSTARTUP", "PYTHONINSPECT"):
        env.pop(name, None)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = _PYCACHE.name
    return env


def process_time(statement: str, repeat: int = REPEAT, *, bytecode_cache: bool = True) -> float:
    """Best wall time of ``python -c statement`` over ``repeat`` runs (after one warm-up)."""
    command = [PYTHON, "-c", statement]
    env = _environment(bytecode_cache=bytecode_cache)
    subprocess.run(command, check=True, env=env, capture_output=True)  # warm the caches
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


Entry = tuple[int, str, int, int]  # depth, module, self µs, cumulative µs
Node = tuple[Entry, list[Any]]  # an entry and its child nodes


def import_tree(statement: str) -> list[Node]:
    """The outermost imports of ``python -c statement`` as trees, from ``-X importtime``."""
    result = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", statement],
        check=True,
        env=_environment(),
        capture_output=True,
        text=True,
    )
    # importtime prints in post-order (children first, indented two spaces a level).
    pending: dict[int, list[Node]] = {}
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        node = ((depth, name.strip(), int(self_us), int(cumulative_us)), pending.pop(depth + 1, []))
        pending.setdefault(depth, []).append(node)
    return pending.get(0, [])


def import_breakdown(
    tree: list[Node], *, root: str = "histfmt", max_depth: int = 2, min_us: int = 2000
) -> list[Entry]:
    """``root``'s imports down to ``max_depth`` levels, of ``min_us`` or more, parents first."""
    rows: list[Entry] = []

    def visit(node: Node) -> None:
        entry, children = node
        if entry[0] <= max_depth and entry[3] >= min_us:
            rows.append(entry)
            for child in children:
                visit(child)

    for node in tree:
        if node[0][1] == root:
            visit(node)
    return rows


def direct_imports(tree: list[Node], *, exclude: tuple[str, ...]) -> list[str]:
    """Outside modules first imported directly by a histfmt module, in import order."""
    found: list[str] = []

    def visit(node: Node, parent: str) -> None:
        (_, name, _, _), children = node
        if parent.startswith("histfmt") and not name.startswith("histfmt"):
            if name.partition(".")[0] not in exclude and name not in found:
                found.append(name)
            return
        for child in children:
            visit(child, name)

    for node in tree:
        visit(node, "")
    return found


MARGINAL = """
import importlib, json, time
import {base}
costs = {{}}
for name in {modules!r} + ["histfmt"]:
    start = time.perf_counter()
    importlib.import_module(name)
    costs[name] = time.perf_counter() - start
print(json.dumps(costs))
"""


def marginal_costs(modules: list[str], base: str, runs: int = 3) -> dict[str, float]:
    """Median time to import each of ``modules`` (then the rest of histfmt) after ``base``."""
    code = MARGINAL.format(base=base, modules=modules)
    samples: list[dict[str, float]] = []
    for _ in range(runs + 1):  # the first run warms the bytecode cache
        result = subprocess.run(
            [PYTHON, "-c", code], check=True, env=_environment(), capture_output=True, text=True
        )
        samples.append(json.loads(result.stdout))
    return {name: sorted(s[name] for s in samples[1:])[runs // 2] for name in samples[0]}


def probe(scenario: str) -> dict[str, object]:
    """Run ``scenario`` in a fresh interpreter; which watched packages it loaded or tried."""
    code = PROBE.format(watched=WATCHED, scenario=scenario, marker=MARKER)
    result = subprocess.run(
        [PYTHON, "-c", code], env=_environment(), capture_output=True, text=True, check=False
    )
    for line in result.stdout.splitlines():
        if line.startswith(MARKER):
            report: dict[str, object] = json.loads(line.removeprefix(MARKER))
            report["output"] = (result.stdout.replace(line, "") + result.stderr).strip()
            return report
    raise RuntimeError(f"probe failed:\n{result.stdout}\n{result.stderr}")


def sample_files(directory: Path) -> dict[str, Path]:
    """A valid document and two invalid ones (structural and semantic error)."""
    doc = histfmt.Document.new([0.0, 1.0, 2.0, 3.0], symbol="x").add_yield(
        "a", [1.0, 2.0, 3.0], stat=[1.0, 1.4, 1.7]
    )
    plain = orjson.loads(histfmt.dumps(doc))
    files = {
        "valid": plain,
        "invalid-structure": {**plain, "bogus_key": 1},
        "invalid-semantics": {**plain, "yields": {"a": {"values": [1.0, 2.0]}}},
    }
    paths = {}
    for name, content in files.items():
        paths[name] = directory / f"{name}.json"
        paths[name].write_bytes(orjson.dumps(content))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "imports.md")
    args = parser.parse_args(argv)

    print("timing interpreter start-ups ...", file=sys.stderr)
    times = {statement: process_time(statement) for statement, _ in STATEMENTS}
    inherited = os.environ.get("PYTHONDONTWRITEBYTECODE")
    uncached = process_time("import histfmt", bytecode_cache=False)
    tree = import_tree("import histfmt")
    breakdown = import_breakdown(tree)
    deps = "numpy, msgspec"
    costs = marginal_costs(direct_imports(tree, exclude=("numpy", "msgspec", "__future__")), deps)

    print("probing lazy imports ...", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        files = sample_files(Path(tmp))
        scenarios = [
            ("`import histfmt`", "import histfmt", True, None),
            *[
                (
                    f"`histfmt validate {name}.json` (in-process CLI)",
                    CLI_SCENARIO.format(args=["validate", str(path)]),
                    name == "valid",
                    0 if name == "valid" else 1,
                )
                for name, path in files.items()
            ],
        ]
        probes = [
            (title, probe(code), is_target, exit_code)
            for title, code, is_target, exit_code in scenarios
        ]

    installed = {m: importlib.util.find_spec(m) is not None for m in FORBIDDEN}
    out = [
        "# histfmt import benchmark",
        "",
        "`python benchmarks/bench_imports.py`: whole-process wall time of `python -c ...` "
        f"(best of {REPEAT} after one warm-up), and which packages a fresh interpreter has "
        "loaded after each scenario.",
        "",
        md_table(["", ""], machine_info(["histfmt", "numpy", "msgspec", "click", "orjson"])),
        "",
        "## Import time",
        "",
        "No numeric target in the issue; histfmt's own share is `import histfmt` minus "
        "`import numpy, msgspec`.",
        "",
    ]
    base = times["pass"]
    out.append(
        md_table(
            ["command", "what", "best wall time", "minus start-up"],
            [
                [f'`python -c "{s}"`', what, fmt_time(times[s]), fmt_time(times[s] - base)]
                for s, what in STATEMENTS
            ],
            "llrr",
        )
    )
    own = times["import histfmt"] - times["import numpy, msgspec"]
    out += [
        "",
        "Times are with warm bytecode (a private `PYTHONPYCACHEPREFIX`). With the "
        f"inherited environment (PYTHONDONTWRITEBYTECODE={inherited or 'unset'}; the "
        "editable install then has no .pyc for histfmt and recompiles it on every "
        f"start) `import histfmt` takes {fmt_time(uncached)}.",
        "",
        f"histfmt's own import cost: **{fmt_time(own)}** "
        f"(`import histfmt` {fmt_time(times['import histfmt'])} minus "
        f"`import numpy, msgspec` {fmt_time(times['import numpy, msgspec'])}). "
        "A difference of two whole-process times is noisy (about ±10 ms here); the "
        f"in-process total below ({fmt_time(sum(costs.values()))}) is steadier.",
        "",
        "What histfmt adds on top of its dependencies: each module that a histfmt "
        f"module imports first, timed in that order after `import {deps}`, then the rest "
        "of `import histfmt` (median of 3 runs, warm bytecode; a module's time includes "
        "what it imports that is not loaded yet):",
        "",
        md_table(
            ["import", "marginal cost"],
            [
                [f"`{name}`" if name != "histfmt" else "`histfmt` (its own modules)", fmt_time(t)]
                for name, t in costs.items()
            ]
            + [["total", fmt_time(sum(costs.values()))]],
            "lr",
        ),
        "",
        '`python -X importtime -c "import histfmt"` (one run, so noisy): the import '
        "tree of `histfmt`, two levels deep, entries of 2 ms or more. A module is "
        "charged to whichever package imports it first, so shared modules (`typing`, "
        "`inspect` via `dataclasses`) appear here although numpy would load them anyway:",
        "",
        md_table(
            ["module", "self", "cumulative"],
            [
                ["\u2003" * d + f"`{n}`", fmt_time(s / 1e6), fmt_time(c / 1e6)]
                for d, n, s, c in breakdown
            ],
            "lrr",
        ),
        "",
        "## Lazy imports",
        "",
        "Target: neither "
        + " nor ".join(f"`{m}`" for m in FORBIDDEN)
        + " is imported (in `sys.modules`, or even attempted) by `import histfmt` or by "
        "`histfmt validate file.json`. Installed here: "
        + ", ".join(f"{m} {'yes' if ok else 'no'}" for m, ok in installed.items())
        + " (the import hook catches attempts either way).",
        "",
    ]
    rows, results = [], []
    for title, report, is_target, expected_exit in probes:
        loaded, attempted = report["loaded"], report["attempted"]
        bad = sorted(set(FORBIDDEN) & (set(loaded) | set(attempted)))  # type: ignore[arg-type]
        ok = not bad
        exit_note = f"{report['exit']}" + (
            "" if report["exit"] == expected_exit else f" (expected {expected_exit})"
        )
        status = (
            ("PASS" if ok else "**FAIL**")
            if is_target
            else ("context: clean" if ok else "context: **loads " + ", ".join(bad) + "**")
        )
        rows.append(
            [
                title,
                exit_note if expected_exit is not None else "",
                ", ".join(loaded) or "none",  # type: ignore[arg-type]
                ", ".join(attempted) or "none",  # type: ignore[arg-type]
                status,
            ]
        )
        if is_target:
            results.append((title, ok))
    out.append(
        md_table(
            [
                "scenario",
                "exit",
                "watched modules in sys.modules",
                "watched imports attempted",
                "result",
            ],
            rows,
        )
    )
    passed = sum(ok for _, ok in results)
    out += [
        "",
        f"Watched: {', '.join(WATCHED)}.",
        "",
        f"**Summary: {passed} of {len(results)} lazy-import checks passed"
        + (
            ""
            if passed == len(results)
            else "; FAILED: " + "; ".join(t for t, ok in results if not ok)
        )
        + ".**",
    ]
    report_text = "\n".join(out) + "\n"
    print(report_text)
    write_report(args.output, report_text)
    print(f"written: {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
