"""Maps: a 2-D document drawn as colour maps, one panel per map and per ratio item.

Each map is one artist whatever its size (a ``QuadMesh``; above
:data:`MESH_LIMIT` cells on linear axes, ``pcolorfast``'s image, which draws a
million cells in milliseconds), with its colour bar beside it. Panels sit side by
side, two per row. Categorical axes (and numeric axes with ``labels``) are labelled
under their bins. Flow bins are not drawn as cells of their own: with
``view.include_underflow`` / ``include_overflow`` they are added to the edge
cells of both axes, as a 1-D plot adds them to its edge bins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from msgspec import UnsetType

from histfmt.model import Document, Projection, RatioItem
from histfmt.render.artists import compare
from histfmt.render.decorations import badge, plain_tick_formatter
from histfmt.render.labels import Units, axis_title, kind_label
from histfmt.render.painter import Painter, draw_graph, draw_hline, draw_vline

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from histfmt.render.options import RenderOptions
    from histfmt.shown import Binning, Shown

__all__ = ["MAX_CELL_TEXT", "MESH_LIMIT", "draw_maps", "drawn_as_maps", "map_size"]

MAX_CELL_TEXT = 400
"""Most cells whose numbers are written in them; above, a note says they are left out."""
MESH_LIMIT = 40_000
"""Cells drawn as a mesh of quadrilaterals; larger maps on linear axes as an image."""
SMALLEST_CELL_FONT = 4.5  # points
PANEL_SIZE = (5.5, 4.6)  # inches, one panel with its colour bar
RATIO_COLORMAP = "RdBu_r"


def drawn_as_maps(doc: Document, options: RenderOptions) -> bool:
    """A 2-D document without a projection (from the options or the view) is drawn as maps."""
    if isinstance(doc.y, UnsetType):
        return False
    chosen = options.project if options.project is not None else doc.view.project
    return not isinstance(chosen, Projection)


def _map_stacks(doc: Document, hide: frozenset[str]) -> list[tuple[Any, list[Any]]]:
    """Every stack with its drawn layers (hidden yields left out)."""
    stacks = []
    for stack in doc.stacks:
        layers = [layer for layer in stack.content if not set(layer.yields) & hide]
        if layers:
            stacks.append((stack, layers))
    return stacks


def _grid(count: int) -> tuple[int, int]:
    columns = min(max(count, 1), 2)
    return math.ceil(max(count, 1) / columns), columns


def map_size(doc: Document, options: RenderOptions) -> tuple[float, float]:
    """The default figure size of maps: 6 x 5 in for one panel, two panels a row."""
    count = len(_map_stacks(doc, options.hide)) or 1
    if options.ratio is not False:
        count += len(doc.ratio)
    rows, columns = _grid(count)
    if columns == 1:
        return (6.0, 5.0 * rows)
    return (2 * PANEL_SIZE[0], PANEL_SIZE[1] * rows)


@dataclass
class _Panel:
    """One colour map: drawn values (x bins by y bins) and how to colour them."""

    values: Any
    up: Any
    down: Any
    title: str | None
    z_label: str
    ratio: str | None = None  # the ratio_axis kind for a comparison map
    cell_text: bool = False


def _panels(
    doc: Document, shown: Shown, options: RenderOptions, ratio: list[RatioItem]
) -> list[_Panel]:
    z = doc.z_axis
    panels = []
    stacks = _map_stacks(doc, options.hide)
    if not stacks and doc.yields:  # nothing drawn yet: the first yield as a map
        first = next(iter(doc.yields))
        label = doc.yields[first].label
        stacks = [(None, [_Layer([first], label if isinstance(label, str) else first)])]
    for stack, layers in stacks:
        refs = [ref for layer in layers for ref in layer.yields]
        error = "stat" if stack is None else stack.error
        series = shown.series(shown.components(refs), error)
        labels = [layer.label for layer in layers if isinstance(layer.label, str)]
        default = kind_label(shown.kind(refs)) or "Events"
        panels.append(
            _Panel(
                series.values,
                series.up,
                series.down,
                " + ".join(labels) or None,
                z.label if isinstance(z.label, str) else default,
                cell_text=stack is not None and stack.cell_text,
            )
        )
    if not panels:  # no yields at all: an empty map
        empty = np.full(shown.shape, np.nan)
        z_label = z.label if isinstance(z.label, str) else "Events"
        panels.append(_Panel(empty, empty, empty, None, z_label))
    kind = doc.ratio_axis.kind
    given = doc.ratio_axis.label
    for item in ratio:
        refs = list(item.numerator)
        numerator = shown.series(
            shown.components(refs), item.error, poisson=shown.poisson(item, refs)
        )
        denominator = None
        if item.denominator:
            den_error = item.den_error if isinstance(item.den_error, str) else item.error
            denominator = shown.series(shown.components(list(item.denominator)), den_error)
        drawn, _ = compare(kind, numerator, denominator)
        default = {"ratio": "Ratio", "difference": "Difference", "pull": "Pull"}[kind]
        if denominator is None:
            default = kind_label(shown.kind(list(item.numerator))) or default
        title = item.label if isinstance(item.label, str) else None
        if title is None:
            title = " + ".join(item.numerator) + (
                f" / {' + '.join(item.denominator)}" if item.denominator else ""
            )
        panels.append(
            _Panel(
                drawn.values,
                drawn.up,
                drawn.down,
                title,
                given if isinstance(given, str) else default,
                ratio=kind if denominator is not None else "plain",
            )
        )
    return panels


@dataclass
class _Layer:
    yields: list[str]
    label: str


# -- colours ------------------------------------------------------------------------------


def _colormap(name: str) -> Any:
    import matplotlib

    try:
        return matplotlib.colormaps[name]
    except KeyError:
        return matplotlib.colormaps["viridis"]


def _scale(doc: Document, panel: _Panel) -> tuple[Any, Any, Any]:
    """(colormap, norm, masked values) of a panel."""
    from matplotlib.colors import LogNorm, Normalize, TwoSlopeNorm

    values = np.asarray(panel.values, dtype=np.float64)
    if panel.ratio is None:
        settings: Any = doc.z_axis
        name = settings.colormap if isinstance(settings.colormap, str) else "viridis"
    else:
        settings = doc.ratio_axis
        name = "viridis" if panel.ratio == "plain" else RATIO_COLORMAP
    log = settings.log
    usable = np.isfinite(values) & ((values > 0) if log else True)
    masked = np.ma.masked_where(~usable, values)
    finite = values[usable]
    low = float(finite.min()) if finite.size else (1.0 if log else 0.0)
    high = float(finite.max()) if finite.size else low * 10 if log else low + 1
    if panel.ratio in ("ratio", "difference", "pull"):
        center = 1.0 if panel.ratio == "ratio" else 0.0
        spread = max(abs(low - center), abs(high - center)) or 0.5
        if panel.ratio == "ratio":
            spread = min(spread, 1.5)
        low, high = center - spread, center + spread
        if log:
            low = max(low, 1 / high)
    vmin = settings.min if not isinstance(settings.min, UnsetType) else low
    vmax = settings.max if not isinstance(settings.max, UnsetType) else high
    if log:
        vmin = vmin if vmin > 0 else (vmax / 1e3 if vmax > 0 else 1.0)
        vmax = vmax if vmax > vmin else vmin * 10
        return _colormap(name), LogNorm(vmin, vmax), masked
    if vmax <= vmin:
        vmin, vmax = vmin - 0.5, vmin + 0.5
    middle = {"ratio": 1.0, "difference": 0.0, "pull": 0.0}.get(panel.ratio or "")
    if middle is not None and vmin < middle < vmax:
        return _colormap(name), TwoSlopeNorm(middle, vmin, vmax), masked
    return _colormap(name), Normalize(vmin, vmax), masked


# -- numbers in cells -------------------------------------------------------------------------


def _number(value: float, decimals: int | None) -> str:
    if decimals is not None:
        return f"{value:.{decimals}f}"
    if value == int(value) and abs(value) < 1e6:
        return f"{value:.0f}"
    return f"{value:.3g}"


def cell_text(value: float, up: float, down: float) -> str:
    """A cell's number with its uncertainty, rounded to the uncertainty's two digits:
    ``0.50\\n±0.11``, ``0.50\\n+0.11 -0.06`` (a minus sign), or ``12``."""
    error = max(up, down) if np.isfinite(up) and np.isfinite(down) else 0.0
    if error <= 0:
        return _number(value, None)
    smallest = min(e for e in (up, down) if e > 0)
    decimals = max(0, 1 - math.floor(math.log10(smallest)))
    if decimals > 6:
        return _number(value, None)
    text = _number(value, decimals)
    if math.isclose(up, down, rel_tol=1e-6):
        return f"{text}\n±{up:.{decimals}f}"
    return f"{text}\n+{up:.{decimals}f} \N{MINUS SIGN}{down:.{decimals}f}"


def _smallest_fraction(binning: Binning, log: bool) -> float:
    edges = binning.edges
    if log and edges[0] > 0:
        edges = np.log10(edges)
    span = float(edges[-1] - edges[0]) or 1.0
    return float(np.min(np.diff(edges))) / span if len(edges) > 1 else 1.0


def _write_cells(
    ax: Axes, panel: _Panel, shown: Shown, doc: Document, *, mesh: Any, size_pt: tuple[float, float]
) -> str | None:
    """Each cell's number in it, dark on light cells and light on dark ones; the reason
    when they are left out."""
    import matplotlib

    values = np.asarray(panel.values, dtype=np.float64)
    where = np.argwhere(np.isfinite(values))
    if len(where) > MAX_CELL_TEXT:
        return (
            f"numbers left out of the cells: {len(where):,} cells "
            f"(they are written for at most {MAX_CELL_TEXT})"
        )
    assert shown.y_binning is not None
    texts = [cell_text(values[i, j], panel.up[i, j], panel.down[i, j]) for i, j in where]
    if not texts:
        return None
    width = size_pt[0] * _smallest_fraction(shown.binning, doc.x.log)
    y_log = not isinstance(doc.y, UnsetType) and doc.y.log
    height = size_pt[1] * _smallest_fraction(shown.y_binning, y_log)
    longest = max(len(line) for text in texts for line in text.split("\n"))
    lines = max(text.count("\n") + 1 for text in texts)
    base = float(matplotlib.rcParams["font.size"]) * 0.8
    fontsize = min(base, 0.92 * width / (0.6 * longest), 0.85 * height / (1.25 * lines))
    if fontsize < SMALLEST_CELL_FONT:
        return "numbers left out of the cells: the cells are too small to hold them"
    colors = mesh.cmap(mesh.norm(np.ma.masked_invalid(values[where[:, 0], where[:, 1]])))
    luminance = colors[:, 0] * 0.299 + colors[:, 1] * 0.587 + colors[:, 2] * 0.114
    dark = (luminance < 0.5) & (colors[:, 3] > 0.5)
    xs, ys = shown.binning.centers, shown.y_binning.centers
    if doc.x.log and shown.binning.edges[0] > 0:
        xs = np.sqrt(shown.binning.edges[1:] * shown.binning.edges[:-1])
    if y_log and shown.y_binning.edges[0] > 0:
        ys = np.sqrt(shown.y_binning.edges[1:] * shown.y_binning.edges[:-1])
    for (i, j), text, on_dark in zip(where, texts, dark, strict=True):
        ax.text(
            xs[i], ys[j], text, ha="center", va="center", fontsize=fontsize,
            color="white" if on_dark else "black", clip_on=True, linespacing=1.1,
        )  # fmt: skip
    return None


# -- panels -------------------------------------------------------------------------------------


def _mesh(ax: Axes, shown: Shown, doc: Document, panel: _Panel) -> Any:
    """One artist for the whole map."""
    assert shown.y_binning is not None
    cmap, norm, masked = _scale(doc, panel)
    x_edges, y_edges = shown.binning.edges, shown.y_binning.edges
    log_axes = doc.x.log or (not isinstance(doc.y, UnsetType) and doc.y.log)
    if masked.size > MESH_LIMIT and not log_axes:
        return ax.pcolorfast(x_edges, y_edges, masked.T, cmap=cmap, norm=norm)
    return ax.pcolormesh(
        x_edges, y_edges, masked.T, cmap=cmap, norm=norm, shading="flat",
        rasterized=masked.size > 2_500,
    )  # fmt: skip


def _ticks(ax: Axes, binning: Binning, painter: Painter, *, which: str) -> None:
    labels = binning.tick_labels
    if labels is None:
        return
    texts = [painter.text(t) or "" for t in labels]
    if which == "x":
        rotation = 30 if max(map(len, texts), default=0) > 6 else 0
        ax.set_xticks(binning.centers, texts, rotation=rotation,
                      ha="right" if rotation else "center")  # fmt: skip
        ax.tick_params(axis="x", which="minor", bottom=False, top=False)
    else:
        ax.set_yticks(binning.centers, texts)
        ax.tick_params(axis="y", which="minor", left=False, right=False)


def _limits(ax: Axes, binning: Binning, axis: Any, *, which: str) -> None:
    edges = binning.edges
    lower = axis.min if not isinstance(axis.min, UnsetType) else float(edges[0])
    upper = axis.max if not isinstance(axis.max, UnsetType) else float(edges[-1])
    if axis.log:
        if lower <= 0:
            positive = edges[edges > 0]
            lower = float(positive[0]) if positive.size and positive[0] < upper else upper / 1e3
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    (ax.set_xlim if which == "x" else ax.set_ylim)(lower, upper)


def _axes(ax: Axes, shown: Shown, doc: Document, painter: Painter, units: Units) -> None:
    """Ranges, scales, bin labels and titles of a map's axes."""
    assert shown.y_binning is not None
    assert not isinstance(doc.y, UnsetType)
    _limits(ax, shown.binning, doc.x, which="x")
    _limits(ax, shown.y_binning, doc.y, which="y")
    _ticks(ax, shown.binning, painter, which="x")
    _ticks(ax, shown.y_binning, painter, which="y")
    ax.set_xlabel(painter.text(axis_title(doc.x, units=units)) or "")
    ax.set_ylabel(painter.text(axis_title(doc.y, units=units)) or "")
    ax.tick_params(direction="out", top=False, right=False, which="both")


