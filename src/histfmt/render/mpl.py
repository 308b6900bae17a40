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
from histfmt.render.decorations import margins, panels
from histfmt.render.labels import bad_labels, drawing_issues
from histfmt.render.lock import MATPLOTLIB_LOCK
from histfmt.render.looks import EXPERIMENTS, look_for, room_above
from histfmt.render.maps import draw_maps, drawn_as_maps, map_size
from histfmt.render.options import FORMATS, ImageFormat, RenderOptions
from histfmt.render.plot import draw_panels, shown_ratios
from histfmt.render.style import rc_for, style_named, text_scale
from histfmt.shown import Shown

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["figure", "render", "save", "style_name", "with_label_fallback"]


def style_name(doc: Document, options: RenderOptions) -> str:
    """The style drawn: the option, else the experiment the badge names, else 'default'."""
    if options.style is not None:
        return style_named(options.style)
    brand = doc.badge.brand if not isinstance(doc.badge, UnsetType) else None
    return brand if isinstance(brand, str) and brand in EXPERIMENTS else "default"


@contextmanager
def _rc(style: str, width: float) -> Iterator[None]:
    from histfmt.render.styled import in_style

    with in_style(rc_for(style, width)):
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
    """Draw ``doc`` on a new :class:`matplotlib.figure.Figure` (never pyplot).

    The figure draws in the document's style wherever it is saved: ``fig.savefig``
    gives the image :func:`render` gives. Its ``histfmt_artists`` (a
    :class:`~histfmt.render.plot.PlotArtists`) holds what was drawn.
    """
    options = options or RenderOptions()
    fig: Figure = with_label_fallback(doc, options, lambda escape: _build(doc, options, escape))
    return fig


def with_label_fallback(
    doc: Document, options: RenderOptions, make: Any, *, width: float | None = None
) -> Any:
    """Run ``make(escape)`` in the document's style (its sizes for a figure ``width``
    inches wide, by default the document's own); on invalid mathtext, either raise
    (``strict_labels``) or draw the offending labels literally."""
    if options.strict_labels:
        issues = drawing_issues(doc)
        if issues:
            raise ValidationError(issues)
    width = _size(doc, options)[0] if width is None else width
    with MATPLOTLIB_LOCK, _rc(style_name(doc, options), width):
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


def _build(doc: Document, options: RenderOptions, escape: frozenset[str] = frozenset()) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from histfmt.render.styled import StyledFigure

    shown = Shown(doc, rebin=options.rebin, project=options.project)
    ratio_items = shown_ratios(doc, options.hide)
    with_ratio = bool(ratio_items) if options.ratio is None else options.ratio and bool(ratio_items)
    style = style_name(doc, options)
    size = _size(doc, options)
    rc = rc_for(style, size[0])
    if shown.two_d:
        drawn = ratio_items if with_ratio else []
        units = look_for(style).units
        return draw_maps(doc, shown, options, escape, size, ratio=drawn, rc=rc, units=units)
    fig = StyledFigure(figsize=_size(shown.doc, options), dpi=options.dpi, rc=rc)
    FigureCanvasAgg(fig)
    above = room_above(shown.doc, look_for(style), text_scale(style, size[0]))
    margins(fig, categories=shown.binning.tick_labels, above=above)
    ax, comparison = panels(fig, shown.doc.layout, with_ratio=with_ratio)
    fig.histfmt_artists = draw_panels(  # type: ignore[attr-defined]
        ax, comparison, shown, options, escape=escape,
        ratio_items=ratio_items if with_ratio else [], style=style,
    )  # fmt: skip
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

    result: bytes = with_label_fallback(doc, options, draw)
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
