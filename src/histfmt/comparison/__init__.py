"""Comparing plots: the same quantity of several documents against a reference.

:func:`compare` brings the documents to common bins (:mod:`.binning`), takes the same
quantity of each with its own uncertainty band (:mod:`.quantity`), computes χ²/ndf, its
p-value and a Kolmogorov-Smirnov distance for each document against the reference
(:mod:`.statistics`), and makes the overlay a histfmt document (:mod:`.overlay`).

The uncertainties of two documents are taken as independent: comparing two versions
that share a systematic uncertainty counts it twice, which makes the test lenient.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from msgspec import UnsetType

from histfmt.comparison.binning import common_axis, in_common_bins, refined
from histfmt.comparison.overlay import overlay
from histfmt.comparison.quantity import Measured, choose, measure
from histfmt.comparison.statistics import chi2_sf, chi2_test, ks_distance
from histfmt.errors import HistfmtError
from histfmt.model import Axis, Document, ErrorSpec

__all__ = ["ERRORS", "Comparison", "Pair", "compare"]

ERRORS: tuple[str, ...] = get_args(ErrorSpec)
"""The bands a comparison may use instead of the documents' own (``error=``)."""


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


@dataclass(frozen=True)
class Pair:
    """One document compared with the reference."""

    reference: str
    other: str
    chi2: float
    ndf: int
    p_value: float
    ks: float | None
    """Kolmogorov-Smirnov distance; None for means and efficiencies, or no positive sum."""
    threshold: float

    @property
    def chi2_ndf(self) -> float | None:
        """χ²/ndf; None when no bin was compared."""
        return self.chi2 / self.ndf if self.ndf else None

    @property
    def compatible(self) -> bool:
        """The p-value is at least the threshold."""
        return self.p_value >= self.threshold

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON (an infinite χ² is ``None``)."""
        return {
            "reference": self.reference,
            "other": self.other,
            "chi2": _finite(self.chi2),
            "ndf": self.ndf,
            "chi2_ndf": _finite(self.chi2_ndf),
            "p_value": self.p_value,
            "ks": self.ks,
            "compatible": self.compatible,
        }


@dataclass(frozen=True)
class Comparison:
    """The statistics of each document against the reference, and the overlay document."""

    reference: str
    threshold: float
    inputs: list[dict[str, Any]]
    """Per input: ``name``, ``quantity``, ``yields`` summed, ``error`` band, ``kind``,
    ``rebinned`` (its bins combined into the common ones)."""
    pairs: list[Pair]
    overlay: Document = field(repr=False)

    @property
    def compatible(self) -> bool:
        """Every pair is compatible."""
        return all(pair.compatible for pair in self.pairs)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON: the statistics, without the overlay."""
        return _report(self.reference, self.threshold, self.inputs, self.pairs)


def _report(
    reference: str, threshold: float, inputs: list[dict[str, Any]], pairs: list[Pair]
) -> dict[str, Any]:
    return {
        "reference": reference,
        "threshold": threshold,
        "compatible": all(pair.compatible for pair in pairs),
        "inputs": inputs,
        "pairs": [pair.as_dict() for pair in pairs],
    }


def _named(docs: Mapping[str, Document] | Sequence[Document]) -> list[tuple[str, Document]]:
    if isinstance(docs, Mapping):
        named = [(str(name), doc) for name, doc in docs.items()]
    else:
        named = [(str(index + 1), doc) for index, doc in enumerate(docs)]
    if len(named) < 2:
        raise HistfmtError(f"a comparison needs two or more documents, got {len(named)}")
    for name, doc in named:
        if not isinstance(doc, Document):
            raise HistfmtError(
                f"expected a histfmt Document, got {type(doc).__name__}", filename=name
            )
        if not doc.x.binned:
            raise HistfmtError("a document of graphs only has no bins to compare", filename=name)
    return named


def _reference_index(named: list[tuple[str, Document]], reference: int | str) -> int:
    names = [name for name, _ in named]
    if isinstance(reference, str):
        if reference not in names:
            raise HistfmtError(
                f"the reference {reference!r} is not one of the documents compared: "
                + ", ".join(map(repr, names))
            )
        return names.index(reference)
    if not -len(names) <= reference < len(names):
        raise HistfmtError(f"reference index {reference} out of range for {len(names)} documents")
    return reference % len(names)


