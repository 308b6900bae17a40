"""uhepp 0.4 <-> histfmt, against files written and read by the real uhepp 0.5.2."""

from __future__ import annotations

import gzip
import json
import math
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib import MatplotlibDeprecationWarning
from msgspec import UNSET

import histfmt
from histfmt.convert import uhepp as conv
from histfmt.model import Energy, Luminosity, Style

JES_UP = [1.1, 11.0, 21.0, 16.0, 5.5, 0.6]
JES_DOWN = [0.9, 10.0, 19.5, 14.0, 4.5, 0.4]
PDF_DOWN = [1.0, 10.0, 20.0, 14.5, 4.9, 0.5]
TTBAR = [1.0, 10.5, 20.25, 15.0, 5.0, 0.5]
DATA = [3.0, 42.0, 44.0, 27.0, 8.0, 2.0]


@pytest.fixture(autouse=True)
def uhepp() -> Iterator[Any]:
    """uhepp, imported where its global matplotlib settings are undone after each test."""
    with matplotlib.rc_context():
        import uhepp as module

        yield module
        plt.close("all")


def _plot(uhepp: Any) -> Any:
    """A plot that uses every uhepp key."""
    h = uhepp.UHeppHist(r"$m_{\ell\ell}$", [0.0, 10.0, 20.0, 30.0, 40.0])
    h.variable, h.unit, h.unit_in_brackets, h.x_log = "Dilepton mass", "GeV", True, True
    h.filename, h.date, h.author = "mll", "2025-01-31T14:05:00+01:00", "A. Physicist"
    h.producer, h.code_revision, h.event_selection = "uhepp 0.5.2", "abc123", "n_lep == 2"
    h.tags = {"region": "SR", "blinded": ""}
    h.lumi, h.energy = 139.0, 13.0
    h.brand, h.brand_label, h.subtext = "ATLAS", "Internal", "line 1\nline 2"
    h.rebin_edges, h.include_underflow, h.include_overflow = [0.0, 20.0, 40.0], True, True
    h.density_width = 10.0
    h.yields["ttbar"] = uhepp.Yield(
        TTBAR,
        [0.1, 1.0, 1.5, 1.2, 0.7, 0.1],
        [0.2, 2.0, 3.0, 2.0, 1.0, 0.1],
        var_up={"JES": JES_UP},
        var_down={"JES": JES_DOWN, "PDF": PDF_DOWN},
    )
    h.yields["zjets"] = uhepp.Yield([2.0, 30.0, 25.0, 10.0, 3.0, 1.0], [0.3, 2, 2, 1, 0.6, 0.2])
    h.yields["data"] = uhepp.Yield(DATA, [1.7, 6.5, 6.6, 5.2, 2.8, 1.4])
    top = uhepp.StackItem(["zjets"], "Z+jets", color="C0", edgecolor="k", linestyle="--")
    top.linewidth = 1.5
    h.stacks.append(
        uhepp.Stack([uhepp.StackItem(["ttbar"], r"$t\bar{t}$", color="red"), top], error="stat+env")
    )
    jes = uhepp.StackItem(["ttbar/JES/up"], "JES up", linestyle=":")
    h.stacks.append(uhepp.Stack([jes], bartype="step", error="no"))
    data = uhepp.StackItem(["data"], "Data", markersize=5)
    h.stacks.append(uhepp.Stack([data], bartype="points", x_errorbar=False, keep_zero=True))
    h.ratio.append(
        uhepp.RatioItem(["data"], ["ttbar", "zjets"], "points", "stat", "stat+syst", color="k")
    )
    h.ratio.append(uhepp.RatioItem(["ttbar/JES/down"], ["ttbar"], bartype="step", error="no"))
    h.y_label, h.y_append_unit, h.y_min, h.y_max, h.y_log = "Events", True, 0.5, 100.0, True
    h.ratio_label, h.ratio_min, h.ratio_max, h.ratio_log = "Data / MC", 0.5, 1.5, True
    h.figure_size, h.ratio_fraction = [6.0, 6.0], 0.3
    h.v_lines.append(uhepp.VLine(20.0, [0.0, 50.0], color="blue", linestyle="--"))
    h.h_lines.append(uhepp.HLine(10.0, [5.0, 35.0], linewidth=2.0))
    h.graphs.append(uhepp.Graph([5.0, 15.0], [10.0, 20.0], "line", "theory", color="green"))
    points = uhepp.Graph([5.0, 15.0], [12.0, 22.0], label="points", marker="s")
    points.x_errors, points.y_errors = [0.5, 0.5], [1.0, 2.0]
    h.graphs.append(points)
    return h


