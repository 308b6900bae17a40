"""boost-histogram / hist <-> histfmt, through the UHI serialization both libraries speak.

A 1-D UHI histogram maps onto one histfmt yield plus the document's x axis:
``regular``/``variable`` axes keep their edges, boost-histogram's ``Integer``
axis its kind, categories their labels, and the flow bins stay in place
(UHI and histfmt both put underflow first and overflow last).  The storage
kind, "variance unknown", names, labels and any other metadata come back
exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
from msgspec import UNSET, UnsetType

from histfmt.errors import HistfmtError
from histfmt.model import FORMAT_VERSION, Axis, Document, Yield

__all__ = ["from_hist", "from_uhi", "yield_to_hist", "yield_to_uhi"]

_UHI = "uhi"  # writer_info corner for UHI metadata that has no histfmt field
_STORAGE_KINDS: dict[str, Literal["int", "double", "weight"]] = {
    "int": "int",
    "double": "double",
    "weighted": "weight",
}


# -- histogram -> document ---------------------------------------------------------


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


def from_uhi(ir: Mapping[str, Any], /) -> tuple[Axis, Yield]:
    """Split a 1-D UHI histogram into a histfmt axis and yield."""
    if ir.get("uhi_schema") != 1:
        raise HistfmtError(f"unsupported uhi_schema {ir.get('uhi_schema')!r} (expected 1)")
    axes = ir.get("axes", [])
    if len(axes) != 1:
        raise HistfmtError(f"histfmt holds 1-D histograms; this one has {len(axes)} axes")
    axis = _axis_from_uhi(axes[0])
    storage = ir["storage"]
    kind = storage["type"]
    if kind not in ("int", "double", "weighted", "mean", "weighted_mean"):
        raise HistfmtError(f"storage {kind!r} is not supported")
    if any(isinstance(value, str) for key, value in storage.items() if key != "type"):
        raise HistfmtError("out-of-band UHI arrays are not supported; load the file first")
    values = np.asarray(storage.get("values", np.zeros(axis.n_values)), dtype=np.float64)
    metadata = dict(ir.get("metadata", {}))
    label = metadata.pop("label", UNSET)
    metadata.pop("name", None)
    writer_info = {library: dict(info) for library, info in ir.get("writer_info", {}).items()}
    corner: dict[str, Any] = {"metadata": metadata} if metadata else {}
    fields: dict[str, Any] = {}
    if kind in ("mean", "weighted_mean"):
        # A profile: each bin holds a mean; its error is the standard error of that mean.
        # The full storage rides along in writer_info so that it comes back exactly.
        counts = np.asarray(storage["counts" if kind == "mean" else "sum_of_weights"], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            error = np.sqrt(np.asarray(storage["variances"], dtype=np.float64) / counts)
        fields["stat"] = np.where(np.isfinite(error), error, np.nan)
        corner["storage"] = {k: _plain(v) for k, v in storage.items()}
    else:
        fields["storage"] = _STORAGE_KINDS[kind]
        if kind == "weighted":
            fields["variances"] = np.asarray(storage["variances"], dtype=np.float64)
    if corner:
        writer_info[_UHI] = corner
    item = Yield(
        values=values,
        label=label if isinstance(label, str) else UNSET,
        writer_info=writer_info,
        **fields,
    )
    return axis, item


def _plain(value: Any) -> Any:
    """Arrays as lists of numbers, NaN as None (JSON null, the format's missing value)."""
    if not isinstance(value, (np.ndarray, list)):
        return value
    array = np.asarray(value, dtype=np.float64)
    return [None if np.isnan(v) else v for v in array.tolist()]


def _axis_from_uhi(axis: Mapping[str, Any]) -> Axis:
    metadata = dict(axis.get("metadata", {}))
    name, label = metadata.pop("name", UNSET), metadata.pop("label", UNSET)
    writer_info = {library: dict(info) for library, info in axis.get("writer_info", {}).items()}
    if metadata:
        writer_info[_UHI] = {"metadata": metadata}
    common: dict[str, Any] = {
        "name": name if isinstance(name, str) else UNSET,
        "label": label if isinstance(label, str) else UNSET,
        "writer_info": writer_info,
    }
    kind = axis["type"]
    if kind in ("regular", "variable"):
        axis_kind: Literal["regular", "variable", "integer"]
        if kind == "regular":
            edges = np.linspace(axis["lower"], axis["upper"], axis["bins"] + 1)
            original = writer_info.get("boost-histogram", {}).get("orig_type")
            axis_kind = "integer" if original == "Integer" else "regular"
        else:
            if isinstance(axis["edges"], str):
                raise HistfmtError("out-of-band UHI edges are not supported; load the file first")
            edges = np.asarray(axis["edges"], dtype=np.float64)
            axis_kind = "variable"
        return Axis(
            edges=edges,
            kind=axis_kind,
            underflow=bool(axis["underflow"]),
            overflow=bool(axis["overflow"]),
            circular=bool(axis.get("circular", False)),
            **common,
        )
    if kind in ("category_str", "category_int"):
        return Axis(
            categories=list(axis["categories"]),
            kind="category",
            overflow=bool(axis["flow"]),
            **common,
        )
    raise HistfmtError(f"axis type {kind!r} is not supported")


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
    """Build a document from histograms.

    Parameters
    ----------
    histograms
        One histogram, a ``hist.Stack``, a list, or a dict ``{name: histogram}``
        (anything with ``_to_uhi_()``, or UHI dicts). Names come from the dict
        keys or the histograms' ``name``.
    data
        Optional observed-data histogram: drawn as points over the stack, with a
        data / prediction ratio panel when ``ratio`` is true.
    stack_type, error
        How the histograms are drawn (``filled``, ``step``, ...) and which
        uncertainty band the stack carries.

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
    axis: Axis | None = None
    yields: dict[str, Yield] = {}
    for name, histogram in named.items():
        this_axis, item = from_uhi(to_uhi_dict(histogram))
        if item.storage == "double" and _variance_known(histogram):
            item.variances = np.array(item.values, copy=True)
        if axis is None:
            axis = this_axis
        elif not axis.same_binning(this_axis, flow=True):
            raise HistfmtError(f"histogram {name!r} has a different binning from the first one")
        yields[name] = item
    assert axis is not None
    doc = Document(histfmt=FORMAT_VERSION, x=axis, yields=yields)
    model = [name for name in yields if name != data_name or data is None]
    if model:
        doc.add_stack(model, type=stack_type, error=error)  # type: ignore[arg-type]
    if data is not None:
        doc.add_stack([(data_name, "Data")], type="points", error="stat")
        if ratio and model:
            doc.add_ratio(data_name, model)
    return doc


def _variance_known(histogram: Any) -> bool:
    """Whether a double-storage histogram knows its variances (unweighted fills)."""
    variances = getattr(histogram, "variances", None)
    return callable(variances) and variances() is not None


# -- document -> histogram ---------------------------------------------------------


def yield_to_uhi(doc: Document, name: str, /) -> dict[str, Any]:
    """The yield ``name`` with the document's x axis as a UHI serialization dict."""
    item = doc.yields[name]
    values = np.asarray(item.values, dtype=np.float64)
    storage: dict[str, Any]
    kind = _storage_kind(item)
    kept = item.writer_info.get(_UHI, {}).get("storage")
    if isinstance(kept, dict) and kept.get("type") in ("mean", "weighted_mean"):
        storage = {
            key: value if key == "type" else np.asarray(value, dtype=np.float64)
            for key, value in kept.items()
        }
        storage["values"] = values
    elif kind == "int":
        storage = {"type": "int", "values": values.astype(np.int64)}
    elif kind == "double":
        storage = {"type": "double", "values": values}
    else:
        storage = {"type": "weighted", "values": values, "variances": _variances(item)}
    writer_info = {k: dict(v) for k, v in item.writer_info.items() if k != _UHI}
    metadata = dict(item.writer_info.get(_UHI, {}).get("metadata", {}))
    if isinstance(item.label, str):
        metadata["label"] = item.label
    ir: dict[str, Any] = {
        "uhi_schema": 1,
        "axes": [_axis_to_uhi(doc.x)],
        "storage": storage,
        "metadata": {"name": name, **metadata} if "name" not in metadata else metadata,
    }
    if writer_info:
        ir["writer_info"] = writer_info
    return ir


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


def _axis_to_uhi(axis: Axis) -> dict[str, Any]:
    writer_info = {k: dict(v) for k, v in axis.writer_info.items() if k != _UHI}
    metadata = dict(axis.writer_info.get(_UHI, {}).get("metadata", {}))
    for key in ("name", "label"):
        value = getattr(axis, key)
        if isinstance(value, str):
            metadata[key] = value
    result: dict[str, Any]
    if not isinstance(axis.categories, UnsetType):
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
