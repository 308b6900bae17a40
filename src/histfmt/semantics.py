"""Semantic checks the schema cannot express: lengths, ordering, references, finiteness."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
from msgspec import Struct, UnsetType

from histfmt.errors import Issue, format_path
from histfmt.model import Asymmetric, Axis, Document, Graph, Yield

__all__ = ["semantic_issues"]

Path = tuple[str | int, ...]


def semantic_issues(doc: Document) -> list[Issue]:
    """Every semantic problem of a structurally valid document."""
    return [Issue(format_path(path), message) for path, message in _check_document(doc)]


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
    yield from _non_finite_scalars(doc, ())


def _non_finite_scalars(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    """Single numbers outside the arrays (limits, positions, sizes) must be finite."""
    if isinstance(value, float):
        if not math.isfinite(value):
            yield path, f"expected a finite number, got {value}"
    elif isinstance(value, Struct):
        for key in value.__struct_fields__:
            yield from _non_finite_scalars(getattr(value, key), (*path, _wire_name(value, key)))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite_scalars(item, (*path, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _non_finite_scalars(item, (*path, index))


def _wire_name(struct: Struct, key: str) -> str:
    names = dict(zip(struct.__struct_fields__, struct.__struct_encode_fields__, strict=True))
    return names[key]


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
    edges = np.asarray(axis.edges)
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
    for sub, array in _arrays(item):
        here = (*path, *sub)
        if len(array) != n_values:
            yield here, f"expected {_count(n_values)}, got {len(array)}"
            continue
        infinite = np.flatnonzero(np.isinf(array))
        if infinite.size:
            yield (*here, int(infinite[0])), "values must be finite (null marks a missing value)"
        elif sub[0] in ("stat", "syst", "variances") and (array < 0).any():
            index = int(np.flatnonzero(array < 0)[0])
            yield (*here, index), f"uncertainties must be >= 0, got {array[index]:g}"
    values = np.asarray(item.values)
    if len(values) != n_values:
        return
    if item.storage == "int":
        finite = values[np.isfinite(values)]
        if not np.array_equal(finite, np.round(finite)):
            yield (*path, "values"), "storage 'int' needs integer values"
    if item.storage == "double" and _set(item.variances):
        variances = np.asarray(item.variances)
        if len(variances) == n_values and not np.array_equal(variances, values, equal_nan=True):
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
    rebin, edges = np.asarray(rebin), np.asarray(doc.x.edges)
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
    n = len(graph.x)
    arrays: list[tuple[Path, Any]] = [(("y",), graph.y)]
    for key in ("x_errors", "y_errors"):
        value = getattr(graph, key)
        if isinstance(value, Asymmetric):
            arrays += [((key, "up"), value.up), ((key, "down"), value.down)]
        elif _set(value):
            arrays.append(((key,), value))
    for sub, array in arrays:
        if len(array) != n:
            yield (*path, *sub), f"expected {n} values (as many as x), got {len(array)}"
    for sub, array in [(("x",), graph.x), *arrays]:
        if np.isinf(np.asarray(array)).any():
            yield (*path, *sub), "values must be finite"
        elif sub[0] != "y" and (np.asarray(array) < 0).any():
            yield (*path, *sub), "errors must be >= 0"


def _count(n: int) -> str:
    return f"{n} value" if n == 1 else f"{n} values"
