"""A uhepp-hub-compatible API under ``/api/uhepp/``, for uhepp 0.5.2's own client.

With ``UHEPP_API=https://<viewer>/api/uhepp/`` and ``UHEPP_TOKEN=<a viewer token>``,
``UHeppHist.push(collection_id)``, ``uhepp.pull(uuid)`` and
``uhepp.pull_collection(collection_id)`` work unchanged. The wire protocol (uhepp 0.5.2):

- ``POST plots/`` takes ``{"uhepp": <plot>, "collection": "<api>/collections/<id>/"}``
  and answers 201 with ``Location`` (the plot's API URL), ``Link: <ui>; rel="ui"`` and
  JSON with ``uuid``. The plot is converted to histfmt on arrival and takes the
  visibility of its collection (only the collection's owner may add to it).
- ``GET plots/<uuid>`` answers ``{"uhepp": <plot>, ...}``; ``DELETE`` is for the owner.
- ``GET collections/<id>`` answers ``{"plots": [<plot API URLs>], ...}`` (every plot).
- ``POST collections/`` takes ``{"title", "visibility", "description"}``; visibility is
  ``public`` or ``private`` (the hub's levels are not documented).

Every route matches with or without its trailing slash (the client uses both).
Authentication is ``Authorization: Token <token>``; ``Token None``, which
``pull_collection`` sends when no token is set, counts as anonymous.
A plot is sent back through :func:`histfmt.convert.uhepp.to_uhepp`, so it differs from
the pushed one as that conversion documents; a plot that has no uhepp form (categories,
a pull panel) is a 409.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from histfmt.convert.uhepp import from_uhepp, to_uhepp
from histfmt.errors import HistfmtError, kind_of
from histfmt_viewer.documents import TooLarge, checked
from histfmt_viewer.storage import Collection, Plot, User
from histfmt_viewer.web import (
    MAX_ID,
    MAX_PER_PAGE,
    collection_json,
    create_collection_from_json,
    delete_owned_plot,
    int_arg,
    json_body,
    load_document,
    owned_collection,
    parse_int,
    refused_json,
    require_token_user,
    storage,
    store_plot,
    token_user,
    upload_limits,
    visible_collection,
    visible_plot,
)

__all__ = ["bp"]

bp = Blueprint("uhepp_api", __name__, url_prefix="/api/uhepp")
PAGE = 100


def _viewer() -> User | None:
    """The caller; ``Token None`` (uhepp's ``pull_collection`` without a token) is anonymous."""
    if request.headers.get("Authorization", "").strip() == "Token None":
        return None
    return token_user()


def _require_user() -> User:
    user = _viewer()
    if user is None:
        abort(401, "Authentication required: set UHEPP_TOKEN to a token of this viewer.")
    return user


def _plot_url(plot_id: str) -> str:
    return url_for("uhepp_api.plot", plot_id=plot_id, _external=True)


def _ui_url(plot_id: str) -> str:
    return url_for("pages.plot", plot_id=plot_id, _external=True)


def _collection_url(collection_id: int) -> str:
    return url_for("uhepp_api.collection", collection_id=collection_id, _external=True)


def _with_links(response: Response, api_url: str, ui_url: str | None = None) -> Response:
    if ui_url is not None:
        response.headers["Link"] = f'<{ui_url}>; rel="ui"'
    response.headers["Content-Location"] = api_url
    return response


def _collection_plots(collection_id: int, viewer: User | None) -> list[Plot]:
    """Every plot of the collection that ``viewer`` may see, oldest first."""
    result: list[Plot] = []
    page = 1
    while True:
        rows, total = storage().search(
            viewer, collection_id=collection_id, sort="oldest", page=page, per_page=PAGE
        )
        result += rows
        if not rows or len(result) >= total:
            return result
        page += 1


def _collection_body(row: Collection, viewer: User | None) -> dict[str, Any]:
    plots = _collection_plots(row.id, viewer)
    return {
        **collection_json(row),
        "url": _collection_url(row.id),
        "plots": [_plot_url(p.id) for p in plots],
    }


def _plot_body(plot: Plot) -> dict[str, Any]:
    collection_id = plot.collection_id
    return {
        "uuid": plot.id,
        "url": _plot_url(plot.id),
        "ui": _ui_url(plot.id),
        "collection": None if collection_id is None else _collection_url(collection_id),
        "title": plot.title,
        "author": plot.author,
        "owner": plot.owner,
        "visibility": plot.visibility,
        "version": plot.latest,
        "created": plot.created.isoformat(),
        "updated": plot.updated.isoformat(),
    }


def _collection_id(reference: Any) -> int:
    """The id in a collection reference: its API URL (as uhepp sends it) or the number;
    400 when it is neither."""
    if isinstance(reference, int) and not isinstance(reference, bool) and 0 < reference <= MAX_ID:
        return reference
    text = reference.strip() if isinstance(reference, str) else ""
    number = parse_int(text)
    if number is not None:
        return number
    endpoint: object = None
    args: Mapping[str, Any] = {}
    if text:
        # not a URL of this app, or no URL at all ("http://[")
        with contextlib.suppress(HTTPException, ValueError):
            endpoint, args = current_app.url_map.bind("localhost").match(
                urlsplit(text).path, method="GET"
            )
    if endpoint != "uhepp_api.collection":
        got = repr(reference[:80]) if isinstance(reference, str) else kind_of(reference)
        abort(400, f"collection: expected the URL of a collection of this API; got {got}")
    return int(args["collection_id"])


def _target_collection(reference: Any, user: User) -> Collection:
    return owned_collection(_collection_id(reference), user)


@bp.get("/", strict_slashes=False)
def root() -> Any:
    """The endpoints, as the hub lists them."""
    return jsonify(
        plots=url_for("uhepp_api.plots", _external=True),
        collections=url_for("uhepp_api.collections", _external=True),
    )


@bp.get("/collections/", strict_slashes=False)
def collections() -> Any:
    viewer = _viewer()
    rows = storage().list_collections(viewer)
    return jsonify([{**collection_json(r), "url": _collection_url(r.id)} for r in rows])


@bp.post("/collections/", strict_slashes=False)
def create_collection() -> Any:
    """``{"title", "visibility", "description"}`` -> 201 with the collection and its URL."""
    # the same caller and checks as /api/collections
    collection_id = create_collection_from_json(require_token_user())
    row = storage().get_collection(collection_id)
    assert row is not None
    url = _collection_url(collection_id)
    response = jsonify(_collection_body(row, _viewer()))
    response.status_code = 201
    response.headers["Location"] = url
    return _with_links(response, url)


@bp.get("/collections/<int:collection_id>/", strict_slashes=False)
def collection(collection_id: int) -> Any:
    """The collection with the API URLs of all its plots that the caller may see."""
    viewer = _viewer()
    row = visible_collection(collection_id, viewer)
    return jsonify(_collection_body(row, viewer))


@bp.get("/plots/", strict_slashes=False)
def plots() -> Any:
    """Visible plots, newest first, without their data (``page``, ``per_page``)."""
    viewer = _viewer()
    page = int_arg("page", 1)
    per_page = int_arg("per_page", 20, high=MAX_PER_PAGE)
    rows, _ = storage().search(viewer, page=page, per_page=per_page)
    return jsonify([_plot_body(r) for r in rows])


@bp.post("/plots/", strict_slashes=False)
def push() -> Any:
    """``{"uhepp": <plot>, "collection": <URL>}`` -> 201, ``Location``, ``Link rel=ui``."""
    user = _require_user()
    body = json_body()
    if not isinstance(body, dict) or "uhepp" not in body:
        abort(400, "Expected a JSON object with 'uhepp' (the plot) and 'collection' (its URL).")
    collection = _target_collection(body.get("collection"), user)
    try:
        doc = checked(from_uhepp(body["uhepp"]), limits=upload_limits())
    except TooLarge as error:
        return refused_json(error, 413)
    except HistfmtError as error:
        return refused_json(error)
    plot_id = store_plot(user, doc, visibility=collection.visibility, collection_id=collection.id)
    plot = storage().get_plot(plot_id)
    assert plot is not None
    response = jsonify(_plot_body(plot))
    response.status_code = 201
    response.headers["Location"] = _plot_url(plot_id)
    return _with_links(response, _plot_url(plot_id), _ui_url(plot_id))


@bp.get("/plots/<plot_id>/", strict_slashes=False)
def plot(plot_id: str) -> Any:
    """The newest version as uhepp data in ``uhepp``, with the plot's metadata."""
    plot = visible_plot(plot_id, _viewer())
    _, doc = load_document(plot_id)
    try:
        data = to_uhepp(doc)
    except HistfmtError as error:
        abort(409, f"This plot has no uhepp form: {error}")
    response = jsonify({**_plot_body(plot), "uhepp": data})
    return _with_links(response, _plot_url(plot_id), _ui_url(plot_id))


@bp.delete("/plots/<plot_id>/", strict_slashes=False)
def delete(plot_id: str) -> Any:
    """Delete a plot (its owner only): 204."""
    delete_owned_plot(plot_id, require_token_user())  # the same caller as /api/plots
    return "", 204
