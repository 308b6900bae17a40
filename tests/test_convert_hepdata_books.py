"""HEPData in format 1.1: two-variable tables as 2-D documents, point-like tables as graphs,
whole submissions as books; their export accepted by hepdata-validator.

Numbers read from real submissions are checked against PyYAML's own reading of each table
file, never against histfmt's output.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pytest
import yaml

import histfmt
from histfmt.convert import hepdata
from histfmt.model import Asymmetric, Axis, Document, Graph

from .conftest import RESOURCES
from .test_convert_hepdata import _validator_messages

HEPDATA = RESOURCES / "hepdata"
REAL = RESOURCES / "real" / "hepdata"
SUBMISSIONS = sorted(REAL.glob("ins*"))


# -- what PyYAML reads ---------------------------------------------------------------------------


def _entries(folder: Path) -> list[dict[str, Any]]:
    """The table documents of a submission.yaml, in order, as PyYAML reads them."""
    docs = yaml.safe_load_all((folder / "submission.yaml").read_text(encoding="utf-8"))
    return [doc for doc in docs if isinstance(doc, dict) and "data_file" in doc]


def _number(raw: Any) -> float:
    """A dependent value as HEPData means it: a number, else missing ('-')."""
    try:
        return float(raw)
    except (TypeError, ValueError):
        return math.nan


def _size(raw: Any, value: float) -> float:
    """An error size: a number, or a percentage of |value|."""
    if isinstance(raw, str) and raw.strip().endswith("%"):
        return float(raw.strip()[:-1]) * abs(value) / 100
    return float(raw)


def _errors(point: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(label, plus, minus) of each error of a point, as written."""
    value = _number(point["value"])
    found = []
    for error in point.get("errors") or []:
        if "symerror" in error:
            size = _size(error["symerror"], value)
            found.append((error.get("label", ""), size, -size))
        else:
            pair = error["asymerror"]
            found.append(
                (error.get("label", ""), _size(pair["plus"], value), _size(pair["minus"], value))
            )
    return found


def _bin_index(axis: Axis, point: dict[str, Any]) -> int:
    """Where a table row's bin of one independent variable is in the stored arrays."""
    if isinstance(axis.categories, list):
        return axis.categories.index(point["value"])
    edges = np.asarray(axis.edges).tolist()
    low, high = float(point["low"]), float(point["high"])
    if math.isinf(high):
        return axis.n_values - 1
    return edges.index(low) + int(axis.underflow)


def _json(value: Any) -> bytes:
    """Canonical bytes of a part of a document (axes, graphs), NaN as null."""
    return msgspec.json.encode(
        value, enc_hook=lambda array: [None if math.isnan(x) else x for x in array.ravel().tolist()]
    )


def _same(a: Any, b: Any) -> bool:
    return bool(
        np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)
    )


# -- real submissions ------------------------------------------------------------------------------


def test_every_table_of_the_real_submissions_reads_in_submission_order() -> None:
    read = total = 0
    for folder in SUBMISSIONS:
        book = histfmt.validate(hepdata.read_book(folder))
        names = [entry["name"] for entry in _entries(folder)]
        assert list(book.plots) == names
        assert book.metadata.extra.get("skipped", {}) == {}
        read, total = read + len(book.plots), total + len(names)
    assert (read, total) == (23, 23)
    assert read / total == 1.0  # format 1.0 read 2 of these 23 tables


REAL_TABLES = [(folder, entry) for folder in SUBMISSIONS for entry in _entries(folder)]


