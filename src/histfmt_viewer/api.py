"""The JSON API under ``/api``: token authentication, plots, versions, collections."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, url_for

from histfmt.io import to_builtins
from histfmt_viewer.documents import Refused, TooLarge, checked_plots
from histfmt_viewer.fit_uploads import api_book
from histfmt_viewer.storage import Plot, User
from histfmt_viewer.web import (
    MAX_PER_PAGE,
    collection_json,
    create_collection_from_json,
    delete_owned_plot,
    filename_arg,
    int_arg,
    load_document,
    owned_collection,
    owned_plot,
    parse_document,
    refused_json,
    request_body,
    require_token_user,
    sort_arg,
    storage,
    store_book,
    store_plot,
    store_version,
    text_arg,
    token_user,
    visibility_arg,
    visible_collection,
    visible_plot,
)

__all__ = ["bp"]

bp = Blueprint("api", __name__, url_prefix="/api")


def _summary(plot: Plot) -> dict[str, Any]:
    return {
        "id": plot.id,
        "title": plot.title,
        "author": plot.author,
        "tags": plot.tags,
        "owner": plot.owner,
        "visibility": plot.visibility,
        "collection": plot.collection_id,
        "version": plot.latest,
        "created": plot.created.isoformat(),
        "updated": plot.updated.isoformat(),
        "url": url_for("pages.plot", plot_id=plot.id),
        "api_url": url_for("api.get_plot", plot_id=plot.id),
    }


def _collection_for_upload(user: User) -> int | None:
    number = int_arg("collection", None)
    return None if number is None else owned_collection(number, user).id


@bp.post("/plots")
def create_plot() -> Any:
    """Upload a document (histfmt, uhepp, UHI, HEPData, a pyhf workspace, ...): 201 with
    the plot (a pyhf workspace: ``?fit=1`` post-fit, a multipart body with a plot
    ``description``; see :mod:`~histfmt_viewer.fit_uploads`).

    An upload of many plots (a book, a UHI file of many histograms, a HEPData
    submission) is stored all or nothing, in a new collection or in ``?collection=ID``:
    201 with ``{"collection", "plots": [{"path", "id", "url"}], "skipped"}``.
    """
    user = require_token_user()
    visibility = visibility_arg(request.args.get("visibility"))
    collection_id = _collection_for_upload(user)
    filename = filename_arg()
    try:
        book = api_book(filename)
    except TooLarge as error:
        return refused_json(error, 413)
    except Refused as error:
        return refused_json(error)
    if len(book.plots) == 1:
        ((_, doc),) = checked_plots(book)
        plot_id = store_plot(user, doc, visibility=visibility, collection_id=collection_id)
        plot = storage().recent_plot(plot_id)  # as just written: no query
        assert plot is not None
        return jsonify(_summary(plot)), 201
    collection, stored = store_book(
        user, book, filename=filename, visibility=visibility, collection_id=collection_id
    )
    plots = [
        {"path": path, "id": plot_id, "url": url_for("pages.plot", plot_id=plot_id)}
        for path, plot_id in stored
    ]
    answer = {"collection": collection_json(collection), "plots": plots, "skipped": book.skipped}
    return jsonify(answer), 201


@bp.get("/plots")
def list_plots() -> Any:
    """Search: ``q`` (every word), ``tag``, ``author``, ``collection``, ``sort``, pages."""
    viewer = token_user()
    page = int_arg("page", 1)
    per_page = int_arg("per_page", 20, high=MAX_PER_PAGE)
    rows, total = storage().search(
        viewer,
        q=text_arg("q"),
        tag=text_arg("tag") or None,
        author=text_arg("author") or None,
        collection_id=int_arg("collection", None),
        sort=sort_arg(),
        page=page,
        per_page=per_page,
    )
    return jsonify(plots=[_summary(r) for r in rows], page=page, per_page=per_page, total=total)


@bp.get("/plots/<plot_id>")
def get_plot(plot_id: str) -> Any:
    """Metadata and the document (``?version=N``; default the newest)."""
    plot = visible_plot(plot_id, token_user())
    number = int_arg("version", None)
    version, doc = load_document(plot_id, number)
    return jsonify({**_summary(plot), "version": version, "document": to_builtins(doc)})


@bp.put("/plots/<plot_id>")
def update_plot(plot_id: str) -> Any:
    """A new version of a plot (owner only)."""
    user = require_token_user()
    owned_plot(plot_id, user)
    try:
        doc = parse_document(request_body(), filename_arg())
    except TooLarge as error:
        return refused_json(error, 413)
    except Refused as error:
        return refused_json(error)
    number = store_version(plot_id, user, doc)
    plot = storage().get_plot(plot_id)
    assert plot is not None
    return jsonify({**_summary(plot), "version": number})


@bp.delete("/plots/<plot_id>")
def delete_plot(plot_id: str) -> Any:
    """Delete a plot with its versions (owner only): 204."""
    delete_owned_plot(plot_id, require_token_user())
    return "", 204


@bp.get("/plots/<plot_id>/versions")
def versions(plot_id: str) -> Any:
    visible_plot(plot_id, token_user())
    rows = storage().list_versions(plot_id)
    return jsonify(versions=[{"number": r.number, "created": r.created.isoformat()} for r in rows])


@bp.post("/collections")
def create_collection() -> Any:
    """``{"title": ..., "description": ..., "visibility": ...}`` -> 201 ``{"id": ...}``."""
    return jsonify(id=create_collection_from_json(require_token_user())), 201


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
    owned_collection(collection_id, require_token_user())
    storage().delete_collection(collection_id)
    return "", 204
