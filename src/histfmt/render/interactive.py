"""The interactive chart: the numbers a browser draws, and a self-contained HTML page.

:func:`chart_data` is a document seen through the image's render-time choices
(rebin, hidden samples, log y, ratio panel) as plain JSON, computed with
:class:`histfmt.shown.Shown` and the image's own comparison rule
(:func:`histfmt.render.artists.compare`): the viewer's chart and its PNG/SVG/PDF of one
address show the same bins, values and uncertainties. The viewer's
``static/chart.js`` draws it with uPlot (``static/vendor/uplot``); :func:`chart_html`
inlines both and the numbers into one offline page (a notebook's display).

On the wire (:func:`pack`, read back by :func:`unpack` and by the script): the same
structure in a compact binary form, so that 10^5 bins cost no JSON text: ``HFC1``, the
length of a JSON header (little-endian uint32), the header, spaces up to a multiple of 8
bytes, then every array as little-endian float64 (NaN where JSON would have null). In the
header each array is ``{"f8": [start, length], "shape": [...]}``, its place counted in
numbers from the end of the header: the browser reads them as ``Float64Array`` views of
the response, without copying or parsing a number.

1-D (or a 2-D document's projection): ``edges``, one entry per stack layer in
``samples`` (its own value, stat and syst uncertainty and per-variation shifts, and the
drawn running total with the stack's band), ``prediction`` (the total of the filled or
step stacks, with its band), ``data`` (the points layers) and the document's ``ratio``
items. 2-D maps: ``x_edges``, ``y_edges`` and one ``cells`` array (x by y) per map.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import struct
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from msgspec import UnsetType

from histfmt.errors import HistfmtError
from histfmt.model import Axis, Document, Stack
from histfmt.shown import Components, Series, Shown

if TYPE_CHECKING:
    from collections.abc import Iterable

    import numpy.typing as npt

    Array = npt.NDArray[np.float64]
else:
    Array = np.ndarray

__all__ = ["MAGIC", "chart_data", "chart_html", "pack", "unpack"]

MAGIC = b"HFC1"
"""The first bytes of a packed chart (:func:`pack`)."""


def _numbers(array: Any) -> Array:
    """A float array as :func:`pack` writes it (float64)."""
    return np.ascontiguousarray(array, dtype=np.float64)


def _label(label: Any, refs: list[str]) -> str:
    return label if isinstance(label, str) else " + ".join(refs)


def _series(shown: Shown, refs: list[str], error: str, item: Any) -> tuple[Series, Components]:
    components = shown.components(refs)
    drawn = shown.series(components, error, poisson=shown.poisson(item, refs))
    return drawn.scaled(shown.normalisation(components.values, refs)), components


def _sides(entry: dict[str, Any], name: str, up: Any, down: Any) -> None:
    """``name_up`` and ``name_down`` into ``entry``; the down side left out when equal to
    the up side, both when zero (the script reads a missing side as the other, or 0)."""
    if not (np.any(up) or np.any(down)):
        return
    entry[f"{name}_up"] = _numbers(up)
    if not np.array_equal(up, down):
        entry[f"{name}_down"] = _numbers(down)


def _own(shown: Shown, refs: list[str], factor: Any) -> dict[str, Any]:
    """One layer's own value, stat and syst (up/down) and per-variation shifts."""
    parts = shown.components(refs)
    entry: dict[str, Any] = {"values": _numbers(parts.values * factor)}
    _sides(entry, "stat", np.sqrt(parts.stat_up2) * factor, np.sqrt(parts.stat_down2) * factor)
    _sides(entry, "syst", np.sqrt(parts.syst_up2) * factor, np.sqrt(parts.syst_down2) * factor)
    entry["variations"] = {
        source: {"up": _numbers(up * factor), "down": _numbers(down * factor)}
        for source, (up, down) in parts.shifts.items()
    }
    return entry


def _stack(shown: Shown, index: int, stack: Stack, hide: frozenset[str]) -> list[dict[str, Any]]:
    """Every layer of ``stack``: hidden ones by name only (for the legend), drawn ones
    with their own numbers and the running total the image draws."""
    entries: list[dict[str, Any]] = []
    refs_so_far: list[str] = []
    last = max(
        (i for i, layer in enumerate(stack.content) if not set(layer.yields) & hide), default=-1
    )
    for position, layer in enumerate(stack.content):
        refs = list(layer.yields)
        entry: dict[str, Any] = {
            "names": refs,
            "label": _label(layer.label, refs),
            "stack": index,
            "type": stack.type,
            "color": layer.style.color if isinstance(layer.style.color, str) else None,
            "hidden": bool(set(refs) & hide),
        }
        entries.append(entry)
        if entry["hidden"]:
            continue
        refs_so_far = refs_so_far + refs
        total, parts = _series(shown, refs_so_far, stack.error, stack)
        factor = shown.normalisation(parts.values, refs_so_far)
        entry.update(_own(shown, refs, factor))
        if position == last or stack.type in ("points", "band"):  # the script sums the others
            entry["top"] = _numbers(total.values)
            _sides(entry, "top", total.up, total.down)
        if stack.type == "points":  # the drawn error bars of the points themselves
            entry["error"] = stack.error
    return entries


