"""boost-histogram / hist <-> histfmt, through the UHI serialization both libraries speak.

A 1-D or 2-D UHI histogram maps onto one histfmt yield plus the document's ``x``
(and ``y``) axis: ``regular``/``variable`` axes keep their edges, boost-histogram's
``Integer`` axis its kind, categories their labels, a ``boolean`` axis becomes two
integer bins labelled ``False``/``True``, and the flow bins stay in place (UHI and
histfmt both put underflow first and overflow last; a 2-D storage is already rows of
x bins).  ``int``/``double``/``weighted`` storages are counts; ``mean`` and
``weighted_mean`` storages are profiles (``kind: "mean"`` with a ``profile`` block).
Sparse storages are read as the dense histogram they stand for.  Names, labels and
any other metadata come back exactly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal, NamedTuple

import msgspec
import numpy as np
from msgspec import UNSET, UnsetType

from histfmt.convert.interface import is_data
from histfmt.errors import HistfmtError, LimitError, ValidationError, kind_of
from histfmt.io import validate
from histfmt.limits import default_limits
from histfmt.model import FORMAT_VERSION, Axis, Book, Document, Profile, Yield

__all__ = [
    "SCALAR_CATEGORY",
    "Converted",
    "NotHeld",
    "book_from_hist",
    "from_hist",
    "from_uhi",
    "to_uhi_dict",
    "yield_to_hist",
    "yield_to_uhi",
]

_UHI = "uhi"  # writer_info corner for UHI metadata that has no histfmt field
_SCALAR = "none"  # the corner's axis type of a histogram of no axes, read as one category
SCALAR_CATEGORY = "value"
"""The one category of a histogram of no axes (a single number) that has no name."""
_STORAGE_KINDS: dict[str, Literal["int", "double", "weight"]] = {
    "int": "int",
    "double": "double",
    "weighted": "weight",
}
_STORAGE_KEYS = {
    "int": ("values",),
    "double": ("values",),
    "weighted": ("values", "variances"),
    "mean": ("counts", "values", "variances"),
    "weighted_mean": ("sum_of_weights", "sum_of_weights_squared", "values", "variances"),
}
Where = tuple[str | int, ...]


# -- histogram -> document ---------------------------------------------------------


class Converted(NamedTuple):
    """One UHI histogram split into histfmt parts: its axes and its yield."""

    x: Axis
    y: Axis | None
    item: Yield


def to_uhi_dict(histogram: Any) -> dict[str, Any]:
    """The UHI serialization of anything that speaks it (or already is it)."""
    if isinstance(histogram, Mapping) and "uhi_schema" in histogram:
        return dict(histogram)
    to_uhi = getattr(histogram, "_to_uhi_", None)
    if to_uhi is None:
        raise HistfmtError(
            f"cannot convert {type(histogram).__name__}: expected a boost-histogram / "
            "hist histogram or a UHI dict"
        )
    result: dict[str, Any] = to_uhi()
    return result


class NotHeld(ValidationError):
    """A histogram histfmt cannot hold: more than two axes."""


def _refuse(where: Where, message: str) -> ValidationError:
    return ValidationError.at(where, message)


def from_uhi(ir: Mapping[str, Any], /, *, name: str | None = None, where: Where = ()) -> Converted:
    """Split a 1-D or 2-D UHI histogram into histfmt axes and a yield.

    ``name`` is the yield's key (a ``metadata.name`` equal to it is not kept twice);
    ``where`` is the histogram's path in its file, for the messages of refusals.
    """
    if ir.get("uhi_schema") != 1:
        raise _refuse(
            (*where, "uhi_schema"), f"unsupported uhi_schema {ir.get('uhi_schema')!r} (expected 1)"
        )
    axes = ir.get("axes")
    if not isinstance(axes, list):
        raise _refuse((*where, "axes"), "expected a list of axes")
    if len(axes) > 2:
        raise NotHeld.at(
            (*where, "axes"),
            f"histfmt holds 1-D and 2-D histograms; this one has {len(axes)} axes; "
            "project it onto one or two axes first (h.project(0, 1))",
        )
    converted = [_axis_from_uhi(axis, (*where, "axes", i)) for i, axis in enumerate(axes)]
    if not converted:  # a single number: one bin, a category named after the histogram
        converted = [Axis.new(categories=[name or SCALAR_CATEGORY])]
        converted[0].writer_info = {_UHI: {"type": _SCALAR}}
    shape = tuple(axis.n_values for axis in converted)
    limits = default_limits()
    if math.prod(shape) > limits.bins:
        raise LimitError.at(
            (*where, "axes"),
            f"{math.prod(shape):,} bins in all, flow bins included ({limits.describe('bins')})",
            limit="bins",
        )
    storage = ir.get("storage")
    if not isinstance(storage, Mapping) or storage.get("type") not in _STORAGE_KEYS:
        kind = storage.get("type") if isinstance(storage, Mapping) else storage
        raise _refuse((*where, "storage", "type"), f"storage {kind!r} is not supported")
    arrays = _storage_arrays(storage, shape, (*where, "storage"))
    kind = storage["type"]
    metadata = dict(ir.get("metadata") or {})
    label = metadata.pop("label", UNSET)
    if metadata.get("name") is None or metadata.get("name") == name:
        metadata.pop("name", None)
    writer_info = {library: dict(info) for library, info in (ir.get("writer_info") or {}).items()}
    corner = _corner(writer_info, metadata)
    fields: dict[str, Any] = {}
    if kind in ("mean", "weighted_mean"):
        fields.update(_profile_fields(kind, arrays))
    else:
        fields["storage"] = _STORAGE_KINDS[kind]
        if kind == "weighted":
            fields["variances"] = arrays["variances"]
        elif kind == "double" and metadata.get("_variance_known", True) is not False:
            # hist and boost-histogram read a double storage as "variance known"
            # (the variances are the values) unless the metadata says otherwise
            fields["variances"] = np.array(arrays["values"], copy=True)
    if corner:
        writer_info[_UHI] = corner
    item = Yield(
        values=arrays["values"],
        label=label if isinstance(label, str) else UNSET,
        writer_info=writer_info,
        **fields,
    )
    return Converted(converted[0], converted[1] if len(converted) == 2 else None, item)


def _corner(writer_info: dict[str, dict[str, Any]], metadata: dict[str, Any]) -> dict[str, Any]:
    """histfmt's ``uhi`` corner: the metadata with no histfmt field, and the input's own
    ``writer_info.uhi`` (kept under ``writer_info`` so that neither hides the other)."""
    corner: dict[str, Any] = {"metadata": metadata} if metadata else {}
    if _UHI in writer_info:
        corner["writer_info"] = writer_info.pop(_UHI)
    return corner


def _storage_arrays(
    storage: Mapping[str, Any], shape: tuple[int, ...], where: Where
) -> dict[str, Any]:
    """Every array of the storage, dense, as float64 of ``shape``: zeros when the
    storage holds no data (a metadata-only histogram, as uhi defines it and hist reads
    it), scattered when it is sparse."""
    kind = storage["type"]
    keys = _STORAGE_KEYS[kind]
    present = [key for key in keys if key in storage]
    if present and len(present) != len(keys):
        missing = next(key for key in keys if key not in storage)
        raise _refuse(
            (*where, missing), f"storage {kind!r} needs {list(keys)}; {missing!r} is missing"
        )
    for key in (*keys, "index"):
        if isinstance(storage.get(key), str):
            raise _refuse(
                (*where, key), "out-of-band UHI arrays are not supported; load the file first"
            )
    index = _sparse_index(storage, shape, where) if "index" in storage else None
    arrays: dict[str, Any] = {}
    for key in keys:
        # an empty weighted_mean bin has a NaN variance (uhi's sparse convention)
        empty = np.nan if (kind, key) == ("weighted_mean", "variances") else 0.0
        if key not in storage:
            arrays[key] = np.full(shape, empty)
            continue
        array = _float_array(storage[key], (*where, key))
        if index is not None:
            if array.shape != (index.shape[1],):
                raise _refuse(
                    (*where, key),
                    f"a sparse storage has one value per index; expected {index.shape[1]}, "
                    f"got {array.size}",
                )
            dense = np.full(shape, empty)
            dense[tuple(index)] = array
            array = dense
        elif array.shape != shape:
            if array.size != int(np.prod(shape)):
                raise _refuse(
                    (*where, key),
                    f"expected {' x '.join(map(str, shape))} values (the bins with their flow "
                    f"bins), got {array.size}",
                )
            array = array.reshape(shape)  # JSON drops empty dimensions
        arrays[key] = array
    return arrays


def _float_array(value: Any, where: Where) -> Any:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise _refuse(where, "expected an array of numbers") from None
    return array


def _sparse_index(storage: Mapping[str, Any], shape: tuple[int, ...], where: Where) -> Any:
    """The ``(ndim, n)`` bin indices of a sparse storage, checked against ``shape``."""
    raw = _float_array(storage["index"], (*where, "index"))
    if raw.size == 0:
        return np.zeros((len(shape), 0), dtype=np.intp)
    if raw.ndim != 2 or raw.shape[0] != len(shape):
        raise _refuse(
            (*where, "index"),
            f"expected {len(shape)} rows of bin indices (one per axis), "
            f"got shape {list(raw.shape)}",
        )
    index = raw.astype(np.intp)
    bad = (index != raw) | (index < 0) | (index >= np.asarray(shape)[:, None])
    if bad.any():
        axis, column = (int(i) for i in np.argwhere(bad)[0])
        raise _refuse(
            (*where, "index", axis, column),
            f"{raw[axis, column]:g} is not a bin index of axis {axis} (0 to {shape[axis] - 1})",
        )
    return index


def _profile_fields(kind: str, arrays: dict[str, Any]) -> dict[str, Any]:
    """A ``mean``/``weighted_mean`` storage as a profile yield's fields.

    ``stat`` is the error of each mean, ``sqrt`` of boost-histogram's ``variances()``:
    ``variance / count`` (where count > 1) or ``variance / sum_of_weights`` (where
    sum_of_weights² > sum_of_weights_squared), missing elsewhere.
    """
    variance = arrays["variances"]
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "mean":
            counts = arrays["counts"]
            defined = counts > 1
            of_mean = np.divide(variance, counts, out=np.full(counts.shape, np.nan), where=defined)
            profile = Profile(entries=counts, variance=_defined(variance))
        else:
            sw, sw2 = arrays["sum_of_weights"], arrays["sum_of_weights_squared"]
            of_mean = np.divide(variance, sw, out=np.full(sw.shape, np.nan), where=sw**2 > sw2)
            entries = np.divide(sw**2, sw2, out=np.zeros(sw.shape), where=sw2 != 0)
            profile = Profile(
                entries=entries,
                sum_of_weights=sw,
                sum_of_weights_squared=sw2,
                variance=_defined(variance),
            )
        stat = np.sqrt(of_mean)
    return {
        "kind": "mean",
        "storage": kind,
        "stat": np.where(np.isfinite(stat), stat, np.nan),
        "profile": profile,
    }


def _defined(variance: Any) -> Any:
    """Sample variances, with the undefined ones (NaN, ±inf, negative) missing."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(variance) & ~(variance < 0), variance, np.nan)


