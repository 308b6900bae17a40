"""Signing in to the pages, collections pages, and what owners do from the plot page."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient

from histfmt_viewer.storage import Storage, hash_token
from histfmt_viewer.storage.tables import tokens

from .conftest import csrf_token, sign_in


def _post(client: FlaskClient, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client), **data})


def test_sign_in_and_out(client: FlaskClient, storage: Storage) -> None:
    token = storage.create_token("carol")
    assert "Sign in" in client.get("/").get_data(as_text=True)
    wrong = _post(client, "/login", token="not-a-token")
    assert wrong.status_code == 401
    assert "Unknown token" in wrong.get_data(as_text=True)
    response = _post(client, "/login", token=token, next="/collections/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/collections/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert token not in cookie  # the session keeps a hash, and only inside the signature
    page = client.get("/").get_data(as_text=True)
    assert '<span class="user" title="Signed in">carol</span>' in page
    out = _post(client, "/logout")
    assert out.status_code == 303
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_sign_in_goes_back_only_to_this_site(client: FlaskClient, storage: Storage) -> None:
    token = storage.create_token("carol")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        response = _post(client, "/login", token=token, next=target)
        assert response.headers["Location"] == "/", target
    # what browsers make of a URL: tabs and newlines dropped, leading controls ignored
    for target in ("/\t/evil.example/", "/\n/evil.example", "\x01//evil.example", " //evil"):
        response = _post(client, "/login", token=token, next=target)
        assert response.status_code == 303, repr(target)
        assert response.headers["Location"] == "/", repr(target)
    for target in ("/plots\r\nSet-Cookie: x=1", "/pl\x00ots"):
        response = _post(client, "/login", token=token, next=target)
        assert response.status_code == 303, repr(target)
        assert "\n" not in response.headers["Location"], repr(target)
    response = _post(client, "/login", token=token, next="/collections?page=2")
    assert response.headers["Location"] == "/collections?page=2"


def test_a_deleted_token_ends_its_sessions(client: FlaskClient, storage: Storage) -> None:
    token = storage.create_token("carol")
    sign_in(client, token)
    assert client.get("/upload").status_code == 200
    with storage.engine.begin() as conn:
        conn.execute(tokens.delete().where(tokens.c.hash == hash_token(token)))
    response = client.get("/upload")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login")


def test_logout_needs_csrf(client: FlaskClient, storage: Storage) -> None:
    sign_in(client, storage.create_token("carol"))
    assert client.post("/logout").status_code == 400
    assert "carol" in client.get("/").get_data(as_text=True)


def test_private_plots_in_pages(
    client: FlaskClient, upload: Any, storage: Storage, tokens: dict[str, str]
) -> None:
    plot_id = upload("Secret plot", query="?visibility=private")
    paths = (f"/plots/{plot_id}", f"/plots/{plot_id}/image.png?dpi=20",
             f"/plots/{plot_id}/document.json")  # fmt: skip
    for path in paths:
        assert client.get(path).status_code == 404, path
    assert "Secret plot" not in client.get("/?q=secret").get_data(as_text=True)
    sign_in(client, tokens["bob"])
    for path in paths:
        assert client.get(path).status_code == 404, path
    sign_in(client, tokens["alice"])
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
    assert response.headers["Cache-Control"].startswith("private")
    assert "Secret plot" in client.get("/?q=secret").get_data(as_text=True)


def test_collection_pages(client: FlaskClient, tokens: dict[str, str], make_doc: Any) -> None:
    assert client.get("/collections/new").status_code == 303  # signed out: sign in first
    sign_in(client, tokens["alice"])
    refused = _post(client, "/collections/new", title="", visibility="public")
    assert refused.status_code == 400
    assert "<code>title</code>" in refused.get_data(as_text=True)
    made = _post(client, "/collections/new", title="Run 3 <b>dileptons</b>",
                 description="Control regions", visibility="public")  # fmt: skip
    assert made.status_code == 303
    url = made.headers["Location"]
    collection_id = int(url.rstrip("/").rsplit("/", 1)[1])
    form = {"file": (io.BytesIO(make_doc("Inside")), "in.json"),
            "collection": str(collection_id), "csrf_token": csrf_token(client)}  # fmt: skip
    assert client.post("/upload", data=form).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Run 3 &lt;b&gt;dileptons&lt;/b&gt;" in page
    assert "Inside" in page
    assert "1 plot" in page
    listing = client.get("/collections/").get_data(as_text=True)
    assert "1 plot" in listing
    assert "Run 3 &lt;b&gt;dileptons&lt;/b&gt;" in listing

    # only the owner deletes; the plots stay
    sign_in(client, tokens["bob"])
    assert _post(client, f"/collections/{collection_id}/delete").status_code == 403
    sign_in(client, tokens["alice"])
    assert _post(client, f"/collections/{collection_id}/delete").status_code == 303
    assert client.get(url).status_code == 404
    assert "Inside" in client.get("/").get_data(as_text=True)


def test_private_collection_is_hidden(
    client: FlaskClient, storage: Storage, tokens: dict[str, str]
) -> None:
    alice = storage.user_for_token(tokens["alice"])
    assert alice is not None
    collection_id = storage.create_collection(alice, "Hidden", "", "private")
    assert client.get(f"/collections/{collection_id}").status_code == 404
    assert "Hidden" not in client.get("/collections/").get_data(as_text=True)
    sign_in(client, tokens["alice"])
    assert client.get(f"/collections/{collection_id}").status_code == 200
    assert "Hidden" in client.get("/collections/").get_data(as_text=True)
    assert client.get("/collections/99999").status_code == 404


def test_new_version_and_delete_from_the_plot_page(
    client: FlaskClient, upload: Any, tokens: dict[str, str], make_doc: Any, storage: Storage
) -> None:
    plot_id = upload("First title")

    def send(data: bytes) -> Any:
        form = {"file": (io.BytesIO(data), "v.json"), "csrf_token": csrf_token(client)}
        return client.post(f"/plots/{plot_id}/versions", data=form)

    sign_in(client, tokens["bob"])
    assert send(make_doc("Bob's title")).status_code == 403
    assert _post(client, f"/plots/{plot_id}/delete").status_code == 403
    assert "Manage" not in client.get(f"/plots/{plot_id}").get_data(as_text=True)

    sign_in(client, tokens["alice"])
    assert "Upload version 2" in client.get(f"/plots/{plot_id}").get_data(as_text=True)
    bad = send(b'{"histfmt": "1.0"}')
    assert bad.status_code == 400
    assert "nothing was stored" in bad.get_data(as_text=True)
    response = send(make_doc("Second title"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/plots/{plot_id}?version=2"
    assert "Second title" in client.get(f"/plots/{plot_id}").get_data(as_text=True)
    first = client.get(f"/plots/{plot_id}/document.json?version=1")
    assert first.json["metadata"]["title"] == "First title"  # type: ignore[index]
    assert first.headers["Content-Disposition"].endswith('filename="Second_title.json"')
    second = client.get(f"/plots/{plot_id}/image.png?dpi=20")
    assert second.headers["Content-Disposition"].endswith('filename="Second_title_v2.png"')

    assert _post(client, f"/plots/{plot_id}/delete").status_code == 303
    assert client.get(f"/plots/{plot_id}").status_code == 404
    assert storage.get_version(plot_id, 1) is None


def test_api_deletes_collections(
    client: FlaskClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    made = client.post("/api/collections", json={"title": "Temporary"}, headers=alice)
    collection_id = made.json["id"]  # type: ignore[index]
    listed = client.get(f"/api/collections/{collection_id}").json
    assert listed["plot_count"] == 0  # type: ignore[index]
    assert client.delete(f"/api/collections/{collection_id}").status_code == 401
    assert client.delete(f"/api/collections/{collection_id}", headers=bob).status_code == 403
    assert client.delete(f"/api/collections/{collection_id}", headers=alice).status_code == 204
    assert client.get(f"/api/collections/{collection_id}").status_code == 404