@pytest.mark.parametrize(
    ("folder", "entry"), REAL_TABLES, ids=[f"{f.name}-{e['data_file']}" for f, e in REAL_TABLES]
)
def test_real_table_numbers_are_pyyamls(folder: Path, entry: dict[str, Any]) -> None:
    table = yaml.safe_load((folder / entry["data_file"]).read_text(encoding="utf-8"))
    doc = hepdata.read(folder, table=entry["name"])
    independents, dependents = table["independent_variables"], table["dependent_variables"]
    assert doc.metadata.title == entry["name"]
    assert doc.metadata.description == entry["description"].strip()
    first = independents[0]["values"]
    if all("low" not in p and isinstance(p["value"], float) for p in first):
        _check_graphs(doc, independents[0], dependents)
        return
    axes = [doc.x] if len(independents) == 1 else [doc.x, doc.y]
    assert len(doc.yields) == len(dependents)
    for (name, item), dependent in zip(doc.yields.items(), dependents, strict=True):
        assert item.label == dependent["header"]["name"]
        values = np.full(doc.shape, np.nan)
        stat, syst = np.zeros(doc.shape), np.zeros(doc.shape)
        listed = np.zeros(doc.shape, dtype=bool)
        for row, point in enumerate(dependent["values"]):
            cell = tuple(
                _bin_index(axis, variable["values"][row])  # type: ignore[arg-type]
                for axis, variable in zip(axes, independents, strict=True)
            )
            assert not listed[cell], f"{name}: row {row} is a second value for one bin"
            listed[cell] = True
            values[cell] = _number(point["value"])
            for label, plus, _ in _errors(point):
                assert label in ("stat", "sys"), label  # what these files hold
                (stat if label == "stat" else syst)[cell] += plus * plus
        assert _same(item.values, values), name
        missing = np.isnan(values)
        if stat.any():
            expected = np.where(missing, np.nan, np.sqrt(stat))
            assert _same(item.stat, expected), name
        if syst.any():
            expected = np.where(missing, np.nan, np.sqrt(syst))
            assert _same(item.syst, expected), name
    for axis, variable in zip(axes, independents, strict=True):
        points = variable["values"]
        assert (axis.label or axis.symbol) == variable["header"]["name"]  # type: ignore[union-attr]
        if "low" in points[0]:
            edges = sorted({float(p["low"]) for p in points} | {float(p["high"]) for p in points})
            assert np.asarray(axis.edges).tolist() == edges  # type: ignore[union-attr]
            assert axis.unit == variable["header"].get("units")  # type: ignore[union-attr]
        else:
            assert axis.categories == list(dict.fromkeys(p["value"] for p in points))  # type: ignore[union-attr]
    if len(independents) == 2:
        assert doc.shape == (8, 8)
        assert [s.type for s in doc.stacks] == ["map"]


def _check_graphs(doc: Document, independent: dict[str, Any], dependents: list[Any]) -> None:
    xs = [float(p["value"]) for p in independent["values"]]
    assert doc.yields == {}
    assert (doc.x.label, doc.x.unit) == (
        independent["header"]["name"],
        independent["header"]["units"],
    )
    assert len(doc.graphs) == len(dependents)
    for graph, dependent in zip(doc.graphs, dependents, strict=True):
        assert graph.label == dependent["header"]["name"]
        assert np.asarray(graph.x).tolist() == xs
        assert _same(graph.y, [_number(p["value"]) for p in dependent["values"]])
        sources: dict[str, list[float]] = {}
        for j, point in enumerate(dependent["values"]):
            for label, plus, minus in _errors(point):
                assert plus == -minus  # these files hold symmetric errors only
                sources.setdefault(label or "error", [0.0] * len(xs))[j] = plus
        assert list(graph.y_sources) == list(sources)
        for label, sizes in sources.items():
            assert _same(graph.y_sources[label], sizes), label
        total = np.sqrt(sum(np.square(sizes) for sizes in sources.values()))
        assert _same(graph.y_errors, total)


def test_real_submission_metadata_per_table_and_for_the_book() -> None:
    folder = REAL / "ins1397637"
    book = hepdata.read_book(folder)
    comment = next(yaml.safe_load_all((folder / "submission.yaml").read_text()))["comment"]
    assert book.metadata.description == comment.strip()
    for entry, doc in zip(_entries(folder), book.plots.values(), strict=True):
        meta = doc.metadata
        keywords = {k["name"]: k["values"] for k in entry["keywords"]}
        assert meta.title == entry["name"]
        assert meta.tags == keywords["phrases"]
        assert meta.sqrt_s == histfmt.model.Energy(value=8.0, unit="TeV")
        assert meta.extra["keywords"] == {
            k: v for k, v in keywords.items() if k not in ("phrases", "cmenergies")
        }
        assert meta.extra["location"] == entry["location"]