def _axis_from_uhi(axis: Any, where: Where) -> Axis:
    if not isinstance(axis, Mapping):
        raise _refuse(where, "expected an axis object")
    metadata = dict(axis.get("metadata") or {})
    name, label = metadata.pop("name", UNSET), metadata.pop("label", UNSET)
    writer_info = {library: dict(info) for library, info in (axis.get("writer_info") or {}).items()}
    corner = _corner(writer_info, metadata)
    common: dict[str, Any] = {
        "name": name if isinstance(name, str) else UNSET,
        "label": label if isinstance(label, str) else UNSET,
    }
    kind = axis.get("type")
    _check_size(axis, kind, where)
    try:
        if kind in ("regular", "variable"):
            axis_kind: Literal["regular", "variable", "integer"]
            if kind == "regular":
                original = writer_info.get("boost-histogram", {}).get("orig_type")
                axis_kind = "integer" if original == "Integer" else "regular"
                if axis_kind == "integer":
                    edges = axis["lower"] + np.arange(axis["bins"] + 1, dtype=np.float64)
                else:
                    edges = _regular_edges(axis["lower"], axis["upper"], axis["bins"])
            else:
                if isinstance(axis["edges"], str):
                    raise _refuse(
                        (*where, "edges"),
                        "out-of-band UHI edges are not supported; load the file first",
                    )
                edges = _float_array(axis["edges"], (*where, "edges"))
                axis_kind = "variable"
            result = Axis(
                edges=edges,
                kind=axis_kind,
                underflow=bool(axis["underflow"]),
                overflow=bool(axis["overflow"]),
                circular=bool(axis.get("circular", False)),
                **common,
            )
        elif kind in ("category_str", "category_int"):
            if not axis["categories"]:
                raise _refuse(
                    (*where, "categories"),
                    "a category axis without categories cannot be held "
                    "(a histfmt categorical axis has at least one)",
                )
            result = Axis(
                categories=list(axis["categories"]),
                kind="category",
                overflow=bool(axis["flow"]),
                **common,
            )
        elif kind == "boolean":
            corner["type"] = "boolean"
            result = Axis(edges=np.arange(3.0), kind="integer", labels=["False", "True"], **common)
        else:
            raise _refuse((*where, "type"), f"axis type {kind!r} is not supported")
    except KeyError as missing:
        raise _refuse(where, f"axis of type {kind!r} needs {missing}") from None
    if corner:
        writer_info[_UHI] = corner
    result.writer_info = writer_info
    return result


