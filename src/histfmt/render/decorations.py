"""Everything around the data: panels, margins, axis labels, badge, legend, limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
from msgspec import UnsetType

from histfmt.model import Document
from histfmt.render.labels import Units, x_label, y_label
from histfmt.shown import Shown

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from histfmt.render.painter import Painter

__all__ = [
    "axis_labels",
    "badge",
    "canvas_renderer",
    "color_cycle",
    "comparison_axis",
    "drawn_refs",
    "margins",
    "nice_ticks",
    "panels",
    "place_legend_and_headroom",
    "plain_tick_formatter",
    "readable_log_ticks",
]


def _lumi_text(doc: Document) -> str | None:
    metadata = doc.metadata
    parts = []
    if not isinstance(metadata.sqrt_s, UnsetType):
        parts.append(f"$\\sqrt{{s}}$ = {metadata.sqrt_s.value:g} {metadata.sqrt_s.unit}")
    if not isinstance(metadata.luminosity, UnsetType):
        value, unit = metadata.luminosity.value, metadata.luminosity.unit
        parts.append(f"{value:g} {unit[:-2]}$^{{\\mathrm{{-1}}}}$")
    return ", ".join(parts) or None


_BRAND_FONT = {  # (brand weight, brand style, label style), after each experiment's rules
    "ATLAS": ("bold", "italic", "normal"),
    "CMS": ("bold", "normal", "italic"),
}


def badge(ax: Axes, doc: Document, painter: Painter, *, outside: bool = False) -> list[Any]:
    """Draw the experiment badge in the top left corner (``outside``: above the
    axes, as over a map); return its artists.

    Laid out with offset boxes, which need no figure draw (mplhep's label helpers
    draw the whole figure to measure, which costs more than the plot itself).
    """
    from matplotlib.offsetbox import AnchoredOffsetbox, HPacker, TextArea, VPacker

    settings = doc.badge
    if isinstance(settings, UnsetType):
        return []
    brand = painter.text(settings.brand) or ""
    label = painter.text(settings.label) or ""
    lumi = _lumi_text(doc) if settings.show_luminosity else None
    subtext = painter.text(settings.subtext)
    weight, brand_style, label_style = _BRAND_FONT.get(brand, ("bold", "normal", "italic"))
    title: list[Any] = [
        TextArea(text, textprops={"weight": w, "style": st, "size": "large"})
        for text, w, st in ((brand, weight, brand_style), (label, "normal", label_style))
        if text
    ]
    rows: list[Any] = [HPacker(children=title, pad=0, sep=5)] if title else []
    rows += [
        TextArea(line, textprops={"size": "medium", "linespacing": 1.3})
        for line in (lumi, subtext)
        if line
    ]
    if not rows:
        return []
    box = AnchoredOffsetbox(
        loc="lower left" if outside else "upper left",
        child=VPacker(children=rows, align="left", pad=0, sep=4),
        frameon=False,
        borderpad=0.0 if outside else 0.8,
        pad=0.2,
        bbox_to_anchor=(0, 1) if outside else None,
        bbox_transform=ax.transAxes if outside else None,
    )
    ax.add_artist(box)
    return [box]


def margins(fig: Figure, *, categories: list[str] | None, above: float = 0.0) -> None:
    """Fixed margins from the font sizes: no layout engine, no measuring draw;
    ``above``: points for a label above the frame."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    rc = matplotlib.rcParams
    label = FontProperties(size=rc["axes.labelsize"]).get_size_in_points()
    ticks = FontProperties(size=rc["ytick.labelsize"]).get_size_in_points()
    xticks = FontProperties(size=rc["xtick.labelsize"]).get_size_in_points()
    width, height = fig.get_size_inches() * 72
    pad = max(float(rc["axes.labelpad"]) - 4.0, 0.0)  # beyond matplotlib's default 4 points
    left = 1.2 * label + 2.8 * ticks + 12 + pad
    bottom = 1.2 * label + 1.3 * xticks + 12 + pad
    if categories:
        longest = max(map(len, categories), default=0)
        if longest > 6:
            bottom += 0.5 * 0.6 * xticks * min(longest, 40)
    fig.subplots_adjust(
        left=left / width,
        right=1 - (0.9 * xticks + 6) / width,
        bottom=bottom / height,
        top=1 - (max(0.7 * ticks, above) + 8) / height,
        hspace=0.0,
    )


