"""ROOT books: the directory tree read as plots, written back, read by uproot equal."""

from __future__ import annotations

import json
from pathlib import Path

import hist
import numpy as np
import pytest
import uproot
from scipy import stats

import histfmt
from histfmt import HistfmtError
from histfmt.combine import efficiency_interval
from histfmt.convert import registry, root
from histfmt.convert.root.objects import USE_WEIGHTS, efficiency
from histfmt.model import Asymmetric, Book


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Histograms of different binnings in sub-directories, a 2-D one, two profiles
    (unweighted and weighted), a graph-free tree of what uproot can write."""
    rng = np.random.default_rng(7)
    path = tmp_path / "tree.root"
    pt = hist.Hist.new.Reg(10, 0, 100, name="pt", label="p_{T} [GeV]").Weight()
    pt.fill(rng.exponential(30, 500), weight=rng.uniform(0.5, 1.5, 500))
    eta = hist.Hist.new.Var([-2.5, -1.0, 0.0, 1.0, 2.5], name="eta").Double()
    eta.fill(rng.normal(0, 1.2, 300))
    eta.title = "Data"
    h2 = hist.Hist.new.Reg(4, 0, 4, name="x", label="x").StrCat(["a", "b"], name="y").Weight()
    h2.fill(rng.uniform(-1, 5, 200), rng.choice(["a", "b"], 200), weight=rng.uniform(0, 2, 200))
    mean = hist.Hist.new.Reg(5, 0, 5, name="x").Mean()
    mean.fill(rng.uniform(0, 5, 400), sample=rng.normal(3, 1, 400))
    weighted = hist.Hist.new.Reg(5, 0, 5, name="x").WeightedMean()
    weighted.fill(
        rng.uniform(0, 5, 400), sample=rng.normal(3, 1, 400), weight=rng.uniform(0.5, 2, 400)
    )
    with uproot.recreate(path) as out:
        out["jets/pt"] = pt
        out["jets/pt__JES__up"] = pt * 1.1
        out["jets/eta/data"] = eta
        out["maps/h2"] = h2
        out["profiles/mean"] = mean
        out["profiles/weighted"] = weighted
        out["note"] = "a string"
        out["empty/h3"] = hist.Hist.new.Reg(2, 0, 1).Reg(2, 0, 1).Reg(2, 0, 1).Double()
    return path


def test_read_book_tree(tree: Path) -> None:
    book = root.read_book(tree)
    assert list(book.plots) == [  # file order (uproot writes the sub-directory first)
        "jets/eta/data",
        "jets/pt",
        "maps/h2",
        "profiles/mean",
        "profiles/weighted",
    ]
    assert book.metadata.extra["skipped"] == {
        "note": "TObjString: a string, not a histogram",
        "empty/h3": "TH3D: a 3-D histogram; histfmt holds 1-D and 2-D histograms",
    }
    with uproot.open(tree) as file:
        pt = book.plots["jets/pt"]
        np.testing.assert_array_equal(pt.yields["pt"].values, file["jets/pt"].values(flow=True))
        np.testing.assert_array_equal(
            pt.yields["pt"].variations["JES"].up, file["jets/pt__JES__up"].values(flow=True)
        )
        assert pt.stacks[0].error == "stat+env"
        data = book.plots["jets/eta/data"]
        assert data.stacks[0].type == "points"  # named like data
        h2 = book.plots["maps/h2"]
        assert h2.y.categories == ["a", "b"]  # type: ignore[union-attr]
        assert h2.stacks[0].type == "map"
        ref = file["maps/h2"]
        np.testing.assert_array_equal(h2.yields["h2"].values, ref.values(flow=True)[:, 1:])
        np.testing.assert_array_equal(h2.yields["h2"].variances, ref.variances(flow=True)[:, 1:])
        for key in ("mean", "weighted"):
            item = book.plots[f"profiles/{key}"].yields[key]
            ref = file[f"profiles/{key}"]
            # uproot writes fBinSumw2 for a Mean storage too: weighted, as uproot says
            storage = "weighted_mean" if ref.weighted else "mean"
            assert (item.kind, item.storage) == ("mean", storage)
            filled = ref.counts(flow=True) > 0
            np.testing.assert_array_equal(item.values[filled], ref.values(flow=True)[filled])
            np.testing.assert_array_equal(item.stat[filled], ref.errors(flow=True)[filled])
            np.testing.assert_array_equal(item.profile.entries, ref.counts(flow=True))  # type: ignore[union-attr]


def test_profile_variance_is_boost_sample_variance(tree: Path) -> None:
    """The profile's variance is the spread boost-histogram reports for the same fills."""
    book = root.read_book(tree)
    with uproot.open(tree) as file:
        for key in ("mean", "weighted"):
            boost = file[f"profiles/{key}"].to_boost()
            item = book.plots[f"profiles/{key}"].yields[key]
            ok = np.isfinite(item.profile.variance)  # type: ignore[union-attr]
            np.testing.assert_allclose(
                item.profile.variance[ok],  # type: ignore[union-attr]
                boost.view(flow=True).variance[ok],
                rtol=1e-9,
            )


