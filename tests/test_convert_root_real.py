"""Every real ROOT file in tests/resources/real/root, read as a book, checked number by
number against uproot's own reading of the same objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import uproot
from msgspec import UnsetType
from scipy import stats

import histfmt
from histfmt import HistfmtError
from histfmt.convert import root
from histfmt.convert.root.files import fresh_classes
from histfmt.model import Asymmetric, Document

REAL = Path(__file__).parent / "resources" / "real" / "root"
FILES = sorted(REAL.glob("*.root"))
HISTOGRAM_LIKE = ("TH1", "TH2", "TH3", "TProfile", "TEfficiency", "TGraph")
# what histfmt cannot hold, and the one object uproot itself cannot read
EXPECTED_SKIPS = {
    "hepdata-converter-full.root": {"Table 2/Graph2D_y1": "TGraph2DErrors"},
    "uproot-issue-227b.root": {"hprof3d": "TProfile3D"},
    "uproot-issue209.root": {"TEfficiencyName": "uproot cannot read this TEfficiency"},
}


def _objects(folder: Any, prefix: str = "") -> dict[str, tuple[str, Any]]:
    """uproot's view of the tree: path -> (class name, object), highest cycles."""
    found: dict[str, tuple[str, Any]] = {}
    latest: dict[str, tuple[int, str]] = {}
    for key, classname in folder.classnames(recursive=False, cycle=True).items():
        name, _, cycle = key.rpartition(";")
        if name not in latest or int(cycle) > latest[name][0]:
            latest[name] = (int(cycle), classname)
    for name, (cycle, classname) in latest.items():
        path = f"{prefix}/{name}" if prefix else name
        if classname.startswith("TDirectory"):
            found.update(_objects(folder[f"{name};{cycle}"], path))
        elif classname.startswith(HISTOGRAM_LIKE):
            try:
                found[path] = (classname, folder[f"{name};{cycle}"])
            except NotImplementedError:
                found[path] = (classname, None)  # uproot cannot read it
    return found


def _full(array: Any, axes: list[Any]) -> Any:
    """A document array with the underflow bins a categorical axis dropped put back (0)."""
    array = np.asarray(array, dtype=np.float64)
    for index, axis in enumerate(axes):
        if not axis.underflow:
            pad = [(0, 0)] * array.ndim
            pad[index] = (1, 0)
            array = np.pad(array, pad)
    return array


def _check_axes(doc: Document, h: Any) -> list[Any]:
    axes = [doc.x] if isinstance(doc.y, UnsetType) else [doc.x, doc.y]
    for index, axis in enumerate(axes):
        ref = h.axis(index)
        labels = ref.labels()
        if not isinstance(axis.categories, UnsetType):
            assert axis.categories == labels
        else:
            np.testing.assert_array_equal(axis.edges, ref.edges())
            if labels is not None and len(labels) == axis.n_bins:
                assert axis.labels == labels
        assert axis.overflow
    return axes


def _check_count(doc: Document, h: Any) -> None:
    (item,) = doc.yields.values()
    axes = _check_axes(doc, h)
    np.testing.assert_array_equal(_full(item.values, axes), h.values(flow=True))
    if item.storage == "weight":
        np.testing.assert_array_equal(_full(item.variances, axes), h.variances(flow=True))
    elif item.storage == "double":
        np.testing.assert_array_equal(item.variances, item.values)
        np.testing.assert_array_equal(_full(item.variances, axes), h.variances(flow=True))
    else:
        assert item.storage == "int"
        assert np.asarray(h.values()).dtype.kind in "iu"
    assert doc.stacks[0].type == ("map" if len(axes) == 2 else "filled")


def _check_profile(doc: Document, h: Any) -> None:
    (item,) = doc.yields.values()
    axes = _check_axes(doc, h)
    assert item.kind == "mean"
    entries = h.counts(flow=True)
    filled = entries != 0
    np.testing.assert_array_equal(_full(item.profile.entries, axes), entries)  # type: ignore[union-attr]
    values = _full(item.values, axes)
    stat = _full(item.stat, axes)
    np.testing.assert_array_equal(values[filled], h.values(flow=True)[filled])
    np.testing.assert_array_equal(stat[filled], h.errors(flow=True)[filled])
    assert np.isnan(values[~filled]).all()


def _check_efficiency(doc: Document, eff: Any) -> None:
    (item,) = doc.yields.values()
    passed_h, total_h = eff.member("fPassedHistogram"), eff.member("fTotalHistogram")
    axes = _check_axes(doc, total_h)
    block = item.efficiency
    passed = _full(block.passed, axes)  # type: ignore[union-attr]
    total = _full(block.total, axes)  # type: ignore[union-attr]
    np.testing.assert_array_equal(passed, passed_h.values(flow=True))
    np.testing.assert_array_equal(total, total_h.values(flow=True))
    assert eff.member("fStatisticOption") == 0
    assert block.interval == "clopper-pearson"  # type: ignore[union-attr]
    level = eff.member("fConfLevel")
    assert block.confidence == level  # type: ignore[union-attr]
    some = total > 0
    values = _full(item.values, axes)
    np.testing.assert_allclose(values[some], passed[some] / total[some], rtol=1e-15)
    assert isinstance(item.stat, Asymmetric)
    low = values - _full(item.stat.down, axes)
    high = values + _full(item.stat.up, axes)
    _check_clopper_pearson(passed[some], total[some], low[some], high[some], level)


