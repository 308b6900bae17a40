"""Comparing plots: χ² with both bands, its p-value, the KS distance, common bins and the
overlay document."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import histfmt
from histfmt.comparison import compare
from histfmt.comparison.statistics import chi2_sf, chi2_test, ks_distance
from histfmt.errors import HistfmtError, ValidationError

from .conftest import RESOURCES


def _plot(values: list[float], stat: list[float], syst: list[float] | None = None,
          edges: list[float] | None = None) -> histfmt.Document:  # fmt: skip
    doc = histfmt.Document.new(edges or list(range(len(values) + 1)))
    return doc.add_yield("n", values, stat=stat, syst=syst).add_stack(["n"], error="stat+syst")


# -- statistics --------------------------------------------------------------------------


@pytest.mark.parametrize("ndf", [1, 2, 3, 7, 40, 199, 1000, 100_000])
def test_p_value_is_scipys_chi2_survival_function(ndf: int) -> None:
    for quantile in (1e-12, 1e-6, 0.01, 0.05, 0.3, 0.5, 0.9, 0.999, 1 - 1e-9):
        chi2 = float(stats.chi2.ppf(quantile, ndf))
        expected = float(stats.chi2.sf(chi2, ndf))
        assert chi2_sf(chi2, ndf) == pytest.approx(expected, rel=1e-8, abs=1e-300)
    far = 10.0 * ndf + 100.0  # far in the tail: a tiny p-value, still relatively exact
    assert chi2_sf(far, ndf) == pytest.approx(float(stats.chi2.sf(far, ndf)), rel=1e-8)


def test_p_value_edge_cases() -> None:
    assert chi2_sf(0.0, 5) == 1.0
    assert chi2_sf(3.0, 0) == 1.0  # nothing compared
    assert chi2_sf(math.inf, 3) == 0.0


def test_hand_computed_chi2_with_stat_and_syst_of_both() -> None:
    reference = _plot([10.0, 20.0, 30.0], stat=[1.0, 2.0, 3.0], syst=[1.0, 0.0, 0.0])
    other = _plot([12.0, 18.0, 30.0], stat=[1.0, 1.0, 1.0])
    pair = compare({"ref.json": reference, "other.json": other}).pairs[0]
    # (12-10)^2/(1 + 1 + 1) + (18-20)^2/(1 + 4) + 0/(1 + 9)
    assert pair.chi2 == pytest.approx(4 / 3 + 4 / 5)
    assert pair.ndf == 3
    assert pair.chi2_ndf == pytest.approx((4 / 3 + 4 / 5) / 3)
    assert pair.p_value == pytest.approx(float(stats.chi2.sf(4 / 3 + 4 / 5, 3)), rel=1e-12)
    # cumulative shares: reference 1/6, 1/2, 1; other 1/5, 1/2, 1
    assert pair.ks == pytest.approx(1 / 5 - 1 / 6)
    assert (pair.reference, pair.other, pair.compatible) == ("ref.json", "other.json", True)


def test_asymmetric_uncertainties_use_the_sides_facing_each_other() -> None:
    reference = (np.array([10.0, 10.0]), np.array([2.0, 2.0]), np.array([1.0, 1.0]))
    other = (np.array([13.0, 7.0]), np.array([1.0, 1.0]), np.array([3.0, 3.0]))
    chi2, ndf = chi2_test(other, reference)
    # above: other's down (3) and reference's up (2); below: other's up (1), reference's down (1)
    assert chi2 == pytest.approx(9 / 13 + 9 / 2)
    assert ndf == 2


def test_missing_bins_and_bins_without_uncertainty() -> None:
    nan = math.nan
    zero = np.zeros(3)
    chi2, ndf = chi2_test(
        (np.array([1.0, nan, 5.0]), zero, zero), (np.array([1.0, 2.0, 5.0]), zero, zero)
    )
    assert (chi2, ndf) == (0.0, 0)  # a missing bin; equal bins without uncertainty
    chi2, ndf = chi2_test(
        (np.array([1.0, 2.0]), zero[:2], zero[:2]), (np.ones(2), zero[:2], zero[:2])
    )
    assert (chi2, ndf) == (math.inf, 1)  # a difference that no uncertainty covers
    assert ks_distance([0.0, 0.0], [1.0, 2.0]) is None


# -- documents ------------------------------------------------------------------------


def test_identical_documents_give_zero_and_are_compatible() -> None:
    doc = histfmt.load(RESOURCES.parents[1] / "examples" / "mll_data_vs_mc.json")
    result = compare([doc, histfmt.loads(histfmt.dumps(doc))])
    (pair,) = result.pairs
    assert (pair.chi2, pair.ndf, pair.p_value, pair.ks) == (0.0, 40, 1.0, 0.0)
    assert result.compatible
    assert [entry["quantity"] for entry in result.inputs] == ["data", "data"]


def _example(name: str = "mll_data_vs_mc.json") -> histfmt.Document:
    return histfmt.load(RESOURCES.parents[1] / "examples" / name)


def test_the_quantity_rule_data_prediction_or_a_yield() -> None:
    nominal, scaled = _example(), _example()
    scaled.yields["ttbar"].values = scaled.yields["ttbar"].values * 1.1
    docs = {"v1.json": nominal, "v2.json": scaled}
    assert compare(docs).compatible  # data by default: unchanged
    prediction = compare(docs, quantity="prediction")
    assert prediction.inputs[0]["yields"] == ["fakes", "diboson", "ttbar", "zll"]
    assert not prediction.compatible
    (pair,) = prediction.pairs
    # by hand: the summed stacks, their stat in quadrature (flow bins left out)
    names = ["fakes", "diboson", "ttbar", "zll"]
    a = sum(nominal.yields[n].values[1:-1] for n in names)
    b = a + 0.1 * nominal.yields["ttbar"].values[1:-1]
    variance = 2 * sum(nominal.yields[n].stat[1:-1] ** 2 for n in names)
    assert pair.chi2 == pytest.approx(float(np.sum((b - a) ** 2 / variance)))
    ttbar = compare(docs, quantity="ttbar").pairs[0]
    assert ttbar.ks == pytest.approx(0.0, abs=1e-12)  # the same shape, scaled
    assert not ttbar.compatible


def test_the_band_is_the_stacks_own_error() -> None:
    def plot(shift: float) -> histfmt.Document:
        doc = histfmt.Document.new([0, 1])
        doc.add_yield("mc", [10.0 + shift], stat=[3.0], variations={"JES": ([14.0], [8.0])})
        return doc.add_stack(["mc"], error="stat+env")

    pair = compare([plot(0.0), plot(5.0)]).pairs[0]
    # the other (15) is above: its downward band, stat 3 and the JES envelope's lower side
    # 8 - 15 = -7, against the reference's upward band, stat 3 and JES 14 - 10 = +4
    assert pair.chi2 == pytest.approx(25 / (9 + 49 + 9 + 16))


def test_missing_quantity_is_refused_naming_the_file() -> None:
    without = _plot([1.0, 2.0], stat=[1.0, 1.0])
    with_data = _plot([1.0, 2.0], stat=[1.0, 1.0]).add_stack(["n"], type="points")
    with pytest.raises(HistfmtError, match="no data to compare") as caught:
        compare({"a.json": with_data, "b.json": without}, quantity="data")
    assert caught.value.filename == "b.json"
    with pytest.raises(HistfmtError, match="no yield 'zz' to compare") as caught:
        compare({"a.json": with_data, "b.json": without}, quantity="zz")
    assert caught.value.filename == "a.json"


def test_a_refined_binning_is_combined_into_the_coarser() -> None:
    fine = histfmt.Document.new([0, 1, 2, 3, 4], underflow=True, overflow=True)
    fine.add_yield("n", [100.0, 1.0, 2.0, 3.0, 4.0, 100.0], stat=[9.0, 1.0, 1.0, 2.0, 2.0, 9.0])
    coarse = _plot([3.0, 8.0], stat=[1.0, 1.0], edges=[0, 2, 4])
    for docs in ({"fine": fine, "coarse": coarse}, {"coarse": coarse, "fine": fine}):
        result = compare(docs)
        (pair,) = result.pairs
        # [0,2): 3 vs 3; [2,4): 7 +- sqrt(8) vs 8 +- 1; the flow bins are left out
        assert pair.chi2 == pytest.approx(1 / 9)
        assert pair.ndf == 2
        assert {e["name"]: e["rebinned"] for e in result.inputs} == {"fine": True, "coarse": False}
        np.testing.assert_array_equal(result.overlay.x.edges, [0, 2, 4])
        np.testing.assert_allclose(result.overlay.yields["fine"].stat, [math.sqrt(2), math.sqrt(8)])


def test_other_binning_mismatches_are_refused_naming_both_files() -> None:
    a = _plot([1.0, 2.0], stat=[1.0, 1.0], edges=[0, 1, 3])
    b = _plot([1.0, 2.0], stat=[1.0, 1.0], edges=[0, 2, 3])
    with pytest.raises(HistfmtError) as caught:
        compare({"a.json": a, "b.json": b})
    assert caught.value.filename == "b.json"
    assert str(caught.value) == (
        "b.json: x: the bins differ and neither binning refines the other: 2 bins from 0 to 3 "
        "here, 2 bins from 0 to 3 in 'a.json'"
    )
    longer = _plot([1.0, 2.0, 3.0], stat=[1.0] * 3, edges=[0, 1, 3, 4])
    with pytest.raises(HistfmtError, match="neither binning refines"):
        compare({"a.json": a, "longer.json": longer})  # a subset, but not the same range
    categories = histfmt.Document.new(categories=["x", "y"]).add_yield("n", [1.0, 2.0])
    with pytest.raises(HistfmtError, match="categorical axis cannot be compared") as caught:
        compare({"a.json": a, "c.json": categories})
    assert caught.value.filename == "c.json"


def test_refinements_of_the_reference_that_do_not_nest_are_refused() -> None:
    fine = _plot([1.0] * 4, stat=[1.0] * 4, edges=[0, 1, 2, 3, 4])
    left = _plot([2.0, 1.0, 1.0], stat=[1.0] * 3, edges=[0, 2, 3, 4])
    right = _plot([1.0, 1.0, 2.0], stat=[1.0] * 3, edges=[0, 1, 2, 4])
    with pytest.raises(HistfmtError, match=r"do not refine those of 'left\.json'") as caught:
        compare({"fine.json": fine, "left.json": left, "right.json": right})
    assert caught.value.filename == "right.json"


def test_means_without_profile_cannot_be_combined() -> None:
    fine = histfmt.Document.new([0, 1, 2])
    fine.yields["m"] = histfmt.model.Yield(values=np.array([1.0, 2.0]), kind="mean")
    coarse = histfmt.Document.new([0, 2])
    coarse.yields["m"] = histfmt.model.Yield(values=np.array([1.5]), kind="mean")
    with pytest.raises(ValidationError) as caught:
        compare({"fine.json": fine, "coarse.json": coarse})
    assert caught.value.filename == "fine.json"
    assert caught.value.issues[0].path == "yields.m"


def test_means_are_compared_without_ks() -> None:
    doc = histfmt.load(RESOURCES / "valid" / "profile_and_efficiency.json")
    name = next(n for n, item in doc.yields.items() if item.kind == "mean")
    result = compare([doc, doc], quantity=name)
    assert result.pairs[0].ks is None
    assert result.pairs[0].chi2 == 0.0
    histfmt.validate(result.overlay)


def test_two_d_documents_are_compared_cell_by_cell() -> None:
    def plot(values: np.ndarray) -> histfmt.Document:
        y = histfmt.Axis.new([0.0, 1.0, 2.0, 3.0])
        doc = histfmt.Document.new([0.0, 1.0, 2.0], y=y)
        return doc.add_yield("m", values, stat=np.full((2, 3), 2.0)).add_stack(["m"], type="map")

    values = np.arange(6.0).reshape(2, 3)
    shifted = values.copy()
    shifted[1, 2] += 4.0
    result = compare({"a": plot(values), "b": plot(shifted)})
    (pair,) = result.pairs
    assert (pair.chi2, pair.ndf) == (pytest.approx(16 / 8), 6)
    histfmt.validate(result.overlay)
    assert [stack.type for stack in result.overlay.stacks] == ["map", "map"]
    assert result.overlay.ratio[0].numerator == ["b"]


def test_graphs_only_and_mixed_dimensions_are_refused() -> None:
    graphs = histfmt.load(RESOURCES / "valid" / "graphs_only.json")
    plain = _plot([1.0], stat=[1.0])
    with pytest.raises(HistfmtError, match="graphs only has no bins") as caught:
        compare({"plain": plain, "graphs": graphs})
    assert caught.value.filename == "graphs"
    map_doc = histfmt.load(RESOURCES / "valid" / "two_d_map.json")
    with pytest.raises(HistfmtError, match="a 2-D document cannot be compared with the 1-D"):
        compare({"plain": plain, "map": map_doc})


def test_arguments_are_checked() -> None:
    doc = _plot([1.0], stat=[1.0])
    with pytest.raises(HistfmtError, match="two or more documents"):
        compare([doc])
    with pytest.raises(HistfmtError, match="threshold"):
        compare([doc, doc], threshold=1.5)
    with pytest.raises(HistfmtError, match="'c' is not one of the documents compared"):
        compare({"a": doc, "b": doc}, reference="c")
    assert compare({"a": doc, "b": doc}, reference="b").reference == "b"
    assert histfmt.compare([doc, doc], reference=-1).reference == "2"


# -- the overlay ------------------------------------------------------------------------


def test_the_overlay_is_a_valid_document_holding_its_statistics(tmp_path: object) -> None:
    nominal, scaled = _example(), _example()
    scaled.yields["zll"].values = scaled.yields["zll"].values * 1.05
    result = compare({"v1/mll.json": nominal, "v2/mll.json": scaled, "v3.json": nominal},
                     quantity="prediction")  # fmt: skip
    doc = result.overlay
    histfmt.validate(doc)
    assert list(doc.yields) == ["mll.json", "mll.json (2)", "v3.json"]
    assert [stack.type for stack in doc.stacks] == ["band"] * 3 + ["step"] * 3
    assert [(item.type, item.numerator, item.denominator) for item in doc.ratio] == [
        ("band", ["mll.json (2)"], ["mll.json"]),
        ("step", ["mll.json (2)"], ["mll.json"]),
        ("band", ["v3.json"], ["mll.json"]),
        ("step", ["v3.json"], ["mll.json"]),
    ]
    assert doc.metadata.extra["comparison"] == result.as_dict()
    assert histfmt.loads(histfmt.dumps(doc)) == doc
    assert doc.yields["mll.json"].label == "v1/mll.json (reference)"
    assert doc.yields["mll.json (2)"].label.startswith("v2/mll.json: $\\chi^2$/ndf = ")


def test_the_overlay_renders() -> None:
    pytest.importorskip("matplotlib")
    from histfmt.render.mpl import render

    nominal, scaled = _example("met_systematics.json"), _example("met_systematics.json")
    scaled.yields["ttbar"].values = scaled.yields["ttbar"].values * 1.2
    for quantity in ("data", "prediction"):
        image = render(compare([nominal, scaled], quantity=quantity).overlay, format="png")
        assert image.startswith(b"\x89PNG")


def test_one_band_for_all_instead_of_the_documents_own() -> None:
    nominal, scaled = _example("met_systematics.json"), _example("met_systematics.json")
    scaled.yields["ttbar"].values = scaled.yields["ttbar"].values * 1.15
    docs = {"v1.json": nominal, "v2.json": scaled}
    own = compare(docs, quantity="prediction")
    assert own.inputs[0]["error"] == "stat+syst+env"
    assert own.compatible  # the systematics of both, counted twice, cover 15 %
    stat = compare(docs, quantity="prediction", error="stat")
    assert stat.inputs[0]["error"] == "stat"
    assert not stat.compatible
    assert stat.pairs[0].chi2 > 10 * own.pairs[0].chi2
    with pytest.raises(HistfmtError, match="error: expected one of none, stat, "):
        compare(docs, error="stat+poisson")
