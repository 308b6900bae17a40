"""The JSON Schema: generated from the model, shipped in the package, validated fast.

``schema/histfmt-1.schema.json`` (the normative file) and the copy inside the
package are produced by :func:`generate`; a test fails when either differs
from what the model generates.  Run ``python -m histfmt.schema`` to rewrite both.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec

from histfmt.errors import kind_of

__all__ = [
    "SCHEMA_FILENAME",
    "SCHEMA_ID",
    "generate",
    "load_schema",
    "schema_errors",
    "write_copies",
]

SCHEMA_FILENAME = "histfmt-1.schema.json"
SCHEMA_ID = f"https://histfmt.org/schema/{SCHEMA_FILENAME}"

MAX_ERRORS_PER_ARRAY = 5
NO_SLASH = "^[^/]+$"
_NUMBERS = {"type": "number"}
_NUMBERS_OR_NULL = {"anyOf": [{"type": "number"}, {"type": "null"}]}
_NUMBER_OR_NULL_LIST = list[float | None]
_FAST_ITEMS: dict[str, Any] = {
    json.dumps(_NUMBERS, sort_keys=True): list[float],
    json.dumps(_NUMBERS_OR_NULL, sort_keys=True): _NUMBER_OR_NULL_LIST,
}


def generate() -> dict[str, Any]:
    """Build the JSON Schema (draft 2020-12) of a histfmt document from the model."""
    from histfmt.model import Book, Document

    (document, book), definitions = msgspec.json.schema_components([Document, Book])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "histfmt document",
        "description": "One histogram plot as data: bin edges, yields with their "
        "uncertainties, how they stack, the ratio panel, styling and metadata; or a "
        "book of many such plots (a `plots` key). Arrays hold one number per bin "
        "(2-D: one row per x bin); null marks a missing value.",
        "if": {"type": "object", "required": ["plots"]},
        "then": book,
        "else": document,
        "$defs": _per_bin_arrays(definitions),
    }


_ONE_OR_TWO_D = {
    "anyOf": [
        {"type": "array", "items": _NUMBERS_OR_NULL},
        {
            "type": "array",
            "items": {"type": "array", "items": _NUMBERS_OR_NULL},
            "description": "2-D: one row per x bin, each with one value per y bin.",
        },
    ]
}


def _per_bin_arrays(node: Any) -> Any:
    """Per-bin arrays (1-D, or 2-D rows) as two clear alternatives, not msgspec's
    list of 'number, null or array' items."""
    if isinstance(node, dict):
        items = node.get("items")
        if node.get("type") == "array" and isinstance(items, dict) and "anyOf" in items:
            kinds = [branch.get("type") for branch in items["anyOf"]]
            if sorted(map(str, kinds)) == ["array", "null", "number"]:
                rest = {k: v for k, v in node.items() if k not in ("type", "items")}
                return {**rest, **_ONE_OR_TWO_D}
        result = {key: _per_bin_arrays(value) for key, value in node.items()}
        if isinstance(result.get("anyOf"), list):  # one flat list of alternatives
            result["anyOf"] = [
                alternative
                for branch in result["anyOf"]
                for alternative in (branch["anyOf"] if list(branch) == ["anyOf"] else [branch])
            ]
        return result
    if isinstance(node, list):
        return [_per_bin_arrays(value) for value in node]
    return node


def render(schema: dict[str, Any]) -> str:
    """The schema as the text stored on disk (stable key order, trailing newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


@functools.cache
def load_schema() -> dict[str, Any]:
    """The schema shipped inside the package."""
    text = resources.files("histfmt.resources").joinpath(SCHEMA_FILENAME).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> Any:
    import jsonschema

    base = jsonschema.Draft202012Validator
    default_items = base.VALIDATORS["items"]

    def fast_items(validator: Any, items: Any, instance: Any, schema: Any) -> Iterator[Any]:
        """Check long arrays of numbers in C; fall back per element only on failure."""
        target = _FAST_ITEMS.get(json.dumps(items, sort_keys=True))
        if target is not None and isinstance(instance, list):
            try:
                msgspec.convert(instance, target)
            except msgspec.ValidationError:
                pass
            else:
                return
            allowed = (int, float, type(None)) if target is _NUMBER_OR_NULL_LIST else (int, float)
            bad = [i for i, value in enumerate(instance) if type(value) not in allowed]
            for index in bad[:MAX_ERRORS_PER_ARRAY]:
                yield from validator.descend(instance[index], items, path=index)
            if len(bad) > MAX_ERRORS_PER_ARRAY:
                hidden = len(bad) - MAX_ERRORS_PER_ARRAY
                yield jsonschema.ValidationError(f"{hidden} more invalid values not shown")
            return
        yield from default_items(validator, items, instance, schema)

    validator_class = jsonschema.validators.extend(base, {"items": fast_items})
    return validator_class(load_schema())


def schema_errors(instance: Any) -> list[tuple[list[str | int], str]]:
    """Every schema violation of ``instance`` as ``(path parts, message)``, in path order."""
    found = []
    for error in _validator().iter_errors(instance):
        found.extend(_leaf_errors(error))
    found.sort(key=lambda item: [(isinstance(p, str), p) for p in item[0]])
    return found


def _leaf_errors(error: Any) -> list[tuple[list[str | int], str]]:
    """Explain ``anyOf`` failures by the branch that got furthest, not by a schema dump."""
    if error.validator == "anyOf" and error.context:
        deepest = max(len(e.absolute_path) for e in error.context)
        if deepest > len(error.absolute_path):
            # every error of the branch that got furthest; on a tie the first branch
            # (a 1-D array before 2-D rows)
            first = min(
                e.relative_schema_path[0] for e in error.context if len(e.absolute_path) == deepest
            )
            branch = [e for e in error.context if e.relative_schema_path[0] == first]
            return [item for e in branch for item in _leaf_errors(e)]
        right_type = [e for e in error.context if e.validator not in ("type", "$ref")]
        if right_type:  # the value has an accepted type but breaks a constraint of it
            return [item for e in right_type for item in _leaf_errors(e)]
        instance = error.instance
        kinds = sorted({_schema_kind(s) for s in error.validator_value})
        return [
            (
                list(error.absolute_path),
                f"expected {' or '.join(kinds)}, got {kind_of(instance)}",
            )
        ]
    return [(list(error.absolute_path), _message(error))]


def _schema_kind(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return "an object"
    kind = schema.get("type", "a value")
    return {"array": "an array", "object": "an object", "null": "null"}.get(kind, f"a {kind}")


def _message(error: Any) -> str:
    """A short message; never a dump of a 100,000-element instance."""
    if error.validator == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        kinds = " or ".join(_schema_kind({"type": n}) for n in names)
        return f"expected {kinds}, got {kind_of(error.instance)}"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return "unknown key" + ("s " if len(extra) > 1 else " ") + ", ".join(map(repr, extra))
    if error.validator == "pattern" and error.validator_value == NO_SLASH:
        return f"{error.instance!r}: names may not contain '/' (it separates variation references)"
    if error.validator == "maxLength":
        return f"too long: {len(error.instance)} characters, the limit is {error.validator_value}"
    if error.validator == "required":
        return str(error.message).split(" is a required")[0] + " is required"
    message: str = error.message
    return message if len(message) <= 200 else message[:197] + "..."


def write_copies(text: str, filename: str) -> None:
    """Write a schema's ``text`` as ``filename`` in the package and in the repository's
    ``schema/`` folder, the two copies a test keeps equal (developer tool)."""
    package_copy = Path(str(resources.files("histfmt.resources").joinpath(filename)))
    repository_copy = Path(__file__).resolve().parents[2] / "schema" / filename
    for path in (package_copy, repository_copy):
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


def main() -> None:
    """Rewrite ``schema/`` and the packaged copy from the model (developer tool)."""
    write_copies(render(generate()), SCHEMA_FILENAME)


if __name__ == "__main__":
    main()
