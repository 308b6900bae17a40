"""What a document shows: rebinning, flow folding, normalisation, uncertainties."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

import histfmt
from histfmt.intervals import garwood_interval
from histfmt.shown import Shown


@pytest.fixture
def doc() -> histfmt.Document:
    d = histfmt.Document.new([0.0, 1.0, 2.0, 4.0, 8.0], underflow=True, overflow=True)
    d.add_yield("a", [10, 1, 2, 3, 4, 20], stat=np.full(6, 2.0))
    d.add_yield(
        "b",
        [0, 1, 1, 1, 1, 0],
        stat=(np.full(6, 1.0), np.full(6, 0.5)),
        variations={
            "JES": ([0, 2, 1, 1, 1, 0], None),
            "JER": ([0, 1, 1.5, 0.5, 1, 0], [0, 1, 0.5, 1, 1, 0]),
        },
    )
    return d


def test_flow_bins_are_dropped_or_folded(doc: histfmt.Document) -> None:
    np.testing.assert_array_equal(Shown(doc).fold(doc.yields["a"].values), [1, 2, 3, 4])
    folded = Shown(doc, include_underflow=True, include_overflow=True).fold(doc.yields["a"].values)
    np.testing.assert_array_equal(folded, [11, 2, 3, 24])


def test_rebinning_sums_and_moves_outside_content_into_flow(doc: histfmt.Document) -> None:
    view = Shown(doc, rebin=[1.0, 4.0], include_underflow=True, include_overflow=True)
    np.testing.assert_array_equal(view.binning.edges, [1.0, 4.0])
    # underflow 10 + bin [0,1) 1, then [1,4) = 2 + 3, then [4,8) 4 + overflow 20
    np.testing.assert_array_equal(view.fold(doc.yields["a"].values), [10 + 1 + 2 + 3 + 4 + 20])
    view = Shown(doc, rebin=[0.0, 2.0, 8.0])
    np.testing.assert_array_equal(view.fold(doc.yields["a"].values), [3, 7])


def test_rebin_must_be_a_subset() -> None:
    d = histfmt.Document.new([0.0, 1.0, 2.0]).add_yield("a", [1, 2])
    with pytest.raises(histfmt.HistfmtError, match="not a subset"):
        Shown(d, rebin=[0.0, 1.5])


def test_uncertainties_add_in_quadrature_and_envelope_is_asymmetric(doc: histfmt.Document) -> None:
    view = Shown(doc)
    components = view.components(["a", "b"])
    stat = view.series(components, "stat")
    np.testing.assert_allclose(stat.up, np.sqrt(4 + 1))
    np.testing.assert_allclose(stat.down, np.sqrt(4 + 0.25))
    env = view.series(components, "env")
    # bin 0: JES up +1 (down mirrored -1), JER 0 -> up 1, down 1
    # bin 1: JES 0; JER up +0.5, down -0.5 -> 0.5 each
    # bin 2: JER up -0.5, down 0 -> down 0.5 only
    np.testing.assert_allclose(env.up, [1.0, 0.5, 0.0, 0.0])
    np.testing.assert_allclose(env.down, [1.0, 0.5, 0.5, 0.0])
    total = view.series(components, "stat+env")
    np.testing.assert_allclose(total.up, np.hypot(stat.up, env.up))


def test_variation_references_resolve(doc: histfmt.Document) -> None:
    view = Shown(doc)
    np.testing.assert_array_equal(view.components(["b/JES/up"]).values, [2, 1, 1, 1])
    np.testing.assert_array_equal(view.components(["b/JES/down"]).values, [0, 1, 1, 1])


def test_bin_width_and_unit_area_normalisation(doc: histfmt.Document) -> None:
    view = Shown(doc, density_width=1.0)
    np.testing.assert_allclose(view.normalisation(np.ones(4)), [1, 1, 0.5, 0.25])
    view = Shown(doc, density=True)
    values = view.fold(doc.yields["a"].values)
    scaled = values * view.normalisation(values)
    assert float(np.sum(scaled * view.binning.widths)) == pytest.approx(1.0)


def test_garwood_interval_matches_the_chi2_definition() -> None:
    counts = np.array([0, 1, 5, 30, 1000])
    lower, upper = garwood_interval(counts)
    alpha = 1 - 0.682689492137086
    expected_lower = np.where(counts > 0, chi2.ppf(alpha / 2, 2 * counts) / 2, 0)
    np.testing.assert_allclose(lower, expected_lower, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(upper, chi2.ppf(1 - alpha / 2, 2 * (counts + 1)) / 2, rtol=1e-9)


def test_categories_keep_labels_and_the_other_bin() -> None:
    d = histfmt.Document.new(categories=["SR", "CR"], overflow=True).add_yield("a", [1, 2, 3])
    assert Shown(d).binning.labels == ["SR", "CR"]
    view = Shown(d, include_overflow=True)
    assert view.binning.labels == ["SR", "CR", "other"]
    np.testing.assert_array_equal(view.fold(d.yields["a"].values), [1, 2, 3])
