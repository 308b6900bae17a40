"""One ROOT object as histfmt pieces: its axes and yield, or its graph.

Every number is taken as uproot shows it: ``values(flow=True)``, ``variances``,
``errors`` and ``counts`` of histograms and profiles (2-D arrays in uproot's
``[x][y]`` order, the order of the format), the two histograms of a
``TEfficiency``, the point arrays of a graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from msgspec import UNSET, UnsetType

from histfmt.combine import efficiency_interval
from histfmt.convert.interface import is_data
from histfmt.errors import HistfmtError
from histfmt.model import (
    CONFIDENCE_ONE_SIGMA,
    FORMAT_VERSION,
    Asymmetric,
    Axis,
    Document,
    Efficiency,
    Graph,
    Profile,
    Stack,
    StackItem,
    Yield,
)

__all__ = [
    "COUNT",
    "GRAPHS",
    "PROFILES",
    "Binned",
    "binned_document",
    "count",
    "draw",
    "efficiency",
    "graph",
    "profile",
    "readable",
    "skip_reason",
]

COUNT = re.compile(r"TH([12])[CSILFD]")
"""1-D and 2-D histograms of counts: their class names, the dimension captured."""
PROFILES = {"TProfile": 1, "TProfile2D": 2}
GRAPHS = ("TGraph", "TGraphErrors", "TGraphAsymmErrors")
STATISTIC_OPTIONS: dict[int, Literal["clopper-pearson", "normal", "wilson"]] = {
    0: "clopper-pearson",  # TEfficiency::kFCP
    1: "normal",  # kFNormal
    2: "wilson",  # kFWilson
}
USE_WEIGHTS = 1 << 18
"""TEfficiency's ``kUseWeights`` status bit: weighted events, whose interval ROOT takes
from the sums of squared weights, which histfmt's efficiency block does not hold."""


def readable(classname: str) -> bool:
    """Whether histfmt reads objects of this class."""
    return bool(
        COUNT.fullmatch(classname)
        or classname in PROFILES
        or classname in GRAPHS
        or classname == "TEfficiency"
    )


def skip_reason(classname: str) -> str:
    """Why an object of this class is not read."""
    if classname.startswith(("TH3", "TProfile3D")):
        return f"{classname}: a 3-D histogram; histfmt holds 1-D and 2-D histograms"
    if classname == "TH2Poly":
        return f"{classname}: a histogram of polygon bins, which histfmt cannot hold"
    if classname.startswith(("TGraph2D", "TGraphMulti", "TGraphBent", "TGraphPolar")):
        return f"{classname}: a kind of graph histfmt cannot hold"
    if classname.startswith(("TTree", "TNtuple", "ROOT::")):
        return f"{classname}: a tree of entries, not a histogram"
    if classname.startswith("TF"):
        return f"{classname}: a function, not data"
    if classname == "TObjString":
        return f"{classname}: a string, not a histogram"
    return f"{classname}: not a histogram, profile, efficiency or graph"


@dataclass
class Binned:
    """A histogram-like object: one axis (1-D) or two (2-D), and its yield."""

    axes: list[Axis]
    item: Yield
    y_title: str = ""


# -- axes ------------------------------------------------------------------------------


def _labels(taxis: Any) -> list[str] | None:
    """Bin labels in bin order when every bin has one (ROOT keeps the bin in fUniqueID)."""
    labels = taxis.member("fLabels", none_if_missing=True)
    n = int(taxis.member("fNbins"))
    if labels is None or len(labels) != n:
        return None
    by_bin = {int(label.member("@fUniqueID")): str(label) for label in labels}
    if sorted(by_bin) == list(range(1, n + 1)):
        return [by_bin[i] for i in range(1, n + 1)]
    return [str(label) for label in labels]  # written without bin numbers: list order