def _check_size(axis: Mapping[str, Any], kind: Any, where: Where) -> None:
    """Refuse a regular axis whose ``bins`` is not a count, and any axis of more bins than
    the ``bins_per_axis`` limit, before its edges are made (10^12 bins would need 7 TiB)."""
    limits = default_limits()
    if kind == "regular":
        bins = axis.get("bins")
        if not isinstance(bins, int) or isinstance(bins, bool) or bins < 1:
            raise _refuse((*where, "bins"), f"expected a positive number of bins, got {bins!r}")
        for end in ("lower", "upper"):
            number = axis.get(end)
            if not isinstance(number, (int, float)) or isinstance(number, bool):
                raise _refuse((*where, end), f"expected a number, got {kind_of(number)}")
    sizes = {"regular": "bins", "variable": "edges", "category_str": "categories",
             "category_int": "categories"}  # fmt: skip
    key = sizes.get(kind, "type")
    value = axis.get(key)
    count = value if isinstance(value, int) else len(value) if isinstance(value, list) else 0
    count -= key == "edges"
    if count > limits.bins_per_axis:
        raise LimitError.at(
            (*where, key),
            f"an axis of {count:,} bins ({limits.describe('bins_per_axis')})",
            limit="bins_per_axis",
        )


def _regular_edges(lower: float, upper: float, bins: int) -> Any:
    """The edges of a regular axis exactly as boost-histogram computes them."""
    z = np.arange(bins + 1) / bins
    return (1 - z) * lower + z * upper