# Legend layouts tried in turn: (font size as a share of the style's legend size,
# columns, below the badge); the first that stays inside the frame, clear of the badge,
# and leaves the data LEAST_FILL of the panel wins (else the one that leaves the most).
# The shares are matplotlib's medium, small, x-small and xx-small.
_MEDIUM, _SMALL, _X_SMALL, _XX_SMALL = 1.0, 0.833, 0.694, 0.579
_LEGEND_LAYOUTS = (
    (_MEDIUM, 1, False),
    (_SMALL, 1, False),
    (_SMALL, 2, False),
    (_X_SMALL, 1, False),
    (_X_SMALL, 2, False),
    (_SMALL, 2, True),
    (_X_SMALL, 2, True),
    (_X_SMALL, 3, True),
    (_XX_SMALL, 1, False),
    (_XX_SMALL, 2, False),
    (_XX_SMALL, 2, True),
)
LEAST_FILL = 0.5
"""The highest point drawn reaches at least this share of the main panel's height."""
_GAP = 0.04  # axes fraction between the highest point and the lowest box above it


def place_legend_and_headroom(ax: Axes, painter: Painter, badge: list[Any], *, logy: bool) -> Any:
    """Legend top right (order: data, band, stack top to bottom), in the first layout
    that leaves the data at least half the panel; the y range then puts the highest
    point drawn below the lowest box (badge or legend) as measured on the canvas.
    Returns the legend (None without entries)."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    entries = sorted((e for e in painter.legend if e[1] is not None), key=lambda e: -e[0])
    renderer = canvas_renderer(ax)
    base = FontProperties(size=matplotlib.rcParams["legend.fontsize"]).get_size_in_points()
    legend = None
    to_axes = ax.transAxes.inverted()
    boxes = [a.get_window_extent(renderer).transformed(to_axes) for a in badge]
    badge_bottom = min((b.y0 for b in boxes), default=1.0)
    if entries:
        handles, texts = [e[1] for e in entries], [e[2] for e in entries]

        def draw(layout: tuple[float, int, bool]) -> Any:
            nonlocal legend
            share, ncols, below = layout
            top = badge_bottom - 0.01 if below else 1.0
            legend = ax.legend(
                handles, texts, loc="upper right", ncols=max(ncols, 2 if len(entries) > 8 else 1),
                borderaxespad=0.8, fontsize=round(base * share, 2),
                bbox_to_anchor=(0, 0, 1, top), bbox_transform=ax.transAxes,
            )  # fmt: skip
            return legend.get_window_extent(renderer).transformed(to_axes)

        chosen, room = _LEGEND_LAYOUTS[-1], -1.0
        for layout in _LEGEND_LAYOUTS:
            legend_box = draw(layout)
            if legend_box.x0 < 0 or any(box.overlaps(legend_box) for box in boxes):
                continue
            lowest = min(legend_box.y0, badge_bottom)
            if lowest > room:
                chosen, room = layout, lowest
            if lowest - _GAP >= LEAST_FILL:
                break
        if layout != chosen:
            legend_box = draw(chosen)
        boxes.append(legend_box)
    lowest = min((box.y0 for box in boxes), default=1.0)
    fraction = float(np.clip(lowest - _GAP, LEAST_FILL, 0.95))
    y_axis = painter.doc.y_axis
    top = max(painter.tops, default=1.0) or 1.0
    if logy:
        bottom = min(painter.bottoms, default=0.1) * 0.5
        bottom = y_axis.min if not isinstance(y_axis.min, UnsetType) else bottom
        bottom = bottom if bottom > 0 else 0.1
        span = np.log10(max(top, bottom * 10)) - np.log10(bottom)
        upper = 10 ** (np.log10(bottom) + span / fraction)
    else:
        bottom = y_axis.min if not isinstance(y_axis.min, UnsetType) else 0.0
        upper = bottom + (top - bottom) / fraction
    if not isinstance(y_axis.max, UnsetType):
        upper = y_axis.max
    ax.set_ylim(bottom, upper)
    return legend


def canvas_renderer(ax: Axes) -> Any:
    """The renderer of the figure holding ``ax`` (to measure text without a draw)."""
    fig: Any = ax.get_figure(root=True)
    if hasattr(fig.canvas, "get_renderer"):
        return fig.canvas.get_renderer()
    return fig._get_renderer()


def panels(fig: Figure, layout: Any, *, with_ratio: bool) -> tuple[Axes, Axes | None]:
    """The main panel and, below it and sharing its x axis, the comparison panel."""
    if with_ratio:
        fraction = (
            layout.ratio_fraction if not isinstance(layout.ratio_fraction, UnsetType) else 0.28
        )
        grid = fig.add_gridspec(2, 1, height_ratios=[1 - fraction, fraction])
        ax = fig.add_subplot(grid[0])
        comparison: Axes | None = fig.add_subplot(grid[1], sharex=ax)
        ax.tick_params(labelbottom=False)
    else:
        ax, comparison = fig.add_subplot(), None
    for axis in (ax, comparison):
        if axis is not None:
            axis.yaxis.set_major_formatter(plain_tick_formatter())
            axis.xaxis.set_major_formatter(plain_tick_formatter())
    return ax, comparison


def axis_labels(
    ax: Axes,
    comparison: Axes | None,
    doc: Document,
    shown: Shown,
    painter: Painter,
    *,
    units: Units = "[]",
) -> None:
    """x range, axis titles (units written as the style does) and category tick labels."""
    edges = shown.binning.edges
    lower = doc.x.min if not isinstance(doc.x.min, UnsetType) else float(edges[0])
    upper = doc.x.max if not isinstance(doc.x.max, UnsetType) else float(edges[-1])
    if doc.x.log and lower <= 0:  # a log axis starts at the first positive edge
        positive = edges[edges > 0]
        lower = float(positive[0]) if positive.size and positive[0] < upper else upper / 1e3
    ax.set_xlim(lower, upper)
    label = y_label(
        doc,
        shown.binning.widths,
        density_width=shown.density_width,
        density=shown.density,
        kind=shown.kind(drawn_refs(doc, painter.options.hide)),
    )
    ax.set_ylabel(painter.text(label) or "")
    bottom_axis = comparison if comparison is not None else ax
    bottom_axis.set_xlabel(painter.text(x_label(doc, units=units)) or "")
    if shown.binning.tick_labels is not None:
        labels = [painter.text(t) or "" for t in shown.binning.tick_labels]
        rotation = 30 if max(map(len, labels), default=0) > 6 else 0
        bottom_axis.set_xticks(shown.binning.centers, labels, rotation=rotation)
        for axis in {ax, bottom_axis}:
            axis.tick_params(axis="x", which="minor", bottom=False, top=False)


def drawn_refs(doc: Document, hide: frozenset[str]) -> list[str]:
    """The references of every stack layer drawn (hidden yields left out)."""
    return [
        ref
        for stack in doc.stacks
        for layer in stack.content
        if not set(layer.yields) & hide
        for ref in layer.yields
    ]


def readable_log_ticks(axis: Any, edges: Any) -> None:
    """On a log axis spanning few decades, label 1-2-5 ticks with plain numbers."""
    from matplotlib.ticker import FuncFormatter

    positive = edges[edges > 0]
    if positive.size < 2 or np.log10(positive[-1] / positive[0]) > 2.5:
        return

    def label(value: float, _: int | None = None) -> str:
        leading = round(value / 10 ** np.floor(np.log10(value)), 6)
        return f"{value:g}" if leading in (1, 2, 5) else ""

    axis.set_major_formatter(FuncFormatter(label))
    axis.set_minor_formatter(FuncFormatter(label))


def plain_tick_formatter() -> Any:
    """Tick labels as plain text (mathtext parsing is most of matplotlib's draw time);
    only the 'x10^n' offset keeps mathtext."""
    from matplotlib.ticker import ScalarFormatter

    class PlainTicks(ScalarFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            text = str(super().__call__(x, pos))
            if text.startswith(_MATH_DEFAULT) and text.endswith("}$"):
                return text[len(_MATH_DEFAULT) : -2]
            return text

    return PlainTicks(useMathText=True)


_MATH_DEFAULT = "$\\mathdefault{"


def color_cycle() -> Iterator[str]:
    import matplotlib

    colors = matplotlib.rcParams["axes.prop_cycle"].by_key().get("color", ["#3f90da"])
    while True:
        yield from colors


def comparison_axis(
    doc: Document,
    ax: Axes,
    low: float,
    high: float,
    painter: Painter,
    *,
    default: str | None = None,
    fixed: bool = True,
) -> None:
    """The comparison panel's label, range and ticks; ``default`` labels it when the
    document does not (e.g. 'Efficiency' for efficiencies drawn as they are); ``fixed``
    false: the document's limits are ignored (they were chosen for other samples)."""
    settings = doc.ratio_axis
    default = (
        default or {"ratio": "Ratio", "difference": "Difference", "pull": "Pull"}[settings.kind]
    )
    ax.set_ylabel(painter.text(settings.label) or default)
    if settings.log:
        ax.set_yscale("log")
    if settings.kind == "ratio":  # 0.5-1.5, widened (up to 0-2.5) to show every error bar
        spread = 0.5
        if np.isfinite(low) and np.isfinite(high):
            spread = min(max(spread, abs(1 - low) * 1.1, abs(high - 1) * 1.1), 1.5)
        bottom, top = max(1 - spread, 0.0), 1 + spread
    elif settings.kind == "pull":
        bound = max(
            3.5,
            abs(low) * 1.15 if np.isfinite(low) else 0,
            abs(high) * 1.15 if np.isfinite(high) else 0,
        )
        bottom, top = -bound, bound
    elif np.isfinite(low) and np.isfinite(high):
        margin = 0.15 * max(high - low, abs(high), abs(low), 1e-12)
        bottom, top = min(low, 0.0) - margin, max(high, 0.0) + margin
    else:
        bottom, top = -1.0, 1.0
    if fixed and not isinstance(settings.min, UnsetType):
        bottom = settings.min
    if fixed and not isinstance(settings.max, UnsetType):
        top = settings.max
    if settings.log and bottom <= 0:
        bottom = top / 100
    ax.set_ylim(bottom, top)
    if not settings.log:
        ax.set_yticks(nice_ticks(bottom, top))


def nice_ticks(bottom: float, top: float, most: int = 4) -> list[float]:
    """At most ``most`` ticks from ``bottom`` up to (not at: the main panel's axis ends
    there) ``top``, at the multiples of 1, 2, 2.5 or 5 times a power of ten. Every such
    step up to 1 has 1 among its multiples, so a ratio panel's reference is labelled
    (and 0 always is, for a difference or a pull)."""
    span = top - bottom
    if not (np.isfinite(span) and span > 0):
        return []
    power = 10.0 ** np.floor(np.log10(span / most))
    for step in (m * power * scale for scale in (1, 10, 100) for m in (1, 2, 2.5, 5)):
        ticks = step * np.arange(np.ceil(bottom / step - 1e-9), np.floor(top / step + 1e-9) + 1)
        ticks = ticks[ticks < top - 1e-9 * span]
        if len(ticks) <= most:
            return [round(float(t), 12) + 0.0 for t in ticks]  # no '-0'
    return [bottom]
