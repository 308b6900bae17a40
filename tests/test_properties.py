"""Property-based tests: dump/load is the identity; corruptions only ever raise HistfmtError."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import jsonschema
import msgspec
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import histfmt
from histfmt.schema import load_schema
from histfmt.semantics import semantic_issues

FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
NON_NEGATIVE = st.floats(min_value=0, max_value=1e300, allow_nan=False)
TEXT = st.text(max_size=30)
NAMES = st.text(min_size=1, max_size=12).filter(lambda s: "/" not in s)


@st.composite
def documents(draw: st.DrawFn) -> histfmt.Document:
    """Random valid documents built through the public builder API."""
    n_bins = draw(st.integers(1, 8))
    underflow, overflow = draw(st.booleans()), draw(st.booleans())
    if draw(st.booleans()):
        start = draw(st.floats(-1e6, 1e6))
        widths = draw(st.lists(st.floats(1e-3, 1e3), min_size=n_bins, max_size=n_bins))
        doc = histfmt.Document.new(
            start + np.cumsum([0.0, *widths]),
            underflow=underflow,
            overflow=overflow,
            symbol=draw(TEXT),
            unit=draw(TEXT),
        )
    else:
        categories = draw(st.lists(TEXT, min_size=n_bins, max_size=n_bins, unique=True))
        doc = histfmt.Document.new(categories=categories, overflow=overflow)
    n = doc.x.n_values

    def array(elements: st.SearchStrategy[float]) -> list[float]:
        return draw(st.lists(elements | st.just(math.nan), min_size=n, max_size=n))

    names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    for name in names:
        stat: Any = None
        if draw(st.booleans()):
            stat = (
                (array(NON_NEGATIVE), array(NON_NEGATIVE))
                if draw(st.booleans())
                else array(NON_NEGATIVE)
            )
        variations = {
            source: (array(FINITE), None)
            for source in draw(st.lists(NAMES, max_size=2, unique=True))
        }
        doc.add_yield(
            name, array(FINITE), stat=stat, variations=variations, label=draw(st.none() | TEXT)
        )
    layers = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3))
    doc.add_stack(layers, type=draw(st.sampled_from(["filled", "step", "points", "band"])))
    if len(names) > 1 and draw(st.booleans()):
        doc.add_ratio(names[0], names[1:])
    doc.metadata.title = draw(st.none() | TEXT) or msgspec.UNSET
    doc.metadata.tags = draw(st.lists(st.text(min_size=1, max_size=8), max_size=3))
    return doc


@settings(max_examples=150, deadline=None)
@given(doc=documents(), form=st.sampled_from(["json", "json.gz", "yaml"]))
def test_dump_then_load_is_the_identity(doc: histfmt.Document, form: Any) -> None:
    assert histfmt.loads(histfmt.dumps(doc, format=form), format=form) == doc


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | FINITE | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every node of a JSON value (root excluded)."""
    found = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, child in items:
        found.append((*path, key))
        found.extend(_nodes(child, (*path, key)))
    return found


def _schema_and_semantics_accept(data: Any) -> bool:
    if list(jsonschema.Draft202012Validator(load_schema()).iter_errors(data)):
        return False
    try:
        doc = msgspec.convert(data, histfmt.Document)
    except msgspec.ValidationError as error:
        # The one documented difference (spec: "Numbers"): JSON Schema counts 1.0 as an
        # integer, histfmt readers expect integers written without a fraction.
        assert "got `float`" in str(error), error  # noqa: PT017
        return False
    return not semantic_issues(doc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents(), data=st.data())
def test_corrupted_documents_raise_only_histfmt_errors(
    doc: histfmt.Document, data: st.DataObject
) -> None:
    plain = json.loads(histfmt.dumps(doc))
    corrupted = copy.deepcopy(plain)
    path = data.draw(st.sampled_from(_nodes(corrupted)))
    parent = corrupted
    for key in path[:-1]:
        parent = parent[key]
    action = data.draw(st.sampled_from(["replace", "delete", "add_key"]))
    if action == "replace":
        parent[path[-1]] = data.draw(JSON_VALUES)
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[data.draw(st.text(min_size=1, max_size=6))] = data.draw(JSON_VALUES)
    text = json.dumps(corrupted)
    try:
        loaded = histfmt.loads(text)
    except histfmt.HistfmtError as error:
        assert str(error)  # noqa: PT017
        refused_valid = _schema_and_semantics_accept(corrupted)
        assert not refused_valid, f"refused a valid document: {error}"  # noqa: PT017
    else:
        assert _schema_and_semantics_accept(corrupted), (
            "the reader accepted what the schema refuses"
        )
        assert histfmt.loads(histfmt.dumps(loaded)) == loaded


@settings(max_examples=200, deadline=None)
@given(doc=documents(), data=st.data())
def test_damaged_bytes_raise_only_histfmt_errors(
    doc: histfmt.Document, data: st.DataObject
) -> None:
    raw = bytearray(histfmt.dumps(doc))
    start = data.draw(st.integers(0, len(raw) - 1))
    if data.draw(st.booleans()):
        raw = raw[:start]
    else:
        raw[start] = data.draw(st.integers(0, 255))
    try:
        histfmt.loads(bytes(raw))
    except histfmt.HistfmtError as error:
        assert str(error)  # noqa: PT017
