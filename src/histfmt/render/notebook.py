"""The notebook display of a document: the plot drawn once, a short summary beside it."""

from __future__ import annotations

import base64
import html
from typing import Any

from histfmt.errors import HistfmtError
from histfmt.model import Document

__all__ = ["notebook_html"]

_MOST_YIELDS = 8


def notebook_html(doc: Document, /, *, dpi: float = 80.0) -> str | None:
    """One PNG (inline) and a summary table: title, binning, √s and luminosity, the
    yields' totals. None when the plot cannot be drawn (matplotlib missing)."""
    try:
        from histfmt.render.mpl import render
        from histfmt.render.options import RenderOptions

        png = render(doc, options=RenderOptions(dpi=dpi))
    except (ImportError, HistfmtError):
        return None
    image = base64.b64encode(png).decode("ascii")
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in _facts(doc)
    )
    return (
        '<div class="histfmt" style="display:flex;gap:1em;align-items:flex-start">'
        f'<img src="data:image/png;base64,{image}" alt="plot"/>'
        f'<table style="font-size:small">{rows}</table></div>'
    )


def _facts(doc: Document) -> list[tuple[str, str]]:
    from histfmt.summary import summarize

    summary = summarize(doc)
    meta = summary["metadata"]
    facts = [("histfmt", str(summary["format"]))]
    if meta["title"]:
        facts.append(("title", str(meta["title"])))
    for name in ("x", "y"):
        axis = summary.get(name)
        if axis:
            facts.append((name, _binning(axis)))
    energy, lumi = meta["sqrt_s"], meta["luminosity"]
    if energy or lumi:
        parts = [f"√s = {energy['value']:g} {energy['unit']}"] if energy else []
        parts += [f"{lumi['value']:g} {lumi['unit']}"] if lumi else []
        facts.append(("data", ", ".join(parts)))
    yields = summary["yields"]
    for entry in yields[:_MOST_YIELDS]:
        total = entry.get("total")
        facts.append((str(entry["name"]), _number(total)))
    if len(yields) > _MOST_YIELDS:
        facts.append(("…", f"{len(yields) - _MOST_YIELDS} more yields"))
    return facts


def _binning(axis: dict[str, Any]) -> str:
    if axis["categories"] is not None:
        return f"{len(axis['categories'])} categories"
    unit = f" {axis['unit']}" if axis["unit"] else ""
    span = axis["range"]
    where = f" from {span[0]:g} to {span[1]:g}{unit}" if span else ""
    return f"{axis['bins']} bins{where}"


def _number(total: float | None) -> str:
    if total is None:
        return "-"
    return f"{total:,.0f}" if abs(total) >= 1000 else f"{total:.4g}"
