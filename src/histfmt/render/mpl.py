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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from msgspec import UnsetType

from histfmt.errors import HistfmtError, ValidationError
from histfmt.model import Document, RatioItem, Stack, Style
from histfmt.render.labels import (
    MAX_DRAWN_LENGTH,
    MAX_LEGEND_LENGTH,
    bad_labels,
    drawing_issues,
    safe_text,
    style_problem,
    x_label,
    y_label,
)
from histfmt.render.prepare import Series, View
from histfmt.render.style import rc_for

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["RenderOptions", "figure", "render", "save"]

ImageFormat = Literal["png", "svg", "pdf"]
FORMATS: tuple[ImageFormat, ...] = ("png", "svg", "pdf")
KNOWN_BRANDS = {"ATLAS", "CMS", "LHCb", "ALICE"}
BAND_HATCH = "////"
BAND_COLOR = "#555555"


@dataclass(frozen=True)
class RenderOptions:
    """Choices made at render time; ``None`` means: as the document says."""

    style: str | None = None
    logy: bool | None = None
    rebin: Any = None
    size: tuple[float, float] | None = None
    dpi: float = 100.0
    ratio: bool | None = None
    hide: frozenset[str] = field(default_factory=frozenset)
    strict_labels: bool = False


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


class _Painter:
    """Draws one document onto a main axes and an optional comparison axes."""

    def __init__(
        self, doc: Document, view: View, options: RenderOptions, escape: frozenset[str]
    ) -> None:
        self.doc, self.view, self.options, self.escape = doc, view, options, escape
        self.binning = view.binning
        self.legend: list[tuple[int, Any, str]] = []
        self.tops: list[float] = []
        self.bottoms: list[float] = []
        self.band_labelled = False
        self.decimate: _Decimator | None = None

    def stairs(self, ax: Axes, values: Any, *, baseline: Any = 0, **kwargs: Any) -> Any:
        """A step outline or filled band over the drawn bins (decimated past pixel size)."""
        edges = self.binning.edges
        if self.decimate is not None:
            edges, values, baseline = self.decimate.stairs(values, baseline)
        return _stairs(ax, values, edges, baseline=baseline, **kwargs)

    def text(self, value: Any, where: str) -> str | None:
        """A drawable version of an untrusted string (``where`` is its JSON path)."""
        if not isinstance(value, str) or not value:
            return None
        legend = where.endswith(("content", "label")) and not where.startswith(
            ("x.", "y_axis", "ratio_axis", "badge")
        )
        limit = MAX_LEGEND_LENGTH if legend else MAX_DRAWN_LENGTH
        return safe_text(value, escape=value in self.escape, limit=limit)

    # -- main panel -----------------------------------------------------------------------

    def stack(self, ax: Axes, stack: Stack, index: int, colors: Iterator[str]) -> None:
        refs_so_far: list[str] = []
        previous: Series | None = None
        layers = [layer for layer in stack.content if not (set(layer.yields) & self.options.hide)]
        if not layers:
            return
        for position, layer in enumerate(layers):
            refs_so_far = refs_so_far + list(layer.yields)
            series = self._series(refs_so_far, stack.error)
            label = self.text(layer.label, f"stacks[{index}].content[{position}].label")
            style = layer.style
            color = _get(style, "color", None)
            if stack.type in ("filled", "step") and color is None:
                color = next(colors)
            artist: Any
            if stack.type == "filled":
                base = previous.values if previous is not None else np.zeros_like(series.values)
                artist = self.stairs(
                    ax,
                    np.nan_to_num(series.values),
                    baseline=np.nan_to_num(base),
                    fill=True,
                    color=color,
                    edgecolor=_get(style, "edgecolor", "none"),
                    linewidth=_get(style, "linewidth", 0.0),
                    hatch=_get(style, "hatch", None),
                    alpha=_get(style, "alpha", None),
                )
                priority = 30 + position
            elif stack.type == "step":
                artist = self.stairs(
                    ax,
                    series.values,
                    color=_get(style, "edgecolor", color),
                    linewidth=_get(style, "linewidth", 1.5),
                    linestyle=_get(style, "linestyle", "-"),
                    alpha=_get(style, "alpha", None),
                )
                priority = 20 + position
            elif stack.type == "points":
                artist = self._points(ax, series, stack, style)
                priority = 100 - position
            else:  # band: the uncertainty of the running total
                artist = self._band(
                    ax,
                    series,
                    label=None,
                    color=color or next(colors),
                    hatch=_get(style, "hatch", None),
                    filled=True,
                )
                priority = 40 + position
            if label:
                self.legend.append((priority, artist, label))
            self._extent(series)
            previous = series
        if stack.type in ("filled", "step") and stack.error != "none" and previous is not None:
            band = self._band(ax, previous, label=None, color=BAND_COLOR, hatch=BAND_HATCH)
            if not self.band_labelled:
                self.legend.append((50, band, _uncertainty_label(stack.error)))
                self.band_labelled = True

    def _series(self, refs: list[str], error: str) -> Series:
        view = self.view
        components = view.components(refs)
        return view.series(components, error).scaled(view.normalisation(components.values))

    def _extent(self, series: Series) -> None:
        top = series.values + series.up
        finite = top[np.isfinite(top)]
        if finite.size:
            self.tops.append(float(finite.max()))
        positive = series.values[np.isfinite(series.values) & (series.values > 0)]
        if positive.size:
            self.bottoms.append(float(positive.min()))

    def _band(
        self,
        ax: Axes,
        series: Series,
        *,
        label: str | None,
        color: str,
        hatch: str | None,
        filled: bool = False,
        center: Any = None,
    ) -> Any:
        middle = series.values if center is None else center
        upper = np.nan_to_num(middle + series.up)
        lower = np.nan_to_num(middle - series.down)
        if filled:
            return self.stairs(
                ax, upper, baseline=lower, fill=True, color=color, alpha=0.35,
                hatch=hatch, linewidth=0, label=label,
            )  # fmt: skip
        return self.stairs(
            ax, upper, baseline=lower, fill=True, facecolor="none",
            edgecolor=color, hatch=hatch, linewidth=0, label=label,
        )  # fmt: skip

    def _points(self, ax: Axes, series: Series, item: Stack | RatioItem, style: Style) -> Any:
        """Markers with error bars, as three artists whatever the number of points."""
        from matplotlib.lines import Line2D

        values = series.values
        keep = np.isfinite(values)
        if not item.keep_zero:
            keep &= (values != 0) | (series.up > 0) | (series.down > 0)
        x, y = self.binning.centers[keep], values[keep]
        low, high = y - series.down[keep], y + series.up[keep]
        color = _get(style, "color", "black")
        line = {
            "color": _get(style, "edgecolor", color),
            "linewidth": _get(style, "linewidth", 1.0),
        }
        half = 0.5 * self.binning.widths[keep]
        if self.decimate is not None:  # sub-pixel bins: extreme points and error range per column
            x, y, low, high, half = self.decimate.points(x, y, low, high)
        bars = [(np.column_stack([x, x]), np.column_stack([low, high]))]
        if item.x_errorbar:
            bars.append((np.column_stack([x - half, x + half]), np.column_stack([y, y])))
        for xs, ys in bars:
            _add_segments(ax, xs, ys, **line)
        marker = _get(style, "marker", "o")
        size = _get(style, "markersize", 4.0)
        ax.add_artist(Line2D(x, y, marker=marker, markersize=size, color=color, linestyle="none"))
        return (
            Line2D([], [], marker=marker, markersize=size, color=color, linestyle="none"),
            Line2D([], [], marker="|", markersize=3 * size, linestyle="none",
                   color=line["color"], markeredgewidth=line["linewidth"]),
        )  # fmt: skip

    # -- comparison panel -------------------------------------------------------------------

    def comparison(self, ax: Axes, items: list[RatioItem]) -> tuple[float, float]:
        kind = self.doc.ratio_axis.kind
        reference = 0.0 if kind in ("difference", "pull") else 1.0
        ax.axhline(reference, color="black", linewidth=0.8, linestyle="--", zorder=1)
        low, high = np.inf, -np.inf
        for index, item in enumerate(items):
            numerator = self._series(list(item.numerator), item.error)
            denominator = None
            if item.denominator:
                den_error = (
                    item.den_error if not isinstance(item.den_error, UnsetType) else item.error
                )
                denominator = self._series(list(item.denominator), den_error)
            shown, band = _compare(kind, numerator, denominator)
            if band is not None:
                self._band(
                    ax, band, label=None, color=BAND_COLOR, hatch=BAND_HATCH,
                    center=np.full_like(band.values, reference),
                )  # fmt: skip
            style = item.style
            if item.type == "points":
                self._points(ax, shown, item, style)
            elif item.type == "band":
                self._band(ax, shown, label=None, color=_get(style, "color", "#3f90da"),
                           hatch=None, filled=True)  # fmt: skip
            else:
                self.stairs(
                    ax,
                    np.nan_to_num(shown.values, nan=reference),
                    baseline=reference if item.type == "filled" else None,
                    fill=item.type == "filled",
                    color=_get(style, "color", "black"),
                    linewidth=_get(style, "linewidth", 1.2),
                )
            text = self.text(item.label, f"ratio[{index}].label")
            if text:
                self.legend.append((0, None, text))
            reach = np.concatenate([shown.values - shown.down, shown.values + shown.up])
            finite = reach[np.isfinite(reach)]
            if finite.size:
                low, high = min(low, float(finite.min())), max(high, float(finite.max()))
        return low, high