def _ratio(shown: Shown, doc: Document) -> list[dict[str, Any]]:
    from histfmt.render.artists import compare

    kind = doc.ratio_axis.kind
    items = []
    for item in doc.ratio:
        refs = list(item.numerator)
        numerator, _ = _series(shown, refs, item.error, item)
        denominator = None
        if item.denominator:
            den_error = item.den_error if not isinstance(item.den_error, UnsetType) else item.error
            denominator, _ = _series(shown, list(item.denominator), den_error, item)
        drawn, band = compare(kind, numerator, denominator)
        entry: dict[str, Any] = {
            "label": _label(item.label, refs),
            "type": item.type,
            "values": _numbers(drawn.values),
            "up": _numbers(drawn.up),
            "down": _numbers(drawn.down),
        }
        if band is not None:
            entry["band_up"], entry["band_down"] = _numbers(band.up), _numbers(band.down)
        items.append(entry)
    return items


def _ratio_label(shown: Shown, doc: Document) -> str:
    """The comparison panel's y label as the image writes it (the document's, else
    'Mean' or 'Efficiency' for such yields shown as they are, else the kind's:
    'Ratio', 'Difference', 'Pull'); mathtext is made plain by the script."""
    from histfmt.render.labels import kind_label

    if isinstance(doc.ratio_axis.label, str) and doc.ratio_axis.label:
        return doc.ratio_axis.label
    alone = [ref for item in doc.ratio if not item.denominator for ref in item.numerator]
    as_is = bool(alone) and len(alone) == sum(len(item.numerator) for item in doc.ratio)
    default = kind_label(shown.kind(alone)) if as_is else None
    kind = doc.ratio_axis.kind
    return default or {"ratio": "Ratio", "difference": "Difference", "pull": "Pull"}[kind]


def _maps(shown: Shown, doc: Document) -> dict[str, Any]:
    assert shown.y_binning is not None
    maps = []
    groups = [
        (_label(stack.content[0].label, refs) if stack.content else "", refs)
        for stack in doc.stacks
        if (refs := [ref for layer in stack.content for ref in layer.yields])
    ] or [(name, [name]) for name in doc.yields]  # no stacks: every yield is a map
    for label, refs in groups:
        parts = shown.components(refs)
        maps.append(
            {
                "label": label,
                "cells": _numbers(parts.values),
                "stat": _numbers(np.sqrt(parts.stat_up2)),
            }
        )
    return {
        "two_d": True,
        "x_edges": _numbers(shown.binning.edges),
        "y_edges": _numbers(shown.y_binning.edges),
        "x_label": doc.x.label if isinstance(doc.x.label, str) else "x",
        "y_label": doc.y.label if isinstance(doc.y, Axis) and isinstance(doc.y.label, str) else "y",
        "logz": bool(doc.z_axis.log),
        "maps": maps,
    }


def chart_data(
    doc: Document,
    *,
    rebin: Iterable[float] | None = None,
    hide: Iterable[str] = (),
    logy: bool | None = None,
    ratio: bool | None = None,
) -> dict[str, Any]:
    """What the browser draws of ``doc`` (a 2-D document's projection and z scale as
    its ``view`` and ``z_axis`` say) with the image's render-time choices, as
    plain values and numpy arrays (:func:`pack` writes them for the browser). A stack's
    layers carry their own numbers; the running total (``top``, with the stack's band)
    only on the last drawn layer and on points and bands."""
    edges = list(rebin) if rebin is not None else None
    shown = Shown(doc, rebin=edges)
    if shown.two_d:
        return _maps(shown, doc)
    drawn = shown.doc
    hidden = frozenset(hide)
    samples = [
        entry
        for index, stack in enumerate(drawn.stacks)
        for entry in _stack(shown, index, stack, hidden)
    ]
    prediction = None
    for entry in samples:  # the top of the last drawn filled or step stack
        if entry["type"] in ("filled", "step") and not entry["hidden"]:
            prediction = {k: entry[k] for k in ("top", "top_up", "top_down") if k in entry}
    base = Shown(doc).binning.edges if edges else shown.binning.edges
    return {
        "two_d": False,
        "edges": _numbers(shown.binning.edges),
        "base_edges": _numbers(base),
        "tick_labels": shown.binning.tick_labels,
        "x_label": drawn.x.label if isinstance(drawn.x.label, str) else "",
        "y_label": drawn.y_axis.label if isinstance(drawn.y_axis.label, str) else "",
        "logy": bool(drawn.y_axis.log if logy is None else logy),
        "samples": samples,
        "prediction": prediction,
        "ratio": _ratio(shown, drawn) if ratio is not False else [],
        "ratio_kind": drawn.ratio_axis.kind,
        "ratio_label": _ratio_label(shown, drawn),
    }


