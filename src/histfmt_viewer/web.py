"""Helpers shared by the blueprints: the storage, the caller, access to a plot."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, request, session

from histfmt.model import Document
from histfmt_viewer.storage import Storage, User

__all__ = [
    "load_document",
    "owned_collection",
    "owned_plot",
    "owns",
    "session_user",
    "storage",
    "token_user",
    "visible_collection",
    "visible_plot",
]


def storage() -> Storage:
    result: Storage = current_app.extensions["histfmt_storage"]
    return result


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


def owns(viewer: User | None, row: dict[str, Any]) -> bool:
    """Whether ``viewer`` owns the plot or collection ``row``."""
    return viewer is not None and viewer.id == row["owner_id"]


def visible_plot(plot_id: str, viewer: User | None) -> dict[str, Any]:
    """The plot row, or 404 when it does not exist or is private to someone else."""
    plot = storage().get_plot(plot_id) if len(plot_id) <= 36 else None
    if plot is None or (plot["visibility"] != "public" and not owns(viewer, plot)):
        abort(404, "No such plot.")
    return plot


def visible_collection(collection_id: int, viewer: User | None) -> dict[str, Any]:
    """The collection row, or 404 when it does not exist or is private to someone else."""
    row = storage().get_collection(collection_id) if 0 < collection_id < 2**31 else None
    if row is None or (row["visibility"] != "public" and not owns(viewer, row)):
        abort(404, "No such collection.")
    return row


def owned_plot(plot_id: str, user: User) -> dict[str, Any]:
    """The plot row when ``user`` owns it: 404 if ``user`` cannot see it, else 403."""
    row = visible_plot(plot_id, user)
    if not owns(user, row):
        abort(403, "Only the owner of a plot may change or delete it.")
    return row


def owned_collection(collection_id: int, user: User) -> dict[str, Any]:
    """The collection row when ``user`` owns it: 404 if ``user`` cannot see it, else 403."""
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
    return int(version["number"]), histfmt.loads(version["document"])
