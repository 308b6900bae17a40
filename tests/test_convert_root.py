"""ROOT files <-> histfmt through uproot, against files written by the real uproot."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import hist
import numpy as np
import pytest
import uproot

import histfmt
from histfmt import HistfmtError
from histfmt.convert import registry, root
from histfmt.io import to_builtins
from histfmt.model import Variation

EDGES = np.array([0.0, 10.0, 25.0, 50.0, 100.0])


def _weighted(label: str, seed: int) -> Any:
    rng = np.random.default_rng(seed)
    h = hist.Hist.new.Var(EDGES, name="m", label="m_{ll} [GeV]").Weight()
    x = rng.uniform(-20, 130, 200)  # some below 0 and above 100: flow content
    h.fill(x, weight=rng.uniform(0.5, 1.5, x.size))
    h.title = label  # uproot writes it as the TH1 title
    return h


@pytest.fixture
def histograms() -> dict[str, Any]:
    data = hist.Hist.new.Var(EDGES, name="m", label="m_{ll} [GeV]").Double()
    data.fill(np.random.default_rng(3).uniform(-20, 130, 300))
    return {"ttbar": _weighted("t#bar{t}", 1), "zjets": _weighted("Z+jets", 2), "data": data}


@pytest.fixture
def mixed(tmp_path: Path, histograms: dict[str, Any]) -> Path:
    """1-D histograms, a 2-D one, a string and a sub-directory with a regular TH1."""
    path = tmp_path / "mixed.root"
    with uproot.recreate(path) as out:
        for name, h in histograms.items():
            out[name] = h
        out["h2"] = hist.Hist.new.Reg(2, 0, 1).Reg(3, 0, 1).Double()
        out["note"] = "not a histogram"
        out["sub/signal"] = hist.Hist.new.Reg(5, 0.0, 1.0).Weight().fill([0.05, 0.5, 2.0])
    return path


def test_sniff(mixed: Path, tmp_path: Path) -> None:
    assert root.sniff(mixed.read_bytes()[:64], mixed)
    assert not root.sniff(b'{"histfmt": "1.0"}', tmp_path / "x.root")
    assert registry.detect(mixed) == "root"


def test_read_exact(mixed: Path, histograms: dict[str, Any]) -> None:
    doc = root.read(mixed)
    assert list(doc.yields) == ["ttbar", "zjets", "data"]
    assert doc.x.kind == "variable"
    assert (doc.x.underflow, doc.x.overflow) == (True, True)
    np.testing.assert_array_equal(doc.x.edges, EDGES)
    assert doc.x.label == "m_{ll} [GeV]"
    for name in ("ttbar", "zjets"):
        item, h = doc.yields[name], histograms[name]
        np.testing.assert_array_equal(item.values, h.values(flow=True))
        np.testing.assert_array_equal(item.variances, h.variances(flow=True))
        assert item.values[0] > 0
        assert item.values[-1] > 0
        assert item.storage == "weight"
    assert doc.yields["zjets"].label == "Z+jets"
    data = doc.yields["data"]
    np.testing.assert_array_equal(data.values, histograms["data"].values(flow=True))
    np.testing.assert_array_equal(data.variances, data.values)  # no Sumw2: sqrt(N) errors
    assert data.storage == "double"
    # the default drawing: simulation stacked, data as points, a data / prediction ratio
    assert [item.yields for item in doc.stacks[0].content] == [["ttbar"], ["zjets"]]
    assert doc.stacks[0].type == "filled"
    assert (doc.stacks[1].type, doc.stacks[1].error) == ("points", "poisson")
    assert doc.ratio[0].numerator == ["data"]
    assert doc.ratio[0].denominator == ["ttbar", "zjets"]
    skipped = doc.metadata.extra["root_skipped"]
    assert set(skipped) == {"h2", "note", "sub"}
    assert "2-D" in skipped["h2"]
    assert "TObjString" in skipped["note"]
    assert skipped["sub"] == "TDirectory: a directory; read it with directory='sub'"
    histfmt.validate(doc)


def test_read_directory_and_names(mixed: Path) -> None:
    doc = root.read(mixed, directory="sub")
    assert list(doc.yields) == ["signal"]
    assert doc.x.kind == "regular"
    np.testing.assert_array_equal(doc.x.edges, np.linspace(0.0, 1.0, 6))
    np.testing.assert_array_equal(doc.yields["signal"].values, [0, 1, 0, 1, 0, 0, 1])
    assert "root_skipped" not in doc.metadata.extra
    doc = root.read(mixed, names=["zjets", "data"])
    assert list(doc.yields) == ["zjets", "data"]
    doc = root.read(mixed, names=["h2"])  # a 2-D histogram asked for alone: its own plot
    assert doc.shape == (4, 5)
    with pytest.raises(HistfmtError, match=r"'h2' is a TH2D: only 1-D histograms are combined"):
        root.read(mixed, names=["h2", "data"])
    with pytest.raises(HistfmtError, match=r"no object 'nope'"):
        root.read(mixed, names=["nope"])
    with pytest.raises(HistfmtError, match=r"no directory 'nope'"):
        root.read(mixed, directory="nope")


def _th1x(data: Any, edges: Any) -> Any:
    """A TH1 whose type follows the dtype of ``data`` (TH1I for int32, TH1F for float32)."""
    from uproot.writing.identify import to_TAxis, to_TH1x

    axis = to_TAxis("xaxis", "", len(edges) - 1, edges[0], edges[-1], fXbins=edges)
    total = float(data.sum())
    return to_TH1x(None, "", data, total, total, total, 0.0, 0.0, None, axis)


def test_read_numpy_types_and_labels(tmp_path: Path) -> None:
    path = tmp_path / "types.root"
    edges = np.array([0.0, 1.0, 2.0, 4.0])
    categories = hist.Hist.new.StrCat(["ee", "mumu", "emu"], name="channel").Weight()
    categories.fill(["ee", "mumu", "mumu", "emu"], weight=[1.0, 2.0, 0.5, 3.0])
    categories.axes[0].label = "Channel"
    with uproot.recreate(path) as out:
        out["ints"] = _th1x(np.array([0, 3, 0, 7, 0], dtype=np.int32), edges)
        out["floats"] = _th1x(np.array([0, 0.5, 1.25, 2.0, 0], dtype=np.float32), edges)
        out["channels"] = categories
    with uproot.open(path) as file:
        classes = file.classnames()
    assert classes == {"ints;1": "TH1I", "floats;1": "TH1F", "channels;1": "TH1D"}
    doc = root.read(path, names=["ints", "floats"])
    np.testing.assert_array_equal(doc.x.edges, edges)
    assert doc.yields["ints"].storage == "int"
    np.testing.assert_array_equal(doc.yields["ints"].values, [0, 3, 0, 7, 0])
    assert doc.yields["floats"].storage == "double"
    np.testing.assert_array_equal(doc.yields["floats"].values, [0, 0.5, 1.25, 2.0, 0])
    doc = root.read(path, names=["channels"])
    assert doc.x.kind == "category"
    assert doc.x.categories == ["ee", "mumu", "emu"]
    assert (doc.x.underflow, doc.x.overflow) == (False, True)
    assert doc.x.label == "Channel"
    np.testing.assert_array_equal(doc.yields["channels"].values, [1.0, 2.5, 3.0, 0.0])
    np.testing.assert_array_equal(doc.yields["channels"].variances, [1.0, 4.25, 9.0, 0.0])


def test_mismatched_binning(tmp_path: Path) -> None:
    """Issue 10: differently binned histograms are a book of two plots, not a refusal;
    only one document cannot hold them both."""
    path = tmp_path / "mismatch.root"
    with uproot.recreate(path) as out:
        out["a"] = (np.array([1.0, 2.0]), np.array([0.0, 1.0, 2.0]))
        out["b"] = (np.array([1.0, 2.0]), np.array([0.0, 1.0, 3.0]))
    book = root.read_book(path)
    assert list(book.plots) == ["a", "b"]
    np.testing.assert_array_equal(book.plots["b"].x.edges, [0.0, 1.0, 3.0])
    with pytest.raises(HistfmtError, match=r"holds 2 plots \('a', 'b'\), not one") as e:
        root.read(path)
    assert e.value.filename == str(path)
    assert list(root.read(path, names=["b"]).yields) == ["b"]
    with pytest.raises(HistfmtError, match=r"histogram 'b' has a different binning from 'a'"):
        root.read(path, names=["a", "b"])


def mixed_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "whole.root"
    with uproot.recreate(path) as out:
        out["a"] = (np.array([1.0, 2.0]), np.array([0.0, 1.0, 2.0]))
    return path.read_bytes()


def test_only_2d_and_not_root(tmp_path: Path) -> None:
    path = tmp_path / "2d.root"
    h2 = hist.Hist.new.Reg(2, 0, 1).Reg(3, 0, 1).Double().fill([0.2, 0.7], [0.1, 0.5])
    with uproot.recreate(path) as out:
        out["h2"] = h2
    doc = root.read(path)  # issue 10: a 2-D histogram is a 2-D document, not a refusal
    np.testing.assert_array_equal(doc.yields["h2"].values, h2.values(flow=True))
    assert doc.stacks[0].type == "map"
    text = tmp_path / "plot.root"
    text.write_text('{"histfmt": "1.0"}')
    with pytest.raises(HistfmtError, match=r"plot.root: not a ROOT file"):
        root.read(text)
    broken = tmp_path / "broken.root"
    broken.write_bytes(mixed_bytes(tmp_path)[:300])  # truncated
    with pytest.raises(HistfmtError, match=r"broken.root: cannot read the ROOT file"):
        root.read(broken)
    with pytest.raises(HistfmtError, match=r"missing.root: cannot read"):
        root.read(tmp_path / "missing.root")


def test_uproot_missing(
    monkeypatch: pytest.MonkeyPatch, mixed: Path, document: histfmt.Document, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "uproot", None)  # import uproot -> ImportError
    with pytest.raises(HistfmtError, match=r"pip install 'histfmt\[root\]'"):
        root.read(mixed)
    with pytest.raises(HistfmtError, match=r"pip install 'histfmt\[root\]'"):
        root.write(document, tmp_path / "out.root")
    assert not (tmp_path / "out.root").exists()


def test_write_reads_back_in_uproot(document: histfmt.Document, tmp_path: Path) -> None:
    document.yields["mc"].variations["JES"].down = np.array([1.0, 4.5, 3.0, 2.0, 0.5])
    path = tmp_path / "out.root"
    root.write(document, path)
    with uproot.open(path) as file:
        _check_written(file, document)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def _check_written(file: Any, document: histfmt.Document) -> None:
    assert file.classnames() == {
        "histfmt_plot;1": "TObjString",  # several yields: one plot when read back
        "mc;1": "TH1D",
        "data;1": "TH1D",
        "mc__JES__up;1": "TH1D",
        "mc__JES__down;1": "TH1D",
    }
    mc = file["mc"]
    np.testing.assert_array_equal(mc.values(flow=True), document.yields["mc"].values)
    np.testing.assert_array_equal(
        mc.variances(flow=True),
        np.square(document.yields["mc"].stat),  # type: ignore[arg-type]
    )
    np.testing.assert_array_equal(mc.axis().edges(), document.x.edges)
    assert len(mc.member("fXaxis").member("fXbins")) == 0  # equal widths: fixed binning
    assert mc.title == "Simulation"
    data = file["data"]
    assert len(data.member("fSumw2")) == 0  # no uncertainty given: ROOT's sqrt(N)
    np.testing.assert_array_equal(data.values(flow=True), document.yields["data"].values)
    np.testing.assert_array_equal(
        file["mc__JES__up"].values(flow=True), document.yields["mc"].variations["JES"].up
    )


def test_round_trip_from_root(mixed: Path, tmp_path: Path) -> None:
    doc = root.read(mixed)
    doc.metadata.extra.clear()
    doc.yields["ttbar"].variations["JES"] = Variation(
        up=doc.yields["ttbar"].values * 1.1, down=doc.yields["ttbar"].values * 0.9
    )
    doc.stacks[0].error = "stat+env"
    doc.ratio[0].den_error = "stat+env"
    path = tmp_path / "again.root"
    root.write(doc, path)
    assert root.read(path) == doc  # the whole document, drawing included


def test_round_trip_document(tmp_path: Path) -> None:
    doc = histfmt.Document.new([0.0, 1.0, 2.5, 3.0], underflow=True, overflow=True, label="x")
    doc.add_yield(
        "sig nal;1",  # not a safe ROOT key
        [0.0, 1.5, 2.0, 0.25, 3.0],
        variances=[0.0, 1.0, 2.0, 0.0625, 4.5],
        variations={"JES: up": ([1.0, 2.0, 2.0, 0.5, 3.0], None)},
        label="Signal",
    )
    doc.add_yield("sig_nal_1", [1.0, 1.0, 1.0, 1.0, 1.0], variances=[1.0, 1.0, 1.0, 1.0, 1.0])
    doc.add_yield("data_obs", [0.0, 2.0, 1.0, 0.0, 3.0], variances=[0.0, 2.0, 1.0, 0.0, 3.0])
    for name, storage in [("sig nal;1", "weight"), ("sig_nal_1", "weight"), ("data_obs", "double")]:
        doc.yields[name].storage = storage  # type: ignore[assignment]
    path = tmp_path / "doc.root"
    root.write(doc, path)
    with uproot.open(path) as file:
        assert file.keys(cycle=False) == [
            "histfmt_plot",  # several yields: one plot when read back
            "sig_nal_1",  # sanitised
            "sig_nal_1_2",  # and made unique
            "data_obs",
            "sig_nal_1__JES__up__up",
            root.NAMES_KEY,
        ]
        mapping = json.loads(str(file[root.NAMES_KEY]))
        assert len(file["data_obs"].member("fSumw2")) == 0  # 'double': ROOT's sqrt(N)
    assert mapping["sig_nal_1"] == "sig nal;1"
    assert mapping["sig_nal_1__JES__up__up"] == "sig nal;1/JES: up/up"
    back = root.read(path)
    assert to_builtins(back)["yields"] == to_builtins(doc)["yields"]
    assert list(back.yields) == list(doc.yields)
    assert back.stacks[1].content[0].yields == ["data_obs"]
    assert back.ratio[0].denominator == ["sig nal;1", "sig_nal_1"]


def test_round_trip_categories(tmp_path: Path) -> None:
    doc = histfmt.Document.new(categories=["b", "a", "c"], overflow=True, label="Channel")
    doc.add_yield("ww", [1.0, 2.0, 3.0, 4.0], stat=[1.0, 0.5, 2.0, 1.0])
    path = tmp_path / "cat.root"
    root.write(doc, path)
    with uproot.open(path) as file:
        h = file["ww"]
        assert h.axis().labels() == ["b", "a", "c"]
        np.testing.assert_array_equal(h.values(flow=True), [0.0, 1.0, 2.0, 3.0, 4.0])
        np.testing.assert_array_equal(h.variances(flow=True), [0.0, 1.0, 0.25, 4.0, 1.0])
    back = root.read(path)
    assert back.x.categories == ["b", "a", "c"]
    assert back.x.overflow
    np.testing.assert_array_equal(back.yields["ww"].values, doc.yields["ww"].values)
    np.testing.assert_array_equal(back.yields["ww"].variances, [1.0, 0.25, 4.0, 1.0])


def test_labels_in_bin_order_and_underflow(tmp_path: Path) -> None:
    from uproot.writing.identify import to_TAxis, to_TH1x, to_THashList, to_TObjString

    def labelled(data: list[float], order: list[int]) -> Any:
        labels = to_THashList([to_TObjString(["x", "y", "z"][i - 1]) for i in order])
        for label, number in zip(labels, order, strict=True):
            label._bases[0]._members["@fUniqueID"] = number  # the bin, as ROOT sets it
        axis = to_TAxis("xaxis", "", 3, 0.0, 3.0, fLabels=labels)
        return to_TH1x(
            None, "", np.array(data, dtype=np.float64), 1.0, 1.0, 1.0, 0.0, 0.0, None, axis
        )

    path = tmp_path / "labels.root"
    with uproot.recreate(path) as out:
        out["shuffled"] = labelled([0, 1, 2, 3, 0], [3, 1, 2])  # labels set out of order
        out["underflow"] = labelled([5, 1, 2, 3, 0], [1, 2, 3])
    doc = root.read(path, names=["shuffled"])
    assert doc.x.categories == ["x", "y", "z"]
    np.testing.assert_array_equal(doc.yields["shuffled"].values, [1, 2, 3, 0])
    # issue 10: content below the first label keeps a numeric axis carrying the labels
    doc = root.read(path, names=["underflow"])
    assert doc.x.labels == ["x", "y", "z"]
    np.testing.assert_array_equal(doc.x.edges, [0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(doc.yields["underflow"].values, [5, 1, 2, 3, 0])


def test_variation_keys_without_their_yield(tmp_path: Path) -> None:
    path = tmp_path / "vars.root"
    edges = np.array([0.0, 1.0, 2.0])
    with uproot.recreate(path) as out:
        out["a"] = (np.array([1.0, 2.0]), edges)
        out["a__JES__up"] = (np.array([1.5, 2.5]), edges)
        out["b__JES__up"] = (np.array([3.0, 4.0]), edges)  # no 'b': a yield of its own
    doc = root.read(path)
    assert list(doc.yields) == ["a", "b__JES__up"]
    np.testing.assert_array_equal(doc.yields["a"].variations["JES"].up, [0, 1.5, 2.5, 0])
    assert doc.stacks[0].error == "stat+env"
    doc = root.read(path, names=["a__JES__up"])  # asked for alone: a yield too
    assert list(doc.yields) == ["a__JES__up"]
    doc = root.read(path, names=["a"])  # its variations come along
    assert list(doc.yields["a"].variations) == ["JES"]


def test_write_is_atomic(
    document: histfmt.Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keep.root"
    path.write_bytes(b"old")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(uproot, "recreate", broken)
    with pytest.raises(HistfmtError, match=r"keep.root: cannot write: No space left"):
        root.write(document, path)
    assert path.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [path]
    monkeypatch.undo()
    document.yields["mc"].values[0] = np.inf
    with pytest.raises(HistfmtError, match=r"finite"):
        root.write(document, path)
    assert path.read_bytes() == b"old"
