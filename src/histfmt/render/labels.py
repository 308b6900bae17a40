"""Untrusted text made safe for matplotlib, and the axis labels composed from fields."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
from msgspec import UnsetType

from histfmt.errors import Issue, format_path
from histfmt.model import Axis, Document
from histfmt.render.lock import MATPLOTLIB_LOCK

__all__ = [
    "KIND_LABELS",
    "MAX_DRAWN_LENGTH",
    "Units",
    "axis_title",
    "bad_labels",
    "drawing_issues",
    "kind_label",
    "safe_text",
    "style_problem",
    "x_label",
    "y_label",
]

MAX_DRAWN_LENGTH = 300
MAX_LEGEND_LENGTH = 60
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")


@functools.lru_cache(maxsize=4096)
def mathtext_problem(text: str) -> str | None:
    """Why matplotlib cannot draw ``text`` (None when it can).

    The parse holds :data:`MATPLOTLIB_LOCK`: parsed from two threads at once, valid
    mathtext fails, and the cache would keep that wrong verdict.
    """
    if not _UNESCAPED_DOLLAR.search(text):
        return None
    if len(_UNESCAPED_DOLLAR.findall(text)) % 2:
        return "unbalanced '$' (write '\\$' for a literal dollar sign)"
    from matplotlib.font_manager import FontProperties
    from matplotlib.mathtext import MathTextParser

    try:
        with MATPLOTLIB_LOCK:
            MathTextParser("path").parse(text, dpi=72, prop=FontProperties())
    except Exception as exc:
        first = str(exc).strip().splitlines()
        return "invalid mathtext: " + (first[-1] if first else type(exc).__name__)
    return None


def safe_text(text: str, *, escape: bool = False, limit: int = MAX_DRAWN_LENGTH) -> str:
    """``text`` ready to draw: no control characters, at most ``limit`` characters,
    balanced ``$``. ``escape`` draws every dollar sign literally (the fallback for
    invalid mathtext)."""
    cleaned = _CONTROL.sub("", text)
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    if escape or len(_UNESCAPED_DOLLAR.findall(cleaned)) % 2:
        cleaned = _UNESCAPED_DOLLAR.sub(r"\\$", cleaned)
    return cleaned


def style_problem(key: str, value: object) -> str | None:
    """Why matplotlib cannot use ``value`` as style ``key`` (None when it can)."""
    if key in ("color", "edgecolor"):
        from matplotlib.colors import is_color_like

        return None if is_color_like(value) else f"{value!r} is not a colour"
    if key == "marker":
        from matplotlib.markers import MarkerStyle

        try:
            with MATPLOTLIB_LOCK:  # a "$...$" marker is parsed as mathtext
                MarkerStyle(value)  # type: ignore[arg-type]
        except (ValueError, TypeError):
            return f"{value!r} is not a marker"
    return None


def _labels(doc: Document) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string of a document that the renderer draws, with its path."""
    for name in ("x", "y"):
        axis = getattr(doc, name)
        if isinstance(axis, UnsetType):
            continue
        for key in ("label", "symbol", "unit"):
            value = getattr(axis, key)
            if isinstance(value, str):
                yield (name, key), value
        for key in ("categories", "labels"):
            texts = getattr(axis, key)
            if not isinstance(texts, UnsetType):
                for i, text in enumerate(texts):
                    if isinstance(text, str):
                        yield (name, key, i), text
    for key in ("y_axis", "ratio_axis", "z_axis"):
        value = getattr(doc, key).label
        if isinstance(value, str):
            yield (key, "label"), value
    for name, item in doc.yields.items():
        if isinstance(item.label, str):
            yield ("yields", name, "label"), item.label
    for i, stack in enumerate(doc.stacks):
        for j, layer in enumerate(stack.content):
            if isinstance(layer.label, str):
                yield ("stacks", i, "content", j, "label"), layer.label
    drawn: list[tuple[str, list[Any]]] = [
        ("ratio", doc.ratio),
        ("v_lines", doc.v_lines),
        ("h_lines", doc.h_lines),
        ("graphs", doc.graphs),
    ]
    for key, items in drawn:
        for i, entry in enumerate(items):
            if isinstance(entry.label, str):
                yield (key, i, "label"), entry.label
    if not isinstance(doc.badge, UnsetType):
        for key in ("brand", "label", "subtext"):
            value = getattr(doc.badge, key)
            if isinstance(value, str):
                yield ("badge", key), value
    if isinstance(doc.metadata.title, str):
        yield ("metadata", "title"), doc.metadata.title


