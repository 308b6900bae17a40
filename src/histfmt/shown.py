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
from msgspec import UNSET, UnsetType

from histfmt.combine import combine_yield, variation_sides
from histfmt.combine import project as project_document
from histfmt.errors import HistfmtError
from histfmt.intervals import garwood_interval
from histfmt.model import Asymmetric, Axis, Document, Projection, RatioItem, Stack, Yield

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
    "parse_projection",
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
    elif doc.x.log and low > 0:  # a margin so that no point sits on the frame
        factor = (high / low) ** 0.05
        low, high = low / factor, high * factor
    else:
        pad = 0.05 * (high - low)
        low, high = low - pad, high + pad
    return np.array([low, high])


@dataclass(frozen=True)
class Binning:
    """The drawn bins of one axis: numeric edges (categories sit at 0, 1, 2, ...), the
    category labels of a categorical axis, and the text under each bin of a numeric
    axis with ``Axis.labels``."""

    edges: Array
    labels: list[str] | None = None
    names: list[str] | None = None

    @property
    def widths(self) -> Array:
        return np.diff(self.edges)

    @property
    def centers(self) -> Array:
        return 0.5 * (self.edges[1:] + self.edges[:-1])

    @property
    def n(self) -> int:
        return len(self.edges) - 1

    @property
    def tick_labels(self) -> list[str] | None:
        """Text under each drawn bin (categories or bin labels); None: numbers."""
        return self.labels if self.labels is not None else self.names


@dataclass(frozen=True)
class _AxisFold:
    """How the stored bins of one axis become its drawn bins."""

    under: int
    over: int
    n: int
    index: Any
    categorical: bool
    include_underflow: bool
    include_overflow: bool

    def apply(self, array: Any, axis: int = 0) -> Array:
        full = np.moveaxis(np.asarray(array, dtype=np.float64), axis, 0)
        core = full[self.under : self.under + self.n]
        zero = np.zeros(full.shape[1:])
        under = full[0] if self.under else zero
        over = full[-1] if self.over else zero
        if self.index is not None:
            start, stop = int(self.index[0]), int(self.index[-1])
            under = under + core[:start].sum(axis=0)
            over = over + core[stop:].sum(axis=0)
            core = np.add.reduceat(core[:stop], self.index[:-1], axis=0)
        else:
            core = core.copy()
        if self.categorical:
            if self.over and self.include_overflow:
                core = np.concatenate([core, over[np.newaxis]])
        else:
            if self.include_underflow and core.shape[0]:
                core[0] += under
            if self.include_overflow and core.shape[0]:
                core[-1] += over
        return np.moveaxis(core, 0, axis)


def _axis_view(
    axis: Axis, rebin: Any, *, include_underflow: bool, include_overflow: bool, doc: Document
) -> tuple[Binning, _AxisFold]:
    """The drawn binning of ``axis`` and the fold of its stored bins into it."""

    def fold(index: Any, categorical: bool) -> _AxisFold:
        return _AxisFold(
            int(axis.underflow), int(axis.overflow), axis.n_bins, index, categorical,
            include_underflow, include_overflow,
        )  # fmt: skip

    if not isinstance(axis.categories, UnsetType):
        labels = [str(c) for c in axis.categories]
        if axis.overflow and include_overflow:
            labels.append("other")
        return Binning(np.arange(len(labels) + 1, dtype=np.float64), labels), fold(None, True)
    if not axis.binned:  # graphs only: one span covering every point
        return Binning(_graph_span(doc)), fold(None, False)
    edges = np.asarray(axis.edges, dtype=np.float64)
    names = None if isinstance(axis.labels, UnsetType) else list(axis.labels)
    if isinstance(rebin, UnsetType) or rebin is None:
        return Binning(edges, names=names), fold(None, False)
    new = np.asarray(rebin, dtype=np.float64)
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
        which = "x" if axis is doc.x else "y"
        raise HistfmtError(f"rebin edges {new.tolist()!r} are not a subset of the {which} edges")
    return Binning(edges[index]), fold(index, False)


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


def parse_projection(text: str, *, option: str = "--project") -> Projection | Literal["none"]:
    """``x``, ``y``, ``x:0:3`` (a slice: bins 0 to 2 of the other axis) or ``none``
    (draw maps even where the document asks for a projection)."""
    parts = text.strip().split(":")
    if parts[0] == "none" and len(parts) == 1:
        return "none"
    problem = parts[0] not in ("x", "y") or len(parts) not in (1, 3)
    bins: Any = UNSET
    if not problem and len(parts) == 3:
        try:
            bins = (int(parts[1]), int(parts[2]))
        except ValueError:
            problem = True
        else:
            problem = not 0 <= bins[0] < bins[1]
    if problem:
        raise HistfmtError(
            f"{option}: expected x or y, optionally with a range of bins of the other "
            f"axis as x:START:STOP (0-based, STOP excluded), or none; got {text!r}"
        )
    return Projection(onto=parts[0], bins=bins)  # type: ignore[arg-type]