class _Decimator:
    """Draws bins narrower than a pixel as their per-pixel-column envelope.

    Bins are grouped by the pixel column their centre falls in; a filled band keeps
    the highest top and the lowest bottom of its group, points keep the group's
    lowest and highest point and its full error range. What the eye sees at that
    resolution is unchanged, while the drawing cost stops growing with the bins.
    """

    def __init__(self, edges: Any, columns: int, *, log: bool) -> None:
        position = np.log10(np.clip(edges, 1e-300, None)) if log else np.asarray(edges)
        centers = 0.5 * (position[1:] + position[:-1])
        span = position[-1] - position[0]
        column = np.floor((centers - position[0]) / span * columns).astype(np.int64)
        self.starts = np.flatnonzero(np.diff(column, prepend=-1))
        self.edges = np.append(np.asarray(edges)[self.starts], edges[-1])
        self.index = column

    def stairs(self, values: Any, baseline: Any) -> tuple[Any, Any, Any]:
        top = np.fmax.reduceat(np.asarray(values, dtype=np.float64), self.starts)
        if baseline is None or np.ndim(baseline) == 0:
            return self.edges, top, baseline
        bottom = np.fmin.reduceat(np.asarray(baseline, dtype=np.float64), self.starts)
        return self.edges, top, bottom

    def points(self, x: Any, y: Any, low: Any, high: Any) -> tuple[Any, ...]:
        if not len(x):
            return x, y, low, high, x
        centers = 0.5 * (self.edges[1:] + self.edges[:-1])
        group = np.searchsorted(self.edges, x, side="right") - 1
        starts = np.flatnonzero(np.diff(group, prepend=-1))
        members = group[starts]
        result = []
        for pick in (np.fmin, np.fmax):
            value = pick.reduceat(y, starts)
            result.append(value)
        lows = np.fmin.reduceat(low, starts)
        highs = np.fmax.reduceat(high, starts)
        xs = np.concatenate([centers[members], centers[members]])
        half = np.concatenate([0.5 * np.diff(self.edges)[members]] * 2)
        return (
            xs,
            np.concatenate(result),
            np.concatenate([lows, lows]),
            np.concatenate([highs, highs]),
            half,
        )


