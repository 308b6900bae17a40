"""Exact round trips with boost-histogram and hist through the UHI serialization."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boost_histogram as bh
import hist
import numpy as np
import pytest
import uhi.io.json
import uhi.schema

import histfmt
from histfmt.convert import uhi as uhi_convert

RNG = np.random.default_rng(7)
SAMPLE = RNG.normal(5, 3, 500)

AXES: dict[str, Callable[[], Any]] = {
    "regular": lambda: hist.axis.Regular(12, 0.0, 10.0, name="m", label="Mass [GeV]"),
    "regular_no_flow": lambda: hist.axis.Regular(
        5, -1.0, 1.0, underflow=False, overflow=False, name="eta"
    ),
    "regular_circular": lambda: hist.axis.Regular(
        8, 0.0, 6.283185307179586, circular=True, name="phi"
    ),
    "variable": lambda: hist.axis.Variable([0, 1.5, 2, 7, 11.25], name="pt", label="$p_T$"),
    "integer": lambda: hist.axis.Integer(-2, 9, name="njet"),
    "str_category": lambda: hist.axis.StrCategory(["ee", "mumu", "emu"], name="channel"),
    "str_category_growth": lambda: hist.axis.StrCategory([], growth=True, name="channel"),
    "int_category": lambda: hist.axis.IntCategory([11, -11, 13], name="pdg"),
}
STORAGES: dict[str, Callable[[], Any]] = {
    "int64": hist.storage.Int64,
    "double": hist.storage.Double,
    "weight": hist.storage.Weight,
}


def _filled(axis_name: str, storage_name: str, weighted: bool) -> hist.Hist:
    h = hist.Hist(
        AXES[axis_name](), storage=STORAGES[storage_name](), name="sample", label="A sample"
    )
    axis = h.axes[0]
    if isinstance(axis, hist.axis.StrCategory):
        data: Any = RNG.choice(["ee", "mumu", "emu", "tautau"], 200)
    elif isinstance(axis, hist.axis.IntCategory):
        data = RNG.choice([11, -11, 13, 22], 200)
    elif isinstance(axis, hist.axis.Integer):
        data = np.round(SAMPLE).astype(int)
    else:
        data = SAMPLE
    weight = RNG.uniform(0.5, 1.5, len(data)) if weighted and storage_name != "int64" else None
    return h.fill(data, weight=weight)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("storage_name", list(STORAGES))
@pytest.mark.parametrize("axis_name", list(AXES))
def test_hist_round_trip_is_exact(axis_name: str, storage_name: str, weighted: bool) -> None:
    original = _filled(axis_name, storage_name, weighted)
    doc = histfmt.loads(histfmt.dumps(histfmt.from_hist(original)))
    back = doc.to_hist("sample")
    assert back == original
    assert back.storage_type == original.storage_type
    np.testing.assert_array_equal(back.values(flow=True), original.values(flow=True))
    if original.variances() is None:
        assert back.variances() is None
    else:
        np.testing.assert_array_equal(back.variances(flow=True), original.variances(flow=True))
    assert back.axes[0] == original.axes[0]
    assert (back.axes[0].name, back.axes[0].label) == (
        original.axes[0].name,
        original.axes[0].label,
    )
    assert (back.name, back.label) == (original.name, original.label)
    assert back.axes[0].traits == original.axes[0].traits


def test_boost_histogram_round_trip_keeps_metadata() -> None:
    h = bh.Histogram(bh.axis.Regular(4, 0, 1, metadata="not a dict"), storage=bh.storage.Weight())
    h.fill([0.1, 0.2, 0.9, 2.0], weight=[1, 2, 3, 4])
    h.label = "pt spectrum"  # type: ignore[attr-defined]
    h.source = 3  # type: ignore[attr-defined]
    doc = histfmt.loads(histfmt.dumps(histfmt.from_hist({"x": h})))
    back = bh.Histogram(doc.to_uhi("x"))
    assert back == h
    assert back.source == 3  # type: ignore[attr-defined]
    assert back.label == "pt spectrum"  # type: ignore[attr-defined]


def test_written_uhi_passes_the_uhi_schema() -> None:
    doc = histfmt.from_hist(_filled("variable", "weight", True))
    text = json.dumps(doc.to_uhi(), default=uhi.io.json.default)
    uhi.schema.validate_histogram(json.loads(text))
    assert hist.Hist(json.loads(text, object_hook=uhi.io.json.object_hook)) == doc.to_hist()


def test_stack_and_data_build_a_stacked_document_in_one_call() -> None:
    axis = hist.axis.Regular(20, 0, 200, name="mll", label="$m_{\\ell\\ell}$ [GeV]")
    mc = {
        name: hist.Hist(axis, storage=hist.storage.Weight(), name=name).fill(
            RNG.exponential(scale, 300)
        )
        for name, scale in [("ttbar", 80.0), ("zjets", 40.0)]
    }
    data = hist.Hist(axis, storage=hist.storage.Int64()).fill(RNG.exponential(60.0, 600))
    doc = histfmt.from_hist(hist.Stack(*mc.values()), data=data)
    assert list(doc.yields) == ["ttbar", "zjets", "data"]
    assert [item.yields for item in doc.stacks[0].content] == [["ttbar"], ["zjets"]]
    assert doc.stacks[1].type == "points"
    assert doc.ratio[0].numerator == ["data"]
    assert doc.ratio[0].denominator == ["ttbar", "zjets"]
    assert doc.x.label == "$m_{\\ell\\ell}$"  # the unit taken out of the label
    assert doc.x.unit == "GeV"
    assert histfmt.loads(histfmt.dumps(doc)).to_hist("zjets") == mc["zjets"]


def test_mismatched_binning_and_nd_histograms_are_refused() -> None:
    a = hist.Hist.new.Reg(4, 0, 1, name="x").Double()
    b = hist.Hist.new.Reg(5, 0, 1, name="x").Double()
    with pytest.raises(histfmt.HistfmtError, match="'b' has a different binning"):
        histfmt.from_hist({"a": a, "b": b})
    with pytest.raises(histfmt.HistfmtError, match="'b' has a different binning"):
        histfmt.from_hist({"a": a, "b": hist.Hist.new.Reg(4, 0, 1).Reg(2, 0, 1).Double()})
    three_d = hist.Hist.new.Reg(2, 0, 1).Reg(2, 0, 1).Reg(2, 0, 1).Double()
    with pytest.raises(histfmt.ValidationError) as caught:
        histfmt.from_hist({"cube": three_d})
    assert str(caught.value) == (
        "cube.axes: histfmt holds 1-D and 2-D histograms; this one has 3 axes; "
        "project it onto one or two axes first (h.project(0, 1))"
    )
    with pytest.raises(histfmt.HistfmtError, match=r"c\.axes\[0\]\.categories: a category axis"):
        histfmt.from_hist({"c": hist.Hist.new.StrCat([], growth=True).Double()})
    with pytest.raises(histfmt.HistfmtError, match="'a/b' cannot name a yield"):
        histfmt.from_hist({"a/b": a})
    with pytest.raises(histfmt.HistfmtError, match="cannot convert int"):
        histfmt.from_hist(3)


def test_boolean_axis_is_two_labelled_integer_bins_and_comes_back() -> None:
    h = hist.Hist.new.Boolean(name="passed").Reg(3, 0, 1, name="x").Int64()
    h.fill([True, False, True], [0.1, 0.5, 0.9])
    doc = histfmt.loads(histfmt.dumps(histfmt.from_hist({"h": h})))
    assert doc.x.kind == "integer"
    assert doc.x.labels == ["False", "True"]
    back = doc.to_hist("h")
    assert back == h
    assert isinstance(back.axes[0], hist.axis.Boolean)


def test_book_from_hist_keeps_every_binning() -> None:
    one = hist.Hist.new.Reg(4, 0, 1, name="x").Weight().fill([0.1, 0.5])
    two = hist.Hist.new.Reg(3, 0, 1, name="x").StrCat(["a", "b"], name="c").Int64()
    two.fill([0.2, 0.8], ["a", "b"])
    book = histfmt.loads_book(histfmt.dumps(uhi_convert.book_from_hist({"a": one, "jets/b": two})))
    assert list(book.plots) == ["a", "jets/b"]
    assert book.plots["a"].to_hist("a") == one
    assert book.plots["jets/b"].to_hist("b") == two
    assert book.plots["jets/b"].stacks[0].type == "map"


def test_to_hist_needs_a_name_when_ambiguous(document: histfmt.Document) -> None:
    with pytest.raises(histfmt.HistfmtError, match="has 2 yields; name one of"):
        document.to_hist()
    with pytest.raises(histfmt.HistfmtError, match="no yield named 'zz'"):
        document.to_hist("zz")


def test_hand_written_stat_becomes_weight_variances(document: histfmt.Document) -> None:
    h = document.to_hist("mc")
    np.testing.assert_allclose(h.variances(flow=True), np.square(document.yields["mc"].stat))
    assert h.axes[0].traits.underflow
