"""Uploads of many plots (books) through the API and the upload form, on both backends:
a collection is made (or the chosen one filled), every plot stored in the book's order,
all or nothing, within MAX_PLOTS_PER_UPLOAD."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

import histfmt
from histfmt.model import Book, Document
from histfmt_viewer.storage import Storage
from histfmt_viewer.storage.tables import collections, plots

from .conftest import csrf_token, sign_in

REAL = Path(__file__).resolve().parents[1] / "resources" / "real"
PATHS = ["jets/pt", "jets/eta", "met", "Table 3"]


def _doc(i: int, title: str | None = None) -> Document:
    doc = Document.new([0.0, 1.0, 2.0, 3.0], symbol="$x$")
    doc.add_yield("data", [1.0 + i, 2.0 * i, 3.0], label="Data")
    doc.add_stack([("data", "Data")], type="points", error="poisson")
    if title is not None:
        doc.metadata.title = title
    return doc


def _book(title: str | None = "Jet plots", *, skipped: dict[str, str] | None = None) -> Book:
    book = Book.new({path: _doc(i, None if i % 2 else f"Plot {i}") for i, path in enumerate(PATHS)})
    if title is not None:
        book.metadata.title = title
    if skipped:
        book.metadata.extra["skipped"] = skipped
    return book


def _counts(storage: Storage) -> tuple[int, int]:
    """Stored plots and collections."""
    with storage.engine.connect() as conn:
        count = [
            conn.scalar(sa.select(sa.func.count()).select_from(t)) for t in (plots, collections)
        ]
    return int(count[0] or 0), int(count[1] or 0)


def _listed_titles(client: FlaskClient, collection_id: int) -> list[str]:
    html = client.get(f"/collections/{collection_id}").get_data(as_text=True)
    return re.findall(r'<span class="title">([^<]*)</span>', html)


def test_a_book_becomes_a_collection_in_order(
    client: FlaskClient, alice: dict[str, str], storage: Storage
) -> None:
    skipped = {"dir/h3": "TH3 (3-D) histograms are not held"}
    response = client.post(
        "/api/plots?visibility=private&filename=jets.json",
        data=histfmt.dumps(_book(skipped=skipped)),
        headers=alice,
    )
    assert response.status_code == 201, response.json
    answer: Any = response.json
    assert set(answer) == {"collection", "plots", "skipped"}
    collection = answer["collection"]
    assert collection["title"] == "Jet plots"
    assert collection["visibility"] == "private"
    assert collection["owner"] == "alice"
    assert collection["url"] == f"/collections/{collection['id']}"
    assert [p["path"] for p in answer["plots"]] == PATHS
    assert answer["skipped"] == skipped
    titles = ["Plot 0", "jets/eta", "Plot 2", "Table 3"]  # its title, else its path
    for entry, title, i in zip(answer["plots"], titles, range(4), strict=True):
        assert entry["url"] == f"/plots/{entry['id']}"
        plot = storage.get_plot(entry["id"])
        assert plot is not None
        assert (plot.title, plot.visibility, plot.owner) == (title, "private", "alice")
        assert plot.collection_id == collection["id"]
        stored = client.get(f"/api/plots/{entry['id']}", headers=alice).json
        assert stored is not None
        assert stored["document"]["yields"]["data"]["values"] == [1.0 + i, 2.0 * i, 3.0]

    # the order of the book, in the API and on the collection's page
    listed = client.get(f"/api/collections/{collection['id']}", headers=alice).json
    assert listed is not None
    assert [p["id"] for p in listed["plots"]] == [p["id"] for p in answer["plots"]]
    sign_in(client, storage.create_token("alice"))
    assert _listed_titles(client, collection["id"]) == titles
    # private: nobody else sees the collection or its plots
    assert client.get(f"/api/collections/{collection['id']}").status_code == 404
    assert client.get(f"/api/plots/{answer['plots'][0]['id']}").status_code == 404


def test_the_collection_is_named_after_the_file_without_a_title(
    client: FlaskClient, alice: dict[str, str]
) -> None:
    response = client.post(
        "/api/plots?filename=run2_control.json", data=histfmt.dumps(_book(None)), headers=alice
    )
    assert response.status_code == 201, response.json
    assert response.json["collection"]["title"] == "run2_control"  # type: ignore[index]
    assert response.json["collection"]["visibility"] == "public"  # type: ignore[index]


def test_a_book_into_a_chosen_collection(
    client: FlaskClient, alice: dict[str, str], bob: dict[str, str], storage: Storage
) -> None:
    made = client.post("/api/collections", json={"title": "Mine"}, headers=alice).json
    assert made is not None
    response = client.post(
        f"/api/plots?collection={made['id']}", data=histfmt.dumps(_book()), headers=alice
    )
    assert response.status_code == 201, response.json
    answer: Any = response.json
    assert answer["collection"]["id"] == made["id"]
    assert answer["collection"]["title"] == "Mine"
    assert answer["collection"]["plot_count"] == len(PATHS)
    assert _counts(storage) == (len(PATHS), 1)  # no second collection
    # bob may not fill alice's collection: nothing stored
    refused = client.post(
        f"/api/plots?collection={made['id']}", data=histfmt.dumps(_book()), headers=bob
    )
    assert refused.status_code == 403
    assert _counts(storage) == (len(PATHS), 1)


def test_a_single_plot_upload_answers_as_before(client: FlaskClient, alice: dict[str, str]) -> None:
    lone = Book.new({"only": _doc(1, "Lone plot")})
    for data in (histfmt.dumps(_doc(1, "Lone plot")), histfmt.dumps(lone)):
        response = client.post("/api/plots", data=data, headers=alice)
        assert response.status_code == 201, response.json
        answer: Any = response.json
        assert set(answer) == {
            "id", "title", "author", "tags", "owner", "visibility", "collection", "version",
            "created", "updated", "url", "api_url",
        }  # fmt: skip
        assert answer["title"] == "Lone plot"
        assert answer["collection"] is None


def test_a_refused_plot_refuses_the_whole_book(
    client: FlaskClient, alice: dict[str, str], storage: Storage
) -> None:
    book = _book()
    book.plots["jets/eta"].yields["data"].label = r"$\frac{$"
    book.plots["Table 3"].stacks[0].content[0].style.color = "notacolour"
    response = client.post("/api/plots", data=histfmt.dumps(book), headers=alice)
    assert response.status_code == 400
    errors: Any = response.json["errors"]  # type: ignore[index]
    paths = [e["path"] for e in errors]
    assert 'plots["jets/eta"].yields.data.label' in paths
    assert 'plots["Table 3"].stacks[0].content[0].style.color' in paths
    assert "nothing was stored" in response.json["error"]  # type: ignore[index]
    assert _counts(storage) == (0, 0)

    # an invalid plot: the reader's own error, at its path in the book
    data = json.loads(histfmt.dumps(_book()))
    data["plots"]["met"]["yields"]["data"]["values"] = [1, 2]
    response = client.post("/api/plots", data=json.dumps(data), headers=alice)
    assert response.status_code == 400
    paths = [e["path"] for e in response.json["errors"]]  # type: ignore[index]
    assert any(p.startswith("plots.met.yields.data.values") for p in paths), paths
    assert _counts(storage) == (0, 0)


def test_the_limit_on_plots_per_upload(
    app: Flask, client: FlaskClient, alice: dict[str, str], storage: Storage
) -> None:
    app.config["MAX_PLOTS_PER_UPLOAD"] = 3
    response = client.post("/api/plots", data=histfmt.dumps(_book()), headers=alice)
    assert response.status_code == 413
    (error,) = response.json["errors"]  # type: ignore[index]
    assert error == {
        "path": "$",
        "message": "holds 4 plots; one upload may hold at most 3 (MAX_PLOTS_PER_UPLOAD)",
    }
    assert _counts(storage) == (0, 0)
    app.config["MAX_PLOTS_PER_UPLOAD"] = 4
    assert client.post("/api/plots", data=histfmt.dumps(_book()), headers=alice).status_code == 201


def _form(client: FlaskClient, data: bytes, name: str, **extra: Any) -> Any:
    fields = {"file": (io.BytesIO(data), name), "csrf_token": csrf_token(client, "/upload")}
    return client.post("/upload", data={**fields, **extra}, content_type="multipart/form-data")


def test_the_upload_form_takes_a_book(app: Flask, client: FlaskClient, storage: Storage) -> None:
    sign_in(client, storage.create_token("carol"))
    response = _form(client, histfmt.dumps(_book(None)), "analysis.json", visibility="public")
    assert response.status_code == 303
    found = re.fullmatch(r"/collections/(\d+)", response.headers["Location"])
    assert found, response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>analysis</h1>" in page
    assert _listed_titles(client, int(found[1])) == ["Plot 0", "jets/eta", "Plot 2", "Table 3"]

    # into a chosen collection
    response = _form(
        client, histfmt.dumps(_book()), "again.json", visibility="private", collection=found[1]
    )
    assert response.headers["Location"] == f"/collections/{found[1]}"
    assert _counts(storage) == (8, 1)

    # all or nothing, every problem listed under its plot's path
    book = _book()
    book.plots["met"].yields["data"].label = r"$\frac{$"
    refused = _form(client, histfmt.dumps(book), "bad.json", visibility="public")
    assert refused.status_code == 400
    assert "<code>plots.met.yields.data.label</code>" in refused.get_data(as_text=True)
    app.config["MAX_PLOTS_PER_UPLOAD"] = 2
    too_many = _form(client, histfmt.dumps(_book()), "many.json", visibility="public")
    assert too_many.status_code == 413
    assert "at most 2 (MAX_PLOTS_PER_UPLOAD)" in too_many.get_data(as_text=True)
    assert _counts(storage) == (8, 1)


def test_a_new_version_must_be_one_plot(
    client: FlaskClient, alice: dict[str, str], upload: Any
) -> None:
    plot_id = upload()
    response = client.put(f"/api/plots/{plot_id}", data=histfmt.dumps(_book()), headers=alice)
    assert response.status_code == 400
    assert "book of 4 plots" in response.json["errors"][0]["message"]  # type: ignore[index]


def test_a_real_uhi_file_of_many_histograms(client: FlaskClient, alice: dict[str, str]) -> None:
    """uhi's own reg.json (a dict of differently binned histograms): each stored plot
    holds the numbers boost-histogram reads from the file."""
    from histfmt.convert import registry

    path = REAL / "uhi" / "reg.json"
    try:
        registry.read_book(path)
    except histfmt.HistfmtError as error:
        pytest.skip(f"the UHI converter of this branch reads no book of it yet: {error}")
    bh = pytest.importorskip("boost_histogram")
    from uhi.io.json import object_hook

    expected = {
        key: bh.Histogram(value)
        for key, value in json.loads(path.read_text(), object_hook=object_hook).items()
    }
    response = client.post("/api/plots?filename=reg.json", data=path.read_bytes(), headers=alice)
    assert response.status_code == 201, response.json
    answer: Any = response.json
    assert answer["collection"]["title"] == "reg"
    assert len(answer["plots"]) == len(expected)
    for entry in answer["plots"]:
        key = entry["path"].split("/")[0]
        document = client.get(f"/api/plots/{entry['id']}", headers=alice).json["document"]  # type: ignore[index]
        (item,) = document["yields"].values()
        np.testing.assert_allclose(item["values"], expected[key].values(flow=True))