def _add_segments(ax: Axes, xs: Any, ys: Any, **kwargs: Any) -> None:
    """Many straight segments ``(xs[i, 0], ys[i, 0]) -> (xs[i, 1], ys[i, 1])`` as one path."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    if not len(xs):
        return
    vertices = np.empty((2 * len(xs), 2))
    vertices[0::2, 0], vertices[1::2, 0] = xs[:, 0], xs[:, 1]
    vertices[0::2, 1], vertices[1::2, 1] = ys[:, 0], ys[:, 1]
    codes = np.tile(np.array([MplPath.MOVETO, MplPath.LINETO], dtype=np.uint8), len(xs))
    ax.add_artist(PathPatch(MplPath(vertices, codes), fill=False, **kwargs))


def _stairs(ax: Axes, values: Any, edges: Any, **kwargs: Any) -> Any:
    """``ax.stairs`` without its data-limit update, which walks every vertex in Python
    (most of the time for large histograms); the renderer sets its limits itself."""
    from matplotlib.patches import StepPatch

    kwargs.setdefault("fill", False)
    if not kwargs["fill"]:
        kwargs.setdefault("facecolor", "none")
    color = kwargs.pop("color", None)
    if color is not None:
        kwargs.setdefault("facecolor" if kwargs["fill"] else "edgecolor", color)
        if kwargs["fill"]:
            kwargs.setdefault("edgecolor", color)
    baseline = kwargs.pop("baseline", 0)
    patch = StepPatch(values, edges, baseline=baseline, **kwargs)
    ax.add_artist(patch)
    return patch


def _uncertainty_label(error: str) -> str:
    names = {
        "stat": "Stat. unc.",
        "syst": "Syst. unc.",
        "env": "Syst. var.",
        "poisson": "Poisson unc.",
    }
    return names.get(error, "Total unc.")


def _compare(
    kind: str, numerator: Series, denominator: Series | None
) -> tuple[Series, Series | None]:
    """The drawn comparison and the denominator's own band (around the reference)."""
    if denominator is None:
        return numerator, None
    den = denominator.values
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "difference":
            shown = Series(numerator.values - den, numerator.up, numerator.down)
            return shown, Series(np.zeros_like(den), denominator.up, denominator.down)
        if kind == "pull":
            sigma = np.sqrt(
                np.where(numerator.values >= den, numerator.down, numerator.up) ** 2
                + np.where(numerator.values >= den, denominator.up, denominator.down) ** 2
            )
            pull = np.where(sigma > 0, (numerator.values - den) / sigma, np.nan)
            zero = np.zeros_like(den)
            return Series(pull, zero, zero), None
        safe = np.where(den != 0, den, np.nan)
        shown = Series(numerator.values / safe, numerator.up / safe, numerator.down / safe)
        band = Series(np.ones_like(den), denominator.up / safe, denominator.down / safe)
        return shown, band