def _check_clopper_pearson(k: Any, n: Any, low: Any, high: Any, level: float) -> None:
    """ROOT's definition (TEfficiency::ClopperPearson): the bounds where the binomial
    tails beyond k hold (1 - level) / 2 each; 0 when k = 0 and 1 when k = n."""
    alpha = (1 - level) / 2
    inner = k > 0
    np.testing.assert_allclose(stats.binom.sf(k[inner] - 1, n[inner], low[inner]), alpha)
    assert (low[~inner] == 0).all()
    below = k < n
    np.testing.assert_allclose(stats.binom.cdf(k[below], n[below], high[below]), alpha)
    assert (high[~below] == 1).all()


def _check_graph(doc: Document, g: Any, classname: str) -> None:
    (graph,) = doc.graphs
    assert not doc.yields
    np.testing.assert_array_equal(graph.x, g.values("x"))
    np.testing.assert_array_equal(graph.y, g.values("y"))
    if classname == "TGraphAsymmErrors":
        assert isinstance(graph.x_errors, Asymmetric)
        assert isinstance(graph.y_errors, Asymmetric)
        np.testing.assert_array_equal(graph.x_errors.down, g.errors("low", "x"))
        np.testing.assert_array_equal(graph.x_errors.up, g.errors("high", "x"))
        np.testing.assert_array_equal(graph.y_errors.down, g.errors("low", "y"))
        np.testing.assert_array_equal(graph.y_errors.up, g.errors("high", "y"))
    frame = g.member("fHistogram")
    if frame is not None and frame.member("fXaxis").member("fTitle"):
        assert doc.x.label == frame.member("fXaxis").member("fTitle")
        assert doc.y_axis.label == frame.member("fYaxis").member("fTitle")


def _check(doc: Document, classname: str, obj: Any) -> None:
    if classname.startswith("TProfile"):
        _check_profile(doc, obj)
    elif classname == "TEfficiency":
        _check_efficiency(doc, obj)
    elif classname.startswith("TGraph"):
        _check_graph(doc, obj, classname)
    else:
        _check_count(doc, obj)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_real_file(path: Path) -> None:
    with uproot.open(path, custom_classes=fresh_classes(uproot)) as file:
        objects = _objects(file)
        expected = EXPECTED_SKIPS.get(path.name, {})
        readable = {p for p in objects if p not in expected}
        if not readable:
            with pytest.raises(HistfmtError, match=r"no histogram, profile, efficiency") as e:
                root.read_book(path)
            assert e.value.filename == str(path)
            for where, reason in expected.items():
                assert f"{where}: " in str(e.value)
                assert reason in str(e.value)
            return
        book = root.read_book(path)
        assert set(book.plots) == readable
        for where, (classname, obj) in objects.items():
            if where in readable:
                _check(book.plots[where], classname, obj)
    skipped = book.metadata.extra.get("skipped", {})
    for where, reason in expected.items():
        assert reason in skipped[where]
    assert not (set(skipped) - set(expected)) & set(objects)  # the rest: trees, functions...
    histfmt.loads_book(histfmt.dumps(book))  # what histfmt writes, histfmt reads back


def test_share_read() -> None:
    """At least 95% of the histogram-like objects of the real files are read; the rest
    are exactly the expected skips (3-D, a 2-D graph, and what uproot cannot read)."""
    total = read = 0
    for path in FILES:
        with uproot.open(path, custom_classes=fresh_classes(uproot)) as file:
            objects = _objects(file)
        total += len(objects)
        try:
            plots = root.read_book(path).plots
        except HistfmtError:
            plots = {}
        read += len(plots)
        assert set(objects) - set(plots) == set(EXPECTED_SKIPS.get(path.name, {}))
    assert total == 87
    assert read / total >= 0.95


def test_repeated_labels() -> None:
    """uproot-issue-722: bin labels that repeat stay on a numeric axis as labels."""
    doc = root.read(REAL / "uproot-issue-722.root")
    with uproot.open(REAL / "uproot-issue-722.root") as file:
        h = file["hist"]
        assert doc.x.labels == h.axis().labels()
        assert len(set(h.axis().labels())) < len(h.axis().labels())
        np.testing.assert_array_equal(doc.x.edges, h.axis().edges())
    assert isinstance(doc.x.categories, UnsetType)
    histfmt.validate(doc)


def test_truncated_real_file(tmp_path: Path) -> None:
    data = (REAL / "uproot-from-geant4.root").read_bytes()
    cut = tmp_path / "cut.root"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(HistfmtError, match=r"cut.root: cannot read the ROOT file: the file is cut"):
        root.read_book(cut)
    with pytest.raises(HistfmtError, match=r"cut.root: cannot read the ROOT file"):
        root.read(cut)


def test_damaged_object_named(tmp_path: Path) -> None:
    """An object whose bytes are damaged: the error names the file and its path."""
    source = REAL / "uproot-issue-250.root"
    with uproot.open(source) as file:
        key = file.key("Egap")
        start, length = key.fSeekKey + key.fKeylen, key.fNbytes - key.fKeylen
    data = bytearray(source.read_bytes())
    data[start : start + length] = b"\xff" * length
    damaged = tmp_path / "damaged.root"
    damaged.write_bytes(bytes(data))
    with pytest.raises(HistfmtError) as e:
        root.read_book(damaged)
    assert str(e.value).startswith(f"{damaged}: Egap: cannot read this TH1D")


def test_not_root_named_root(tmp_path: Path) -> None:
    fake = tmp_path / "plot.root"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n not a ROOT file")
    with pytest.raises(HistfmtError, match=r"plot.root: not a ROOT file"):
        root.read_book(fake)
