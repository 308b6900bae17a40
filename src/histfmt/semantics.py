"""Semantic checks the schema cannot express: lengths, ordering, references, finiteness."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
from msgspec import Struct, UnsetType

from histfmt.errors import Issue, format_path
from histfmt.model import Asymmetric, Axis, Document, Graph, Yield

__all__ = ["non_finite_issues", "semantic_issues"]

Path = tuple[str | int, ...]


def semantic_issues(doc: Document, *, check_scalars: bool = True) -> list[Issue]:
    """Every semantic problem of a structurally valid document.

    ``check_scalars=False`` skips the finiteness walk over single numbers, which
    strict JSON input cannot violate (it has no NaN or Infinity).
    """
    problems = list(_check_document(doc))
    if check_scalars:
        problems += _non_finite_scalars(doc, ())
    return [Issue(format_path(path), message) for path, message in problems]


def non_finite_issues(doc: Document) -> list[Issue]:
    """Single numbers (limits, positions, sizes) that are NaN or infinite."""
    return [Issue(format_path(path), message) for path, message in _non_finite_scalars(doc, ())]


def _numeric(value: Any) -> Any:
    """``value`` as a 1-D numeric array, or None when it is not one."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if array.ndim != 1 or (array.dtype.kind not in "fiu" and array.size):
        return None
    return array.astype(np.float64, copy=False)


NOT_NUMERIC = "expected a 1-D array of numbers"


def _check_document(doc: Document) -> Iterator[tuple[Path, str]]:
    yield from _check_axis(doc.x)
    n_values = doc.x.n_values
    for name, item in doc.yields.items():
        yield from _check_yield(item, ("yields", name), n_values)
    references = [
        (("stacks", i, "content", j, "yields", k), ref)
        for i, stack in enumerate(doc.stacks)
        for j, layer in enumerate(stack.content)
        for k, ref in enumerate(layer.yields)
    ] + [
        (("ratio", i, side, k), ref)
        for i, entry in enumerate(doc.ratio)
        for side in ("numerator", "denominator")
        for k, ref in enumerate(getattr(entry, side))
    ]
    for path, ref in references:
        problem = _resolve_problem(doc, ref)
        if problem:
            yield path, problem
    yield from _check_view(doc)
    for key in ("x", "y_axis", "ratio_axis"):
        axis = getattr(doc, key)
        if _set(axis.min) and _set(axis.max) and not axis.min < axis.max:
            yield (key,), f"min ({axis.min:g}) must be below max ({axis.max:g})"
    for i, graph in enumerate(doc.graphs):
        yield from _check_graph(graph, ("graphs", i))


