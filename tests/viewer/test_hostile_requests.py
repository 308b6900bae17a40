"""Hostile requests, on SQLite and PostgreSQL: every route, every query parameter, form
field, JSON field, body and path segment fed a corpus of hostile values (huge integers,
Unicode digits, NUL, lone surrogates, deep nesting, 300-character names, CR/LF, wrong
JSON types, empty bodies). Every answer is below 500, and every refusal carries a
message: ``{"error": ...}`` from the APIs, a ``role="alert"`` text on a page.

:func:`cases` is the corpus, grouped by route; a hypothesis test adds random text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

import histfmt
from histfmt.convert.uhepp import to_uhepp
from histfmt_viewer.storage import Storage

from .conftest import sign_in

PLOT = "<PLOT>"
COLLECTION = "<COLLECTION>"
COLLECTION_URL = "<COLLECTION_URL>"
JSON = "application/json"

HOSTILE_TEXT: tuple[str, ...] = (
    "", " ", "0", "-1", "1.5", "+1", " 1 ", "0x10", "1e400", "nan", "inf",
    "99999999999999999999", "-99999999999999999999", "9" * 5000,
    "²", "³²", "١٢", "x:²:³", "y:0:99999999999999999999", "0:٣",
    "\x00", "a\x00b", "%00", "\ud800", "a\udfffb", "\x7f", "\ufeff", "\u202e", "😀",
    "\r\n", "a\r\nSet-Cookie: x=y", "\t",
    "a" * 300, "é" * 300, "x" * 20_000,
    "../../etc/passwd", "<script>alert(1)</script>", "' OR '1'='1", "%", "_", "\\",
    "/\t/evil.example/", "//evil.example", "\\\\evil.example", "javascript:alert(1)",
    "[]", "{}", "null", "true",
)  # fmt: skip
"""Values of query parameters and form fields."""

HOSTILE_JSON: tuple[str, ...] = (
    "null", "true", "0", "-1", "1.5", "1e999", "99999999999999999999", "9" * 5000,
    "[]", "{}", "[1]", '{"a": 1}', '""', '" "', '"\\u0000"', '"a\\u0000b"', '"\\ud800"',
    '"a\\udfffb"', '"²"', '"99999999999999999999"', '"\\r\\n"', json.dumps("a" * 301),
    json.dumps("a" * 100_000), "[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000,
    "[" * 1000 + "]" * 1000,
)  # fmt: skip
"""Values of JSON fields, as JSON text (deep nesting and huge numbers cannot be dumped)."""

HOSTILE_BODIES: tuple[bytes, ...] = (
    b"", b" ", b"null", b"[]", b"{}", b"0", b'"x"', b"\xff\xfe\x00", b'"\\ud800"',
    b"[" * 5000, b"[" * 5000 + b"]" * 5000, b'{"a":' * 5000 + b"1" + b"}" * 5000,
    b"9" * 5000, b"\x1f\x8b\x08\x00garbage", b"\x00" * 100, b"a: &a [*a]",
)  # fmt: skip
"""Whole request bodies."""

HOSTILE_SEGMENTS: tuple[str, ...] = (
    "%00", "a%00b", "a" * 300, "..%2F..%2Fetc", "%ED%A0%80", "99999999999999999999",
    "%C2%B2", "-1", "0", "%0D%0A",
)  # fmt: skip
"""Path segments (already percent-encoded) in place of a plot or collection id."""

VIEW = ("logy", "rebin", "hide", "ratio", "style", "dpi", "project", "slice", "logz")
BROWSE = ("q", "tag", "author", "sort", "page", "per_page")
QUERY_ROUTES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("GET", "/api/plots", (*BROWSE, "collection"), "token"),
    ("POST", "/api/plots", ("visibility", "collection", "filename"), "token"),
    ("GET", f"/api/plots/{PLOT}", ("version",), "token"),
    ("PUT", f"/api/plots/{PLOT}", ("filename",), "token"),
    ("GET", f"/api/plots/{PLOT}/versions", ("version",), "token"),
    ("GET", "/api/collections", ("page",), "token"),
    ("GET", f"/api/collections/{COLLECTION}", ("page",), "token"),
    ("GET", "/api/uhepp/plots/", ("page", "per_page"), "token"),
    ("GET", f"/api/uhepp/plots/{PLOT}/", ("version",), "token"),
    ("GET", f"/api/uhepp/collections/{COLLECTION}/", ("page",), "token"),
    ("GET", "/", BROWSE, ""),
    ("GET", f"/plots/{PLOT}", ("version", *VIEW), ""),
    ("GET", f"/plots/{PLOT}/document.json", ("version",), ""),
    ("GET", f"/plots/{PLOT}/document.yaml", ("version",), ""),
    ("GET", f"/plots/{PLOT}/image.png", ("version", "download", *VIEW), ""),
    ("GET", "/collections/", ("page",), ""),
    ("GET", f"/collections/{COLLECTION}", BROWSE, ""),
    ("GET", "/upload", ("collection",), "session"),
    ("GET", "/login", ("next",), ""),
)
"""Each route with every query parameter it reads, and its caller."""

NEW_COLLECTION = {"title": "t", "description": "", "visibility": "public"}
FORM_ROUTES: tuple[tuple[str, dict[str, str], bool, str], ...] = (
    ("/upload", {"visibility": "public", "collection": ""}, True, "session"),
    (f"/plots/{PLOT}/versions", {}, True, "session"),
    ("/collections/new", NEW_COLLECTION, False, "session"),
    ("/login", {"next": "/", "token": "<TOKEN>"}, False, ""),
)  # fmt: skip
"""Each form with its valid fields, whether it takes a ``file``, and its caller."""

COLLECTION_BODY = {"title": "t", "description": "d", "visibility": "public"}
JSON_ROUTES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("/api/collections", COLLECTION_BODY),
    ("/api/uhepp/collections/", COLLECTION_BODY),
    ("/api/uhepp/plots/", {"uhepp": "<UHEPP>", "collection": COLLECTION_URL}),
)
"""Each JSON route with a valid body."""

UPLOAD_ROUTES = ("POST /api/plots", f"PUT /api/plots/{PLOT}", "FORM /upload")


@dataclass(frozen=True)
class Case:
    """One hostile request: the caller is ``token`` (alice's header), ``session`` (a
    client signed in as alice) or ``""`` (anonymous)."""

    group: str
    what: str
    method: str
    path: str
    query: str = ""
    body: bytes | None = None
    content_type: str | None = None
    caller: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def _q(value: str) -> str:
    return quote(value, safe="", errors="surrogatepass")


def _json_with(base: dict[str, Any], name: str, raw: str) -> bytes:
    """``base`` as JSON with field ``name`` set to the raw JSON text ``raw``."""
    marker = "__HOSTILE__"
    text = json.dumps({**base, name: marker})
    return text.replace(json.dumps(marker), raw, 1).encode("utf-8", "surrogatepass")


def _multipart(fields: dict[str, str], file: tuple[bytes, str] | None) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body (values encoded as given, lone surrogates included)."""
    boundary = "hostileboundary7MA4YWxk"
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + value.encode("utf-8", "surrogatepass") + b"\r\n")
    if file is not None:
        data, filename = file
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode("utf-8", "surrogatepass") + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _urlencoded(fields: dict[str, str]) -> bytes:
    return "&".join(f"{_q(k)}={_q(v)}" for k, v in fields.items()).encode()