class Shown:
    """A document seen through its render-time choices (which options may override).

    A 2-D document is seen as maps (``two_d``: arrays of x by y drawn bins), or, with
    a projection (``view.project`` or the ``project`` option), as the 1-D document of
    that projection (``doc``), on which everything 1-D works. Flow bins are folded
    into the edge bins of both axes of a map when the view includes them.
    """

    def __init__(
        self,
        doc: Document,
        *,
        rebin: Any = None,
        include_underflow: bool | None = None,
        include_overflow: bool | None = None,
        density_width: float | None = None,
        density: bool | None = None,
        project: Projection | Literal["none"] | None = None,
    ) -> None:
        view = doc.view
        self.include_underflow = (
            view.include_underflow if include_underflow is None else include_underflow
        )
        self.include_overflow = (
            view.include_overflow if include_overflow is None else include_overflow
        )
        chosen: Any = view.project if project is None else project
        self.projection: Projection | None = chosen if isinstance(chosen, Projection) else None
        self.source = doc
        if self.projection is not None:
            if isinstance(doc.y, UnsetType):
                raise HistfmtError("a projection needs a 2-D document (a 'y' axis)")
            doc = project_document(
                doc,
                self.projection,
                include_underflow=self.include_underflow,
                include_overflow=self.include_overflow,
            )
            view = doc.view
        self.doc = doc
        stored_width = None if isinstance(view.density_width, UnsetType) else view.density_width
        self.density_width = stored_width if density_width is None else density_width
        self.density = view.density if density is None else density
        flags = {
            "include_underflow": self.include_underflow,
            "include_overflow": self.include_overflow,
        }
        chosen_rebin = rebin if rebin is not None else view.rebin
        self.binning, self._x = _axis_view(doc.x, chosen_rebin, doc=doc, **flags)
        self.y_binning: Binning | None = None
        self._y: _AxisFold | None = None
        if not isinstance(doc.y, UnsetType):
            self.y_binning, self._y = _axis_view(doc.y, None, doc=doc, **flags)
            self.density_width, self.density = None, False  # maps: values per cell
        self._combined: dict[str, Yield] = {}

    @property
    def categorical(self) -> bool:
        return self.binning.labels is not None

    @property
    def two_d(self) -> bool:
        """Drawn as maps: a 2-D document without a projection."""
        return self.y_binning is not None

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of every drawn array."""
        if self.y_binning is None:
            return (self.binning.n,)
        return (self.binning.n, self.y_binning.n)

    # -- folding one per-bin array into the drawn bins ---------------------------------

    def fold(self, array: Any) -> Array:
        """Rebin and fold flow bins of a full-length array (values, variances or shifts)."""
        folded = self._x.apply(array, 0)
        if self._y is not None:
            folded = self._y.apply(folded, 1)
        return folded

    def combined(self, name: str) -> Yield:
        """The yield ``name`` in the drawn bins (means and efficiencies recomputed)."""
        found = self._combined.get(name)
        if found is None:
            item = self.doc.yields.get(name)
            if item is None:
                raise HistfmtError(f"unknown yield {name!r}")
            found = self._combined[name] = combine_yield(item, self.fold, name)
        return found

    def kind(self, refs: list[str]) -> str:
        """``count`` when any referenced yield is a count, else the kinds joined by ``+``
        (``mean``, ``efficiency``, ``efficiency+mean``)."""
        kinds = {
            found.kind
            for ref in refs
            if (found := self.doc.yields.get(ref.partition("/")[0])) is not None
        }
        return "count" if "count" in kinds or not kinds else "+".join(sorted(kinds))

    # -- references -> components ----------------------------------------------------------

    def components(self, refs: list[str]) -> Components:
        """Sum the referenced yields (``name`` or ``name/variation/up|down``) in drawn bins."""
        shape = self.shape
        zeros = [np.zeros(shape) for _ in range(5)]
        total = Components(zeros[0], zeros[1], zeros[2], zeros[3], zeros[4])
        for ref in refs:
            name = ref.partition("/")[0]
            item = self.doc.yields.get(name)
            counted = item is None or item.kind == "count"
            fold = self.fold if counted else _same
            values, stat, syst, shifts = self._resolve(
                ref, None if counted else self.combined(name)
            )
            total.values = total.values + fold(values)
            total.stat_up2 = total.stat_up2 + fold(stat[0])
            total.stat_down2 = total.stat_down2 + fold(stat[1])
            total.syst_up2 = total.syst_up2 + fold(syst[0])
            total.syst_down2 = total.syst_down2 + fold(syst[1])
            for source, (up, down) in shifts.items():
                previous = total.shifts.get(source, (np.zeros(shape), np.zeros(shape)))
                total.shifts[source] = (previous[0] + fold(up), previous[1] + fold(down))
        return total

    def _resolve(
        self, ref: str, item: Yield | None = None
    ) -> tuple[Array, tuple[Any, Any], tuple[Any, Any], dict[str, Any]]:
        name, _, rest = ref.partition("/")
        if item is None:
            item = self.doc.yields.get(name)
        if item is None:
            raise HistfmtError(f"unknown yield {name!r}")
        values = np.asarray(item.values, dtype=np.float64)
        if rest:
            source, _, side = rest.partition("/")
            up, down = variation_sides(item, source)
            zero = np.zeros_like(values)
            return (up if side == "up" else down), (zero, zero), (zero, zero), {}
        shifts = {}
        for source in item.variations:
            up, down = variation_sides(item, source)
            shifts[source] = (up - values, down - values)
        return (
            values,
            uncertainty_variances(item, "stat"),
            uncertainty_variances(item, "syst"),
            shifts,
        )

    def poisson(self, item: Stack | RatioItem, refs: list[str]) -> bool:
        """Whether the ``stat`` part of the error bars of ``refs`` drawn by ``item`` is
        their Poisson interval: ``item.poisson`` when set, otherwise (points only) when
        every referenced yield is a count stored as ``int``, or one without ``stat`` and
        ``variances`` whose values are whole numbers (observed events, whose uncertainty
        follows from their number)."""
        if item.type != "points":
            return False
        if isinstance(item.poisson, bool):
            return item.poisson
        return bool(refs) and all(self._counted(ref) for ref in refs)

    def _counted(self, ref: str) -> bool:
        found = None if "/" in ref else self.doc.yields.get(ref)
        if found is None or found.kind != "count":
            return False
        if found.storage == "int":
            return True
        if not (isinstance(found.stat, UnsetType) and isinstance(found.variances, UnsetType)):
            return False
        values = np.asarray(found.values, dtype=np.float64)
        values = values[np.isfinite(values)]
        return bool(np.all((values >= 0) & (values == np.round(values))))

    # -- components -> drawable series ------------------------------------------------------

    def series(self, components: Components, error: str, *, poisson: bool = False) -> Series:
        """Values and the uncertainty named by ``error`` (parts added in quadrature);
        ``poisson``: the ``stat`` part is the Poisson (Garwood) interval of the values."""
        values = components.values
        up2 = np.zeros_like(values)
        down2 = np.zeros_like(values)
        parts = [] if error == "none" else error.split("+")
        for part in parts:
            if part == "poisson" or (part == "stat" and poisson):
                lower, upper = garwood_interval(values)
                up2 = up2 + (upper - values).clip(0) ** 2
                down2 = down2 + (values - lower).clip(0) ** 2
            elif part == "stat":
                up2, down2 = up2 + components.stat_up2, down2 + components.stat_down2
            elif part == "syst":
                up2, down2 = up2 + components.syst_up2, down2 + components.syst_down2
            elif part == "env":
                for up, down in components.shifts.values():
                    high = np.maximum(np.maximum(up, down), 0.0)
                    low = np.minimum(np.minimum(up, down), 0.0)
                    up2, down2 = up2 + high**2, down2 + low**2
        return Series(values, np.sqrt(up2), np.sqrt(down2))

    def normalisation(self, total: Array, refs: list[str] | None = None) -> Array | float:
        """Factor that turns drawn counts into what the y axis shows (1 for means and
        efficiencies, and for maps)."""
        if self.two_d or (refs is not None and self.kind(refs) != "count"):
            return 1.0
        if self.density:
            area = float(np.nansum(total))
            return 1.0 / (area * self.binning.widths) if area else np.zeros_like(total)
        if self.density_width and not self.categorical:
            return self.density_width / self.binning.widths
        return 1.0


def _same(array: Any) -> Array:
    return np.asarray(array, dtype=np.float64)


def uncertainty_variances(item: Yield, which: Literal["stat", "syst"]) -> tuple[Array, Array]:
    """Upward and downward variances; missing values (NaN) count as zero."""
    value: Any = getattr(item, which)
    zero = np.zeros(np.shape(item.values))
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