def test_write_book_reads_back_in_uproot(tree: Path, tmp_path: Path) -> None:
    book = root.read_book(tree)
    out = tmp_path / "out.root"
    root.write_book(book, out)
    with uproot.open(out) as file, uproot.open(tree) as original:
        for where in ("jets/pt", "jets/eta/data", "maps/h2", "jets/pt__JES__up"):
            ref, got = original[where], file[where]
            np.testing.assert_array_equal(got.values(flow=True), ref.values(flow=True))
            if not where.endswith("__up"):  # a variation: its values only
                np.testing.assert_array_equal(got.variances(flow=True), ref.variances(flow=True))
        assert file.classnames()["maps/h2;1"] == "TH2D"
        assert file["maps/h2"].axis(1).labels() == ["a", "b"]
        for where in ("profiles/mean", "profiles/weighted"):
            ref, got = original[where], file[where]
            assert file.classnames()[f"{where};1"] == "TProfile"
            assert got.weighted == ref.weighted
            np.testing.assert_allclose(got.values(flow=True), ref.values(flow=True), rtol=1e-12)
            np.testing.assert_allclose(got.errors(flow=True), ref.errors(flow=True), rtol=1e-9)
            np.testing.assert_allclose(got.counts(flow=True), ref.counts(flow=True), rtol=1e-12)
    back = root.read_book(out)
    assert list(back.plots) == list(book.plots)
    for where in ("jets/pt", "jets/eta/data", "maps/h2"):
        assert back.plots[where] == book.plots[where]
    assert set(tmp_path.iterdir()) == {tree, out}  # no temporary file left


def test_write_book_several_yields_graphs_efficiencies(tmp_path: Path) -> None:
    combined = histfmt.Document.new([0.0, 1.0, 2.0])
    combined.add_yield("mc", [1.0, 2.0], stat=[0.5, 0.5]).add_yield("data", [1.0, 3.0])
    combined.add_stack(["mc"]).add_stack(["data"], type="points")
    graph = histfmt.loads(
        b'{"histfmt": "1.1", "x": {"label": "x"}, "yields": {},'
        b' "graphs": [{"x": [1, 2], "y": [3, 4]}]}'
    )
    eff = histfmt.Document.new([0.0, 1.0, 2.0])
    eff.add_yield("eff", [0.5, 1.0])
    eff.yields["eff"].kind = "efficiency"
    eff.yields["eff"].efficiency = histfmt.model.Efficiency(passed=[1.0, 2.0], total=[2.0, 2.0])
    odd = histfmt.Document.new([0.0, 1.0]).add_yield("odd", [2.0])
    book = Book.new({"cr/combined": combined, "a:b/graph": graph, "eff": eff, "x;1/odd": odd})
    out = tmp_path / "book.root"
    root.write_book(book, out)
    with uproot.open(out) as file:
        notes = json.loads(str(file["histfmt_skipped"]))
        assert set(notes) == {"a:b/graph", "eff/eff"}
        assert "uproot cannot write TGraphAsymmErrors" in notes["a:b/graph"]
        assert "TEfficiency" in notes["eff/eff"]
        assert file.classnames()["cr/combined/mc;1"] == "TH1D"
    back = root.read_book(out)
    assert json.loads(str(file_paths(out))) == {"x_1/odd": "x;1/odd"}
    assert list(back.plots) == ["cr/combined", "x;1/odd"]  # several yields: one plot again
    assert list(back.plots["cr/combined"].yields) == ["mc", "data"]
    assert back.metadata.extra["skipped"] == notes


def file_paths(path: Path) -> str:
    with uproot.open(path) as file:
        return str(file["histfmt_paths"])


