"""The numbers of a plot page: every stored value with its uncertainties, as tables.

A 1-D document is one table (a row per bin, a column per yield); a 2-D document one
grid per yield (x bins as rows, y bins as columns); each graph one table of its points.
What a cell shows follows the yield's ``kind``: a count with its statistical and
systematic uncertainties, a mean (profile) with its error and entries, an efficiency
with its interval and passed / total. Values are as stored: not divided by bin widths,
flow bins included.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from msgspec import UnsetType

from histfmt.model import Asymmetric, Axis, Document, Graph, Yield
from histfmt.shown import uncertainty_variances

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]

__all__ = [
    "MAX_COLUMNS",
    "MAX_ROWS",
    "Cell",
    "Row",
    "Table",
    "bin_names",
    "measured",
    "numbers_tables",
    "yield_names",
]

MAX_ROWS = 200
"""Rows shown per table (bins, x bins of a grid, graph points); the rest is in the JSON."""
MAX_COLUMNS = 100
"""y bins shown per grid."""
MISSING = "\N{EM DASH}"


@dataclass(frozen=True)
class Cell:
    """A value, and the lines under it: ``(text, what it is)``."""

    value: str
    notes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    """One table of the page: ``columns`` head the cells of every row."""

    caption: str
    hint: str
    corner: str
    columns: list[str]
    rows: list[Row]
    grid: bool = False  # a 2-D grid: columns are y bins
    notes: list[str] = field(default_factory=list)  # what was left out


def yield_names(doc: Document) -> dict[str, str]:
    """Each yield's label as readable text (mathtext made plain, as the terminal view
    shows it: ``$t\\bar{t}$`` reads as t with a bar), by name; the name where there is
    no label."""
    from histfmt.render.text import plain_text

    return {
        name: (plain_text(item.label) if isinstance(item.label, str) else "") or name
        for name, item in doc.yields.items()
    }


def numbers_tables(doc: Document) -> list[Table]:
    """The tables of ``doc``'s numbers: its yields (1-D, or one grid each in 2-D) and
    its graphs."""
    tables = []
    if doc.yields and doc.x.binned:
        labels = yield_names(doc)
        if isinstance(doc.y, Axis):
            tables += [_grid(doc, doc.y, labels[name], item) for name, item in doc.yields.items()]
        else:
            tables.append(_bins_table(doc, labels))
    for index, graph in enumerate(doc.graphs):
        tables.append(_graph_table(graph, index))
    return tables


# -- cells ------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:.6g}" if np.isfinite(value) else MISSING


def measured(value: float, *errors: tuple[float, float]) -> tuple[str, list[str]]:
    """``value`` and its ``(up, down)`` uncertainties as a physicist writes them: the
    smallest uncertainty with two significant digits, the value and every other
    uncertainty rounded to the same decimal place (``1234 ± 56``, ``0.503 ± 0.011``,
    ``12300 ± 1000``, ``+12 \N{MINUS SIGN}8``); from ``1e6`` or below ``1e-4`` in
    scientific notation at the same precision (``1.2346e+07 ± 5.6e+04``). An uncertainty
    that is zero or not finite is ``""``; without any, the value has six significant
    digits."""
    sizes = [e for pair in errors for e in pair if math.isfinite(e) and e > 0]
    if not sizes or not math.isfinite(value):
        return _number(value), [_spread(up, down, lambda e: f"{e:.3g}") for up, down in errors]
    last = math.floor(math.log10(min(sizes))) - 1  # the power of ten of the last digit
    if round(min(sizes), -last) >= 10 ** (last + 2):  # 0.0996 is 0.10
        last += 1
    largest = max(abs(value), *sizes)

    def write(number: float) -> str:
        number = round(number, -last)
        if last >= -5 and largest < 1e6 and (largest >= 1e-4 or value == 0):
            return f"{number:.{max(0, -last)}f}"
        if not number:
            return "0"
        digits = max(1, math.floor(math.log10(abs(number))) - last + 1)
        return f"{number:.{digits - 1}e}"

    return write(value), [_spread(up, down, write) for up, down in errors]


def _spread(up: float, down: float, write: Callable[[float], str]) -> str:
    """``±u``, or ``+u`` and ``\N{MINUS SIGN}d`` when they differ as written by
    ``write``; empty when zero or not finite."""
    if not (up or down) or not (math.isfinite(up) and math.isfinite(down)):
        return ""
    if write(up) == write(down):
        return f"±{write(up)}"
    return f"+{write(up)} \N{MINUS SIGN}{write(down)}"


def _array(value: Any, shape: tuple[int, ...]) -> Array:
    """A per-bin array as float64 of ``shape`` (NaN where it is unset)."""
    if isinstance(value, UnsetType) or value is None:
        return np.full(shape, np.nan)
    return np.asarray(value, dtype=np.float64)


class _Cells:
    """The cells of one yield, by flat index into its (1-D or 2-D) arrays."""

    def __init__(self, item: Yield) -> None:
        values = np.asarray(item.values, dtype=np.float64)
        self.kind = item.kind
        self.values = values.ravel()
        self.spreads = {}
        for which in ("stat", "syst"):
            up2, down2 = uncertainty_variances(item, which)
            if up2.shape != values.shape:  # none given: zeros
                up2 = down2 = np.zeros(values.shape)
            self.spreads[which] = (np.sqrt(up2).ravel(), np.sqrt(down2).ravel())
        self.entries: Array | None = None
        self.passed_total: tuple[Array, Array] | None = None
        self.interval = ""
        if not isinstance(item.profile, UnsetType):
            self.entries = _array(item.profile.entries, values.shape).ravel()
        if not isinstance(item.efficiency, UnsetType):
            passed = _array(item.efficiency.passed, values.shape).ravel()
            self.passed_total = (passed, _array(item.efficiency.total, values.shape).ravel())
            self.interval = item.efficiency.interval

    def cell(self, i: int) -> Cell:
        stat_pair = (self.spreads["stat"][0][i], self.spreads["stat"][1][i])
        syst_pair = (self.spreads["syst"][0][i], self.spreads["syst"][1][i])
        value, (stat, syst) = measured(self.values[i], stat_pair, syst_pair)
        notes = []
        if self.kind == "mean":
            if stat:
                notes.append((stat, "error of the mean"))
            if self.entries is not None:
                notes.append((f"{_number(self.entries[i])} entries", "entries"))
        elif self.kind == "efficiency":
            if stat:
                notes.append((stat, f"{self.interval or 'stated'} interval"))
            if self.passed_total is not None:
                passed, total = (_number(array[i]) for array in self.passed_total)
                notes.append((f"{passed} / {total}", "passed / total"))
        elif stat:
            notes.append((stat, "statistical"))
        if syst:
            notes.append((f"{syst} syst", "systematic"))
        return Cell(value, tuple(notes))


_HINTS = {
    "count": "yields per bin (not divided by the bin width) with their statistical and "
    "systematic uncertainties",
    "mean": "means per bin (a profile) with the error of each mean and the entries behind it",
    "efficiency": "efficiencies per bin with their interval and passed / total",
}


def _hint(items: list[Yield], flow: bool) -> str:
    kinds = list(dict.fromkeys(item.kind for item in items))
    text = "; ".join(_HINTS[kind] for kind in kinds)
    text = text[0].upper() + text[1:] + "."
    return text + (" Flow bins included." if flow else "")


# -- tables -----------------------------------------------------------------------------


def bin_names(axis: Axis, limit: int | None = None) -> list[str]:
    """The name of every bin of ``axis`` in array order, flow bins included; with
    ``limit``, at least the first ``limit`` of them."""
    if not isinstance(axis.categories, UnsetType):
        names = [str(c) for c in axis.categories]
    elif isinstance(axis.edges, UnsetType):
        names = []
    else:
        edges = axis.edges
        count = len(edges) - 1
        if limit is not None:  # a huge axis: name only the bins shown
            edges = edges[: limit + 1]
        names = [f"[{a:g}, {b:g})" for a, b in itertools.pairwise(map(float, edges))]
        if not isinstance(axis.labels, UnsetType) and len(axis.labels) == count:
            names = [f"{label} {span}" for label, span in zip(axis.labels, names, strict=False)]
    if axis.underflow:
        names.insert(0, "underflow")
    if axis.overflow:
        names.append("overflow" if isinstance(axis.categories, UnsetType) else "other")
    return names


def _bin_count(axis: Axis) -> int:
    """How many bins ``axis`` has, flow bins included."""
    if not isinstance(axis.categories, UnsetType):
        count = len(axis.categories)
    else:
        count = 0 if isinstance(axis.edges, UnsetType) else len(axis.edges) - 1
    return count + bool(axis.underflow) + bool(axis.overflow)


def _shown(count: int, limit: int, what: str) -> list[str]:
    return [f"The first {limit} of {count} {what} are shown."] if count > limit else []


def _bins_table(doc: Document, labels: dict[str, str]) -> Table:
    cells = [_Cells(item) for item in doc.yields.values()]
    bins = bin_names(doc.x, MAX_ROWS)
    rows = [
        Row(label, [column.cell(i) for column in cells]) for i, label in enumerate(bins[:MAX_ROWS])
    ]
    flow = doc.x.underflow or doc.x.overflow
    return Table(
        caption="", hint=_hint(list(doc.yields.values()), flow), corner="Bin",
        columns=list(labels.values()), rows=rows, notes=_shown(_bin_count(doc.x), MAX_ROWS, "bins"),
    )  # fmt: skip


def _grid(doc: Document, y: Axis, label: str, item: Yield) -> Table:
    cells = _Cells(item)
    x_names, y_names = bin_names(doc.x, MAX_ROWS), bin_names(y)
    width = len(y_names)
    rows = [
        Row(label, [cells.cell(i * width + j) for j in range(min(width, MAX_COLUMNS))])
        for i, label in enumerate(x_names[:MAX_ROWS])
    ]
    flow = doc.x.underflow or doc.x.overflow or y.underflow or y.overflow
    hint = _hint([item], flow) + " Rows are x bins, columns y bins."
    corner = (
        f"{_axis_name(doc.x, 'x')} \N{DOWNWARDS ARROW} {_axis_name(y, 'y')} \N{RIGHTWARDS ARROW}"
    )
    return Table(
        caption=label, hint=hint,
        corner=corner, columns=y_names[:MAX_COLUMNS], rows=rows, grid=True,
        notes=_shown(_bin_count(doc.x), MAX_ROWS, "x bins") + _shown(width, MAX_COLUMNS, "y bins"),
    )  # fmt: skip


def _axis_name(axis: Axis, default: str) -> str:
    for text in (axis.name, axis.label):
        if isinstance(text, str) and text and len(text) <= 24 and "$" not in text:
            return text
    return default


def _errors(value: Any, n: int) -> tuple[Array, Array]:
    """Upward and downward magnitudes of a graph's errors (zeros when unset)."""
    if isinstance(value, Asymmetric):
        return np.asarray(value.up, dtype=np.float64), np.asarray(value.down, dtype=np.float64)
    if isinstance(value, UnsetType) or value is None:
        return np.zeros(n), np.zeros(n)
    array = np.asarray(value, dtype=np.float64)
    return array, array