@pytest.mark.parametrize("folder", SUBMISSIONS, ids=lambda f: f.name)
def test_a_real_submission_exports_as_one_archive_the_validator_accepts(
    folder: Path, tmp_path: Path
) -> None:
    book = hepdata.read_book(folder)
    hepdata.write_book(book, tmp_path / "book.tgz")
    assert _validator_messages(archive=tmp_path / "book.tgz") == []
    back = hepdata.read_book(tmp_path / "book.tgz")
    assert list(back.plots) == list(book.plots)
    for path, doc in book.plots.items():
        again = back.plots[path]
        assert again.metadata == doc.metadata, path
        for key in ("x", "y", "yields", "stacks", "graphs", "z_axis", "y_axis"):
            assert histfmt.dumps(_only(again, key)) == histfmt.dumps(_only(doc, key)), (path, key)


def _only(doc: Document, key: str) -> Document:
    """A document holding only ``key`` of ``doc`` (to compare one part at a time)."""
    keep = Document(histfmt=doc.histfmt, x=doc.x, yields={})
    if key in ("yields", "stacks"):
        keep.y, keep.yields, keep.stacks = doc.y, doc.yields, doc.stacks
    else:
        setattr(keep, key, getattr(doc, key))
    return keep


# -- a two-variable table ------------------------------------------------------------------------


def test_a_two_variable_table_is_a_2d_document() -> None:
    path = HEPDATA / "table_2d.yaml"
    table = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc = histfmt.validate(hepdata.read(path))
    assert np.asarray(doc.x.edges).tolist() == [20.0, 30.0, 50.0, 60.0, 100.0]
    assert (doc.x.underflow, doc.x.overflow, doc.x.symbol, doc.x.unit) == (
        False, True, "$p_T$", "GeV",
    )  # fmt: skip
    assert (doc.y.categories, doc.y.label) == (["SR", "CR"], "Region")  # type: ignore[union-attr]
    assert doc.shape == (5, 2)
    x_rows = [_bin_index(doc.x, p) for p in table["independent_variables"][0]["values"]]
    y_rows = [_bin_index(doc.y, p) for p in table["independent_variables"][1]["values"]]  # type: ignore[arg-type]
    efficiency, events = doc.yields["Efficiency"], doc.yields["Events"]
    expected = np.full((5, 2), np.nan)
    for row, point in enumerate(table["dependent_variables"][1]["values"]):
        expected[x_rows[row], y_rows[row]] = point["value"]
    assert _same(events.values, expected)
    assert np.isnan(events.values[2]).all()  # the gap 50..60: a bin no row lists
    assert np.isnan(events.values[4][1])  # (overflow, CR): a cell the table leaves out
    points = table["dependent_variables"][0]["values"]
    for row, point in enumerate(points):
        cell = (x_rows[row], y_rows[row])
        value = _number(point["value"])
        assert _same(efficiency.values[cell], value)
        errors = {label: (plus, minus) for label, plus, minus in _errors(point)}
        if math.isnan(value):
            assert np.isnan(efficiency.stat[cell])  # type: ignore[index]
            continue
        assert efficiency.stat[cell] == errors.get("stat", (0.0, 0.0))[0]  # type: ignore[index]
        plus, minus = errors.get("sys", (0.0, 0.0))
        assert (efficiency.syst.up[cell], efficiency.syst.down[cell]) == (abs(plus), abs(minus))  # type: ignore[union-attr]
        plus, minus = errors.get("sys,JES", (0.0, 0.0))
        jes = efficiency.variations["sys,JES"]
        assert (jes.up[cell], jes.down[cell]) == (value + plus, value + minus)  # type: ignore[index]
    assert efficiency.stat[1][1] == 0.02 * 0.70  # type: ignore[index]  # "2%" of the value
    [stack] = doc.stacks
    assert (stack.type, stack.content[0].yields, stack.cell_text) == ("map", ["Efficiency"], True)
    assert doc.z_axis.label == "Efficiency"
    assert events.writer_info == {"hepdata": {"units": "events"}}
    assert doc.metadata.sqrt_s == histfmt.model.Energy(value=13.0, unit="TeV")


