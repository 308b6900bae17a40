"""The HEPData export of pyhf plots: the covariance of every channel's prediction
between its bins as a table of its own (J C J^T, checked against numpy and cabinetry),
the fit parameters' correlations, validator-accepted, read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from histfmt.convert import hepdata

from .conftest import RESOURCES
from .test_convert_hepdata import _validator_messages
from .test_convert_pyhf_fit import _model

pyhf = pytest.importorskip("pyhf")
cabinetry = pytest.importorskip("cabinetry")
pytest.importorskip("iminuit")

from histfmt.convert import pyhf as workspaces  # noqa: E402

REAL = RESOURCES / "real" / "pyhf"
pytestmark = pytest.mark.filterwarnings("ignore:jsonschema.RefResolver:DeprecationWarning")
CASES = ["multichannel_histfactory", "multichan_coupledhistosys_histfactory", "xmlimport_input"]


def _jacobian(model: Any, values: Any, sigma: Any) -> Any:
    """d(total yield per bin)/d(parameter), by central differences of one sigma (exact
    for the linearised prediction the band propagates); zero for fixed parameters."""
    columns = []
    for index in range(len(values)):
        if sigma[index] <= 0:
            columns.append(np.zeros(model.config.nmaindata))
            continue
        step = np.zeros_like(values)
        step[index] = sigma[index]
        up = np.asarray(model.main_model.expected_data(values + step))
        down = np.asarray(model.main_model.expected_data(values - step))
        columns.append((up - down) / (2 * sigma[index]))
    return np.array(columns).T  # (bins, parameters)


def _tables(files: dict[str, bytes]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Each table's submission entry and data, by name."""
    entries = [e for e in yaml.safe_load_all(files["submission.yaml"]) if "data_file" in e]
    return {e["name"]: (e, yaml.safe_load(files[e["data_file"]])) for e in entries}


def _matrix(table: dict[str, Any]) -> Any:
    values = np.array([v["value"] for v in table["dependent_variables"][0]["values"]])
    n = round(np.sqrt(len(values)))
    return values.reshape(n, n)


@pytest.mark.parametrize("fit", [False, True], ids=["prefit", "postfit"])
@pytest.mark.parametrize("case", CASES)
def test_the_covariance_table_is_j_c_jt(case: str, fit: bool, tmp_path: Path) -> None:
    path = REAL / f"{case}.json"
    model, data = _model(path)
    book = workspaces.read_book(path, fit=fit)
    if fit:
        result = cabinetry.fit.fit(model, data)
        values, sigma = np.asarray(result.bestfit), np.asarray(result.uncertainty)
        correlation = np.asarray(result.corr_mat)
    else:
        values = np.asarray(model.config.suggested_init(), dtype=float)
        sigma = np.asarray(cabinetry.model_utils.prefit_uncertainties(model))
        correlation = np.eye(len(values))
    jacobian = _jacobian(model, values, sigma)
    expected = jacobian @ (correlation * np.outer(sigma, sigma)) @ jacobian.T
    stdev, _ = cabinetry.model_utils.yield_stdev(model, values, sigma, correlation)
    files = hepdata.book_to_files(book)
    tables = _tables(files)
    off_diagonal = []
    for number, channel in enumerate(model.config.channels):
        where = model.config.channel_slices[channel]
        _, table = tables[f"{channel} covariance"]
        found = _matrix(table)
        np.testing.assert_allclose(found, expected[where, where], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(np.sqrt(np.diag(found)), stdev[number][-1], rtol=1e-6)
        off_diagonal.append(np.abs(found - np.diag(np.diag(found))).max())
        assert f"table '{channel} covariance'" in tables[channel][0]["description"]
        assert {"name": "COVARIANCE OF", "value": f"{channel}, stack 1"} in (
            table["dependent_variables"][0]["qualifiers"]
        )
        rows = table["independent_variables"]
        n = found.shape[0]
        assert [r["low"] for r in rows[0]["values"]] == [
            float(i) for i in range(n) for _ in range(n)
        ]
        assert [r["low"] for r in rows[1]["values"]] == [
            float(j) for _ in range(n) for j in range(n)
        ]
    per_bin_only = case == "multichannel_histfactory" and not fit  # shapesys, staterror
    assert (max(off_diagonal) > 0) is not per_bin_only  # bins are correlated
    assert ("Fit: parameter correlations" in tables) is fit
    if fit:
        found = _matrix(tables["Fit: parameter correlations"][1])
        np.testing.assert_allclose(found, correlation, atol=1e-9)
    hepdata.write_book(book, tmp_path / "submission")
    assert _validator_messages(tmp_path / "submission") == []
    hepdata.write_book(book, tmp_path / "submission.tar.gz")
    assert _validator_messages(archive=tmp_path / "submission.tar.gz") == []


def test_the_tables_read_back(tmp_path: Path) -> None:
    """A round trip gives every channel's plot, its stack still correlated, and the
    covariance and correlation tables as 2-D maps of the same numbers."""
    path = REAL / "multichannel_histfactory.json"
    book = workspaces.read_book(path, fit=True)
    hepdata.write_book(book, tmp_path / "out.tar.gz")
    back = hepdata.read_book(tmp_path / "out.tar.gz")
    assert list(back.plots) == [
        "channel1", "channel1 covariance", "channel2", "channel2 covariance",
        "Fit: parameter correlations",
    ]  # fmt: skip
    assert back.plots["channel1"].stacks[0].correlated
    tables = _tables(hepdata.book_to_files(book))
    cov = back.plots["channel1 covariance"]
    (name,) = cov.yields
    np.testing.assert_array_equal(
        cov.yields[name].values, _matrix(tables["channel1 covariance"][1])
    )
    corr = back.plots["Fit: parameter correlations"]
    (name,) = corr.yields
    np.testing.assert_array_equal(
        corr.yields[name].values, book.metadata.extra["pyhf_fit"]["correlation"]
    )
    assert list(corr.x.categories) == book.metadata.extra["pyhf_fit"]["parameters"]
    # exported again, the plot's covariance is the same table
    again = _tables(hepdata.book_to_files(back))
    np.testing.assert_array_equal(
        _matrix(again["channel1 covariance"][1]), _matrix(tables["channel1 covariance"][1])
    )


def test_only_correlated_stacks_get_a_covariance() -> None:
    book = workspaces.read_book(REAL / "multichannel_histfactory.json")
    doc = book.plots["channel1"]
    assert len(_tables(hepdata.to_files(doc))) == 2
    doc.stacks[0].correlated = False
    assert list(_tables(hepdata.to_files(doc))) == ["channel1"]
    doc.stacks[0].correlated = True
    doc.stacks[0].error = "stat"  # no env part: nothing to state
    assert list(_tables(hepdata.to_files(doc))) == ["channel1"]


def test_drawn_covariance_follows_the_rebinning() -> None:
    """Exported as drawn, merged bins' covariance is the sum of their blocks."""
    doc = workspaces.read_book(REAL / "multichannel_histfactory.json").plots["channel1"]
    stored = _matrix(_tables(hepdata.to_files(doc))["channel1 covariance"][1])
    doc.view.rebin = np.asarray(doc.x.edges)[[0, -1]]
    drawn = _matrix(_tables(hepdata.to_files(doc, drawn=True))["channel1 covariance"][1])
    np.testing.assert_allclose(drawn, [[stored.sum()]], rtol=1e-12)
