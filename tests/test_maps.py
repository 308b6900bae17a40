"""Format 1.1 drawn: projections and slices, means and efficiencies recombined, maps,
terminal heat maps and the 2-D summary. Numbers are checked against boost-histogram /
hist (projections of their own histograms), hist.intervals and scipy (intervals)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boost_histogram as bh
import numpy as np
import pytest
from click.testing import CliRunner

import histfmt
from histfmt.cli import cli
from histfmt.combine import efficiency_interval
from histfmt.model import Axis, Efficiency, Profile, Projection, Yield, ZAxis
from histfmt.render.mpl import figure, render
from histfmt.render.options import RenderOptions
from histfmt.shown import Shown, parse_projection

from .conftest import RESOURCES, ROOT

VALID = RESOURCES / "valid"
BASELINES = ROOT / "tests" / "baseline"


def _filled(storage: Any = None, *, seed: int = 5) -> bh.Histogram:
    rng = np.random.default_rng(seed)
    h = bh.Histogram(
        bh.axis.Regular(6, 0, 60),
        bh.axis.Variable([-2.5, -1, 0, 1, 2.5]),
        storage=storage or bh.storage.Weight(),
    )
    n = 4000
    x, y = rng.exponential(25, n), rng.normal(0, 1.4, n)
    if isinstance(storage, bh.storage.Mean):
        h.fill(x, y, sample=rng.normal(1, 0.2, n))
    elif isinstance(storage, bh.storage.WeightedMean):
        h.fill(x, y, sample=rng.normal(1, 0.2, n), weight=rng.uniform(0.5, 1.5, n))
    else:
        h.fill(x, y, weight=rng.uniform(0.5, 1.5, n))
    return h


def _doc(h: bh.Histogram) -> histfmt.Document:
    return histfmt.Document.new(
        h.axes[0].edges,
        underflow=True,
        overflow=True,
        y=Axis.new(h.axes[1].edges, underflow=True, overflow=True),
    )


# -- projections against boost-histogram -----------------------------------------------------


def test_projection_of_counts_is_boost_histograms_projection() -> None:
    h = _filled()
    doc = _doc(h)
    doc.yields["h"] = Yield(
        values=h.values(flow=True), variances=h.variances(flow=True), storage="weight"
    )
    # all y bins and their flow bins (the view includes them) summed: bh's project(0)
    shown = Shown(doc, project=Projection(onto="x"), include_underflow=True, include_overflow=True)
    projected = shown.doc.yields["h"]
    np.testing.assert_allclose(projected.values, h.project(0).values(flow=True), rtol=1e-12)
    np.testing.assert_allclose(projected.variances, h.project(0).variances(flow=True), rtol=1e-12)
    # a slice of y bins 1..2, onto x: bh's own slice and sum
    sliced = Shown(doc, project=Projection(onto="x", bins=(1, 3))).doc.yields["h"]
    expected = h[:, 1:3:sum]
    np.testing.assert_allclose(sliced.values, expected.values(flow=True), rtol=1e-12)
    np.testing.assert_allclose(sliced.variances, expected.variances(flow=True), rtol=1e-12)
    # onto y, without the x flow bins (the view does not include them)
    onto_y = Shown(doc, project=parse_projection("y")).doc
    assert onto_y.x.same_binning(doc.y, flow=True)  # type: ignore[arg-type]
    np.testing.assert_allclose(
        onto_y.yields["h"].values, h[0:len:sum, :].values(flow=True), rtol=1e-12
    )


@pytest.mark.parametrize("storage", [bh.storage.Mean(), bh.storage.WeightedMean()])
def test_projection_of_profiles_merges_means_as_boost_histogram_does(storage: Any) -> None:
    h = _filled(storage)
    view = h.view(flow=True)
    weighted = isinstance(storage, bh.storage.WeightedMean)
    entries = h.counts(flow=True)
    doc = _doc(h)
    doc.yields["p"] = Yield(
        kind="mean",
        storage="weighted_mean" if weighted else "mean",
        values=np.where(entries > 0, view.value, np.nan),
        stat=np.nan_to_num(np.sqrt(h.variances(flow=True))),
        profile=Profile(
            entries=entries,
            sum_of_weights=view.sum_of_weights if weighted else msgspec_unset(),
            sum_of_weights_squared=view.sum_of_weights_squared if weighted else msgspec_unset(),
            variance=np.nan_to_num(view.variance, nan=0.0, neginf=0.0, posinf=0.0),
        ),
    )
    histfmt.validate(doc)
    shown = Shown(doc, project=Projection(onto="x"), include_underflow=True, include_overflow=True)
    projected = shown.doc.yields["p"]
    theirs = h.project(0)
    good = theirs.counts(flow=True) > 1
    np.testing.assert_allclose(
        np.asarray(projected.values)[good], theirs.values(flow=True)[good], rtol=1e-9
    )
    np.testing.assert_allclose(
        np.asarray(projected.stat)[good], np.sqrt(theirs.variances(flow=True))[good], rtol=1e-6
    )
    histfmt.validate(shown.doc)


def msgspec_unset() -> Any:
    from msgspec import UNSET

    return UNSET


# -- efficiencies ------------------------------------------------------------------------------


def test_clopper_pearson_is_hists_interval() -> None:
    from hist.intervals import clopper_pearson_interval

    passed = np.array([0.0, 1, 7, 30, 50])
    total = np.array([10.0, 10, 20, 30, 200])
    lower, upper = efficiency_interval(passed, total)
    theirs = clopper_pearson_interval(passed, total)
    np.testing.assert_allclose(lower, theirs[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(upper, theirs[1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("ours", "scipys"), [("clopper-pearson", "exact"), ("wilson", "wilson")])
def test_intervals_match_scipys_binomial_test(ours: str, scipys: str) -> None:
    from scipy.stats import binomtest

    for k, n in [(0, 5), (3, 5), (17, 40), (40, 40)]:
        lower, upper = efficiency_interval([k], [n], interval=ours, confidence=0.9)
        theirs = binomtest(k, n).proportion_ci(confidence_level=0.9, method=scipys)
        assert lower[0] == pytest.approx(theirs.low, abs=1e-9)
        assert upper[0] == pytest.approx(theirs.high, abs=1e-9)


def test_bayesian_interval_is_the_shortest_with_the_coverage() -> None:
    from scipy.stats import beta

    lower, upper = efficiency_interval([3.0, 0.0], [10.0, 4.0], interval="bayesian")
    posterior = beta(3 + 1, 7 + 1)
    assert posterior.cdf(upper[0]) - posterior.cdf(lower[0]) == pytest.approx(0.682689492, abs=1e-6)
    assert posterior.pdf(lower[0]) == pytest.approx(posterior.pdf(upper[0]), rel=1e-4)
    assert lower[1] == 0.0  # no pass: the posterior falls from 0, the interval starts there
    assert beta(1, 5).cdf(upper[1]) == pytest.approx(0.682689492, abs=1e-9)


def test_rebinned_efficiency_is_recomputed_from_passed_and_total() -> None:
    doc = histfmt.load(VALID / "profile_and_efficiency.json")
    shown = Shown(doc, rebin=[0, 20, 30])
    merged = shown.components(["trigger"])
    np.testing.assert_allclose(merged.values, [100 / 120, 1.0])
    lower, upper = efficiency_interval([100], [120])
    assert np.sqrt(merged.stat_up2[0]) == pytest.approx(upper[0] - 100 / 120)
    assert np.sqrt(merged.stat_down2[0]) == pytest.approx(100 / 120 - lower[0])
    assert np.sqrt(merged.stat_down2[1]) == pytest.approx(0.17)  # one stored bin: as stored
    assert shown.normalisation(merged.values, ["trigger"]) == 1.0  # never per bin width


def test_combining_means_or_efficiencies_without_their_block_is_refused() -> None:
    doc = histfmt.Document.new([0, 1, 2]).add_yield("m", [1.0, 2.0])
    doc.yields["m"].kind = "mean"
    assert Shown(doc).components(["m"]).values.tolist() == [1.0, 2.0]  # nothing combined
    with pytest.raises(histfmt.ValidationError) as caught:
        Shown(doc, rebin=[0, 2]).components(["m"])
    assert caught.value.issues[0].path == "yields.m"
    assert "without its 'profile' block" in str(caught.value)
    doc.yields["m"].kind = "efficiency"
    with pytest.raises(histfmt.ValidationError, match="without its 'efficiency' block"):
        Shown(doc, rebin=[0, 2]).components(["m"])


def test_projected_efficiency_sums_passed_and_total() -> None:
    doc = histfmt.Document.new([0, 1, 2], y=Axis.new([0, 1, 2]))
    passed, total = np.array([[1.0, 2], [3, 1]]), np.array([[2.0, 4], [4, 1]])
    doc.yields["e"] = Yield(
        kind="efficiency",
        values=np.where(total > 0, passed / np.where(total > 0, total, 1), np.nan),
        efficiency=Efficiency(passed=passed, total=total, interval="wilson"),
    )
    histfmt.validate(doc)
    projected = Shown(doc, project=Projection(onto="x")).doc
    histfmt.validate(projected)
    item = projected.yields["e"]
    np.testing.assert_allclose(item.values, [3 / 6, 4 / 5])
    lower, upper = efficiency_interval([3, 4], [6, 5], interval="wilson")
    np.testing.assert_allclose(item.stat.up[0], upper[0] - 0.5)  # type: ignore[union-attr]
    assert item.stat.down[1] == pytest.approx(0.8 - lower[1])  # type: ignore[union-attr]


# -- projections: refusals and parsing ------------------------------------------------------------


@pytest.mark.parametrize("text", ["z", "x:1", "x:2:1", "x:a:b", "x:-1:2", "", "none:1"])
def test_bad_projection_text_is_refused(text: str) -> None:
    with pytest.raises(histfmt.HistfmtError, match="--project: expected x or y"):
        parse_projection(text)


def test_projection_needs_a_2d_document_and_bins_inside_the_other_axis() -> None:
    one_d = histfmt.Document.new([0, 1]).add_yield("a", [1.0])
    with pytest.raises(histfmt.HistfmtError, match="a projection needs a 2-D document"):
        Shown(one_d, project=Projection(onto="x"))
    assert Shown(one_d, project="none").binning.n == 1
    doc = histfmt.load(VALID / "two_d_map.json")
    with pytest.raises(histfmt.ValidationError) as caught:
        Shown(doc, project=Projection(onto="x", bins=(1, 5)))
    assert str(caught.value) == (
        "view.project.bins: expected 0 <= start < stop <= 2 (the bins of y), got [1, 5]"
    )


def test_cli_project_option_draws_and_refuses(tmp_path: Path) -> None:
    source = VALID / "two_d_map.json"
    result = CliRunner().invoke(
        cli, ["render", str(source), "--project", "y:0:2", "-o", str(tmp_path / "p.png")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p.png").read_bytes().startswith(b"\x89PNG")
    bad = CliRunner().invoke(cli, ["show", str(source), "--project", "x:0:9"])
    assert bad.exit_code == 1
    assert bad.stderr == (
        f"{source}: view.project.bins: expected 0 <= start < stop <= 2 (the bins of y), "
        "got [0, 9]\n"
    )
    junk = CliRunner().invoke(cli, ["render", str(source), "--project", "diagonal"])
    assert junk.exit_code == 1
    assert "--project: expected x or y" in junk.output
    assert "Traceback" not in junk.output


# -- maps ---------------------------------------------------------------------------------------


def _big_map(n: int, *, seed: int = 2) -> histfmt.Document:
    rng = np.random.default_rng(seed)
    doc = histfmt.Document.new(np.linspace(0, 1, n + 1), y=Axis.new(np.linspace(0, 1, n + 1)))
    doc.add_yield("a", rng.poisson(5, (n, n)).astype(float))
    return doc.add_stack([("a", "A")], type="map")


def _meshes(fig: Any) -> list[Any]:
    from matplotlib.collections import QuadMesh
    from matplotlib.image import AxesImage, PcolorImage

    kinds = (QuadMesh, AxesImage, PcolorImage)
    maps = [ax for ax in fig.axes if not hasattr(ax, "_colorbar")]  # not the colour bars
    return [a for ax in maps for a in ax.get_children() if isinstance(a, kinds)]


def test_a_map_is_one_artist_whatever_its_size() -> None:
    def children(n: int) -> int:
        fig = figure(_big_map(n), options=RenderOptions(dpi=30))
        assert len(_meshes(fig)) == 1
        return sum(len(ax.get_children()) for ax in fig.axes)

    assert children(10) == children(1000)


def test_map_colours_nulls_log_scale_and_labels() -> None:
    doc = histfmt.load(VALID / "two_d_map.json")
    doc.yields["data"].values[0, 0] = np.nan
    doc.yields["data"].values[1, 1] = 0.0
    doc.z_axis = ZAxis(log=True, min=1, max=100, colormap="cividis", label="Entries")
    fig = figure(doc, options=RenderOptions(dpi=30))
    (mesh,) = _meshes(fig)
    drawn = mesh.get_array()
    assert drawn.shape == (2, 3)  # y rows by x columns, the overflow not drawn
    assert drawn.mask[0, 0]  # null: blank
    assert drawn.mask[1, 1]  # zero on a log scale: blank
    assert mesh.norm.vmin == 1
    assert mesh.norm.vmax == 100
    assert mesh.cmap.name == "cividis"
    assert fig.axes[1].get_ylabel() == "Entries"  # the colour bar
    doc.view.include_overflow = True  # the overflow row joins the last x bin
    folded = _meshes(figure(doc, options=RenderOptions(dpi=30)))[0].get_array()
    assert folded[0, 2] == 22 + 3


def test_categorical_axes_and_cell_text() -> None:
    doc = histfmt.load(VALID / "two_d_labels_projection.json")
    fig = figure(doc, options=RenderOptions(dpi=40, project="none"))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["barrel", "endcap"]
    assert [t.get_text() for t in ax.get_xticklabels()] == doc.x.labels
    np.testing.assert_allclose(ax.get_yticks(), [0.5, 1.5])
    cells = {t.get_text(): t.get_color() for t in ax.texts}
    assert set(cells) == {"0.5", "0.6", "0.7", "0.8", "0.55", "0.65", "0.75", "0.85"}
    assert cells["0.5"] == "white"  # dark end of cividis
    assert cells["0.85"] == "black"


def test_cell_text_with_uncertainty_and_its_limit() -> None:
    doc = histfmt.load(VALID / "two_d_map.json")
    doc.add_stack([("mc", "MC")], type="map")
    doc.stacks[0].cell_text = True
    texts = [t.get_text() for t in figure(doc, options=RenderOptions(dpi=60)).axes[0].texts]
    assert "41.0\n±1.0" in texts
    big = _big_map(30)
    big.stacks[0].cell_text = True
    fig = figure(big, options=RenderOptions(dpi=30))
    assert not fig.axes[0].texts
    assert any("900 cells" in t.get_text() for t in fig.texts)


def test_ratio_map_divides_numerator_by_denominator() -> None:
    doc = histfmt.load(VALID / "two_d_map.json")
    doc.add_stack([("data", "Data")], type="map").add_ratio("data", "mc")
    fig = figure(doc, options=RenderOptions(dpi=30))
    meshes = _meshes(fig)
    assert len(meshes) == 2
    expected = np.asarray(doc.yields["data"].values[:3]) / np.asarray(doc.yields["mc"].values[:3])
    np.testing.assert_allclose(meshes[1].get_array().T, expected)
    assert meshes[1].norm.vcenter == 1.0
    assert len(_meshes(figure(doc, options=RenderOptions(dpi=30, ratio=False)))) == 1


def test_kinds_label_the_y_axis_and_profiles_draw_as_points() -> None:
    doc = histfmt.load(VALID / "profile_and_efficiency.json")
    doc.stacks = doc.stacks[:1]
    assert figure(doc, options=RenderOptions(dpi=30)).axes[0].get_ylabel() == "Efficiency"
    doc = histfmt.load(VALID / "profile_and_efficiency.json")
    assert figure(doc, options=RenderOptions(dpi=30)).axes[0].get_ylabel() == "Efficiency / Mean"


# -- baseline images ---------------------------------------------------------------------------


def _log_map() -> histfmt.Document:
    rng = np.random.default_rng(11)
    x, y = rng.exponential(20, 50_000), rng.normal(0, 1.5, 50_000)
    counts, xe, ye = np.histogram2d(x, y, bins=[np.linspace(0, 100, 51), np.linspace(-5, 5, 51)])
    doc = histfmt.Document.new(xe, symbol="$p_T$", unit="GeV", y=Axis.new(ye, symbol="$\\eta$"))
    doc.add_yield("data", counts).add_yield("mc", counts * rng.uniform(0.9, 1.1, counts.shape))
    doc.add_stack([("data", "Data")], type="map").add_ratio("data", "mc")
    doc.z_axis = ZAxis(log=True)
    return doc


CASES = {
    "map_two_d": lambda: (histfmt.load(VALID / "two_d_map.json"), RenderOptions(dpi=40)),
    "map_labels_cells": lambda: (
        histfmt.load(VALID / "two_d_labels_projection.json"),
        RenderOptions(dpi=40, project="none"),
    ),
    "map_slice": lambda: (
        histfmt.load(VALID / "two_d_labels_projection.json"),
        RenderOptions(dpi=40),
    ),
    "map_log_ratio": lambda: (_log_map(), RenderOptions(dpi=40)),
    "profile_efficiency": lambda: (
        histfmt.load(VALID / "profile_and_efficiency.json"),
        RenderOptions(dpi=40),
    ),
    "graphs_only": lambda: (histfmt.load(VALID / "graphs_only.json"), RenderOptions(dpi=40)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_maps_match_their_baseline_images(name: str, tmp_path: Path) -> None:
    """HISTFMT_UPDATE_BASELINES=1 rewrites them (look at them before committing)."""
    from matplotlib.testing.compare import compare_images

    doc, options = CASES[name]()
    actual = tmp_path / f"{name}.png"
    actual.write_bytes(render(doc, options=options))
    expected = BASELINES / f"{name}.png"
    if os.environ.get("HISTFMT_UPDATE_BASELINES"):
        expected.write_bytes(actual.read_bytes())
    assert expected.exists(), f"no baseline for {name}; run with HISTFMT_UPDATE_BASELINES=1"
    difference = compare_images(str(expected), str(actual), tol=2.0)
    assert difference is None, difference


# -- terminal and summary --------------------------------------------------------------------------


def test_show_draws_a_heat_map_within_the_width() -> None:
    source = VALID / "two_d_map.json"
    for width in (40, 80):
        result = CliRunner().invoke(cli, ["show", str(source), "--width", str(width)])
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert max(len(line) for line in lines) <= width
    rows = [line for line in lines if "┤" in line]
    dash = "\N{EN DASH}"
    assert [row.split("┤")[0].strip() for row in rows] == [f"0.0{dash}2.5", f"-2.5{dash}0.0"]
    # the fullest cell (x bin 50-100, eta < 0: 40 events) has the darkest shade
    lower = rows[1].split("┤")[1]
    assert set(lower[len(lower) // 3 : 2 * len(lower) // 3]) == {"█"}
    assert "scale: · ≥12" in result.stdout
    colored = CliRunner().invoke(cli, ["show", str(source), "--color", "--width", "60"])
    assert "\x1b[48;5;" in colored.stdout


def test_show_projection_draws_the_projected_numbers() -> None:
    source = VALID / "two_d_map.json"
    result = CliRunner().invoke(cli, ["show", str(source), "--project", "x", "--width", "80"])
    assert result.exit_code == 0, result.output
    assert "projection onto x" in result.stdout
    raw = json.loads(source.read_text())
    assert f"0 … {np.sum(raw['yields']['data']['values'][1]):.3g}" in result.stdout


def test_info_of_a_2d_document() -> None:
    source = VALID / "two_d_map.json"
    raw = json.loads(source.read_text())
    summary = json.loads(CliRunner().invoke(cli, ["info", "--json", str(source)]).stdout)
    by_name = {item["name"]: item for item in summary["yields"]}
    for name, item in raw["yields"].items():
        values = np.array(item["values"], dtype=float)
        assert by_name[name]["total"] == pytest.approx(values[:3].sum())  # overflow row apart
        assert by_name[name]["flow"] == pytest.approx(values[3].sum())
    assert summary["y"]["range"] == [-2.5, 2.5]
    assert summary["y"]["bins"] == 2
    text = CliRunner().invoke(cli, ["info", str(VALID / "two_d_labels_projection.json")]).stdout
    assert "y axis" in text
    assert "2 categories: barrel, endcap" in text
    assert "drawn as its projection onto x (bin 0 of the other axis)" in text
    kinds = json.loads(
        CliRunner()
        .invoke(cli, ["info", "--json", str(VALID / "profile_and_efficiency.json")])
        .stdout
    )
    trigger = next(item for item in kinds["yields"] if item["name"] == "trigger")
    assert trigger["kind"] == "efficiency"
    assert trigger["overall"] == pytest.approx((10 + 90 + 5) / (20 + 100 + 5))


def test_an_efficiency_alone_in_the_ratio_panel_is_drawn_as_it_is() -> None:
    doc = histfmt.load(VALID / "profile_and_efficiency.json")
    doc.stacks = doc.stacks[1:]
    doc.add_ratio("trigger")
    fig = figure(doc, options=RenderOptions(dpi=30))
    assert fig.axes[1].get_ylabel() == "Efficiency"
    (points,) = [line for line in fig.axes[1].lines if len(line.get_ydata()) > 2]
    np.testing.assert_allclose(points.get_ydata(), [0.5, 0.9, 1.0])


def test_bin_labels_of_a_numeric_axis_in_the_terminal() -> None:
    doc = histfmt.load(VALID / "two_d_labels_projection.json")
    from histfmt.render.text import render_text

    text = render_text(doc, width=60)
    rows = [line.split("┤")[0].strip() for line in text.splitlines() if "┤" in line]
    assert rows == doc.x.labels
    assert "projection onto x, y: barrel" in text
