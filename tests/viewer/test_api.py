"""The JSON API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from histfmt.convert import uhepp as uhepp_conv
from histfmt_viewer.storage import Storage

INVALID = {
    "histfmt": "1.0",
    "x": {"edges": [0, 1, 2]},
    "yields": {"a": {"values": "oops"}, "b": {"values": [1, 2], "stat": "nope"}},
}


def test_upload_and_get(client: FlaskClient, alice: dict[str, str], make_doc: Any) -> None:
    response = client.post("/api/plots", data=make_doc("Z peak", tags=("zjets",)), headers=alice)
    assert response.status_code == 201
    body = response.json
    assert body is not None
    assert (body["title"], body["owner"], body["version"], body["tags"]) == (
        "Z peak", "alice", 1, ["zjets"],
    )  # fmt: skip
    got = client.get(f"/api/plots/{body['id']}")
    assert got.status_code == 200
    assert got.json is not None
    assert got.json["document"]["metadata"]["title"] == "Z peak"
    assert got.json["document"]["yields"]["mc"]["values"] == [1.0, 5.0, 4.0, 2.0, 0.5]
    assert "Content-Security-Policy" in got.headers


def test_invalid_upload_lists_every_error_and_stores_nothing(
    client: FlaskClient, alice: dict[str, str], storage: Storage
) -> None:
    response = client.post("/api/plots", data=json.dumps(INVALID), headers=alice)
    assert response.status_code == 400
    assert response.json is not None
    paths = {e["path"] for e in response.json["errors"]}
    assert {"yields.a.values", "yields.b.stat"} <= paths
    assert all(e["message"] for e in response.json["errors"])
    assert storage.search(None)[1] == 0
    assert client.get("/api/plots", headers=alice).json["total"] == 0  # type: ignore[index]


def test_not_json_and_empty_are_refused(client: FlaskClient, alice: dict[str, str]) -> None:
    for body in (b"{not json", b"", b"[1, 2]"):
        response = client.post("/api/plots", data=body, headers=alice)
        assert response.status_code == 400
        assert response.json is not None
        assert response.json["errors"][0]["path"] == "$"


def test_broken_mathtext_is_refused(
    client: FlaskClient, alice: dict[str, str], make_doc: Any
) -> None:
    data = json.loads(make_doc())
    data["yields"]["mc"]["label"] = r"$\frac{$"
    response = client.post("/api/plots", data=json.dumps(data), headers=alice)
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["errors"][0]["path"] == "yields.mc.label"


def test_uhepp_upload_is_converted(
    client: FlaskClient, alice: dict[str, str], document: Any, tmp_path: Path
) -> None:
    document.metadata.title = "from uhepp"
    path = tmp_path / "plot_uhepp.json"
    uhepp_conv.write(document, path)
    assert "histfmt" not in json.loads(path.read_text())
    response = client.post("/api/plots", data=path.read_bytes(), headers=alice)
    assert response.status_code == 201, response.json
    got = client.get(f"/api/plots/{response.json['id']}").json  # type: ignore[index]
    assert got is not None
    assert got["document"]["histfmt"].startswith("1.")
    assert set(got["document"]["yields"]) == {"mc", "data"}


def test_uhi_upload_is_converted(client: FlaskClient, alice: dict[str, str]) -> None:
    uhi = {
        "h": {
            "uhi_schema": 1,
            "axes": [{"type": "regular", "lower": 0.0, "upper": 2.0, "bins": 2,
                      "underflow": False, "overflow": False, "circular": False}],
            "storage": {"type": "double", "values": [1.0, 2.0]},
        }
    }  # fmt: skip
    response = client.post("/api/plots", data=json.dumps(uhi), headers=alice)
    assert response.status_code == 201, response.json


def test_writes_need_a_valid_token(client: FlaskClient, make_doc: Any, upload: Any) -> None:
    plot_id = upload()
    for headers in ({}, {"Authorization": "Token wrong"}, {"Authorization": "Bearer x"}):
        assert client.post("/api/plots", data=make_doc(), headers=headers).status_code == 401
        assert (
            client.put(f"/api/plots/{plot_id}", data=make_doc(), headers=headers).status_code == 401
        )
        assert client.delete(f"/api/plots/{plot_id}", headers=headers).status_code == 401
        response = client.post("/api/collections", json={"title": "x"}, headers=headers)
        assert response.status_code == 401
        assert response.json is not None
        assert "Token" in response.json["error"]


def test_only_the_owner_modifies(
    client: FlaskClient, bob: dict[str, str], alice: dict[str, str], make_doc: Any, upload: Any
) -> None:
    plot_id = upload()
    assert client.put(f"/api/plots/{plot_id}", data=make_doc(), headers=bob).status_code == 403
    assert client.delete(f"/api/plots/{plot_id}", headers=bob).status_code == 403
    assert client.get(f"/api/plots/{plot_id}").json["version"] == 1  # type: ignore[index]
    assert client.delete(f"/api/plots/{plot_id}", headers=alice).status_code == 204
    assert client.get(f"/api/plots/{plot_id}").status_code == 404


def test_versions(client: FlaskClient, alice: dict[str, str], make_doc: Any, upload: Any) -> None:
    plot_id = upload("first")
    response = client.put(f"/api/plots/{plot_id}", data=make_doc("second"), headers=alice)
    assert response.status_code == 200
    assert response.json["version"] == 2  # type: ignore[index]
    bad = client.put(f"/api/plots/{plot_id}", data=json.dumps(INVALID), headers=alice)
    assert bad.status_code == 400
    numbers = client.get(f"/api/plots/{plot_id}/versions").json
    assert [v["number"] for v in numbers["versions"]] == [1, 2]  # type: ignore[index]
    latest = client.get(f"/api/plots/{plot_id}").json
    assert latest["title"] == "second"  # type: ignore[index]
    old = client.get(f"/api/plots/{plot_id}?version=1").json
    assert old["version"] == 1  # type: ignore[index]
    assert old["document"]["metadata"]["title"] == "first"  # type: ignore[index]
    assert client.get(f"/api/plots/{plot_id}?version=9").status_code == 404


def test_private_plots_are_404_for_others(
    client: FlaskClient, alice: dict[str, str], bob: dict[str, str], upload: Any
) -> None:
    plot_id = upload("secret", query="?visibility=private")
    assert client.get(f"/api/plots/{plot_id}", headers=alice).status_code == 200
    for headers in ({}, bob):
        assert client.get(f"/api/plots/{plot_id}", headers=headers).status_code == 404
        assert client.get(f"/api/plots/{plot_id}/versions", headers=headers).status_code == 404
        assert client.get("/api/plots", headers=headers).json["total"] == 0  # type: ignore[index]
    assert client.get("/api/plots", headers=alice).json["total"] == 1  # type: ignore[index]
    assert client.get(f"/plots/{plot_id}").status_code == 404
    assert client.get(f"/plots/{plot_id}/image.png").status_code == 404
    assert client.get(f"/plots/{plot_id}/document.json").status_code == 404
    assert client.get("/api/plots/not-a-plot").status_code == 404
    assert client.put(f"/api/plots/{plot_id}", data=b"{}", headers=bob).status_code == 404


def test_bad_visibility_and_query(
    client: FlaskClient, alice: dict[str, str], make_doc: Any
) -> None:
    response = client.post("/api/plots?visibility=secret", data=make_doc(), headers=alice)
    assert response.status_code == 400
    assert client.get("/api/plots?page=x").status_code == 400


def test_search_filters_sorting_pagination(client: FlaskClient, upload: Any) -> None:
    upload("Dilepton mass", tags=("zjets", "mll"), author="A. Physicist")
    upload("Missing energy", tags=("met",), author="B. Other")
    upload("Jet pT 100%_x", tags=("jets",), author="B. Other")

    def titles(query: str) -> list[str]:
        body: Any = client.get(f"/api/plots?{query}").json
        return [p["title"] for p in body["plots"]]

    assert titles("q=dilepton") == ["Dilepton mass"]
    assert titles("q=MASS dilepton") == ["Dilepton mass"]
    assert titles("q=simulation&sort=title") == ["Dilepton mass", "Jet pT 100%_x", "Missing energy"]
    assert titles("q=100%25_") == ["Jet pT 100%_x"]
    assert titles("q=%25") == ["Jet pT 100%_x"]  # LIKE wildcards are literal
    assert titles("tag=met") == ["Missing energy"]
    assert titles("author=other&sort=title") == ["Jet pT 100%_x", "Missing energy"]
    assert titles("sort=oldest") == ["Dilepton mass", "Missing energy", "Jet pT 100%_x"]
    first: Any = client.get("/api/plots?sort=title&per_page=2&page=1").json
    second: Any = client.get("/api/plots?sort=title&per_page=2&page=2").json
    assert first["total"] == second["total"] == 3
    assert [p["title"] for p in first["plots"] + second["plots"]] == [
        "Dilepton mass", "Jet pT 100%_x", "Missing energy",
    ]  # fmt: skip
    refused = client.get("/api/plots?sort=newest")
    assert refused.status_code == 400
    assert "sort: expected one of updated, created, oldest, title; got 'newest'" in refused.text


def test_collections(
    client: FlaskClient, alice: dict[str, str], bob: dict[str, str], upload: Any, make_doc: Any
) -> None:
    response = client.post(
        "/api/collections",
        json={"title": "Run 2", "description": "All of it", "visibility": "public"},
        headers=alice,
    )
    assert response.status_code == 201
    collection_id = response.json["id"]  # type: ignore[index]
    hidden = client.post(
        "/api/collections", json={"title": "Mine", "visibility": "private"}, headers=alice
    ).json["id"]  # type: ignore[index]
    upload("in collection", query=f"?collection={collection_id}")
    upload("elsewhere")
    one: Any = client.get(f"/api/collections/{collection_id}").json
    assert one["title"] == "Run 2"
    assert [p["title"] for p in one["plots"]] == ["in collection"]
    listed: Any = client.get("/api/collections").json
    assert [c["title"] for c in listed["collections"]] == ["Run 2"]
    assert len(client.get("/api/collections", headers=alice).json["collections"]) == 2  # type: ignore[index]
    assert client.get(f"/api/collections/{hidden}").status_code == 404
    assert client.get(f"/api/collections/{hidden}", headers=alice).status_code == 200
    other = client.post(f"/api/plots?collection={collection_id}", data=make_doc(), headers=bob)
    assert other.status_code == 403
    missing = client.post(f"/api/plots?collection={hidden}", data=make_doc(), headers=bob)
    assert missing.status_code == 404
    for body in ({}, {"title": ""}, {"title": "x", "visibility": "secret"}, [1]):
        assert client.post("/api/collections", json=body, headers=alice).status_code == 400


def test_too_large_is_413_with_the_limit(client: FlaskClient, alice: dict[str, str]) -> None:
    response = client.post("/api/plots", data=b" " * (1024 * 1024 + 1), headers=alice)
    assert response.status_code == 413
    assert response.json is not None
    assert "1048576 bytes" in response.json["error"]
    page = client.post("/upload", data=b" " * (1024 * 1024 + 1), content_type="text/plain")
    assert page.status_code == 413
    assert b"1048576 bytes" in page.data


def test_tokens_are_stored_hashed(storage: Storage) -> None:
    import sqlalchemy as sa

    token = storage.create_token("carol")
    with storage.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT hash FROM tokens")).scalars().all()
    assert token not in stored
    assert len(stored) == 1
    assert len(stored[0]) == 64
    user = storage.user_for_token(token)
    assert user is not None
    assert user.name == "carol"
    assert storage.user_for_token(stored[0]) is None


def test_concurrent_uploads_over_http_lose_nothing(
    app: Any, alice: dict[str, str], make_doc: Any, storage: Storage
) -> None:
    """Sixteen uploads at once through a threaded server: sixteen plots, each intact."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from .conftest import served

    bodies = [make_doc(f"Concurrent {i}", tags=(f"t{i}",)) for i in range(16)]

    def send(url: str, body: bytes) -> tuple[int, str]:
        request = urllib.request.Request(f"{url}/api/plots", data=body, headers=alice)
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status), json.loads(response.read())["id"]

    with served(app) as url, ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda body: send(url, body), bodies))
    assert [status for status, _ in results] == [201] * 16
    assert storage.search(None, per_page=100)[1] == 16
    for i, (_, plot_id) in enumerate(results):
        version = storage.get_version(plot_id)
        assert version is not None
        assert json.loads(version["document"])["metadata"]["title"] == f"Concurrent {i}"
