"""The interactive chart: the numbers a browser draws, and a self-contained HTML page.

:func:`chart_data` is a document seen through the image's render-time choices
(rebin, hidden samples, log y, ratio panel) as plain JSON, computed with
:class:`histfmt.shown.Shown` and the image's own comparison rule
(:func:`histfmt.render.artists.compare`): the viewer's chart and its PNG/SVG/PDF of one
address show the same bins, values and uncertainties. The viewer's
``static/chart.js`` draws it with uPlot (``static/vendor/uplot``); :func:`chart_html`
inlines both and the numbers into one offline page (a notebook's display).

1-D (or a 2-D document's projection): ``edges``, one entry per stack layer in
``samples`` (its own value, stat and syst uncertainty and per-variation shifts, and the
drawn running total with the stack's band), ``prediction`` (the total of the filled or
step stacks, with its band), ``data`` (the points layers) and the document's ``ratio``
items. 2-D maps: ``x_edges``, ``y_edges`` and one ``cells`` array (x by y) per map.
"""

from __future__ import annotations

import html
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

__all__ = ["chart_data", "chart_html", "encode"]


def _numbers(array: Any) -> Array:
    """A float array as :func:`encode` writes it (NaN and infinities as null)."""
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
    plain values and numpy arrays (:func:`encode` writes them as JSON). A stack's
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
    }


def encode(data: dict[str, Any]) -> bytes:
    """:func:`chart_data` as JSON bytes (NaN and infinities as null)."""
    import orjson

    return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY)


def _static() -> Path:
    """The viewer's static folder (found without importing the viewer, which needs flask)."""
    spec = find_spec("histfmt_viewer")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise HistfmtError(
            "the interactive chart's scripts are missing (the histfmt_viewer package)"
        )
    return Path(locations[0]) / "static"


def chart_html(doc: Document, *, height_hint: int = 560) -> str:
    """A self-contained HTML fragment drawing ``doc`` interactively, offline (uPlot, the
    chart script and the numbers inlined): hover, zoom in place, log y and the ratio
    reference; merging bins and hiding samples need the viewer."""
    static = _static()
    library = (static / "vendor" / "uplot" / "uPlot.iife.min.js").read_text(encoding="utf-8")
    css = (static / "vendor" / "uplot" / "uPlot.min.css").read_text(encoding="utf-8")
    script = (static / "chart.js").read_text(encoding="utf-8")
    numbers = encode(chart_data(doc)).decode("utf-8").replace("</", "<\\/")
    title = doc.metadata.title if isinstance(doc.metadata.title, str) else ""
    return (
        f'<figure class="histfmt-chart" style="min-height:{int(height_hint)}px">'
        f"<style>{css}</style>"
        f'<div id="hf-chart" class="hf-chart" data-offline="1" hidden></div>'
        f'<script type="application/json" class="hf-chart-data">{numbers}</script>'
        f"<script>{library}</script><script>{script}</script>"
        f"<figcaption>{html.escape(title)}</figcaption></figure>"
    )
