"""Reading and writing: formats, strict JSON, atomic writes, bad input."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest

import histfmt
from histfmt import io as hio


@pytest.mark.parametrize("suffix", [".json", ".json.gz", ".yaml", ".yml"])
def test_round_trip_through_every_format(
    document: histfmt.Document, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"plot{suffix}"
    histfmt.dump(document, path)
    assert histfmt.load(path) == document


def test_gzip_is_recognised_by_content(document: histfmt.Document, tmp_path: Path) -> None:
    path = tmp_path / "plot.json"
    path.write_bytes(gzip.compress(histfmt.dumps(document)))
    assert histfmt.load(path) == document


def test_streams_are_read_and_written(document: histfmt.Document) -> None:
    buffer = io.BytesIO()
    histfmt.dump(document, buffer, indent=2)
    buffer.seek(0)
    assert histfmt.load(buffer) == document


def test_missing_values_are_written_as_null(document: histfmt.Document) -> None:
    document.yields["data"].values[1] = np.nan
    text = histfmt.dumps(document)
    parsed = json.loads(text, parse_constant=lambda token: pytest.fail(f"wrote {token}"))
    assert parsed["yields"]["data"]["values"][1] is None
    assert np.isnan(histfmt.loads(text).yields["data"].values[1])


def test_infinite_values_are_refused_on_write(document: histfmt.Document, tmp_path: Path) -> None:
    document.yields["mc"].values[2] = np.inf
    with pytest.raises(
        histfmt.ValidationError, match=r"yields\.mc\.values\[2\]: values must be finite"
    ):
        histfmt.dump(document, tmp_path / "out.json")
    assert not list(tmp_path.iterdir())


def test_invalid_document_leaves_existing_file_untouched(
    document: histfmt.Document, tmp_path: Path
) -> None:
    path = tmp_path / "plot.json"
    histfmt.dump(document, path)
    before = path.read_bytes()
    document.yields["mc"].values = np.ones(3)
    with pytest.raises(histfmt.ValidationError, match="expected 5 values, got 3"):
        histfmt.dump(document, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plot.json"]


def test_failed_write_leaves_no_half_written_file(
    document: histfmt.Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plot.json"
    histfmt.dump(document, path)
    before = path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    document.metadata.title = "changed"
    with pytest.raises(histfmt.HistfmtError, match="No space left on device"):
        histfmt.dump(document, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plot.json"]


def test_write_keeps_permissions(document: histfmt.Document, tmp_path: Path) -> None:
    path = tmp_path / "plot.json"
    path.write_text("{}")
    path.chmod(0o640)
    histfmt.dump(document, path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_unreadable_path_is_a_histfmt_error(tmp_path: Path) -> None:
    with pytest.raises(histfmt.HistfmtError, match=r"missing\.json: cannot read file"):
        histfmt.load(tmp_path / "missing.json")


def test_huge_file_is_refused_before_parsing(
    document: histfmt.Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plot.json"
    histfmt.dump(document, path)
    monkeypatch.setattr(hio, "MAX_BYTES", 100)
    with pytest.raises(histfmt.HistfmtError, match="the limit is 100"):
        histfmt.load(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("histfmt: [1.0\n", "not valid YAML at line 2"),
        (
            "histfmt: '1.0'\nx: {edges: [0, 1]}\nyields: {a: {values: [1e3]}}\n",
            "yields.a.values[0]: expected",
        ),
    ],
)
def test_yaml_errors_name_the_place(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plot.yaml"
    path.write_text(text)
    with pytest.raises(histfmt.HistfmtError) as caught:
        histfmt.load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_all_schema_errors_are_collected() -> None:
    text = json.dumps(
        {
            "histfmt": "1.0",
            "x": {"edges": [0, 1], "unit": 3},
            "yields": {"a": {"values": ["1"]}},
            "zz": 1,
        }
    )
    with pytest.raises(histfmt.ValidationError) as caught:
        histfmt.loads(text, filename="f.json")
    paths = [issue.path for issue in caught.value.issues]
    assert paths == ["$", "x.unit", "yields.a.values[0]"]


def test_long_arrays_report_a_bounded_number_of_errors() -> None:
    values = ["bad"] * 100_000
    text = json.dumps(
        {
            "histfmt": "1.0",
            "x": {"edges": list(range(100_001))},
            "yields": {"a": {"values": values}},
        }
    )
    with pytest.raises(histfmt.ValidationError) as caught:
        histfmt.loads(text)
    messages = [str(issue) for issue in caught.value.issues]
    assert len(messages) == 6
    assert messages[0] == "yields.a.values: 99995 more invalid values not shown"
    assert messages[1] == "yields.a.values[0]: expected a number or null, got a string"


def test_validate_accepts_plain_data_and_documents(document: histfmt.Document) -> None:
    plain = json.loads(histfmt.dumps(document))
    assert histfmt.validate(plain) == document
    assert histfmt.validate(document) is document
    plain["yields"]["mc"]["values"] = [1, 2]
    expected = r"yields\.mc\.values: expected 5 values, got 2"
    with pytest.raises(histfmt.ValidationError, match=expected):
        histfmt.validate(plain)


def test_builder_rejects_non_numeric_arrays() -> None:
    doc = histfmt.Document.new([0, 1, 2])
    with pytest.raises(histfmt.HistfmtError, match="expected an array of numbers"):
        doc.add_yield("a", ["x", "y"])
    with pytest.raises(histfmt.HistfmtError, match="1-D"):
        doc.add_yield("a", [[1, 2]])


def test_keys_with_dots_are_quoted_in_paths() -> None:
    text = json.dumps(
        {"histfmt": "1.0", "x": {"edges": [0, 1]}, "yields": {"t.t": {"values": [1, 2]}}}
    )
    with pytest.raises(
        histfmt.ValidationError, match=r'yields\["t\.t"\]\.values: expected 1 value, got 2'
    ):
        histfmt.loads(text)


def test_written_json_declares_the_version(document: histfmt.Document) -> None:
    assert json.loads(histfmt.dumps(document))["histfmt"] == histfmt.FORMAT_VERSION


def test_fields_assigned_after_construction_are_checked_on_write(
    document: histfmt.Document,
) -> None:
    document.yields["mc"].values = ["a", 1, 2, 3, 4]  # type: ignore[assignment]
    with pytest.raises(
        histfmt.ValidationError, match=r"yields\.mc\.values\[0\]: expected a number"
    ):
        histfmt.dumps(document)
    document.yields["mc"].values = np.ones(5)
    document.stacks = [1]  # type: ignore[list-item]
    with pytest.raises(histfmt.ValidationError, match=r"stacks\[0\]: expected an object"):
        histfmt.dumps(document)
    document.stacks = []
    document.x.min = float("inf")
    with pytest.raises(histfmt.ValidationError, match=r"x\.min: expected a finite number, got inf"):
        histfmt.dumps(document)


def test_lone_surrogates_are_refused_with_their_place() -> None:
    text = '{"histfmt": "1.1", "x": {"edges": [0, 1], "label": "a\ud800"}, "yields": {}}'
    with pytest.raises(histfmt.HistfmtError, match=r"lone surrogate \(U\+D800\) at character"):
        histfmt.loads(text, filename="f.json")
    doc = histfmt.Document.new([0.0, 1.0], label="a\udfffb")
    with pytest.raises(histfmt.ValidationError) as caught:
        histfmt.dumps(doc)
    assert [str(issue) for issue in caught.value.issues] == [
        "x.label: text holds a lone surrogate (U+DFFF), which UTF-8 cannot hold"
    ]
    yaml_text = 'histfmt: "1.1"\nx: {edges: [0, 1]}\nyields: {"a\\ud800": {values: [1]}}\n'
    with pytest.raises(histfmt.HistfmtError, match="not valid YAML at line 3"):
        histfmt.loads(yaml_text, format="yaml")
