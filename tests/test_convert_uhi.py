"""UHI files in and out, and the `histfmt convert` command's detection and dispatch."""

from __future__ import annotations

import json
from pathlib import Path

import hist
import msgspec
import numpy as np
import pytest
import uhi.io
import uhi.io.json
import uhi.schema
from click.testing import CliRunner

import histfmt
from histfmt.cli import cli
from histfmt.convert import registry, uhi_file
from histfmt.convert.uhi_file import read, read_book, write, write_book
from histfmt.shown import Shown

from .conftest import ROOT


def _write(path: Path, obj: object) -> Path:
    path.write_text(json.dumps(obj, default=uhi.io.json.default))
    return path


@pytest.fixture
def histograms() -> dict[str, hist.Hist]:
    rng = np.random.default_rng(5)
    axis = hist.axis.Variable([0, 1, 2, 5, 10], name="pt", label="$p_T$ [GeV]")
    return {
        name: hist.Hist(axis, storage=hist.storage.Weight(), name=name).fill(
            rng.exponential(3, 200), weight=rng.uniform(0.5, 1.5, 200)
        )
        for name in ("signal", "background")
    }


def test_dict_of_histograms_round_trips(histograms: dict[str, hist.Hist], tmp_path: Path) -> None:
    source = _write(tmp_path / "in.json", histograms)
    assert registry.detect(source) == "uhi"
    doc = registry.read(source)
    assert list(doc.yields) == ["signal", "background"]
    target = tmp_path / "out.json"
    uhi_file.write(doc, target)
    data = json.loads(target.read_text())
    uhi.schema.validate(data)
    for name, original in histograms.items():
        assert (
            hist.Hist(json.loads(json.dumps(data[name]), object_hook=uhi.io.json.object_hook))
            == original
        )


def test_single_histogram_file(histograms: dict[str, hist.Hist], tmp_path: Path) -> None:
    source = _write(tmp_path / "one.json", histograms["signal"])
    doc = registry.read(source)
    assert list(doc.yields) == ["histogram"]
    assert doc.to_hist() == histograms["signal"]


def test_mean_storage_with_bare_nan_is_read_and_written_as_strict_json(tmp_path: Path) -> None:
    profile = hist.Hist.new.Reg(4, 0, 1, name="x").Mean()
    profile.fill([0.1, 0.2, 0.6], sample=[1.0, 2.0, 3.0])  # one entry in bin 2: variance NaN
    source = _write(tmp_path / "profile.json", profile)
    assert "NaN" in source.read_text()
    doc = registry.read(source)
    stat = doc.yields["histogram"].stat
    assert np.isnan(stat[3])  # flow-shifted index of the single-entry bin
    np.testing.assert_allclose(doc.yields["histogram"].values[1:5], profile.values())
    saved = histfmt.dumps(doc)
    json.loads(saved, parse_constant=lambda token: pytest.fail(f"wrote {token}"))
    back = histfmt.loads(saved).to_hist()
    np.testing.assert_array_equal(back.counts(), profile.counts())
    np.testing.assert_array_equal(back.values(), profile.values())
    target = tmp_path / "back.json"
    uhi_file.write(histfmt.loads(saved), target)
    uhi.schema.validate(json.loads(target.read_text(), parse_constant=pytest.fail))