def _save(hist: Any, path: Path) -> Path:
    hist.to_yaml(path) if path.suffix == ".yaml" else hist.to_json(path)
    return path


def _load_and_render(uhepp: Any, path: Path) -> Any:
    """What uhepp 0.5.2 itself makes of a file: it loads and renders it."""
    hist = uhepp.from_file(str(path))
    with warnings.catch_warnings():
        # uhepp's axis formatter uses an API matplotlib deprecates, and it draws graph
        # points with fmt="o" even when the style names a marker (the marker wins)
        warnings.simplefilter("ignore", MatplotlibDeprecationWarning)
        warnings.filterwarnings("ignore", "marker is redundantly defined", UserWarning)
        figure, _ = hist.render()
        figure.canvas.draw()  # what savefig does, at screen resolution
    plt.close("all")
    return hist


def _normal(value: Any) -> Any:
    """Plain data with ints as floats and NaN comparable, for comparing ``to_data()``."""
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normal(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "NaN" if math.isnan(value) else float(value)
    return value


def _minimal(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": "0.4",
        "type": "histogram",
        "metadata": {"filename": "f", "date": "2025-01-31"},
        "variable": {"symbol": "m"},
        "bins": {"edges": [0, 1, 2]},
        "yields": {"a": {"base": [0, 1, 2, 0]}},
        "stacks": [{"type": "stepfilled", "content": [{"yield": ["a"], "label": "A"}]}],
    }
    data.update(changes)
    return data


# -- sniffing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_sniff_recognises_uhepp_files(uhepp: Any, tmp_path: Path, suffix: str) -> None:
    path = _save(_plot(uhepp), tmp_path / f"plot{suffix}")
    assert conv.sniff(path.read_bytes()[:65536], path)


def test_gzip_is_read(uhepp: Any, tmp_path: Path) -> None:
    path = _save(_plot(uhepp), tmp_path / "plot.json")
    packed = tmp_path / "plot.json.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert conv.read(packed) == conv.read(path)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_sniff_recognises_large_files_from_their_first_64_kb(
    uhepp: Any, tmp_path: Path, suffix: str
) -> None:
    # uhepp sorts keys: 'type' and 'version' come after the long 'bins.edges'
    hist = uhepp.UHeppHist("x", np.linspace(0, 1, 20001))
    hist.yields["a"] = uhepp.Yield(np.ones(20002))
    path = _save(hist, tmp_path / f"large{suffix}")
    head = path.read_bytes()[:65536]
    assert b"version" not in head
    assert conv.sniff(head, path)


@pytest.mark.parametrize(
    "text",
    [
        '{"histfmt": "1.0", "x": {"edges": [0, 1]}, "yields": {}}',
        "histfmt: '1.0'\nx: {edges: [0, 1]}\nyields: {}\n",
        '{"uhi_schema": 1, "axes": [], "storage": {"type": "int", "values": [1]}}',
        '{"version": "1.0", "type": "histogram"}',
        '{"version": "0.4", "type": "histogram2d"}',
        '{"version": "0.4"}',
        "type: histogram\nversion: '2'\n",
        '{"bins": {"edges": [0, 1]}}',
        "",
        "just text",
        "\x1f\x8b\x08\x00",
    ],
)
def test_sniff_refuses_other_content(text: str) -> None:
    assert not conv.sniff(text.encode(), Path("plot.json"))


def test_sniff_reads_yaml_written_by_hand() -> None:
    assert conv.sniff(b"# a plot\n---\ntype: histogram\nversion: 0.3\n", Path("p.txt"))


