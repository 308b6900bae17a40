"""YODA files as histfmt books and documents, and back: the converter of kind ``yoda``.

Reading (:func:`read_book`): one plot per object, keyed by its YODA path without the
leading ``/`` (an object at ``/`` itself takes the file's stem); every plot validates.

==========================  =========================================================
YODA object                 plot
==========================  =========================================================
``Histo1D``                 a count yield: ``values`` = sumw, ``variances`` = sumw2,
                            ``storage: weight``, both flow bins
``Histo2D``                 a 2-D count yield likewise, drawn as a ``map`` stack
``Profile1D``               ``kind: mean``: sumwy / sumw, ``stat`` = YODA's standard
                            error of the mean, ``profile`` (entries = numEntries,
                            sum_of_weights, sum_of_weights_squared, variance)
``Estimate1D``/``2D``,      a yield of the estimates; the error source ``stat`` is
``BinnedEstimate<...>``     ``stat``, every other source a variation (value + err)
``Scatter2D``               a document of one graph (asymmetric x and y errors)
``Scatter1D``               values without x: one category per point (``1``, ``2``...
                            on an x axis labelled ``point``), the values a yield with
                            the point's errors as the variation ``total``; ``XLabel``
                            (the values' label) is the y axis label
``Counter``, ``Estimate0D`` held in the book's ``metadata.extra["counters"]`` and
                            ``["estimates"]`` (written back by :func:`write_book`)
others (``Scatter3D``,      skipped, each with its reason in
``Profile2D``...)           ``metadata.extra["skipped"]`` (path -> reason)
==========================  =========================================================

A discrete axis becomes categories, YODA's "other" bin the overflow bin.  Rivet
reference data (a ``/REF/`` path or ``IsRef: 1``) is drawn as data points, simulation
as a step line.  Annotations: ``Title`` is ``metadata.title``, ``XLabel``/``YLabel``/
``ZLabel`` the axis labels (LaTeX as given), every other one ``metadata.extra``.  What
histfmt has no key for (the moments ``sumwx``... and ``numEntries``, the original path,
error labels) is kept in the ``yoda`` corner of ``writer_info``, so that a file read
and written again is the same.

Writing (:func:`write`, :func:`write_book`, YODA 2 text; gzip for ``.gz``): a 1-D count
yield with ``variances`` (or ``storage: int``) becomes a ``Histo1D``, else an
``Estimate1D`` (``stat`` as source ``stat``, ``syst`` as ``syst``, each variation as
a source of its name); 2-D likewise ``Histo2D`` / ``Estimate2D``; ``kind: mean`` a
``Profile1D`` when its ``profile`` block gives the weights and the spread (else an
estimate); an efficiency an estimate; every graph a ``Scatter2D``; a plot read from
a ``Scatter1D`` that still has that shape a ``Scatter1D`` again.  A plot of one
object is written at its path (``/`` + its key), several at ``path/name``.  Moments
that ``writer_info`` does not hold are taken at the bin centres.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from msgspec import UNSET, UnsetType

from histfmt.convert.interface import Source, only_plot, source_name, stem_of
from histfmt.errors import HistfmtError, ValidationError
from histfmt.io import validate
from histfmt.model import (
    FORMAT_VERSION,
    Asymmetric,
    Axis,
    Book,
    Document,
    Graph,
    Metadata,
    Profile,
    Stack,
    StackItem,
    Variation,
    Yield,
)

from . import objects as yo
from .reading import read_contents
from .writing import write_path

__all__ = ["CORNER", "read", "read_book", "sniff", "to_book", "to_objects", "write", "write_book"]

CORNER = "yoda"
"""The ``writer_info`` corner of this converter."""

_BEGIN = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*#*[ \t]*BEGIN YODA")
_SUFFIXES = (".yoda", ".yoda.gz")
_LABELS = {"XLabel", "YLabel", "ZLabel", "Title"}
_POINT = "point"  # the x label of a Scatter1D's plot: one category per point
_TOTAL = "total"  # the variation holding a Scatter1D point's errors
_MOMENTS_1D = ("sumwx", "sumwx2", "numentries")
_MOMENTS_2D = ("sumwx", "sumwx2", "sumwy", "sumwy2", "sumwxy", "numentries")
_MOMENTS_PROFILE = ("sumwx", "sumwx2", "sumwy", "sumwy2", "sumwxy")


def sniff(head: bytes, name: str) -> bool:
    """YODA text (``BEGIN YODA...`` first, after blank or comment lines), or the
    suffix ``.yoda`` / ``.yoda.gz``."""
    return bool(_BEGIN.match(head)) or name.lower().endswith(_SUFFIXES)


# -- reading -----------------------------------------------------------------------


def read(source: Source, /, *, name: str | None = None) -> Document:
    """The one plot of a YODA file; a file of several is refused (read it as a book)."""
    filename = source_name(source, name)
    return only_plot(read_book(source, name=name), filename)


def read_book(source: Source, /, *, name: str | None = None) -> Book:
    """Every object of a YODA file (``.yoda``, ``.yoda.gz``; bytes or a path) as a plot."""
    filename = source_name(source, name)
    return to_book(read_contents(source, name=filename), filename)


class _Skip(Exception):
    """An object that becomes no plot, with the reason."""


def to_book(contents: Any, filename: str) -> Book:
    """The objects of :func:`~histfmt.convert.yoda.read_contents` as a validated book."""
    plots: dict[str, Document] = {}
    skipped: dict[str, str] = {}
    counters: dict[str, Any] = {}
    estimates: dict[str, Any] = {}
    for obj in contents.objects:
        key = obj.path.lstrip("/") or stem_of(filename)
        if isinstance(obj, yo.Counter):
            counters[obj.path] = _counter_entry(obj)
            continue
        if isinstance(obj, yo.Estimate) and not obj.axes:
            estimates[obj.path] = _estimate0d_entry(obj)
            continue
        if key in plots:
            skipped[obj.path] = f"another object has the path {obj.path!r}"
            continue
        try:
            doc = validate(_document(obj))
        except _Skip as reason:
            skipped[obj.path] = str(reason)
            continue
        except HistfmtError as error:  # a converter bug must not become an invalid plot
            skipped[obj.path] = f"not a valid plot: {error.message.splitlines()[0]}"
            continue
        plots[key] = doc
    for block in contents.skipped:
        skipped[block.path] = f"YODA type {block.tag} (line {block.line}) is not read"
    extra: dict[str, Any] = {}
    if counters:
        extra["counters"] = counters
    if estimates:
        extra["estimates"] = estimates
    if skipped:
        extra["skipped"] = skipped
    book = Book(histfmt=FORMAT_VERSION, plots=plots, metadata=Metadata(extra=extra))
    return validate(book, filename=filename)


def _plain(array: Any) -> Any:
    """An array as (nested) lists of floats, NaN as ``None`` (JSON has no NaN)."""
    values = np.asarray(array, dtype=np.float64).astype(object)
    values[np.isnan(values.astype(np.float64))] = None
    return values.tolist()


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _counter_entry(obj: yo.Counter) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "sumw": _number(obj.sumw),
        "sumw2": _number(obj.sumw2),
        "numentries": _number(obj.numentries),
    }
    if obj.annotations:
        entry["annotations"] = dict(obj.annotations)
    return entry


def _estimate0d_entry(obj: yo.Estimate) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "value": _number(float(obj.values)),
        "errors": [
            [label, _number(float(obj.err_down[i])), _number(float(obj.err_up[i]))]
            for i, label in enumerate(obj.error_labels)
        ],
    }
    if obj.annotations:
        entry["annotations"] = dict(obj.annotations)
    return entry


def _is_ref(obj: yo.YodaObject) -> bool:
    flag = obj.annotations.get("IsRef", "").strip().lower()
    return obj.path.startswith("/REF/") or flag in ("1", "true", "yes")


def _histfmt_axis(axis: yo.Axis, label: str | None) -> Axis:
    if isinstance(axis, yo.ContinuousAxis):
        return Axis.new(axis.edges, underflow=True, overflow=True, label=label)
    categories: Any = list(axis.values)
    return Axis.new(categories=categories, overflow=True, label=label)


def _to_histfmt(array: Any, axes: tuple[yo.Axis, ...]) -> Any:
    """YODA's bin order to histfmt's: a discrete axis's "other" bin moves to the end."""
    array = np.asarray(array, dtype=np.float64)
    for index, axis in enumerate(axes):
        if isinstance(axis, yo.DiscreteAxis):
            array = np.roll(array, -1, axis=index)
    return array


