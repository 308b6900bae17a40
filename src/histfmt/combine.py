"""Combining bins: counts are summed, means and efficiencies recomputed. Pure numpy.

Rebinning, folding flow bins into the edge bins and projecting a 2-D document onto
one axis all combine stored bins into drawn bins with one linear operation, a
``fold`` (an array in, the sums over each group of bins out). For counts
(``kind: "count"``) the fold is applied to every array (uncertainties in
quadrature); for means and efficiencies the numbers of a combined bin are
recomputed from the ``profile`` / ``efficiency`` blocks, as boost-histogram merges
its ``Mean`` / ``WeightedMean`` accumulators and ROOT merges ``TEfficiency`` counts.
:func:`project` turns a 2-D document into the 1-D document of a projection or slice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np
from msgspec import UNSET, UnsetType

from histfmt.errors import HistfmtError, ValidationError
from histfmt.model import (
    Asymmetric,
    Axis,
    Badge,
    Document,
    Efficiency,
    Profile,
    Projection,
    Stack,
    StackItem,
    Variation,
    Yield,
)

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]
else:
    Array = np.ndarray

__all__ = [
    "Fold",
    "combine_yield",
    "efficiency_interval",
    "project",
    "projection_fold",
    "slice_text",
    "variation_sides",
]

Fold = Callable[[Any], Array]
"""A linear map from a stored per-bin array to the sums over each drawn bin."""


def _array(value: Any) -> Array:
    return np.asarray(value, dtype=np.float64)


def _set(value: Any) -> bool:
    return not isinstance(value, UnsetType)


def variation_sides(item: Yield, source: str) -> tuple[Array, Array]:
    """Both sides of a variation; a missing side mirrored about the values."""
    variation = item.variations.get(source)
    if variation is None:
        raise HistfmtError(f"no variation named {source!r}")
    values = _array(item.values)
    up = _array(variation.up) if _set(variation.up) else None
    down = _array(variation.down) if _set(variation.down) else None
    if up is None and down is None:
        raise HistfmtError(f"variation {source!r} has neither side")
    if up is None:
        up = 2 * values - _array(down)
    if down is None:
        down = 2 * values - up
    return up, down


def _sides(value: Any) -> tuple[Array, Array] | None:
    """An uncertainty as (up, down) magnitudes; None when absent."""
    if not _set(value):
        return None
    if isinstance(value, Asymmetric):
        return _array(value.up), _array(value.down)
    array = _array(value)
    return array, array


def _uncertainty(up: Array, down: Array, *, asymmetric: bool) -> Any:
    return Asymmetric(up=up, down=down) if asymmetric else up


# -- counts -----------------------------------------------------------------------------


def _sum_count(item: Yield, fold: Fold) -> Yield:
    """A count yield in combined bins: everything summed, uncertainties in quadrature."""

    def quadrature(value: Any) -> Any:
        sides = _sides(value)
        if sides is None:
            return UNSET
        up = np.sqrt(fold(np.square(sides[0])))
        down = up if sides[1] is sides[0] else np.sqrt(fold(np.square(sides[1])))
        return _uncertainty(up, down, asymmetric=isinstance(value, Asymmetric))

    return msgspec.structs.replace(
        item,
        values=fold(item.values),
        stat=quadrature(item.stat),
        syst=quadrature(item.syst),
        variances=fold(item.variances) if _set(item.variances) else UNSET,
        variations={
            name: Variation(
                up=fold(variation.up) if _set(variation.up) else UNSET,
                down=fold(variation.down) if _set(variation.down) else UNSET,
            )
            for name, variation in item.variations.items()
        },
    )


# -- means and efficiencies ---------------------------------------------------------------


def efficiency_interval(
    passed: Any,
    total: Any,
    *,
    interval: str = "clopper-pearson",
    confidence: float = 0.682689492137086,
    prior: tuple[float, float] = (1.0, 1.0),
) -> tuple[Array, Array]:
    """``(lower, upper)`` bounds of passed / total, as ROOT's ``TEfficiency`` defines
    them (``ClopperPearson``, ``Wilson``, ``Normal``; ``Bayesian`` as the shortest
    interval of the Beta posterior). NaN where ``total`` is 0."""
    from scipy import stats  # type: ignore[import-untyped]

    k = np.nan_to_num(_array(passed))
    n = np.nan_to_num(_array(total))
    good = n > 0
    safe_n = np.where(good, n, 1.0)
    ratio = np.where(good, k / safe_n, 0.0)
    alpha = 1.0 - confidence
    if interval == "clopper-pearson":
        with np.errstate(invalid="ignore"):
            lower = np.where(k > 0, stats.beta.ppf(alpha / 2, k, n - k + 1), 0.0)
            upper = np.where(k < n, stats.beta.ppf(1 - alpha / 2, k + 1, n - k), 1.0)
    elif interval in ("wilson", "normal"):
        kappa = float(stats.norm.ppf(1 - alpha / 2))
        if interval == "wilson":
            middle = (k + 0.5 * kappa**2) / (safe_n + kappa**2)
            delta = (
                kappa
                / (safe_n + kappa**2)
                * np.sqrt(safe_n * ratio * (1 - ratio) + 0.25 * kappa**2)
            )
        else:
            middle = ratio
            delta = kappa * np.sqrt(ratio * (1 - ratio) / safe_n)
        lower, upper = np.maximum(middle - delta, 0.0), np.minimum(middle + delta, 1.0)
    elif interval == "bayesian":
        lower, upper = _shortest_beta(k + prior[0], n - k + prior[1], confidence)
    else:
        raise HistfmtError(f"unknown efficiency interval {interval!r}")
    return np.where(good, lower, np.nan), np.where(good, upper, np.nan)


def _shortest_beta(a: Array, b: Array, confidence: float) -> tuple[Array, Array]:
    """The shortest interval holding ``confidence`` of each Beta(a, b) distribution."""
    from scipy import optimize, stats

    lower, upper = np.empty(a.shape), np.empty(a.shape)
    for index in np.ndindex(a.shape):
        dist = stats.beta(a[index], b[index])
        if a[index] <= 1 <= b[index] and not a[index] == b[index] == 1:  # mode at 0
            lower[index], upper[index] = 0.0, dist.ppf(confidence)
            continue
        if b[index] <= 1 <= a[index] and not a[index] == b[index] == 1:  # mode at 1
            lower[index], upper[index] = dist.ppf(1 - confidence), 1.0
            continue
        found = optimize.minimize_scalar(
            lambda p, d=dist: d.ppf(p + confidence) - d.ppf(p),
            bounds=(0.0, 1.0 - confidence),
            method="bounded",
            options={"xatol": 1e-12},
        )
        lower[index] = dist.ppf(found.x)
        upper[index] = dist.ppf(found.x + confidence)
    return lower, upper


def _weighted(item: Yield, fold: Fold, weights: Array) -> tuple[Array, Any, Any, Yield]:
    """The parts shared by means and efficiencies, which are weighted averages of bins.

    Returns the combined weights, a mask of the combined bins with more than one
    contributing stored bin, the per-bin use mask, and the yield with its values,
    ``syst`` and variations averaged (and its stored numbers kept where a drawn bin
    has a single contributing stored bin).
    """
    values = _array(item.values)
    use = (np.nan_to_num(weights) > 0) & np.isfinite(values)
    w = np.where(use, np.nan_to_num(weights), 0.0)
    total = fold(w)
    count = fold(use.astype(np.float64))
    merged = count > 1
    safe = np.where(total > 0, total, 1.0)

    def average(array: Any) -> Array:
        """Weighted average in merged bins; the one stored number elsewhere."""
        stored = np.where(use, np.nan_to_num(_array(array)), 0.0)
        single = np.where(count == 1, fold(stored), np.nan)
        return np.where(merged, fold(w * stored) / safe, single)

    def averaged(value: Any) -> Any:
        sides = _sides(value)
        if sides is None:
            return UNSET
        return _uncertainty(
            average(sides[0]), average(sides[1]), asymmetric=isinstance(value, Asymmetric)
        )

    variations = {}
    for source in item.variations:
        up, down = variation_sides(item, source)
        variations[source] = Variation(up=average(up), down=average(down))
    combined = msgspec.structs.replace(
        item,
        values=average(values),
        syst=averaged(item.syst),
        variations=variations,
        variances=UNSET,
    )
    return total, merged, use, combined


def _stored_stat(item: Yield, fold: Fold, use: Any, count_one: Any) -> tuple[Array, Array]:
    """The stored stat (or sqrt of variances) of single-contributor bins."""
    sides = _sides(item.stat)
    if sides is None and _set(item.variances):
        root = np.sqrt(_array(item.variances))
        sides = (root, root)
    if sides is None:
        zero = fold(np.zeros(use.shape))
        return zero, zero
    up = np.where(count_one, fold(np.where(use, np.nan_to_num(sides[0]), 0.0)), np.nan)
    down = np.where(count_one, fold(np.where(use, np.nan_to_num(sides[1]), 0.0)), np.nan)
    return up, down


def _uncombined(item: Yield, fold: Fold, name: str, what: str, needs: str) -> Yield:
    """A mean or efficiency without the block to recompute it from: each drawn bin must
    come from one stored bin, which keeps its numbers; else a refusal naming ``needs``."""
    values = _array(item.values)
    if np.any(fold(np.isfinite(values).astype(np.float64)) > 1):
        raise ValidationError.at(
            ("yields", name),
            f"the bins {what} cannot be combined (rebinned, projected or folded with a "
            f"flow bin) without {needs}",
        )
    return _single(item, fold, np.isfinite(values))


def _combine_mean(item: Yield, fold: Fold, name: str) -> Yield:
    profile = item.profile
    values = _array(item.values)
    if not isinstance(profile, Profile):
        return _uncombined(item, fold, name, "of a profile (kind 'mean')", "its 'profile' block")
    entries = np.nan_to_num(_array(profile.entries))
    weighted = _set(profile.sum_of_weights)
    weights = np.nan_to_num(_array(profile.sum_of_weights)) if weighted else entries
    total, merged, use, combined = _weighted(item, fold, weights)
    count_one = ~merged & (fold(use.astype(np.float64)) == 1)
    stat_up, stat_down = _stored_stat(item, fold, use, count_one)
    mean = _array(combined.values)
    safe = np.where(total > 0, total, 1.0)
    m = np.where(use, values, 0.0)
    variance_out: Any = UNSET
    if _set(profile.variance) and (not weighted or _set(profile.sum_of_weights_squared)):
        variance = np.where(use, np.nan_to_num(_array(profile.variance)), 0.0)
        if weighted:
            w2 = np.nan_to_num(_array(profile.sum_of_weights_squared))
            effective = np.where(weights > 0, weights - w2 / np.where(weights > 0, weights, 1), 0)
            spread = variance * effective
            total2 = fold(np.where(use, w2, 0.0))
            norm = total - total2 / safe
        else:
            spread = variance * np.maximum(entries - 1, 0.0)
            norm = total - 1
        deltas = fold(spread + weights * m * m * use) - total * np.nan_to_num(mean) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            combined_variance = np.where(norm > 0, np.maximum(deltas, 0.0) / norm, np.nan)
        error = np.sqrt(combined_variance / safe)
        stored_variance = np.where(count_one, fold(variance), np.nan)
        variance_out = np.where(merged, combined_variance, stored_variance)
    else:  # independent means, fixed weights: the error of a weighted average
        w = np.where(use, weights, 0.0)
        up_sides = _sides(item.stat) or (np.zeros_like(values), np.zeros_like(values))
        error = np.sqrt(fold(np.square(w * np.nan_to_num(up_sides[0])))) / safe
    stat_up = np.where(merged, error, stat_up)
    stat_down = np.where(merged, error, stat_down)
    new_profile = Profile(
        entries=fold(entries),
        sum_of_weights=fold(weights) if weighted else UNSET,
        sum_of_weights_squared=fold(np.nan_to_num(_array(profile.sum_of_weights_squared)))
        if _set(profile.sum_of_weights_squared)
        else UNSET,
        variance=variance_out,
    )
    symmetric = not isinstance(item.stat, Asymmetric)
    return msgspec.structs.replace(
        combined,
        stat=stat_up if symmetric else Asymmetric(up=stat_up, down=stat_down),
        profile=new_profile,
    )


def _combine_efficiency(item: Yield, fold: Fold, name: str) -> Yield:
    block = item.efficiency
    if not isinstance(block, Efficiency):
        return _uncombined(
            item, fold, name, "of an efficiency", "its 'efficiency' block (passed and total)"
        )
    total_counts = np.nan_to_num(_array(block.total))
    passed = fold(np.nan_to_num(_array(block.passed)))
    total = fold(total_counts)
    _, merged, use, combined = _weighted(item, fold, total_counts)
    count_one = ~merged & (fold(use.astype(np.float64)) == 1)
    stat_up, stat_down = _stored_stat(item, fold, use, count_one)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total > 0, passed / np.where(total > 0, total, 1.0), np.nan)
    if np.any(merged):
        lower, upper = efficiency_interval(
            passed,
            total,
            interval=block.interval,
            confidence=block.confidence,
            prior=block.prior,
        )
        stat_up = np.where(merged, upper - ratio, stat_up)
        stat_down = np.where(merged, ratio - lower, stat_down)
    stored = _array(combined.values)
    return msgspec.structs.replace(
        combined,
        values=np.where(merged, ratio, stored),
        stat=Asymmetric(up=stat_up, down=stat_down),
        efficiency=msgspec.structs.replace(block, passed=passed, total=total),
    )


def _single(item: Yield, fold: Fold, use: Any) -> Yield:
    """A mean or efficiency without its block whose drawn bins each hold one stored bin."""
    count_one = fold(use.astype(np.float64)) == 1

    def keep(value: Any) -> Array:
        return np.where(count_one, fold(np.where(use, np.nan_to_num(_array(value)), 0.0)), np.nan)

    def kept(value: Any) -> Any:
        sides = _sides(value)
        if sides is None:
            return UNSET
        return _uncertainty(
            keep(sides[0]), keep(sides[1]), asymmetric=isinstance(value, Asymmetric)
        )

    variations = {}
    for source in item.variations:
        up, down = variation_sides(item, source)
        variations[source] = Variation(up=keep(up), down=keep(down))
    return msgspec.structs.replace(
        item,
        values=keep(item.values),
        stat=kept(item.stat),
        syst=kept(item.syst),
        variances=keep(item.variances) if _set(item.variances) else UNSET,
        variations=variations,
    )


def combine_yield(item: Yield, fold: Fold, name: str) -> Yield:
    """``item`` in the drawn bins that ``fold`` makes of its stored bins.

    Counts are summed (uncertainties in quadrature, variations bin by bin); means
    and efficiencies are recomputed from their ``profile`` / ``efficiency`` blocks,
    and refused (naming the yield) when a drawn bin combines several stored bins
    and the block is missing.
    """
    if item.kind == "mean":
        return _combine_mean(item, fold, name)
    if item.kind == "efficiency":
        return _combine_efficiency(item, fold, name)
    return _sum_count(item, fold)


# -- projections ----------------------------------------------------------------------------


def projection_fold(
    doc: Document, projection: Projection, *, include_underflow: bool, include_overflow: bool
) -> Fold:
    """The fold summing a 2-D array along the axis that ``projection`` does not keep."""
    if not isinstance(doc.y, Axis):
        raise HistfmtError("a projection needs a 2-D document (a 'y' axis)")
    other = doc.y if projection.onto == "x" else doc.x
    under = int(other.underflow)
    keep = np.zeros(other.n_values, dtype=bool)
    if isinstance(projection.bins, UnsetType):
        keep[under : under + other.n_bins] = True
        keep[0] |= bool(other.underflow and include_underflow)
        keep[-1] |= bool(other.overflow and include_overflow)
    else:
        start, stop = projection.bins
        if not 0 <= start < stop <= other.n_bins:
            raise ValidationError.at(
                ("view", "project", "bins"),
                f"expected 0 <= start < stop <= {other.n_bins} (the bins of "
                f"{'y' if projection.onto == 'x' else 'x'}), got [{start}, {stop}]",
            )
        keep[under + start : under + stop] = True
    axis = 1 if projection.onto == "x" else 0

    def fold(array: Any) -> Array:
        full = _array(array)
        return _array(np.sum(full[:, keep] if axis == 1 else full[keep, :], axis=axis))

    return fold


def _axis_name(axis: Axis, fallback: str) -> str:
    for value in (axis.symbol, axis.label, axis.name):
        if isinstance(value, str) and value:
            return value
    return fallback


def slice_text(doc: Document, projection: Projection) -> str | None:
    """What a slice keeps of the other axis, e.g. ``$\\eta$ in [-2.5, 0)``; None for
    a projection over all bins."""
    if isinstance(projection.bins, UnsetType) or not isinstance(doc.y, Axis):
        return None
    other, letter = (doc.y, "y") if projection.onto == "x" else (doc.x, "x")
    start, stop = projection.bins
    name = _axis_name(other, letter)
    if not isinstance(other.categories, UnsetType):
        chosen = [str(c) for c in other.categories[start:stop]]
        listed = ", ".join(chosen) if len(chosen) <= 3 else f"{chosen[0]} … {chosen[-1]}"
        return f"{name}: {listed}"
    if not isinstance(other.labels, UnsetType):
        chosen = other.labels[start:stop]
        listed = ", ".join(chosen) if len(chosen) <= 3 else f"{chosen[0]} … {chosen[-1]}"
        return f"{name}: {listed}"
    edges = _array(other.edges)
    unit = f" {other.unit}" if isinstance(other.unit, str) and other.unit else ""
    return f"{name} in [{edges[start]:g}, {edges[stop]:g}){unit}"


def project(
    doc: Document, projection: Projection, *, include_underflow: bool, include_overflow: bool
) -> Document:
    """The 1-D document that a projection (or slice) of the 2-D ``doc`` shows.

    Every yield is summed along the other axis (see :func:`combine_yield`); the kept
    axis becomes ``x``; maps become points; a slice is named under the badge. What
    lives in the 2-D plane (graphs, horizontal lines, and vertical lines when
    projecting onto y) is left out.
    """
    fold = projection_fold(
        doc, projection, include_underflow=include_underflow, include_overflow=include_overflow
    )
    assert isinstance(doc.y, Axis)
    kept = doc.x if projection.onto == "x" else doc.y
    yields = {name: combine_yield(item, fold, name) for name, item in doc.yields.items()}
    stacks = [
        msgspec.structs.replace(stack, type="points", cell_text=False)
        if stack.type == "map"
        else stack
        for stack in doc.stacks
    ]
    if not stacks and yields:  # what the map showed: the first yield
        first = next(iter(yields))
        label = yields[first].label
        text = label if isinstance(label, str) else first
        stacks = [Stack(content=[StackItem(yields=[first], label=text)], type="points")]
    view = msgspec.structs.replace(
        doc.view,
        project=UNSET,
        rebin=doc.view.rebin if projection.onto == "x" else UNSET,
    )
    y_axis = doc.y_axis
    if isinstance(y_axis.label, UnsetType) and isinstance(doc.z_axis.label, str):
        y_axis = msgspec.structs.replace(y_axis, label=doc.z_axis.label)
    badge = doc.badge
    note = slice_text(doc, projection)
    if note is not None:
        if isinstance(badge, Badge):
            subtext = f"{badge.subtext}\n{note}" if isinstance(badge.subtext, str) else note
            badge = msgspec.structs.replace(badge, subtext=subtext)
        else:
            badge = Badge(brand=None, subtext=note, show_luminosity=False)
    return msgspec.structs.replace(
        doc,
        x=kept,
        y=UNSET,
        yields=yields,
        stacks=stacks,
        view=view,
        y_axis=y_axis,
        badge=badge,
        graphs=[],
        h_lines=[],
        v_lines=doc.v_lines if projection.onto == "x" else [],
    )
