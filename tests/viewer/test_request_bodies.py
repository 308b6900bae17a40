"""Request bodies are read whole within ``MAX_CONTENT_LENGTH`` or refused with 413 naming
the limit, with a ``Content-Length`` or chunked (``Transfer-Encoding: chunked``): in the
test client, under ``histfmt serve``'s server and under the README's gunicorn command,
spoken to through a raw socket.

A chunked body longer than the limit used to be cut at the limit and read as if it
ended there (werkzeug's ``LimitedStream.readall`` stops at a maximum without raising),
so a valid document followed by more spaces than the limit allows and then garbage was
stored (201).
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from histfmt_viewer.storage import Storage

from .conftest import served
from .gunicorn_server import gunicorn

LIMIT = 1024 * 1024  # the app fixture's MAX_CONTENT_LENGTH
GARBAGE = b"THIS IS NOT JSON"


def _chunks(data: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        piece = data[start : start + size]
        yield b"%x\r\n" % len(piece) + piece + b"\r\n"
    yield b"0\r\n\r\n"


def raw_post(
    url: str, path: str, body: bytes, headers: dict[str, str], *, chunked: bool
) -> tuple[int, bytes]:
    """POST ``body`` over a plain socket (chunked, or with a Content-Length); the status
    and body of the answer. The body is sent from a thread, so that an answer given
    before the whole body was read (a 413) is still received."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}"
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", framing, "Connection: close"]
    lines += [f"{key}: {value}" for key, value in headers.items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:

        def send() -> None:
            try:
                sock.sendall(head)
                for piece in _chunks(body) if chunked else [body]:
                    sock.sendall(piece)
            except OSError:  # the server answered and closed before reading it all
                pass

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        payload = answer.read()
        with contextlib.suppress(OSError):  # stop the sender; the server may have closed
            sock.shutdown(socket.SHUT_RDWR)
        sender.join(60)
    return answer.status, payload


def _document(make_doc: Any) -> bytes:
    data: bytes = make_doc("chunked")
    return data


def _message(payload: bytes) -> str:
    """The JSON answer as text."""
    return json.dumps(json.loads(payload))


# -- the test client: werkzeug's request handling alone -------------------------------------


CHUNKED = {"wsgi.input_terminated": True}
"""What a server reading chunked bodies tells the app: it ends the stream itself."""


def _chunked_post(
    client: FlaskClient, body: bytes, headers: dict[str, str], path: str = "/api/plots"
) -> Any:
    """A chunked POST, as a server that reads chunked bodies hands it to the app."""
    return client.post(
        path, input_stream=io.BytesIO(body), environ_overrides=CHUNKED,
        headers={**headers, "Transfer-Encoding": "chunked", "Content-Type": "application/json"},
    )  # fmt: skip


def test_chunked_body_beyond_the_limit_is_413_not_cut(
    client: FlaskClient, alice: dict[str, str], make_doc: Any, storage: Storage
) -> None:
    body = _document(make_doc) + b" " * (LIMIT + 10) + GARBAGE
    response = _chunked_post(client, body, alice)
    assert response.status_code == 413
    assert response.json == {
        "error": f"The upload is too large: the limit is {LIMIT} bytes (1 MiB)."
    }
    assert storage.search(None)[1] == 0


def test_chunked_body_of_exactly_the_limit_is_read_whole(
    client: FlaskClient, alice: dict[str, str], make_doc: Any
) -> None:
    document = _document(make_doc)
    body = document + b" " * (LIMIT - len(document))
    assert len(body) == LIMIT
    response = _chunked_post(client, body, alice)
    assert response.status_code == 201, response.json


def test_garbage_after_a_document_within_the_limit_is_refused(
    client: FlaskClient, alice: dict[str, str], make_doc: Any, storage: Storage
) -> None:
    body = _document(make_doc) + b" " * 1000 + GARBAGE
    plain = client.post("/api/plots", data=body, headers=alice)
    for response in (_chunked_post(client, body, alice), plain):
        assert response.status_code == 400
        assert response.json is not None
        assert "trailing characters" in json.dumps(response.json)
    assert storage.search(None)[1] == 0


@pytest.mark.parametrize("path", ["/api/collections", "/api/uhepp/collections/"])
def test_json_bodies_are_read_within_the_limit(
    client: FlaskClient, alice: dict[str, str], path: str
) -> None:
    body = json.dumps({"title": "t"}).encode() + b" " * LIMIT
    response = _chunked_post(client, body, alice, path)
    assert response.status_code == 413
    assert "the limit is 1048576 bytes" in response.json["error"]  # type: ignore[index]
    with_garbage = client.post(
        path, data=json.dumps({"title": "t"}).encode() + b" x", headers=alice,
        content_type="application/json",
    )  # fmt: skip
    assert with_garbage.status_code == 400
    assert "not JSON" in with_garbage.json["error"]  # type: ignore[index]


# -- real servers, a raw socket -------------------------------------------------------------


def test_chunked_uploads_under_histfmt_serve(
    app: Flask, alice: dict[str, str], make_doc: Any, storage: Storage
) -> None:
    document = _document(make_doc)
    with served(app) as url:
        status, payload = raw_post(url, "/api/plots", document, alice, chunked=True)
        assert status == 201, payload[:300]
        too_long = document + b" " * (2 * LIMIT) + GARBAGE
        for chunked in (True, False):
            status, payload = raw_post(url, "/api/plots", too_long, alice, chunked=chunked)
            assert status == 413, payload[:300]
            assert "the limit is 1048576 bytes (1 MiB)" in _message(payload)
        status, payload = raw_post(
            url, "/api/plots", document + b" " * 1000 + GARBAGE, alice, chunked=True
        )
        assert status == 400, payload[:300]
        assert "trailing characters" in _message(payload)
    assert storage.search(None)[1] == 1


def test_chunked_upload_of_70_mib_under_gunicorn(
    tmp_path: Path, make_doc: Any, database_url: str
) -> None:
    """The issue's case under the README's gunicorn command and its default 64 MiB limit:
    a valid document, 70 MiB of spaces and garbage, chunked or not, is a 413; a few
    spaces and the garbage are a 400 saying what ``histfmt validate`` says."""
    storage = Storage(database_url)
    try:
        storage.init_schema()
        headers = {"Authorization": f"Token {storage.create_token('alice')}"}
    finally:
        storage.close()
    document = _document(make_doc)
    huge = document + b" " * (70 * 1024 * 1024) + GARBAGE
    with gunicorn(tmp_path, database_url, workers=1) as url:
        for chunked in (True, False):
            status, payload = raw_post(url, "/api/plots", huge, headers, chunked=chunked)
            assert status == 413, payload[:300]
            assert "the limit is 67108864 bytes (64 MiB)" in _message(payload)
        small = document + b" " * 1000 + GARBAGE
        status, payload = raw_post(url, "/api/plots", small, headers, chunked=True)
        assert status == 400, payload[:300]
        assert "trailing characters" in _message(payload)
        status, payload = raw_post(url, "/api/plots", document, headers, chunked=True)
        assert status == 201, payload[:300]