def _named(histograms: Any) -> dict[str, Any]:
    """Name every histogram of a dict, a ``hist.Stack`` or another iterable."""
    if hasattr(histograms, "_to_uhi_") or (
        isinstance(histograms, Mapping) and "uhi_schema" in histograms
    ):
        histograms = [histograms]
    elif isinstance(histograms, Mapping):
        return dict(histograms)
    if not isinstance(histograms, Iterable):
        raise HistfmtError(f"cannot convert {type(histograms).__name__} to a document")
    named: dict[str, Any] = {}
    for index, histogram in enumerate(histograms):
        name = getattr(histogram, "name", None) or f"h{index}"
        if name in named:
            raise HistfmtError(f"two histograms are named {name!r}; pass a dict to name them")
        named[name] = histogram
    return named


def _convert(name: str, histogram: Any) -> Converted:
    """One named histogram (object or UHI dict) as histfmt parts."""
    if "/" in name or not name:
        raise HistfmtError(f"{name!r} cannot name a yield (1 to 256 characters, no '/')")
    parts = from_uhi(to_uhi_dict(histogram), name=name, where=(name,))
    item = parts.item
    if item.storage == "double" and not isinstance(histogram, Mapping):
        # a histogram object knows whether its variances are known (unweighted fills)
        item.variances = np.array(item.values, copy=True) if _variance_known(histogram) else UNSET
    return parts


def _same_binning(a: Converted, b: Converted) -> bool:
    if (a.y is None) != (b.y is None):
        return False
    same_y = a.y is None or b.y is None or a.y.same_binning(b.y, flow=True)
    return a.x.same_binning(b.x, flow=True) and same_y


