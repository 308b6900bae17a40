"""Poisson intervals of counts: the central Garwood interval (needs scipy)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["CONFIDENCE", "garwood_interval"]

CONFIDENCE = 0.682689492137086
"""The probability content of one standard deviation of a normal distribution."""


def garwood_interval(counts: Any) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Central 68.27 % Poisson (Garwood) interval ``(lower, upper)`` of each count.

    ``lower = chi2.ppf(alpha / 2, 2 n) / 2`` (0 for n = 0) and ``upper = chi2.ppf(1 -
    alpha / 2, 2 (n + 1)) / 2``, as ROOT's ``kPoisson`` and mplhep's ``poisson_interval``
    of unweighted counts; a count that is not a whole number is used as it is (as
    mplhep does), a negative or missing one as 0.
    """
    from scipy.special import gammaincinv  # type: ignore[import-untyped]

    n = np.nan_to_num(np.asarray(counts, dtype=np.float64), nan=0.0).clip(0)
    alpha = 1 - CONFIDENCE
    lower = np.where(n > 0, gammaincinv(np.maximum(n, 1e-300), alpha / 2), 0.0)
    upper = gammaincinv(n + 1, 1 - alpha / 2)
    return lower, upper
