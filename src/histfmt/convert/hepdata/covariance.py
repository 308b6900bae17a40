"""Covariance and correlation tables of a HEPData export.

A stack marked ``correlated`` (its ``env`` part a covariance, see the format's
``Stack``) gets one more table: the bin-to-bin covariance of the stack total,
``C_ij = sum_v d_v,i d_v,j`` (``d_v = (up - down) / 2`` of the summed yields) plus, on the
diagonal, the ``stat`` and ``syst`` parts its ``error`` includes. The table has two
independent variables, bin ``i`` and bin ``j`` (the main table's bins, every pair, i-major,
as HEPData's own covariance tables are written) and one dependent variable,
``Covariance``, with the main table's qualifiers and ``COVARIANCE OF`` naming it. A
post-fit pyhf book (``metadata.extra["pyhf_fit"]``) also gets the fit parameters'
correlation matrix, parameter names as the two independent variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from msgspec import UnsetType
from msgspec.structs import replace

from histfmt.model import Axis, Book, Document, Stack, View
from histfmt.shown import Shown

__all__ = ["CovarianceTable", "correlation_table", "covariance_tables"]


@dataclass(frozen=True)
class CovarianceTable:
    """One extra table: the number of its stack (1-based), its data and its description."""

    stack: int
    content: dict[str, Any]
    description: str


def covariance_matrix(doc: Document, stack: Stack, *, flow: bool, drawn: bool) -> Any:
    """The covariance of ``stack``'s total between the exported bins (as the main table
    lists them), or None when it has none (no ``env``, no variation, a 2-D document, a
    unit-area normalisation)."""
    from histfmt.convert.hepdata.export import _rows

    parts = stack.error.split("+")
    if not stack.correlated or "env" not in parts or not isinstance(doc.y, UnsetType):
        return None
    refs = [ref for item in stack.content for ref in item.yields]
    if drawn:
        shown = Shown(doc)
        if shown.density:
            return None  # the normalisation's own uncertainty would enter
        index = np.arange(len(shown.binning.edges) - 1 if shown.binning.labels is None
                          else len(shown.binning.labels))  # fmt: skip
    else:
        flat = replace(doc, x=Axis(edges=np.arange(doc.x.n_values + 1.0)), view=View())
        shown = Shown(flat)
        index = np.array([position for position, _ in _rows(doc.x, flow)], dtype=np.intp)
    total = shown.components(refs)
    if not total.shifts:
        return None
    scale = np.broadcast_to(shown.normalisation(total.values, refs), total.values.shape)[index]
    shifts = np.array([(up - down)[index] / 2 for up, down in total.shifts.values()])
    shifts = np.nan_to_num(shifts) * scale
    matrix = shifts.T @ shifts
    diagonal = np.zeros(len(index))
    for part, (up2, down2) in (
        ("stat", (total.stat_up2, total.stat_down2)),
        ("syst", (total.syst_up2, total.syst_down2)),
    ):
        if part in parts:
            diagonal += np.nan_to_num((up2 + down2)[index] / 2) * scale**2
    return matrix + np.diag(diagonal)


def covariance_tables(
    doc: Document, table: str, *, flow: bool, drawn: bool
) -> list[CovarianceTable]:
    """The covariance table of every ``correlated`` stack of ``doc`` that has one;
    ``table`` is the name of the document's own table."""
    from histfmt.convert.hepdata.export import (
        _drawn_rows,
        _independent,
        _metadata_qualifiers,
        _rows,
    )

    result = []
    for number, stack in enumerate(doc.stacks, 1):
        matrix = covariance_matrix(doc, stack, flow=flow, drawn=drawn)
        if matrix is None:
            continue
        axes = Shown(doc) if drawn else None
        rows = (
            [value for _, value in _drawn_rows(axes.binning)]
            if axes is not None
            else [value for _, value in _rows(doc.x, flow)]
        )
        n = len(rows)
        refs = [ref for item in stack.content for ref in item.yields]
        qualifiers = _metadata_qualifiers(doc)
        qualifiers.append({"name": "YIELDS", "value": " + ".join(refs)})
        qualifiers.append({"name": "COVARIANCE OF", "value": f"{table}, stack {number}"})
        dependent = {
            "header": {"name": "Covariance"},
            "qualifiers": qualifiers,
            "values": [{"value": float(v)} for v in matrix.reshape(-1).tolist()],
        }
        content = {
            "independent_variables": [
                _independent(doc.x, [dict(rows[i]) for i in range(n) for _ in range(n)]),
                _independent(doc.x, [dict(rows[j]) for _ in range(n) for j in range(n)]),
            ],
            "dependent_variables": [dependent],
        }
        parts = " and ".join(
            {"stat": "the statistical", "syst": "the systematic"}[p]
            for p in stack.error.split("+")
            if p in ("stat", "syst")
        )
        description = (
            f"Covariance between bins i and j of the total of stack {number} "
            f"({' + '.join(refs)}) of table '{table}': the sum over its named variations "
            "(independent sources, each correlated across bins and samples) of the "
            "products of their symmetrised shifts"
            + (f", plus {parts} variance on the diagonal." if parts else ".")
        )
        result.append(CovarianceTable(number, content, description))
    return result


def correlation_table(book: Book) -> tuple[dict[str, Any], str] | None:
    """The fit parameters' correlation matrix of a post-fit pyhf book, with its
    description; None without a well-formed ``metadata.extra["pyhf_fit"]``."""
    found = book.metadata.extra.get("pyhf_fit")
    if not isinstance(found, dict):
        return None
    names, matrix = found.get("parameters"), found.get("correlation")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    try:
        values = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    n = len(names)
    if values.shape != (n, n) or n == 0 or not np.all(np.isfinite(values)):
        return None
    content = {
        "independent_variables": [
            {"header": {"name": "Parameter i"}, "values": [
                {"value": names[i]} for i in range(n) for _ in range(n)]},
            {"header": {"name": "Parameter j"}, "values": [
                {"value": names[j]} for _ in range(n) for j in range(n)]},
        ],
        "dependent_variables": [{
            "header": {"name": "Correlation"},
            "values": [{"value": float(v)} for v in values.reshape(-1).tolist()],
        }],
    }  # fmt: skip
    description = (
        "Correlation matrix of the fit parameters after the maximum-likelihood fit "
        "(MINUIT, HESSE) whose post-fit yields the other tables show."
    )
    return content, description