def valid_document() -> dict[str, Any]:
    """A small valid histfmt document as JSON data: a stack of ``mc`` and ``data`` points."""
    doc = histfmt.Document.new([0.0, 1.0, 2.0], label="m")
    doc.add_yield("mc", [1.0, 2.0], label="MC").add_yield("data", [1.0, 3.0])
    doc.add_stack(["mc"]).add_stack(["data"], type="points")
    doc.metadata.title = "t"
    doc.metadata.tags = ["a"]
    result: dict[str, Any] = json.loads(histfmt.dumps(doc))
    return result


def hostile_documents() -> Iterator[tuple[str, bytes]]:
    """Valid-looking documents carrying hostile text where the database keeps it, and
    valid documents followed by garbage."""
    texts = ("\x00", "a\x00b", "\ud800", "a" * 301, "\r\n")
    for text in texts:
        for where in ("title", "author", "tag", "yield name", "yield label", "axis label"):
            doc = valid_document()
            if where == "title":
                doc["metadata"]["title"] = text
            elif where == "author":
                doc["metadata"]["author"] = text
            elif where == "tag":
                doc["metadata"]["tags"] = [text or "x"]
            elif where == "yield name":
                doc["yields"][text] = doc["yields"].pop("mc")
                doc["stacks"][0]["content"][0]["yields"] = [text]
            elif where == "yield label":
                doc["yields"]["mc"]["label"] = text
            else:
                doc["x"]["label"] = text
            yield f"{where}={text[:8]!r}", json.dumps(doc).encode("utf-8", "surrogatepass")
    valid = json.dumps(valid_document()).encode()
    yield "trailing garbage", valid + b" " * 1000 + b"THIS IS NOT JSON"
    yield "version with newline", valid.replace(b'"1.1"', b'"1.1\\n"')
    yield "duplicate keys", valid[:-1] + b', "yields": {}}'