def from_hist(
    histograms: Any,
    /,
    *,
    data: Any = None,
    data_name: str = "data",
    stack_type: str = "filled",
    error: str = "stat",
    ratio: bool = True,
) -> Document:
    """Build a document from 1-D or 2-D histograms that share their binning.

    Parameters
    ----------
    histograms
        One histogram, a ``hist.Stack``, a list, or a dict ``{name: histogram}``
        (anything with ``_to_uhi_()``, or UHI dicts). Names come from the dict
        keys or the histograms' ``name``. Differently binned histograms make a
        book: :func:`book_from_hist`.
    data
        Optional observed-data histogram: drawn as points over the stack, with a
        data / prediction ratio panel when ``ratio`` is true. Without it, a histogram
        named like data (``data``, ``data_obs``, any case: the rule of every converter,
        :func:`histfmt.convert.interface.is_data`) is the data.
    stack_type, error
        How 1-D histograms are drawn (``filled``, ``step``, ...) and which
        uncertainty band the stack carries. A 2-D document draws its first
        yield as a map; profiles are drawn as points.

    Examples
    --------
    >>> import hist
    >>> h = hist.Hist.new.Reg(4, 0, 1, name="x").Weight().fill([0.2, 0.7])
    >>> doc = from_hist({"signal": h})
    >>> doc.to_hist("signal") == h
    True
    """
    named = _named(histograms)
    if data is not None:
        if data_name in named:
            raise HistfmtError(
                f"a histogram is already named {data_name!r}; pick another data_name"
            )
        named = {**named, data_name: data}
    if not named:
        raise HistfmtError("no histograms given")
    first: Converted | None = None
    yields: dict[str, Yield] = {}
    for name, histogram in named.items():
        parts = _convert(name, histogram)
        if first is None:
            first = parts
        elif not _same_binning(first, parts):
            raise HistfmtError(
                f"histogram {name!r} has a different binning from the first one; "
                "differently binned histograms make a book (book_from_hist)"
            )
        yields[name] = parts.item
    assert first is not None
    x, y = _unit_from_label(first.x), None if first.y is None else _unit_from_label(first.y)
    doc = Document(histfmt=FORMAT_VERSION, x=x, y=UNSET if y is None else y, yields=yields)
    if data is None:
        data_name = next((name for name in yields if is_data(name)), "")
    _draw(doc, data_name or None, stack_type, error, ratio)
    return validate(doc)


_UNIT_IN_LABEL = re.compile(r"^(?P<label>.*?\S)\s*(?:\[(?P<b>[^\[\]]+)\]|\((?P<p>[^()]+)\))\s*$")
_UNITS = re.compile(r"^(?:[a-zA-Zμµ]?eV|[a-zA-Zμµ]?m|[a-zA-Zμµ]?s|rad|deg|GeV/c\^?2?|MeV/c\^?2?)$")


def _unit_from_label(axis: Axis) -> Axis:
    """A histogram labelled 'Mass [GeV]' (or 'm (GeV)') has the unit GeV: the y label then
    reads 'Events / 2 GeV', not 'Events / 2'. Round brackets count only around a unit
    ('p_T (GeV)', not 'Jets (central)'); a unit already set is kept."""
    label = axis.label
    if not isinstance(label, str) or not isinstance(axis.unit, UnsetType):
        return axis
    parsed = _split_unit(label)
    if parsed is None:
        return axis
    writer_info = {key: dict(value) for key, value in axis.writer_info.items()}
    corner = writer_info.setdefault(_UHI, {})
    corner["metadata"] = {**corner.get("metadata", {}), "label": label}  # back in to_hist
    return msgspec.structs.replace(axis, label=parsed[0], unit=parsed[1], writer_info=writer_info)


def _split_unit(label: str) -> tuple[str, str] | None:
    found = _UNIT_IN_LABEL.match(label)
    if found is None:
        return None
    unit = (found["b"] or found["p"]).strip()
    if found["p"] and not _UNITS.match(unit):
        return None
    return found["label"], unit


