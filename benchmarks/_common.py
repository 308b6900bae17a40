"""Shared helpers for the benchmarks: timing, machine info, markdown tables, output."""

from __future__ import annotations

import datetime
import gc
import hashlib
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Timing:
    """Best time per call of one operation."""

    seconds: float
    repeat: int
    number: int

    @property
    def runs(self) -> str:
        return f"{self.repeat}x{self.number}" if self.number > 1 else f"{self.repeat}"


def _sample(func: Callable[[], object], number: int) -> float:
    """Time ``number`` calls with the garbage collector off (as :mod:`timeit` does)."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            func()
        return time.perf_counter() - start
    finally:
        if was_enabled:
            gc.enable()


def measure(
    func: Callable[[], object],
    *,
    repeat: int,
    min_sample: float = 0.05,
    warmup: bool = True,
) -> Timing:
    """Best-of-``repeat`` time per call.

    The first (warm-up) call also calibrates: fast operations are looped
    ``number`` times per sample so that a sample lasts at least ``min_sample``
    seconds.  ``warmup=False`` counts the first call as a sample (for
    operations too slow to run an extra time).
    """
    first = _sample(func, 1)
    number = 1
    if first < min_sample:
        number = max(1, min(1 << 20, int(min_sample / max(first, 1e-7)) + 1))
        first = _sample(func, number)  # re-warm and check at the looped size
    samples = [] if warmup else [first]
    while len(samples) < repeat:
        samples.append(_sample(func, number))
    return Timing(min(samples) / number, repeat, number)


def fmt_time(seconds: float) -> str:
    """Human-readable duration with three significant digits."""
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def fmt_bytes(size: int) -> str:
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} B"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def source_fingerprint() -> str:
    """sha256 of histfmt's Python sources: ties a report to the code it measured.

    The benchmarks may run while the sources are being edited, and there is no
    commit id to quote, so the digest and the newest modification time are recorded.
    """
    import histfmt  # the package actually imported, wherever it is installed

    root = Path(histfmt.__file__).resolve().parent
    digest = hashlib.sha256()
    newest = 0.0
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    stamp = datetime.datetime.fromtimestamp(newest, datetime.timezone.utc)
    return f"sha256:{digest.hexdigest()[:12]} (newest file {stamp:%Y-%m-%d %H:%M:%S} UTC)"


def machine_info(packages: Sequence[str], fingerprint: str | None = None) -> list[tuple[str, str]]:
    """(key, value) rows describing the machine, the package versions and the sources."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    rows = [
        ("date (UTC)", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")),
        ("python", f"{platform.python_implementation()} {sys.version.split()[0]}"),
        ("platform", platform.platform()),
        ("cpu", _cpu_model()),
        ("nproc", f"{usable} usable (os.cpu_count() = {os.cpu_count()})"),
    ]
    rows += [(name, _version(name)) for name in packages]
    rows.append(("histfmt sources", fingerprint or source_fingerprint()))
    return rows


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A GitHub markdown table; ``align`` has one of ``l``/``r`` per column (default left)."""
    align = align or "l" * len(header)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_report(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a crash leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