# -- import -------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_import_takes_every_binning_and_yield_key(uhepp: Any, tmp_path: Path, suffix: str) -> None:
    doc = conv.read(_save(_plot(uhepp), tmp_path / f"plot{suffix}"))

    assert doc.x.edges.tolist() == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert (doc.x.kind, doc.x.underflow, doc.x.overflow) == ("regular", True, True)
    assert (doc.x.symbol, doc.x.label, doc.x.unit) == (r"$m_{\ell\ell}$", "Dilepton mass", "GeV")
    assert doc.x.unit_in_brackets
    assert doc.x.log
    assert doc.view.rebin.tolist() == [0.0, 20.0, 40.0]
    assert (doc.view.include_underflow, doc.view.include_overflow) == (True, True)
    assert doc.view.density_width == 10.0

    ttbar = doc.yields["ttbar"]
    assert ttbar.values.tolist() == TTBAR
    assert ttbar.stat.tolist() == [0.1, 1.0, 1.5, 1.2, 0.7, 0.1]
    assert ttbar.syst.tolist() == [0.2, 2.0, 3.0, 2.0, 1.0, 0.1]
    assert ttbar.variations["JES"].up.tolist() == JES_UP
    assert ttbar.variations["JES"].down.tolist() == JES_DOWN
    assert ttbar.variations["PDF"].down.tolist() == PDF_DOWN
    assert ttbar.variations["PDF"].up is UNSET  # mirrored by histfmt, as by uhepp
    assert doc.yields["data"].values.tolist() == DATA


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_import_takes_every_drawing_key(uhepp: Any, tmp_path: Path, suffix: str) -> None:
    doc = conv.read(_save(_plot(uhepp), tmp_path / f"plot{suffix}"))
    filled, jes, points = doc.stacks
    assert (filled.type, filled.error) == ("filled", "stat+env")
    assert [(layer.yields, layer.label) for layer in filled.content] == [
        (["ttbar"], r"$t\bar{t}$"),
        (["zjets"], "Z+jets"),
    ]
    assert filled.content[0].style == Style(color="#ff0000")
    assert filled.content[1].style == Style(
        color="#1f77b4", edgecolor="#000000", linestyle="--", linewidth=1.5
    )
    assert (jes.type, jes.error, jes.content[0].yields) == ("step", "none", ["ttbar/JES/up"])
    assert (points.type, points.x_errorbar, points.keep_zero) == ("points", False, True)
    assert points.content[0].style == Style(markersize=5)

    first, second = doc.ratio
    assert (first.numerator, first.denominator, first.type) == (
        ["data"],
        ["ttbar", "zjets"],
        "points",
    )
    assert (first.error, first.den_error, first.style) == (
        "stat",
        "stat+syst",
        Style(color="#000000"),
    )
    assert (second.numerator, second.type, second.error) == (["ttbar/JES/down"], "step", "none")

    y, r = doc.y_axis, doc.ratio_axis
    assert (y.label, y.append_unit, y.min, y.max, y.log) == ("Events", True, 0.5, 100.0, True)
    assert (r.kind, r.label, r.min, r.max, r.log) == ("ratio", "Data / MC", 0.5, 1.5, True)
    assert (doc.layout.size, doc.layout.ratio_fraction) == ((6.0, 6.0), 0.3)
    assert (doc.v_lines[0].x, doc.v_lines[0].range) == (20.0, (0.0, 50.0))
    assert doc.v_lines[0].style == Style(color="#0000ff", linestyle="--")
    assert (doc.h_lines[0].y, doc.h_lines[0].range) == (10.0, (5.0, 35.0))
    assert doc.h_lines[0].style == Style(linewidth=2.0)
    line, marked = doc.graphs
    assert (line.type, line.label, line.x.tolist(), line.y.tolist()) == (
        "line",
        "theory",
        [5.0, 15.0],
        [10.0, 20.0],
    )
    assert (marked.type, marked.style.marker) == ("points", "s")
    assert (marked.x_errors.tolist(), marked.y_errors.tolist()) == ([0.5, 0.5], [1.0, 2.0])
    assert histfmt.validate(doc) is doc


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_import_takes_every_metadata_key(uhepp: Any, tmp_path: Path, suffix: str) -> None:
    doc = conv.read(_save(_plot(uhepp), tmp_path / f"plot{suffix}"))
    assert doc.badge.brand == "ATLAS"
    assert (doc.badge.label, doc.badge.subtext) == ("Internal", "line 1\nline 2")
    meta = doc.metadata
    assert (meta.filename, meta.date, meta.author) == (
        "mll",
        "2025-01-31T14:05:00+01:00",
        "A. Physicist",
    )
    assert (meta.producer, meta.code_revision, meta.event_selection) == (
        "uhepp 0.5.2",
        "abc123",
        "n_lep == 2",
    )
    assert sorted(meta.tags) == ["blinded", "region=SR"]
    assert meta.extra == {"uhepp_tags": {"region": "SR", "blinded": ""}}
    assert meta.luminosity == Luminosity(value=139.0, unit="fb-1")
    assert meta.sqrt_s == Energy(value=13.0, unit="TeV")
    assert histfmt.validate(doc) is doc


