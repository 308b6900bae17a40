"""Semantic checks the schema cannot express: lengths, ordering, references, finiteness."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
from msgspec import Struct, UnsetType

from histfmt.errors import Issue, LimitError, format_path
from histfmt.limits import Limits, resolve
from histfmt.model import Asymmetric, Axis, Book, Document, Graph, Yield

__all__ = ["book_issues", "non_finite_issues", "semantic_issues", "text_issues"]

Path = tuple[str | int, ...]


def semantic_issues(
    doc: Document, *, check_scalars: bool = True, prefix: Path = (), limits: Limits | None = None
) -> list[Issue]:
    """Every semantic problem of a structurally valid document.

    ``check_scalars=False`` skips the finiteness walk over single numbers, which
    strict JSON input cannot violate (it has no NaN or Infinity). ``prefix`` is the
    document's own path (a plot of a book). A document beyond ``limits`` (default:
    :func:`histfmt.limits.default_limits`) raises :class:`~histfmt.errors.LimitError`.
    """
    limits = resolve(limits)
    _check_limits(doc, prefix, limits)
    text = _unwritable_text(doc, prefix, limits)  # first: it refuses what is too deep
    problems = [((*prefix, *path), message) for path, message in _check_document(doc)] + text
    if check_scalars:
        problems += _non_finite_scalars(doc, prefix)
    return [Issue(format_path(path), message) for path, message in problems]


def _check_limits(doc: Document, prefix: Path, limits: Limits) -> None:
    """Refuse a document of more yields or bins than ``limits`` allow, before any check
    looks at its arrays."""

    def refuse(where: Path, message: str, limit: str) -> LimitError:
        return LimitError.at(
            (*prefix, *where), f"{message} ({limits.describe(limit)})", limit=limit
        )

    if len(doc.yields) > limits.yields:
        raise refuse(("yields",), f"{len(doc.yields):,} yields", "yields")
    cells = 1
    for key in ("x", "y"):
        axis = getattr(doc, key)
        if not isinstance(axis, Axis):
            continue
        if axis.n_bins > limits.bins_per_axis:
            raise refuse((key,), f"an axis of {axis.n_bins:,} bins", "bins_per_axis")
        cells *= axis.n_values
    if cells > limits.bins:
        raise refuse(("x",), f"{cells:,} bins in all, flow bins included", "bins")


def book_issues(
    book: Book, *, check_scalars: bool = True, limits: Limits | None = None
) -> list[Issue]:
    """Every semantic problem of a book's plots, each path starting at its plot
    (``plots["jets/pt"].yields.data.values``)."""
    limits = resolve(limits)
    problems = []
    if tuple(int(part) for part in book.histfmt.split(".")) < (1, 1):
        problems.append(Issue("histfmt", "books need format 1.1 or later"))
    for name, plot in book.plots.items():
        problems += semantic_issues(
            plot, check_scalars=check_scalars, prefix=("plots", name), limits=limits
        )
    problems += [
        Issue(format_path(where), message)
        for where, message in _unwritable_text(book.metadata, ("metadata",), limits)
    ]
    if check_scalars:
        problems += non_finite_issues(book.metadata, ("metadata",))
    return problems


def text_issues(doc: Any, *, limits: Limits | None = None) -> list[Issue]:
    """Text that UTF-8 cannot hold (lone surrogates), in values and keys, with its path;
    text longer or nested deeper than ``limits`` allow raises :class:`LimitError`."""
    problems = _unwritable_text(doc, (), resolve(limits))
    return [Issue(format_path(where), message) for where, message in problems]


def non_finite_issues(doc: Any, path: Path = ()) -> list[Issue]:
    """Single numbers (limits, positions, sizes) that are NaN or infinite."""
    return [Issue(format_path(where), message) for where, message in _non_finite_scalars(doc, path)]


def _numeric(value: Any, ndim: int = 1) -> Any:
    """``value`` as an ``ndim``-dimensional numeric array, or None when it is not one."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if array.ndim != ndim or (array.dtype.kind not in "fiu" and array.size):
        return None
    return array.astype(np.float64, copy=False)


