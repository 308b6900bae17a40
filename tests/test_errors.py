"""The error model: every failure is a HistfmtError, and a problem's JSON path is its path."""

from __future__ import annotations

from pathlib import Path

import pytest

import histfmt
from histfmt import remote
from histfmt.convert import hepdata, uhepp
from histfmt.errors import HistfmtError, Issue, ValidationError, kind_of

from .conftest import RESOURCES


def test_validation_error_at_formats_the_path() -> None:
    error = ValidationError.at(("yields", "a.b", "stat", 3), "too short", filename="f.json")
    assert error.issues == [Issue('yields["a.b"].stat[3]', "too short")]
    assert str(error) == 'f.json: yields["a.b"].stat[3]: too short'
    assert ValidationError.at((), "empty").as_dicts() == [{"path": "$", "message": "empty"}]


def test_remote_errors_are_histfmt_errors() -> None:
    with pytest.raises(HistfmtError) as caught:
        remote.normalize_server("ftp://example.org")
    assert isinstance(caught.value, remote.RemoteError)
    assert caught.value.as_dicts()[0]["path"] == "$"
    refused = remote.RemoteError(
        "invalid document", status=400, errors=[{"path": "x.edges", "message": "too short"}]
    )
    assert str(refused) == "invalid document"
    assert refused.as_dicts() == [{"path": "x.edges", "message": "too short"}]


HEPDATA_INVALID = [
    path
    for path in sorted((RESOURCES / "hepdata" / "invalid").glob("*.yaml"))
    if path.stem != "not_yaml"  # a YAML syntax error has no JSON path
]


@pytest.mark.parametrize("path", HEPDATA_INVALID, ids=lambda p: p.stem)
def test_hepdata_problems_carry_their_json_path(path: Path) -> None:
    expected = (path.with_suffix(".error.txt")).read_text(encoding="utf-8").strip()
    with pytest.raises(ValidationError) as caught:
        hepdata.read(path)
    [issue] = caught.value.as_dicts()
    # the same text as before, but the path is a path, not a part of the message
    assert expected.endswith(f"{issue['path']}: {issue['message']}")
    assert issue["path"] != "$"
    assert not issue["message"].startswith(issue["path"])


def test_export_refusals_carry_their_json_path(tmp_path: Path) -> None:
    doc = histfmt.Document.new(categories=["a", "b"]).add_yield("s", [1.0, 2.0])
    with pytest.raises(ValidationError) as caught:
        uhepp.write(doc, tmp_path / "out.json")
    assert caught.value.as_dicts()[0]["path"] == "x"
    assert caught.value.filename == str(tmp_path / "out.json")


@pytest.mark.parametrize(
    ("value", "json", "yaml", "python"),
    [
        (None, "null", "null", "null"),
        (True, "a boolean", "a boolean", "bool"),
        (3, "a number", "a number", "int"),
        (2.5, "a number", "a number", "float"),
        ("x", "a string", "a string", "str"),
        ([1], "an array", "a list", "list"),
        ({"a": 1}, "an object", "a mapping", "dict"),
    ],
)
def test_one_describer_of_value_kinds(value: object, json: str, yaml: str, python: str) -> None:
    assert kind_of(value) == json
    assert kind_of(value, vocabulary="yaml") == yaml
    assert kind_of(value, vocabulary="python") == python
