"""Helpers shared by the blueprints: the storage, the caller, access to plots and
collections, storing and deleting, query arguments, JSON bodies and the plot grid.

The one place for what more than one blueprint needs: a blueprint imports from here,
never from another blueprint.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, g, jsonify, redirect, request, session, url_for

from histfmt.errors import HistfmtError
from histfmt.model import Book, Document
from histfmt_viewer import storage_of
from histfmt_viewer.documents import (
    Refused,
    book_title,
    parse_book_upload,
    plot_info,
    stored_text,
)
from histfmt_viewer.images import drop_cached
from histfmt_viewer.storage import (
    SORTS,
    VISIBILITIES,
    Collection,
    Plot,
    Storage,
    User,
)

__all__ = [
    "MAX_PER_PAGE",
    "SORT_LABELS",
    "browse",
    "collection_json",
    "create_collection_from_json",
    "delete_owned_plot",
    "int_arg",
    "load_document",
    "owned_collection",
    "owned_plot",
    "owns",
    "parse_book",
    "refused_json",
    "require_session_user",
    "require_token_user",
    "session_user",
    "storage",
    "store_book",
    "store_plot",
    "store_version",
    "token_user",
    "visibility_arg",
    "visible_collection",
    "visible_plot",
]

MAX_PER_PAGE = 100
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
    plot = storage().get_plot(plot_id) if len(plot_id) <= 36 else None
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
    """A version of a plot (default: the newest) as a document; 404 if missing."""
    import histfmt

    version = storage().get_version(plot_id, number)
    if version is None:
        abort(404, "No such version.")
    return int(version.number), histfmt.loads(version.document)


# -- storing and deleting -----------------------------------------------------------------


def store_plot(user: User, doc: Document, *, visibility: str, collection_id: int | None) -> str:
    """Store ``doc`` as a new plot of ``user``; returns its id."""
    return storage().create_plot(
        user, plot_info(doc, owner=user.name), stored_text(doc),
        visibility=visibility, collection_id=collection_id,
    )  # fmt: skip


def parse_book(data: bytes, filename: str) -> Book:
    """Every plot of an upload (:func:`~histfmt_viewer.documents.parse_book_upload`)
    within the app's ``MAX_PLOTS_PER_UPLOAD``."""
    limit = int(current_app.config["MAX_PLOTS_PER_UPLOAD"])
    return parse_book_upload(data, filename, max_plots=limit)


def store_book(
    user: User, book: Book, *, filename: str, visibility: str, collection_id: int | None
) -> tuple[Collection, list[tuple[str, str]]]:
    """Store every plot of ``book`` (all or none) in ``collection_id``, or in a new
    collection of ``user`` titled after the book (else the file's stem) with
    ``visibility``; returns the collection and ``(path, plot id)`` in the book's order.
    """
    entries = [
        (plot_info(doc, owner=user.name, path=path), stored_text(doc))
        for path, doc in book.plots.items()
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


def store_version(plot_id: str, user: User, doc: Document) -> int:
    """Store ``doc`` as the next version of ``user``'s plot; returns its number."""
    return storage().add_version(plot_id, plot_info(doc, owner=user.name), stored_text(doc))


def delete_owned_plot(plot_id: str, user: User) -> None:
    """Delete ``user``'s plot with all its versions and cached images (404, 403 as
    :func:`owned_plot`)."""
    owned_plot(plot_id, user)
    storage().delete_plot(plot_id)
    drop_cached(Path(current_app.config["RENDER_CACHE"]), plot_id)


# -- the JSON APIs ------------------------------------------------------------------------


def int_arg(name: str, default: int, low: int = 1, high: int = 10**9) -> int:
    """The integer query argument ``name``, clamped to ``[low, high]``; 400 if not one."""
    text = request.args.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        abort(400, f"{name}: expected an integer; got {text!r}")
    return max(low, min(high, value))


def visibility_arg(value: Any, default: str = "public") -> str:
    """A visibility given in a request (``default`` when empty); 400 when unknown."""
    if value is None or value == "":
        return default
    if value not in VISIBILITIES:
        abort(400, f"visibility: expected one of {', '.join(VISIBILITIES)}; got {value!r}")
    return str(value)


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
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "Expected a JSON object with a 'title'.")
    title = body.get("title")
    description = body.get("description", "")
    if not isinstance(title, str) or not title.strip() or len(title) > 300:
        abort(400, "title: expected a non-empty string of at most 300 characters")
    if not isinstance(description, str):
        abort(400, "description: expected a string")
    visibility = visibility_arg(body.get("visibility"))
    return storage().create_collection(user, title.strip(), description, visibility)


# -- the plot grid of the pages -----------------------------------------------------------


def _page_args() -> tuple[int, int]:
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = int(request.args.get("per_page", current_app.config["PER_PAGE"]))
    except ValueError:
        abort(400, "page and per_page must be integers")
    return page, max(1, min(100, per_page))


def browse(endpoint: str, *, in_collection: int | None = None, **url_args: Any) -> dict[str, Any]:
    """One page of the plots the visitor may see, with the filters of the query string.

    Returns the template context of the plot grid: rows, counts and page links.
    """
    page, per_page = _page_args()
    query = {k: request.args.get(k, "") for k in FILTERS}
    rows, total = storage().search(
        session_user(), q=query["q"], tag=query["tag"] or None, author=query["author"] or None,
        collection_id=in_collection, sort=query["sort"] or "updated", page=page,
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
