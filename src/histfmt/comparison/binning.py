"""The bins documents are compared in: their own when they agree, else the coarser binning
when one refines the other, its bins combined as :mod:`histfmt.combine` combines them.

Flow bins are left out: what is compared is the regular bins (cells) of each axis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np
from msgspec import UNSET, UnsetType

from histfmt.combine import combine_yield
from histfmt.errors import HistfmtError
from histfmt.model import Axis, Document, View

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]
    Positions = npt.NDArray[np.intp]

__all__ = ["common_axis", "in_common_bins", "refined"]


def _edges(axis: Axis) -> Array | None:
    """The numeric edges, None for a categorical axis."""
    if isinstance(axis.edges, UnsetType):
        return None
    return np.asarray(axis.edges, dtype=np.float64)


def _positions(fine: Array, coarse: Array) -> Positions | None:
    """Where each edge of ``coarse`` sits among those of ``fine`` when ``coarse`` is a
    subset of ``fine`` with the same first and last edge (to 1e-9 of the narrowest bin);
    else None."""
    if coarse.size < 2 or fine.size < coarse.size:
        return None
    index = np.clip(np.searchsorted(fine, coarse), 0, fine.size - 1)
    left = np.clip(index - 1, 0, fine.size - 1)
    index = np.where(np.abs(fine[left] - coarse) < np.abs(fine[index] - coarse), left, index)
    tolerance = 1e-9 * float(np.min(np.diff(fine)))
    if (
        index[0] != 0
        or index[-1] != fine.size - 1
        or np.any(np.diff(index) <= 0)
        or np.any(np.abs(fine[index] - coarse) > tolerance)
    ):
        return None
    return index


def _described(axis: Axis) -> str:
    edges = _edges(axis)
    if edges is None:
        categories = [str(c) for c in axis.categories or []]
        shown = ", ".join(categories[:6]) + (", ..." if len(categories) > 6 else "")
        return f"{len(categories)} categories: {shown}"
    return f"{edges.size - 1} bins from {edges[0]:g} to {edges[-1]:g}"


def common_axis(axes: Sequence[tuple[str, Axis]], letter: str, *, reference: int = 0) -> Axis:
    """The axis every one of the named ``axes`` can be compared in, without flow bins.

    Categorical axes must have the same categories. Numeric ones must each refine or be
    refined by the reference's, and all must refine the coarsest, whose edges are kept;
    else a :class:`~histfmt.HistfmtError` names both files (``filename`` the other one).
    """
    reference_name, chosen = axes[reference]
    chosen_edges = _edges(chosen)
    for index, (name, axis) in enumerate(axes):
        if index == reference:
            continue
        edges = _edges(axis)
        mismatch = None
        if (edges is None) != (chosen_edges is None):
            mismatch = "a categorical axis cannot be compared with a numeric one"
        elif edges is None:
            mismatch = None if axis.categories == chosen.categories else "the categories differ"
        elif chosen_edges is not None and not (
            _positions(edges, chosen_edges) is not None
            or _positions(chosen_edges, edges) is not None
        ):
            mismatch = "the bins differ and neither binning refines the other"
        if mismatch:
            raise HistfmtError(
                f"{letter}: {mismatch}: {_described(axis)} here, {_described(chosen)} "
                f"in {reference_name!r}",
                filename=name,
            )
    plain = msgspec.structs.replace(chosen, underflow=False, overflow=False, writer_info={})
    if chosen_edges is None:
        return plain
    coarsest_name, coarsest = min(axes, key=lambda pair: pair[1].n_bins)
    target = _edges(coarsest)
    assert target is not None
    for name, axis in axes:
        edges = _edges(axis)
        if edges is None or _positions(edges, target) is None:
            raise HistfmtError(
                f"{letter}: the bins ({_described(axis)}) do not refine those of "
                f"{coarsest_name!r} ({_described(coarsest)}), the coarsest compared",
                filename=name,
            )
    if target.size == chosen_edges.size:
        return plain
    widths = np.diff(target)
    regular = bool(np.allclose(widths, widths[0], rtol=1e-9, atol=0))
    return msgspec.structs.replace(
        plain, edges=target, kind="regular" if regular else "variable", labels=UNSET
    )


def refined(axis: Axis, common: Axis) -> bool:
    """Whether ``axis`` has more bins than ``common``: its bins are combined."""
    return axis.n_bins != common.n_bins


def _axis_fold(axis: Axis, common: Axis) -> tuple[int, int, Positions | None]:
    """The first regular bin, the number of regular bins, and where the common bins start
    (None: the same bins)."""
    edges, target = _edges(axis), _edges(common)
    starts = None
    if edges is not None and target is not None and edges.size != target.size:
        positions = _positions(edges, target)
        assert positions is not None  # checked by common_axis
        starts = positions[:-1]
    return int(axis.underflow), axis.n_bins, starts


def _fold(doc: Document, x: Axis, y: Axis | None) -> Any:
    """The fold from the stored bins of ``doc`` to the common bins (flow bins dropped)."""
    folds = [(0, _axis_fold(doc.x, x))]
    if y is not None and isinstance(doc.y, Axis):
        folds.append((1, _axis_fold(doc.y, y)))

    def fold(array: Any) -> Array:
        result = np.asarray(array, dtype=np.float64)
        for dimension, (first, count, starts) in folds:
            moved = np.moveaxis(result, dimension, 0)[first : first + count]
            if starts is not None:
                moved = np.add.reduceat(moved, starts, axis=0)
            result = np.moveaxis(moved, 0, dimension)
        return result

    return fold


def in_common_bins(doc: Document, x: Axis, y: Axis | None, names: Iterable[str]) -> Document:
    """``doc`` holding only the yields ``names``, in the common bins (see
    :func:`~histfmt.combine.combine_yield`), with nothing left to rebin or fold: no
    stacks, ratio, graphs or view."""
    fold = _fold(doc, x, y)
    yields = {name: combine_yield(doc.yields[name], fold, name) for name in names}
    return msgspec.structs.replace(
        doc,
        x=x,
        y=UNSET if y is None else y,
        yields=yields,
        view=View(),
        stacks=[],
        ratio=[],
        graphs=[],
    )