def test_imported_document_is_drawn_by_histfmt(uhepp: Any, tmp_path: Path) -> None:
    from histfmt.render.mpl import render

    doc = conv.read(_save(_plot(uhepp), tmp_path / "plot.json"))
    doc.x.log = False  # uhepp never draws variable.log; histfmt warns about the edge at 0
    assert render(doc, format="png").startswith(b"\x89PNG")


# -- export and round trips -------------------------------------------------------------------


@pytest.mark.parametrize("source", [".json", ".yaml"])
@pytest.mark.parametrize("target", [".json", ".yaml", ".yml"])
def test_round_trip_keeps_every_uhepp_key(
    uhepp: Any, tmp_path: Path, source: str, target: str
) -> None:
    original = _save(_plot(uhepp), tmp_path / f"original{source}")
    exported = tmp_path / f"exported{target}"
    conv.write(conv.read(original), exported)

    hist = _load_and_render(uhepp, exported)
    assert _normal(hist.to_data()) == _normal(uhepp.from_file(str(original)).to_data())


def test_round_trip_is_stable_on_the_histfmt_side(uhepp: Any, tmp_path: Path) -> None:
    doc = conv.read(_save(_plot(uhepp), tmp_path / "plot.json"))
    conv.write(doc, tmp_path / "again.json")
    assert conv.read(tmp_path / "again.json") == doc
    assert conv.from_uhepp(conv.to_uhepp(doc)) == doc


def test_export_starts_with_the_version_and_keeps_numbers_exact(uhepp: Any, tmp_path: Path) -> None:
    values = [0.1 + 0.2, 1 / 3, 1e-300, 123456789.123456789, 2.0**60]
    hist = uhepp.UHeppHist("x", [0.0, 1.0, 2.0, 3.0])
    hist.yields["a"] = uhepp.Yield(values[:5])
    path = tmp_path / "exact.json"
    conv.write(conv.read(_save(hist, tmp_path / "in.json")), path)
    assert list(json.loads(path.read_text()))[:2] == ["version", "type"]  # for sniffers
    assert conv.sniff(path.read_bytes(), path)
    assert uhepp.from_json(str(path)).yields["a"].base == values


def test_write_leaves_the_old_file_when_the_export_fails(tmp_path: Path) -> None:
    path = tmp_path / "plot.json"
    path.write_text("old")
    doc = histfmt.Document.new(categories=["ee", "mumu"]).add_yield("a", [1.0, 2.0])
    with pytest.raises(histfmt.HistfmtError, match=r"plot\.json: x: uhepp has numeric bin edges"):
        conv.write(doc, path)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["plot.json"]


# -- the inputs uhepp gets wrong ----------------------------------------------------------------


@pytest.mark.parametrize("diff", [False, True])
def test_ratio_without_denominator_compares_with_unity(
    uhepp: Any, tmp_path: Path, diff: bool
) -> None:
    hist = _plot(uhepp)
    hist.ratio = [uhepp.RatioItem(["data"], bartype="points")]
    hist.ratio_diff = diff
    original = _save(hist, tmp_path / "plot.json")
    assert "denominator" not in json.loads(original.read_text())["ratio"][0]
    with pytest.raises(TypeError):  # uhepp's own bug
        _load_and_render(uhepp, original)

    doc = conv.read(original)
    assert doc.ratio[0].denominator == []
    conv.write(doc, tmp_path / "out.json")
    exported = _load_and_render(uhepp, tmp_path / "out.json")
    assert exported.ratio[0].denominator == ["unity"]
    # drawn bins (rebinned to 2, flow bins folded in) divide by 1, or subtract 0
    assert exported.get_base("unity").tolist() == ([0.0, 0.0, 0.0, 0.0] if diff else [0, 1, 1, 0])


