"""spec/format.md, the JSON Schema and the model must agree."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import histfmt
import histfmt.schema

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "spec" / "format.md"
SCHEMA = ROOT / "schema" / histfmt.schema.SCHEMA_FILENAME
PACKAGE_SCHEMA = ROOT / "src" / "histfmt" / "resources" / histfmt.schema.SCHEMA_FILENAME

DEFINITION = re.compile(r"^### `(\w+)`\s*$")
HEADING = re.compile(r"^#{1,3} ")
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|")
FENCE = re.compile(r"^```json\s*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return schema


def _documented() -> dict[str, list[str]]:
    """Each ``### `Name` `` section of the spec with the keys of its table rows."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        if HEADING.match(line):
            match = DEFINITION.match(line)
            current = sections.setdefault(match.group(1), []) if match else None
        elif current is not None and (row := ROW.match(line)):
            current.append(row.group(1))
    return sections


DEFINITIONS = sorted(_schema()["$defs"])


def test_every_definition_has_a_section() -> None:
    assert sorted(_documented()) == DEFINITIONS


@pytest.mark.parametrize("name", DEFINITIONS)
def test_section_documents_exactly_the_schema_properties(name: str) -> None:
    rows = _documented().get(name, [])
    assert len(rows) == len(set(rows)), f"{name}: a property is documented twice"
    properties = set(_schema()["$defs"][name]["properties"])
    stale, missing = sorted(set(rows) - properties), sorted(properties - set(rows))
    assert not stale, f"{name}: documented but not in the schema: {stale}"
    assert not missing, f"{name}: in the schema but not documented: {missing}"


def _examples() -> list[str]:
    blocks = FENCE.findall(SPEC.read_text(encoding="utf-8"))
    return [block for block in blocks if '"histfmt"' in block]


@pytest.mark.parametrize("text", _examples(), ids=lambda _: "example")
def test_json_examples_are_valid_documents(text: str) -> None:
    histfmt.loads_book(text, filename="spec/format.md")
    jsonschema.Draft202012Validator(_schema()).validate(json.loads(text))


def test_spec_has_examples() -> None:
    assert len(_examples()) >= 1


def test_schema_files_match_the_model() -> None:
    generated = histfmt.schema.render(histfmt.schema.generate()).encode("utf-8")
    assert SCHEMA.read_bytes() == generated, "run `python -m histfmt.schema`"
    assert PACKAGE_SCHEMA.read_bytes() == generated, "run `python -m histfmt.schema`"