def _frame(obj: yo.YodaObject, axes: tuple[yo.Axis, ...]) -> Document:
    """An empty document on the object's axes, with its annotations as metadata."""
    notes = obj.annotations
    x = (
        _histfmt_axis(axes[0], notes.get("XLabel"))
        if axes
        else Axis(label=notes.get("XLabel", UNSET))
    )
    doc = Document(histfmt=FORMAT_VERSION, x=x, yields={})
    if len(axes) == 2:
        doc.y = _histfmt_axis(axes[1], notes.get("YLabel"))
        if "ZLabel" in notes:
            doc.z_axis.label = notes["ZLabel"]
    elif "YLabel" in notes:
        doc.y_axis.label = notes["YLabel"]
    doc.metadata = Metadata(
        title=notes.get("Title", UNSET),
        extra={key: notes[key] for key in sorted(notes) if key not in _LABELS},  # as written
    )
    doc.writer_info = {CORNER: {"path": obj.path, "type": obj.type}}
    return doc


def _yield_name(obj: yo.YodaObject, ref: bool) -> str:
    if ref:
        return "data"
    last = obj.path.rstrip("/").rsplit("/", 1)[-1]
    return last[:256] or "mc"


def _draw(doc: Document, name: str, ref: bool, error: Any) -> None:
    label = "Data" if ref else UNSET
    if not isinstance(doc.y, UnsetType):
        doc.stacks.append(Stack(content=[StackItem(yields=[name], label=label)], type="map"))
        return
    kind: Any = "points" if ref else "step"
    item = StackItem(yields=[name], label=label)
    doc.stacks.append(Stack(content=[item], type=kind, error=error))


