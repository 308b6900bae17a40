"""The chart's numbers of a plot page for a view: :func:`histfmt.render.interactive.chart_data`
with the view's parameters (the image's), packed (:func:`histfmt.render.interactive.pack`)
and cached like the images.

A packed chart is kept beside the plot's cached images, by the same rules
(:func:`~histfmt_viewer.images.cached_file`), as ``<cache>/<plot id>/v<version>-<key>.chart``,
so that deleting a plot (:func:`~histfmt_viewer.images.drop_cached`) and the cache's size
bound cover it too; a cached chart is sent without reading the document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from histfmt.model import Document
    from histfmt_viewer.view import View

__all__ = ["cached_chart", "chart_bytes"]


def chart_bytes(doc: Document, view: View) -> bytes:
    """The numbers the browser draws of ``doc`` seen through ``view``, packed;
    HistfmtError naming the parameter when the view does not fit the document."""
    from histfmt.render.interactive import chart_data, pack

    data = chart_data(
        view.apply(doc), rebin=view.rebin, hide=view.hide, logy=view.logy, ratio=view.ratio
    )
    data["view"] = view.query()
    return pack(data)


def cached_chart(
    cache: Path,
    plot_id: str,
    version: int,
    view: View,
    read: Callable[[], Document],
    *,
    max_bytes: int | None = None,
) -> bytes:
    """The packed chart of ``view``, made once and then read from ``cache`` as the
    images are (:func:`~histfmt_viewer.images.cached_file`); ``read`` gives the
    document, on a miss only."""
    from histfmt_viewer.images import cached_file

    name = f"{view.key('chart')}.chart"
    return cached_file(
        cache, plot_id, version, name, lambda: chart_bytes(read(), view), max_bytes=max_bytes
    )