def _valid_uhepp() -> dict[str, Any]:
    doc = histfmt.loads(json.dumps(valid_document()))
    result: dict[str, Any] = to_uhepp(doc)
    return result


def cases() -> Iterator[Case]:
    """The whole hostile corpus, every case tagged with its route group."""
    upload = json.dumps(valid_document()).encode()
    for method, path, names, caller in QUERY_ROUTES:
        group = f"{method} {path}"
        body = upload if method in ("POST", "PUT") else None
        for name in names:
            for value in HOSTILE_TEXT:
                query = f"{_q(name)}={_q(value)}"
                yield Case(
                    group, f"?{name}={value[:20]!r}", method, path, query, body, None, caller
                )
    for path, fields, takes_file, caller in FORM_ROUTES:
        group = f"FORM {path}"
        file = (upload, "plot.json") if takes_file else None
        names = list(fields) + (["file.filename"] if takes_file else [])
        for name in names:
            for value in HOSTILE_TEXT:
                if name == "file.filename":
                    body, kind = _multipart(fields, (upload, value))
                elif takes_file:
                    body, kind = _multipart({**fields, name: value}, file)
                else:
                    body, kind = _urlencoded({**fields, name: value}), None
                kind = kind or "application/x-www-form-urlencoded"
                yield Case(group, f"{name}={value[:20]!r}", "POST", path, "", body, kind, caller)
        if takes_file:
            for raw in HOSTILE_BODIES:
                body, kind = _multipart(fields, (raw, "plot.json"))
                yield Case(group, f"file={raw[:20]!r}", "POST", path, "", body, kind, caller)
            for what, raw in hostile_documents():
                body, kind = _multipart(fields, (raw, "plot.json"))
                yield Case(group, f"file {what}", "POST", path, "", body, kind, caller)
    for path, base in JSON_ROUTES:
        group = f"POST {path}"
        for name in base:
            for raw in HOSTILE_JSON:
                body = _json_with(base, name, raw)
                yield Case(group, f"{name}={raw[:20]}", "POST", path, "", body, JSON, "token")
        for raw in HOSTILE_BODIES:
            yield Case(group, f"body {raw[:20]!r}", "POST", path, "", raw, JSON, "token")
    for method_path in UPLOAD_ROUTES[:2]:
        method, path = method_path.split(" ")
        for raw in HOSTILE_BODIES:
            yield Case(method_path, f"body {raw[:20]!r}", method, path, "", raw, None, "token")
        for what, raw in hostile_documents():
            yield Case(method_path, f"body {what}", method, path, "", raw, None, "token")
    for what, raw in hostile_documents():
        body = b'{"collection": "' + COLLECTION_URL.encode() + b'", "uhepp": ' + raw + b"}"
        path = "/api/uhepp/plots/"
        yield Case(f"POST {path}", f"histfmt {what}", "POST", path, "", body, JSON, "token")
    segments = (
        ("GET", f"/api/plots/{PLOT}"), ("PUT", f"/api/plots/{PLOT}"),
        ("DELETE", f"/api/plots/{PLOT}"), ("GET", f"/plots/{PLOT}"),
        ("GET", f"/plots/{PLOT}/image.png"), ("GET", f"/plots/{PLOT}/document.json"),
        ("POST", f"/plots/{PLOT}/delete"), ("GET", f"/api/collections/{COLLECTION}"),
        ("DELETE", f"/api/collections/{COLLECTION}"), ("GET", f"/collections/{COLLECTION}"),
        ("GET", f"/api/uhepp/plots/{PLOT}/"), ("GET", f"/api/uhepp/collections/{COLLECTION}/"),
    )  # fmt: skip
    for method, path in segments:
        for segment in HOSTILE_SEGMENTS:
            hostile = path.replace(PLOT, segment).replace(COLLECTION, segment)
            caller = "session" if path.startswith("/plots") else "token"
            yield Case("path segments", f"{method} {hostile[:40]}", method, hostile, caller=caller)
    for header in ("Token " + "a" * 10_000, "Token ²", "Basic eA==", "Token", "token  x y"):
        what = f"Authorization={header[:20]!r}"
        yield Case("headers", what, "GET", "/api/plots", headers={"Authorization": header})


