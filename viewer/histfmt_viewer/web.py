"""Helpers shared by the blueprints: the storage, the caller, access to a plot."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request

from histfmt.model import Document
from histfmt_viewer.storage import Storage, User

__all__ = ["load_document", "storage", "token_user", "visible_plot"]


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


def visible_plot(plot_id: str, viewer: User | None) -> dict[str, Any]:
    """The plot row, or 404 when it does not exist or is private to someone else."""
    plot = storage().get_plot(plot_id) if len(plot_id) <= 36 else None
    if plot is None or (
        plot["visibility"] != "public" and (viewer is None or viewer.id != plot["owner_id"])
    ):
        abort(404, "No such plot.")
    return plot


def load_document(plot_id: str, number: int | None = None) -> tuple[int, Document]:
    """A version of a plot (default: the newest) as a document; 404 if missing."""
    import histfmt

    version = storage().get_version(plot_id, number)
    if version is None:
        abort(404, "No such version.")
    return int(version["number"]), histfmt.loads(version["document"])