def test_marker_style_is_read_and_not_written(uhepp: Any, tmp_path: Path) -> None:
    hist = _plot(uhepp)
    hist.stacks[2].content[0].marker = "s"
    original = _save(hist, tmp_path / "plot.json")
    with pytest.raises(ValueError, match="Illegal style"):  # uhepp writes what it cannot read
        uhepp.from_json(str(original))

    doc = conv.read(original)
    assert doc.stacks[2].content[0].style == Style(marker="s", markersize=5)
    conv.write(doc, tmp_path / "out.json")
    exported = _load_and_render(uhepp, tmp_path / "out.json")
    assert exported.stacks[2].content[0].style == {"markersize": 5}
    assert exported.graphs[1].style == {"marker": "s"}  # graphs do accept a marker


def test_style_typos_mean_what_they_say(tmp_path: Path) -> None:
    data = _minimal()
    data["stacks"][0]["content"][0]["style"] = {"maker": "o", "markersize": "3"}
    data["graphs"] = [{"x": [0.5], "y": [1], "type": "points", "style": {"makersize": 4}}]
    doc = conv.from_uhepp(data)
    assert doc.stacks[0].content[0].style == Style(marker="o", markersize=3.0)
    assert doc.graphs[0].style == Style(markersize=4)


def test_bare_nan_is_a_missing_value(uhepp: Any, tmp_path: Path) -> None:
    hist = _plot(uhepp)
    base = list(DATA)
    base[2] = math.nan
    hist.yields["data"] = uhepp.Yield(base, [1.7, 6.5, math.nan, 5.2, 2.8, 1.4])
    original = _save(hist, tmp_path / "plot.json")
    assert b"NaN" in original.read_bytes()

    doc = conv.read(original)
    assert np.isnan(doc.yields["data"].values[2])
    assert json.loads(histfmt.dumps(doc))["yields"]["data"]["values"][2] is None
    conv.write(doc, tmp_path / "out.json")
    exported = _load_and_render(uhepp, tmp_path / "out.json")
    assert _normal(exported.yields["data"].base) == _normal(base)


def test_yaml_numbers_that_yaml_reads_as_strings(uhepp: Any, tmp_path: Path) -> None:
    path = tmp_path / "plot.yaml"
    path.write_text(
        "version: '0.4'\ntype: histogram\n"
        "metadata: {filename: f, date: 2025-01-31}\n"
        "variable: {symbol: m}\n"
        "bins: {edges: [0, 1e1, 2.5e1]}\n"
        "yields: {a: {base: [0, 1e3, 1.5e3, 0], stat: ['1', 2, 3, 4]}}\n"
        "stacks: [{type: step, content: [{yield: a, label: A}]}]\n"
    )
    assert uhepp.from_yaml(str(path)).bin_edges == [0, "1e1", "2.5e1"]  # uhepp keeps strings

    doc = conv.read(path)
    assert doc.x.edges.tolist() == [0.0, 10.0, 25.0]
    assert doc.yields["a"].values.tolist() == [0.0, 1000.0, 1500.0, 0.0]
    assert doc.yields["a"].stat.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert doc.metadata.date == "2025-01-31"  # a string, not a date
    assert doc.stacks[0].content[0].yields == ["a"]
    conv.write(doc, tmp_path / "out.yaml")
    assert _load_and_render(uhepp, tmp_path / "out.yaml").bin_edges == [0.0, 10.0, 25.0]


def test_yield_names_with_a_slash_are_refused(uhepp: Any, tmp_path: Path) -> None:
    hist = _plot(uhepp)
    hist.yields["ttbar/2l"] = hist.yields.pop("ttbar")
    path = _save(hist, tmp_path / "plot.json")
    with pytest.raises(histfmt.HistfmtError) as caught:
        conv.read(path)
    assert str(caught.value).startswith(f'{path}: yields["ttbar/2l"]: a yield name cannot')


