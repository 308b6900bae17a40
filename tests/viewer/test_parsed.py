"""The per-process memory of parsed documents: copies, its byte budget, and a plot page
that shows each version's own numbers (and refuses what it must) while it is used."""

from __future__ import annotations

from typing import Any

import numpy as np
from flask import Flask
from flask.testing import FlaskClient

import histfmt
from histfmt_viewer.parsed import EXTENSION, ParsedDocuments


def _doc(value: float) -> histfmt.Document:
    return histfmt.Document.new([0, 1, 2], symbol="x").add_yield("a", [value, 2.0])


def test_each_caller_gets_its_own_copy() -> None:
    memory = ParsedDocuments(1000)
    doc = _doc(1.0)
    memory.put("p", 1, doc, 100)
    doc.yields["a"].values[0] = 99.0  # the caller's change is not kept
    first = memory.get("p", 1)
    assert first is not None
    assert first.yields["a"].values[0] == 1.0
    first.yields["a"].values[0] = 42.0
    second = memory.get("p", 1)
    assert second is not None
    assert second.yields["a"].values[0] == 1.0
    assert memory.get("p", 2) is None
    assert memory.get("q", 1) is None


def test_the_least_recently_used_go_first_beyond_the_budget() -> None:
    memory = ParsedDocuments(250)
    for number in (1, 2):
        memory.put("p", number, _doc(float(number)), 100)
    assert memory.get("p", 1) is not None  # now the most recently used
    memory.put("p", 3, _doc(3.0), 100)
    assert memory.get("p", 2) is None
    assert memory.get("p", 1) is not None
    assert memory.get("p", 3) is not None
    memory.put("p", 4, _doc(4.0), 251)  # over the whole budget: not kept, nothing dropped
    assert memory.get("p", 4) is None
    assert memory.get("p", 1) is not None
    memory.put("p", 1, _doc(1.0), 100)  # again: counted once
    assert memory.get("p", 3) is not None


def test_a_budget_of_zero_keeps_nothing() -> None:
    memory = ParsedDocuments(0)
    memory.put("p", 1, _doc(1.0), 1)
    assert memory.get("p", 1) is None


def test_the_page_shows_each_version_and_refuses_what_it_must(
    app: Flask,
    client: FlaskClient,
    alice: dict[str, str],
    make_doc: Any,
    document: histfmt.Document,
) -> None:
    plot_id = client.post("/api/plots", data=make_doc("first"), headers=alice).json["id"]  # type: ignore[index]
    memory: ParsedDocuments = app.extensions[EXTENSION]
    assert client.get(f"/plots/{plot_id}").status_code == 200
    assert memory.get(plot_id, 1) is not None  # the page remembered version 1
    name = next(iter(document.yields))
    document.yields[name].values = np.full_like(document.yields[name].values, 123456.0)
    answer = client.put(f"/api/plots/{plot_id}", data=histfmt.dumps(document), headers=alice)
    assert answer.status_code == 200, answer.json
    assert "123456" in client.get(f"/plots/{plot_id}").get_data(as_text=True)  # the newest
    assert "123456" not in client.get(f"/plots/{plot_id}?version=1").get_data(as_text=True)
    assert client.get(f"/plots/{plot_id}?version=3").status_code == 404
    assert client.delete(f"/api/plots/{plot_id}", headers=alice).status_code == 204
    assert memory.get(plot_id, 1) is not None  # still remembered, and still refused:
    assert client.get(f"/plots/{plot_id}?version=1").status_code == 404
    assert client.get(f"/api/plots/{plot_id}?version=1", headers=alice).status_code == 404