def _axis(taxis: Any, *, underflow_empty: bool) -> tuple[Axis, bool]:
    """The axis, and whether the arrays lose their underflow bin (a categorical axis).

    Unique labels on every bin make categories when the underflow bin is empty;
    otherwise (labels that repeat, or content below the first bin) the axis stays
    numeric and carries the labels.
    """
    title = str(taxis.member("fTitle"))
    labels = _labels(taxis)
    if labels is not None and underflow_empty and len(set(labels)) == len(labels):
        axis = Axis(categories=list(labels), kind="category", overflow=True, label=title or UNSET)
        return axis, True
    kind: Literal["regular", "variable"]
    n, fxbins = int(taxis.member("fNbins")), taxis.member("fXbins")
    if len(fxbins) == n + 1:
        edges, kind = np.asarray(fxbins, dtype=np.float64), "variable"
    else:
        xmin, xmax = float(taxis.member("fXmin")), float(taxis.member("fXmax"))
        edges, kind = np.linspace(xmin, xmax, n + 1), "regular"
    axis = Axis(
        edges=edges,
        kind=kind,
        underflow=True,
        overflow=True,
        label=title or UNSET,
        labels=UNSET if labels is None else labels,
    )
    return axis, False


def _axes(histogram: Any, ndim: int, arrays: list[Any]) -> tuple[list[Axis], list[bool]]:
    """The axes of a histogram whose per-bin ``arrays`` are given, and which lose their
    underflow bin."""
    axes, drops = [], []
    for index, key in enumerate(("fXaxis", "fYaxis")[:ndim]):
        empty = all(not np.any(np.take(a, 0, axis=index)) for a in arrays)
        axis, drop = _axis(histogram.member(key), underflow_empty=empty)
        axes.append(axis)
        drops.append(drop)
    return axes, drops


def _cut(array: Any, drops: list[bool]) -> Any:
    """``array`` without the underflow bins of the axes that drop them."""
    if isinstance(array, UnsetType):
        return array
    if drops[0]:
        array = array[1:]
    if len(drops) > 1 and drops[1]:
        array = array[:, 1:]
    return array


def _cells(array: Any, shape: tuple[int, ...]) -> Any:
    """A per-cell member (ROOT order: x fastest) as an array of ``shape`` (``[x][y]``)."""
    flat = np.asarray(array, dtype=np.float64)
    if len(shape) == 1:
        return flat
    return flat.reshape(shape[1], shape[0]).T


def _title(obj: Any) -> str:
    return str(obj.member("fTitle"))


def _axis_title(histogram: Any, key: str) -> str:
    found = histogram.member(key, none_if_missing=True)
    return "" if found is None else str(found.member("fTitle"))


# -- histograms, profiles, efficiencies --------------------------------------------


def count(histogram: Any, ndim: int) -> Binned:
    """A TH1 or TH2: values with their variances (``fSumw2``) or ROOT's sqrt(N) errors."""
    raw = np.asarray(histogram.values(flow=True))
    values = raw.astype(np.float64)
    sumw2 = histogram.member("fSumw2", none_if_missing=True)
    variances: Any = UNSET
    storage: Literal["int", "double", "weight"]
    if sumw2 is not None and len(sumw2) == values.size:
        variances, storage = np.asarray(histogram.variances(flow=True), np.float64), "weight"
    elif raw.dtype.kind in "iu":
        storage = "int"
    else:  # ROOT: the error is sqrt(|content|)
        variances = np.abs(values)
        same = np.array_equal(variances, values, equal_nan=True)
        storage = "double" if same else "weight"
    arrays = [values] if isinstance(variances, UnsetType) else [values, variances]
    axes, drops = _axes(histogram, ndim, arrays)
    label = _title(histogram)
    item = Yield(
        values=_cut(values, drops),
        variances=_cut(variances, drops),
        storage=storage,
        label=label or UNSET,
    )
    return Binned(axes, item, _axis_title(histogram, "fYaxis" if ndim == 1 else "fZaxis"))