def test_a_bare_string_is_one_yield_name() -> None:
    data = _minimal(yields={"d_x": {"base": [0, 1, 2, 0]}})
    data["stacks"][0]["content"][0]["yield"] = "d_x"
    data["ratio"] = [{"type": "points", "numerator": "d_x", "denominator": "d_x"}]
    doc = conv.from_uhepp(data)
    assert doc.stacks[0].content[0].yields == ["d_x"]
    assert (doc.ratio[0].numerator, doc.ratio[0].denominator) == (["d_x"], ["d_x"])


@pytest.mark.parametrize(
    ("given", "drawn"), [("points", "points"), ("bogus", "line"), (None, "line")]
)
def test_graph_types_are_drawn_as_uhepp_draws_them(given: str | None, drawn: str) -> None:
    graph: dict[str, Any] = {"x": [0.5], "y": [1]}
    if given:
        graph["type"] = given
    assert conv.from_uhepp(_minimal(graphs=[graph])).graphs[0].type == drawn


def test_uhepp_conventions_for_empty_values() -> None:
    data = _minimal(
        badge={"brand": None},
        bins={"edges": [0, 1, 2], "density_width": 0, "rebin": []},
        metadata={"filename": "f", "date": "last week", "tags": "sr"},
        ratio_axis={"diff": True, "log": False},
        y_axis={},
        ratio=[{"type": "step", "numerator": ["a"], "denominator": []}],
    )
    doc = conv.from_uhepp(data)
    assert doc.badge is UNSET
    assert doc.view == histfmt.model.View()
    assert doc.ratio_axis.kind == "difference"
    assert doc.ratio[0].denominator == []
    assert doc.metadata.tags == ["sr"]
    assert doc.metadata.extra == {"uhepp_date": "last week", "uhepp_tags": "sr"}
    exported = conv.to_uhepp(doc)
    assert exported["metadata"]["date"] == "last week"
    assert exported["metadata"]["tags"] == "sr"
    assert exported["badge"] == {"brand": None}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bins": {}}, "bins.edges: required key missing"),
        ({"bins": {"edges": [0, "one", 2]}}, "bins.edges[1]: expected a finite number, got 'one'"),
        ({"bins": {"edges": [0, 2, 1]}}, "bins.edges"),
        ({"yields": {"a": {"base": [1, 2]}}}, "yields.a.base: expected 4 values"),
        ({"yields": {"a": {"base": [1, 2, math.inf, 0]}}}, "yields.a.base[2]: infinite"),
        ({"yields": {"a": {"base": [0, 1, 2, 0], "stat": [0, -1, 0, 0]}}}, "yields.a.stat[1]"),
        ({"yields": {"a": {"base": [0, 1, 2, 0], "var_up": {"J": [1]}}}}, "yields.a.var_up.J"),
        ({"yields": {"a": {"stat": [1]}}}, "yields.a.base: required key missing"),
        ({"yields": []}, "yields: expected an object, got list"),
        ({"stacks": [{"type": "bar", "content": []}]}, "stacks[0].type: 'bar' is not a uhepp"),
        ({"stacks": [{"content": [{"yield": ["b"]}]}]}, "stacks[0].content[0].yield[0]: unknown"),
        (
            {"stacks": [{"content": [{"yield": ["a"], "style": {"alpha": 2}}]}]},
            "stacks[0].content[0].style.alpha",
        ),
        ({"ratio": [{"type": "step"}]}, "ratio[0].numerator: required key missing"),
        ({"ratio": [{"numerator": ["a"], "error": "foo"}]}, "ratio[0].error: 'foo' is not"),
        ({"variable": {"symbol": 5}}, "variable.symbol"),
        ({"metadata": {"lumi_ifb": "lots"}}, "metadata.lumi_ifb: expected a finite number"),
        ({"metadata": {"Ecm_TeV": -13}}, "metadata.Ecm_TeV"),
        ({"metadata": {"tags": ["sr"]}}, "metadata.tags: expected an object"),
        ({"bins": {"edges": [0, 1, 2], "rebin": [0, 1.5]}}, "bins.rebin[1]"),
        ({"ratio_axis": {"diff": "yes"}}, "ratio_axis.diff: expected a boolean"),
        ({"v_lines": [{"range": [0, 1]}]}, "v_lines[0].x: required key missing"),
        ({"graphs": [{"x": [1, 2], "y": [1]}]}, "graphs[0]"),
        ({"version": "1.0"}, "version: expected a uhepp version below 1, got '1.0'"),
        ({"type": "histogram2d"}, "type: expected 'histogram'"),
    ],
)
def test_errors_name_the_file_and_the_uhepp_key(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_minimal(**change)))
    with pytest.raises(histfmt.HistfmtError) as caught:
        conv.read(path)
    assert f"{path}: {message}" in str(caught.value)


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["", "1e3", "a/b", "no", "points", "stepfilled"])
)
# two levels of lists and objects (st.recursive's check of its extend function warns,
# and warnings are errors here, when an example never recurses)
JSON_VALUES = (
    JSON_SCALARS
    | st.lists(JSON_SCALARS | st.lists(JSON_SCALARS, max_size=3), max_size=3)
    | st.dictionaries(st.text(max_size=3), JSON_SCALARS | st.lists(JSON_SCALARS, max_size=3))
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if not isinstance(value, (dict, list)):
        return []
    children = value.items() if isinstance(value, dict) else enumerate(value)
    return [p for key, child in children for p in [(*path, key), *_paths(child, (*path, key))]]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_corrupted_uhepp_data_raises_only_histfmt_errors(uhepp: Any, data: Any) -> None:
    plain = json.loads(json.dumps(_plot(uhepp).to_data()))
    path = data.draw(st.sampled_from(_paths(plain)))
    parent = plain
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()):
        parent[path[-1]] = data.draw(JSON_VALUES)
    else:
        del parent[path[-1]]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            conv.to_uhepp(conv.from_uhepp(plain))
    except histfmt.HistfmtError:
        pass


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("broken.json", '{"version": "0.4",', "not valid JSON at line 1, column 19"),
        ("broken.yaml", "version: [0.4\n", "not valid YAML at line 2"),
        ("list.json", "[1, 2]", "\\$: expected a uhepp object at the top level, got list"),
        ("missing.json", None, "cannot read file: No such file"),
        ("broken.json.gz", "\x1f\x8bxx", "cannot read file"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, text: str | None, message: str) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_bytes(text.encode("latin-1"))
    with pytest.raises(histfmt.HistfmtError, match=f"^{path}: {message}"):
        conv.read(path)


