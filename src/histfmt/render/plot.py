"""Drawing a 1-D document into axes: histfmt's own figure's, or a user's.

``plot(doc, ax=ax, ratio_ax=rax)`` draws into axes the user made, so histfmt plots
compose with other matplotlib code; ``histfmt.render.mpl`` draws into axes of its
own figure with the same function, so both give the same artists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from msgspec import UnsetType

from histfmt.errors import HistfmtError
from histfmt.model import Document, RatioItem
from histfmt.render.artists import Decimator
from histfmt.render.decorations import (
    axis_labels,
    badge,
    color_cycle,
    comparison_axis,
    place_legend_and_headroom,
    plain_tick_formatter,
    readable_log_ticks,
)
from histfmt.render.labels import kind_label
from histfmt.render.looks import experiment_label, look_for
from histfmt.render.options import RenderOptions
from histfmt.render.painter import Painter, draw_graph, draw_hline, draw_vline
from histfmt.shown import Shown

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.legend import Legend

__all__ = ["PlotArtists", "draw_panels", "plot", "shown_ratios"]


@dataclass(frozen=True)
class PlotArtists:
    """What one document drew: its axes and the artists on them."""

    figure: Figure | SubFigure
    ax: Axes
    ratio_ax: Axes | None
    main: list[Any] = field(default_factory=list)
    """Every artist drawn on ``ax`` (data, bands, lines, legend, label), in order."""
    comparison: list[Any] = field(default_factory=list)
    """Every artist drawn on ``ratio_ax``."""
    legend: Legend | None = None
    label: list[Any] = field(default_factory=list)
    """The experiment label's texts (or the neutral badge's box)."""


def plot(
    doc: Document,
    /,
    *,
    ax: Axes | None = None,
    ratio_ax: Axes | None = None,
    options: RenderOptions | None = None,
) -> PlotArtists:
    """Draw ``doc`` into ``ax`` (its comparison panel into ``ratio_ax``, if given).

    Without ``ax`` a new figure is made, as :func:`histfmt.render.mpl.figure` does.
    The document's style (or ``options.style``) dresses the axes, and they keep
    drawing in it wherever the figure is saved. 2-D documents draw as maps on a
    figure of their own (``figure(doc)``), or projected (``options.project``).
    """
    from histfmt.render.mpl import figure, style_name, with_label_fallback
    from histfmt.render.style import rc_for
    from histfmt.render.styled import draw_in_style

    options = options or RenderOptions()
    if ax is None:
        if ratio_ax is not None:
            raise HistfmtError("ratio_ax needs ax: pass the main panel's axes too")
        fig: Any = figure(doc, options=options)
        artists: PlotArtists = fig.histfmt_artists
        return artists
    shown = Shown(doc, rebin=options.rebin, project=options.project)
    if shown.two_d:
        raise HistfmtError(
            "a 2-D document draws as maps on a figure of its own: use "
            "histfmt.render.mpl.figure(doc), or project it (RenderOptions(project='x'))"
        )
    root: Any = ax.get_figure(root=True)
    style = style_name(doc, options)
    width = float(root.get_figwidth())
    rc = rc_for(style, width)

    def attempt(escape: frozenset[str]) -> PlotArtists:
        before = {axes: set(axes.get_children()) for axes in (ax, ratio_ax) if axes is not None}
        try:
            for axes in before:
                _dress(axes)
            if ratio_ax is not None:
                ax.tick_params(labelbottom=False)
            items = shown_ratios(doc, options.hide) if ratio_ax is not None else []
            return draw_panels(
                ax, ratio_ax, shown, options, escape=escape, ratio_items=items, style=style
            )
        except ValueError:
            for axes, children in before.items():
                for artist in set(axes.get_children()) - children:
                    artist.remove()
            raise

    result: PlotArtists = with_label_fallback(doc, options, attempt, width=width)
    for axes in (ax, ratio_ax):
        if axes is not None:
            draw_in_style(axes, rc)
    return result


def _dress(ax: Axes) -> None:
    """A user's axes in the style in effect: ticks, frame, number format, and the fonts of
    the axis titles and the 'x10^n' (made with the axes, in the rcParams of that time)."""
    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import AutoMinorLocator

    rc: Any = matplotlib.rcParams
    ax.tick_params(which="both", reset=True)  # the tick defaults of the style in effect
    for name, axis in (("xtick", ax.xaxis), ("ytick", ax.yaxis)):
        if rc[f"{name}.minor.visible"] and axis.get_scale() == "linear":
            axis.set_minor_locator(AutoMinorLocator())
        axis.set_major_formatter(plain_tick_formatter())
        axis.label.set_fontproperties(
            FontProperties(size=rc["axes.labelsize"], weight=rc["axes.labelweight"])
        )
        axis.label.set_color(rc["axes.labelcolor"])
        axis.labelpad = rc["axes.labelpad"]
        axis.offsetText.set_fontproperties(FontProperties(size=rc[f"{name}.labelsize"]))
        color = rc[f"{name}.labelcolor"]
        axis.offsetText.set_color(rc[f"{name}.color"] if color == "inherit" else color)
    for spine in ax.spines.values():
        spine.set_linewidth(rc["axes.linewidth"])


def shown_ratios(doc: Document, hide: frozenset[str]) -> list[RatioItem]:
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


def draw_panels(
    ax: Axes,
    comparison: Axes | None,
    shown: Shown,
    options: RenderOptions,
    *,
    escape: frozenset[str],
    ratio_items: list[RatioItem],
    style: str,
) -> PlotArtists:
    """Draw the 1-D document of ``shown`` on ``ax`` and ``comparison`` (rcParams of
    ``style`` in effect); the same for histfmt's figure and a user's axes."""
    from histfmt.render.style import text_scale

    doc = shown.doc
    before = {a: set(a.get_children()) for a in (ax, comparison) if a is not None}
    look = look_for(style)
    root: Any = ax.get_figure(root=True)
    painter = Painter(doc, shown, options, escape)
    columns = int(ax.get_position().width * root.get_figwidth() * root.dpi)
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
    axis_labels(ax, comparison, doc, shown, painter, units=look.units)
    if comparison is not None:
        comparison.set_xlim(ax.get_xlim())
        if ratio_items:
            _comparison(doc, comparison, painter, options, ratio_items)
    for line in doc.v_lines:
        for axis in [a for a in (ax, comparison) if a is not None]:
            draw_vline(axis, line, main=axis is ax)
    for h_line in doc.h_lines:
        draw_hline(ax, h_line)
    label: Any = None
    inside: list[Any] = []
    if not isinstance(doc.badge, UnsetType):
        if look.brand is None:
            inside = badge(ax, doc, painter)
        else:
            scale = text_scale(style, float(root.get_figwidth()))
            label = experiment_label(ax, doc, painter, look, scale)
            inside = list(label.inside)
    legend = place_legend_and_headroom(ax, painter, inside, logy=bool(logy))
    drawn = inside + (label.place_above() if label is not None else [])
    if comparison is not None:
        root.align_ylabels([ax, comparison])

    def new(axes: Axes | None) -> list[Any]:
        if axes is None:
            return []
        return [a for a in axes.get_children() if a not in before[axes]]

    return PlotArtists(
        figure=ax.get_figure() or root, ax=ax, ratio_ax=comparison, main=new(ax),
        comparison=new(comparison), legend=legend, label=drawn,
    )  # fmt: skip


def _comparison(
    doc: Document,
    comparison: Axes,
    painter: Painter,
    options: RenderOptions,
    ratio_items: list[RatioItem],
) -> None:
    low, high = painter.comparison(comparison, ratio_items)
    alone = [ref for item in ratio_items if not item.denominator for ref in item.numerator]
    drawn_as_is = len(alone) == sum(len(item.numerator) for item in ratio_items)
    default = kind_label(painter.shown.kind(alone)) if drawn_as_is else None
    hidden = options.hide & {
        ref.partition("/")[0] for item in doc.ratio for ref in item.numerator + item.denominator
    }
    comparison_axis(
        doc, comparison, low, high, painter, default=default, fixed=not hidden
    )  # a hidden sample changes the comparison: the document's range no longer fits it
    painter.off_scale(comparison)
