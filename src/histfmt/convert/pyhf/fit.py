"""The maximum-likelihood fit of a pyhf model to its observed data (MINUIT through
iminuit), with the parameters' uncertainties and correlation matrix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from histfmt.errors import HistfmtError

if TYPE_CHECKING:
    import numpy.typing as npt

    from histfmt.convert.pyhf.workspace import Workspace

__all__ = ["FitResult", "fit"]


@dataclass(frozen=True)
class FitResult:
    """Best-fit values, their (HESSE) uncertainties and correlations, per parameter
    component; fixed parameters have uncertainty 0."""

    labels: list[str]
    bestfit: npt.NDArray[np.float64]
    uncertainty: npt.NDArray[np.float64]
    correlation: npt.NDArray[np.float64]
    twice_nll: float

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON values (for ``metadata.extra``)."""
        return {
            "parameters": list(self.labels),
            "bestfit": self.bestfit.tolist(),
            "uncertainty": self.uncertainty.tolist(),
            "correlation": self.correlation.tolist(),
            "twice_nll": self.twice_nll,
        }


def fit(workspace: Workspace, /, *, maxiter: int | None = None) -> FitResult:
    """Fit the workspace's model to its observed data (and auxiliary data) with MINUIT,
    as ``pyhf.infer.mle.fit`` does; a fit that does not converge is refused."""
    import pyhf

    try:
        optimizer = pyhf.optimize.minuit_optimizer(verbose=0)
    except pyhf.exceptions.ImportBackendError:
        raise HistfmtError(
            "a fit needs iminuit: pip install 'histfmt[fit]'", filename=workspace.filename
        ) from None
    import logging

    tensorlib, previous = pyhf.get_backend()
    pyhf.set_backend(tensorlib, optimizer)
    quiet = logging.getLogger("pyhf")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # a failed fit is our error message, not pyhf's log
    try:
        result, correlation, twice_nll, found = pyhf.infer.mle.fit(
            workspace.data, workspace.model,
            return_uncertainties=True, return_correlations=True,
            return_fitted_val=True, return_result_obj=True, maxiter=maxiter,
        )  # fmt: skip
    except pyhf.exceptions.FailedMinimization as error:
        message = str(getattr(error, "result", None) and error.result.message) or str(error)
        raise HistfmtError(
            f"the fit did not converge: {message.splitlines()[0]}", filename=workspace.filename
        ) from None
    finally:
        quiet.setLevel(level)
        pyhf.set_backend(tensorlib, previous)
    values = np.asarray(pyhf.tensorlib.to_numpy(result), dtype=np.float64)
    fixed = np.asarray(found.minuit.fixed, dtype=bool)
    return FitResult(
        labels=[str(name) for name in workspace.model.config.par_names],
        bestfit=values[:, 0],
        uncertainty=np.where(fixed, 0.0, values[:, 1]),
        correlation=np.asarray(pyhf.tensorlib.to_numpy(correlation), dtype=np.float64),
        twice_nll=float(twice_nll),
    )
