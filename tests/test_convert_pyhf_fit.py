"""Pre-fit and post-fit yields and bands of pyhf workspaces against cabinetry's
``model_utils.prediction``: per sample and for the stack, in every bin, within 1e-6."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from histfmt.errors import HistfmtError
from histfmt.shown import Shown

from .conftest import RESOURCES

pyhf = pytest.importorskip("pyhf")
cabinetry = pytest.importorskip("cabinetry")
pytest.importorskip("iminuit")

from histfmt.convert import pyhf as workspaces  # noqa: E402

REAL = RESOURCES / "real" / "pyhf"
WORKSPACES = sorted(REAL.glob("*.json"))
FITTED = [REAL / f"{n}.json" for n in (
    "multichannel_histfactory", "multichan_coupledhistosys_histfactory",
    "multichan_coupledoverall_histfactory", "xmlimport_input", "xmlimport_input_ShapeSys",
)]  # fmt: skip
RTOL = 1e-6
# pyhf 0.7 validates through jsonschema.RefResolver (the converter silences it itself)
pytestmark = pytest.mark.filterwarnings("ignore:jsonschema.RefResolver:DeprecationWarning")


def _model(path: Path) -> tuple[Any, Any]:
    logging.getLogger("pyhf").setLevel(logging.ERROR)
    logging.getLogger("cabinetry").setLevel(logging.ERROR)
    import json

    workspace = pyhf.Workspace(json.loads(path.read_text()))
    model = workspace.model(measurement_name=workspace.measurement_names[0])
    return model, workspace.data(model)


def _compare(book: Any, model: Any, prediction: Any) -> None:
    for index, channel in enumerate(model.config.channels):
        doc = book.plots[channel]
        shown = Shown(doc)
        present = [s for s in model.config.samples if s in doc.yields]
        for number, sample in enumerate(model.config.samples):
            if sample not in doc.yields:
                continue
            band = shown.series(shown.components([sample]), "env")
            expected = np.asarray(prediction.total_stdev_model_bins[index][number])
            np.testing.assert_allclose(
                band.values, prediction.model_yields[index][number], rtol=RTOL
            )
            np.testing.assert_allclose(band.up, expected, rtol=RTOL, atol=1e-12)
            np.testing.assert_allclose(band.down, expected, rtol=RTOL, atol=1e-12)
        # the stack: the drawn band of the summed samples, correlations included
        total = shown.series(shown.components(present), "env")
        expected = np.asarray(prediction.total_stdev_model_bins[index][-1])
        np.testing.assert_allclose(total.up, expected, rtol=RTOL)
        np.testing.assert_allclose(total.down, expected, rtol=RTOL)


@pytest.mark.parametrize("path", WORKSPACES, ids=lambda p: p.name)
def test_prefit_yields_and_band_agree_with_cabinetry(path: Path) -> None:
    model, _ = _model(path)
    _compare(workspaces.read_book(path), model, cabinetry.model_utils.prediction(model))


@pytest.mark.parametrize("path", FITTED, ids=lambda p: p.name)
def test_postfit_yields_and_band_agree_with_cabinetry(path: Path) -> None:
    model, data = _model(path)
    book = workspaces.read_book(path, fit=True)
    result = cabinetry.fit.fit(model, data)
    fitted = book.metadata.extra["pyhf_fit"]
    assert fitted["parameters"] == list(model.config.par_names)
    np.testing.assert_allclose(fitted["bestfit"], result.bestfit, rtol=RTOL, atol=1e-9)
    np.testing.assert_allclose(fitted["uncertainty"], result.uncertainty, rtol=RTOL)
    np.testing.assert_allclose(fitted["correlation"], result.corr_mat, atol=1e-9)
    assert next(iter(book.plots.values())).metadata.extra["pyhf"]["stage"] == "post-fit"
    _compare(book, model, cabinetry.model_utils.prediction(model, fit_results=result))


def test_postfit_band_merged_and_rebinned_is_the_full_covariance_propagation() -> None:
    """Summing bins of the drawn band equals sqrt(J C J^T) of the summed yield."""
    path = REAL / "multichannel_histfactory.json"
    model, _ = _model(path)
    book = workspaces.read_book(path, fit=True)
    doc = book.plots["channel1"]
    doc.view.rebin = np.asarray(doc.x.edges)[[0, -1]]  # one bin
    shown = Shown(doc)
    band = shown.series(shown.components(list(set(doc.yields) - {"data"})), "env")
    fit = book.metadata.extra["pyhf_fit"]
    values = np.asarray(fit["bestfit"])
    sigma = np.asarray(fit["uncertainty"])
    covariance = np.asarray(fit["correlation"]) * np.outer(sigma, sigma)
    where = model.config.channel_slices["channel1"]
    gradient = []
    for index in range(len(values)):
        step = np.zeros_like(values)
        step[index] = sigma[index] if sigma[index] > 0 else 1.0
        up = model.main_model.expected_data(values + step)[where].sum()
        down = model.main_model.expected_data(values - step)[where].sum()
        gradient.append((up - down) / (2 * step[index]) if sigma[index] > 0 else 0.0)
    jacobian = np.asarray(gradient)
    np.testing.assert_allclose(band.up, [np.sqrt(jacobian @ covariance @ jacobian)], rtol=RTOL)


def test_a_fit_that_does_not_converge_is_refused() -> None:
    path = REAL / "multichannel_histfactory.json"
    with pytest.raises(HistfmtError, match=r"the fit did not converge: .*[Cc]all limit"):
        workspaces.read_book(path, fit=True, maxiter=2)