def profile(histogram: Any, ndim: int) -> Binned:
    """A TProfile or TProfile2D: the means and their errors as uproot gives them (its
    default error mode, the error of the mean), with the entries and sums behind them.

    ``entries`` is uproot's ``counts`` (ROOT's effective entries), ``sum_of_weights``
    and ``sum_of_weights_squared`` are ``fBinEntries`` and ``fBinSumw2`` (a weighted
    profile), ``variance`` the sample variance of the profiled quantity.  An empty bin
    has no mean: ``null``.
    """
    means = np.asarray(histogram.values(flow=True), dtype=np.float64)
    shape = means.shape
    errors = np.asarray(histogram.errors(flow=True), dtype=np.float64)
    entries = np.asarray(histogram.counts(flow=True), dtype=np.float64)
    sumw = _cells(histogram.member("fBinEntries"), shape)
    binsumw2 = np.asarray(histogram.member("fBinSumw2"), dtype=np.float64)
    weighted = binsumw2.size == means.size
    fsumw2 = histogram.member("fSumw2", none_if_missing=True)
    squares = _cells(fsumw2, shape) if fsumw2 is not None and len(fsumw2) == means.size else None
    filled = sumw != 0
    values = np.where(filled, means, np.nan)
    stat = np.where(filled, errors, np.nan)
    sum_of_weights_squared: Any = UNSET
    with np.errstate(divide="ignore", invalid="ignore"):
        deviations = (
            np.zeros(shape) if squares is None else np.maximum(squares - sumw * means**2, 0.0)
        )
        if weighted:
            sum_of_weights_squared = _cells(binsumw2, shape)
            dof = np.where(filled, sumw - sum_of_weights_squared / np.where(filled, sumw, 1), 0)
        else:
            dof = entries - 1
        variance = np.where(dof > 0, deviations / np.where(dof > 0, dof, 1), np.nan)
    block = Profile(
        entries=entries,
        sum_of_weights=sumw if weighted else UNSET,
        sum_of_weights_squared=sum_of_weights_squared,
        variance=variance,
    )
    axes, drops = _axes(histogram, ndim, [sumw])
    for key in ("entries", "sum_of_weights", "sum_of_weights_squared", "variance"):
        setattr(block, key, _cut(getattr(block, key), drops))
    label = _title(histogram)
    item = Yield(
        values=_cut(values, drops),
        kind="mean",
        stat=_cut(stat, drops),
        storage="weighted_mean" if weighted else "mean",
        profile=block,
        label=label or UNSET,
    )
    return Binned(axes, item, _axis_title(histogram, "fYaxis" if ndim == 1 else "fZaxis"))


def efficiency(teff: Any) -> Binned:
    """A TEfficiency: passed / total from its two histograms, ``stat`` the interval its
    statistic option names (Clopper-Pearson, normal or Wilson; any other option is
    given the Clopper-Pearson interval) at its confidence level. One of weighted events
    is refused (ROOT's interval for it needs the sums of squared weights)."""
    if int(teff.member("@fBits")) & USE_WEIGHTS:
        raise HistfmtError(
            "a TEfficiency of weighted events: its interval needs the sums of squared "
            "weights, which histfmt's efficiencies do not hold"
        )
    passed_h, total_h = teff.member("fPassedHistogram"), teff.member("fTotalHistogram")
    found = COUNT.fullmatch(total_h.classname)
    if found is None:
        raise HistfmtError(
            f"TEfficiency of a {total_h.classname}: histfmt holds 1-D and 2-D efficiencies"
        )
    ndim = int(found.group(1))
    passed = np.asarray(passed_h.values(flow=True), dtype=np.float64)
    total = np.asarray(total_h.values(flow=True), dtype=np.float64)
    option = int(teff.member("fStatisticOption"))
    interval = STATISTIC_OPTIONS.get(option, "clopper-pearson")
    level = float(teff.member("fConfLevel"))
    if not 0 < level < 1:
        level = CONFIDENCE_ONE_SIGMA
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(total > 0, passed / total, np.nan)
    low, high = efficiency_interval(passed, total, interval=interval, confidence=level)
    axes, drops = _axes(total_h, ndim, [passed, total])
    title = _title(teff).split(";")[0]
    item = Yield(
        values=_cut(values, drops),
        kind="efficiency",
        stat=Asymmetric(up=_cut(high - values, drops), down=_cut(values - low, drops)),
        efficiency=Efficiency(
            passed=_cut(passed, drops),
            total=_cut(total, drops),
            interval=interval,
            confidence=level,
        ),
        label=title or UNSET,
    )
    if option not in STATISTIC_OPTIONS:
        item.writer_info = {"root": {"fStatisticOption": option}}
    return Binned(axes, item, _axis_title(passed_h, "fYaxis" if ndim == 1 else "fZaxis"))