def test_a_two_variable_table_exports_and_comes_back(tmp_path: Path) -> None:
    doc = hepdata.read(HEPDATA / "table_2d.yaml")
    doc.metadata.title = "Efficiency map"
    for flow in (False, True):
        target = tmp_path / f"out{flow}"
        hepdata.write(doc, target, flow=flow)
        assert _validator_messages(target) == []
        table = yaml.safe_load((target / "Efficiency_map.yaml").read_text(encoding="utf-8"))
        x, y = table["independent_variables"]
        assert len(x["values"]) == len(y["values"]) == (10 if flow else 8)
        assert x["header"] == {"name": "$p_T$", "units": "GeV"}
        assert y["header"] == {"name": "Region"}
        assert [p["value"] for p in y["values"][:2]] == ["SR", "CR"]  # x-major: y varies fastest
        assert x["values"][:2] == [{"low": 20.0, "high": 30.0}] * 2
        assert (x["values"][-1]["high"] == math.inf) == flow
        back = hepdata.read(target)
        assert back.stacks == doc.stacks
        assert back.z_axis == doc.z_axis
        keep = slice(None) if flow else slice(0, 4)
        for name, item in doc.yields.items():
            again = back.yields[name]
            assert _same(again.values, np.asarray(item.values)[keep])
            if name == "Efficiency":
                assert _same(again.stat, np.asarray(item.stat)[keep])
                for side in ("up", "down"):
                    assert _same(
                        getattr(again.syst, side), np.asarray(getattr(item.syst, side))[keep]
                    )
                    assert _same(
                        getattr(again.variations["sys,JES"], side),
                        np.asarray(getattr(item.variations["sys,JES"], side))[keep],
                    )
        if flow:
            assert _json(back.x) == _json(doc.x)
            assert _json(back.y) == _json(doc.y)


def test_a_2d_histogram_with_flow_bins_exports(tmp_path: Path) -> None:
    doc = Document.new(
        [0.0, 1.0, 2.0], underflow=True, overflow=True, y=Axis.new(categories=[1, 2, 3]), label="a"
    )
    values = np.arange(12.0).reshape(4, 3)
    doc.add_yield("counts", values, stat=np.sqrt(values), label="Counts")
    doc.add_stack(["counts"])
    doc.stacks[0].type = "map"
    hepdata.write(doc, tmp_path / "out.tgz", flow=True)
    assert _validator_messages(archive=tmp_path / "out.tgz") == []
    back = hepdata.read(tmp_path / "out.tgz")
    assert _json(back.x) == _json(doc.x)
    assert back.y.categories == [1, 2, 3]  # type: ignore[union-attr]
    assert _same(back.yields["counts"].values, values)
    assert _same(back.yields["counts"].stat, np.sqrt(values))


# -- a table of points ---------------------------------------------------------------------------


def test_a_table_of_points_is_a_document_of_graphs() -> None:
    path = HEPDATA / "table_points.yaml"
    table = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc = histfmt.validate(hepdata.read(path))
    assert doc.yields == {}
    assert not doc.x.binned
    assert (doc.x.symbol, doc.x.unit) == ("$\\sqrt{s}$", "GeV")
    xs = [float(p["value"]) for p in table["independent_variables"][0]["values"]]
    measured, predicted = doc.graphs
    assert np.asarray(measured.x).tolist() == xs == np.asarray(predicted.x).tolist()
    assert measured.label == "$\\sigma_{\\mathrm{inel}}$"
    assert predicted.label == "Prediction"
    points = table["dependent_variables"][0]["values"]
    assert _same(measured.y, [_number(p["value"]) for p in points])
    assert list(measured.y_sources) == ["stat", "sys,lumi"]
    stat = [_errors(p)[0][1] if _errors(p) else math.nan for p in points]
    assert _same(measured.y_sources["stat"], stat)
    assert measured.y_sources["stat"][1] == 0.01 * 74.7  # "1%"
    lumi = measured.y_sources["sys,lumi"]
    assert isinstance(lumi, Asymmetric)
    # plus 0.4, minus 0.2: both shifts go up, so nothing downward
    assert _same(lumi.up, [1.1, 1.5, 0.4, math.nan])
    assert _same(lumi.down, [0.8, 1.2, 0.0, math.nan])
    assert isinstance(measured.y_errors, Asymmetric)
    stat2 = np.square(stat)
    assert _same(measured.y_errors.up, np.sqrt(stat2 + np.square(lumi.up)))
    assert _same(measured.y_errors.down, np.sqrt(stat2 + np.square(lumi.down)))
    assert list(predicted.y_sources) == ["error", "error 2"]  # unlabelled, then repeated
    assert _same(predicted.y_sources["error 2"], [0.5, 0.0, 0.0, 0.0])
    first = predicted.y_sources["error"]
    assert isinstance(first, Asymmetric)
    assert _same(first.up, [1.0, 1.0, 0.0, 2.0])
    assert _same(first.down, [1.0, 1.0, 0.0, 1.0])
    assert doc.writer_info["hepdata"]["graphs"][0] == {
        "units": "mb",
        "qualifiers": [{"name": "RE", "value": "P P --> X"}],
    }


