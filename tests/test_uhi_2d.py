"""2-D histograms and profiles through UHI: property-based exact round trips with hist."""

from __future__ import annotations

from typing import Any

import hist
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import histfmt

STORAGES = {
    "int64": hist.storage.Int64,
    "double": hist.storage.Double,
    "weight": hist.storage.Weight,
    "mean": hist.storage.Mean,
    "weighted_mean": hist.storage.WeightedMean,
}
STR_CATEGORIES = ["a", "b", "c", "d"]
INT_CATEGORIES = [-11, 11, 13, 22]


@st.composite
def axes(draw: st.DrawFn, name: str) -> Any:
    """Any axis kind hist has (but growth), flow bins on or off."""
    kind = draw(st.sampled_from(["regular", "variable", "integer", "str", "int", "boolean"]))
    under, over = draw(st.booleans()), draw(st.booleans())
    if kind == "regular":
        n = draw(st.integers(1, 6))
        circular = draw(st.booleans()) and over
        return hist.axis.Regular(
            n, -1.0, 2.0, underflow=under, overflow=over, circular=circular, name=name
        )
    if kind == "variable":
        widths = draw(st.lists(st.floats(0.25, 4.0), min_size=1, max_size=6))
        edges = np.concatenate([[-1.0], -1.0 + np.cumsum(widths)])
        return hist.axis.Variable(edges, underflow=under, overflow=over, name=name, label="var")
    if kind == "integer":
        return hist.axis.Integer(
            -1, draw(st.integers(0, 4)), underflow=under, overflow=over, name=name
        )
    if kind == "str":
        n = draw(st.integers(1, 4))
        return hist.axis.StrCategory(STR_CATEGORIES[:n], overflow=over, name=name)
    if kind == "int":
        n = draw(st.integers(1, 4))
        return hist.axis.IntCategory(INT_CATEGORIES[:n], overflow=over, name=name)
    return hist.axis.Boolean(name=name)


def _samples(axis: Any, rng: np.random.Generator, n: int) -> Any:
    if isinstance(axis, hist.axis.StrCategory):
        return rng.choice([*STR_CATEGORIES, "zz"], n)
    if isinstance(axis, hist.axis.IntCategory):
        return rng.choice([*INT_CATEGORIES, 99], n)
    if isinstance(axis, hist.axis.Boolean):
        return rng.integers(0, 2, n).astype(bool)
    if isinstance(axis, hist.axis.Integer):
        return rng.integers(-3, 7, n)
    return rng.uniform(-2.0, 7.0, n)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    x=axes("x"),
    y=axes("y"),
    storage=st.sampled_from(list(STORAGES)),
    weighted=st.booleans(),
    n=st.integers(0, 60),
    seed=st.integers(0, 2**32 - 1),
)
def test_2d_round_trip_is_exact(  # noqa: PLR0917
    x: Any, y: Any, storage: str, weighted: bool, n: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    original = hist.Hist(x, y, storage=STORAGES[storage](), name="h2", label="A map")
    fill: dict[str, Any] = {}
    if weighted and storage != "int64":
        fill["weight"] = rng.uniform(0.2, 2.0, n)
    if storage in ("mean", "weighted_mean"):
        fill["sample"] = rng.normal(3.0, 1.0, n)
    original.fill(_samples(x, rng, n), _samples(y, rng, n), **fill)

    doc = histfmt.loads(histfmt.dumps(histfmt.from_hist(original)))
    assert doc.shape == original.values(flow=True).shape
    item = doc.yields["h2"]
    np.testing.assert_array_equal(item.values, original.values(flow=True))
    back = doc.to_hist("h2")
    # the reference: hist's own reading of the same UHI serialization
    expected = hist.Hist(original._to_uhi_())
    if storage in ("mean", "weighted_mean"):
        assert item.kind == "mean"
        np.testing.assert_array_equal(item.profile.entries, original.counts(flow=True))
        with np.errstate(invalid="ignore"):
            np.testing.assert_array_equal(item.stat, np.sqrt(original.variances(flow=True)))
        fields = ["value", "variance"]
        fields += ["count"] if storage == "mean" else ["sum_of_weights", "sum_of_weights_squared"]
        for field in fields:
            # the one documented change: an undefined sample variance (NaN, -inf, or
            # negative from rounding) is null in histfmt and comes back as NaN
            theirs = getattr(expected.view(flow=True), field)
            if field == "variance":
                theirs = _defined(theirs)
            np.testing.assert_array_equal(getattr(back.view(flow=True), field), theirs)
        np.testing.assert_array_equal(
            back.variances(flow=True), _defined(expected.variances(flow=True))
        )
    else:
        assert back == original
        if original.variances() is None:
            assert back.variances() is None
        else:
            np.testing.assert_array_equal(back.variances(flow=True), original.variances(flow=True))
    assert back.storage_type == original.storage_type
    for mine, theirs in zip(back.axes, original.axes, strict=True):
        assert mine == theirs
        assert type(mine) is type(theirs)
        assert mine.traits == theirs.traits
        assert (mine.name, mine.label) == (theirs.name, theirs.label)
    assert (back.name, back.label) == (original.name, original.label)


def _defined(array: Any) -> Any:
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(array) & (array >= 0), array, np.nan)