GROUPS = tuple(dict.fromkeys(case.group for case in cases()))


@dataclass
class World:
    """What the hostile requests aim at: alice's plot and collection, her token and a
    signed-in client."""

    app: Flask
    client: FlaskClient
    session: FlaskClient
    token: str
    plot: str
    collection: int
    collection_url: str
    uhepp: bytes

    def send(self, case: Case) -> TestResponse:
        path = case.path.replace(PLOT, self.plot).replace(COLLECTION, str(self.collection))
        body = case.body
        if body is not None:
            body = body.replace(COLLECTION_URL.encode(), self.collection_url.encode())
            body = body.replace(b'"<UHEPP>"', self.uhepp)
            body = body.replace(b"%3CTOKEN%3E", self.token.encode())
        headers = dict(case.headers)
        if case.caller == "token":
            headers["Authorization"] = f"Token {self.token}"
        client = self.session if case.caller == "session" else self.client
        return client.open(
            path, method=case.method, query_string=case.query or None, data=body,
            content_type=case.content_type, headers=headers,
        )  # fmt: skip


@pytest.fixture
def world(app: Flask, storage: Storage, client: FlaskClient) -> World:
    token = storage.create_token("alice")
    session = app.test_client()
    sign_in(session, token)
    app.config["WTF_CSRF_ENABLED"] = False  # the hostile values must reach the handlers
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is an answer to count, not a raise
    headers = {"Authorization": f"Token {token}"}
    response = client.post("/api/plots", data=json.dumps(valid_document()), headers=headers)
    assert response.status_code == 201, response.json
    answer = client.post("/api/uhepp/collections/", json=COLLECTION_BODY, headers=headers)
    assert answer.status_code == 201, answer.json
    uhepp = json.dumps(_valid_uhepp()).encode()
    return World(
        app, client, session, token, response.json["id"],  # type: ignore[index]
        answer.json["id"], answer.headers["Location"], uhepp,  # type: ignore[index]
    )  # fmt: skip


def problem(response: TestResponse) -> str | None:
    """What is wrong with the answer to a hostile request (None: nothing)."""
    status = response.status_code
    if status >= 500:
        return f"{status}: {response.get_data(as_text=True)[:200]}"
    location = response.headers.get("Location", "")
    if re.search(r"[\x00-\x1f]", location):
        return f"{status} with a control character in Location: {location!r}"
    if status < 400:
        return None
    if response.is_json:
        body = response.json
        message = body.get("error") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message.strip():
            return f"{status} without an error message: {body!r:.200}"
        return None
    if 'role="alert"' not in response.get_data(as_text=True):
        return f"{status} page without a message"
    return None


def _run(world: World, selected: list[Case]) -> list[str]:
    found = []
    for case in selected:
        why = problem(world.send(case))
        if why is not None:
            found.append(f"{case.method} {case.path} {case.what}: {why}")
    return found


@pytest.mark.parametrize("group", GROUPS)
def test_hostile_requests_are_answered_below_500_with_a_message(world: World, group: str) -> None:
    selected = [case for case in cases() if case.group == group]
    assert selected
    found = _run(world, selected)
    assert not found, f"{len(found)} of {len(selected)} bad answers:\n" + "\n".join(found[:30])


TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
TEXT_FIELDS = (
    ("GET", "/api/plots", "q"), ("GET", "/api/plots", "collection"),
    ("GET", "/", "page"), ("GET", f"/plots/{PLOT}", "rebin"),
    ("GET", f"/plots/{PLOT}", "project"), ("GET", f"/plots/{PLOT}", "hide"),
    ("GET", "/login", "next"), ("GET", f"/api/plots/{PLOT}", "version"),
)  # fmt: skip


