"""Upload limits that keep every page and image answering: ``MAX_BINS_PER_UPLOAD`` (cells
over all yields and graphs) and ``MAX_YIELDS_PER_PLOT``, refused with 413 naming the
limit through every upload route; real files and the 1000 x 1000 map benchmark pass."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from flask import Flask
from flask.testing import FlaskClient

import histfmt
from histfmt.convert.uhepp import to_uhepp
from histfmt_viewer.storage import Storage

from .conftest import sign_in

ROOT = Path(__file__).resolve().parents[2]


def _stacked(n_yields: int, n_bins: int) -> bytes:
    doc = histfmt.Document.new(np.linspace(0.0, 1.0, n_bins + 1))
    names = [f"y{i}" for i in range(n_yields)]
    for name in names:
        doc.add_yield(name, np.ones(n_bins))
    doc.add_stack(names)
    return histfmt.dumps(doc)


def test_yields_beyond_the_limit_are_413(
    app: Flask, client: FlaskClient, alice: dict[str, str], storage: Storage
) -> None:
    app.config["MAX_YIELDS_PER_PLOT"] = 3
    assert client.post("/api/plots", data=_stacked(3, 2), headers=alice).status_code == 201
    response = client.post("/api/plots", data=_stacked(4, 2), headers=alice)
    assert response.status_code == 413
    assert response.json is not None
    assert response.json["errors"] == [
        {
            "path": "$",
            "message": "holds 4 yields and graphs; a plot may hold at most 3 (MAX_YIELDS_PER_PLOT)",
        }
    ]
    plot_id = storage.search(None)[0][0].id
    assert (
        client.put(f"/api/plots/{plot_id}", data=_stacked(4, 2), headers=alice).status_code == 413
    )
    uhepp = to_uhepp(histfmt.loads(_stacked(4, 2)))
    collection = client.post("/api/uhepp/collections/", json={"title": "c"}, headers=alice)
    body = {"uhepp": uhepp, "collection": collection.headers["Location"]}
    pushed = client.post("/api/uhepp/plots/", json=body, headers=alice)
    assert pushed.status_code == 413
    assert "MAX_YIELDS_PER_PLOT" in json.dumps(pushed.json)
    assert storage.search(None)[1] == 1


def test_bins_beyond_the_limit_are_413_over_a_whole_book(
    app: Flask, client: FlaskClient, alice: dict[str, str], storage: Storage
) -> None:
    app.config["MAX_BINS_PER_UPLOAD"] = 10
    assert client.post("/api/plots", data=_stacked(2, 5), headers=alice).status_code == 201
    response = client.post("/api/plots", data=_stacked(2, 6), headers=alice)
    assert response.status_code == 413
    message = "holds 12 bins over all yields and graphs; one upload may hold at most 10"
    assert response.json["errors"][0]["message"] == f"{message} (MAX_BINS_PER_UPLOAD)"  # type: ignore[index]
    book = histfmt.Book.new(
        {"a": histfmt.loads(_stacked(1, 6)), "b": histfmt.loads(_stacked(1, 6))}
    )
    refused = client.post("/api/plots", data=histfmt.dumps(book), headers=alice)
    assert refused.status_code == 413
    assert "holds 12 bins" in json.dumps(refused.json)
    assert storage.search(None)[1] == 1


def test_the_upload_form_names_the_limit(app: Flask, client: FlaskClient, storage: Storage) -> None:
    sign_in(client, storage.create_token("carol"))
    app.config["MAX_YIELDS_PER_PLOT"] = 2
    from .conftest import csrf_token

    fields = {
        "file": (io.BytesIO(_stacked(3, 2)), "plot.json"),
        "csrf_token": csrf_token(client, "/upload"),
    }
    page = client.post("/upload", data=fields, content_type="multipart/form-data")
    assert page.status_code == 413
    assert "at most 2 (MAX_YIELDS_PER_PLOT)" in page.get_data(as_text=True)


def test_default_limits_pass_the_map_benchmark_and_refuse_huge_documents(
    app: Flask, client: FlaskClient, alice: dict[str, str]
) -> None:
    """The 1000 x 1000 map of the I/O benchmark (1,004,004 cells with flow bins) uploads
    with the default limits; two million bins, or 201 stacked yields, do not."""
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_io import build_map
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    answer: Any = client.post("/api/plots", data=histfmt.dumps(build_map(1000)), headers=alice)
    assert answer.status_code == 201, answer.json
    huge = client.post("/api/plots", data=_stacked(1, 2_000_000), headers=alice)
    assert huge.status_code == 413
    assert "one upload may hold at most 1,500,000 (MAX_BINS_PER_UPLOAD)" in json.dumps(huge.json)
    many = client.post("/api/plots", data=_stacked(201, 1), headers=alice)
    assert many.status_code == 413
    assert "at most 200 (MAX_YIELDS_PER_PLOT)" in json.dumps(many.json)