def compare(
    docs: Mapping[str, Document] | Sequence[Document],
    /,
    *,
    reference: int | str = 0,
    quantity: str | None = None,
    threshold: float = 0.05,
    error: str | None = None,
) -> Comparison:
    """Compare the same quantity of several documents with the reference's.

    ``docs`` maps a name (a file name, used in messages and the legend) to a document,
    or is a list (named ``1``, ``2``, ...). ``reference`` is an index or a name.
    ``quantity``: ``"data"``, ``"prediction"`` or a yield name (default: data if there
    is a stack of points, else the prediction; see :mod:`histfmt.comparison.quantity`).
    Bins are compared without flow bins and regardless of the documents' ``view``; a
    binning that refines the coarsest one is combined into it, any other mismatch is
    refused. 2-D documents are compared cell by cell. A pair is compatible when its
    p-value is at least ``threshold``. ``error`` replaces every document's band (one of
    :data:`ERRORS`, e.g. ``"stat"`` for versions that share their systematics).

    >>> import histfmt
    >>> a = histfmt.Document.new([0, 1, 2]).add_yield("n", [10.0, 20.0], stat=[1.0, 2.0])
    >>> b = histfmt.Document.new([0, 1, 2]).add_yield("n", [12.0, 20.0], stat=[1.0, 2.0])
    >>> pair = compare({"a": a, "b": b}).pairs[0]
    >>> pair.chi2, pair.ndf, round(pair.p_value, 4)
    (2.0, 2, 0.3679)
    """
    if not 0.0 <= threshold <= 1.0:
        raise HistfmtError(f"threshold: expected a probability from 0 to 1, got {threshold!r}")
    if error is not None and error not in ERRORS:
        raise HistfmtError(f"error: expected one of {', '.join(ERRORS)}; got {error!r}")
    named = _named(docs)
    index = _reference_index(named, reference)
    reference_name, source = named[index]
    two_d = [not isinstance(doc.y, UnsetType) for _, doc in named]
    for (name, _), flat in zip(named, two_d, strict=True):
        if flat != two_d[index]:
            raise HistfmtError(
                f"a {'2' if flat else '1'}-D document cannot be compared with the "
                f"{'2' if two_d[index] else '1'}-D {reference_name!r}",
                filename=name,
            )
    x = common_axis([(name, doc.x) for name, doc in named], "x", reference=index)
    y: Axis | None = None
    if two_d[index]:
        y = common_axis([(name, doc.y) for name, doc in named], "y", reference=index)  # type: ignore[misc]
    measured: list[Measured] = []
    inputs = []
    for name, doc in named:
        try:
            choice = choose(doc, quantity)
            if error is not None:
                choice = dataclasses.replace(choice, error=error)
            used = {ref.partition("/")[0] for ref in choice.refs}
            found = measure(name, in_common_bins(doc, x, y, used), choice)
        except HistfmtError as problem:
            problem.filename = problem.filename or name
            raise
        measured.append(found)
        rebinned = refined(doc.x, x) or (
            isinstance(doc.y, Axis) and y is not None and refined(doc.y, y)
        )
        inputs.append(
            {"name": name, "quantity": choice.quantity, "yields": choice.refs,
             "error": choice.error, "kind": found.kind, "rebinned": rebinned}
        )  # fmt: skip
    pairs = [
        _pair(measured[index], other, threshold)
        for position, other in enumerate(measured)
        if position != index
    ]
    statistics = _report(reference_name, threshold, inputs, pairs)
    document = overlay(measured, index, statistics["pairs"], x=x, y=y, source=source,
                       statistics=statistics)  # fmt: skip
    return Comparison(reference_name, threshold, inputs, pairs, document)


def _pair(reference: Measured, other: Measured, threshold: float) -> Pair:
    chi2, ndf = chi2_test(
        (other.values, other.up, other.down), (reference.values, reference.up, reference.down)
    )
    counts = reference.kind == other.kind == "count"
    return Pair(
        reference=reference.name,
        other=other.name,
        chi2=chi2,
        ndf=ndf,
        p_value=chi2_sf(chi2, ndf),
        ks=ks_distance(other.values, reference.values) if counts else None,
        threshold=threshold,
    )
