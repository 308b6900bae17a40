"""A small client of the web viewer's token API (``/api``), on ``urllib.request`` only.

Used by ``histfmt push`` and ``histfmt pull``; a book of many plots is pushed whole and
becomes a collection on the server (:func:`push_book`). Every failure is a :class:`RemoteError`
(a :class:`~histfmt.HistfmtError`) with a message fit for one line on a terminal (and,
for a refused upload, the server's list of problems), never a traceback.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from histfmt import __version__
from histfmt.errors import HistfmtError
from histfmt.io import from_builtins
from histfmt.model import Document

__all__ = [
    "TIMEOUT",
    "BookUpload",
    "Plot",
    "RemoteError",
    "default_filename",
    "normalize_server",
    "plot_address",
    "pull",
    "push",
    "push_book",
]

TIMEOUT = 30.0
"""Seconds to wait for the server to connect and to answer."""

NOT_FOUND = "no such plot (or it is private)"


class RemoteError(HistfmtError):
    """A request that failed: a one-line ``message``, and the server's ``errors`` if any."""

    def __init__(
        self, message: str, *, status: int | None = None, errors: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors or []

    def as_dicts(self) -> list[dict[str, str]]:
        """The server's problems with their JSON paths; else the message at ``$``."""
        return list(self.errors) or super().as_dicts()


@dataclass
class Plot:
    """A plot on the server: its id, page address and (for a pull) its document."""

    id: str
    url: str
    title: str = ""
    version: int = 0
    info: dict[str, Any] = field(default_factory=dict)
    document: Document | None = None


@dataclass
class BookUpload:
    """A book stored on the server: its collection and every plot, in the book's order."""

    collection_id: int
    collection_url: str
    title: str = ""
    plots: list[tuple[str, Plot]] = field(default_factory=list)  # (path in the book, plot)
    skipped: dict[str, str] = field(default_factory=dict)  # what the source file left out


def normalize_server(server: str) -> str:
    """The server's root address without a trailing slash; only http(s) is accepted."""
    text = server.strip().rstrip("/")
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(
            f"the server must be an http:// or https:// address such as "
            f"https://plots.example.org; got {server!r}"
        )
    return text


_PAGE = re.compile(r"^(?P<root>.*?)/(?:api/)?plots/(?P<id>[^/?#]+)(?:/[^?#]*)?$")


def plot_address(text: str) -> tuple[str, str, int | None] | None:
    """``(server, plot id, version)`` of a plot's address as the viewer shows it and
    ``push`` prints (``https://host[/prefix]/plots/ID[?version=N]``, its image and
    document links too); ``None`` when ``text`` is not an http(s) address."""
    parts = urllib.parse.urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    found = _PAGE.match(parts.path)
    if found is None:
        raise RemoteError(f"not the address of a plot (…/plots/ID): {text!r}")
    versions = urllib.parse.parse_qs(parts.query).get("version", [])
    version = None
    if versions:
        if not versions[0].isascii() or not versions[0].isdigit() or len(versions[0]) > 9:
            raise RemoteError(f"the address's version is not a number: {versions[0]!r}")
        version = int(versions[0])
    server = f"{parts.scheme}://{parts.netloc}{found['root']}"
    return server, urllib.parse.unquote(found["id"]), version


def _request(
    method: str,
    url: str,
    *,
    token: str | None,
    data: bytes | None = None,
    timeout: float = TIMEOUT,
) -> tuple[int, Any]:
    """Send one request; the status and the decoded JSON answer (also of 4xx/5xx)."""
    headers = {"Accept": "application/json", "User-Agent": f"histfmt/{__version__}"}
    if token:
        headers["Authorization"] = f"Token {token}"
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    server = urllib.parse.urlsplit(url)
    where = f"{server.scheme}://{server.netloc}"
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = int(response.status), response.read()
    except urllib.error.HTTPError as error:
        status = int(error.code)
        try:
            body = error.read()
        except OSError:
            body = b""
        finally:
            error.close()
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise RemoteError(f"no answer from {where} within {timeout:g} s") from None
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else reason
        raise RemoteError(f"cannot reach {where}: {text}") from None
    except TimeoutError:
        raise RemoteError(f"no answer from {where} within {timeout:g} s") from None
    except OSError as error:  # reset connections, a disconnect half-way, ...
        raise RemoteError(f"connection to {where} failed: {error.strerror or error}") from None
    except ValueError as error:  # http.client's malformed answers, bad URLs
        raise RemoteError(f"bad answer from {where}: {error}") from None
    try:
        answer = json.loads(body) if body else {}
    except (ValueError, UnicodeDecodeError):
        answer = None
    if answer is None or not isinstance(answer, dict):
        raise RemoteError(
            f"{where} did not answer like a histfmt viewer (HTTP {status}, not a JSON object); "
            "check the server address",
            status=status,
        )
    return status, answer


def _message(answer: dict[str, Any], status: int) -> str:
    error = answer.get("error")
    return str(error) if error else f"HTTP {status}"


def _unexpected(status: int, answer: dict[str, Any]) -> RemoteError:
    if status == 401:
        return RemoteError(
            f"the server refused the token (HTTP 401): {_message(answer, status)}", status=status
        )
    if status == 403:
        return RemoteError(f"not allowed (HTTP 403): {_message(answer, status)}", status=status)
    return RemoteError(
        f"the server answered HTTP {status}: {_message(answer, status)}", status=status
    )


def _plot(server: str, answer: dict[str, Any]) -> Plot:
    plot_id = answer.get("id")
    if not isinstance(plot_id, str):
        raise RemoteError("the server's answer has no plot id")
    url = answer.get("url")
    page = urllib.parse.urljoin(f"{server}/", str(url)) if url else f"{server}/plots/{plot_id}"
    version = answer.get("version")
    return Plot(
        id=plot_id,
        url=page,
        title=str(answer.get("title") or ""),
        version=version if isinstance(version, int) else 0,
        info={k: v for k, v in answer.items() if k != "document"},
    )


def _upload(
    server: str,
    token: str,
    data: bytes,
    query: dict[str, str],
    *,
    collection: int | None,
    private: bool,
    timeout: float,
) -> dict[str, Any]:
    """POST an upload; the server's answer to a 201, else a :class:`RemoteError`."""
    query = {**query, "visibility": "private" if private else "public"}
    if collection is not None:
        query["collection"] = str(collection)
    url = f"{server}/api/plots?{urllib.parse.urlencode(query)}"
    status, answer = _request("POST", url, token=token, data=data, timeout=timeout)
    if status == 201:
        result: dict[str, Any] = answer
        return result
    if status in (400, 413) and isinstance(answer.get("errors"), list):
        errors = [
            {"path": str(e.get("path", "$")), "message": str(e.get("message", ""))}
            for e in answer["errors"]
            if isinstance(e, dict)
        ]
        raise RemoteError(_message(answer, status), status=status, errors=errors)
    if status == 404 and collection is not None:
        raise RemoteError(
            f"no such collection: {collection} (or it is private to someone else)", status=status
        )
    raise _unexpected(status, answer)


def push(
    server: str,
    token: str,
    data: bytes,
    *,
    collection: int | None = None,
    private: bool = False,
    timeout: float = TIMEOUT,
) -> Plot:
    """Upload a document (JSON bytes); the new plot. A refused upload lists every error."""
    server = normalize_server(server)
    answer = _upload(
        server, token, data, {}, collection=collection, private=private, timeout=timeout
    )
    return _plot(server, answer)


def push_book(
    server: str,
    token: str,
    data: bytes,
    *,
    filename: str = "book.json",
    collection: int | None = None,
    private: bool = False,
    timeout: float = TIMEOUT,
) -> BookUpload:
    """Upload a book of many plots (JSON bytes), all or nothing: stored in a new
    collection (titled after the book, else ``filename``'s stem) or in ``collection``.
    A refused upload lists every error, each under its plot's path."""
    server = normalize_server(server)
    answer = _upload(
        server, token, data, {"filename": filename},
        collection=collection, private=private, timeout=timeout,
    )  # fmt: skip
    found = answer.get("collection")
    listed = answer.get("plots")
    if not isinstance(found, dict) or not isinstance(found.get("id"), int):
        raise RemoteError("the server's answer has no collection (is it older than this client?)")
    if not isinstance(listed, list):
        raise RemoteError("the server's answer lists no plots")
    url = found.get("url") or f"/collections/{found['id']}"
    skipped = answer.get("skipped")
    return BookUpload(
        collection_id=found["id"],
        collection_url=urllib.parse.urljoin(f"{server}/", str(url)),
        title=str(found.get("title") or ""),
        plots=[(str(p.get("path", "")), _plot(server, p)) for p in listed if isinstance(p, dict)],
        skipped={str(k): str(v) for k, v in skipped.items()} if isinstance(skipped, dict) else {},
    )


def pull(
    server: str,
    plot_id: str,
    *,
    token: str | None = None,
    version: int | None = None,
    timeout: float = TIMEOUT,
) -> Plot:
    """Download a plot with its document, validated."""
    server = normalize_server(server)
    url = f"{server}/api/plots/{urllib.parse.quote(plot_id, safe='')}"
    if version is not None:
        url += f"?version={version}"
    status, answer = _request("GET", url, token=token, timeout=timeout)
    if status == 404:
        if version is not None and "version" in _message(answer, status).lower():
            raise RemoteError(f"plot {plot_id} has no version {version}", status=status)
        raise RemoteError(NOT_FOUND, status=status)
    if status != 200:
        raise _unexpected(status, answer)
    plot = _plot(server, answer)
    document = answer.get("document")
    if not isinstance(document, dict):
        raise RemoteError("the server's answer has no document")
    plot.document = from_builtins(document, filename=f"plot {plot_id}")
    return plot


_UNSAFE = re.compile(r"[^A-Za-z0-9.+-]+")


def default_filename(title: str, plot_id: str) -> str:
    """A file name for a pulled plot: its title made safe (else its id), ``.json``.

    >>> default_filename("Dilepton mass: $m_{ll}$ / SR", "abc")
    'Dilepton_mass_m_ll_SR.json'
    >>> default_filename("../..", "abc")
    'abc.json'
    """
    stem = _UNSAFE.sub("_", title).strip("._-+")[:100].rstrip("._-+")
    if not stem:
        stem = _UNSAFE.sub("_", plot_id).strip("._-+")[:100] or "plot"
    return f"{stem}.json"
