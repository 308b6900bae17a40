"""The notebook display of a document: the plot drawn once, a short summary beside it.

The plot is the interactive chart (:func:`histfmt.render.interactive.chart_html`: uPlot,
the chart scripts and the numbers inlined, so it works offline) when its packed numbers
fit :data:`CHART_MAX_BYTES`, with the PNG inside it as the picture where scripts do not
run (an untrusted notebook, a notebook rendered on GitHub or converted without
JavaScript), hidden by the script once the chart is drawn. Above the limit, or when the
chart cannot be made (any HistfmtError), the PNG alone.
"""

from __future__ import annotations

import base64
import html
from typing import Any

from histfmt.errors import HistfmtError
from histfmt.model import Document

__all__ = ["CHART_MAX_BYTES", "notebook_html"]

_MOST_YIELDS = 8

CHART_MAX_BYTES = 1_000_000
"""The largest packed chart inlined in a notebook (float64 numbers: about 4,000 bins of
ten samples with their uncertainties); it is stored in the notebook as base64 (4/3 of it)."""


def notebook_html(
    doc: Document, /, *, dpi: float = 80.0, max_chart_bytes: int = CHART_MAX_BYTES
) -> str | None:
    """The interactive chart (with its PNG for where scripts do not run) or, above
    ``max_chart_bytes`` of numbers or when the chart cannot be made, one PNG; beside
    it a summary table: title, binning, √s and luminosity, the yields' totals. None
    when neither can be drawn."""
    png = _png(doc, dpi)
    try:
        from histfmt.render.interactive import chart_html

        plot = chart_html(doc, image=png, max_bytes=max_chart_bytes)
    except (ImportError, HistfmtError):
        if png is None:
            return None
        plot = (
            f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="plot"/>'
        )
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in _facts(doc)
    )
    return (
        '<div class="histfmt" style="display:flex;gap:1em;align-items:flex-start">'
        f'<div style="flex:1 1 auto;min-width:0">{plot}</div>'
        f'<table style="font-size:small">{rows}</table></div>'
    )


def _png(doc: Document, dpi: float) -> bytes | None:
    """The image, or None when matplotlib is missing or the plot cannot be drawn."""
    try:
        from histfmt.render.mpl import render
        from histfmt.render.options import RenderOptions

        return render(doc, options=RenderOptions(dpi=dpi))
    except (ImportError, HistfmtError):
        return None


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
