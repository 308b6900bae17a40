"""Drawing primitives whose cost does not grow with the number of bins.

One ``StepPatch`` per layer or band, added without matplotlib's per-vertex data-limit
walk; error bars as one path of segments; bins narrower than a pixel drawn as their
per-pixel-column envelope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from msgspec import UnsetType

from histfmt.model import Style
from histfmt.render.labels import style_problem
from histfmt.shown import Series

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "BAND_COLOR",
    "BAND_HATCH",
    "Decimator",
    "add_segments",
    "compare",
    "get",
    "stairs",
    "uncertainty_label",
]

BAND_HATCH = "////"
BAND_COLOR = "#555555"


class Decimator:
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


def add_segments(ax: Axes, xs: Any, ys: Any, **kwargs: Any) -> None:
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


def stairs(ax: Axes, values: Any, edges: Any, **kwargs: Any) -> Any:
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


def uncertainty_label(error: str) -> str:
    names = {
        "stat": "Stat. unc.",
        "syst": "Syst. unc.",
        "env": "Syst. var.",
        "poisson": "Poisson unc.",
    }
    return names.get(error, "Total unc.")


def compare(
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


def get(style: Style, key: str, default: Any) -> Any:
    """A style value, or ``default`` when unset or unusable (checked by ``drawing_issues``)."""
    value = getattr(style, key)
    if isinstance(value, UnsetType) or style_problem(key, value):
        return default
    return value