def test_weighted_mean_with_undefined_variances_reads_as_hist_shows_it() -> None:
    profile = hist.Hist.new.Reg(4, 0, 1, name="x").Reg(2, 0, 1, name="y").WeightedMean()
    profile.fill([0.1, 0.1, 0.4], [0.2, 0.2, 0.7], weight=[1.2, 2.7, 0.6], sample=[5, 6, 7])
    raw = profile.view(flow=True).variance
    assert np.isnan(raw).any()  # empty bins
    assert np.isneginf(raw).any()  # the single-entry bin, as boost-histogram computes it
    doc = histfmt.from_hist({"p": profile})
    item = doc.yields["p"]
    assert item.storage == "weighted_mean"
    variance = item.profile.variance
    np.testing.assert_array_equal(variance, np.where(np.isfinite(raw), raw, np.nan))
    np.testing.assert_array_equal(
        item.profile.sum_of_weights, profile.view(flow=True).sum_of_weights
    )
    text = histfmt.dumps(doc)
    assert b"NaN" not in text
    assert b"Infinity" not in text
    back = histfmt.loads(text).to_hist("p")
    np.testing.assert_array_equal(back.values(flow=True), profile.values(flow=True))
    np.testing.assert_array_equal(back.counts(flow=True), profile.counts(flow=True))
    np.testing.assert_array_equal(back.variances(flow=True), profile.variances(flow=True))
    # the one-way change: -inf (undefined) was written as null and comes back as NaN
    np.testing.assert_array_equal(back.view(flow=True).variance, _defined(raw))


def test_profiles_are_drawn_as_points_and_never_summed() -> None:
    counts = hist.Hist.new.Reg(3, 0, 1, name="x").Weight().fill([0.1, 0.5])
    profile = hist.Hist.new.Reg(3, 0, 1, name="x").Mean().fill([0.1, 0.5], sample=[1, 2])
    doc = histfmt.from_hist({"n": counts, "response": profile})
    assert [stack.type for stack in doc.stacks] == ["filled", "points"]
    assert [stack.content[0].yields for stack in doc.stacks] == [["n"], ["response"]]


def test_efficiencies_and_graphs_have_no_uhi_storage() -> None:
    doc = histfmt.Document.new([0, 1, 2])
    doc.yields["eff"] = histfmt.model.Yield(
        values=[0.5, 1.0],
        kind="efficiency",
        efficiency=histfmt.model.Efficiency(passed=[1, 2], total=[2, 2]),
    )
    with pytest.raises(histfmt.HistfmtError, match=r"yields\.eff\.kind: an efficiency has no UHI"):
        doc.to_uhi("eff")