def _non_finite_scalars(value: Any, path: Path) -> list[tuple[Path, str]]:
    """Single numbers outside the arrays (limits, positions, sizes) must be finite."""
    found: list[tuple[Path, str]] = []
    if isinstance(value, float):
        if not math.isfinite(value):
            found.append((path, f"expected a finite number, got {value}"))
    elif isinstance(value, Struct):
        for key, wire in _wire_names(type(value)):
            found += _non_finite_scalars(getattr(value, key), (*path, wire))
    elif isinstance(value, dict):
        for key, item in value.items():
            found += _non_finite_scalars(item, (*path, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += _non_finite_scalars(item, (*path, index))
    return found


@functools.cache
def _wire_names(kind: type[Struct]) -> tuple[tuple[str, str], ...]:
    """(attribute, JSON key) pairs of a struct type."""
    return tuple(zip(kind.__struct_fields__, kind.__struct_encode_fields__, strict=True))


def _set(value: Any) -> bool:
    return not isinstance(value, UnsetType)


def _check_axis(axis: Axis) -> Iterator[tuple[Path, str]]:
    has_edges, has_categories = _set(axis.edges), _set(axis.categories)
    if has_edges == has_categories:
        yield ("x",), "give exactly one of 'edges' (numeric axis) or 'categories'"
        return
    if has_categories:
        categories = list(axis.categories)  # type: ignore[arg-type]
        if axis.kind != "category":
            yield ("x", "kind"), f"an axis with categories has kind 'category', not {axis.kind!r}"
        if not categories:
            yield ("x", "categories"), "expected at least one category"
        if len({type(c) for c in categories}) > 1:
            yield ("x", "categories"), "categories must be all strings or all integers"
        elif len(set(categories)) != len(categories):
            seen: set[Any] = set()
            duplicates = [c for c in categories if c in seen or seen.add(c)]  # type: ignore[func-returns-value]
            yield ("x", "categories"), f"duplicate categories: {duplicates[:5]}"
        if axis.underflow:
            yield ("x", "underflow"), "a categorical axis has no underflow bin"
        return
    edges = _numeric(axis.edges)
    if edges is None:
        yield ("x", "edges"), NOT_NUMERIC
        return
    if axis.kind == "category":
        yield ("x", "kind"), "kind 'category' needs 'categories', not 'edges'"
    if edges.size < 2:
        yield ("x", "edges"), f"expected at least 2 edges, got {edges.size}"
        return
    if not np.isfinite(edges).all():
        index = int(np.flatnonzero(~np.isfinite(edges))[0])
        yield ("x", "edges", index), "edges must be finite numbers"
        return
    widths = np.diff(edges)
    if (widths <= 0).any():
        index = int(np.flatnonzero(widths <= 0)[0]) + 1
        yield (
            ("x", "edges", index),
            (f"edges must increase strictly: {edges[index - 1]:g} then {edges[index]:g}"),
        )
        return
    if axis.kind == "regular" and not np.allclose(widths, widths[0], rtol=1e-9, atol=0):
        yield ("x", "kind"), "kind 'regular' needs equal bin widths"
    if axis.kind == "integer" and not (
        np.array_equal(edges, np.round(edges)) and np.all(widths == 1)
    ):
        yield ("x", "kind"), "kind 'integer' needs integer edges one apart"


def _arrays(item: Yield) -> Iterator[tuple[Path, Any]]:
    """Every per-bin array of a yield with its path relative to the yield."""
    yield ("values",), item.values
    for key in ("stat", "syst"):
        value = getattr(item, key)
        if isinstance(value, Asymmetric):
            yield (key, "up"), value.up
            yield (key, "down"), value.down
        elif _set(value):
            yield (key,), value
    if _set(item.variances):
        yield ("variances",), item.variances
    for source, variation in item.variations.items():
        for side in ("up", "down"):
            value = getattr(variation, side)
            if _set(value):
                yield ("variations", source, side), value


def _check_yield(item: Yield, path: Path, n_values: int) -> Iterator[tuple[Path, str]]:
    if _set(item.stat) and _set(item.variances):
        yield path, "give 'stat' or 'variances', not both"
    for source, variation in item.variations.items():
        if not _set(variation.up) and not _set(variation.down):
            yield (*path, "variations", source), "a variation needs 'up' or 'down'"
    for sub, value in _arrays(item):
        here = (*path, *sub)
        array = _numeric(value)
        if array is None:
            yield here, NOT_NUMERIC
            continue
        if len(array) != n_values:
            yield here, f"expected {_count(n_values)}, got {len(array)}"
            continue
        infinite = np.flatnonzero(np.isinf(array))
        if infinite.size:
            yield (*here, int(infinite[0])), "values must be finite (null marks a missing value)"
        elif sub[0] in ("stat", "syst", "variances") and (array < 0).any():
            index = int(np.flatnonzero(array < 0)[0])
            yield (*here, index), f"uncertainties must be >= 0, got {array[index]:g}"
    values = _numeric(item.values)
    if values is None or len(values) != n_values:
        return
    if item.storage == "int":
        finite = values[np.isfinite(values)]
        if not np.array_equal(finite, np.round(finite)):
            yield (*path, "values"), "storage 'int' needs integer values"
    if item.storage == "double" and _set(item.variances):
        variances = _numeric(item.variances)
        if (
            variances is not None
            and len(variances) == n_values
            and not np.array_equal(variances, values, equal_nan=True)
        ):
            yield (
                (*path, "variances"),
                (
                    "storage 'double' carries variances equal to the values; "
                    "use storage 'weight' for other variances"
                ),
            )


def _resolve_problem(doc: Document, ref: str) -> str | None:
    """Why ``ref`` (``name`` or ``name/variation/up|down``) does not resolve, or None."""
    parts = ref.split("/")
    if parts[0] not in doc.yields:
        return f"unknown yield {parts[0]!r}"
    if len(parts) == 1:
        return None
    if len(parts) != 3 or parts[2] not in ("up", "down"):
        return f"bad reference {ref!r}: expected 'name' or 'name/variation/up|down'"
    if parts[1] not in doc.yields[parts[0]].variations:
        return f"yield {parts[0]!r} has no variation {parts[1]!r}"
    return None


def _check_view(doc: Document) -> Iterator[tuple[Path, str]]:
    rebin = doc.view.rebin
    if not _set(rebin):
        return
    if not _set(doc.x.edges):
        yield ("view", "rebin"), "rebinning needs a numeric axis"
        return
    rebin, edges = _numeric(rebin), _numeric(doc.x.edges)
    if rebin is None:
        yield ("view", "rebin"), NOT_NUMERIC
        return
    if edges is None:
        return
    if rebin.size < 2 or (np.diff(rebin) <= 0).any():
        yield ("view", "rebin"), "expected at least 2 strictly increasing edges"
        return
    if edges.size < 2:
        return
    tolerance = 1e-9 * float(np.min(np.diff(edges)))
    right = np.clip(np.searchsorted(edges, rebin), 0, edges.size - 1)
    left = np.clip(right - 1, 0, edges.size - 1)
    nearest = np.minimum(np.abs(edges[right] - rebin), np.abs(edges[left] - rebin))
    missing = np.flatnonzero(nearest > tolerance)
    if missing.size:
        index = int(missing[0])
        yield ("view", "rebin", index), f"{rebin[index]:g} is not one of the x edges"


def _check_graph(graph: Graph, path: Path) -> Iterator[tuple[Path, str]]:
    fields: list[tuple[Path, Any]] = [(("x",), graph.x), (("y",), graph.y)]
    for key in ("x_errors", "y_errors"):
        value = getattr(graph, key)
        if isinstance(value, Asymmetric):
            fields += [((key, "up"), value.up), ((key, "down"), value.down)]
        elif _set(value):
            fields.append(((key,), value))
    n = len(graph.x)
    for sub, value in fields:
        array = _numeric(value)
        if array is None:
            yield (*path, *sub), NOT_NUMERIC
        elif len(array) != n:
            yield (*path, *sub), f"expected {n} values (as many as x), got {len(array)}"
        elif np.isinf(array).any():
            yield (*path, *sub), "values must be finite"
        elif sub[0] not in ("x", "y") and (array < 0).any():
            yield (*path, *sub), "errors must be >= 0"


def _count(n: int) -> str:
    return f"{n} value" if n == 1 else f"{n} values"