# -- what histfmt says that uhepp cannot --------------------------------------------------------


def _doc() -> histfmt.Document:
    """A histfmt document without flow bins, using keys uhepp lacks."""
    doc = histfmt.Document.new(np.linspace(0, 1, 11), symbol="x", name="x_var")
    values = np.arange(1.0, 11.0)
    doc.add_yield("mc", values, stat=(values * 0.1, values * 0.2), syst=values * 0.05)
    doc.add_yield(
        "other", values, variances=(2 * values) ** 2, variations={"JES": (values + 1, None)}
    )
    doc.add_yield("data", np.round(values * 1.1))
    doc.add_stack(["mc", ("other/JES/up", "JES up")], type="band", error="stat+env")
    doc.add_stack([("data", "Data")], type="points", error="poisson")
    doc.add_ratio("data", ["mc", "other"], error="poisson", den_error="stat")
    doc.stacks[0].content[0].style = Style(color="C1", hatch="//", alpha=0.5, marker="o")
    doc.view.rebin = np.array([0.0, 0.3, 1.0])
    doc.view.density = True
    doc.metadata.luminosity = Luminosity(value=140000.0, unit="pb-1")
    doc.metadata.sqrt_s = Energy(value=13600.0, unit="GeV")
    doc.metadata.tags = ["SR", "channel=ee"]
    doc.metadata.title = "dropped"
    doc.graphs.append(histfmt.model.Graph(x=[0.5], y=[2.0], style=Style(marker="s", markersize=3)))
    return histfmt.validate(doc)


