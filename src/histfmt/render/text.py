"""The plot in the terminal: stacks as histoprint bars, other stacks as markers.

The x axis runs down the page (text rows per bin in proportion to the bin width,
as histoprint lays them out), the y axis to the right. The numbers come from
:class:`histfmt.shown.Shown`, as for the image. histoprint draws the
first non-``points`` stack as coloured bars; this module adds the axis labels,
the other stacks (data) as markers, the legend and a ratio summary line.
"""

from __future__ import annotations

import colorsys
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from msgspec import UnsetType

from histfmt.combine import slice_text
from histfmt.errors import HistfmtError
from histfmt.render.labels import axis_title, kind_label, x_label, y_label
from histfmt.shown import Binning, Shown

if TYPE_CHECKING:
    from histfmt.model import Document, Projection, RatioItem, Stack, Style

__all__ = ["display_width", "heat_maps", "plain_text", "render_text"]

MIN_WIDTH = 40
MAX_BINS = 1000
PLAIN_GLYPHS = "█░▓▒#=+:"
"""Stack layers without colour, bottom first (neighbours always differ)."""
POINT_MARKERS = "●○■□"
LINE_MARKERS = "┃◆▲✚"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL = re.compile(r"(?:\x1b\[[0-9;]*m)?[^\x1b](?:\x1b\[39;49m)?")
# histoprint's colour letters and their xterm RGB; black and bright white are left
# out since they are the usual terminal backgrounds
_RGB = {
    "r": (205, 0, 0),
    "g": (0, 205, 0),
    "y": (205, 205, 0),
    "b": (0, 0, 238),
    "m": (205, 0, 205),
    "c": (0, 205, 205),
    "w": (229, 229, 229),
    "K": (127, 127, 127),
    "R": (255, 0, 0),
    "G": (0, 255, 0),
    "Y": (255, 255, 0),
    "B": (92, 92, 255),
    "M": (255, 0, 255),
    "C": (0, 255, 255),
}
_SGR = dict(zip("krgybmcwKRGYBMCW", [*range(30, 38), *range(90, 98)], strict=True))
_FALLBACK = "BYRGMCKbyrgmcw"
_TEX = {
    r"\ell": "\N{SCRIPT SMALL L}",
    r"\to": "\N{RIGHTWARDS ARROW}",
    r"\rightarrow": "\N{RIGHTWARDS ARROW}",
    r"\gamma": "\N{GREEK SMALL LETTER GAMMA}",
    r"\nu": "\N{GREEK SMALL LETTER NU}",
    r"\mu": "\N{GREEK SMALL LETTER MU}",
    r"\tau": "\N{GREEK SMALL LETTER TAU}",
    r"\chi": "\N{GREEK SMALL LETTER CHI}",
    r"\pi": "\N{GREEK SMALL LETTER PI}",
    r"\eta": "\N{GREEK SMALL LETTER ETA}",
    r"\phi": "\N{GREEK SMALL LETTER PHI}",
    r"\theta": "\N{GREEK SMALL LETTER THETA}",
    r"\alpha": "\N{GREEK SMALL LETTER ALPHA}",
    r"\beta": "\N{GREEK SMALL LETTER BETA}",
    r"\sigma": "\N{GREEK SMALL LETTER SIGMA}",
    r"\Delta": "\N{GREEK CAPITAL LETTER DELTA}",
    r"\pm": "\N{PLUS-MINUS SIGN}",
    r"\times": "\N{MULTIPLICATION SIGN}",
    r"\geq": "\N{GREATER-THAN OR EQUAL TO}",
    r"\leq": "\N{LESS-THAN OR EQUAL TO}",
    r"\sqrt": "\N{SQUARE ROOT}",
}


@dataclass
class _Layer:
    """One drawn layer: its legend text, the top of the layer per bin, how it looks."""

    label: str
    top: Any
    color: str  # histoprint colour letter; "" for the terminal's default
    glyph: str = ""  # markers only


# -- text -------------------------------------------------------------------------------