@settings(
    max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(value=TEXT, where=st.sampled_from(TEXT_FIELDS), title=TEXT)
def test_random_text_is_answered_below_500(
    world: World, value: str, where: tuple[str, str, str], title: str
) -> None:
    """Any text in a query parameter, and as a collection title, is answered below 500."""
    method, path, name = where
    query = Case("random", name, method, path, f"{_q(name)}={_q(value)}", caller="token")
    body = _json_with(COLLECTION_BODY, "title", json.dumps(title))
    create = Case("random", "title", "POST", "/api/collections", "", body, JSON, "token")
    assert _run(world, [query, create]) == []


# -- the cases of issue 12, one by one --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/plots?page=99999999999999999999", "page: expected a whole number from 1 to"),
        ("/api/plots?per_page=101", "per_page: expected a whole number from 1 to 100"),
        ("/api/plots?collection=%C2%B2", "collection: expected a whole number"),
        (f"/api/plots/{PLOT}?version=99999999999999999999", "version: expected a whole number"),
        (f"/plots/{PLOT}?version=99999999999999999999", "version: expected a whole number"),
        (f"/plots/{PLOT}/image.png?version=%C2%B2", "version: expected a whole number"),
        ("/?page=-1", "page: expected a whole number"),
        ("/api/plots?q=a%00b", "q: contains NUL"),
    ],
)
def test_bad_query_integers_and_text_are_400_naming_the_parameter(
    world: World, url: str, message: str
) -> None:
    response = world.send(Case("named", url, "GET", url, caller="token"))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("filename=a%00b.json", "filename: contains NUL"),
        (f"filename={'a' * 251}.json", "filename: at most 255 characters; got 256"),
        ("collection=%C2%B2", "collection: expected a whole number"),
        ("collection=99999999999999999999", "collection: expected a whole number"),
    ],
)
def test_bad_upload_arguments_are_400(world: World, query: str, message: str) -> None:
    body = json.dumps(valid_document()).encode()
    response = world.send(Case("named", query, "POST", "/api/plots", query, body, None, "token"))
    assert response.status_code == 400
    assert message in response.json["error"]  # type: ignore[index]


@pytest.mark.parametrize("path", ["/api/collections", "/api/uhepp/collections/"])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"title": "\\ud800"}', "The body is not JSON"),
        (b"[" * 5000 + b"]" * 5000, "The body is not JSON"),
        (b'{"title": "a\\u0000b"}', "title: contains NUL"),
        (b'{"title": "t", "description": "\\u0000"}', "description: contains NUL"),
        (b'{"title": ' + b"[" * 1000 + b"]" * 1000 + b"}", "title: expected a string"),
        (b'{"title": "t", "visibility": 1}', "visibility: expected one of public, private"),
    ],
)
def test_bad_collection_bodies_are_400(world: World, path: str, body: bytes, message: str) -> None:
    response = world.send(Case("named", "body", "POST", path, "", body, JSON, "token"))
    assert response.status_code == 400
    assert message in response.json["error"]  # type: ignore[index]
    assert len(world.app.extensions["histfmt_storage"].list_collections(None)) == 1


@pytest.mark.parametrize(
    ("where", "path"),
    [
        ("title", "metadata.title"),
        ("tag", "metadata.tags[0]"),
        ("yield name", 'yields["a\x00b"]'),
        ("yield label", "yields.mc.label"),
    ],
)
def test_nul_in_stored_text_is_refused_with_its_path(world: World, where: str, path: str) -> None:
    """PostgreSQL text cannot hold NUL: refused at upload on both backends, every route."""
    raw = dict(hostile_documents())[f"{where}={'a' + chr(0) + 'b'!r}"]
    uhepp = {"collection": world.collection_url, "uhepp": to_uhepp(histfmt.loads(raw))}
    body = json.dumps(uhepp).encode()
    if b"\\u0000" in body:  # uhepp has a place for this text
        pushed = world.send(
            Case("named", where, "POST", "/api/uhepp/plots/", "", body, JSON, "token")
        )
        assert pushed.status_code == 400
        assert "contains NUL" in pushed.json["errors"][0]["message"]  # type: ignore[index]
    sends = [
        Case("named", where, "POST", "/api/plots", "", raw, None, "token"),
        Case("named", where, "PUT", f"/api/plots/{world.plot}", "", raw, None, "token"),
    ]
    for case in sends:
        response = world.send(case)
        assert response.status_code == 400, (case.method, case.path, response.json)
        errors = response.json["errors"]  # type: ignore[index]
        problem = {"path": path, "message": "contains NUL (\\u0000), which cannot be stored"}
        assert problem in errors, errors
    body, kind = _multipart({"visibility": "public"}, (raw, "plot.json"))
    page = world.send(Case("named", where, "POST", "/upload", "", body, kind, "session"))
    assert page.status_code == 400
    assert "contains NUL" in page.get_data(as_text=True)
    assert world.app.extensions["histfmt_storage"].search(None)[1] == 1  # the world's plot


def test_next_with_cr_lf_at_sign_in_stays_on_site(world: World) -> None:
    fields = {"next": "/\r\nSet-Cookie: x=y", "token": world.token}
    response = world.client.post("/login", data=fields)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/Set-Cookie:")
    assert not re.search(r"[\x00-\x1f]", location)
    assert "x=y" not in response.headers.get("Set-Cookie", "").split(";")[0]