@dataclass
class _Margins:
    """Room around each panel, in points."""

    left: float
    right: float
    bottom: float
    top: float


def _margins(doc: Document, shown: Shown, painter: Painter) -> _Margins:
    import matplotlib
    from matplotlib.font_manager import FontProperties

    assert shown.y_binning is not None
    rc = matplotlib.rcParams
    label = FontProperties(size=rc["axes.labelsize"]).get_size_in_points()
    ticks = FontProperties(size=rc["ytick.labelsize"]).get_size_in_points()
    large = FontProperties(size="large").get_size_in_points()
    y_names = shown.y_binning.tick_labels
    y_ticks = min(max(map(len, y_names)), 30) if y_names else 5
    left = 1.3 * label + 0.62 * ticks * y_ticks + 14
    x_names = shown.binning.tick_labels
    bottom = 1.3 * label + 1.4 * ticks + 12
    if x_names and max(map(len, x_names)) > 6:
        bottom += 0.5 * 0.62 * ticks * min(max(map(len, x_names)), 40)
    right = 7 + 11 + 0.62 * ticks * 4 + 1.3 * label + 8
    lines = 1
    if not isinstance(doc.badge, UnsetType):
        subtext = painter.text(doc.badge.subtext) or ""
        lines = 1 + (subtext.count("\n") + 1 if subtext else 0)
        lines += bool(
            doc.badge.show_luminosity and not isinstance(doc.metadata.luminosity, UnsetType)
        )
    top = 10 + 1.5 * large * lines
    return _Margins(left, right, bottom, top)