def _draw(doc: Document, data: str | None, stack_type: str, error: str, ratio: bool) -> None:
    """Stacks (and a ratio) for the yields: counts stacked, profiles as points, the
    first yield of a 2-D document as a map."""
    if not isinstance(doc.y, UnsetType):
        doc.add_stack([next(iter(doc.yields))], type="map", error="none")
        return
    model = [name for name in doc.yields if name != data]
    counts = [name for name in model if doc.yields[name].kind == "count"]
    if counts:
        doc.add_stack(counts, type=stack_type, error=error)  # type: ignore[arg-type]
    for name in model:
        if doc.yields[name].kind != "count":
            doc.add_stack([name], type="points", error="stat")
    if data is not None:
        doc.add_stack([(data, "Data")], type="points", error="stat")
        if ratio and counts and doc.yields[data].kind == "count":
            doc.add_ratio(data, counts)


def book_from_hist(histograms: Any, /) -> Book:
    """A book of one plot per histogram (1-D or 2-D, any binning), keyed by its name.

    A name may hold ``/`` (``jets/pt``): the plot's path; its yield is named after the
    last part.
    """
    named = _named(histograms)
    plots = {}
    for path, histogram in named.items():
        yield_name = path.rsplit("/", 1)[-1] or "histogram"
        plots[path] = from_hist({yield_name: histogram})
    return validate(Book.new(plots))


def _variance_known(histogram: Any) -> bool:
    """Whether a double-storage histogram knows its variances (unweighted fills)."""
    variances = getattr(histogram, "variances", None)
    return callable(variances) and variances() is not None


# -- document -> histogram ---------------------------------------------------------


def yield_to_uhi(doc: Document, name: str, /) -> dict[str, Any]:
    """The yield ``name`` with the document's axes as a UHI serialization dict.

    Raises :class:`~histfmt.HistfmtError` for an efficiency, which has no UHI storage.
    """
    item = doc.yields[name]
    where = ("yields", name)
    if item.kind == "efficiency":
        raise ValidationError.at(
            (*where, "kind"),
            "an efficiency has no UHI storage (UHI holds counts and means); "
            "convert its passed and total counts instead",
        )
    if not doc.x.binned:
        raise ValidationError.at(("x",), "UHI holds histograms; this axis has no bins")
    storage = _profile_storage(item) if item.kind == "mean" else _count_storage(item)
    writer_info = {k: dict(v) for k, v in item.writer_info.items() if k != _UHI}
    corner = item.writer_info.get(_UHI, {})
    if "writer_info" in corner:
        writer_info[_UHI] = dict(corner["writer_info"])
    metadata = dict(corner.get("metadata", {}))
    if isinstance(item.label, str):
        metadata["label"] = item.label
    axes = [doc.x] if isinstance(doc.y, UnsetType) else [doc.x, doc.y]
    if axes == [doc.x] and _is_scalar(doc.x):
        axes = []  # read from a histogram of no axes, and still one bin
    ir: dict[str, Any] = {
        "uhi_schema": 1,
        "axes": [_axis_to_uhi(axis) for axis in axes],
        "storage": storage,
        "metadata": {"name": name, **metadata} if "name" not in metadata else metadata,
    }
    if writer_info:
        ir["writer_info"] = writer_info
    return ir


def _count_storage(item: Yield) -> dict[str, Any]:
    values = np.asarray(item.values, dtype=np.float64)
    kind = _storage_kind(item)
    if kind == "int":
        return {"type": "int", "values": values.astype(np.int64)}
    if kind == "double":
        return {"type": "double", "values": values}
    return {"type": "weighted", "values": values, "variances": _variances(item)}


def _profile_storage(item: Yield) -> dict[str, Any]:
    """A profile as a ``mean`` or ``weighted_mean`` storage; missing variances are NaN,
    as boost-histogram has them."""
    values = np.asarray(item.values, dtype=np.float64)
    profile = item.profile
    if isinstance(profile, UnsetType):
        raise HistfmtError("a profile without its 'profile' block cannot become a histogram")
    entries = np.asarray(profile.entries, dtype=np.float64)
    variance: Any
    if not isinstance(profile.variance, UnsetType):
        variance = np.asarray(profile.variance, dtype=np.float64)
    elif isinstance(item.stat, np.ndarray):
        variance = np.square(item.stat) * entries  # the error of the mean, undone
    else:
        variance = np.zeros_like(values)
    weighted = not isinstance(profile.sum_of_weights, UnsetType) and not isinstance(
        profile.sum_of_weights_squared, UnsetType
    )
    if item.storage == "weighted_mean" or (item.storage != "mean" and weighted):
        if not weighted:
            raise HistfmtError("a weighted_mean profile needs sum_of_weights and its squares")
        return {
            "type": "weighted_mean",
            "sum_of_weights": np.asarray(profile.sum_of_weights, dtype=np.float64),
            "sum_of_weights_squared": np.asarray(profile.sum_of_weights_squared, dtype=np.float64),
            "values": values,
            "variances": variance,
        }
    return {"type": "mean", "counts": entries, "values": values, "variances": variance}