# -- graphs --------------------------------------------------------------------------------


def _points(graph: Any, key: str) -> Any:
    return np.asarray(graph.member(key), dtype=np.float64)


def graph(tgraph: Any, classname: str) -> Document:
    """A TGraph, TGraphErrors or TGraphAsymmErrors as a document of that graph alone;
    its axis titles become the x label and the y-axis label."""
    x_errors: Any = UNSET
    y_errors: Any = UNSET
    if classname == "TGraphErrors":
        x_errors, y_errors = _points(tgraph, "fEX"), _points(tgraph, "fEY")
    elif classname == "TGraphAsymmErrors":
        x_errors = Asymmetric(up=_points(tgraph, "fEXhigh"), down=_points(tgraph, "fEXlow"))
        y_errors = Asymmetric(up=_points(tgraph, "fEYhigh"), down=_points(tgraph, "fEYlow"))
    title = _title(tgraph)
    frame = tgraph.member("fHistogram", none_if_missing=True)
    x_title = "" if frame is None else _axis_title(frame, "fXaxis")
    y_title = "" if frame is None else _axis_title(frame, "fYaxis")
    item = Graph(
        x=_points(tgraph, "fX"),
        y=_points(tgraph, "fY"),
        x_errors=x_errors,
        y_errors=y_errors,
        label=title or UNSET,
    )
    doc = Document(histfmt=FORMAT_VERSION, x=Axis(label=x_title or UNSET), yields={}, graphs=[item])
    if y_title:
        doc.y_axis.label = y_title
    return doc


# -- documents -----------------------------------------------------------------------------


def binned_document(binned: Binned, name: str) -> Document:
    """A document of one histogram-like object, drawn as its kind is drawn: a 2-D one as
    a map; a 1-D count filled (or as points when named like data); means and
    efficiencies as points."""
    item = binned.item
    axes = binned.axes
    doc = Document(
        histfmt=FORMAT_VERSION,
        x=axes[0],
        y=axes[1] if len(axes) > 1 else UNSET,
        yields={name: item},
    )
    label = item.label if isinstance(item.label, str) else name
    layer = StackItem(yields=[name], label=label)
    if len(axes) > 1:
        doc.stacks.append(Stack(content=[layer], type="map"))
        if binned.y_title:
            doc.z_axis.label = binned.y_title
        return doc
    if binned.y_title:
        doc.y_axis.label = binned.y_title
    if item.kind == "count":
        return draw(doc)
    doc.stacks.append(Stack(content=[layer], type="points"))
    return doc


def draw(doc: Document) -> Document:
    """The default drawing of 1-D counts: a filled stack, data as points with a ratio."""
    data = next((name for name in doc.yields if is_data(name)), None)
    model = [name for name in doc.yields if name != data]
    varied = any(doc.yields[name].variations for name in model)
    band: Literal["stat+env", "stat"] = "stat+env" if varied else "stat"
    if model:
        doc.add_stack([*model], error=band)
    if data is not None:
        item = doc.yields[data]
        values = np.asarray(item.values)
        counts = bool(np.array_equal(values, np.round(values))) and (
            isinstance(item.variances, UnsetType) or np.array_equal(item.variances, values)
        )
        error: Literal["poisson", "stat"] = "poisson" if counts else "stat"
        label = item.label if isinstance(item.label, str) else "Data"
        doc.add_stack([(data, label)], type="points", error=error)
        if model:
            doc.add_ratio(data, model, error=error, den_error=band)
    return doc
