"""The independent variables of a HEPData table as axes: bins, categories or points.

A variable whose values all have ``low``/``high`` is **binned**; one whose values are
strings (or all integers) is **categorical**; one whose values are other numbers
without ``low``/``high`` is made of **points** (a graph's x, with no bins).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from msgspec import UNSET

from histfmt.convert.hepdata.common import OVERFLOW_CATEGORY, SCALAR, Checker, Where, kind_of
from histfmt.model import Axis

__all__ = ["Variable", "read_axis", "read_grid_axis", "read_points", "read_variable"]

Kind = Literal["bins", "categories", "points"]


class Variable:
    """One independent variable, checked: its header, its values and what they are."""

    def __init__(self, check: Checker, variable: Any, path: Where) -> None:
        self.path = path
        header = check.get(variable, "header", path, dict)
        self.title = str(check.get(header, "name", (*path, "header"), SCALAR)).strip()
        units = header.get("units")
        self.unit = units.strip()[:4096] if isinstance(units, str) and units.strip() else None
        self.points: list[dict[str, Any]] = check.get(variable, "values", path, list)
        if not self.points:
            raise check.fail((*path, "values"), "no bins")
        for j, point in enumerate(self.points):
            if not isinstance(point, dict):
                raise check.fail((*path, "values", j), f"expected a mapping, got {kind_of(point)}")
        self.kind = _kind(check, self.points, (*path, "values"))

    def axis(self, **binning: Any) -> Axis:
        """An axis labelled from the header (a ``$`` title is a symbol) on ``binning``."""
        symbol = self.title[:4096] if "$" in self.title else None
        label = self.title[:4096] if self.title and symbol is None else None
        unit = self.unit if "categories" not in binning else None
        if not binning:  # points: an axis with a label and a unit only
            return Axis(symbol=symbol or UNSET, label=label or UNSET, unit=unit or UNSET)
        edges = binning.pop("edges", None)
        return Axis.new(edges, symbol=symbol, label=label, unit=unit, **binning)


def read_variable(check: Checker, variable: Any, path: Where) -> Variable:
    """The independent variable at ``path``, checked."""
    return Variable(check, variable, path)


def _kind(check: Checker, points: list[dict[str, Any]], path: Where) -> Kind:
    bounded = ["low" in p or "high" in p for p in points]
    if all(bounded):
        return "bins"
    if any(bounded):
        raise check.fail(path, "mixes binned (low/high) and unbinned values")
    for j, point in enumerate(points):
        if "value" not in point:
            raise check.fail((*path, j), "missing key 'value'")
    values = [p["value"] for p in points]
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "categories"
    if any(isinstance(v, str) for v in values):
        return "categories"
    for j, value in enumerate(values):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise check.fail(
                (*path, j, "value"), f"expected a number or a string, got {kind_of(value)}"
            )
        if not math.isfinite(value):
            raise check.fail((*path, j, "value"), f"expected a finite number, got {value}")
    return "points"


def read_axis(check: Checker, variable: Variable) -> tuple[Axis, list[int | None]]:
    """The x axis of a 1-D table, and for each stored bin the table row it comes from."""
    path = (*variable.path, "values")
    if variable.kind == "bins":
        edges, under, over, order = _bins(check, list(enumerate(variable.points)), path)
        return variable.axis(edges=edges, underflow=under, overflow=over), order
    labels = [p.get("value") for p in variable.points]
    overflow = len(labels) > 1 and labels[-1] == OVERFLOW_CATEGORY
    categories = _categories(check, labels[:-1] if overflow else labels, path)
    for j, category in enumerate(categories):
        if category in categories[:j]:
            raise check.fail((*path, j, "value"), f"category repeats {category!r}")
    return variable.axis(categories=categories, overflow=overflow), list(range(len(labels)))


def read_points(variable: Variable) -> tuple[Axis, Any]:
    """The x axis (no bins: a label and a unit) and the x of every point."""
    xs = np.array([float(p["value"]) for p in variable.points], dtype=np.float64)
    return variable.axis(), xs


def read_grid_axis(check: Checker, variable: Variable, grid: str) -> tuple[Axis, list[int]]:
    """One axis of a two-variable table and, per table row, its bin (index into the stored
    per-bin arrays, flow bins counted). ``grid`` names the axis in messages (``x``/``y``).

    Rows repeat their bins (a grid lists every cell); the distinct bins become the axis:
    edges from ``low``/``high`` (gaps are bins of missing values), or categories from the
    values in order of appearance (``__UNDETERMINED__``: the overflow bin).
    """
    path = (*variable.path, "values")
    if variable.kind == "bins":
        pairs = [
            (_number(check, point, "low", (*path, j)), _number(check, point, "high", (*path, j)))
            for j, point in enumerate(variable.points)
        ]
        distinct: dict[tuple[float, float], int] = {}
        for j, pair in enumerate(pairs):
            distinct.setdefault(pair, j)
        firsts = [(j, variable.points[j]) for j in distinct.values()]
        edges, under, over, order = _bins(check, firsts, path, grid=grid)
        position = {row: i for i, row in enumerate(order) if row is not None}
        bins = [position[distinct[pair]] for pair in pairs]
        return variable.axis(edges=edges, underflow=under, overflow=over), bins
    values = [p.get("value") for p in variable.points]
    if variable.kind == "points":  # numbers without bins: each distinct number is a category
        values = [_number_text(v) for v in values]
    labels = list(dict.fromkeys(v for v in values if v != OVERFLOW_CATEGORY))
    overflow = len(labels) < len(set(values))
    categories = _categories(check, labels, path)
    index = {label: i for i, label in enumerate(labels)}
    bins = [len(labels) if v == OVERFLOW_CATEGORY else index[v] for v in values]
    return variable.axis(categories=categories, overflow=overflow), bins


def _number_text(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def _categories(check: Checker, labels: list[Any], path: Where) -> list[Any]:
    """All integers, or strings (numbers written as text); anything else is refused."""
    if all(isinstance(v, int) and not isinstance(v, bool) for v in labels):
        return labels
    categories = [
        str(v) if isinstance(v, SCALAR) and not isinstance(v, bool) else None for v in labels
    ]
    for j, category in enumerate(categories):
        if category is None:
            raise check.fail((*path, j, "value"), "category not a string or number")
    return categories


def _bins(
    check: Checker, points: list[tuple[int, dict[str, Any]]], path: Where, grid: str = ""
) -> tuple[list[float], bool, bool, list[int | None]]:
    """Edges, flow flags and the row behind each bin (None: a gap, missing values).

    ``points`` are (row, value) pairs; ``grid`` names the axis of a two-variable table,
    whose bins are shared by every row: overlapping bins there are not a grid.
    """
    rows: list[tuple[float, float, int]] = []
    flows: dict[str, tuple[float, int]] = {}  # "under"/"over" -> (finite edge, row)
    for j, point in points:
        low = _number(check, point, "low", (*path, j))
        high = _number(check, point, "high", (*path, j))
        if not low < high or (math.isinf(low) and math.isinf(high)):
            raise check.fail(
                (*path, j),
                f"expected low < high, not both infinite; got low {low}, high {high}",
            )
        if math.isinf(low) or math.isinf(high):
            side, edge = ("under", high) if math.isinf(low) else ("over", low)
            if side in flows:
                raise _overlap(
                    check, (*path, j), grid, f"a second {side}flow bin (an infinite edge)"
                )
            flows[side] = (edge, j)
        else:
            rows.append((low, high, j))
    if not rows:
        raise check.fail(path, "no bins with finite edges")
    rows.sort()
    edges = [rows[0][0]]
    order: list[int | None] = []
    for low, high, j in rows:
        if low < edges[-1]:
            message = f"bin [{low}, {high}] overlaps the bin before it"
            if grid:
                message = f"bin [{low:g}, {high:g}] overlaps [{edges[-2]:g}, {edges[-1]:g}]"
            raise _overlap(check, (*path, j), grid, message)
        if low > edges[-1]:  # a gap: a bin of missing values
            edges.append(low)
            order.append(None)
        edges.append(high)
        order.append(j)
    if "under" in flows:
        high, j = flows["under"]
        if high > edges[0]:
            raise _overlap(check, (*path, j), grid, "the underflow bin overlaps the first bin")
        if high < edges[0]:
            edges.insert(0, high)
            order.insert(0, None)
        order.insert(0, j)
    if "over" in flows:
        low, j = flows["over"]
        if low < edges[-1]:
            raise _overlap(check, (*path, j), grid, "the overflow bin overlaps the last bin")
        if low > edges[-1]:
            edges.append(low)
            order.append(None)
        order.append(j)
    return edges, "under" in flows, "over" in flows, order


def _overlap(check: Checker, path: Where, grid: str, message: str) -> Exception:
    """Overlapping bins: malformed in a 1-D table; in a 2-D one, bins that vary from row
    to row (not a grid), which histfmt cannot hold."""
    if not grid:
        return check.fail(path, message)
    return check.unsupported(
        path, f"the bins do not form a grid: {grid} {message} (the {grid} bins vary by row)"
    )


def _number(check: Checker, point: dict[str, Any], key: str, path: Where) -> float:
    value = point.get(key)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isnan(value):
            raise check.fail((*path, key), "expected a number, got NaN")
        return float(value)
    if key not in point:
        raise check.fail(path, f"missing key {key!r}")
    raise check.fail((*path, key), f"expected a number, got {kind_of(value)}")