NOT_NUMERIC = "expected a 1-D array of numbers"
NOT_NUMERIC_2D = "expected a 2-D array of numbers (one row of y bins per x bin)"


def _check_document(doc: Document) -> Iterator[tuple[Path, str]]:
    yield from _check_axis(doc.x, "x", binned=bool(doc.yields))
    if _set(doc.y):
        yield from _check_axis(doc.y, "y", binned=True)  # type: ignore[arg-type]
    axes = [doc.x] if isinstance(doc.y, UnsetType) else [doc.x, doc.y]
    if all(axis.binned for axis in axes):  # else: reported above, no shape to check
        for name, item in doc.yields.items():
            yield from _check_yield(item, ("yields", name), doc.shape)
    yield from _check_kinds_in_drawing(doc)
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
    yield from _check_two_d_drawing(doc)
    for key in ("x", "y", "y_axis", "ratio_axis", "z_axis"):
        axis = getattr(doc, key)
        if not _set(axis):
            continue
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


_SURROGATE = re.compile("[\ud800-\udfff]")


def _unwritable_text(value: Any, path: Path, limits: Limits) -> list[tuple[Path, str]]:
    """Text UTF-8 cannot hold (a lone surrogate such as ``\\ud800``), in values and keys;
    a string longer than ``limits.string_length`` or a value nested deeper than
    ``limits.depth`` raises :class:`LimitError` (this walk never recurses past it)."""
    found: list[tuple[Path, str]] = []
    if isinstance(value, str):
        _check_text(value, path, limits, found)
    elif isinstance(value, _CONTAINERS):
        _walk_text(value, path, limits, found)
    return found


_CONTAINERS = (Struct, dict, list, tuple)


def _check_text(text: str, path: Path, limits: Limits, found: list[tuple[Path, str]]) -> None:
    if len(text) > limits.string_length:
        raise LimitError.at(
            path,
            f"a string of {len(text):,} characters ({limits.describe('string_length')})",
            limit="string_length",
        )
    if not text.isascii():
        match = _SURROGATE.search(text)
        if match:
            code = f"U+{ord(match.group()):04X}"
            found.append((path, f"text holds a lone surrogate ({code}), which UTF-8 cannot hold"))


def _walk_text(value: Any, path: Path, limits: Limits, found: list[tuple[Path, str]]) -> None:
    """:func:`_unwritable_text` of a container: strings and leaves are looked at in
    place (most fields of a document are unset, numbers or arrays), only containers
    recurse."""
    if len(path) >= limits.depth:
        raise LimitError.at(
            path,
            f"nested deeper than {limits.depth:,} levels ({limits.describe('depth')})",
            limit="depth",
        )
    items: Any
    if isinstance(value, Struct):
        items = ((wire, getattr(value, key)) for key, wire in _wire_names(type(value)))
    elif isinstance(value, dict):
        items = value.items()
    else:
        items = enumerate(value)
    is_dict = isinstance(value, dict)
    for key, item in items:
        if is_dict and isinstance(key, str):
            _check_text(key, (*path, key), limits, found)
        if isinstance(item, str):
            _check_text(item, (*path, key), limits, found)
        elif isinstance(item, _CONTAINERS):
            _walk_text(item, (*path, key), limits, found)


@functools.cache
def _wire_names(kind: type[Struct]) -> tuple[tuple[str, str], ...]:
    """(attribute, JSON key) pairs of a struct type."""
    return tuple(zip(kind.__struct_fields__, kind.__struct_encode_fields__, strict=True))


def _set(value: Any) -> bool:
    return not isinstance(value, UnsetType)