def _document(obj: yo.YodaObject) -> Document:
    ref = _is_ref(obj)
    if isinstance(obj, yo.Scatter):
        return _scatter(obj, ref)
    if isinstance(obj, yo.Histo1D | yo.Histo2D):
        axes = obj.axes
        columns = _MOMENTS_2D if isinstance(obj, yo.Histo2D) else _MOMENTS_1D
        item = Yield(
            values=_to_histfmt(obj.sumw, axes),
            variances=_to_histfmt(obj.sumw2, axes),
            storage="weight",
        )
        item.writer_info = {
            CORNER: {name: _plain(_to_histfmt(getattr(obj, name), axes)) for name in columns}
        }
        error: Any = "stat"
    elif isinstance(obj, yo.Profile1D):
        axes = obj.axes
        item = _profile(obj)
        error = "stat"
    elif isinstance(obj, yo.Estimate):
        axes = obj.axes
        item = _estimate(obj)
        error = "stat+env"
    else:  # a Counter or an Estimate0D never gets here
        raise _Skip(f"a {obj.type} is not a plot")
    doc = _frame(obj, axes)
    name = _yield_name(obj, ref)
    doc.yields[name] = item
    _draw(doc, name, ref, error)
    return doc


def profile_numbers(sumw: Any, sumw2: Any, sumwy: Any, sumwy2: Any) -> tuple[Any, Any, Any]:
    """YODA's mean, standard error of the mean and (unbiased, weighted) variance of the
    profiled quantity per bin; NaN where YODA finds too few (effective) entries.

    mean = sumwy / sumw; variance = |sumwy2 sumw - sumwy^2| / (sumw^2 - sumw2), defined
    for more than one effective entry (sumw^2 / sumw2 > 1); error = sqrt(variance / neff).
    """
    sumw, sumw2 = np.asarray(sumw, float), np.asarray(sumw2, float)
    sumwy, sumwy2 = np.asarray(sumwy, float), np.asarray(sumwy2, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(sumw != 0, sumwy / sumw, np.nan)
        neff = np.where(sumw2 != 0, sumw**2 / sumw2, 0.0)
        den = sumw**2 - sumw2
        variance = np.where(
            (neff > 1) & (den != 0), np.abs((sumwy2 * sumw - sumwy**2) / den), np.nan
        )
        error = np.where(neff > 1, np.sqrt(variance / neff), np.nan)
    return mean, error, variance


def _profile(obj: yo.Profile1D) -> Yield:
    axes = obj.axes
    mean, error, variance = profile_numbers(obj.sumw, obj.sumw2, obj.sumwy, obj.sumwy2)
    item = Yield(
        values=_to_histfmt(mean, axes),
        kind="mean",
        stat=_to_histfmt(error, axes),
        profile=Profile(
            entries=_to_histfmt(obj.numentries, axes),
            sum_of_weights=_to_histfmt(obj.sumw, axes),
            sum_of_weights_squared=_to_histfmt(obj.sumw2, axes),
            variance=_to_histfmt(variance, axes),
        ),
    )
    item.writer_info = {
        CORNER: {name: _plain(_to_histfmt(getattr(obj, name), axes)) for name in _MOMENTS_PROFILE}
    }
    return item


def _source_names(labels: tuple[str, ...]) -> list[str]:
    """A variation name for every error label: no ``/``, not empty, unique."""
    names: list[str] = []
    for label in labels:
        base = label.replace("/", "_")[:240] or "error"
        name, count = base, 2
        while name in names:
            name, count = f"{base} ({count})", count + 1
        names.append(name)
    return names


def _estimate(obj: yo.Estimate) -> Yield:
    axes = obj.axes
    values = _to_histfmt(obj.values, axes)
    item = Yield(values=values)
    places: list[list[str]] = []
    for index, (label, name) in enumerate(
        zip(obj.error_labels, _source_names(obj.error_labels), strict=True)
    ):
        down = _to_histfmt(obj.err_down[..., index], axes)
        up = _to_histfmt(obj.err_up[..., index], axes)
        with np.errstate(invalid="ignore"):
            conventional = not (np.any(down > 0) or np.any(up < 0))
        if label == "stat" and conventional and isinstance(item.stat, UnsetType):
            symmetric = np.array_equal(-down, up, equal_nan=True)
            item.stat = up if symmetric else Asymmetric(up=up, down=-down)
            places.append([label, "stat"])
            continue
        item.variations[name] = Variation(up=values + up, down=values + down)
        places.append([label, f"variations.{name}"])
    if places:
        item.writer_info = {CORNER: {"sources": places}}
    return item


def _scatter(obj: yo.Scatter, ref: bool) -> Document:
    if obj.dimension == 1:
        return _points(obj, ref)
    if obj.dimension == 3:
        raise _Skip("a Scatter3D is not read: graphs are (x, y) points, with no z")
    for side, errors in (("-", obj.err_minus), ("+", obj.err_plus)):
        negative = np.argwhere(errors < 0)
        if negative.size:
            point, column = (int(i) for i in negative[0])
            axis = "xy"[column]
            raise _Skip(
                f"point {point} has a negative {axis} error ({axis}err{side} = "
                f"{errors[point, column]:g}), which a graph cannot hold"
            )
    graph = Graph(
        x=obj.x,
        y=obj.y,
        x_errors=Asymmetric(up=obj.err_plus[:, 0], down=obj.err_minus[:, 0]),
        y_errors=Asymmetric(up=obj.err_plus[:, 1], down=obj.err_minus[:, 1]),
        type="points",
        label="Data" if ref else UNSET,
    )
    doc = _frame(obj, ())
    doc.graphs.append(graph)
    return doc


def _points(obj: yo.Scatter, ref: bool) -> Document:
    """A Scatter1D: its values on one category per point, the errors as ``total``."""
    doc = _frame(obj, ())
    doc.y_axis.label = doc.x.label
    doc.x = Axis.new(categories=list(range(1, len(obj.x) + 1)), label=_POINT)
    values, down, up = obj.x, obj.err_minus[:, 0], obj.err_plus[:, 0]
    item = Yield(values=values, variations={_TOTAL: Variation(up=values + up, down=values - down)})
    item.writer_info = {CORNER: {"err_minus": _plain(down), "err_plus": _plain(up)}}
    name = _yield_name(obj, ref)
    doc.yields[name] = item
    _draw(doc, name, ref, "stat+env")
    return doc


# -- writing -----------------------------------------------------------------------


def write(doc: Document, path: str | os.PathLike[str], /) -> None:
    """Write ``doc`` as YODA 2 text (gzip for ``.gz``), atomically."""
    target = Path(path)
    validate(doc, filename=str(target))
    default = "/" + (doc.metadata.filename if isinstance(doc.metadata.filename, str) else "")
    base = _original_path(doc, None) or (default if default != "/" else "/" + stem_of(target.name))
    objects = _checked(list(_objects(doc, base, ())), target)
    write_path(objects, target)


def write_book(book: Book, path: str | os.PathLike[str], /) -> None:
    """Write every plot of ``book`` (and its held counters and 0-D estimates) as YODA 2."""
    target = Path(path)
    validate(book, filename=str(target))
    objects = _checked(to_objects(book, filename=str(target)), target)
    write_path(objects, target)


def to_objects(book: Book, /, *, filename: str | None = None) -> list[yo.YodaObject]:
    """The YODA objects of a book: held counters and 0-D estimates, then every plot."""
    found: list[yo.YodaObject] = [*_held(book, filename)]
    for key, doc in book.plots.items():
        base = _original_path(doc, key) or "/" + key
        found.extend(_objects(doc, base, ("plots", key)))
    return found


def _checked(found: list[yo.YodaObject], target: Path) -> list[yo.YodaObject]:
    seen: set[str] = set()
    for obj in found:
        if obj.path in seen:
            raise HistfmtError(
                f"two objects would have the YODA path {obj.path!r}", filename=str(target)
            )
        seen.add(obj.path)
    return found


def _original_path(doc: Document, key: str | None) -> str | None:
    """The path the plot was read from, when it still names this plot."""
    corner = doc.writer_info.get(CORNER, {})
    path = corner.get("path") if isinstance(corner, dict) else None
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    if key is not None and path.lstrip("/") not in (key, ""):
        return None
    return path


def _yoda_path(text: str) -> str:
    return re.sub(r"\s", "_", text)


def _held(book: Book, filename: str | None) -> Iterator[yo.YodaObject]:
    extra = book.metadata.extra
    for key, make in (("counters", _held_counter), ("estimates", _held_estimate)):
        entries = extra.get(key, {})
        if not isinstance(entries, dict):
            raise ValidationError.at(
                ("metadata", "extra", key), "expected an object: path -> entry", filename=filename
            )
        for path, entry in entries.items():
            try:
                yield make(_yoda_path(path), entry)
            except (TypeError, ValueError, KeyError, IndexError) as error:
                message = error.message if isinstance(error, HistfmtError) else str(error)
                raise ValidationError.at(
                    ("metadata", "extra", key, path),
                    f"cannot be written as a YODA object: {message}",
                    filename=filename,
                ) from None


def _float(value: Any) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _annotations(entry: dict[str, Any]) -> dict[str, str]:
    notes = entry.get("annotations", {})
    if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
        raise TypeError("'annotations' must map names to strings")
    return dict(notes)


def _held_counter(path: str, entry: Any) -> yo.YodaObject:
    sumw, sumw2, numentries = (_float(entry[key]) for key in ("sumw", "sumw2", "numentries"))
    return yo.Counter(path, sumw, sumw2, numentries, annotations=_annotations(entry))


def _held_estimate(path: str, entry: Any) -> yo.YodaObject:
    errors = entry.get("errors", [])
    labels = tuple(str(row[0]) for row in errors)
    return yo.Estimate(
        path=path,
        axes=(),
        values=np.array(_float(entry["value"])),
        error_labels=labels,
        err_down=np.array([_float(row[1]) for row in errors]),
        err_up=np.array([_float(row[2]) for row in errors]),
        annotations=_annotations(entry),
    )


def _notes(doc: Document) -> dict[str, str]:
    """The annotations of every object of a plot."""
    notes = {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in doc.metadata.extra.items()
    }
    if isinstance(doc.metadata.title, str):
        notes["Title"] = doc.metadata.title
    xlabel = doc.x.label if isinstance(doc.x.label, str) else doc.x.symbol
    if isinstance(xlabel, str):
        notes["XLabel"] = xlabel
    if isinstance(doc.y, Axis):
        ylabel = doc.y.label if isinstance(doc.y.label, str) else doc.y.symbol
        if isinstance(doc.z_axis.label, str):
            notes["ZLabel"] = doc.z_axis.label
    else:
        ylabel = doc.y_axis.label
    if isinstance(ylabel, str):
        notes["YLabel"] = ylabel
    return notes


def _objects(doc: Document, base: str, where: tuple[str, ...]) -> Iterator[yo.YodaObject]:
    """The YODA objects of one plot: one per yield and per graph."""
    notes = _notes(doc)
    base = _yoda_path(base).rstrip("/") or "/"
    count = len(doc.yields) + len(doc.graphs)
    if count == 0:
        raise ValidationError.at(
            where or ("yields",), "a plot without yields or graphs has no YODA object"
        )
    joined = base if base.endswith("/") else base + "/"
    points = _points_object(doc, base, notes)
    if points is not None:
        yield points
        return
    for name, item in doc.yields.items():
        path = base if count == 1 else joined + _yoda_path(name)
        try:
            yield _yield_object(doc, item, path, dict(notes))
        except HistfmtError as error:
            raise ValidationError.at((*where, "yields", name), error.message) from None
    for index, graph in enumerate(doc.graphs):
        path = base if count == 1 else f"{joined}graph{index}"
        yield _scatter_object(graph, path, dict(notes))


def _points_object(doc: Document, path: str, notes: dict[str, str]) -> yo.YodaObject | None:
    """The Scatter1D a plot was read from, when it still has that shape, else None."""
    corner = doc.writer_info.get(CORNER, {})
    if not isinstance(corner, dict) or corner.get("type") != "Scatter1D" or doc.graphs:
        return None
    if len(doc.yields) != 1 or not isinstance(doc.y, UnsetType):
        return None
    (item,) = doc.yields.values()
    size = len(np.asarray(item.values))
    plain = Yield(values=item.values, variations=item.variations, writer_info=item.writer_info)
    total = item.variations.get(_TOTAL)
    if (
        doc.x.categories != list(range(1, size + 1))
        or doc.x.overflow
        or item != plain
        or set(item.variations) != {_TOTAL}
        or total is None
        or isinstance(total.up, UnsetType)
        or isinstance(total.down, UnsetType)
    ):
        return None
    values = np.asarray(item.values, dtype=np.float64)
    down = np.asarray(total.down, dtype=np.float64)
    up = np.asarray(total.up, dtype=np.float64)
    err_minus, err_plus = _stored(item, "err_minus", (size,)), _stored(item, "err_plus", (size,))
    if (
        err_minus is None
        or err_plus is None
        or not (
            np.array_equal(values - err_minus, down, equal_nan=True)
            and np.array_equal(values + err_plus, up, equal_nan=True)
        )
    ):  # the kept errors are those of the file only while they still give the variation
        err_minus, err_plus = values - down, up - values
    notes.pop("XLabel", None)
    notes.pop("YLabel", None)
    if isinstance(doc.y_axis.label, str):
        notes["XLabel"] = doc.y_axis.label
    return yo.Scatter(
        path=path,
        values=values[:, None],
        err_minus=err_minus[:, None],
        err_plus=err_plus[:, None],
        annotations=notes,
    )


def _yoda_axis(axis: Axis) -> yo.Axis:
    if isinstance(axis.categories, list):
        return yo.DiscreteAxis(tuple(axis.categories))  # type: ignore[arg-type]
    return yo.ContinuousAxis(np.asarray(axis.edges, dtype=np.float64))


def _widen(array: Any, axes: list[Axis], fill: float) -> Any:
    """histfmt's per-bin array (declared flow bins) as YODA's: every flow bin, the
    "other" bin of a discrete axis first."""
    array = np.asarray(array, dtype=np.float64)
    for index, axis in enumerate(axes):
        pad = [(0, 0)] * array.ndim
        discrete = isinstance(axis.categories, list)
        pad[index] = (0 if discrete or axis.underflow else 1, 0 if axis.overflow else 1)
        array = np.pad(array, pad, constant_values=fill)
        if discrete:
            array = np.roll(array, 1, axis=index)
    return array


def _stored(item: Yield, name: str, shape: tuple[int, ...]) -> Any:
    """A moment kept in the yield's ``yoda`` corner, when it has the right shape."""
    corner = item.writer_info.get(CORNER, {})
    found = corner.get(name) if isinstance(corner, dict) else None
    if found is None:
        return None
    try:
        array = np.array(found, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array if array.shape == shape else None


def _centres(axis: Axis) -> Any:
    """Bin centres of an axis in histfmt order (flow bins and categories: 0)."""
    if isinstance(axis.categories, list) or isinstance(axis.edges, UnsetType):
        centres = np.zeros(axis.n_bins)
    else:
        edges = np.asarray(axis.edges, dtype=np.float64)
        centres = (edges[:-1] + edges[1:]) / 2
    return np.concatenate([[0.0] * axis.underflow, centres, [0.0] * axis.overflow])


def _axes(doc: Document) -> list[Axis]:
    return [doc.x] if isinstance(doc.y, UnsetType) else [doc.x, doc.y]


def _yield_object(doc: Document, item: Yield, path: str, notes: dict[str, str]) -> yo.YodaObject:
    axes = _axes(doc)
    values = np.asarray(item.values, dtype=np.float64)
    histogram = not isinstance(item.variances, UnsetType) or item.storage == "int"
    if item.kind == "count" and histogram:
        variances = values if isinstance(item.variances, UnsetType) else item.variances
        variances = np.asarray(variances, dtype=np.float64)
        if not (np.isnan(values).any() or np.isnan(variances).any()):
            return _histo(doc, item, path, notes, (values, variances))
    if item.kind == "mean" and len(axes) == 1:
        profile = _profile_object(doc, item, path, notes)
        if profile is not None:
            return profile
    return _estimate_object(doc, item, path, notes)


def _histo(
    doc: Document, item: Yield, path: str, notes: dict[str, str], sums: tuple[Any, Any]
) -> yo.YodaObject:
    values, variances = sums
    axes = _axes(doc)
    yaxes = tuple(_yoda_axis(axis) for axis in axes)
    names = _MOMENTS_1D if len(axes) == 1 else _MOMENTS_2D
    shape = values.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        entries = (
            values
            if item.storage in ("int", "double")
            else np.where(variances > 0, values**2 / variances, 0.0)
        )
    grids = np.meshgrid(*(_centres(axis) for axis in axes), indexing="ij")
    cx = grids[0]
    cy = grids[1] if len(grids) > 1 else np.zeros(shape)
    default = {
        "sumwx": values * cx,
        "sumwx2": values * cx**2,
        "sumwy": values * cy,
        "sumwy2": values * cy**2,
        "sumwxy": values * cx * cy,
        "numentries": entries,
    }
    moments = {}
    for name in names:
        stored = _stored(item, name, shape)
        moments[name] = _widen(default[name] if stored is None else stored, axes, 0.0)
    sumw, sumw2 = _widen(values, axes, 0.0), _widen(variances, axes, 0.0)
    if len(axes) == 1:
        return yo.Histo1D(
            path=path, axis=yaxes[0], sumw=sumw, sumw2=sumw2, annotations=notes, **moments
        )
    return yo.Histo2D(
        path=path, xaxis=yaxes[0], yaxis=yaxes[1], sumw=sumw, sumw2=sumw2,
        annotations=notes, **moments,
    )  # fmt: skip


def _profile_object(
    doc: Document, item: Yield, path: str, notes: dict[str, str]
) -> yo.YodaObject | None:
    """A Profile1D when the profile block gives the weights and the spread, else None."""
    block = item.profile
    if not isinstance(block, Profile):
        return None
    values = np.asarray(item.values, dtype=np.float64)
    entries = np.asarray(block.entries, dtype=np.float64)
    if isinstance(block.sum_of_weights, UnsetType):
        sumw = sumw2 = entries  # unweighted fills
    elif isinstance(block.sum_of_weights_squared, UnsetType):
        return None
    else:
        sumw = np.asarray(block.sum_of_weights, dtype=np.float64)
        sumw2 = np.asarray(block.sum_of_weights_squared, dtype=np.float64)
    filled = sumw != 0
    if np.isnan(entries).any() or np.isnan(sumw).any() or np.isnan(sumw2).any():
        return None
    if np.isnan(values[filled]).any():
        return None
    shape = values.shape
    sumwy, sumwy2 = _stored(item, "sumwy", shape), _stored(item, "sumwy2", shape)
    consistent = False
    if sumwy is not None and sumwy2 is not None:
        mean, _, _ = profile_numbers(sumw, sumw2, sumwy, sumwy2)
        consistent = bool(np.allclose(mean[filled], values[filled], rtol=1e-12, atol=0))
    if not consistent:
        spread = _spread(item, block, sumw, sumw2)
        if spread is None:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            sumwy = np.where(filled, values * sumw, 0.0)
            sumwy2 = np.where(filled, (spread * (sumw**2 - sumw2) + sumwy**2) / sumw, 0.0)
    axes = _axes(doc)
    moments = {}
    for name in ("sumwx", "sumwx2", "sumwxy"):
        stored = _stored(item, name, shape) if consistent else None
        if stored is None:
            centres = _centres(axes[0])
            stored = {"sumwx": sumw * centres, "sumwx2": sumw * centres**2}.get(
                name, np.zeros(shape)
            )
        moments[name] = _widen(stored, axes, 0.0)
    return yo.Profile1D(
        path=path, axis=_yoda_axis(axes[0]), sumw=_widen(sumw, axes, 0.0),
        sumw2=_widen(sumw2, axes, 0.0), sumwy=_widen(sumwy, axes, 0.0),
        sumwy2=_widen(sumwy2, axes, 0.0), numentries=_widen(entries, axes, 0.0),
        annotations=notes, **moments,
    )  # fmt: skip


def _spread(item: Yield, block: Profile, sumw: Any, sumw2: Any) -> Any:
    """The variance of the profiled quantity per bin (0 where undefined), or None."""
    if not isinstance(block.variance, UnsetType):
        spread = np.asarray(block.variance, dtype=np.float64)
    elif isinstance(item.stat, np.ndarray):
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = np.asarray(item.stat) ** 2 * np.where(sumw2 != 0, sumw**2 / sumw2, 0.0)
    else:
        return None
    return np.nan_to_num(spread, nan=0.0)


def _sides(uncertainty: Any) -> tuple[Any, Any]:
    """(down, up) errors of a histfmt uncertainty, YODA's way (down <= 0)."""
    if isinstance(uncertainty, Asymmetric):
        return -np.asarray(uncertainty.down, dtype=np.float64), np.asarray(
            uncertainty.up, dtype=np.float64
        )
    array = np.asarray(uncertainty, dtype=np.float64)
    return -array, array


def _estimate_object(doc: Document, item: Yield, path: str, notes: dict[str, str]) -> yo.YodaObject:
    values = np.asarray(item.values, dtype=np.float64)
    sources: dict[str, tuple[Any, Any]] = {}
    if not isinstance(item.stat, UnsetType):
        sources["stat"] = _sides(item.stat)
    elif not isinstance(item.variances, UnsetType):
        sources["stat"] = _sides(np.sqrt(np.asarray(item.variances, dtype=np.float64)))
    if not isinstance(item.syst, UnsetType):
        sources["syst"] = _sides(item.syst)
    for name, variation in item.variations.items():
        upper: Any = None if isinstance(variation.up, UnsetType) else variation.up
        lower: Any = None if isinstance(variation.down, UnsetType) else variation.down
        upper = np.asarray(2 * values - lower if upper is None else upper, dtype=np.float64)
        lower = np.asarray(2 * values - upper if lower is None else lower, dtype=np.float64)
        sources[f"variations.{name}"] = (lower - values, upper - values)
    order = [(place.split(".", 1)[-1] if place != "stat" else "stat", place) for place in sources]
    corner = item.writer_info.get(CORNER, {})
    kept = corner.get("sources") if isinstance(corner, dict) else None
    if (
        isinstance(kept, list)
        and all(isinstance(pair, list) and len(pair) == 2 for pair in kept)
        and sorted(place for _, place in kept) == sorted(sources)
    ):
        order = [(str(label), str(place)) for label, place in kept]
    axes = _axes(doc)
    downs: list[Any] = [_widen(sources[place][0], axes, np.nan) for _, place in order]
    ups: list[Any] = [_widen(sources[place][1], axes, np.nan) for _, place in order]
    widened = _widen(values, axes, np.nan)
    return yo.Estimate(
        path=path,
        axes=tuple(_yoda_axis(axis) for axis in axes),
        values=widened,
        error_labels=tuple(label for label, _ in order),
        err_down=np.stack(downs, axis=-1) if downs else np.zeros((*widened.shape, 0)),
        err_up=np.stack(ups, axis=-1) if ups else np.zeros((*widened.shape, 0)),
        annotations=notes,
    )


def _scatter_object(graph: Graph, path: str, notes: dict[str, str]) -> yo.YodaObject:
    def sides(errors: Any, size: int) -> tuple[Any, Any]:
        if isinstance(errors, UnsetType):
            return np.zeros(size), np.zeros(size)
        if isinstance(errors, Asymmetric):
            return np.asarray(errors.down, float), np.asarray(errors.up, float)
        array = np.asarray(errors, dtype=np.float64)
        return array, array

    size = len(graph.x)
    xdown, xup = sides(graph.x_errors, size)
    ydown, yup = sides(graph.y_errors, size)
    return yo.Scatter(
        path=path,
        values=np.stack([np.asarray(graph.x, float), np.asarray(graph.y, float)], axis=1),
        err_minus=np.stack([xdown, ydown], axis=1),
        err_plus=np.stack([xup, yup], axis=1),
        annotations=notes,
    )