def drawing_issues(doc: Document) -> list[Issue]:
    """Everything matplotlib would choke on: invalid mathtext (e.g. ``$\\frac{$``),
    unknown colours and markers, each with its JSON path."""
    issues = []
    for path, text in _labels(doc):
        problem = mathtext_problem(safe_text(text))
        if problem:
            issues.append(Issue(format_path(path), problem))
    for path, style in _styles(doc):
        for key in ("color", "edgecolor", "marker"):
            value = getattr(style, key)
            if isinstance(value, str):
                problem = style_problem(key, value)
                if problem:
                    issues.append(Issue(format_path((*path, key)), problem))
    return issues


def bad_labels(doc: Document) -> frozenset[str]:
    """The label strings whose mathtext does not parse."""
    return frozenset(text for _, text in _labels(doc) if mathtext_problem(safe_text(text)))


def _styles(doc: Document) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    for i, stack in enumerate(doc.stacks):
        for j, layer in enumerate(stack.content):
            yield ("stacks", i, "content", j, "style"), layer.style
    for key in ("ratio", "v_lines", "h_lines", "graphs"):
        for i, entry in enumerate(getattr(doc, key)):
            yield (key, i, "style"), entry.style


Units = Literal["[]", "()"]
"""How a style writes an axis title's unit: ``m [GeV]`` or ``m (GeV)``."""


def x_label(doc: Document, *, units: Units = "[]") -> str:
    """``label symbol [unit]`` (or the style's ``(unit)``) from the x axis fields."""
    return axis_title(doc.x, units=units)


def axis_title(x: Axis, *, units: Units = "[]") -> str:
    """``label symbol [unit]`` from an axis' fields; ``units`` is the style's
    convention, which ``unit_in_brackets`` overrides with ``[unit]``."""
    words = [w for w in (x.label, x.symbol) if isinstance(w, str) and w]
    text = " ".join(words) or (x.name if isinstance(x.name, str) else "")
    if isinstance(x.unit, str) and x.unit:
        opening, closing = "[]" if x.unit_in_brackets else units
        text += f" {opening}{x.unit}{closing}"
    return text


def _fmt(value: float) -> str:
    return f"{value:.3g}"


KIND_LABELS = {"mean": "Mean", "efficiency": "Efficiency"}
"""The default y (or z) label when every drawn yield is a mean or an efficiency."""


def y_label(
    doc: Document,
    widths: Any,
    *,
    density_width: float | None,
    density: bool,
    kind: str = "count",
) -> str:
    """The y label: given, 'Mean' / 'Efficiency' when every drawn yield is one, or
    'Events / <width> <unit>' derived from the drawn bins."""
    unit = doc.x.unit if isinstance(doc.x.unit, str) else ""
    widths = np.asarray(widths, dtype=np.float64)
    categorical = not isinstance(doc.x.categories, UnsetType)
    if density:
        per = "" if categorical else f" / {unit}" if unit else ""
        default = f"Fraction of events{per}"
        suffix = ""
    elif density_width and not categorical:
        suffix = f" / {_fmt(density_width)} {unit}".rstrip()
        default = "Events" + suffix
    elif categorical:
        default, suffix = "Events", ""
    elif widths.size and np.allclose(widths, widths[0], rtol=1e-6, atol=0):
        suffix = f" / {_fmt(float(widths[0]))} {unit}".rstrip()
        default = "Events" + suffix
    else:
        default, suffix = "Events / bin", " / bin"
    given = doc.y_axis.label
    if isinstance(given, str):
        return given + (suffix if doc.y_axis.append_unit else "")
    if not doc.x.binned:  # graphs only: no bins, so no 'Events / bin'
        return ""
    return kind_label(kind) or default


def kind_label(kind: str) -> str | None:
    """'Mean', 'Efficiency' or 'Efficiency / Mean' for yields that are not counts."""
    parts = [KIND_LABELS.get(part) for part in kind.split("+")]
    return None if None in parts else " / ".join(p for p in parts if p)