def _check_axis(axis: Axis, key: str, *, binned: bool) -> Iterator[tuple[Path, str]]:
    """The rules of one axis; ``binned``: it must have edges or categories (it has
    neither only in a document made of graphs)."""
    has_edges, has_categories = _set(axis.edges), _set(axis.categories)
    if has_edges and has_categories:
        yield (key,), "give exactly one of 'edges' (numeric axis) or 'categories'"
        return
    if not (has_edges or has_categories):
        if binned:
            yield (key,), "give exactly one of 'edges' (numeric axis) or 'categories'"
        elif axis.kind == "category" or axis.underflow or axis.overflow:
            yield (key,), "an axis without edges or categories has no bins or flow bins"
        return
    if has_categories:
        if _set(axis.labels):
            yield (key, "labels"), "a categorical axis is labelled by its categories"
        categories = list(axis.categories)  # type: ignore[arg-type]
        if axis.kind != "category":
            yield (key, "kind"), f"an axis with categories has kind 'category', not {axis.kind!r}"
        if not categories:
            yield (key, "categories"), "expected at least one category"
        if len({type(c) for c in categories}) > 1:
            yield (key, "categories"), "categories must be all strings or all integers"
        elif len(set(categories)) != len(categories):
            seen: set[Any] = set()
            duplicates = [c for c in categories if c in seen or seen.add(c)]  # type: ignore[func-returns-value]
            yield (key, "categories"), f"duplicate categories: {duplicates[:5]}"
        if axis.underflow:
            yield (key, "underflow"), "a categorical axis has no underflow bin"
        return
    edges = _numeric(axis.edges)
    if edges is None:
        yield (key, "edges"), NOT_NUMERIC
        return
    if axis.kind == "category":
        yield (key, "kind"), "kind 'category' needs 'categories', not 'edges'"
    if _set(axis.labels) and len(axis.labels) != max(edges.size - 1, 0):  # type: ignore[arg-type]
        yield (
            (key, "labels"),
            f"expected {_count(max(edges.size - 1, 0))} (one per bin), got {len(axis.labels)}",  # type: ignore[arg-type]
        )
    if edges.size < 2:
        yield (key, "edges"), f"expected at least 2 edges, got {edges.size}"
        return
    if not np.isfinite(edges).all():
        index = int(np.flatnonzero(~np.isfinite(edges))[0])
        yield (key, "edges", index), "edges must be finite numbers"
        return
    widths = np.diff(edges)
    if (widths <= 0).any():
        index = int(np.flatnonzero(widths <= 0)[0]) + 1
        yield (
            (key, "edges", index),
            (f"edges must increase strictly: {edges[index - 1]:g} then {edges[index]:g}"),
        )
        return
    if axis.kind == "regular" and not np.allclose(widths, widths[0], rtol=1e-9, atol=0):
        yield (key, "kind"), "kind 'regular' needs equal bin widths"
    if axis.kind == "integer" and not (
        np.array_equal(edges, np.round(edges)) and np.all(widths == 1)
    ):
        yield (key, "kind"), "kind 'integer' needs integer edges one apart"


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
    for block, keys in (
        ("profile", ("entries", "sum_of_weights", "sum_of_weights_squared", "variance")),
        ("efficiency", ("passed", "total")),
    ):
        found = getattr(item, block)
        if _set(found):
            for key in keys:
                value = getattr(found, key)
                if _set(value):
                    yield (block, key), value


NON_NEGATIVE = {"stat", "syst", "variances", "entries", "sum_of_weights_squared", "variance",
                "passed", "total"}  # fmt: skip


def _shape_problem(array: Any, shape: tuple[int, ...]) -> tuple[Path, str] | None:
    """Why ``array`` (of the right dimension) does not have ``shape``, or None."""
    if array.shape == shape:
        return None
    if len(shape) == 1:
        return (), f"expected {_count(shape[0])}, got {len(array)}"
    if array.shape[0] != shape[0]:
        return (), f"expected {shape[0]} rows (one per x bin), got {array.shape[0]}"
    return (), f"expected rows of {_count(shape[1])} (one per y bin), got {array.shape[1]}"


