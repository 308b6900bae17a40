"""The JSON API under ``/api``: token authentication, plots, versions, collections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from histfmt.io import to_builtins
from histfmt_viewer.documents import Refused, parse_upload, plot_info, stored_text
from histfmt_viewer.images import drop_cached
from histfmt_viewer.storage import VISIBILITIES, User
from histfmt_viewer.web import (
    load_document,
    owned_collection,
    owned_plot,
    storage,
    token_user,
    visible_collection,
    visible_plot,
)

__all__ = ["bp"]

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_PER_PAGE = 100


def _require_user() -> User:
    user = token_user()
    if user is None:
        abort(401, "Authentication required: send 'Authorization: Token <your token>'.")
    return user


def int_arg(name: str, default: int, low: int = 1, high: int = 10**9) -> int:
    text = request.args.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        abort(400, f"{name}: expected an integer; got {text!r}")
    return max(low, min(high, value))


def _visibility(value: Any, default: str = "public") -> str:
    if value is None or value == "":
        return default
    if value not in VISIBILITIES:
        abort(400, f"visibility: expected one of {', '.join(VISIBILITIES)}; got {value!r}")
    return str(value)


def refused(error: Refused) -> tuple[Response, int]:
    return jsonify(error="The document was refused; nothing was stored.", errors=error.errors), 400


def _summary(plot: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": plot["id"],
        "title": plot["title"],
        "author": plot["author"],
        "tags": plot["tags"],
        "owner": plot["owner"],
        "visibility": plot["visibility"],
        "collection": plot["collection_id"],
        "version": plot["latest"],
        "created": plot["created"].isoformat(),
        "updated": plot["updated"].isoformat(),
        "url": url_for("pages.plot", plot_id=plot["id"]),
        "api_url": url_for("api.get_plot", plot_id=plot["id"]),
    }


def _collection_for_upload(user: User) -> int | None:
    text = request.args.get("collection")
    if not text:
        return None
    if not text.isdigit():
        abort(404, "No such collection.")
    return int(owned_collection(int(text), user)["id"])


@bp.post("/plots")
def create_plot() -> Any:
    """Upload a document (histfmt, uhepp, UHI or HEPData); 201 with its id."""
    user = _require_user()
    visibility = _visibility(request.args.get("visibility"))
    collection_id = _collection_for_upload(user)
    try:
        doc = parse_upload(request.get_data(), request.args.get("filename", "upload.json"))
    except Refused as error:
        return refused(error)
    plot_id = storage().create_plot(
        user, plot_info(doc, owner=user.name), stored_text(doc),
        visibility=visibility, collection_id=collection_id,
    )  # fmt: skip
    plot = storage().get_plot(plot_id)
    assert plot is not None
    return jsonify(_summary(plot)), 201


@bp.get("/plots")
def list_plots() -> Any:
    """Search: ``q`` (every word), ``tag``, ``author``, ``collection``, ``sort``, pages."""
    viewer = token_user()
    page = int_arg("page", 1)
    per_page = int_arg("per_page", 20, high=MAX_PER_PAGE)
    collection = request.args.get("collection")
    rows, total = storage().search(
        viewer,
        q=request.args.get("q", ""),
        tag=request.args.get("tag") or None,
        author=request.args.get("author") or None,
        collection_id=int_arg("collection", 0) if collection else None,
        sort=request.args.get("sort", "updated"),
        page=page,
        per_page=per_page,
    )
    return jsonify(plots=[_summary(r) for r in rows], page=page, per_page=per_page, total=total)


@bp.get("/plots/<plot_id>")
def get_plot(plot_id: str) -> Any:
    """Metadata and the document (``?version=N``; default the newest)."""
    plot = visible_plot(plot_id, token_user())
    number = int_arg("version", 0) or None
    version, doc = load_document(plot_id, number)
    return jsonify({**_summary(plot), "version": version, "document": to_builtins(doc)})


@bp.put("/plots/<plot_id>")
def update_plot(plot_id: str) -> Any:
    """A new version of a plot (owner only)."""
    user = _require_user()
    owned_plot(plot_id, user)
    try:
        doc = parse_upload(request.get_data(), request.args.get("filename", "upload.json"))
    except Refused as error:
        return refused(error)
    number = storage().add_version(plot_id, plot_info(doc, owner=user.name), stored_text(doc))
    plot = storage().get_plot(plot_id)
    assert plot is not None
    return jsonify({**_summary(plot), "version": number})


@bp.delete("/plots/<plot_id>")
def delete_plot(plot_id: str) -> Any:
    owned_plot(plot_id, _require_user())
    storage().delete_plot(plot_id)
    drop_cached(Path(current_app.config["RENDER_CACHE"]), plot_id)
    return "", 204


@bp.get("/plots/<plot_id>/versions")
def versions(plot_id: str) -> Any:
    visible_plot(plot_id, token_user())
    rows = storage().list_versions(plot_id)
    return jsonify(
        versions=[{"number": r["number"], "created": r["created"].isoformat()} for r in rows]
    )


def collection_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "visibility": row["visibility"],
        "owner": row["owner"],
        "plot_count": row["plot_count"],
        "created": row["created"].isoformat(),
    }


@bp.post("/collections")
def create_collection() -> Any:
    """``{"title": ..., "description": ..., "visibility": ...}`` -> 201 ``{"id": ...}``."""
    user = _require_user()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "Expected a JSON object with a 'title'.")
    title = body.get("title")
    description = body.get("description", "")
    if not isinstance(title, str) or not title.strip() or len(title) > 300:
        abort(400, "title: expected a non-empty string of at most 300 characters")
    if not isinstance(description, str):
        abort(400, "description: expected a string")
    visibility = _visibility(body.get("visibility"))
    collection_id = storage().create_collection(user, title.strip(), description, visibility)
    return jsonify(id=collection_id), 201


@bp.get("/collections")
def list_collections() -> Any:
    return jsonify(
        collections=[collection_json(r) for r in storage().list_collections(token_user())]
    )


@bp.get("/collections/<int:collection_id>")
def get_collection(collection_id: int) -> Any:
    viewer = token_user()
    row = visible_collection(collection_id, viewer)
    plots, total = storage().search(viewer, collection_id=collection_id, per_page=MAX_PER_PAGE)
    return jsonify({**collection_json(row), "plots": [_summary(p) for p in plots], "total": total})


@bp.delete("/collections/<int:collection_id>")
def delete_collection(collection_id: int) -> Any:
    """Delete a collection (owner only); its plots stay, outside any collection."""
    owned_collection(collection_id, _require_user())
    storage().delete_collection(collection_id)
    return "", 204
