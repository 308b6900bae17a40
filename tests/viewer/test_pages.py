"""HTML pages, the upload form, downloads and the render cache, on both backends."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from histfmt_viewer import images
from histfmt_viewer.storage import Storage

XSS = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def _csrf(client: FlaskClient) -> str:
    page = client.get("/upload").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def _form(client: FlaskClient, data: bytes, token: str, **extra: Any) -> Any:
    import io

    fields = {"file": (io.BytesIO(data), "plot.json"), "token": token, **extra}
    return client.post("/upload", data=fields, content_type="multipart/form-data")


@pytest.fixture
def token(storage: Storage) -> str:
    return storage.create_token("dave")


def test_index_lists_plots_with_thumbnails(client: FlaskClient, upload: Any) -> None:
    plot_id = upload("Dilepton mass", tags=("zjets",))
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Dilepton mass" in html
    assert f"/plots/{plot_id}/image.png?dpi=80" in html
    assert 'href="/?tag=zjets"' in html
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert "<script" not in html


def test_index_search_and_pagination(client: FlaskClient, upload: Any) -> None:
    for i in range(3):
        upload(f"plot number {i}", tags=("even",) if i % 2 == 0 else ())
    html = client.get("/?per_page=2&sort=title").get_data(as_text=True)
    assert "plot number 0" in html
    assert "plot number 2" not in html
    assert "Page 1 of 2" in html
    assert 'rel="next"' in html
    second = client.get("/?per_page=2&sort=title&page=2").get_data(as_text=True)
    assert "plot number 2" in second
    assert "plot number 0" not in second
    tagged = client.get("/?tag=even").get_data(as_text=True)
    assert "plot number 1" not in tagged
    assert "2 plots" in tagged
    assert "plot number 1" in client.get("/?q=number+1").get_data(as_text=True)
    assert client.get("/?page=x").status_code == 400


def test_plot_page(client: FlaskClient, upload: Any) -> None:
    plot_id = upload("Dilepton mass", tags=("zjets",))
    html = client.get(f"/plots/{plot_id}?logy=1&rebin=0,20,30").get_data(as_text=True)
    assert "<h1>Dilepton mass</h1>" in html
    assert f"/plots/{plot_id}/image.png?" in html
    assert "logy=1" in html
    assert "rebin=0,20,30" in html or "rebin=0%2C20%2C30" in html
    assert "<th>[0, 10)</th>" in html
    assert "<th>underflow</th>" in html
    assert "<td>5</td>" in html  # mc, first bin
    assert client.get("/plots/nope").status_code == 404


def test_xss_in_title_and_labels_is_escaped(
    client: FlaskClient, alice: dict[str, str], make_doc: Any
) -> None:
    data = json.loads(make_doc(XSS, tags=(XSS,), description=XSS))
    data["yields"]["mc"]["label"] = XSS
    data["yields"][IMG] = data["yields"].pop("mc")
    data["stacks"][0]["content"][0]["yields"] = [IMG]
    data["ratio"][0]["denominator"] = [IMG]
    response = client.post("/api/plots", data=json.dumps(data), headers=alice)
    assert response.status_code == 201, response.json
    plot_id = response.json["id"]  # type: ignore[index]
    for url in ("/", f"/plots/{plot_id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the yield name in the table


def test_upload_form(client: FlaskClient, token: str, make_doc: Any) -> None:
    csrf = _csrf(client)
    response = _form(client, make_doc("from the form"), token, csrf_token=csrf)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "from the form" in page.get_data(as_text=True)


def test_upload_form_shows_every_error(client: FlaskClient, token: str, storage: Storage) -> None:
    csrf = _csrf(client)
    bad = {"histfmt": "1.0", "x": {"edges": [0, 1]}, "yields": {"a": {"values": "x"},
           "b": {"values": [1], "stat": "y"}}}  # fmt: skip
    response = _form(client, json.dumps(bad).encode(), token, csrf_token=csrf)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<code>yields.a.values</code>" in html
    assert "<code>yields.b.stat</code>" in html
    assert storage.search(None)[1] == 0
    wrong = _form(client, json.dumps(bad).encode(), "not-a-token", csrf_token=csrf)
    assert wrong.status_code == 401


def test_upload_form_needs_csrf(
    app: Flask, client: FlaskClient, token: str, make_doc: Any, storage: Storage
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = _form(client, make_doc(), token)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert storage.search(None)[1] == 0


def test_downloads_and_filenames(client: FlaskClient, upload: Any) -> None:
    plot_id = upload('Z \u2192 \u2113\u2113: m/ll "mass" <v2>')
    expected = {
        "document.json": "application/json",
        "document.yaml": "application/yaml",
        "image.png": "image/png",
        "image.svg": "image/svg+xml",
        "image.pdf": "application/pdf",
    }
    for name, mimetype in expected.items():
        response = client.get(f"/plots/{plot_id}/{name}?dpi=30")
        assert response.status_code == 200, name
        assert response.mimetype == mimetype
        disposition = response.headers["Content-Disposition"]
        assert disposition.endswith(f'filename="Z_ll_m_ll_mass_v2.{name.split(".")[1]}"'), (
            disposition
        )
    document = client.get(f"/plots/{plot_id}/document.json").json
    assert document["metadata"]["title"].startswith("Z")  # type: ignore[index]
    assert client.get(f"/plots/{plot_id}/image.png").data[:4] == b"\x89PNG"
    assert client.get(f"/plots/{plot_id}/image.pdf").data[:4] == b"%PDF"
    assert client.get(f"/plots/{plot_id}/image.gif").status_code == 404


def test_image_parameters(client: FlaskClient, upload: Any) -> None:
    plot_id = upload()
    assert client.get(f"/plots/{plot_id}/image.png?dpi=30&logy=1&rebin=0,20,30").status_code == 200
    for query in ("dpi=5000", "dpi=abc", "rebin=3,2", "rebin=0,15,30"):
        response = client.get(f"/plots/{plot_id}/image.png?{query}")
        assert response.status_code == 400, query


def test_render_cache(client: FlaskClient, upload: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = images.render

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(images, "render", counting)
    plot_id = upload()
    first = client.get(f"/plots/{plot_id}/image.png?dpi=30")
    second = client.get(f"/plots/{plot_id}/image.png?dpi=30")
    assert first.data == second.data
    assert len(calls) == 1
    client.get(f"/plots/{plot_id}/image.png?dpi=31")
    client.get(f"/plots/{plot_id}/image.png?dpi=30&logy=1")
    client.get(f"/plots/{plot_id}/image.svg?dpi=30")
    assert len(calls) == 4
    client.get(f"/plots/{plot_id}/image.png?dpi=30&version=1")
    assert len(calls) == 4


def test_errors_are_html_for_pages(client: FlaskClient) -> None:
    response = client.get("/plots/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "No such plot." in response.get_data(as_text=True)
