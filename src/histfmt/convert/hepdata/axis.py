"""The independent variable of a HEPData table as the document's x axis."""

from __future__ import annotations

import math
from typing import Any

from histfmt.convert.hepdata.common import OVERFLOW_CATEGORY, SCALAR, Checker, Where, kind_of
from histfmt.model import Document

__all__ = ["read_axis"]


def read_axis(check: Checker, variable: Any, path: Where) -> tuple[Document, list[int | None]]:
    """The document's x axis, and for each stored bin the table row it comes from."""
    header = check.get(variable, "header", path, dict)
    title = str(check.get(header, "name", (*path, "header"), SCALAR)).strip()
    unit = header.get("units") if isinstance(header.get("units"), str) else None
    points = check.get(variable, "values", path, list)
    if not points:
        raise check.fail((*path, "values"), "no bins")
    for j, point in enumerate(points):
        if not isinstance(point, dict):
            raise check.fail((*path, "values", j), f"expected a mapping, got {kind_of(point)}")
    symbol = title[:4096] if "$" in title else None
    label = title[:4096] if title and symbol is None else None
    if all("low" in p or "high" in p for p in points):
        edges, under, over, order = _bins(check, points, (*path, "values"))
        doc = Document.new(
            edges, underflow=under, overflow=over, unit=unit or None, symbol=symbol, label=label
        )
        return doc, order
    if any("low" in p or "high" in p for p in points):
        raise check.fail((*path, "values"), "mixes binned (low/high) and unbinned values")
    labels = [p.get("value") for p in points]
    overflow = len(labels) > 1 and labels[-1] == OVERFLOW_CATEGORY
    labels = labels[:-1] if overflow else labels
    categories: list[Any]
    if all(isinstance(v, int) and not isinstance(v, bool) for v in labels):
        categories = labels
    elif any(isinstance(v, str) for v in labels):
        categories = [str(v) if isinstance(v, SCALAR) else None for v in labels]
    else:
        raise check.fail(
            (*path, "values"),
            "numeric values without low/high are points, not bins; histfmt needs bins",
        )
    for j, category in enumerate(categories):
        if category is None or category in categories[:j]:
            problem = "not a string or number" if category is None else f"repeats {category!r}"
            raise check.fail((*path, "values", j, "value"), f"category {problem}")
    doc = Document.new(categories=categories, overflow=overflow, symbol=symbol, label=label)
    return doc, list(range(len(points)))


def _bins(
    check: Checker, points: list[dict[str, Any]], path: Where
) -> tuple[list[float], bool, bool, list[int | None]]:
    """Edges, flow flags and the row behind each bin (None: a gap, missing values)."""
    rows: list[tuple[float, float, int]] = []
    flows: dict[str, tuple[float, int]] = {}  # "under"/"over" -> (finite edge, row)
    for j, point in enumerate(points):
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
                raise check.fail((*path, j), f"a second {side}flow bin (an infinite edge)")
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
            raise check.fail((*path, j), f"bin [{low}, {high}] overlaps the bin before it")
        if low > edges[-1]:  # a gap: a bin of missing values
            edges.append(low)
            order.append(None)
        edges.append(high)
        order.append(j)
    if "under" in flows:
        high, j = flows["under"]
        if high > edges[0]:
            raise check.fail((*path, j), "the underflow bin overlaps the first bin")
        if high < edges[0]:
            edges.insert(0, high)
            order.insert(0, None)
        order.insert(0, j)
    if "over" in flows:
        low, j = flows["over"]
        if low < edges[-1]:
            raise check.fail((*path, j), "the overflow bin overlaps the last bin")
        if low > edges[-1]:
            edges.append(low)
            order.append(None)
        order.append(j)
    return edges, "under" in flows, "over" in flows, order


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
