"""Pieces of the export: one histfmt field (style, axis, line, metadata...) as uhepp keys."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np
from msgspec import UnsetType

from histfmt.convert.uhepp.common import ERRORS_OUT, TYPES_OUT, tag_list
from histfmt.errors import HistfmtError
from histfmt.model import (
    Asymmetric,
    Document,
    HLine,
    RatioAxis,
    RatioItem,
    Stack,
    Style,
    VLine,
    YAxis,
)

__all__ = [
    "drawn_out",
    "fresh",
    "limits",
    "lines_out",
    "metadata_out",
    "num",
    "put",
    "style_out",
    "symmetric",
    "text",
]

_LINE_STYLE = ("color", "edgecolor", "linestyle", "linewidth")


def drawn_out(item: Stack | RatioItem) -> dict[str, Any]:
    return {
        "type": TYPES_OUT[item.type],
        "error": ERRORS_OUT[item.error],
        "x_errorbar": item.x_errorbar,
        "keep_zero": item.keep_zero,
    }


def limits(axis: YAxis | RatioAxis, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    put(result, label=text(axis.label), min=num(axis.min), max=num(axis.max), **extra)
    return result


def lines_out(lines: list[VLine] | list[HLine], position: str) -> list[dict[str, Any]] | None:
    result = []
    for line in lines:
        out: dict[str, Any] = {position: getattr(line, position)}
        put(out, range=None if isinstance(line.range, UnsetType) else list(line.range))
        style_out(out, line.style, _LINE_STYLE)
        result.append(out)
    return result or None


def text(value: str | UnsetType | None) -> str | None:
    return value if isinstance(value, str) else None


def num(value: float | UnsetType) -> float | None:
    return None if isinstance(value, UnsetType) else value


def put(target: dict[str, Any], **values: Any) -> None:
    """Set the keys whose value is not None."""
    target.update({key: value for key, value in values.items() if value is not None})


def fresh(name: str, taken: Mapping[str, Any]) -> str:
    """``name``, or ``name_2``, ``name_3``, ... if taken."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}_{number}"
    return candidate


def symmetric(value: Any) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    """A symmetric uncertainty; the larger side of an asymmetric one."""
    if isinstance(value, UnsetType) or value is None:
        return None
    if isinstance(value, Asymmetric):
        return np.fmax(np.asarray(value.up), np.asarray(value.down))
    return np.asarray(value, dtype=np.float64)


def style_out(target: dict[str, Any], style: Style, keys: tuple[str, ...]) -> None:
    """The style keys uhepp accepts for this kind of item; colours it cannot read are errors."""
    result = {key: getattr(style, key) for key in keys}
    result = {key: value for key, value in result.items() if not isinstance(value, UnsetType)}
    for key in ("color", "edgecolor"):
        if key in result and not _is_color(result[key]):
            raise HistfmtError(f"style.{key}: uhepp cannot read the colour {result[key]!r}")
    if result:
        target["style"] = result


def _is_color(value: str) -> bool:
    try:
        from matplotlib.colors import is_color_like
    except ImportError:  # pragma: no cover - uhepp itself needs matplotlib
        return True
    return bool(is_color_like(value))


_LUMI_IN_IFB = {"ab-1": (1000.0, 1.0), "fb-1": (1.0, 1.0), "pb-1": (1.0, 1e3), "nb-1": (1.0, 1e6)}


def metadata_out(doc: Document) -> dict[str, Any]:
    meta = doc.metadata
    extra = meta.extra
    when = text(meta.date) or extra.get("uhepp_date")
    result: dict[str, Any] = {
        "filename": text(meta.filename) or "unnamed",
        "date": when if isinstance(when, str) else datetime.now().astimezone().isoformat(),
    }
    put(result, author=text(meta.author), producer=text(meta.producer))
    put(result, code_revision=text(meta.code_revision))
    put(result, event_selection=text(meta.event_selection))
    original = extra.get("uhepp_tags")
    as_object = {original: ""} if isinstance(original, str) else original
    if isinstance(as_object, dict) and tag_list(as_object) == meta.tags:
        result["tags"] = original  # exactly as read
    else:
        pairs = (tag.partition("=") for tag in meta.tags)
        result["tags"] = {key: value for key, _, value in pairs}
    if not isinstance(meta.luminosity, UnsetType):
        times, per = _LUMI_IN_IFB[meta.luminosity.unit]
        result["lumi_ifb"] = meta.luminosity.value * times / per
    if not isinstance(meta.sqrt_s, UnsetType):
        energy = meta.sqrt_s
        result["Ecm_TeV"] = energy.value / 1000 if energy.unit == "GeV" else energy.value
    return result
