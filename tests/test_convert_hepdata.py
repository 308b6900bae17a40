"""HEPData export and import: validator-accepted submissions, exact numbers, clear errors."""

from __future__ import annotations

import io
import math
import tarfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pytest
import yaml

import histfmt
from histfmt.convert import hepdata
from histfmt.model import Axis, View
from histfmt.shown import Components, Shown

from .conftest import RESOURCES, ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
HEPDATA = RESOURCES / "hepdata"
INVALID = sorted((HEPDATA / "invalid").glob("*.yaml"))
SCHEMAS = ["1.1.0", "1.1.1"]


# -- helpers ------------------------------------------------------------------------------


def _validator_messages(
    submission: Path | None = None, archive: Path | None = None, schema: str = "1.1.1"
) -> list[str]:
    """Problems hepdata-validator finds; [] when it accepts the submission.

    A folder goes through SubmissionFileValidator and DataFileValidator (each table),
    then, like an archive, through FullSubmissionValidator (unreferenced files, sizes).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # jsonschema's RefResolver
        warnings.simplefilter("ignore", ResourceWarning)  # it leaves data files open
        from hepdata_validator.data_file_validator import DataFileValidator
        from hepdata_validator.full_submission_validator import FullSubmissionValidator
        from hepdata_validator.submission_file_validator import SubmissionFileValidator

        def collect(validator: Any) -> list[str]:
            return [
                f"{file}: {m.message}" for file, ms in validator.get_messages().items() for m in ms
            ]

        problems: list[str] = []
        full = FullSubmissionValidator(schema_version=schema, autoload_remote_schemas=False)
        if archive is not None:
            return [] if full.validate(archive=str(archive)) else collect(full)
        assert submission is not None
        file = submission / "submission.yaml"
        checker = SubmissionFileValidator(schema_version=schema)
        if not checker.validate(file_path=str(file)):
            problems += collect(checker)
        for doc in yaml.safe_load_all(file.read_text(encoding="utf-8")):
            if isinstance(doc, dict) and "data_file" in doc:
                data = DataFileValidator(schema_version=schema)
                if not data.validate(file_path=str(submission / doc["data_file"])):
                    problems += collect(data)
        if not full.validate(directory=str(submission)):
            problems += collect(full)
        return problems


def _table(doc: histfmt.Document, **options: Any) -> dict[str, Any]:
    """The data table as a reader sees it: through the YAML text that is written."""
    files = hepdata.to_files(doc, **options)
    name = next(name for name in files if name != "submission.yaml")
    loaded: dict[str, Any] = yaml.safe_load(files[name])
    return loaded


def _stored(doc: histfmt.Document) -> Shown:
    """Every stored bin shown (flow bins as ordinary bins), as the exporter sees it."""
    flat = Axis(edges=np.arange(doc.x.n_values + 1.0))
    return Shown(msgspec.structs.replace(doc, x=flat, view=View()))


def _same(a: Any, b: Any) -> bool:
    return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))


def _assert_same_series(a: Components, b: Components) -> None:
    """Values, stat and syst (as standard deviations) and variation shifts, exactly."""
    assert _same(a.values, b.values)
    for key in ("stat_up2", "stat_down2", "syst_up2", "syst_down2"):
        assert _same(np.sqrt(getattr(a, key)), np.sqrt(getattr(b, key))), key
    assert list(a.shifts) == list(b.shifts)
    for source, (up, down) in a.shifts.items():
        assert _same(a.values + up, b.values + b.shifts[source][0]), source
        assert _same(a.values + down, b.values + b.shifts[source][1]), source


def _small(**metadata: Any) -> histfmt.Document:
    doc = histfmt.Document.new([0.0, 1.0, 2.0, 3.0], symbol="$x$", unit="GeV")
    doc.metadata = msgspec.convert(metadata, histfmt.model.Metadata)
    return doc


# -- export: the validator accepts it -------------------------------------------------------


@pytest.mark.parametrize("schema", SCHEMAS)
@pytest.mark.parametrize("flow", [False, True], ids=["no_flow", "flow"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_export_to_submissions_the_validator_accepts(
    example: Path, flow: bool, schema: str, tmp_path: Path
) -> None:
    doc = histfmt.load(example)
    folder = tmp_path / "submission"
    hepdata.write(doc, folder, flow=flow)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["submission.yaml", f"{example.stem}.yaml"]
    )
    assert _validator_messages(folder, schema=schema) == []
    for name in ("submission.tar.gz", "submission.tgz"):
        hepdata.write(doc, tmp_path / name, flow=flow)
        assert _validator_messages(archive=tmp_path / name, schema=schema) == []


def test_archive_holds_the_files_at_its_top_level(tmp_path: Path) -> None:
    doc = histfmt.load(ROOT / "examples" / "pt_logy.json")
    hepdata.write(doc, tmp_path / "out.tar.gz")
    with tarfile.open(tmp_path / "out.tar.gz") as archive:
        assert archive.getnames() == ["submission.yaml", "pt_logy.yaml"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.tar.gz"]  # no temporary files left


def test_submission_yaml_carries_title_description_and_keywords(tmp_path: Path) -> None:
    doc = histfmt.load(ROOT / "examples" / "met_systematics.json")
    hepdata.write(doc, tmp_path / "out")
    record, table = yaml.safe_load_all((tmp_path / "out" / "submission.yaml").read_text())
    assert record == {"comment": doc.metadata.description}
    assert table["name"] == doc.metadata.title
    assert table["description"] == (
        f"{doc.metadata.description} Numbers as stored, bin by bin (the figure draws them "
        f"per {doc.view.density_width:g} {doc.x.unit})."
    )
    assert table["data_file"] == "met_systematics.yaml"
    keywords = {k["name"]: k["values"] for k in table["keywords"]}
    assert keywords == {
        "observables": ["met", "Missing transverse momentum"],
        "cmenergies": [13000.0],
        "phrases": list(doc.metadata.tags),
    }


def test_long_titles_and_missing_metadata_give_valid_names(tmp_path: Path) -> None:
    doc = _small(title="A" * 100).add_yield("a", [1.0, 2.0, 3.0]).add_stack(["a"])
    hepdata.write(doc, tmp_path / "long")
    table = list(yaml.safe_load_all((tmp_path / "long" / "submission.yaml").read_text()))[1]
    assert len(table["name"]) == 64
    assert table["name"].startswith("AAA")
    assert _validator_messages(tmp_path / "long") == []
    bare = _small().add_yield("a", [1.0, 2.0, 3.0])
    hepdata.write(bare, tmp_path / "bare")
    table = list(yaml.safe_load_all((tmp_path / "bare" / "submission.yaml").read_text()))[1]
    assert table["name"] == "Table 1"
    assert table["description"] == "Yields in bins of $x$."
    assert _validator_messages(tmp_path / "bare") == []


# -- export: the table ----------------------------------------------------------------------


def test_one_dependent_variable_per_layer_in_stack_order_with_qualifiers() -> None:
    doc = histfmt.load(ROOT / "examples" / "pt_logy.json")
    table = _table(doc)
    layers = [(i, s, item) for i, s in enumerate(doc.stacks, 1) for item in s.content]
    assert [d["header"]["name"] for d in table["dependent_variables"]] == [
        item.label for _, _, item in layers
    ]
    for dependent, (number, stack, item) in zip(table["dependent_variables"], layers, strict=True):
        assert dependent["qualifiers"] == [
            {"name": "SQRT(S)", "value": 13000.0, "units": "GeV"},
            {"name": "LUMINOSITY", "value": 140.0, "units": "fb$^{-1}$"},
            {"name": "YIELDS", "value": item.yields[0]},
            {"name": "STACK", "value": f"{number} ({stack.type}, error {stack.error})"},
        ]
    (independent,) = table["independent_variables"]
    assert independent["header"] == {"name": "$p_{T}^{j_1}$", "units": "GeV"}
    assert independent["values"][0] == {"low": 150.0, "high": 175.0}
    assert len(independent["values"]) == doc.x.n_bins


def test_flow_bins_are_infinite_edges_only_when_asked() -> None:
    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    edges = doc.x.edges
    plain = _table(doc)["independent_variables"][0]["values"]
    assert plain[0] == {"low": edges[0], "high": edges[1]}
    assert plain[-1] == {"low": edges[-2], "high": edges[-1]}
    table = _table(doc, flow=True)
    values = table["independent_variables"][0]["values"]
    assert values[0] == {"low": -math.inf, "high": edges[0]}
    assert values[-1] == {"low": edges[-1], "high": math.inf}
    assert len(values) == doc.x.n_values == len(plain) + 2
    data = next(d for d in table["dependent_variables"] if d["header"]["name"] == "Data")
    assert [p["value"] for p in data["values"]] == doc.yields["data"].values.tolist()
    text = hepdata.to_files(doc, flow=True)["mll_data_vs_mc.yaml"].decode()
    assert "{low: -.inf, high: 50.0}" in text
    assert "{low: 250.0, high: .inf}" in text


def test_categorical_axis_exports_values_and_the_overflow_marker(tmp_path: Path) -> None:
    doc = histfmt.Document.new(categories=["ee", "0-1", "mumu"], overflow=True, label="Channel")
    doc.add_yield("a", [1.0, 2.0, 3.0, 4.0], stat=[1.0, 1.0, 1.0, 2.0])
    table = _table(doc, flow=True)
    values = table["independent_variables"][0]["values"]
    assert values == [
        {"value": "ee"},
        {"value": "0–1"},  # noqa: RUF001 (a numeric range is refused by HEPData)
        {"value": "mumu"},
        {"value": hepdata.OVERFLOW_CATEGORY},
    ]
    assert table["independent_variables"][0]["header"] == {"name": "Channel"}
    hepdata.write(doc, tmp_path / "out", flow=True)
    assert _validator_messages(tmp_path / "out") == []
    back = hepdata.read(tmp_path / "out")
    assert back.x.categories == ["ee", "0–1", "mumu"]  # noqa: RUF001
    assert back.x.overflow
    assert _same(back.yields["a"].values, doc.yields["a"].values)


def test_numbers_are_written_at_full_precision() -> None:
    awkward = [0.1 + 0.2, 1 / 3, 1e-300, 5e-324, 1.7976931348623157e308]
    doc = histfmt.Document.new(np.arange(6.0))
    doc.add_yield("y", awkward, stat=[math.pi, 1e-10, 2.0**-30, 0.0, 1e150], label="Y")
    doc.add_yield("e", [2.0**0.5, 1e17, 123456789.123456789, -0.1, 7.0])
    text = hepdata.to_files(doc)["Table_1.yaml"].decode()
    assert "0.30000000000000004" in text
    assert "3.141592653589793" in text
    assert "1.0e+17" in text
    table = yaml.safe_load(text)
    y, e = table["dependent_variables"]
    assert [p["value"] for p in y["values"]] == awkward
    assert y["values"][0]["errors"] == [{"symerror": math.pi, "label": "stat"}]
    assert [p["value"] for p in e["values"]] == doc.yields["e"].values.tolist()
    back = hepdata.from_table(table)
    assert back.yields["y"].values.tolist() == awkward
    assert back.yields["y"].stat.tolist() == [math.pi, 1e-10, 2.0**-30, 0.0, 1e150]  # type: ignore[union-attr]


def test_missing_values_are_dashes_and_all_zero_errors_are_left_out(tmp_path: Path) -> None:
    doc = _small()
    doc.add_yield("a", [1.0, math.nan, 0.0], stat=[0.5, math.nan, 0.0], label="A")
    doc.add_stack(["a"])
    (dependent,) = _table(doc)["dependent_variables"]
    assert dependent["values"] == [
        {"value": 1.0, "errors": [{"symerror": 0.5, "label": "stat"}]},
        {"value": "-"},
        {"value": 0.0},
    ]
    hepdata.write(doc, tmp_path / "out")
    assert _validator_messages(tmp_path / "out") == []
    back = hepdata.read(tmp_path / "out")
    assert _same(back.yields["a"].values, [1.0, math.nan, 0.0])
    assert _same(back.yields["a"].stat, [0.5, math.nan, 0.0])


def test_stat_and_syst_are_symmetric_or_asymmetric_per_point() -> None:
    doc = _small()
    doc.add_yield("a", [5.0, 6.0, 7.0], stat=([1.0, 2.0, 3.0], [1.0, 1.5, 3.0]))
    doc.add_yield("b", [5.0, 6.0, 7.0], syst=([0.5, 0.5, 0.5], [0.25, 0.5, 0.5]))
    a, b = _table(doc)["dependent_variables"]
    assert [p["errors"] for p in a["values"]] == [
        [{"symerror": 1.0, "label": "stat"}],
        [{"asymerror": {"plus": 2.0, "minus": -1.5}, "label": "stat"}],
        [{"symerror": 3.0, "label": "stat"}],
    ]
    assert b["values"][0]["errors"] == [
        {"asymerror": {"plus": 0.5, "minus": -0.25}, "label": "syst"}
    ]


def test_variations_are_labelled_asymmetric_errors_with_their_signs() -> None:
    doc = histfmt.load(ROOT / "examples" / "met_systematics.json")
    table = _table(doc)
    for dependent in table["dependent_variables"]:
        (name,) = [q["value"] for q in dependent["qualifiers"] if q["name"] == "YIELDS"]
        item = doc.yields[name]
        labels = ["stat", *(["syst"] if item.syst is not msgspec.UNSET else []), *item.variations]
        for j, point in enumerate(dependent["values"]):
            assert [e["label"] for e in point["errors"]] == labels
            nominal = item.values[j]
            for error in point["errors"][len(labels) - len(item.variations) :]:
                up = Shown(doc)._resolve(f"{name}/{error['label']}/up")[0]
                down = Shown(doc)._resolve(f"{name}/{error['label']}/down")[0]
                assert nominal + error["asymerror"]["plus"] == up[j]
                assert nominal + error["asymerror"]["minus"] == down[j]
    # the shortest decimals that rebuild the varied yields exactly, not up - nominal's digits
    ttv = table["dependent_variables"][0]["values"][1]["errors"]
    assert {"asymerror": {"plus": -5.66, "minus": 4.07000000000002}, "label": "JES"} in ttv
    up = doc.yields["ttv"].variations["JES"].up[1]  # type: ignore[index]
    assert (up, repr(float(up) - 145.67)) == (140.01, "-5.659999999999997")  # the float difference
    assert up == 145.67 + -5.66


def test_variations_named_like_stat_or_syst_keep_their_own_label() -> None:
    doc = _small()
    doc.add_yield(
        "a", [5.0, 6.0, 7.0], stat=[1.0, 1.0, 1.0], variations={"syst": ([6, 7, 8], None)}
    )
    (dependent,) = _table(doc)["dependent_variables"]
    assert [e["label"] for e in dependent["values"][0]["errors"]] == ["stat", "sys,syst"]
    back = hepdata.from_table(_table(doc))
    assert list(back.yields["a"].variations) == ["sys,syst"]
    assert back.yields["a"].syst is msgspec.UNSET


def test_a_layer_sums_its_yields_as_histfmt_does() -> None:
    doc = _small()
    doc.add_yield(
        "a", [1.0, 2.0, 3.0], stat=[0.3, 0.4, 0.5], variations={"JES": ([1.5, 2, 3], None)}
    )
    doc.add_yield(
        "b", [0.1, 0.2, 0.3], stat=[0.4, 0.3, 0.0], variations={"JES": ([0.2, 0.2, 0.4], None)}
    )
    doc.add_stack([(["a", "b"], "a+b")])
    (dependent,) = _table(doc)["dependent_variables"]
    parts = _stored(doc).components(["a", "b"])
    assert dependent["header"] == {"name": "a+b"}
    assert [p["value"] for p in dependent["values"]] == (parts.values).tolist()
    assert dependent["values"][0]["errors"] == [
        {"symerror": math.sqrt(0.3**2 + 0.4**2), "label": "stat"},
        {"asymerror": {"plus": 0.6, "minus": -0.6}, "label": "JES"},
    ]
    assert {"name": "YIELDS", "value": "a + b"} in dependent["qualifiers"]


def test_undrawn_yields_follow_and_raw_adds_the_rest() -> None:
    doc = _small()
    for name in ("a", "b", "c", "d"):
        doc.add_yield(name, [1.0, 2.0, 3.0], label=name.upper())
    doc.add_stack([(["a", "b"], "A+B"), "c"])

    def headers(**options: Any) -> list[str]:
        return [d["header"]["name"] for d in _table(doc, **options)["dependent_variables"]]

    assert headers() == ["A+B", "C", "D"]
    assert headers(raw=True) == ["A+B", "C", "A", "B", "D"]
    bare = _small().add_yield("a", [1.0, 2.0, 3.0]).add_yield("b", [3.0, 2.0, 1.0])
    back = hepdata.from_table(_table(bare))
    assert list(back.yields) == ["a", "b"]
    assert back.stacks == []  # nothing was drawn, nothing is drawn


def test_a_document_without_yields_or_too_large_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(histfmt.HistfmtError, match="no yields"):
        hepdata.write(_small(), tmp_path / "out")
    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    monkeypatch.setattr(hepdata, "MAX_DATA_FILE", 1000)
    with pytest.raises(histfmt.HistfmtError, match="at most 1000 bytes") as caught:
        hepdata.write(doc, tmp_path / "out.tar.gz")
    assert caught.value.filename == str(tmp_path / "out.tar.gz")
    assert not (tmp_path / "out.tar.gz").exists()


def test_an_invalid_document_is_not_exported(tmp_path: Path) -> None:
    doc = _small().add_yield("a", [1.0, 2.0])
    with pytest.raises(histfmt.ValidationError, match=r"yields\.a\.values: expected 3 values"):
        hepdata.write(doc, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_rewriting_a_submission_folder_replaces_it(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    hepdata.write(histfmt.load(ROOT / "examples" / "pt_logy.json"), folder)
    hepdata.write(histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json"), folder)
    assert sorted(p.name for p in folder.iterdir()) == ["mll_data_vs_mc.yaml", "submission.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert _validator_messages(folder) == []


def test_a_folder_with_other_files_is_not_touched(tmp_path: Path) -> None:
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter1.tex").write_text("precious")
    with pytest.raises(histfmt.HistfmtError, match="refusing to overwrite"):
        hepdata.write(histfmt.load(ROOT / "examples" / "pt_logy.json"), folder)
    assert [p.name for p in folder.iterdir()] == ["chapter1.tex"]
    with pytest.raises(histfmt.HistfmtError, match=r"folder or a \.tar\.gz/\.tgz archive"):
        hepdata.write(histfmt.load(ROOT / "examples" / "pt_logy.json"), tmp_path / "out.zip")
    (tmp_path / "file").write_text("x")
    with pytest.raises(histfmt.HistfmtError, match="not a folder"):
        hepdata.write(histfmt.load(ROOT / "examples" / "pt_logy.json"), tmp_path / "file")


# -- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("flow", [False, True], ids=["no_flow", "flow"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_import_of_an_export_gives_back_every_series(
    example: Path, flow: bool, tmp_path: Path
) -> None:
    doc = histfmt.load(example)
    hepdata.write(doc, tmp_path / "out.tar.gz", flow=flow)
    back = histfmt.validate(hepdata.read(tmp_path / "out.tar.gz"))
    assert back.x.underflow == (flow and doc.x.underflow)
    assert back.x.overflow == (flow and doc.x.overflow)
    if isinstance(doc.x.categories, list):
        assert back.x.categories == doc.x.categories
    else:
        assert back.x.edges.tolist() == doc.x.edges.tolist()  # type: ignore[union-attr]
        assert back.x.unit == doc.x.unit
    keep = slice(None) if flow else slice(int(doc.x.underflow), doc.x.n_values - doc.x.overflow)
    original, imported = _stored(doc), _stored(back)
    layers = [item for stack in doc.stacks for item in stack.content]
    assert [item.label for stack in back.stacks for item in stack.content] == [
        item.label for item in layers
    ]
    assert [(s.type, s.error) for s in back.stacks] == [(s.type, s.error) for s in doc.stacks]
    for item, name in zip(layers, back.yields, strict=True):
        assert name == item.yields[0]
        a, b = original.components(item.yields), imported.components([name])
        a.values, a.stat_up2, a.stat_down2 = a.values[keep], a.stat_up2[keep], a.stat_down2[keep]
        a.syst_up2, a.syst_down2 = a.syst_up2[keep], a.syst_down2[keep]
        a.shifts = {k: (up[keep], down[keep]) for k, (up, down) in a.shifts.items()}
        _assert_same_series(a, b)
    assert back.metadata.title == doc.metadata.title
    assert back.metadata.description == doc.metadata.description
    assert back.metadata.tags == doc.metadata.tags
    assert back.metadata.sqrt_s == doc.metadata.sqrt_s
    assert back.metadata.luminosity == doc.metadata.luminosity


def test_variations_come_back_as_the_stored_absolute_yields(tmp_path: Path) -> None:
    doc = histfmt.load(ROOT / "examples" / "met_systematics.json")
    hepdata.write(doc, tmp_path / "out")
    back = hepdata.read(tmp_path / "out" / "submission.yaml")
    for name, item in doc.yields.items():
        assert list(back.yields[name].variations) == list(item.variations)
        for source, variation in item.variations.items():
            up, down = (
                Shown(doc)._resolve(f"{name}/{source}/{side}")[0] for side in ("up", "down")
            )
            assert back.yields[name].variations[source].up.tolist() == up.tolist()  # type: ignore[union-attr]
            assert back.yields[name].variations[source].down.tolist() == down.tolist()  # type: ignore[union-attr]
            assert variation.up is not msgspec.UNSET


def test_a_foreign_table_survives_import_and_export(tmp_path: Path) -> None:
    doc = hepdata.read(HEPDATA / "table_asymmetric.yaml")
    dependent = _table(doc, flow=True)["dependent_variables"][1]
    assert dependent["header"] == {"name": "Data", "units": "events"}
    assert {"name": "RE", "value": "P P --> JET X"} in dependent["qualifiers"]
    hepdata.write(doc, tmp_path / "again", flow=True)
    assert _validator_messages(tmp_path / "again") == []
    again = hepdata.read(tmp_path / "again")

    def encoded(item: Any) -> bytes:
        return msgspec.json.encode(item, enc_hook=lambda array: array.tolist())

    assert encoded(again.yields["Data"]) == encoded(doc.yields["Data"])


# -- import of hand-written tables ---------------------------------------------------------------


def test_import_of_a_table_with_asymmetric_and_percentage_errors_and_flow_bins() -> None:
    doc = histfmt.validate(hepdata.read(HEPDATA / "table_asymmetric.yaml"))
    assert doc.x.edges.tolist() == [0.0, 10.0, 20.0, 30.0, 40.0]  # type: ignore[union-attr]
    assert (doc.x.underflow, doc.x.overflow, doc.x.kind) == (True, True, "regular")
    assert (doc.x.symbol, doc.x.unit) == ("$p_{T}$", "GeV")
    data = doc.yields["Data"]
    nan = math.nan
    # the gap [20, 30] is a bin of missing values; '-' is missing too
    assert _same(data.values, [3.0, 120.0, 80.5, nan, nan, 7.0])
    assert isinstance(data.stat, histfmt.model.Asymmetric)
    assert _same(data.stat.up, [2.3, 11.0, 9.5, nan, nan, 2.6])
    assert _same(data.stat.down, [1.6, 11.0, 8.5, nan, nan, 2.6])
    assert _same(data.syst, [0.15, 12.0, 0.0, nan, nan, 0.0])  # 5 % of 3, 10 % of 120
    jes = data.variations["sys,JES"]
    assert _same(jes.up, [3.0, 120.0, 80.5 + 0.025 * 80.5, nan, nan, 7.0])
    assert _same(jes.down, [3.0, 120.0, 80.5 - 0.01 * 80.5, nan, nan, 7.0])
    assert _same(data.variations["uncertainty"].up, [3.0, 120.0, 80.5, nan, nan, 7.5])
    assert data.writer_info == {
        "hepdata": {"units": "events", "qualifiers": [{"name": "RE", "value": "P P --> JET X"}]}
    }
    prediction = doc.yields["Prediction"]
    assert _same(prediction.variations["sys,JES"].up, [3.0, 118.25, 77.5, nan, 50.0, 8.0])
    assert _same(prediction.variations["sys,JES"].down, [2.25, 118.25, 81.0, nan, 50.0, 8.0])
    assert _same(prediction.stat, [0.0, 0.0, 0.1, nan, 0.0, 0.0])
    assert doc.metadata.sqrt_s == histfmt.model.Energy(value=13.0, unit="TeV")
    assert doc.metadata.luminosity == histfmt.model.Luminosity(value=139.0, unit="fb-1")
    assert [(s.type, [i.yields for i in s.content]) for s in doc.stacks] == [
        ("step", [["Prediction"]]),
        ("points", [["Data"]]),
    ]
    assert all(s.error == "stat+syst+env" for s in doc.stacks)


def test_import_of_string_categories_with_an_overflow_marker() -> None:
    doc = histfmt.validate(hepdata.read(HEPDATA / "table_categories.yaml"))
    assert doc.x.categories == ["SR-low", "SR-high", "CR"]
    assert (doc.x.kind, doc.x.overflow, doc.x.label) == ("category", True, "Signal region")
    assert list(doc.yields) == ["Background", "Observed data"]
    assert doc.yields["Observed data"].values.tolist() == [12.0, 19.0, 4.0, 1.0]
    assert doc.yields["Observed data"].stat is msgspec.UNSET
    assert doc.stacks[-1].type == "points"


def test_import_of_a_submission_folder_reads_the_named_table_and_refuses_many() -> None:
    folder = HEPDATA / "submission"
    with pytest.raises(histfmt.HistfmtError, match=r"holds 2 plots \('Table 1', 'Table 2'\)"):
        hepdata.read(folder)
    first = hepdata.read(folder, table="Table 1")
    assert hepdata.read(folder / "submission.yaml", table="Table 1") == first
    assert first.x.categories == [2, 3, 4]
    assert (first.metadata.title, first.metadata.description) == ("Table 1", "Jet multiplicity.")
    assert first.metadata.tags == ["Jets", "Multiplicity"]
    assert first.metadata.sqrt_s == histfmt.model.Energy(value=13.6, unit="TeV")
    second = hepdata.read(folder, table="Table 2")
    assert second.x.edges.tolist() == [30.0, 50.0, 100.0]  # type: ignore[union-attr]
    assert (second.x.label, second.x.unit) == ("Leading-jet pT", "GeV")
    item = second.yields["Cross section"]
    assert item.syst.up.tolist() == [0.2, 0.02]  # type: ignore[union-attr]
    assert item.syst.down.tolist() == [0.1, 0.03]  # type: ignore[union-attr]
    assert item.writer_info == {"hepdata": {"units": "pb"}}
    with pytest.raises(histfmt.HistfmtError, match="no table named 'Table 3'") as caught:
        hepdata.read(folder, table="Table 3")
    assert caught.value.filename == str(folder / "submission.yaml")


@pytest.mark.parametrize("kind", ["tar.gz", "zip", "nested.tar.gz"])
def test_import_of_a_submission_archive(kind: str, tmp_path: Path) -> None:
    folder = HEPDATA / "submission"
    prefix = "record/" if kind.startswith("nested") else ""
    target = tmp_path / f"submission.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(target, "w") as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, prefix + path.name)
    else:
        with tarfile.open(target, "w:gz") as archive:
            for path in sorted(folder.iterdir()):
                archive.add(path, prefix + path.name)
    assert hepdata.read(target, table="Table 2") == hepdata.read(folder, table="Table 2")


def test_a_single_file_submission_with_inline_tables() -> None:
    text = (HEPDATA / "submission" / "submission.yaml").read_text()
    docs = list(yaml.safe_load_all(text))
    docs[1].pop("data_file")
    docs[1].update(yaml.safe_load((HEPDATA / "submission" / "table1.yaml").read_text()))
    doc = hepdata._from_submission(hepdata._Folder(HEPDATA), "inline.yaml", "Table 1", docs)
    assert doc == hepdata.read(HEPDATA / "submission", table="Table 1")


def test_json_tables_are_read_too(tmp_path: Path) -> None:
    import json

    table = yaml.safe_load((HEPDATA / "table_categories.yaml").read_text())
    (tmp_path / "table.json").write_text(json.dumps(table))
    assert hepdata.read(tmp_path / "table.json") == hepdata.read(HEPDATA / "table_categories.yaml")


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_malformed_tables_give_the_file_and_yaml_path(path: Path) -> None:
    expected = path.with_suffix(".error.txt").read_text(encoding="utf-8").rstrip("\n")
    with pytest.raises(histfmt.HistfmtError) as caught:
        hepdata.read(path)
    assert caught.value.filename == str(path)
    caught.value.filename = path.name
    assert str(caught.value) == expected


def test_broken_submissions_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "submission.yaml").write_text("comment: nothing here\n")
    with pytest.raises(histfmt.HistfmtError, match="no HEPData table here"):
        hepdata.read(tmp_path)
    (tmp_path / "submission.yaml").write_text("---\nname: T\ndata_file: missing.yaml\n")
    with pytest.raises(histfmt.HistfmtError, match="cannot read") as caught:
        hepdata.read(tmp_path)
    assert caught.value.filename == str(tmp_path / "missing.yaml")
    (tmp_path / "submission.yaml").write_text("---\nname: T\ndata_file: ../etc/passwd\n")
    with pytest.raises(histfmt.HistfmtError, match=r"\[0\]\.data_file: expected a file name"):
        hepdata.read(tmp_path)
    (tmp_path / "bad.tar.gz").write_bytes(b"\x1f\x8b not really")
    with pytest.raises(histfmt.HistfmtError, match="not a readable archive"):
        hepdata.read(tmp_path / "bad.tar.gz")
    empty = io.BytesIO()
    with tarfile.open(fileobj=empty, mode="w:gz"):
        pass
    (tmp_path / "empty.tgz").write_bytes(empty.getvalue())
    with pytest.raises(histfmt.HistfmtError, match=r"no submission\.yaml in the archive"):
        hepdata.read(tmp_path / "empty.tgz")


# -- sniffing ------------------------------------------------------------------------------------


def test_sniff_recognises_tables_submissions_folders_and_archives(tmp_path: Path) -> None:
    import gzip

    for path in [HEPDATA / "table_asymmetric.yaml", HEPDATA / "table_categories.yaml"]:
        assert hepdata.sniff(path.read_bytes(), path)
    submission = HEPDATA / "submission" / "submission.yaml"
    assert hepdata.sniff(submission.read_bytes(), submission)
    assert hepdata.sniff(b"", HEPDATA / "submission")
    assert hepdata.sniff(b'{"independent_variables": []}', tmp_path / "t.json")
    hepdata.write(histfmt.load(ROOT / "examples" / "pt_logy.json"), tmp_path / "out.tgz")
    raw = (tmp_path / "out.tgz").read_bytes()
    assert hepdata.sniff(raw, tmp_path / "out.tgz")
    assert hepdata.sniff(gzip.decompress(raw), tmp_path / "out.tgz")  # as the registry passes it
    for example in EXAMPLES:
        assert not hepdata.sniff(example.read_bytes(), example)
        yaml_text = histfmt.dumps(histfmt.load(example), format="yaml")
        assert not hepdata.sniff(yaml_text, example.with_suffix(".yaml"))
    assert not hepdata.sniff(b"", tmp_path)
    assert not hepdata.sniff(b'{"uhi_schema": 1}', tmp_path / "h.json")
    assert not hepdata.sniff(gzip.compress(b"[1, 2]"), tmp_path / "x.json.gz")


@pytest.mark.parametrize("name", ["mll_data_vs_mc", "met_systematics", "pt_logy"])
def test_export_as_drawn_matches_the_figure(name: str, tmp_path: Path) -> None:
    """Render, export with ``drawn``, compare: the data points and every filled layer of
    the figure (flow folded, per-width scaled) are the exported numbers; the default export
    keeps the stored bins and its description says how the figure differs."""
    from matplotlib.patches import StepPatch

    from histfmt.render import mpl

    doc = histfmt.load(ROOT / "examples" / f"{name}.json")
    figure = mpl.figure(doc)
    axes = figure.axes[0]
    (points,) = [line for line in axes.lines if line.get_marker() == "o"]
    layers = [
        patch.get_data()
        for patch in axes.patches
        if isinstance(patch, StepPatch) and patch.get_fill() and patch.get_label() != "None"
    ]
    table = _table(doc, drawn=True)
    columns = {
        column["header"]["name"]: [point["value"] for point in column["values"]]
        for column in table["dependent_variables"]
    }
    np.testing.assert_allclose(columns["Data"], points.get_ydata(), rtol=1e-12)
    filled = next(stack for stack in doc.stacks if stack.type == "filled")
    labels = [item.label for item in filled.content]
    assert len(layers) >= len(labels)
    for label, layer in zip(labels, layers, strict=False):
        drawn = np.asarray(layer.values) - np.asarray(layer.baseline)
        np.testing.assert_allclose(columns[label], drawn, rtol=1e-9, atol=1e-9)
    edges = np.asarray(layers[0].edges)
    bins = table["independent_variables"][0]["values"]
    np.testing.assert_allclose([b["low"] for b in bins] + [bins[-1]["high"]], edges)
    files = hepdata.to_files(doc, drawn=True)
    (entry,) = list(yaml.safe_load_all(files["submission.yaml"]))[1:]
    assert entry["description"].endswith(")."), entry["description"]
    assert "Numbers as the figure draws them (" in entry["description"]
    stored = hepdata.to_files(doc)
    (entry,) = list(yaml.safe_load_all(stored["submission.yaml"]))[1:]
    assert "Numbers as stored, bin by bin (the figure draws them " in entry["description"]
    for file_name, data in files.items():
        (tmp_path / file_name).write_bytes(data)
    assert hepdata.read(tmp_path).metadata.description == doc.metadata.description


def test_a_map_exported_as_drawn_folds_flow_and_projects() -> None:
    """A 2-D document whose view folds the x overflow: stored, 3 x 3 cells with the
    overflow its own row only with ``flow``; drawn, 2 x 3 cells, the overflow added to
    the last x bin; with a projection onto x, one variable of the column sums."""
    doc = histfmt.Document.new([0.0, 1.0, 2.0], overflow=True, y=Axis.new(categories=["a", "b"]))
    doc.add_yield("h", np.arange(6.0).reshape(3, 2))
    doc.view.include_overflow = True
    stored = _table(doc)
    assert [p["value"] for p in stored["dependent_variables"][0]["values"]] == [0, 1, 2, 3]
    drawn = _table(doc, drawn=True)
    assert [p["value"] for p in drawn["dependent_variables"][0]["values"]] == [0, 1, 6, 8]
    assert [v["high"] for v in drawn["independent_variables"][0]["values"]] == [1, 1, 2, 2]
    assert [v["value"] for v in drawn["independent_variables"][1]["values"]] == ["a", "b"] * 2
    doc.view.project = histfmt.model.Projection(onto="x")
    projected = _table(doc, drawn=True)
    assert len(projected["independent_variables"]) == 1
    assert [p["value"] for p in projected["dependent_variables"][0]["values"]] == [1, 14]


def test_cli_exports_as_drawn_on_request(tmp_path: Path) -> None:
    """`convert --as-drawn`: the last bin holds the overflow the figure folds into it."""
    from click.testing import CliRunner

    from histfmt.cli import cli

    source = ROOT / "examples" / "mll_data_vs_mc.json"
    doc = histfmt.load(source)
    drawn_last = Shown(doc).components(["data"]).values[-1]
    stored_last = doc.yields["data"].values[-2]  # the last bin, the overflow after it
    assert drawn_last > stored_last
    for flag, expected in (["--as-drawn"], drawn_last), ([], stored_last):
        out = tmp_path / f"sub{len(flag)}"
        result = CliRunner().invoke(
            cli, ["convert", str(source), str(out), "--to", "hepdata", *flag]
        )
        assert result.exit_code == 0, result.output
        data_file = next(p for p in out.iterdir() if p.name != "submission.yaml")
        table = yaml.safe_load(data_file.read_text())
        column = next(c for c in table["dependent_variables"] if c["header"]["name"] == "Data")
        assert column["values"][-1]["value"] == expected
    refused = CliRunner().invoke(
        cli, ["convert", str(source), str(tmp_path / "x.json"), "--as-drawn"]
    )
    assert refused.exit_code == 1
    assert "--as-drawn is for HEPData output" in refused.stderr