def test_a_document_of_graphs_exports_and_comes_back(tmp_path: Path) -> None:
    doc = hepdata.read(HEPDATA / "table_points.yaml")
    hepdata.write(doc, tmp_path / "out")
    assert _validator_messages(tmp_path / "out") == []
    back = hepdata.read(tmp_path / "out")
    assert _json(back.graphs) == _json(doc.graphs)
    assert _json(back.x) == _json(doc.x)
    assert back.writer_info == doc.writer_info


def test_graphs_on_different_x_share_one_column_and_one_x_per_graph(tmp_path: Path) -> None:
    doc = Document(histfmt="1.1", x=Axis(label="x"), yields={})
    doc.graphs = [
        Graph(x=[1.0, 2.0], y=[10.0, 20.0], y_errors=[1.0, 2.0], label="a"),
        Graph(x=[2.0, 3.0, math.nan], y=[5.0, 6.0, 7.0], label="b"),
    ]
    table = hepdata.to_table(doc)
    assert table["independent_variables"][0]["values"] == [{"value": v} for v in (1.0, 2.0, 3.0)]
    a, b = table["dependent_variables"]
    assert a["values"] == [
        {"value": 10.0, "errors": [{"symerror": 1.0}]},
        {"value": 20.0, "errors": [{"symerror": 2.0}]},
        {"value": "-"},
    ]
    assert [p["value"] for p in b["values"]] == ["-", 5.0, 6.0]
    hepdata.write(doc, tmp_path / "out")
    assert _validator_messages(tmp_path / "out") == []
    doc.graphs[1] = Graph(x=[2.0, 3.0, 2.0], y=[5.0, 6.0, 7.0])
    with pytest.raises(histfmt.ValidationError) as caught:
        hepdata.write(doc, tmp_path / "bad")
    assert str(caught.value) == (
        f"{tmp_path / 'bad'}: graphs[1].x[2]: a second point at x = 2: "
        "a HEPData table has one value per x"
    )
    with pytest.raises(histfmt.ValidationError) as caught:
        hepdata.write_book(
            histfmt.Book.new({"ok": hepdata.read(HEPDATA / "table_2d.yaml"), "g": doc}),
            tmp_path / "b",
        )
    assert caught.value.as_dicts()[0]["path"] == "plots.g.graphs[1].x[2]"


# -- books ---------------------------------------------------------------------------------------


def _submission(folder: Path, tables: dict[str, Any]) -> Path:
    """A submission folder: one data file per (name -> table data)."""
    folder.mkdir()
    docs: list[dict[str, Any]] = [{"comment": "Written for a test."}]
    for k, (name, table) in enumerate(tables.items(), 1):
        docs.append({"name": name, "description": f"About {name}.", "data_file": f"t{k}.yaml"})
        if table is not None:
            (folder / f"t{k}.yaml").write_text(yaml.safe_dump(table), encoding="utf-8")
    (folder / "submission.yaml").write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    return folder


def _invalid(name: str) -> Any:
    return yaml.safe_load((HEPDATA / "invalid" / f"{name}.yaml").read_text(encoding="utf-8"))


def test_a_book_skips_tables_histfmt_cannot_hold_and_says_why(tmp_path: Path) -> None:
    folder = _submission(
        tmp_path / "sub",
        {
            "Points": yaml.safe_load((HEPDATA / "table_points.yaml").read_text()),
            "Cube": _invalid("three_independent_variables"),
            "Ragged grid": _invalid("grid_overlapping_bins"),
            "Map": yaml.safe_load((HEPDATA / "table_2d.yaml").read_text()),
        },
    )
    book = histfmt.validate(hepdata.read_book(folder))
    assert list(book.plots) == ["Points", "Map"]
    assert book.metadata.description == "Written for a test."
    assert book.metadata.extra["skipped"] == {
        "Cube": f"{folder / 't2.yaml'}: independent_variables: histfmt holds tables of one "
        "or two independent variables; this one has 3",
        "Ragged grid": f"{folder / 't3.yaml'}: independent_variables[1].values[2]: the bins do "
        "not form a grid: y bin [0, 1.5] overlaps [0, 1] (the y bins vary by row)",
    }
    assert book.plots["Map"].metadata.description == "About Map."
    with pytest.raises(histfmt.HistfmtError, match=r"holds 2 plots \('Points', 'Map'\)"):
        hepdata.read(folder)
    with pytest.raises(histfmt.ValidationError, match=r"t2\.yaml: independent_variables: "):
        hepdata.read(folder, table="Cube")
    assert hepdata.read(folder, table="Map") == book.plots["Map"]
    histfmt.dump(book, tmp_path / "book.json")  # what the converter gives, histfmt writes
    assert histfmt.load_book(tmp_path / "book.json") == book


