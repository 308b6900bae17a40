"""Fixtures of the web viewer's tests: an app on SQLite and on PostgreSQL.

The PostgreSQL variant needs ``HISTFMT_TEST_DATABASE_URL``; without it the variant
is skipped locally and fails when ``CI=true`` (real components must run in CI).
Each test gets its own PostgreSQL schema, dropped afterwards.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

import histfmt
from histfmt_viewer import create_app, storage_of
from histfmt_viewer.storage import Storage, engine_url

SERVER_TIMEOUT = 10.0


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """``app`` on a loopback port, in a thread, like ``histfmt serve``; yields its URL.

    The thread must stop when the block ends.
    """
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="viewer", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(SERVER_TIMEOUT)
        assert not thread.is_alive(), "the server thread did not stop"


def _postgresql_url() -> str:
    url = os.environ.get("HISTFMT_TEST_DATABASE_URL", "")
    if url:
        return url
    reason = "HISTFMT_TEST_DATABASE_URL is not set (a postgresql:// URL)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'viewer.sqlite'}"
        return
    base = engine_url(_postgresql_url())
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base else "?"
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("HISTFMT_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": database_url,
            "RENDER_CACHE": str(tmp_path / "cache"),
            "MAX_CONTENT_LENGTH": 1024 * 1024,
        }
    )
    yield application
    storage_of(application).close()


@pytest.fixture
def storage(app: Flask) -> Storage:
    return storage_of(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def alice(storage: Storage) -> dict[str, str]:
    """Headers of a user who uploads."""
    return {"Authorization": f"Token {storage.create_token('alice')}"}


@pytest.fixture
def bob(storage: Storage) -> dict[str, str]:
    """Headers of another user."""
    return {"Authorization": f"Token {storage.create_token('bob')}"}


@pytest.fixture
def make_doc(document: histfmt.Document) -> Callable[..., bytes]:
    """A valid document as JSON bytes, with the given metadata."""

    def make(title: str = "Dilepton mass", tags: tuple[str, ...] = (), **meta: Any) -> bytes:
        document.metadata.title = title
        document.metadata.tags = list(tags)
        for key, value in meta.items():
            setattr(document.metadata, key, value)
        return histfmt.dumps(document)

    return make


@pytest.fixture
def upload(
    client: FlaskClient, alice: dict[str, str], make_doc: Callable[..., bytes]
) -> Callable[..., str]:
    """Upload a document as alice; returns the plot id."""

    def run(title: str = "Dilepton mass", *, query: str = "", **kwargs: Any) -> str:
        response = client.post(f"/api/plots{query}", data=make_doc(title, **kwargs), headers=alice)
        assert response.status_code == 201, response.json
        plot_id: str = response.json["id"]  # type: ignore[index]
        return plot_id

    return run


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    """The app served on a loopback port in a thread."""
    with served(app) as url:
        yield url


@pytest.fixture
def tokens(storage: Storage) -> dict[str, str]:
    return {"alice": storage.create_token("alice"), "bob": storage.create_token("bob")}


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of a page's form (the session keeps its counterpart)."""
    import re

    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, token: str) -> None:
    """Open a session in ``client`` with an API token, through the sign-in form."""
    response = client.post("/login", data={"token": token, "csrf_token": csrf_token(client)})
    assert response.status_code == 303, response.get_data(as_text=True)
