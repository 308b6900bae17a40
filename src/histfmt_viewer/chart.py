"""The chart's numbers of a plot page for a view: :func:`histfmt.render.interactive.chart_data`
with the view's parameters (the image's), encoded as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from histfmt.model import Document
    from histfmt_viewer.view import View

__all__ = ["chart_json"]


def chart_json(doc: Document, view: View) -> bytes:
    """The numbers the browser draws of ``doc`` seen through ``view``, as JSON bytes;
    HistfmtError naming the parameter when the view does not fit the document."""
    from histfmt.render.interactive import chart_data, encode

    data = chart_data(
        view.apply(doc), rebin=view.rebin, hide=view.hide, logy=view.logy, ratio=view.ratio
    )
    data["view"] = view.query()
    return encode(data)
