"""A dependent variable over point-like x values as a graph: y, its errors and their sources."""

from __future__ import annotations

from typing import Any

import numpy as np
from msgspec import UNSET

from histfmt.convert.hepdata.columns import point_error, point_value
from histfmt.convert.hepdata.common import Checker, Where, kind_of
from histfmt.model import Asymmetric, Graph

__all__ = ["UNLABELLED", "read_graph"]

UNLABELLED = "error"
"""The source name of an error without a label (repeats: ``error 2``, ``error 3``...)."""


def read_graph(check: Checker, xs: Any, points: list[Any], label: str, path: Where) -> Graph:
    """The dependent variable's ``points`` (``path``: their YAML path) at ``xs``.

    Every error is a source named by its label (unlabelled: ``error``; a label repeated
    within a point: ``label 2``...). A source's upward size is its larger shift if positive,
    its downward size the smaller one's magnitude if negative (``symerror: 0.1`` is 0.1 both
    ways; ``asymerror: {plus: 0.2, minus: 0.1}`` is 0.2 up and 0 down); a point without the
    source has 0. ``y_errors`` adds the sources in quadrature, side by side. A missing value
    (``'-'``) is a missing point: NaN, with NaN errors.
    """
    n = len(points)
    ys = np.full(n, np.nan)
    sources: dict[str, tuple[Any, Any]] = {}
    for j, point in enumerate(points):
        ys[j] = point_value(check, point, (*path, j))
        errors = point.get("errors") or []
        if not isinstance(errors, list):
            raise check.fail((*path, j, "errors"), f"expected a list, got {kind_of(errors)}")
        seen: dict[str, int] = {}
        for k, error in enumerate(errors):
            name, plus, minus = point_error(check, error, float(ys[j]), (*path, j, "errors", k))
            name = (name or UNLABELLED)[:240]
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = f"{name} {seen[name]}"
            up, down = sources.setdefault(name, (np.zeros(n), np.zeros(n)))
            up[j], down[j] = max(0.0, plus, minus), max(0.0, -plus, -minus)
    missing = np.isnan(ys)
    for up, down in sources.values():
        up[missing], down[missing] = np.nan, np.nan
    y_sources = {name: _sized(up, down) for name, (up, down) in sources.items()}
    y_errors: Any = UNSET
    if sources:
        total_up = np.sqrt(sum((up * up for up, _ in sources.values()), np.zeros(n)))
        total_down = np.sqrt(sum((down * down for _, down in sources.values()), np.zeros(n)))
        y_errors = _sized(total_up, total_down)
    return Graph(x=xs, y=ys, y_errors=y_errors, y_sources=y_sources, label=label[:4096] or UNSET)


def _sized(up: Any, down: Any) -> Any:
    """One array when both sides are equal at every point, else ``up``/``down``."""
    if np.array_equal(up, down, equal_nan=True):
        return up
    return Asymmetric(up=up, down=down)
