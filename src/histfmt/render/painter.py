"""The painter: stacks, bands, points and the comparison panel of one document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
from msgspec import UnsetType

from histfmt.model import Document, RatioItem, Stack, Style
from histfmt.render.artists import (
    BAND_COLOR,
    BAND_HATCH,
    Decimator,
    add_segments,
    compare,
    get,
    stairs,
    uncertainty_label,
)
from histfmt.render.labels import MAX_DRAWN_LENGTH, MAX_LEGEND_LENGTH, safe_text
from histfmt.shown import Series, Shown

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from histfmt.render.options import RenderOptions

__all__ = ["Painter", "draw_graph", "draw_hline", "draw_vline"]


class Painter:
    """Draws one document onto a main axes and an optional comparison axes."""

    def __init__(
        self, doc: Document, shown: Shown, options: RenderOptions, escape: frozenset[str]
    ) -> None:
        self.doc, self.shown, self.options, self.escape = doc, shown, options, escape
        self.binning = shown.binning
        self.legend: list[tuple[int, Any, str]] = []
        self.tops: list[float] = []
        self.bottoms: list[float] = []
        self.band_labelled = False
        self.decimate: Decimator | None = None
        self.compared: list[tuple[Any, Any, str]] = []  # comparison points: x, y, colour

    def stairs(self, ax: Axes, values: Any, *, baseline: Any = 0, **kwargs: Any) -> Any:
        """A step outline or filled band over the drawn bins (decimated past pixel size)."""
        edges = self.binning.edges
        if self.decimate is not None:
            edges, values, baseline = self.decimate.stairs(values, baseline)
        return stairs(ax, values, edges, baseline=baseline, **kwargs)

    def text(self, value: Any, *, legend: bool = False) -> str | None:
        """A drawable version of an untrusted string; legend entries are kept shorter."""
        if not isinstance(value, str) or not value:
            return None
        limit = MAX_LEGEND_LENGTH if legend else MAX_DRAWN_LENGTH
        return safe_text(value, escape=value in self.escape, limit=limit)

    # -- main panel -----------------------------------------------------------------------

    def stack(self, ax: Axes, stack: Stack, colors: Iterator[str]) -> None:
        refs_so_far: list[str] = []
        previous: Series | None = None
        layers = [layer for layer in stack.content if not (set(layer.yields) & self.options.hide)]
        if not layers:
            return
        for position, layer in enumerate(layers):
            refs_so_far = refs_so_far + list(layer.yields)
            series = self._series(
                refs_so_far, stack.error, poisson=self.shown.poisson(stack, refs_so_far)
            )
            label = self.text(layer.label, legend=True)
            style = layer.style
            color = get(style, "color", None)
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
                    edgecolor=get(style, "edgecolor", "none"),
                    linewidth=get(style, "linewidth", 0.0),
                    hatch=get(style, "hatch", None),
                    alpha=get(style, "alpha", None),
                )
                priority = 30 + position
            elif stack.type == "step":
                artist = self.stairs(
                    ax,
                    series.values,
                    color=get(style, "edgecolor", color),
                    linewidth=get(style, "linewidth", 1.5),
                    linestyle=get(style, "linestyle", "-"),
                    alpha=get(style, "alpha", None),
                )
                priority = 20 + position
            elif stack.type == "points":
                if color is None and self.shown.kind(list(layer.yields)) != "count":
                    color = next(colors)  # means and efficiencies: told apart by colour
                artist = self._points(ax, series, stack, style, color=color)
                priority = 100 - position
            else:  # band: the uncertainty of the running total
                artist = self._band(
                    ax,
                    series,
                    label=None,
                    color=color or next(colors),
                    hatch=get(style, "hatch", None),
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
                self.legend.append((50, band, uncertainty_label(stack.error)))
                self.band_labelled = True

    def _series(self, refs: list[str], error: str, *, poisson: bool = False) -> Series:
        shown = self.shown
        components = shown.components(refs)
        drawn = shown.series(components, error, poisson=poisson)
        return drawn.scaled(shown.normalisation(components.values, refs))

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

    def _points(
        self,
        ax: Axes,
        series: Series,
        item: Stack | RatioItem,
        style: Style,
        *,
        color: str | None = None,
    ) -> Any:
        """Markers with error bars, as three artists whatever the number of points."""
        from matplotlib.lines import Line2D

        values = series.values
        keep = np.isfinite(values)
        if not item.keep_zero:
            keep &= (values != 0) | (series.up > 0) | (series.down > 0)
        x, y = self.binning.centers[keep], values[keep]
        low, high = y - series.down[keep], y + series.up[keep]
        color = color or get(style, "color", "black")
        line = {
            "color": get(style, "edgecolor", color),
            "linewidth": get(style, "linewidth", 1.0),
        }
        half = 0.5 * self.binning.widths[keep]
        if self.decimate is not None:  # sub-pixel bins: extreme points and error range per column
            x, y, low, high, half = self.decimate.points(x, y, low, high)
        bars = [(np.column_stack([x, x]), np.column_stack([low, high]))]
        if item.x_errorbar:
            bars.append((np.column_stack([x - half, x + half]), np.column_stack([y, y])))
        for xs, ys in bars:
            add_segments(ax, xs, ys, **line)
        marker = get(style, "marker", "o")
        size = get(style, "markersize", 4.0)
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
        for item in items:
            refs = list(item.numerator)
            numerator = self._series(refs, item.error, poisson=self.shown.poisson(item, refs))
            denominator = None
            if item.denominator:
                den_error = (
                    item.den_error if not isinstance(item.den_error, UnsetType) else item.error
                )
                denominator = self._series(list(item.denominator), den_error)
            shown, band = compare(kind, numerator, denominator)
            if band is not None:
                self._band(
                    ax, band, label=None, color=BAND_COLOR, hatch=BAND_HATCH,
                    center=np.full_like(band.values, reference),
                )  # fmt: skip
            style = item.style
            if item.type == "points":
                self._points(ax, shown, item, style)
                self.compared.append(
                    (self.binning.centers, shown.values, get(style, "color", "black"))
                )
            elif item.type == "band":
                self._band(ax, shown, label=None, color=get(style, "color", "#3f90da"),
                           hatch=None, filled=True)  # fmt: skip
            else:
                self.stairs(
                    ax,
                    np.nan_to_num(shown.values, nan=reference),
                    baseline=reference if item.type == "filled" else None,
                    fill=item.type == "filled",
                    color=get(style, "color", "black"),
                    linewidth=get(style, "linewidth", 1.2),
                )
            text = self.text(item.label, legend=True)
            if text:
                self.legend.append((0, None, text))
            reach = np.concatenate([shown.values - shown.down, shown.values + shown.up])
            finite = reach[np.isfinite(reach)]
            if finite.size:
                low, high = min(low, float(finite.min())), max(high, float(finite.max()))
        return low, high

    def off_scale(self, ax: Axes) -> None:
        """An arrow at the panel's edge over every comparison point beyond its range,
        pointing where the point is (one path and two marker lines, whatever the count)."""
        from matplotlib.lines import Line2D
        from matplotlib.transforms import blended_transform_factory

        bottom, top = ax.get_ylim()
        edge = blended_transform_factory(ax.transData, ax.transAxes)
        for x, y, color in self.compared:
            with np.errstate(invalid="ignore"):
                above, below = x[y > top], x[y < bottom]
            for xs, start, end, marker in ((above, 0.72, 0.95, "^"), (below, 0.28, 0.05, "v")):
                if not len(xs):
                    continue
                ys = np.tile([start, end], (len(xs), 1))
                add_segments(ax, np.column_stack([xs, xs]), ys, color=color, linewidth=1.2,
                             transform=edge)  # fmt: skip
                ax.add_artist(Line2D(xs, np.full(len(xs), end), marker=marker, markersize=5,
                                     color=color, linestyle="none", transform=edge))  # fmt: skip


def draw_graph(ax: Axes, graph: Any, painter: Painter) -> None:
    label = painter.text(graph.label, legend=True)
    style = graph.style

    def errors(value: Any) -> Any:
        if isinstance(value, UnsetType):
            return None
        if hasattr(value, "up"):
            return np.vstack([value.down, value.up])
        return value

    artist: Any
    if graph.type == "line":
        artist = ax.plot(graph.x, graph.y, color=get(style, "color", "black"),
                         linestyle=get(style, "linestyle", "-"),
                         linewidth=get(style, "linewidth", 1.5))[0]  # fmt: skip
    else:
        artist = ax.errorbar(
            graph.x, graph.y, xerr=errors(graph.x_errors), yerr=errors(graph.y_errors),
            fmt=get(style, "marker", "o"), color=get(style, "color", "black"),
            markersize=get(style, "markersize", 4.0), linestyle="none",
        )  # fmt: skip
    if label:
        painter.legend.append((60, artist, label))
    top = np.asarray(graph.y)[np.isfinite(graph.y)]
    if top.size:
        painter.tops.append(float(top.max()))


def draw_vline(ax: Axes, line: Any, *, main: bool) -> None:
    style = line.style
    kwargs = {"color": get(style, "color", "#bd1f01"), "linestyle": get(style, "linestyle", "--"),
              "linewidth": get(style, "linewidth", 1.2)}  # fmt: skip
    if isinstance(line.range, UnsetType) or not main:
        ax.axvline(line.x, **kwargs)
    else:
        ax.vlines(line.x, line.range[0], line.range[1], **kwargs)


def draw_hline(ax: Axes, line: Any) -> None:
    style = line.style
    kwargs = {"color": get(style, "color", "#bd1f01"), "linestyle": get(style, "linestyle", "--"),
              "linewidth": get(style, "linewidth", 1.2)}  # fmt: skip
    if isinstance(line.range, UnsetType):
        ax.axhline(line.y, **kwargs)
    else:
        ax.hlines(line.y, line.range[0], line.range[1], **kwargs)