def plain_text(text: str) -> str:
    r"""Mathtext made readable in a terminal: ``$t\bar{t}$`` becomes ``tt̄``."""
    text = re.sub(r"(?<!\\)\$", "", text)
    text = re.sub(r"\\bar\{(\w)\}", "\\1\u0304", text)
    text = text.replace("^{*}", "*")
    for command, symbol in sorted(_TEX.items(), key=lambda item: -len(item[0])):
        text = re.sub(re.escape(command) + r"(?![A-Za-z])", symbol, text)
    text = re.sub(r"\\(?:mathrm|mathit|mathbf|text|rm)\s*", "", text)
    text = re.sub(r"([_^])\{([^{}]*)\}", r"\1\2", text)
    text = re.sub(r"\\([$%&#_{} ])", r"\1", text).replace("{", "").replace("}", "")
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", "", text).strip()


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (colour codes and combining marks take none)."""
    return sum(
        0
        if unicodedata.combining(c) or c == "\u034f"
        else 2
        if unicodedata.east_asian_width(c) in "WF"
        else 1
        for c in _ANSI.sub("", text)
    )


def _clip(text: str, width: int) -> str:
    """Plain ``text`` cut to ``width`` columns, with an ellipsis."""
    if display_width(text) <= width:
        return text
    text = text[: 4 * width]
    while text and display_width(text) > width - 1:
        text = text[:-1]
    return text + "…"


# -- colours ----------------------------------------------------------------------------


def _hsv(color: str | None) -> tuple[float, float, float] | None:
    """A matplotlib colour (name, ``#rgb[a]``, ``C0``..``C9``) as HSV; None when it is none."""
    if not color:
        return None
    from matplotlib import colors

    text = color.strip()
    cycle = re.fullmatch(r"[cC](\d)", text)
    if cycle:  # the default cycle (tab10), whatever the style in effect
        text = list(colors.TABLEAU_COLORS)[int(cycle.group(1))]
    try:
        return colorsys.rgb_to_hsv(*colors.to_rgb(text))
    except ValueError:
        return None


def _letter(color: str | None, used: set[str]) -> str:
    """The nearest unused terminal colour to a matplotlib colour (a free one if unknown)."""
    wanted = _hsv(color)
    if wanted is None:
        return next((c for c in _FALLBACK if c not in used), "K")
    h, s, v = wanted

    def distance(letter: str) -> float:
        h2, s2, v2 = colorsys.rgb_to_hsv(*(x / 255 for x in _RGB[letter]))
        if s < 0.25 or s2 < 0.25:
            return 10 * abs(s - s2) + abs(v - v2)
        return 6 * min(abs(h - h2), 1 - abs(h - h2)) + abs(v - v2) + abs(s - s2) / 2

    return min([c for c in _RGB if c not in used] or list(_RGB), key=distance)


def _marker_letter(color: str | None) -> str:
    """A marker's colour; black, white and grey ones use the terminal's text colour."""
    wanted = _hsv(color)
    return "" if wanted is None or wanted[1] < 0.25 else _letter(color, set())


def _cell(glyph: str, fg: str, under: str, color: bool) -> str:
    """A marker cell, on the colour of the bar under it (in a contrasting colour there)."""
    if not color:
        return glyph
    if under:
        r, g, b = _RGB[under]
        fg = "k" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "W"
        return f"\x1b[1;{_SGR[fg]};{_SGR[under] + 10}m{glyph}\x1b[0m"
    return f"\x1b[1;{_SGR[fg]}m{glyph}\x1b[0m" if fg else f"\x1b[1m{glyph}\x1b[0m"


# -- the numbers ------------------------------------------------------------------------


def _style_color(style: Style) -> str | None:
    if isinstance(style.color, str):
        return style.color
    return style.edgecolor if isinstance(style.edgecolor, str) else None


def _layers(shown: Shown, stack: Stack) -> list[tuple[str, Any, str | None]]:
    """(label, drawn top, wanted colour) of every layer of a stack, bottom first."""
    if not stack.content:
        return []
    values = [np.nan_to_num(shown.components(item.yields).values) for item in stack.content]
    tops = np.cumsum(values, axis=0)
    refs = [ref for item in stack.content for ref in item.yields]
    tops = tops * shown.normalisation(tops[-1], refs)
    return [
        (
            plain_text(item.label if isinstance(item.label, str) else " + ".join(item.yields)),
            top,
            _style_color(item.style),
        )
        for item, top in zip(stack.content, tops, strict=True)
    ]


def _plot(doc: Document, shown: Shown) -> tuple[list[_Layer], list[_Layer]]:
    """The bars (first non-points stack) and the markers (every other stack)."""
    main = next((s for s in doc.stacks if s.type != "points"), None)
    used: set[str] = set()
    bars: list[_Layer] = []
    marks: list[_Layer] = []
    points = lines = 0
    for stack in doc.stacks:
        for label, top, wanted in _layers(shown, stack):
            if stack is main:
                bars.append(_Layer(label, top, _letter(wanted, used)))
                used.add(bars[-1].color)
            elif stack.type == "points":
                glyph, points = POINT_MARKERS[points % len(POINT_MARKERS)], points + 1
                marks.append(_Layer(label, top, _marker_letter(wanted), glyph))
            else:
                glyph, lines = LINE_MARKERS[lines % len(LINE_MARKERS)], lines + 1
                marks.append(_Layer(label, top, _marker_letter(wanted), glyph))
    return bars, marks


def _scale(bars: list[_Layer], marks: list[_Layer], doc: Document, log: bool) -> Any:
    """``(low, high, log)``: the values at the left and right ends of the bars."""
    tops = [np.ravel(layer.top) for layer in [*bars[-1:], *marks]] or [np.zeros(1)]
    drawn = np.concatenate(tops)
    high = float(np.nanmax(drawn)) if np.nanmax(drawn) > 0 else 1.0
    if not log:
        return 0.0, high, False
    given = doc.y_axis.min
    if not isinstance(given, UnsetType) and 0 < given < high:
        return float(given), high, True
    if bars:  # show the bottom layer too, but no more than six decades
        drawn = np.concatenate([drawn, np.ravel(bars[0].top)])
    positive = drawn[drawn > high * 1e-6]
    low = float(10 ** np.floor(np.log10(positive.min()))) if positive.size else high / 10
    return (low if low < high else high / 10), high, True


def _columns(values: Any, scale: Any, width: int) -> Any:
    """Text columns (0 to ``width``) of drawn values, on a linear or logarithmic scale."""
    low, high, log = scale
    values = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
    if log:
        share = np.log(np.maximum(values, low / 10) / low) / np.log(high / low)
    else:
        share = values / high
    return np.clip(np.round(share * width), 0, width).astype(int)


def _ratio_line(doc: Document, shown: Shown, item: RatioItem) -> str:
    """``label: Σnum/Σden overall, lo … hi per bin, χ²/bins``."""
    label = item.label if isinstance(item.label, str) else doc.ratio_axis.label
    num = shown.components(item.numerator)
    n_sum = float(np.nansum(num.values))
    if not item.denominator:
        name = label if isinstance(label, str) else " + ".join(item.numerator)
        return f"{plain_text(name)}: total {n_sum:.6g}"
    den = shown.components(item.denominator)
    if not isinstance(label, str):
        label = f"{' + '.join(item.numerator)} / {' + '.join(item.denominator)}"
    d_sum = float(np.nansum(den.values))
    text = f"{plain_text(label)}: " + (f"{n_sum / d_sum:.4g} overall" if d_sum else "-")
    good = np.isfinite(num.values) & np.isfinite(den.values) & (den.values > 0)
    if good.any():
        ratio = num.values[good] / den.values[good]
        text += f", {ratio.min():.3g} … {ratio.max():.3g} per bin"
    try:
        n_err = shown.series(num, item.error, poisson=shown.poisson(item, list(item.numerator)))
        d_err = shown.series(den, item.den_error if isinstance(item.den_error, str) else item.error)
    except ImportError:  # a Poisson interval needs scipy
        return text
    above = num.values > den.values
    sigma2 = np.where(above, n_err.down**2 + d_err.up**2, n_err.up**2 + d_err.down**2)
    use = good & (sigma2 > 0)
    if use.any():
        chi2 = float(np.sum((num.values[use] - den.values[use]) ** 2 / sigma2[use]))
        text += f", χ²/bins {chi2:.1f}/{int(use.sum())}"
    return text


# -- drawing ----------------------------------------------------------------------------


def _edge_labels(edges: Any) -> list[str]:
    """Bin edges as short numbers, all with the same number of decimals."""
    biggest = float(np.max(np.abs(edges))) or 1.0
    if biggest >= 1e6 or biggest < 1e-3:
        return [f"{e:.4g}" for e in edges]
    for digits in range(7):
        labels = [f"{e:.{digits}f}" for e in edges]
        if np.allclose([float(x) for x in labels], edges, rtol=0, atol=1e-9 * biggest):
            break
    return labels


def _bars(histoprint: Any, layout: Any, tops: list[Any], colors: str, **options: Any) -> list[str]:
    """histoprint's rows of the stacked bars, whose lengths are given in text columns."""
    tops = tops or [np.zeros(len(layout) - 1, dtype=int)]
    lengths = np.diff(np.vstack([np.zeros_like(tops[0]), *tops]), axis=0)
    formatter = histoprint.HistFormatter(
        layout,
        labels=("",),
        count_area=False,
        stack=True,
        symbols=" " * max(len(colors), 1),
        fg_colors="W" * max(len(colors), 1),
        bg_colors=colors or "K",
        tick_mark="_",
        **options,
    )
    text: str = formatter.format_histogram(np.where(lengths > 0, lengths + 0.25, 0.0))
    return text.split("\n")[1:-1]


def _legend(bars: list[_Layer], marks: list[_Layer], width: int, color: bool) -> list[str]:
    from histoprint.formatter import Hixel

    entries = [
        (Hixel(" ", "W", layer.color, True, None).render() if color else PLAIN_GLYPHS[i % 8])
        + f" {layer.label}"
        for i, layer in enumerate(bars)
    ]
    entries += [f"{_cell(m.glyph, m.color, '', color)} {m.label}" for m in marks]
    lines, line = [], ""
    for entry in (_clip(e, width - 2) for e in entries):
        if line and display_width(line) + 2 + display_width(entry) > width:
            lines.append(line)
            line = ""
        line = f"{line}  {entry}"
    return [*lines, line] if line else lines


def _titles(doc: Document, shown: Shown, log: bool, width: int, color: bool) -> list[str]:
    """The title, and the x and y axis titles on one line."""
    out = []
    if isinstance(doc.metadata.title, str):
        title = _clip(plain_text(doc.metadata.title), width)
        out.append(f"\x1b[1m{title}\x1b[0m" if color else title)
    widths = shown.binning.widths
    y_title = y_label(doc, widths, density_width=shown.density_width, density=shown.density)
    y_title = _clip(plain_text(y_title) + (" (log)" if log else "") + " →", width // 2)
    x_title = _clip(f"{plain_text(x_label(doc)) or 'x'} ↓", width - display_width(y_title) - 2)
    gap = width - display_width(x_title) - display_width(y_title)
    return [*out, x_title + " " * gap + y_title]


def _rows(
    bar_rows: list[str],
    bars: list[tuple[_Layer, Any]],
    marks: list[tuple[_Layer, Any]],
    *,
    ticks: list[str],
    label_width: int,
    categorical: bool,
    color: bool,
) -> list[str]:
    """histoprint's rows with the axis labels and the markers of the other stacks."""
    out = []
    index = 0
    for row in bar_rows:
        tick = row[label_width + 1] == "_"
        cells = _CELL.findall(row[label_width + 2 :])
        if not color:  # histoprint has three plain glyphs; give every layer its own
            ends = [0, *(int(t[index]) for _, t in bars)]
            cells = [
                PLAIN_GLYPHS[i % len(PLAIN_GLYPHS)]
                for i in range(len(bars))
                for _ in range(ends[i + 1] - ends[i])
            ]
        for mark, columns in marks:
            if columns[index] < 1:
                continue
            at = int(columns[index]) - 1
            cells += [" "] * (at + 1 - len(cells))
            below = [b.color for b, t in bars if t[index] > at]
            cells[at] = _cell(mark.glyph, mark.color, below[0] if below else "", color)
        if categorical:
            prefix = f"{_clip(plain_text(ticks[index]), label_width):>{label_width}} ┤"
        else:
            prefix = f"{ticks[index + 1]:>{label_width}} _" if tick else " " * (label_width + 2)
        out.append((prefix + "".join(cells)).rstrip())
        index += tick
    return out


def render_text(
    doc: Document,
    *,
    width: int = 80,
    rebin: Any = None,
    logy: bool | None = None,
    color: bool = False,
    project: Projection | Literal["none"] | None = None,
) -> str:
    """The plot of ``doc`` as text, at most ``width`` columns wide; a 2-D document as
    coarse heat maps (:func:`heat_maps`), or as the projection ``project``.

    Parameters
    ----------
    doc : Document
        The document to draw.
    width : int
        Columns available (at least 40).
    rebin : sequence of float, optional
        Edges to draw with (a subset of ``x.edges``) instead of ``view.rebin``.
    logy : bool, optional
        Logarithmic bar lengths; default: the document's ``y_axis.log``.
    color : bool
        ANSI colours (for a terminal) instead of shading glyphs.
    project : Projection or "none", optional
        Draw a 2-D document as this projection or slice (``"none"``: as maps)
        instead of as its ``view.project`` says.
    """
    try:
        import histoprint
    except ImportError:
        raise HistfmtError(
            "the terminal plot needs histoprint: pip install 'histfmt[plot]'"
        ) from None
    if width < MIN_WIDTH:
        raise HistfmtError(f"the width must be at least {MIN_WIDTH} columns, got {width}")
    shown = Shown(doc, rebin=rebin, project=project)
    if shown.two_d:
        return heat_maps(shown, width=width, color=color)
    doc = shown.doc  # a projection of a 2-D document: its 1-D document
    if rebin is not None and not isinstance(doc.x.categories, UnsetType):
        raise HistfmtError("rebinning needs a numeric x axis; this one is categorical")
    binning = shown.binning
    if binning.n > MAX_BINS:
        raise HistfmtError(
            f"{binning.n} bins are too many to draw in a terminal (at most {MAX_BINS}); "
            "merge them with --rebin"
        )
    log = doc.y_axis.log if logy is None else logy
    bars, marks = _plot(doc, shown)
    scale = _scale(bars, marks, doc, log)

    ticks = binning.tick_labels or _edge_labels(binning.edges)
    label_width = min(max(3, *(display_width(plain_text(t)) for t in ticks)), 16)
    plot_width = width - label_width - 2
    tops = [_columns(layer.top, scale, plot_width) for layer in bars]
    tops = list(np.maximum.accumulate(tops, axis=0)) if tops else []  # negative layers: none
    layout = binning.edges
    if doc.x.log and binning.tick_labels is None and layout[0] > 0:
        layout = np.log10(layout)
    rows = binning.n if binning.tick_labels else max(binning.n, min(20, 4 * binning.n))
    bar_rows = _bars(
        histoprint,
        layout,
        tops,
        "".join(b.color for b in bars) if color else "K" * len(bars),
        lines=rows + 1,
        columns=width,
        max_count=plot_width,  # one unit per column: lengths are not rounded again
        scale_bin_width=binning.tick_labels is None,
        use_color=color,
        tick_format=f"{{:>{label_width}.0f}} ",
    )

    low, high, _ = scale
    reach = f"{low:.3g} … {high:.3g}" if log else f"0 … {high:.3g}"
    first = "" if binning.tick_labels else ticks[0]
    out = _titles(doc, shown, log, width, color)
    if shown.projection is not None:
        note = slice_text(shown.source, shown.projection)
        kept = f"projection onto {shown.projection.onto}" + (f", {note}" if note else "")
        out.append(_clip(plain_text(kept), width))
    out.append(f"{first:>{label_width}} {'_' if first else ' '}" + f"{reach} ╷".rjust(plot_width))
    marked = [(m, _columns(m.top, scale, plot_width)) for m in marks]
    out += _rows(
        bar_rows,
        list(zip(bars, tops, strict=True)),
        marked,
        ticks=ticks,
        label_width=label_width,
        categorical=binning.tick_labels is not None,
        color=color,
    )
    out.extend(_legend(bars, marks, width, color))
    out.extend(_clip(_ratio_line(doc, shown, item), width) for item in doc.ratio)
    if not doc.stacks:
        out.append(_clip("(nothing drawn: the document has no stacks; see histfmt info)", width))
    return "\n".join(out) + "\n"


# -- 2-D: heat maps ----------------------------------------------------------------------

SHADES = "·░▒▓█"
"""Heat-map cells from the lowest fifth of the scale to the highest; a blank cell is empty."""
MAX_MAP_ROWS = 40
DASH = "\N{EN DASH}"


def _groups(n: int, room: int) -> tuple[list[tuple[int, int]], int]:
    """Bins ``[start, stop)`` per text cell, and the characters per cell, to fit ``room``."""
    if n <= room:
        each = max(1, min(room // max(n, 1), 6))
        return [(i, i + 1) for i in range(n)], each
    size = -(-n // room)
    return [(i, min(i + size, n)) for i in range(0, n, size)], 1


def _coarse(values: Any, columns: list[tuple[int, int]], rows: list[tuple[int, int]], *,
            mean: bool) -> Any:  # fmt: skip
    """Cells merged into text cells: summed (counts) or averaged (means, efficiencies)."""
    out = np.full((len(columns), len(rows)), np.nan)
    for a, (x0, x1) in enumerate(columns):
        for b, (y0, y1) in enumerate(rows):
            block = values[x0:x1, y0:y1]
            if np.isfinite(block).any():
                out[a, b] = np.nanmean(block) if mean else np.nansum(block)
    return out


def _range_label(binning: Binning, start: int, stop: int) -> str:
    names = binning.tick_labels
    if names is not None:
        return names[start] if stop - start == 1 else f"{names[start]}…{names[stop - 1]}"
    edges = _edge_labels(binning.edges)
    return f"{edges[start]}{DASH}{edges[stop]}"


def _heat_map(shown: Shown, title: str, refs: list[str], *, width: int, color: bool) -> list[str]:
    """One map as text: y up the page, x to the right, a shade (or colour) per cell."""
    from matplotlib import colormaps

    doc = shown.doc
    assert shown.y_binning is not None
    assert not isinstance(doc.y, UnsetType)
    kind = shown.kind(refs)
    values = np.asarray(shown.components(refs).values, dtype=np.float64)
    y_rows, _ = _groups(shown.y_binning.n, MAX_MAP_ROWS)
    labels = [_range_label(shown.y_binning, a, b) for a, b in y_rows]
    label_width = min(max(3, *(display_width(plain_text(t)) for t in labels)), 16)
    x_columns, each = _groups(shown.binning.n, width - label_width - 2)
    cells = _coarse(values, x_columns, y_rows, mean=kind != "count")
    z = doc.z_axis
    log = z.log
    low, high, share = _z_scale(cells, z)
    blank = ~np.isfinite(share)
    level = np.clip(np.nan_to_num(share) * len(SHADES), 0, len(SHADES) - 1).astype(int)
    cmap = (
        colormaps[z.colormap]
        if isinstance(z.colormap, str) and z.colormap in colormaps
        else colormaps["viridis"]
    )
    z_title = z.label if isinstance(z.label, str) else kind_label(kind) or "Events"
    out = [
        _clip(
            f"{plain_text(title)}: {plain_text(z_title)}" if title else plain_text(z_title), width
        )
    ]
    out.append(_clip(f"{plain_text(axis_title(doc.y)) or 'y'} ↑", width))
    for b in reversed(range(len(y_rows))):
        row = ""
        for a in range(len(x_columns)):
            if blank[a, b]:
                row += " " * each
            elif color:
                r, g, bl, _ = cmap(float(np.clip(share[a, b], 0, 1)))
                code = 16 + 36 * round(r * 5) + 6 * round(g * 5) + round(bl * 5)
                row += f"\x1b[48;5;{code}m" + " " * each + "\x1b[0m"
            else:
                row += SHADES[level[a, b]] * each
        out.append(f"{_clip(plain_text(labels[b]), label_width):>{label_width}} ┤{row}")
    first = _range_label(shown.binning, *x_columns[0]).split(DASH)[0]
    last = _range_label(shown.binning, *x_columns[-1]).split(DASH)[-1]
    span = len(x_columns) * each
    axis = " " * (label_width + 2) + first
    axis += " " * max(1, span - display_width(first) - display_width(last)) + last
    out.append(_clip(axis, width))
    x_title = f"{plain_text(axis_title(doc.x)) or 'x'} →"
    out.append(
        _clip(" " * max(0, label_width + 2 + span - display_width(x_title)) + x_title, width)
    )
    scale = " ".join(
        f"{_shade(i, cmap, color)} {_fmt_level(low, high, i, log)}" for i in range(len(SHADES))
    )
    out.append(
        _clip(f"scale{' (log)' if log else ''}: {scale}  (blank: empty)", width)
        if not color
        else f"scale{' (log)' if log else ''}: {scale}  (blank: empty)"
    )
    return out


def _z_scale(cells: Any, z: Any) -> tuple[float, float, Any]:
    """(low, high) of the colour scale and each cell's share of it (NaN: blank)."""
    log = z.log
    finite = cells[np.isfinite(cells) & ((cells > 0) if log else True)]
    low = z.min if not isinstance(z.min, UnsetType) else float(finite.min()) if finite.size else 0.0
    high = (
        z.max if not isinstance(z.max, UnsetType) else float(finite.max()) if finite.size else 1.0
    )
    if log:
        low = low if low > 0 else (high / 1e3 if high > 0 else 1.0)
        high = high if high > low else low * 10
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.log(cells / low) / np.log(high / low)
    else:
        high = high if high > low else low + 1
        share = (cells - low) / (high - low)
    return low, high, share


def _fmt_level(low: float, high: float, index: int, log: bool) -> str:
    """The lower end of shade ``index``."""
    share = index / len(SHADES)
    value = low * (high / low) ** share if log else low + share * (high - low)
    return f"≥{value:.3g}"


def _shade(index: int, cmap: Any, color: bool) -> str:
    if not color:
        return SHADES[index]
    r, g, b, _ = cmap((index + 0.5) / len(SHADES))
    code = 16 + 36 * round(r * 5) + 6 * round(g * 5) + round(b * 5)
    return f"\x1b[48;5;{code}m \x1b[0m"


def heat_maps(shown: Shown, *, width: int, color: bool) -> str:
    """A 2-D document as text: one coarse heat map per map (or stack, or its first yield),
    then a summary line per ratio item."""
    doc = shown.doc
    drawn = [
        (
            " + ".join(i.label for i in stack.content if isinstance(i.label, str)),
            [ref for item in stack.content for ref in item.yields],
        )
        for stack in doc.stacks
        if stack.content
    ]
    if not drawn and doc.yields:
        first = next(iter(doc.yields))
        label = doc.yields[first].label
        drawn = [(label if isinstance(label, str) else first, [first])]
    out = []
    if isinstance(doc.metadata.title, str):
        title = _clip(plain_text(doc.metadata.title), width)
        out.append(f"\x1b[1m{title}\x1b[0m" if color else title)
    for title, refs in drawn:
        out.extend(_heat_map(shown, title, refs, width=width, color=color))
    out.extend(_clip(_ratio_line(doc, shown, item), width) for item in doc.ratio)
    if not drawn:
        out.append(_clip("(nothing drawn: the document has no yields; see histfmt info)", width))
    return "\n".join(out) + "\n"
