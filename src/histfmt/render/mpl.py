"""Images of documents with matplotlib (+ mplhep for experiment badges and styles).

Only ``matplotlib.figure.Figure`` is used, never pyplot: the same code serves the
command line, notebooks and the web viewer, and nothing is left open. Every band
and every stack layer is one artist whatever the bin count (``stairs`` polygons
and one errorbar collection), so drawing cost does not grow like uhepp's
one-patch-per-bin.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import UnsetType

from histfmt.errors import HistfmtError, ValidationError
from histfmt.model import Document
from histfmt.render.artists import Decimator
from histfmt.render.decorations import (
    axis_labels,
    badge,
    color_cycle,
    comparison_axis,
    margins,
    panels,
    place_legend_and_headroom,
    readable_log_ticks,
)
from histfmt.render.labels import bad_labels, drawing_issues, kind_label
from histfmt.render.lock import MATPLOTLIB_LOCK
from histfmt.render.maps import draw_maps, drawn_as_maps, map_size
from histfmt.render.options import FORMATS, ImageFormat, RenderOptions
from histfmt.render.painter import Painter, draw_graph, draw_hline, draw_vline
from histfmt.render.style import rc_for
from histfmt.shown import Shown

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["figure", "render", "save"]

KNOWN_BRANDS = {"ATLAS", "CMS", "LHCb", "ALICE"}


def _style_name(doc: Document, options: RenderOptions) -> str:
    if options.style is not None:
        return options.style
    brand = doc.badge.brand if not isinstance(doc.badge, UnsetType) else None
    return brand if isinstance(brand, str) and brand in KNOWN_BRANDS else "default"


@contextmanager
def _rc(style: str, width: float) -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(rc_for(style, width)):  # type: ignore[arg-type]
        yield


DEFAULT_WIDTH = 6.0


def _size(doc: Document, options: RenderOptions) -> tuple[float, float]:
    """Figure size: the option, the document's layout, or 6 x 6 in (6 x 4.5 without
    ratio; maps: see :func:`histfmt.render.maps.map_size`)."""
    if options.size is not None:
        return options.size
    if not isinstance(doc.layout.size, UnsetType):
        return (float(doc.layout.size[0]), float(doc.layout.size[1]))
    if drawn_as_maps(doc, options):
        return map_size(doc, options)
    with_ratio = bool(doc.ratio) and options.ratio is not False
    return (DEFAULT_WIDTH, DEFAULT_WIDTH if with_ratio else 0.75 * DEFAULT_WIDTH)


def figure(doc: Document, /, *, options: RenderOptions | None = None) -> Figure:
    """Draw ``doc`` on a new :class:`matplotlib.figure.Figure` (never pyplot)."""
    options = options or RenderOptions()
    fig: Figure = _with_label_fallback(doc, options, lambda escape: _build(doc, options, escape))
    return fig


def _with_label_fallback(doc: Document, options: RenderOptions, make: Any) -> Any:
    """Run ``make(escape)`` in the document's style; on invalid mathtext, either raise
    (``strict_labels``) or draw the offending labels literally."""
    if options.strict_labels:
        issues = drawing_issues(doc)
        if issues:
            raise ValidationError(issues)
    with MATPLOTLIB_LOCK, _rc(_style_name(doc, options), _size(doc, options)[0]):
        try:
            return make(frozenset())
        except ValueError as error:
            escape = bad_labels(doc)
            if not escape:
                raise HistfmtError(f"cannot draw this document: {error}") from None
        try:
            return make(escape)
        except ValueError as error:
            raise HistfmtError(f"cannot draw this document: {error}") from None


def _shown_ratios(doc: Document, hide: frozenset[str]) -> list[Any]:
    """The ratio items without the hidden yields: a ratio compares what is drawn, and an
    item is left out only when one of its sides has nothing left."""
    import msgspec

    shown = []
    for item in doc.ratio:
        numerator = [ref for ref in item.numerator if ref.partition("/")[0] not in hide]
        denominator = [ref for ref in item.denominator if ref.partition("/")[0] not in hide]
        if numerator and (denominator or not item.denominator):
            shown.append(
                msgspec.structs.replace(item, numerator=numerator, denominator=denominator)
            )
    return shown


def _build(doc: Document, options: RenderOptions, escape: frozenset[str] = frozenset()) -> Figure:
    from matplotlib.figure import Figure

    shown = Shown(doc, rebin=options.rebin, project=options.project)
    ratio_items = _shown_ratios(doc, options.hide)
    with_ratio = bool(ratio_items) if options.ratio is None else options.ratio and bool(ratio_items)
    if shown.two_d:
        drawn = ratio_items if with_ratio else []
        return draw_maps(doc, shown, options, escape, _size(doc, options), ratio=drawn)
    doc = shown.doc  # a projection of a 2-D document is drawn as its 1-D document
    painter = Painter(doc, shown, options, escape)
    fig = Figure(figsize=_size(doc, options), dpi=options.dpi)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    margins(fig, categories=shown.binning.tick_labels)
    ax, comparison = panels(fig, doc.layout, with_ratio=with_ratio)
    columns = int(fig.get_figwidth() * options.dpi * (fig.subplotpars.right - fig.subplotpars.left))
    if shown.binning.n > 2 * columns and not shown.categorical:
        painter.decimate = Decimator(shown.binning.edges, columns, log=doc.x.log)
    colors = iter(color_cycle())
    for stack in doc.stacks:
        painter.stack(ax, stack, colors)
    for graph in doc.graphs:
        draw_graph(ax, graph, painter)
    logy = doc.y_axis.log if options.logy is None else options.logy
    if logy:
        ax.set_yscale("log")
    if doc.x.log:
        ax.set_xscale("log")
        readable_log_ticks(ax.xaxis, shown.binning.edges)
    axis_labels(ax, comparison, doc, shown, painter)
    if comparison is not None:
        low, high = painter.comparison(comparison, ratio_items)
        alone = [ref for item in ratio_items if not item.denominator for ref in item.numerator]
        drawn_as_is = len(alone) == sum(len(item.numerator) for item in ratio_items)
        default = kind_label(shown.kind(alone)) if drawn_as_is else None
        hidden = options.hide & {
            ref.partition("/")[0] for item in doc.ratio for ref in item.numerator + item.denominator
        }
        comparison_axis(
            doc, comparison, low, high, painter, default=default, fixed=not hidden
        )  # a hidden sample changes the comparison: the document's range no longer fits it
        painter.off_scale(comparison)
    for line in doc.v_lines:
        for axis in [a for a in (ax, comparison) if a is not None]:
            draw_vline(axis, line, main=axis is ax)
    for h_line in doc.h_lines:
        draw_hline(ax, h_line)
    badge_artists = badge(ax, doc, painter)
    place_legend_and_headroom(ax, painter, badge_artists, logy=bool(logy))
    fig.align_ylabels()
    return fig


def render(
    doc: Document, /, *, format: ImageFormat = "png", options: RenderOptions | None = None
) -> bytes:
    """The image of ``doc`` as bytes (PNG, SVG or PDF). The figure is closed afterwards."""
    if format not in FORMATS:
        raise HistfmtError(f"unknown image format {format!r}; choose one of {', '.join(FORMATS)}")
    options = options or RenderOptions()

    def draw(escape: frozenset[str]) -> bytes:
        fig = _build(doc, options, escape)
        buffer = io.BytesIO()
        try:
            fig.savefig(buffer, format=format, dpi=options.dpi, metadata=_NO_STAMP[format])
        finally:
            fig.clear()
        return buffer.getvalue()

    result: bytes = _with_label_fallback(doc, options, draw)
    return result


# No software version or date in the files: identical inputs give identical images.
_NO_STAMP: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
}


def save(doc: Document, path: str | Path, /, *, format: ImageFormat | None = None,
         options: RenderOptions | None = None) -> Path:  # fmt: skip
    """Render ``doc`` to ``path`` atomically; the format defaults to the suffix."""
    from histfmt.io import atomic_write

    target = Path(path)
    chosen: Any = format or target.suffix.lstrip(".").lower() or "png"
    if chosen not in FORMATS:
        raise HistfmtError(
            f"cannot tell the image format from {target.name!r}; use .png, .svg or .pdf"
        )
    atomic_write(target, render(doc, format=chosen, options=options))
    return target