def _point(
    x: float, y: float, spreads: list[tuple[str, tuple[Array, Array]]], i: int
) -> list[Cell]:
    """The cells of point ``i``: x and y, each rounded to its own errors, then the errors."""
    x_text, (x_error,) = measured(x, (spreads[0][1][0][i], spreads[0][1][1][i]))
    y_text, y_errors = measured(y, *((up[i], down[i]) for _, (up, down) in spreads[1:]))
    return [Cell(text) for text in (x_text, y_text, x_error, *y_errors)]


def _graph_table(graph: Graph, index: int) -> Table:
    x = np.asarray(graph.x, dtype=np.float64)
    y = np.asarray(graph.y, dtype=np.float64)
    n = len(x)
    spreads = [("x error", _errors(graph.x_errors, n))]
    y_errors = graph.y_errors
    if not isinstance(y_errors, UnsetType) or not graph.y_sources:
        spreads.append(("y error", _errors(y_errors, n)))
    spreads += [(source, _errors(value, n)) for source, value in graph.y_sources.items()]
    rows = [Row(str(i + 1), _point(x[i], y[i], spreads, i)) for i in range(min(n, MAX_ROWS))]
    label = graph.label if isinstance(graph.label, str) and graph.label else ""
    caption = f"Graph {index + 1}" + (f": {label}" if label else "")
    sources = " Named sources of the y errors follow the total." if graph.y_sources else ""
    return Table(
        caption=caption, hint="Points with their x and y errors." + sources, corner="Point",
        columns=["x", "y", *(name for name, _ in spreads)], rows=rows,
        notes=_shown(n, MAX_ROWS, "points"),
    )  # fmt: skip
