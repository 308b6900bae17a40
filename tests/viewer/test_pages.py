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

from .conftest import csrf_token, sign_in

XSS = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def _form(client: FlaskClient, data: bytes, **extra: Any) -> Any:
    import io

    fields = {"file": (io.BytesIO(data), "plot.json"), **extra}
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
    assert f"/plots/{plot_id}/image.png?dpi=60" in html
    assert 'href="/?tag=zjets"' in html
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/site.js" defer>']


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
    assert client.get("/?sort=relevance").status_code == 400


def test_plot_page(client: FlaskClient, upload: Any) -> None:
    plot_id = upload("Dilepton mass", tags=("zjets",))
    query = "logy=1&rebin=0,20,30&hide=data&ratio=0&style=CMS"
    html = client.get(f"/plots/{plot_id}?{query}").get_data(as_text=True)
    assert "<h1>Dilepton mass</h1>" in html
    image = re.search(rf'src="(/plots/{plot_id}/image.png\?[^"]+)"', html)
    assert image, html
    for part in ("logy=1", "rebin=0,20,30", "hide=data", "ratio=0", "style=CMS"):
        assert part in image.group(1).replace("%2C", ","), part
    assert '<input type="checkbox" name="hide" value="data" checked>' in html
    assert '<option value="CMS" selected>' in html
    assert '<th scope="row">[0, 10)</th>' in html
    assert '<th scope="row">underflow</th>' in html
    assert "<td>5" in html  # mc, first bin
    assert client.get("/plots/nope").status_code == 404
    for bad in ("hide=nosuchsample", "style=Comic", "ratio=maybe", "rebin=2,1", "dpi=0"):
        response = client.get(f"/plots/{plot_id}?{bad}")
        assert response.status_code == 400, bad
        assert bad.split("=")[0] in response.get_data(as_text=True)


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
        assert "<script>" not in html  # only <script src=...> from this site
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the yield name in the table


def test_upload_form(client: FlaskClient, token: str, make_doc: Any) -> None:
    sign_in(client, token)
    response = _form(client, make_doc("from the form"), csrf_token=csrf_token(client, "/upload"))
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "from the form" in page.get_data(as_text=True)


def test_upload_needs_a_session(client: FlaskClient, make_doc: Any, storage: Storage) -> None:
    response = client.get("/upload")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/upload"
    posted = _form(client, make_doc(), csrf_token=csrf_token(client))
    assert posted.status_code == 303
    assert posted.headers["Location"].startswith("/login")
    assert storage.search(None)[1] == 0


def test_upload_form_shows_every_error(client: FlaskClient, token: str, storage: Storage) -> None:
    sign_in(client, token)
    csrf = csrf_token(client, "/upload")
    bad = {"histfmt": "1.0", "x": {"edges": [0, 1]}, "yields": {"a": {"values": "x"},
           "b": {"values": [1], "stat": "y"}}}  # fmt: skip
    response = _form(client, json.dumps(bad).encode(), csrf_token=csrf)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<code>yields.a.values</code>" in html
    assert "<code>yields.b.stat</code>" in html
    assert "nothing was stored" in html
    assert storage.search(None)[1] == 0
    for field, value in (("visibility", "everyone"), ("collection", "12345")):
        refused = _form(client, b"{}", csrf_token=csrf, **{field: value})
        assert refused.status_code == 400
        assert f"<code>{field}</code>" in refused.get_data(as_text=True)


def test_upload_form_needs_csrf(
    app: Flask, client: FlaskClient, token: str, make_doc: Any, storage: Storage
) -> None:
    sign_in(client, token)
    response = _form(client, make_doc())
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


def test_a_cached_image_is_sent_without_reading_the_document(
    client: FlaskClient, upload: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from histfmt_viewer import pages

    plot_id = upload()
    reads: list[Any] = []
    real = pages.load_document
    monkeypatch.setattr(pages, "load_document", lambda *a: reads.append(a) or real(*a))
    first = client.get(f"/plots/{plot_id}/image.png?dpi=30&hide=mc")
    assert (first.status_code, len(reads)) == (200, 1)
    again = client.get(f"/plots/{plot_id}/image.png?dpi=30&hide=mc")
    assert (again.data, len(reads)) == (first.data, 1)
    unknown = client.get(f"/plots/{plot_id}/image.png?dpi=30&hide=nosuchsample")
    assert unknown.status_code == 400
    assert "no yield named &#39;nosuchsample&#39;" in unknown.get_data(as_text=True)


def test_errors_are_html_for_pages(client: FlaskClient) -> None:
    response = client.get("/plots/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "No such plot." in response.get_data(as_text=True)
