"""What a pyhf model predicts: the yield of every sample in every bin, and the named
variations whose quadrature sum is the prediction's uncertainty.

Every parameter component ``i`` (a ``staterror`` or ``shapesys`` bin is one) with an
uncertainty ``sigma_i`` is moved by it, up and down, all others kept in place; its
symmetrised shift is ``s_i = (f(theta + sigma_i) - f(theta - sigma_i)) / 2`` per sample and
bin. Pre-fit (``theta`` the initial values, ``sigma`` the constraints' widths, no
correlations) each ``s_i`` is a variation named after the parameter, ``up = nominal +
s_i`` (down mirrored), the same name in every sample it moves. Post-fit (best-fit values
and uncertainties), the shifts are rotated into the eigenvectors of the fit's correlation
matrix ``C = U diag(lambda) U^T``: variation ``k`` is ``d_k = sqrt(lambda_k) sum_i U_ik
s_i``, so the quadrature sum over ``k`` is ``s^T C s``, the linear propagation of the full
covariance (as cabinetry computes it), in every bin and every sum of samples or bins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    from histfmt.convert.pyhf.fit import FitResult

    Array = npt.NDArray[np.float64]

__all__ = ["Prediction", "postfit", "prefit", "prefit_widths", "symmetric_shifts"]


@dataclass
class Prediction:
    """Yields per sample and bin (``(samples, bins)``, every channel's bins in a row)
    and named variations: ``name -> (up, down)`` of the same shape; ``down`` None is
    the mirror image ``2 * nominal - up``."""

    stage: str
    nominal: Array
    variations: dict[str, tuple[Array, Array | None]] = field(default_factory=dict)


def _by_sample(model: Any, parameters: Array) -> Array:
    import pyhf

    expected = model.main_model.expected_data(parameters, return_by_sample=True)
    return np.asarray(pyhf.tensorlib.to_numpy(expected), dtype=np.float64)


def prefit_widths(model: Any) -> Array:
    """The pre-fit uncertainty of every parameter component: its constraint's width;
    zero for unconstrained (normfactor, shapefactor) and fixed ones."""
    widths: list[float] = []
    for name in model.config.par_order:
        parameters = model.config.param_set(name)
        fixed = parameters.suggested_fixed
        if parameters.constrained:
            pairs = zip(parameters.width(), fixed, strict=True)
            widths += [0.0 if f else float(w) for w, f in pairs]
        else:
            widths += [0.0] * parameters.n_parameters
    return np.asarray(widths, dtype=np.float64)


def symmetric_shifts(model: Any, values: Array, widths: Array) -> Array:
    """Every component's symmetrised shift ``(f(values + widths_i) - f(values - widths_i))
    / 2`` per sample and bin, shape ``(parameters, samples, bins)``; zero for a zero width.

    The components of a per-bin parameter (staterror, shapesys, shapefactor: component
    ``j`` acts on bin ``j`` of a channel and on no other bin) are moved together, two
    evaluations for all of them, and each bin's shift is given to its own component.
    """
    nominal = _by_sample(model, values)
    shifts = np.zeros((len(values), *nominal.shape))
    local = np.zeros(nominal.shape[1], dtype=np.int64)  # a bin's index in its channel
    for channel in model.config.channels:
        where = model.config.channel_slices[channel]
        local[where] = np.arange(where.stop - where.start)
    start = 0
    for name in model.config.par_order:
        size = int(model.config.param_set(name).n_parameters)
        components = np.arange(start, start + size)
        start += size
        if not np.any(widths[components] > 0):
            continue
        shifted = values.copy()
        shifted[components] = values[components] + widths[components]
        up = _by_sample(model, shifted)
        shifted[components] = values[components] - widths[components]
        shift = (up - _by_sample(model, shifted)) / 2
        if size == 1:
            shifts[components[0]] = shift
            continue
        for number, index in enumerate(components):
            shifts[index] = np.where(local == number, shift, 0.0)
    return shifts


def prefit(model: Any) -> Prediction:
    """Yields at the initial parameter values; one variation per constrained component,
    the nominal yields plus its symmetrised shift (the down side mirrored)."""
    init = np.asarray(model.config.suggested_init(), dtype=np.float64)
    widths = prefit_widths(model)
    result = Prediction("pre-fit", _by_sample(model, init))
    shifts = symmetric_shifts(model, init, widths)
    for index, name in enumerate(model.config.par_names):
        if widths[index] > 0:
            result.variations[str(name)] = (result.nominal + shifts[index], None)
    return result


def postfit(model: Any, fit: FitResult) -> Prediction:
    """Yields at the best fit and the fit covariance as uncorrelated eigen-variations."""
    nominal = _by_sample(model, fit.bestfit)
    shifts = symmetric_shifts(model, fit.bestfit, fit.uncertainty)
    eigenvalues, vectors = np.linalg.eigh(fit.correlation)
    order = np.argsort(eigenvalues)[::-1]
    result = Prediction("post-fit", nominal)
    for number, k in enumerate(order):
        weight = np.sqrt(max(float(eigenvalues[k]), 0.0))
        delta = weight * np.tensordot(vectors[:, k], shifts, axes=1)
        if np.any(delta):
            result.variations[f"eigen_{number}"] = (nominal + delta, None)
    return result