def test_export_of_what_uhepp_cannot_say(uhepp: Any, tmp_path: Path) -> None:
    path = tmp_path / "plot.json"
    conv.write(_doc(), path)
    hist = _load_and_render(uhepp, path)
    data = json.loads(path.read_text())
    values = np.arange(1.0, 11.0)

    assert data["yields"]["mc"]["base"] == [0.0, *values, 0.0]  # zero flow bins
    assert data["yields"]["mc"]["stat"] == [0.0, *(values * 0.2), 0.0]  # the larger side
    assert data["yields"]["other"]["stat"] == [0.0, *(values * 2), 0.0]  # sqrt(variances)
    assert data["yields"]["other"]["var_up"] == {"JES": [0.0, *(values + 1), 0.0]}
    assert "var_down" not in data["yields"]["other"]
    assert data["yields"]["data"]["stat"] == [0.0, *np.sqrt(np.round(values * 1.1)), 0.0]
    # a variation reference under 'env' (a uhepp crash) becomes a copy of the variation
    assert data["stacks"][0]["content"][1]["yield"] == ["other_JES_up"]
    assert data["yields"]["other_JES_up"] == {"base": [0.0, *(values + 1), 0.0]}
    assert [s["type"] for s in data["stacks"]] == ["step", "points"]
    assert [s["error"] for s in data["stacks"]] == ["stat+env", "stat"]
    assert (data["ratio"][0]["error"], data["ratio"][0].get("den_error")) == ("stat", None)
    assert data["stacks"][0]["content"][0]["style"] == {"color": "C1"}
    assert data["graphs"][0]["style"] == {"marker": "s"}
    assert data["bins"]["rebin"] == [0.0, np.linspace(0, 1, 11)[3], 1.0]  # exact edges
    assert data["variable"] == {"symbol": "x"}
    assert data["metadata"]["lumi_ifb"] == 140.0
    assert data["metadata"]["Ecm_TeV"] == 13.6
    assert data["metadata"]["tags"] == {"SR": "", "channel": "ee"}
    assert data["metadata"]["filename"] == "unnamed"
    assert "title" not in data["metadata"]
    assert hist.rebin_edges == data["bins"]["rebin"]


def test_edited_tags_win_over_the_kept_uhepp_tags(uhepp: Any, tmp_path: Path) -> None:
    doc = conv.read(_save(_plot(uhepp), tmp_path / "plot.json"))
    doc.metadata.tags.append("new")
    assert conv.to_uhepp(doc)["metadata"]["tags"] == {"blinded": "", "region": "SR", "new": ""}


def test_a_document_without_names_gets_uhepp_defaults(uhepp: Any, tmp_path: Path) -> None:
    doc = histfmt.Document.new([0.0, 1.0, 2.0], underflow=True, overflow=True, label="mass")
    doc.add_yield("a", [0.0, 1.0, 2.0, 0.0]).add_stack(["a"]).add_ratio("a")
    path = tmp_path / "plot.yaml"
    conv.write(doc, path)
    hist = _load_and_render(uhepp, path)
    assert (hist.symbol, hist.variable, hist.filename) == ("", "mass", "unnamed")
    assert hist.date[:4].isdigit()
    assert conv.read(path).x.label == "mass"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: setattr(d.ratio_axis, "kind", "pull"), "not pulls"),
        (lambda d: setattr(d.stacks[0].content[0], "style", Style(color="nope")), "colour 'nope'"),
    ],
)
def test_export_refuses_what_would_mislead(tmp_path: Path, change: Any, message: str) -> None:
    doc = _doc()
    change(doc)
    with pytest.raises(histfmt.HistfmtError, match=message):
        conv.write(doc, tmp_path / "plot.json")
    assert not (tmp_path / "plot.json").exists()


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("two_d_map.json", "y: uhepp holds 1-D histograms only, not 2-D maps"),
        ("graphs_only.json", "x: uhepp needs bins; a plot of graphs alone has none"),
    ],
)
def test_what_uhepp_cannot_hold_is_refused(fixture: str, message: str, tmp_path: Path) -> None:
    doc = histfmt.load(Path(__file__).parent / "resources" / "valid" / fixture)
    with pytest.raises(histfmt.HistfmtError, match=re.escape(f"out.json: {message}")):
        conv.write(doc, tmp_path / "out.json")
    assert list(tmp_path.iterdir()) == []
