"""What a document shows: from a document to the numbers that are drawn. Pure numpy.

A :class:`Shown` applies the render-time choices (rebinning, folding the flow
bins into the edge bins, per-width or unit-area normalisation) and turns
yield references into drawable :class:`Series`: values plus asymmetric
uncertainty magnitudes. The image and terminal renderers, the summary, the
HEPData exporter and the viewer all start from here.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from msgspec import UnsetType

from histfmt.errors import HistfmtError
from histfmt.intervals import garwood_interval
from histfmt.model import Asymmetric, Document, Yield

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]
else:
    Array = np.ndarray

__all__ = [
    "Binning",
    "Components",
    "Series",
    "Shown",
    "parse_edges",
    "uncertainty_variances",
]


def parse_edges(text: str, *, option: str = "rebin") -> tuple[float, ...]:
    """``"0,50,100,200"`` as strictly increasing finite edges; HistfmtError naming ``option``."""
    try:
        edges = tuple(float(part) for part in text.split(","))
    except ValueError:
        edges = ()
    if (
        len(edges) < 2
        or not all(math.isfinite(e) for e in edges)
        or any(b <= a for a, b in itertools.pairwise(edges))
    ):
        raise HistfmtError(
            f"{option}: expected two or more increasing numbers separated by commas, "
            f"such as 0,50,100,200; got {text!r}"
        )
    return edges


def _graph_span(doc: Document) -> Array:
    """``[low, high]`` around every graph point with its x error (``[0, 1]`` if none)."""
    lows, highs = [], []
    for graph in doc.graphs:
        x = np.asarray(graph.x, dtype=np.float64)
        errors = graph.x_errors
        if isinstance(errors, Asymmetric):
            down, up = np.asarray(errors.down), np.asarray(errors.up)
        elif isinstance(errors, UnsetType):
            down = up = np.zeros_like(x)
        else:
            down = up = np.asarray(errors, dtype=np.float64)
        lows.append(np.nan_to_num(x - down, nan=np.inf))
        highs.append(np.nan_to_num(x + up, nan=-np.inf))
    low = float(np.min(np.concatenate(lows))) if lows else np.inf
    high = float(np.max(np.concatenate(highs))) if highs else -np.inf
    if not (np.isfinite(low) and np.isfinite(high)):
        return np.array([0.0, 1.0])
    if high <= low:
        pad = abs(low) * 0.05 or 0.5
        low, high = low - pad, high + pad
    return np.array([low, high])


@dataclass(frozen=True)
class Binning:
    """The drawn bins: numeric edges (categories sit at 0, 1, 2, ...) and their labels."""

    edges: Array
    labels: list[str] | None = None

    @property
    def widths(self) -> Array:
        return np.diff(self.edges)

    @property
    def centers(self) -> Array:
        return 0.5 * (self.edges[1:] + self.edges[:-1])

    @property
    def n(self) -> int:
        return len(self.edges) - 1


@dataclass
class Components:
    """Summed yields in drawn bins, with their uncertainty ingredients as variances/shifts."""

    values: Array
    stat_up2: Array
    stat_down2: Array
    syst_up2: Array
    syst_down2: Array
    shifts: dict[str, tuple[Array, Array]] = field(default_factory=dict)


@dataclass
class Series:
    """What is drawn: values with upward and downward uncertainty magnitudes (>= 0)."""

    values: Array
    up: Array
    down: Array

    def scaled(self, factor: Array | float) -> Series:
        return Series(self.values * factor, self.up * factor, self.down * factor)


class Shown:
    """A document seen through its render-time choices (which options may override)."""

    def __init__(
        self,
        doc: Document,
        *,
        rebin: Any = None,
        include_underflow: bool | None = None,
        include_overflow: bool | None = None,
        density_width: float | None = None,
        density: bool | None = None,
    ) -> None:
        if not isinstance(doc.y, UnsetType):
            raise HistfmtError(
                "this document is 2-D (x by y bins): it reads, validates and writes "
                "exactly, but drawing, summarising and exporting 2-D documents is not "
                "supported yet"
            )
        self.doc = doc
        x, view = doc.x, doc.view
        self._under = int(x.underflow)
        self._over = int(x.overflow)
        self._n = x.n_bins
        self.include_underflow = (
            view.include_underflow if include_underflow is None else include_underflow
        )
        self.include_overflow = (
            view.include_overflow if include_overflow is None else include_overflow
        )
        stored_width = None if isinstance(view.density_width, UnsetType) else view.density_width
        self.density_width = stored_width if density_width is None else density_width
        self.density = view.density if density is None else density
        self._index: Any = None
        if not isinstance(x.categories, UnsetType):
            labels = [str(c) for c in x.categories]
            if self._over and self.include_overflow:
                labels.append("other")
            self.binning = Binning(np.arange(len(labels) + 1, dtype=np.float64), labels)
            return
        if not x.binned:  # graphs only: one span covering every point
            self.binning = Binning(_graph_span(doc))
            return
        edges = np.asarray(x.edges, dtype=np.float64)
        chosen = rebin if rebin is not None else view.rebin
        if isinstance(chosen, UnsetType) or chosen is None:
            self.binning = Binning(edges)
            return
        new = np.asarray(chosen, dtype=np.float64)
        index = np.searchsorted(edges, new)
        index = np.clip(index, 0, len(edges) - 1)
        left = np.clip(index - 1, 0, len(edges) - 1)
        index = np.where(np.abs(edges[left] - new) < np.abs(edges[index] - new), left, index)
        tolerance = 1e-9 * float(np.min(np.diff(edges)))
        if (
            new.size < 2
            or np.any(np.diff(index) <= 0)
            or np.any(np.abs(edges[index] - new) > tolerance)
        ):
            raise HistfmtError(f"rebin edges {new.tolist()!r} are not a subset of the x edges")
        self._index = index
        self.binning = Binning(edges[index])

    @property
    def categorical(self) -> bool:
        return self.binning.labels is not None

    # -- folding one per-bin array into the drawn bins ---------------------------------

    def fold(self, array: Any) -> Array:
        """Rebin and fold flow bins of a full-length array (values, variances or shifts)."""
        full = np.asarray(array, dtype=np.float64)
        core = full[self._under : self._under + self._n]
        under = full[0] if self._under else 0.0
        over = full[-1] if self._over else 0.0
        if self._index is not None:
            start, stop = int(self._index[0]), int(self._index[-1])
            under = under + core[:start].sum()
            over = over + core[stop:].sum()
            core = np.add.reduceat(core[:stop], self._index[:-1])
        else:
            core = core.copy()
        if self.categorical:
            if self._over and self.include_overflow:
                core = np.append(core, over)
            return core
        if self.include_underflow and core.size:
            core[0] += under
        if self.include_overflow and core.size:
            core[-1] += over
        return core

    # -- references -> components ----------------------------------------------------------

    def components(self, refs: list[str]) -> Components:
        """Sum the referenced yields (``name`` or ``name/variation/up|down``) in drawn bins."""
        n = self.binning.n
        total = Components(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n))
        for ref in refs:
            values, stat, syst, shifts = self._resolve(ref)
            total.values = total.values + self.fold(values)
            total.stat_up2 = total.stat_up2 + self.fold(stat[0])
            total.stat_down2 = total.stat_down2 + self.fold(stat[1])
            total.syst_up2 = total.syst_up2 + self.fold(syst[0])
            total.syst_down2 = total.syst_down2 + self.fold(syst[1])
            for source, (up, down) in shifts.items():
                previous = total.shifts.get(source, (np.zeros(n), np.zeros(n)))
                total.shifts[source] = (previous[0] + self.fold(up), previous[1] + self.fold(down))
        return total

    def _resolve(self, ref: str) -> tuple[Array, tuple[Any, Any], tuple[Any, Any], dict[str, Any]]:
        name, _, rest = ref.partition("/")
        item = self.doc.yields.get(name)
        if item is None:
            raise HistfmtError(f"unknown yield {name!r}")
        values = np.asarray(item.values, dtype=np.float64)
        if rest:
            source, _, side = rest.partition("/")
            up, down = _variation_sides(item, source)
            zero = np.zeros_like(values)
            return (up if side == "up" else down), (zero, zero), (zero, zero), {}
        shifts = {}
        for source in item.variations:
            up, down = _variation_sides(item, source)
            shifts[source] = (up - values, down - values)
        return (
            values,
            uncertainty_variances(item, "stat"),
            uncertainty_variances(item, "syst"),
            shifts,
        )

    # -- components -> drawable series ------------------------------------------------------

    def series(self, components: Components, error: str) -> Series:
        """Values and the uncertainty named by ``error`` (parts added in quadrature)."""
        values = components.values
        up2 = np.zeros_like(values)
        down2 = np.zeros_like(values)
        parts = [] if error == "none" else error.split("+")
        for part in parts:
            if part == "stat":
                up2, down2 = up2 + components.stat_up2, down2 + components.stat_down2
            elif part == "syst":
                up2, down2 = up2 + components.syst_up2, down2 + components.syst_down2
            elif part == "env":
                for up, down in components.shifts.values():
                    high = np.maximum(np.maximum(up, down), 0.0)
                    low = np.minimum(np.minimum(up, down), 0.0)
                    up2, down2 = up2 + high**2, down2 + low**2
            elif part == "poisson":
                lower, upper = garwood_interval(values)
                up2 = up2 + (upper - np.round(values)) ** 2
                down2 = down2 + (np.round(values) - lower) ** 2
        return Series(values, np.sqrt(up2), np.sqrt(down2))

    def normalisation(self, total: Array) -> Array | float:
        """Factor that turns drawn counts into what the y axis shows."""
        if self.density:
            area = float(np.nansum(total))
            return 1.0 / (area * self.binning.widths) if area else np.zeros_like(total)
        if self.density_width and not self.categorical:
            return self.density_width / self.binning.widths
        return 1.0


def _variation_sides(item: Yield, source: str) -> tuple[Array, Array]:
    variation = item.variations.get(source)
    if variation is None:
        raise HistfmtError(f"no variation named {source!r}")
    values = np.asarray(item.values, dtype=np.float64)
    up = None if isinstance(variation.up, UnsetType) else np.asarray(variation.up)
    down = None if isinstance(variation.down, UnsetType) else np.asarray(variation.down)
    if up is None and down is None:
        raise HistfmtError(f"variation {source!r} has neither side")
    if up is None:
        up = 2 * values - np.asarray(down)
    if down is None:
        down = 2 * values - up
    return up, down


def uncertainty_variances(item: Yield, which: Literal["stat", "syst"]) -> tuple[Array, Array]:
    """Upward and downward variances; missing values (NaN) count as zero."""
    value: Any = getattr(item, which)
    zero = np.zeros(len(item.values))
    if (
        which == "stat"
        and isinstance(value, UnsetType)
        and not isinstance(item.variances, UnsetType)
    ):
        variances = np.nan_to_num(np.asarray(item.variances, dtype=np.float64))
        return variances, variances
    if isinstance(value, UnsetType):
        return zero, zero
    if isinstance(value, Asymmetric):
        return np.nan_to_num(np.square(value.up)), np.nan_to_num(np.square(value.down))
    squared = np.nan_to_num(np.square(np.asarray(value, dtype=np.float64)))
    return squared, squared