def pack(data: dict[str, Any]) -> bytes:
    """:func:`chart_data` in the chart's binary form (see the module's docstring)."""
    arrays: list[Array] = []
    places: dict[bytes, list[int]] = {}  # by content: equal arrays are written once
    size = 0

    def strip(value: Any) -> Any:
        nonlocal size
        if isinstance(value, np.ndarray):
            flat = np.ascontiguousarray(value, dtype="<f8").ravel()
            key = hashlib.blake2b(flat.tobytes(), digest_size=20).digest()
            if key not in places:
                places[key] = [size, int(flat.size)]
                arrays.append(flat)
                size += int(flat.size)
            return {"f8": places[key], "shape": list(value.shape)}
        if isinstance(value, dict):
            return {key: strip(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [strip(item) for item in value]
        return value

    header = json.dumps(strip(data), separators=(",", ":"), allow_nan=False).encode("utf-8")
    start = len(MAGIC) + 4 + len(header)
    header += b" " * (-start % 8)
    return b"".join([MAGIC, struct.pack("<I", len(header)), header, *(a.tobytes() for a in arrays)])


def unpack(payload: bytes) -> dict[str, Any]:
    """A packed chart (:func:`pack`) as plain values and numpy arrays, as
    :func:`chart_data` made it; HistfmtError when it is not one."""
    if payload[: len(MAGIC)] != MAGIC or len(payload) < len(MAGIC) + 4:
        raise HistfmtError("not a packed chart (no HFC1 header)")
    (length,) = struct.unpack_from("<I", payload, len(MAGIC))
    start = len(MAGIC) + 4 + length
    numbers = np.frombuffer(payload, dtype="<f8", offset=start)

    def restore(value: Any) -> Any:
        if isinstance(value, dict):
            if value.keys() == {"f8", "shape"} and isinstance(value["f8"], list):
                first, count = value["f8"]
                return numbers[first : first + count].reshape(value["shape"])
            return {key: restore(item) for key, item in value.items()}
        if isinstance(value, list):
            return [restore(item) for item in value]
        return value

    result: dict[str, Any] = restore(json.loads(payload[len(MAGIC) + 4 : start]))
    return result


def _static() -> Path:
    """The viewer's static folder (found without importing the viewer, which needs flask)."""
    spec = find_spec("histfmt_viewer")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise HistfmtError(
            "the interactive chart's scripts are missing (the histfmt_viewer package)"
        )
    return Path(locations[0]) / "static"


def chart_html(
    doc: Document,
    *,
    image: bytes | None = None,
    max_bytes: int | None = None,
    height_hint: int = 560,
) -> str:
    """A self-contained HTML fragment drawing ``doc`` interactively, offline (uPlot, the
    chart scripts and the packed numbers, as base64, inlined): hover, zoom in place, log
    y and the ratio reference; merging bins and hiding samples need the viewer.

    ``image`` (PNG bytes) is shown where scripts do not run, and hidden by the script
    once the chart is drawn. HistfmtError when the packed numbers would exceed
    ``max_bytes``, or the viewer's scripts are missing."""
    if max_bytes is not None:
        floor = 8 * sum(np.size(item.values) for item in doc.yields.values())
        if floor > max_bytes:  # every yield's values at least: too large, before the work
            raise HistfmtError(
                f"the chart's numbers take at least {floor} bytes, more than {max_bytes}"
            )
    payload = pack(chart_data(doc))
    if max_bytes is not None and len(payload) > max_bytes:
        raise HistfmtError(f"the chart's numbers take {len(payload)} bytes, more than {max_bytes}")
    static = _static()
    library = (static / "vendor" / "uplot" / "uPlot.iife.min.js").read_text(encoding="utf-8")
    css = (static / "vendor" / "uplot" / "uPlot.min.css").read_text(encoding="utf-8")
    numbers = (static / "measured.js").read_text(encoding="utf-8")
    script = (static / "chart.js").read_text(encoding="utf-8")
    title = doc.metadata.title if isinstance(doc.metadata.title, str) else ""
    fallback = (
        f'<img class="hf-fallback" src="data:image/png;base64,'
        f'{base64.b64encode(image).decode("ascii")}" alt="{html.escape(title or "plot")}"/>'
        if image is not None
        else ""
    )
    return (
        f'<figure class="histfmt-chart" style="margin:0;min-height:{int(height_hint)}px">'
        f"<style>{css}</style>{fallback}"
        f'<div id="hf-chart" class="hf-chart" data-offline="1" hidden></div>'
        f'<script type="application/octet-stream" class="hf-chart-data">'
        f"{base64.b64encode(payload).decode('ascii')}</script>"
        f"<script>{library}</script><script>{numbers}</script><script>{script}</script>"
        f"<figcaption>{html.escape(title)}</figcaption></figure>"
    )