def test_missing_values_cannot_go_to_uhi(tmp_path: Path) -> None:
    doc = histfmt.Document.new([0, 1, 2]).add_yield("a", [1.0, np.nan])
    with pytest.raises(histfmt.HistfmtError, match=r"yields\.a\.values\[1\]: is missing"):
        uhi_file.write(doc, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"h": {"uhi_schema": 1, "axes": [{"type": "regular", "lower": 0, "upper": 1, '
            '"bins": 3, "underflow": true, "overflow": true, "circular": false}], '
            '"storage": {"type": "int", "index": [[1, 7]], "values": [3, 5]}}}',
            r"h\.storage\.index\[0\]\[1\]: 7 is not a bin index of axis 0 \(0 to 4\)",
        ),
        (
            '{"h": {"uhi_schema": 1, "axes": [{"type": "variable", "edges": [0, 1, 2], '
            '"underflow": false, "overflow": false, "circular": false}], '
            '"storage": {"type": "weighted", "values": [1, 2]}}}',
            r"h\.storage\.variances: storage 'weighted' needs \['values', 'variances'\]",
        ),
        (
            '{"h": {"uhi_schema": 1, "axes": [{"type": "variable", "edges": [0, 1, 2], '
            '"underflow": false, "overflow": false, "circular": false}], '
            '"storage": {"type": "double", "values": [1, 2, 3]}}}',
            r"h\.storage\.values: expected 2 values \(the bins with their flow bins\), got 3",
        ),
        ('{"a": {"uhi_schema": 1}}', "not a UHI histogram: 'a'"),
        ("{", "not valid JSON" if False else "cannot tell what this is"),
    ],
)
def test_bad_uhi_files_are_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(histfmt.HistfmtError, match=message) as caught:
        registry.read(path)
    assert str(path) in str(caught.value)


def test_detect_kinds_from_content_not_suffix(tmp_path: Path) -> None:
    example = ROOT / "examples" / "mll_data_vs_mc.json"
    disguised = tmp_path / "plot.txt"
    disguised.write_bytes(example.read_bytes())
    assert registry.detect(disguised) == "histfmt"
    gz = tmp_path / "plot.json.gz"
    histfmt.dump(histfmt.load(example), gz)
    assert registry.detect(gz) == "histfmt"
    yaml_file = tmp_path / "plot.yaml"
    histfmt.dump(histfmt.load(example), yaml_file)
    assert registry.detect(yaml_file) == "histfmt"


def test_convert_command_one_and_many(histograms: dict[str, hist.Hist], tmp_path: Path) -> None:
    source = _write(tmp_path / "h.json", histograms)
    runner = CliRunner()
    result = runner.invoke(cli, ["convert", str(source), str(tmp_path / "doc.yaml")])
    assert result.exit_code == 0, result.output
    assert histfmt.load(tmp_path / "doc.yaml").yields["signal"].storage == "weight"
    other = _write(tmp_path / "h2.json", histograms["signal"])
    result = runner.invoke(
        cli, ["convert", str(source), str(other), str(tmp_path / "out"), "--to", "uhi"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["h.json", "h2.json"]


def test_convert_command_names_unknown_inputs(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("just text")
    result = CliRunner().invoke(cli, ["convert", str(junk), str(tmp_path / "x.json")])
    assert result.exit_code == 1
    assert f"{junk}: cannot tell what this is; expected a histfmt document" in result.output
    result = CliRunner().invoke(cli, ["convert", str(junk), str(tmp_path / "x.png")])
    assert result.exit_code == 1
    assert "cannot tell the output kind from 'x.png'; use --to" in result.output


def test_a_uhepp_file_mentioning_histfmt_is_still_uhepp(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    path.write_text(
        json.dumps(
            {
                "bins": {"edges": [0, 1]},
                "metadata": {"producer": "histfmt", "tags": {"histfmt": ""}},
                "stacks": [],
                "type": "histogram",
                "variable": {"symbol": "x"},
                "version": "0.4",
                "yields": {},
            }
        )
    )
    assert registry.detect(path) == "uhepp"


@pytest.mark.parametrize(
    ("target", "to", "kind"),
    [
        ("sub.tar.gz", None, "hepdata"),
        ("submission", "hepdata", "hepdata"),
        ("yields.root", None, "root"),
        ("plot_uhepp.json", "uhepp", "uhepp"),
        ("plot_uhi.json", "uhi", "uhi"),
        ("plot.yaml", None, "histfmt"),
    ],
)
def test_convert_command_reaches_every_kind_and_back(
    tmp_path: Path, target: str, to: str | None, kind: str
) -> None:
    source = ROOT / "examples" / "from_hist.json"
    out = tmp_path / target
    result = CliRunner().invoke(
        cli, ["convert", str(source), str(out), *(["--to", to] if to else [])]
    )
    assert result.exit_code == 0, result.output
    assert registry.detect(out) == kind
    back = tmp_path / "back.json"
    result = CliRunner().invoke(cli, ["convert", str(out), str(back)])
    assert result.exit_code == 0, result.output
    original, returned = histfmt.load(source), histfmt.load(back)
    before, after = Shown(original), Shown(returned)  # the regular bins (HEPData drops flow)
    compared = [name for name in original.yields if name in returned.yields]
    assert compared
    for name in compared:
        np.testing.assert_array_equal(
            after.fold(returned.yields[name].values), before.fold(original.yields[name].values)
        )


# -- uhi's own example files: numbers checked against hist's reading of the same file


REAL = ROOT / "tests" / "resources" / "real" / "uhi"


def _hist_reading(path: Path) -> dict[str, hist.Hist]:
    """What uhi + hist make of a file: uhi's JSON hook, dense storage, then hist.Hist."""
    with path.open() as stream:
        data = json.load(stream, object_hook=uhi.io.json.object_hook)
    return {key: hist.Hist(uhi.io.from_sparse(ir)) for key, ir in data.items()}


def _defined(array: object) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        found = np.asarray(array, dtype=float)
        return np.where(np.isfinite(found) & (found >= 0), found, np.nan)


@pytest.mark.parametrize("stem", ["2d", "empty_storage", "mean", "reg", "sparse"])
def test_uhi_example_files_read_as_hist_reads_them(stem: str) -> None:
    path = REAL / f"{stem}.json"
    expected = _hist_reading(path)
    book = histfmt.loads_book(histfmt.dumps(read_book(path)))  # valid, and survives saving
    found = {name: doc for doc in book.plots.values() for name in doc.yields}
    assert sorted(found) == sorted(expected)
    for name, h in expected.items():
        doc = found[name]
        item = doc.yields[name]
        axes = [doc.x] if doc.y is msgspec.UNSET else [doc.x, doc.y]
        assert len(axes) == h.ndim
        for mine, theirs in zip(axes, h.axes, strict=True):
            if isinstance(theirs, (hist.axis.StrCategory, hist.axis.IntCategory)):
                assert mine.categories == list(theirs)
            else:
                np.testing.assert_array_equal(mine.edges, theirs.edges)
            assert (mine.underflow, mine.overflow) == (
                theirs.traits.underflow,
                theirs.traits.overflow,
            )
        np.testing.assert_array_equal(item.values, h.values(flow=True))
        if h.kind == "MEAN":
            assert item.kind == "mean"
            np.testing.assert_array_equal(item.profile.entries, h.counts(flow=True))
            np.testing.assert_array_equal(
                item.profile.variance, _defined(h.view(flow=True).variance)
            )
            with np.errstate(invalid="ignore"):
                np.testing.assert_array_equal(item.stat, np.sqrt(h.variances(flow=True)))
        else:
            variances = h.variances(flow=True)
            if item.storage == "int":  # integer counts: the variances are the counts
                np.testing.assert_array_equal(item.values, variances)
            elif variances is None:
                assert item.variances is msgspec.UNSET
            else:
                np.testing.assert_array_equal(item.variances, variances)
        back = doc.to_hist(name)
        assert back.storage_type == h.storage_type
        assert back.axes == h.axes
        np.testing.assert_array_equal(back.values(flow=True), h.values(flow=True))
        np.testing.assert_array_equal(back.counts(flow=True), h.counts(flow=True))
        np.testing.assert_array_equal(back.variances(flow=True), h.variances(flow=True))
        if h.kind != "MEAN":
            assert back == h
        extra = {k: v for k, v in h.__dict__.items() if k not in ("name", "label")}
        assert {k: v for k, v in back.__dict__.items() if k not in ("name", "label")} == extra


def test_sparse_storage_is_the_dense_histogram_it_stands_for() -> None:
    doc = read(REAL / "sparse.json")
    np.testing.assert_array_equal(doc.yields["first"].values, [0, 3, 5, 0, 0])
    assert doc.yields["first"].storage == "int"


def test_a_single_number_is_one_bin_and_written_back_as_one(tmp_path: Path) -> None:
    """A histogram of no axes (uhi's noaxes.json) is a plot of one category named after
    it, the number as hist reads it; written back, it has no axes again."""
    hist = pytest.importorskip("hist")
    path = REAL / "noaxes.json"
    original = json.loads(path.read_text())["one"]
    doc = read(path)
    assert doc.x.categories == ["one"]
    assert doc.yields["one"].values.tolist() == [hist.Hist(original).values()]
    target = tmp_path / "back.json"
    write(doc, target)
    written = json.loads(target.read_text())
    assert written["axes"] == []
    assert hist.Hist(written) == hist.Hist(original)


def test_differently_binned_histograms_are_a_book_not_one_document() -> None:
    path = REAL / "reg.json"
    with pytest.raises(histfmt.HistfmtError, match=r"holds 2 plots \('one', 'two'\), not one"):
        read(path)
    book = read_book(path)
    assert list(book.plots) == ["one", "two"]
    assert list(registry.read_book(path).plots) == ["one", "two"]


def test_a_book_with_a_single_number_holds_it_as_a_plot() -> None:
    data = json.loads((REAL / "reg.json").read_text())
    data["counter"] = json.loads((REAL / "noaxes.json").read_text())["one"]
    book = read_book(json.dumps(data).encode(), name="mixed.json")
    assert list(book.plots) == ["one", "two", "counter"]
    assert book.plots["counter"].x.categories == ["counter"]
    assert "skipped" not in book.metadata.extra


def test_the_inputs_own_uhi_writer_info_survives_beside_histfmts_corner(tmp_path: Path) -> None:
    book = read_book(REAL / "reg.json")
    target = tmp_path / "back.json"
    write_book(book, target)
    written = json.loads(target.read_text())
    original = json.loads((REAL / "reg.json").read_text())
    assert written["one/one"]["axes"][0]["writer_info"]["uhi"] == {"bool": True}
    assert written["one/one"]["axes"][0]["metadata"] == {"simple": 1}
    assert written["two/two"]["writer_info"]["uhi"] == original["two"]["writer_info"]["uhi"]
    assert written["one/one"]["metadata"] == {"name": "one", **original["one"]["metadata"]}


def test_write_book_and_read_book_give_back_the_plots(tmp_path: Path) -> None:
    one = hist.Hist.new.Reg(4, 0, 1, name="x").Weight().fill([0.1, 0.5])
    two = hist.Hist.new.Reg(3, 0, 1, name="x").StrCat(["a", "b"], name="c").Mean()
    two.fill([0.2, 0.8, 0.8], ["a", "b", "b"], sample=[1.0, 2.0, 4.0])
    mc = hist.Hist.new.Reg(4, 0, 1, name="x").Weight().fill([0.3])
    book = histfmt.Book.new(
        {
            "sr/pt": histfmt.from_hist({"data": one, "mc": mc}),
            "map": histfmt.from_hist({"response": two}),
        }
    )
    target = tmp_path / "book.json"
    write_book(book, target)
    data = json.loads(target.read_text(), parse_constant=pytest.fail)
    assert list(data) == ["sr/pt/data", "sr/pt/mc", "map/response"]
    for item in data.values():
        uhi.schema.validate_histogram(item)
    back = read_book(target)
    assert list(back.plots) == ["sr/pt", "map"]
    assert list(back.plots["sr/pt"].yields) == ["data", "mc"]
    assert back.plots["sr/pt"].to_hist("mc") == mc
    np.testing.assert_array_equal(
        back.plots["map"].to_hist().view(flow=True).value, two.view(flow=True).value
    )
    assert "histfmt" not in back.plots["sr/pt"].yields["data"].writer_info


def test_write_book_refuses_plots_uhi_cannot_hold(tmp_path: Path) -> None:
    graphs = histfmt.loads(
        '{"histfmt": "1.1", "x": {"label": "x"}, "yields": {}, "graphs": [{"x": [1], "y": [2]}]}'
    )
    book = histfmt.Book.new(
        {"a": histfmt.from_hist(hist.Hist.new.Reg(2, 0, 1).Int64()), "g": graphs}
    )
    target = tmp_path / "book.json"
    with pytest.raises(histfmt.ValidationError) as caught:
        write_book(book, target)
    assert str(caught.value) == (
        f"{target}: plots.g.yields: UHI holds histograms; this plot has no yields (only graphs)"
    )
    assert not target.exists()
    with pytest.raises(histfmt.HistfmtError, match="this plot has no yields"):
        write(graphs, target)


def test_2d_missing_values_are_refused_with_their_cell(tmp_path: Path) -> None:
    doc = histfmt.Document.new([0, 1, 2], y=histfmt.Axis.new([0, 1, 2]))
    doc.add_yield("m", [[1.0, 2.0], [np.nan, 4.0]])
    with pytest.raises(histfmt.HistfmtError, match=r"yields\.m\.values\[1\]\[0\]: is missing"):
        write(doc, tmp_path / "x.json")


@pytest.mark.parametrize("name", ["data", "Data", "data_obs"])
def test_a_histogram_named_like_data_is_drawn_as_data(name: str) -> None:
    """The same rule as the ROOT reader's: points over the stack, with a ratio."""
    hist = pytest.importorskip("hist")
    mc = hist.Hist.new.Reg(3, 0, 3, name="x").Weight().fill([0.5, 1.5, 1.5])
    observed = hist.Hist.new.Reg(3, 0, 3, name="x").Int64().fill([0.5, 1.5, 2.5])
    files = {"ttbar": mc._to_uhi_(), name: observed._to_uhi_()}
    doc = read(json.dumps(files, default=lambda a: a.tolist()).encode(), name="run.json")
    filled, points = doc.stacks
    assert [item.yields for item in filled.content] == [["ttbar"]]
    assert (points.type, points.content[0].yields) == ("points", [name])
    assert doc.ratio[0].numerator == [name]
