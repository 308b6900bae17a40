"""The fixture folders: valid documents load; each invalid one gives its exact error."""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import msgspec
import pytest

import histfmt
from histfmt.schema import load_schema
from histfmt.semantics import book_issues, semantic_issues

from .conftest import RESOURCES

VALID = sorted((RESOURCES / "valid").glob("*.json"))
INVALID = sorted((RESOURCES / "invalid").glob("*.json"))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_documents_load_and_match_the_schema(path: Path) -> None:
    data = json.loads(path.read_text())
    jsonschema.Draft202012Validator(load_schema()).validate(data)
    if "plots" in data:  # a book
        book = histfmt.load_book(path)
        assert list(book.plots) == list(data["plots"])
        assert histfmt.loads_book(histfmt.dumps(book)) == book
        return
    doc = histfmt.load(path)
    assert histfmt.loads(histfmt.dumps(doc)) == doc


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_documents_give_their_exact_error(path: Path) -> None:
    expected = path.with_suffix(".error.txt").read_text(encoding="utf-8").rstrip("\n")
    with pytest.raises(histfmt.HistfmtError) as caught:
        histfmt.load_book(path)
    caught.value.filename = path.name
    assert str(caught.value) == expected


def _strict_json(text: str) -> object:
    def refuse(token: str) -> float:
        raise ValueError(token)

    def finite(token: str) -> float:
        value = float(token)
        if math.isinf(value):
            raise ValueError(token)
        return value

    return json.loads(text, parse_constant=refuse, parse_float=finite)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_each_invalid_document_breaks_the_schema_or_a_semantic_rule(path: Path) -> None:
    """Structural problems are schema violations: the schema, not the code, is the contract."""
    try:
        data = _strict_json(path.read_text(encoding="utf-8"))
    except ValueError:
        return  # not JSON at all
    schema_errors = list(jsonschema.Draft202012Validator(load_schema()).iter_errors(data))
    if schema_errors:
        return
    if isinstance(data, dict) and "plots" in data:
        book = msgspec.convert(data, histfmt.Book)
        assert book_issues(book), "accepted by the schema and by the semantic rules"
        return
    doc = msgspec.convert(data, histfmt.Document)
    assert semantic_issues(doc), "accepted by the schema and by the semantic rules"


def test_every_invalid_fixture_has_an_error_file() -> None:
    assert INVALID
    for path in INVALID:
        assert path.with_suffix(".error.txt").exists(), path.name