def _get(style: Style, key: str, default: Any) -> Any:
    """A style value, or ``default`` when unset or unusable (checked by ``drawing_issues``)."""
    value = getattr(style, key)
    if isinstance(value, UnsetType) or style_problem(key, value):
        return default
    return value


def _lumi_text(doc: Document) -> str | None:
    metadata = doc.metadata
    parts = []
    if not isinstance(metadata.sqrt_s, UnsetType):
        parts.append(f"√s = {metadata.sqrt_s.value:g} {metadata.sqrt_s.unit}")
    if not isinstance(metadata.luminosity, UnsetType):
        value, unit = metadata.luminosity.value, metadata.luminosity.unit
        parts.append(f"{value:g} {unit[:-2]}$^{{\\mathrm{{-1}}}}$")
    return ", ".join(parts) or None


_BRAND_FONT = {  # (brand weight, brand style, label style), after each experiment's rules
    "ATLAS": ("bold", "italic", "normal"),
    "CMS": ("bold", "normal", "italic"),
}


def _badge(ax: Axes, doc: Document, painter: _Painter) -> list[Any]:
    """Draw the experiment badge in the top left corner; return its artists.

    Laid out with offset boxes, which need no figure draw (mplhep's label helpers
    draw the whole figure to measure, which costs more than the plot itself).
    """
    from matplotlib.offsetbox import AnchoredOffsetbox, HPacker, TextArea, VPacker

    badge = doc.badge
    if isinstance(badge, UnsetType):
        return []
    brand = painter.text(badge.brand, "badge.brand") or ""
    label = painter.text(badge.label, "badge.label") or ""
    lumi = _lumi_text(doc) if badge.show_luminosity else None
    subtext = painter.text(badge.subtext, "badge.subtext")
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
        loc="upper left",
        child=VPacker(children=rows, align="left", pad=0, sep=4),
        frameon=False,
        borderpad=0.8,
        pad=0.2,
    )
    ax.add_artist(box)
    return [box]