def test_a_book_refuses_a_missing_table_file_and_a_malformed_table(tmp_path: Path) -> None:
    folder = _submission(tmp_path / "missing", {"A": _invalid("grid_repeated_cell"), "B": None})
    with pytest.raises(histfmt.HistfmtError, match="cannot read") as caught:
        hepdata.read_book(folder)
    assert caught.value.filename == str(folder / "t2.yaml")
    folder = _submission(tmp_path / "ragged", {"A": _invalid("wrong_length")})
    with pytest.raises(histfmt.ValidationError) as caught:
        hepdata.read_book(folder)
    assert str(caught.value) == (
        f"{folder / 't1.yaml'}: dependent_variables[0].values: expected 3 values "
        "(one per independent value), got 2"
    )


def test_a_book_from_an_archive_from_bytes_and_of_a_lone_table(tmp_path: Path) -> None:
    folder = REAL / "ins699647"
    archive = shutil.make_archive(str(tmp_path / "record"), "gztar", folder)
    from_path = hepdata.read_book(archive)
    assert from_path == hepdata.read_book(folder)
    assert hepdata.read_book(Path(archive).read_bytes(), name="record.tar.gz") == from_path
    lone = hepdata.read_book(HEPDATA / "table_2d.yaml")
    assert list(lone.plots) == ["table_2d"]


def test_a_book_exports_one_table_per_plot_with_unique_names(tmp_path: Path) -> None:
    doc = hepdata.read(HEPDATA / "table_points.yaml")
    long = "a" * 80
    book = histfmt.Book.new(
        {"plots/first": doc, long: hepdata.read(HEPDATA / "table_2d.yaml"), long + "b": doc}
    )
    hepdata.write_book(book, tmp_path / "out")
    assert _validator_messages(tmp_path / "out") == []
    entries = _entries(tmp_path / "out")
    names = [entry["name"] for entry in entries]
    assert names == ["plots/first", "a" * 63 + "…", "a" * 60 + " (2)"]
    assert len({entry["data_file"] for entry in entries}) == 3
    back = hepdata.read_book(tmp_path / "out")
    assert list(back.plots) == names
    assert _json(back.plots["plots/first"].graphs) == _json(doc.graphs)
    with pytest.raises(histfmt.HistfmtError, match="the book has no plots"):
        hepdata.write_book(histfmt.Book.new({}), tmp_path / "empty")
    with pytest.raises(histfmt.HistfmtError, match=re.escape("folder or a .tar.gz/.tgz")):
        hepdata.write_book(book, tmp_path / "out.zip")


@pytest.mark.parametrize("target", ["../outside.yaml", "/dev/zero"])
def test_a_folder_submission_reads_only_its_own_files(tmp_path: Path, target: str) -> None:
    """A data file that leads out of the folder (a symbolic link to a file beside it, or
    to /dev/zero) is refused, never read (nor read for ever); a name with ``..`` is
    refused when the submission is read."""
    table = yaml.safe_load((HEPDATA / "table_points.yaml").read_text())
    (tmp_path / "outside.yaml").write_text(yaml.safe_dump(table), encoding="utf-8")
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "t.yaml").symlink_to(target)
    docs = [{"comment": "c"}, {"name": "T", "description": "d", "data_file": "t.yaml"}]
    (folder / "submission.yaml").write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    with pytest.raises(histfmt.HistfmtError, match=r"names a file outside its folder: 't\.yaml'"):
        hepdata.read_book(folder)
    docs[1]["data_file"] = "../outside.yaml"
    (folder / "submission.yaml").write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    with pytest.raises(histfmt.HistfmtError, match="expected a file name"):
        hepdata.read_book(folder)
