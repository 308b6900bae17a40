"""Helpers shared by the blueprints: the storage, the caller, access to plots and
collections, storing and deleting, what a request carries (its body within
``MAX_CONTENT_LENGTH``, JSON, integers and text from the user) and the plot grid.

The one place for what more than one blueprint needs: a blueprint imports from here,
never from another blueprint. Every integer from a URL, a form or a JSON string goes
through :func:`parse_int` (ASCII digits, bounded) and every text from the user through
:func:`user_text_problem` (no NUL, no lone surrogate, bounded length), so a hostile
value is a 400 naming its field before it reaches the database.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, TypeVar

from flask import Response, abort, current_app, g, jsonify, redirect, request, session, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from histfmt.errors import HistfmtError, kind_of
from histfmt.model import Book, Document
from histfmt_viewer import storage_of
from histfmt_viewer.documents import (
    Checked,
    CheckedBook,
    Refused,
    UploadLimits,
    book_title,
    checked_plots,
    checked_text,
    parse_upload,
    plot_info,
    text_problem,
)
from histfmt_viewer.images import drop_cached
from histfmt_viewer.parsed import EXTENSION as PARSED_EXTENSION
from histfmt_viewer.parsed import ParsedDocuments
from histfmt_viewer.storage import (
    SORTS,
    VISIBILITIES,
    Collection,
    Plot,
    Storage,
    User,
)

__all__ = [
    "MAX_ID",
    "MAX_PER_PAGE",
    "SORT_LABELS",
    "browse",
    "collection_json",
    "create_collection_from_json",
    "delete_owned_plot",
    "filename_arg",
    "int_arg",
    "json_body",
    "load_document",
    "owned_collection",
    "owned_plot",
    "owns",
    "parse_document",
    "parse_int",
    "refused_json",
    "request_body",
    "require_session_user",
    "require_token_user",
    "session_user",
    "sort_arg",
    "storage",
    "store_book",
    "store_plot",
    "store_version",
    "text_arg",
    "token_user",
    "upload_limits",
    "user_text",
    "user_text_problem",
    "visibility_arg",
    "visible_collection",
    "visible_plot",
]

T = TypeVar("T")
MAX_PER_PAGE = 100
MAX_ID = 2**31 - 1
"""The largest id or version number (the databases' INTEGER)."""
MAX_FILENAME = 255
MAX_TITLE = 300
MAX_DESCRIPTION = 10_000
MAX_QUERY = 1000
READ_CHUNK = 64 * 1024
_PLOT_ID = re.compile("[0-9A-Za-z-]{1,36}")  # a UUID; anything else is no plot
FILTERS = ("q", "tag", "author", "sort")
SORT_LABELS = {
    "updated": "Recently updated",
    "created": "Newest",
    "oldest": "Oldest",
    "title": "Title",
}
assert set(SORT_LABELS) == set(SORTS)


def storage() -> Storage:
    """The storage of the current app."""
    return storage_of(current_app)


# -- the caller ---------------------------------------------------------------------------


def token_user() -> User | None:
    """The user of an ``Authorization: Token <token>`` header; None without one.

    A header that is present but wrong is a 401 (never silently anonymous).
    """
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    user = storage().user_for_token(token.strip()) if scheme.lower() == "token" else None
    if user is None:
        abort(401, "Invalid token: use the header 'Authorization: Token <your token>'.")
    return user


def require_token_user() -> User:
    """The user of the token header; 401 without one."""
    user = token_user()
    if user is None:
        abort(401, "Authentication required: send 'Authorization: Token <your token>'.")
    return user


def session_user() -> User | None:
    """The user signed in to the pages (a session cookie); None when signed out.

    The session keeps the hash of the token used to sign in: deleting that token
    signs the browser out too.
    """
    if "session_user" not in g:
        digest = session.get("token_hash")
        user = storage().user_for_token_hash(digest) if isinstance(digest, str) else None
        if user is None and digest is not None:
            session.clear()
        g.session_user = user
    result: User | None = g.session_user
    return result


def require_session_user() -> User:
    """The signed-in user; otherwise a redirect to the sign-in page (then back here)."""
    user = session_user()
    if user is None:
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?")), 303))
    return user


# -- access to plots and collections ------------------------------------------------------


def owns(viewer: User | None, row: Plot | Collection) -> bool:
    """Whether ``viewer`` owns the plot or collection ``row``."""
    return viewer is not None and viewer.id == row.owner_id


def visible_plot(plot_id: str, viewer: User | None) -> Plot:
    """The plot, or 404 when it does not exist or is private to someone else."""
    plot = storage().get_plot(plot_id) if _PLOT_ID.fullmatch(plot_id) else None
    if plot is None or (plot.visibility != "public" and not owns(viewer, plot)):
        abort(404, "No such plot.")
    return plot


def visible_collection(collection_id: int, viewer: User | None) -> Collection:
    """The collection, or 404 when it does not exist or is private to someone else."""
    row = storage().get_collection(collection_id) if 0 < collection_id < 2**31 else None
    if row is None or (row.visibility != "public" and not owns(viewer, row)):
        abort(404, "No such collection.")
    return row


def owned_plot(plot_id: str, user: User) -> Plot:
    """The plot when ``user`` owns it: 404 if ``user`` cannot see it, else 403."""
    row = visible_plot(plot_id, user)
    if not owns(user, row):
        abort(403, "Only the owner of a plot may change or delete it.")
    return row


def owned_collection(collection_id: int, user: User) -> Collection:
    """The collection when ``user`` owns it: 404 if ``user`` cannot see it, else 403."""
    row = visible_collection(collection_id, user)
    if not owns(user, row):
        abort(403, "Only the owner of a collection may change or delete it.")
    return row


def load_document(plot_id: str, number: int | None = None) -> tuple[int, Document]:
    """A version of a plot (default: the newest) as a document; 404 if missing. A
    numbered version read lately in this process is not read again
    (:class:`~histfmt_viewer.parsed.ParsedDocuments`)."""
    import histfmt

    memory: ParsedDocuments = current_app.extensions[PARSED_EXTENSION]
    if number is not None and (doc := memory.get(plot_id, number)) is not None:
        return number, doc
    version = storage().get_version(plot_id, number)
    if version is None:
        abort(404, "No such version.")
    doc = histfmt.loads(version.document)
    memory.put(plot_id, int(version.number), doc, len(version.document))
    return int(version.number), doc


# -- storing and deleting -----------------------------------------------------------------


def store_plot(user: User, doc: Checked, *, visibility: str, collection_id: int | None) -> str:
    """Store ``doc`` as a new plot of ``user``; returns its id."""
    return storage().create_plot(
        user, plot_info(doc, owner=user.name), checked_text(doc),
        visibility=visibility, collection_id=collection_id,
    )  # fmt: skip


def upload_limits() -> UploadLimits:
    """The app's limits of one upload (``MAX_PLOTS_PER_UPLOAD``, ``MAX_BINS_PER_UPLOAD``,
    ``MAX_YIELDS_PER_PLOT``)."""
    config = current_app.config
    return UploadLimits(
        max_plots_per_upload=int(config["MAX_PLOTS_PER_UPLOAD"]),
        max_bins_per_upload=int(config["MAX_BINS_PER_UPLOAD"]),
        max_yields_per_plot=int(config["MAX_YIELDS_PER_PLOT"]),
    )


def parse_document(data: bytes, filename: str) -> Checked:
    """The one document of an upload (:func:`~histfmt_viewer.documents.parse_upload`)
    within the app's :func:`upload_limits`."""
    return parse_upload(data, filename, limits=upload_limits())


def store_book(
    user: User, book: CheckedBook, *, filename: str, visibility: str, collection_id: int | None
) -> tuple[Collection, list[tuple[str, str]]]:
    """Store every plot of ``book`` (all or none) in ``collection_id``, or in a new
    collection of ``user`` titled after the book (else the file's stem) with
    ``visibility``; returns the collection and ``(path, plot id)`` in the book's order.
    """
    entries = [
        (plot_info(doc, owner=user.name, path=path), checked_text(doc))
        for path, doc in checked_plots(book)
    ]
    new = None if collection_id is not None else (book_title(book, filename), _description(book))
    chosen, ids = storage().create_plots(
        user, entries, visibility=visibility, collection_id=collection_id, new_collection=new
    )
    assert chosen is not None
    row = storage().get_collection(chosen)
    assert row is not None
    return row, list(zip(book.plots, ids, strict=True))


def _description(book: Book) -> str:
    text = book.metadata.description
    return text if isinstance(text, str) else ""


def store_version(plot_id: str, user: User, doc: Checked) -> int:
    """Store ``doc`` as the next version of ``user``'s plot; returns its number."""
    return storage().add_version(plot_id, plot_info(doc, owner=user.name), checked_text(doc))


def delete_owned_plot(plot_id: str, user: User) -> None:
    """Delete ``user``'s plot with all its versions and cached images (404, 403 as
    :func:`owned_plot`)."""
    owned_plot(plot_id, user)
    storage().delete_plot(plot_id)
    drop_cached(Path(current_app.config["RENDER_CACHE"]), plot_id)


# -- what a request carries ---------------------------------------------------------------


def request_body() -> bytes:
    """The whole request body, read through a capped stream: 413 naming
    ``MAX_CONTENT_LENGTH`` when it is longer, with a ``Content-Length`` or without one
    (``Transfer-Encoding: chunked``). Never a body cut at the limit (werkzeug's
    ``get_data`` returns a chunked body cut at the limit as if it ended there)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.content_length is None and request.environ.get("wsgi.input_terminated"):
        stream = request.input_stream  # the server ends it (chunked): read to its end
    else:
        stream = request.stream  # Content-Length: werkzeug answers 413 beyond the limit
    cap = None if limit is None else int(limit) + 1  # one byte more tells "too long"
    chunks: list[bytes] = []
    size = 0
    while cap is None or size < cap:
        chunk = stream.read(READ_CHUNK if cap is None else min(READ_CHUNK, cap - size))
        if not chunk:
            break
        size += len(chunk)
        chunks.append(chunk)
    if cap is not None and size >= cap:
        raise RequestEntityTooLarge()
    return b"".join(chunks)


def json_body() -> Any:
    """The request body as JSON: 400 saying why when it is not JSON (deeper than 1024
    levels, a lone surrogate, trailing characters), 413 beyond ``MAX_CONTENT_LENGTH``."""
    import orjson

    data = request_body()
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        abort(400, f"The body is not JSON: {error}")


def parse_int(text: str, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """The whole number ``text`` (ASCII digits only) when it lies in ``[low, high]``;
    None otherwise (``"²"``, ``"-1"``, ``" 1"``, ``"1e3"``, 20 digits)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def int_arg(name: str, default: T, *, low: int = 1, high: int = MAX_ID) -> int | T:
    """The integer query argument ``name`` (``default`` when absent or empty); 400 naming
    it and the range when it is not a whole number in ``[low, high]``."""
    text = request.args.get(name)
    if text is None or text == "":
        return default
    value = parse_int(text, low=low, high=high)
    if value is None:
        abort(400, f"{name}: expected a whole number from {low} to {high}; got {text[:40]!r}")
    return value


def user_text_problem(value: object, *, max_length: int, required: bool = False) -> str | None:
    """Why ``value`` is no text the viewer can store (None: it is): not a string, empty
    when ``required``, longer than ``max_length``, NUL or a lone surrogate."""
    if not isinstance(value, str):
        return f"expected a string; got {kind_of(value)}"
    if required and not value.strip():
        return "must not be empty"
    if len(value) > max_length:
        return f"at most {max_length} characters; got {len(value)}"
    return text_problem(value)


def user_text(value: object, name: str, *, max_length: int, required: bool = False) -> str:
    """``value``, a text from the user; 400 naming ``name`` and the problem otherwise
    (:func:`user_text_problem`)."""
    problem = user_text_problem(value, max_length=max_length, required=required)
    if problem is not None:
        abort(400, f"{name}: {problem}")
    assert isinstance(value, str)
    return value


def text_arg(name: str, default: str = "", *, max_length: int = MAX_QUERY) -> str:
    """The text query argument ``name`` (:func:`user_text`)."""
    return user_text(request.args.get(name, default), name, max_length=max_length)


def sort_arg() -> str:
    """The ``sort`` query argument: one of :data:`SORT_LABELS` (``updated`` when empty)."""
    sort = text_arg("sort") or "updated"
    if sort not in SORT_LABELS:
        abort(400, f"sort: expected one of {', '.join(SORT_LABELS)}; got {sort[:40]!r}")
    return sort


def filename_arg() -> str:
    """The ``filename`` query argument of an upload: a name of at most 255 characters."""
    return user_text(
        request.args.get("filename", "upload.json"), "filename", max_length=MAX_FILENAME
    )


def visibility_arg(value: Any, default: str = "public") -> str:
    """A visibility given in a request (``default`` when empty); 400 when unknown."""
    if value is None or value == "":
        return default
    if not isinstance(value, str) or value not in VISIBILITIES:
        got = repr(value[:40]) if isinstance(value, str) else kind_of(value)
        abort(400, f"visibility: expected one of {', '.join(VISIBILITIES)}; got {got}")
    return value


# -- the JSON APIs ------------------------------------------------------------------------


def refused_json(error: HistfmtError, status: int = 400) -> tuple[Response, int]:
    """The answer to a refused upload (400, or ``status``): every issue with its JSON path."""
    errors = Refused.of(error).as_dicts()
    return jsonify(error="The document was refused; nothing was stored.", errors=errors), status


def collection_json(row: Collection) -> dict[str, Any]:
    """A collection as the JSON APIs show it."""
    return {
        "id": row.id,
        "url": url_for("collections.show", collection_id=row.id),
        "title": row.title,
        "description": row.description,
        "visibility": row.visibility,
        "owner": row.owner,
        "plot_count": row.plot_count,
        "created": row.created.isoformat(),
    }


def create_collection_from_json(user: User) -> int:
    """A new collection of ``user`` from the JSON body ``{"title", "description",
    "visibility"}``; returns its id; 400 when the body is wrong."""
    body = json_body()
    if not isinstance(body, dict):
        abort(400, "Expected a JSON object with a 'title'.")
    title = user_text(body.get("title"), "title", max_length=MAX_TITLE, required=True)
    description = user_text(body.get("description", ""), "description", max_length=MAX_DESCRIPTION)
    visibility = visibility_arg(body.get("visibility"))
    return storage().create_collection(user, title.strip(), description, visibility)


# -- the plot grid of the pages -----------------------------------------------------------


def _page_args() -> tuple[int, int]:
    page = int_arg("page", 1)
    per_page = int_arg("per_page", int(current_app.config["PER_PAGE"]), high=MAX_PER_PAGE)
    return page, per_page


def browse(endpoint: str, *, in_collection: int | None = None, **url_args: Any) -> dict[str, Any]:
    """One page of the plots the visitor may see, with the filters of the query string.

    Returns the template context of the plot grid: rows, counts and page links.
    """
    page, per_page = _page_args()
    query = {k: text_arg(k) for k in FILTERS}
    sort = sort_arg()
    rows, total = storage().search(
        session_user(), q=query["q"], tag=query["tag"] or None, author=query["author"] or None,
        collection_id=in_collection, sort=sort, page=page,
        per_page=per_page,
    )  # fmt: skip
    pages = max(1, math.ceil(total / per_page))

    def page_url(number: int) -> str:
        args: dict[str, Any] = {k: v for k, v in query.items() if v}
        return url_for(endpoint, page=number, per_page=per_page, **url_args, **args)

    return {
        "plots": rows, "total": total, "page": page, "pages": pages, "query": query,
        "page_url": page_url, "sorts": SORT_LABELS,
    }  # fmt: skip