def _margins(fig: Figure, *, categories: list[str] | None) -> None:
    """Fixed margins from the font sizes: no layout engine, no measuring draw."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    rc = matplotlib.rcParams
    label = FontProperties(size=rc["axes.labelsize"]).get_size_in_points()
    ticks = FontProperties(size=rc["ytick.labelsize"]).get_size_in_points()
    xticks = FontProperties(size=rc["xtick.labelsize"]).get_size_in_points()
    width, height = fig.get_size_inches() * 72
    left = 1.2 * label + 2.8 * ticks + 12
    bottom = 1.2 * label + 1.3 * xticks + 12
    if categories:
        longest = max(map(len, categories), default=0)
        if longest > 6:
            bottom += 0.5 * 0.6 * xticks * min(longest, 40)
    fig.subplots_adjust(
        left=left / width,
        right=1 - (0.9 * xticks + 6) / width,
        bottom=bottom / height,
        top=1 - (0.7 * ticks + 8) / height,
        hspace=0.0,
    )


def _place_legend_and_headroom(
    ax: Axes, painter: _Painter, badge: list[Any], *, logy: bool
) -> None:
    """Legend top right (order: data, band, stack top to bottom); y range leaves room."""
    entries = sorted((e for e in painter.legend if e[1] is not None), key=lambda e: -e[0])
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    to_axes = ax.transAxes.inverted()
    boxes = [a.get_window_extent(renderer).transformed(to_axes) for a in badge]
    if entries:
        handles, texts = [e[1] for e in entries], [e[2] for e in entries]
        badge_bottom = min((b.y0 for b in boxes), default=1.0)
        # Top right beside the badge; smaller; else a two-column legend below the badge.
        below = badge_bottom - 0.01
        attempts = [
            ("medium", 1, 1.0),
            ("small", 1, 1.0),
            ("x-small", 1, 1.0),
            ("small", 2, below),
            ("x-small", 2, below),
        ]
        for fontsize, ncols, top in attempts:
            legend = ax.legend(
                handles, texts, loc="upper right", ncols=max(ncols, 2 if len(entries) > 8 else 1),
                borderaxespad=0.8, fontsize=fontsize,
                bbox_to_anchor=(0, 0, 1, top), bbox_transform=ax.transAxes,
            )  # fmt: skip
            legend_box = legend.get_window_extent(renderer).transformed(to_axes)
            inside = legend_box.x0 >= 0
            if inside and not any(box.overlaps(legend_box) for box in boxes):
                break
        boxes.append(legend_box)
    lowest = min((box.y0 for box in boxes), default=1.0)
    fraction = float(np.clip(lowest - 0.04, 0.2, 0.95))
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


DEFAULT_WIDTH = 6.0


def _size(doc: Document, options: RenderOptions) -> tuple[float, float]:
    """Figure size: the option, the document's layout, or 6 x 6 in (6 x 4.5 without ratio)."""
    if options.size is not None:
        return options.size
    if not isinstance(doc.layout.size, UnsetType):
        return (float(doc.layout.size[0]), float(doc.layout.size[1]))
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
    with _rc(_style_name(doc, options), _size(doc, options)[0]):
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
    from matplotlib.figure import Figure

    view = View(doc, rebin=options.rebin)
    painter = _Painter(doc, view, options, escape)
    ratio_items = [
        item for item in doc.ratio
        if not ((set(item.numerator) | set(item.denominator)) & options.hide)
    ]  # fmt: skip
    with_ratio = bool(ratio_items) if options.ratio is None else options.ratio and bool(ratio_items)
    fig = Figure(figsize=_size(doc, options), dpi=options.dpi)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    _margins(fig, categories=view.binning.labels)
    ax, comparison = _panels(fig, doc.layout, with_ratio=with_ratio)
    columns = int(fig.get_figwidth() * options.dpi * (fig.subplotpars.right - fig.subplotpars.left))
    if view.binning.n > 2 * columns and not view.categorical:
        painter.decimate = _Decimator(view.binning.edges, columns, log=doc.x.log)
    colors = iter(_color_cycle())
    for index, stack in enumerate(doc.stacks):
        painter.stack(ax, stack, index, colors)
    for i, graph in enumerate(doc.graphs):
        _graph(ax, graph, painter, i)
    logy = doc.y_axis.log if options.logy is None else options.logy
    if logy:
        ax.set_yscale("log")
    if doc.x.log:
        ax.set_xscale("log")
        _readable_log_ticks(ax.xaxis, view.binning.edges)
    _axis_labels(ax, comparison, doc, view, painter)
    if comparison is not None:
        low, high = painter.comparison(comparison, ratio_items)
        _comparison_axis(doc, comparison, low, high, painter)
    for line in doc.v_lines:
        for axis in [a for a in (ax, comparison) if a is not None]:
            _vline(axis, line, main=axis is ax)
    for h_line in doc.h_lines:
        _hline(ax, h_line)
    badge = _badge(ax, doc, painter)
    _place_legend_and_headroom(ax, painter, badge, logy=bool(logy))
    fig.align_ylabels()
    return fig


def _panels(fig: Figure, layout: Any, *, with_ratio: bool) -> tuple[Axes, Axes | None]:
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
            axis.yaxis.set_major_formatter(_plain_tick_formatter())
            axis.xaxis.set_major_formatter(_plain_tick_formatter())
    return ax, comparison