def _storage_kind(item: Yield) -> str:
    if not isinstance(item.storage, UnsetType):
        return item.storage
    has_errors = not isinstance(item.variances, UnsetType) or not isinstance(item.stat, UnsetType)
    return "weight" if has_errors else "double"


def _variances(item: Yield) -> Any:
    if not isinstance(item.variances, UnsetType):
        return np.asarray(item.variances, dtype=np.float64)
    stat = item.stat
    if isinstance(stat, UnsetType):
        return np.asarray(item.values, dtype=np.float64)
    if not isinstance(stat, np.ndarray):
        # asymmetric: a histogram stores one variance; keep the larger side
        stat = np.maximum(np.asarray(stat.up), np.asarray(stat.down))
    return np.square(stat)


def _is_scalar(axis: Axis) -> bool:
    """An axis read from a histogram of no axes, still its one category."""
    corner = axis.writer_info.get(_UHI, {})
    return (
        isinstance(corner, dict)
        and corner.get("type") == _SCALAR
        and isinstance(axis.categories, list)
        and len(axis.categories) == 1
        and not axis.overflow
    )


def _axis_to_uhi(axis: Axis) -> dict[str, Any]:
    writer_info = {k: dict(v) for k, v in axis.writer_info.items() if k != _UHI}
    corner = axis.writer_info.get(_UHI, {})
    if "writer_info" in corner:
        writer_info[_UHI] = dict(corner["writer_info"])
    metadata = dict(corner.get("metadata", {}))
    with_unit = metadata.get("label")  # the label from_hist took the unit out of
    for key in ("name", "label"):
        value = getattr(axis, key)
        if isinstance(value, str):
            metadata[key] = value
    if isinstance(with_unit, str) and _split_unit(with_unit) == (axis.label, axis.unit):
        metadata["label"] = with_unit
    result: dict[str, Any]
    if corner.get("type") == "boolean":
        result = {"type": "boolean"}
    elif not isinstance(axis.categories, UnsetType):
        is_int = bool(axis.categories) and isinstance(axis.categories[0], int)
        result = {
            "type": "category_int" if is_int else "category_str",
            "categories": list(axis.categories),
            "flow": axis.overflow,
        }
    else:
        edges = np.asarray(axis.edges, dtype=np.float64)
        flow = {"underflow": axis.underflow, "overflow": axis.overflow, "circular": axis.circular}
        if axis.kind in ("regular", "integer"):
            lower: float | int = float(edges[0])
            upper: float | int = float(edges[-1])
            if axis.kind == "integer":
                lower, upper = int(lower), int(upper)
                writer_info.setdefault("boost-histogram", {})["orig_type"] = "Integer"
            result = {
                "type": "regular",
                "lower": lower,
                "upper": upper,
                "bins": len(edges) - 1,
                **flow,
            }
        else:
            result = {"type": "variable", "edges": edges, **flow}
    if writer_info:
        result["writer_info"] = writer_info
    if metadata:
        result["metadata"] = metadata
    return result


def yield_to_hist(doc: Document, name: str, /) -> Any:
    """The yield ``name`` as a :class:`hist.Hist`."""
    try:
        import hist
    except ImportError:
        raise HistfmtError(
            "converting to hist needs it installed: pip install 'histfmt[hist]'"
        ) from None
    ir = yield_to_uhi(doc, name)
    histogram: Any = hist.Hist(ir)
    if ir["storage"]["type"] == "double" and isinstance(doc.yields[name].variances, UnsetType):
        histogram._variance_known = False
    return histogram
