"""The chart's numbers of a plot page for a view: :func:`histfmt.render.interactive.chart_data`
with the view's parameters (the image's), packed (:func:`histfmt.render.interactive.pack`)
and cached like the images.

A packed chart is kept beside the plot's cached images,
``<cache>/<plot id>/v<version>-<key>.chart`` (written to a ``.tmp*`` file and renamed),
so that deleting a plot (:func:`~histfmt_viewer.images.drop_cached`) and the cache's size
bound (:func:`~histfmt_viewer.images.prune_cache`) cover it too; a cached chart is sent
without reading the document.
"""

from __future__ import annotations

import secrets
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
    """The packed chart of ``view``, made once and then read from ``cache``; ``read``
    gives the document, on a miss only. With ``max_bytes`` the cache is pruned after
    a write (as the images' writes do)."""
    from histfmt_viewer.images import prune_cache

    target = cache / plot_id / f"v{version}-{view.key('chart')}.chart"
    try:
        return target.read_bytes()
    except FileNotFoundError:
        pass
    data = chart_bytes(read(), view)
    temporary = target.with_name(f"{target.name}.tmp{secrets.token_hex(8)}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        temporary.replace(target)  # a concurrent reader sees all of it or nothing
    except OSError:  # not cached this time (a read-only or vanished folder)
        temporary.unlink(missing_ok=True)
        return data
    if max_bytes is not None:
        prune_cache(cache, max_bytes)
    return data