def _ragged_row(value: Any, here: Path, shape: tuple[int, ...]) -> tuple[Path, str] | None:
    """The first row of a 2-D array whose length is not the y bin count, if any."""
    if len(shape) != 2 or not isinstance(value, list):
        return None
    for index, row in enumerate(value):
        if not isinstance(row, list):
            return (*here, index), "expected a row (an array of one value per y bin)"
        if len(row) != shape[1]:
            return (
                (*here, index),
                f"expected a row of {_count(shape[1])} (one per y bin), got {len(row)}",
            )
    return None


def _first(mask: Any) -> tuple[int, ...]:
    """The index path of the first true element of ``mask`` (1-D or 2-D)."""
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _check_yield(item: Yield, path: Path, shape: tuple[int, ...]) -> Iterator[tuple[Path, str]]:
    if _set(item.stat) and _set(item.variances):
        yield path, "give 'stat' or 'variances', not both"
    for source, variation in item.variations.items():
        if not _set(variation.up) and not _set(variation.down):
            yield (*path, "variations", source), "a variation needs 'up' or 'down'"
    yield from _check_kind(item, path)
    ndim = len(shape)
    for sub, value in _arrays(item):
        here = (*path, *sub)
        array = _numeric(value, ndim)
        if array is None:
            yield _ragged_row(value, here, shape) or (
                here,
                NOT_NUMERIC if ndim == 1 else NOT_NUMERIC_2D,
            )
            continue
        problem = _shape_problem(array, shape)
        if problem:
            yield (*here, *problem[0]), problem[1]
            continue
        infinite = np.isinf(array)
        if infinite.any():
            yield (*here, *_first(infinite)), "values must be finite (null marks a missing value)"
        elif sub[-1] in NON_NEGATIVE or sub[0] in NON_NEGATIVE:
            negative = array < 0
            if negative.any():
                where = _first(negative)
                noun = "uncertainties" if sub[0] in ("stat", "syst", "variances") else sub[-1]
                yield (*here, *where), f"{noun} must be >= 0, got {array[where]:g}"
    values = _numeric(item.values, ndim)
    if values is None or values.shape != shape:
        return
    if _set(item.efficiency):
        yield from _check_efficiency(item, path, values, shape)
    if item.storage == "int":
        finite = values[np.isfinite(values)]
        if not np.array_equal(finite, np.round(finite)):
            yield (*path, "values"), "storage 'int' needs integer values"
    if item.storage == "double" and _set(item.variances):
        variances = _numeric(item.variances, ndim)
        if (
            variances is not None
            and variances.shape == shape
            and not np.array_equal(variances, values, equal_nan=True)
        ):
            yield (
                (*path, "variances"),
                (
                    "storage 'double' carries variances equal to the values; "
                    "use storage 'weight' for other variances"
                ),
            )


STORAGE_KIND = {"int": "count", "double": "count", "weight": "count", "mean": "mean",
                "weighted_mean": "mean"}  # fmt: skip


def _check_kind(item: Yield, path: Path) -> Iterator[tuple[Path, str]]:
    """The extra blocks and the storage agree with the yield's kind."""
    for block, kind in (("profile", "mean"), ("efficiency", "efficiency")):
        if _set(getattr(item, block)) and item.kind != kind:
            yield (
                (*path, block),
                f"'{block}' belongs to a yield of kind '{kind}', not {item.kind!r}",
            )
    if _set(item.storage) and STORAGE_KIND[item.storage] != item.kind:  # type: ignore[index]
        yield (
            (*path, "storage"),
            f"storage {item.storage!r} holds yields of kind {STORAGE_KIND[item.storage]!r}, "  # type: ignore[index]
            f"not {item.kind!r}",
        )


