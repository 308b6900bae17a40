"""χ², its p-value and a Kolmogorov-Smirnov distance of two binned series. numpy and math.

The p-value is the survival function of the χ² distribution, the regularized upper
incomplete gamma function Q(ndf/2, χ²/2), computed here (a series below the mean, a
continued fraction above it, as in Numerical Recipes' ``gammq``) so that no scipy is
needed; the tests check it against ``scipy.stats.chi2.sf``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["chi2_sf", "chi2_test", "chi2_text", "ks_distance"]

_EPSILON = 1e-15
_TINY = 1e-300
_MAX_TERMS = 1_000_000


def chi2_sf(chi2: float, ndf: int) -> float:
    """The probability of a χ² at least ``chi2`` with ``ndf`` degrees of freedom.

    ``ndf`` 0 (nothing compared) gives 1; an infinite ``chi2`` gives 0.

    >>> round(chi2_sf(3.84145882, 1), 6), chi2_sf(0.0, 4), chi2_sf(math.inf, 2)
    (0.05, 1.0, 0.0)
    """
    if ndf <= 0 or chi2 <= 0:
        return 1.0
    if math.isinf(chi2):
        return 0.0
    a, x = 0.5 * ndf, 0.5 * chi2
    if x < a + 1:
        return max(0.0, 1.0 - _lower_series(a, x))
    return _upper_fraction(a, x)


def _prefactor(a: float, x: float) -> float:
    return math.exp(-x + a * math.log(x) - math.lgamma(a))


def _lower_series(a: float, x: float) -> float:
    """P(a, x), the regularized lower incomplete gamma function, by its series."""
    term = total = 1.0 / a
    n = a
    for _ in range(_MAX_TERMS):
        n += 1.0
        term *= x / n
        total += term
        if abs(term) < abs(total) * _EPSILON:
            break
    return total * _prefactor(a, x)


def _upper_fraction(a: float, x: float) -> float:
    """Q(a, x) by its continued fraction (modified Lentz)."""
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPSILON:
            break
    return _prefactor(a, x) * h


def chi2_test(other: tuple[Any, Any, Any], reference: tuple[Any, Any, Any]) -> tuple[float, int]:
    """χ² and its degrees of freedom of two series of ``(values, up, down)``.

    Each bin adds ``(other - reference)^2 / (s_other^2 + s_reference^2)``, where each
    s is the side facing the other value (asymmetric uncertainties): the other's
    downward and the reference's upward one when the other is above. Bins where either
    value is missing are left out, and so are bins equal with no uncertainty; a bin that
    differs without any uncertainty makes χ² infinite. No parameter is fitted:
    ``ndf`` is the number of bins compared.

    >>> chi2_test(([12.0, 5.0], [2.0, 1.0], [2.0, 1.0]), ([10.0, 5.0], [1.0, 1.0], [1.0, 1.0]))
    (0.8, 2)
    """
    a, a_up, a_down = (np.ravel(np.asarray(part, dtype=np.float64)) for part in other)
    b, b_up, b_down = (np.ravel(np.asarray(part, dtype=np.float64)) for part in reference)
    difference = a - b
    above = difference > 0
    variance = np.where(above, a_down, a_up) ** 2 + np.where(above, b_up, b_down) ** 2
    used = np.isfinite(difference) & np.isfinite(variance) & ((variance > 0) | (difference != 0))
    if np.any(used & (variance == 0)):
        return math.inf, int(used.sum())
    terms = difference[used] ** 2 / variance[used]
    return float(terms.sum()), int(used.sum())


def ks_distance(other: Any, reference: Any) -> float | None:
    """The largest difference of the cumulative distributions, each normalised to unit sum,
    over the bins where both values are known; None when a sum is not positive.

    >>> ks_distance([1.0, 1.0, 2.0], [2.0, 1.0, 1.0])
    0.25
    """
    a = np.ravel(np.asarray(other, dtype=np.float64))
    b = np.ravel(np.asarray(reference, dtype=np.float64))
    known = np.isfinite(a) & np.isfinite(b)
    a, b = a[known], b[known]
    total_a, total_b = float(a.sum()), float(b.sum())
    if not a.size or total_a <= 0 or total_b <= 0:
        return None
    return float(np.max(np.abs(np.cumsum(a) / total_a - np.cumsum(b) / total_b)))


def chi2_text(chi2: float | None) -> str:
    """χ² for people: four significant digits, every digit before the point, ``inf``
    (``None`` stands for infinity, as in JSON reports).

    >>> chi2_text(549.43282), chi2_text(100037.269), chi2_text(0.0), chi2_text(None)
    ('549.4', '100037', '0', 'inf')
    """
    if chi2 is None or math.isinf(chi2):
        return "inf"
    return f"{chi2:.4g}" if abs(chi2) < 1e4 else f"{chi2:.0f}"