def test_write_document_2d_and_profile(tmp_path: Path) -> None:
    doc = histfmt.Document.new([0.0, 1.0, 3.0], y=histfmt.Axis.new([0.0, 5.0, 10.0, 20.0]))
    values = np.arange(6.0).reshape(2, 3)
    doc.add_yield("map", values, variances=values * 2)
    out = tmp_path / "map.root"
    root.write(doc, out)
    with uproot.open(out) as file:
        h = file["map"]
        np.testing.assert_array_equal(h.values(), values)
        np.testing.assert_array_equal(h.variances(), values * 2)
        np.testing.assert_array_equal(h.axis(1).edges(), [0.0, 5.0, 10.0, 20.0])
    back = root.read(out)
    np.testing.assert_array_equal(back.yields["map"].values, np.pad(values, 1))


def test_select(tree: Path) -> None:
    book = root.read_book(tree)
    assert list(book.select("jets/*").plots) == ["jets/eta/data", "jets/pt"]
    assert list(book.select("**/data").plots) == ["jets/eta/data"]
    assert list(book.select("**/pt").plots) == ["jets/pt"]
    assert list(book.select("profiles", "maps/h?").plots) == [
        "maps/h2",
        "profiles/mean",
        "profiles/weighted",
    ]
    assert book.select("nope/*").plots == {}


def test_registry_reads_books(tree: Path) -> None:
    assert list(registry.read_book(tree).plots)[:2] == ["jets/eta/data", "jets/pt"]


def test_read_refuses_several_plots(tree: Path) -> None:
    with pytest.raises(HistfmtError, match=r"holds 5 plots \(.jets/eta/data., "):
        root.read(tree)
    doc = root.read(tree, directory="jets")
    assert list(doc.yields) == ["pt"]


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (7, 20), (1, 1000)])
def test_efficiency_intervals_root_definitions(k: int, n: int) -> None:
    """Clopper-Pearson, Wilson and normal as ROOT's TEfficiency defines them, checked
    through what each interval is: binomial tails, the Wilson score equation, the
    normal approximation."""
    level = 0.682689492137086
    z = stats.norm.ppf(1 - (1 - level) / 2)
    p = k / n
    low, high = efficiency_interval([k], [n], confidence=level, interval="clopper-pearson")
    alpha = (1 - level) / 2
    if k > 0:
        assert stats.binom.sf(k - 1, n, low[0]) == pytest.approx(alpha)
    else:
        assert low[0] == 0
    if k < n:
        assert stats.binom.cdf(k, n, high[0]) == pytest.approx(alpha)
    else:
        assert high[0] == 1
    low, high = efficiency_interval([k], [n], confidence=level, interval="wilson")
    for bound in (low[0], high[0]):  # |p - bound| = z sqrt(bound (1 - bound) / n)
        assert abs(p - bound) == pytest.approx(z * np.sqrt(bound * (1 - bound) / n), abs=1e-12)
    low, high = efficiency_interval([k], [n], confidence=level, interval="normal")
    assert high[0] == pytest.approx(min(1.0, p + z * np.sqrt(p * (1 - p) / n)))
    assert low[0] == pytest.approx(max(0.0, p - z * np.sqrt(p * (1 - p) / n)))
    low, high = efficiency_interval([0.0], [0.0], confidence=level, interval="wilson")
    assert np.isnan([low[0], high[0]]).all()


class _WeightedEfficiency:
    """What uproot shows of a TEfficiency filled with weights: the kUseWeights bit."""

    classname = "TEfficiency"

    def member(self, name: str) -> object:
        assert name == "@fBits"
        return 0x3000000 | USE_WEIGHTS


def test_a_weighted_efficiency_is_refused_not_misread() -> None:
    with pytest.raises(HistfmtError, match="weighted events"):
        efficiency(_WeightedEfficiency())


def test_efficiency_read(tmp_path: Path) -> None:
    """The real TEfficiency is in the real-file tests; here its statistic option."""
    real = Path(__file__).parent / "resources" / "real" / "root" / "uproot-issue38c.root"
    doc = root.read_book(real).plots["TEfficiencyName"]
    item = doc.yields["TEfficiencyName"]
    assert item.kind == "efficiency"
    assert isinstance(item.stat, Asymmetric)
    assert item.efficiency.interval == "clopper-pearson"  # type: ignore[union-attr]
    assert doc.stacks[0].type == "points"