def _check_efficiency(
    item: Yield, path: Path, values: Any, shape: tuple[int, ...]
) -> Iterator[tuple[Path, str]]:
    """passed <= total, and the values are passed / total where total > 0."""
    block = item.efficiency
    passed = _numeric(block.passed, len(shape))  # type: ignore[union-attr]
    total = _numeric(block.total, len(shape))  # type: ignore[union-attr]
    if passed is None or total is None or passed.shape != shape or total.shape != shape:
        return
    with np.errstate(invalid="ignore"):
        above = passed > total
    if above.any():
        where = _first(above)
        yield (
            (*path, "efficiency", "passed", *where),
            f"passed ({passed[where]:g}) exceeds total ({total[where]:g})",
        )
        return
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(total > 0, passed / np.where(total > 0, total, 1), np.nan)
        wrong = np.isfinite(expected) & ~np.isclose(values, expected, rtol=1e-9, atol=1e-12)
    if wrong.any():
        where = _first(wrong)
        yield (
            (*path, "values", *where),
            f"an efficiency is passed / total = {expected[where]:.6g}, got {values[where]:.6g}",
        )


def _check_kinds_in_drawing(doc: Document) -> Iterator[tuple[Path, str]]:
    """Means and efficiencies are not summed: a stack layer holding one holds it alone,
    and a filled or step stack holding one has no other layer to sit on."""
    for i, stack in enumerate(doc.stacks):
        for j, layer in enumerate(stack.content):
            uncounted = {_kind(doc, ref) for ref in layer.yields} - {"count", ""}
            if uncounted and len(layer.yields) > 1:
                yield (
                    ("stacks", i, "content", j, "yields"),
                    f"yields of kind {sorted(uncounted)[0]!r} cannot be summed; give one per layer",
                )
            elif uncounted and stack.type in ("filled", "step") and len(stack.content) > 1:
                yield (
                    ("stacks", i, "content", j),
                    f"a yield of kind {sorted(uncounted)[0]!r} cannot be stacked on others; "
                    "draw it in a stack of its own or as points",
                )


def _kind(doc: Document, ref: str) -> str:
    """The kind of the referenced yield ('' for an unknown one, reported elsewhere)."""
    found = doc.yields.get(ref.split("/", maxsplit=1)[0])
    return "" if found is None else found.kind


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


def _check_two_d_drawing(doc: Document) -> Iterator[tuple[Path, str]]:
    """Maps belong to 2-D documents, one yield each; a projection needs a second axis."""
    two_d = _set(doc.y)
    for i, stack in enumerate(doc.stacks):
        if stack.type == "map" and not two_d:
            yield ("stacks", i, "type"), "a map needs a 2-D document (a 'y' axis)"
        elif stack.type == "map" and len(stack.content) != 1:
            yield ("stacks", i, "content"), "a map shows one layer"
    project = doc.view.project
    if not _set(project):
        return
    if not two_d:
        yield ("view", "project"), "a projection needs a 2-D document (a 'y' axis)"
        return
    other = doc.y if project.onto == "x" else doc.x  # type: ignore[union-attr]
    bins = project.bins  # type: ignore[union-attr]
    if _set(bins) and not bins[0] < bins[1] <= other.n_bins:  # type: ignore[index, union-attr]
        yield (
            ("view", "project", "bins"),
            f"expected 0 <= start < stop <= {other.n_bins} (the bins of the other axis), "  # type: ignore[union-attr]
            f"got {list(bins)}",  # type: ignore[arg-type]
        )


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
    errors: list[tuple[Path, Any]] = [
        (("x_errors",), graph.x_errors),
        (("y_errors",), graph.y_errors),
    ]
    errors += [(("y_sources", name), value) for name, value in graph.y_sources.items()]
    for sub, value in errors:
        if isinstance(value, Asymmetric):
            fields += [((*sub, "up"), value.up), ((*sub, "down"), value.down)]
        elif _set(value):
            fields.append((sub, value))
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
