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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from msgspec import UnsetType

from histfmt.model import Asymmetric, Axis, Document, Graph, Yield
from histfmt.shown import uncertainty_variances

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]

__all__ = ["MAX_COLUMNS", "MAX_ROWS", "Cell", "Row", "Table", "bin_names", "numbers_tables"]

MAX_ROWS = 1000
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


def numbers_tables(doc: Document) -> list[Table]:
    """The tables of ``doc``'s numbers: its yields (1-D, or one grid each in 2-D) and
    its graphs."""
    tables = []
    if doc.yields and doc.x.binned:
        if isinstance(doc.y, Axis):
            tables += [_grid(doc, doc.y, name, item) for name, item in doc.yields.items()]
        else:
            tables.append(_bins_table(doc))
    for index, graph in enumerate(doc.graphs):
        tables.append(_graph_table(graph, index))
    return tables


# -- cells ------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:.6g}" if np.isfinite(value) else MISSING


def _spread(up: float, down: float) -> str:
    """``±u``, or ``+u`` and ``-d`` (with a true minus sign) when asymmetric; empty when
    zero."""
    if not (up or down) or not (np.isfinite(up) and np.isfinite(down)):
        return ""
    if f"{up:.3g}" == f"{down:.3g}":
        return f"±{up:.3g}"
    return f"+{up:.3g} \N{MINUS SIGN}{down:.3g}"


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
        notes = []
        stat = _spread(self.spreads["stat"][0][i], self.spreads["stat"][1][i])
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
        syst = _spread(self.spreads["syst"][0][i], self.spreads["syst"][1][i])
        if syst:
            notes.append((f"{syst} syst", "systematic"))
        return Cell(_number(self.values[i]), tuple(notes))


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


def bin_names(axis: Axis) -> list[str]:
    """The name of every bin of ``axis`` in array order, flow bins included."""
    if not isinstance(axis.categories, UnsetType):
        names = [str(c) for c in axis.categories]
    elif isinstance(axis.edges, UnsetType):
        names = []
    else:
        edges = [float(e) for e in axis.edges]
        names = [f"[{a:g}, {b:g})" for a, b in itertools.pairwise(edges)]
        if not isinstance(axis.labels, UnsetType) and len(axis.labels) == len(names):
            names = [f"{label} {span}" for label, span in zip(axis.labels, names, strict=True)]
    if axis.underflow:
        names.insert(0, "underflow")
    if axis.overflow:
        names.append("overflow" if isinstance(axis.categories, UnsetType) else "other")
    return names


def _shown(count: int, limit: int, what: str) -> list[str]:
    return [f"The first {limit} of {count} {what} are shown."] if count > limit else []


def _bins_table(doc: Document) -> Table:
    names = list(doc.yields)
    cells = [_Cells(doc.yields[name]) for name in names]
    bins = bin_names(doc.x)
    rows = [
        Row(label, [column.cell(i) for column in cells]) for i, label in enumerate(bins[:MAX_ROWS])
    ]
    flow = doc.x.underflow or doc.x.overflow
    return Table(
        caption="", hint=_hint(list(doc.yields.values()), flow), corner="Bin", columns=names,
        rows=rows, notes=_shown(len(bins), MAX_ROWS, "bins"),
    )  # fmt: skip


def _grid(doc: Document, y: Axis, name: str, item: Yield) -> Table:
    cells = _Cells(item)
    x_names, y_names = bin_names(doc.x), bin_names(y)
    width = len(y_names)
    rows = [
        Row(label, [cells.cell(i * width + j) for j in range(min(width, MAX_COLUMNS))])
        for i, label in enumerate(x_names[:MAX_ROWS])
    ]
    label = item.label if isinstance(item.label, str) and item.label != name else ""
    flow = doc.x.underflow or doc.x.overflow or y.underflow or y.overflow
    hint = _hint([item], flow) + " Rows are x bins, columns y bins."
    corner = (
        f"{_axis_name(doc.x, 'x')} \N{DOWNWARDS ARROW} {_axis_name(y, 'y')} \N{RIGHTWARDS ARROW}"
    )
    return Table(
        caption=f"{name} ({label})" if label else name, hint=hint,
        corner=corner, columns=y_names[:MAX_COLUMNS], rows=rows, grid=True,
        notes=_shown(len(x_names), MAX_ROWS, "x bins") + _shown(width, MAX_COLUMNS, "y bins"),
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


def _graph_table(graph: Graph, index: int) -> Table:
    x = np.asarray(graph.x, dtype=np.float64)
    y = np.asarray(graph.y, dtype=np.float64)
    n = len(x)
    spreads = [("x error", _errors(graph.x_errors, n))]
    y_errors = graph.y_errors
    if not isinstance(y_errors, UnsetType) or not graph.y_sources:
        spreads.append(("y error", _errors(y_errors, n)))
    spreads += [(source, _errors(value, n)) for source, value in graph.y_sources.items()]
    rows = [
        Row(
            str(i + 1),
            [Cell(_number(x[i])), Cell(_number(y[i]))]
            + [Cell(_spread(up[i], down[i])) for _, (up, down) in spreads],
        )
        for i in range(min(n, MAX_ROWS))
    ]
    label = graph.label if isinstance(graph.label, str) and graph.label else ""
    caption = f"Graph {index + 1}" + (f": {label}" if label else "")
    sources = " Named sources of the y errors follow the total." if graph.y_sources else ""
    return Table(
        caption=caption, hint="Points with their x and y errors." + sources, corner="Point",
        columns=["x", "y", *(name for name, _ in spreads)], rows=rows,
        notes=_shown(n, MAX_ROWS, "points"),
    )  # fmt: skip