def draw_maps(
    doc: Document,
    shown: Shown,
    options: RenderOptions,
    escape: frozenset[str],
    size: tuple[float, float],
    *,
    ratio: list[RatioItem] | None = None,
    rc: dict[str, Any] | None = None,
    units: Units = "[]",
) -> Figure:
    """The maps of a 2-D document (and its ratio maps) on a new figure, which draws
    in the style ``rc`` wherever it is saved."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import LogNorm
    from matplotlib.ticker import LogFormatterSciNotation

    from histfmt.render.styled import StyledFigure

    assert shown.y_binning is not None
    assert not isinstance(doc.y, UnsetType)
    painter = Painter(doc, shown, options, escape)
    panels = _panels(doc, shown, options, ratio or [])
    fig = StyledFigure(figsize=size, dpi=options.dpi, rc=rc or {})
    FigureCanvasAgg(fig)
    rows, columns = _grid(len(panels))
    room = _margins(doc, shown, painter)
    width_pt, height_pt = size[0] * 72 / columns, size[1] * 72 / rows
    axes_w = max(width_pt - room.left - room.right, 20.0)
    axes_h = max(height_pt - room.bottom - room.top, 20.0)
    notes = []
    for index, panel in enumerate(panels):
        row, column = divmod(index, columns)
        x0 = column * width_pt + room.left
        y0 = (rows - 1 - row) * height_pt + room.bottom
        ax = fig.add_axes((x0 / (size[0] * 72), y0 / (size[1] * 72),
                           axes_w / (size[0] * 72), axes_h / (size[1] * 72)))  # fmt: skip
        bar = fig.add_axes(((x0 + axes_w + 7) / (size[0] * 72), y0 / (size[1] * 72),
                            11 / (size[0] * 72), axes_h / (size[1] * 72)))  # fmt: skip
        mesh = _mesh(ax, shown, doc, panel)
        colorbar = fig.colorbar(mesh, cax=bar)
        colorbar.set_label(painter.text(panel.z_label) or "", loc="top")
        for axis in (ax.xaxis, ax.yaxis, bar.yaxis):  # plain text: mathtext is slow
            axis.set_major_formatter(plain_tick_formatter())
        if isinstance(mesh.norm, LogNorm):
            bar.yaxis.set_major_formatter(LogFormatterSciNotation())
        _axes(ax, shown, doc, painter, units)
        title = painter.text(panel.title)
        if title:
            ax.set_title(title, loc="right", fontsize="medium", pad=4)
        if panel.cell_text:
            note = _write_cells(ax, panel, shown, doc, mesh=mesh, size_pt=(axes_w, axes_h))
            if note:
                notes.append(note)
        if panel.ratio is None:
            for graph in doc.graphs:
                draw_graph(ax, graph, painter)
            for v_line in doc.v_lines:
                draw_vline(ax, v_line, main=True)
            for h_line in doc.h_lines:
                draw_hline(ax, h_line)
        if index == 0:
            badge(ax, doc, painter, outside=True)
            entries = sorted((e for e in painter.legend if e[1] is not None), key=lambda e: -e[0])
            if entries:
                ax.legend([e[1] for e in entries], [e[2] for e in entries],
                          loc="upper right", fontsize="small")  # fmt: skip
    for note in dict.fromkeys(notes):
        fig.text(0.01, 0.005, note, fontsize="x-small", color="#555555", ha="left", va="bottom")
    return fig