def _axis_labels(
    ax: Axes, comparison: Axes | None, doc: Document, view: View, painter: _Painter
) -> None:
    """x range, axis titles and category tick labels."""
    edges = view.binning.edges
    lower = doc.x.min if not isinstance(doc.x.min, UnsetType) else float(edges[0])
    upper = doc.x.max if not isinstance(doc.x.max, UnsetType) else float(edges[-1])
    if doc.x.log and lower <= 0:  # a log axis starts at the first positive edge
        positive = edges[edges > 0]
        lower = float(positive[0]) if positive.size and positive[0] < upper else upper / 1e3
    ax.set_xlim(lower, upper)
    label = y_label(
        doc, view.binning.widths, density_width=view.density_width, density=view.density
    )
    ax.set_ylabel(painter.text(label, "y_axis.label") or "")
    bottom_axis = comparison if comparison is not None else ax
    bottom_axis.set_xlabel(painter.text(x_label(doc), "x.label") or "")
    if view.binning.labels is not None:
        labels = [painter.text(t, "x.categories") or "" for t in view.binning.labels]
        rotation = 30 if max(map(len, labels), default=0) > 6 else 0
        bottom_axis.set_xticks(view.binning.centers, labels, rotation=rotation)
        for axis in {ax, bottom_axis}:
            axis.tick_params(axis="x", which="minor", bottom=False, top=False)


def _readable_log_ticks(axis: Any, edges: Any) -> None:
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


def _plain_tick_formatter() -> Any:
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


def _color_cycle() -> Iterator[str]:
    import matplotlib

    colors = matplotlib.rcParams["axes.prop_cycle"].by_key().get("color", ["#3f90da"])
    while True:
        yield from colors


def _graph(ax: Axes, graph: Any, painter: _Painter, index: int) -> None:
    label = painter.text(graph.label, f"graphs[{index}].label")
    style = graph.style

    def errors(value: Any) -> Any:
        if isinstance(value, UnsetType):
            return None
        if hasattr(value, "up"):
            return np.vstack([value.down, value.up])
        return value

    artist: Any
    if graph.type == "line":
        artist = ax.plot(graph.x, graph.y, color=_get(style, "color", "black"),
                         linestyle=_get(style, "linestyle", "-"),
                         linewidth=_get(style, "linewidth", 1.5))[0]  # fmt: skip
    else:
        artist = ax.errorbar(
            graph.x, graph.y, xerr=errors(graph.x_errors), yerr=errors(graph.y_errors),
            fmt=_get(style, "marker", "o"), color=_get(style, "color", "black"),
            markersize=_get(style, "markersize", 4.0), linestyle="none",
        )  # fmt: skip
    if label:
        painter.legend.append((60, artist, label))
    top = np.asarray(graph.y)[np.isfinite(graph.y)]
    if top.size:
        painter.tops.append(float(top.max()))


def _vline(ax: Axes, line: Any, *, main: bool) -> None:
    style = line.style
    kwargs = {"color": _get(style, "color", "#bd1f01"), "linestyle": _get(style, "linestyle", "--"),
              "linewidth": _get(style, "linewidth", 1.2)}  # fmt: skip
    if isinstance(line.range, UnsetType) or not main:
        ax.axvline(line.x, **kwargs)
    else:
        ax.vlines(line.x, line.range[0], line.range[1], **kwargs)


def _hline(ax: Axes, line: Any) -> None:
    style = line.style
    kwargs = {"color": _get(style, "color", "#bd1f01"), "linestyle": _get(style, "linestyle", "--"),
              "linewidth": _get(style, "linewidth", 1.2)}  # fmt: skip
    if isinstance(line.range, UnsetType):
        ax.axhline(line.y, **kwargs)
    else:
        ax.hlines(line.y, line.range[0], line.range[1], **kwargs)


def _comparison_axis(doc: Document, ax: Axes, low: float, high: float, painter: _Painter) -> None:
    from matplotlib.ticker import MaxNLocator

    settings = doc.ratio_axis
    default = {"ratio": "Ratio", "difference": "Difference", "pull": "Pull"}[settings.kind]
    if not settings.log:  # no label at the top edge, where the main panel's axis ends
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, prune="upper"))
    ax.set_ylabel(painter.text(settings.label, "ratio_axis.label") or default)
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
    if not isinstance(settings.min, UnsetType):
        bottom = settings.min
    if not isinstance(settings.max, UnsetType):
        top = settings.max
    if settings.log and bottom <= 0:
        bottom = top / 100
    ax.set_ylim(bottom, top)


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
