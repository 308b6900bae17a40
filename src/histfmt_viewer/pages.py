"""HTML pages of plots: the list, a plot with its view controls, uploads, downloads."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

import histfmt
from histfmt.errors import HistfmtError
from histfmt.model import Document
from histfmt.render.style import STYLES
from histfmt_viewer.documents import Refused, numbers_table, parse_upload, plot_info, stored_text
from histfmt_viewer.images import MIMETYPES, cached_image, download_name, drop_cached
from histfmt_viewer.storage import SORTS, VISIBILITIES, User
from histfmt_viewer.view import View, parse_view
from histfmt_viewer.web import (
    load_document,
    owned_plot,
    owns,
    session_user,
    storage,
    visible_plot,
)

__all__ = ["bp", "browse", "require_session_user"]

bp = Blueprint("pages", __name__)
FILTERS = ("q", "tag", "author", "sort")
SORT_LABELS = {
    "updated": "Recently updated",
    "created": "Newest",
    "oldest": "Oldest",
    "title": "Title",
}
assert set(SORT_LABELS) == set(SORTS)


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


@bp.get("/")
def index() -> Any:
    """Plots, newest first, with search, tag and author filters and pages."""
    return render_template("index.html", **browse("pages.index"))


def _view(doc: Document | None = None) -> View:
    """The view of the query string (400 when wrong); hidden names checked against
    ``doc``'s yields when given."""
    try:
        return parse_view(request.args, names=tuple(doc.yields) if doc is not None else ())
    except HistfmtError as error:
        abort(400, error.message)


@bp.get("/plots/<plot_id>")
def plot(plot_id: str) -> Any:
    """The plot, its view controls (all in the URL), downloads, history and numbers."""
    viewer = session_user()
    row = visible_plot(plot_id, viewer)
    version, doc = load_document(plot_id, request.args.get("version", type=int))
    view = _view(doc)
    collection = storage().get_collection(row["collection_id"]) if row["collection_id"] else None
    return render_template(
        "plot.html", plot=row, version=version, doc=doc, view=view,
        image_args={**view.query(), "version": version}, table=numbers_table(doc),
        versions=storage().list_versions(plot_id), styles=STYLES, collection=collection,
        owner=owns(viewer, row),
        description=doc.metadata.description if isinstance(doc.metadata.description, str) else "",
    )  # fmt: skip


@bp.get("/plots/<plot_id>/document.<any(json, yaml):suffix>")
def document(plot_id: str, suffix: str) -> Response:
    row = visible_plot(plot_id, session_user())
    version, doc = load_document(plot_id, request.args.get("version", type=int))
    data = histfmt.dumps(doc, format="yaml" if suffix == "yaml" else "json", indent=2)
    mimetype = "application/yaml" if suffix == "yaml" else "application/json"
    name = download_name(row["title"], suffix, version=version)
    return _download(data, mimetype, name, public=row["visibility"] == "public")


@bp.get("/plots/<plot_id>/image.<any(png, svg, pdf):suffix>")
def image(plot_id: str, suffix: str) -> Response:
    """The image of a view; a cached one is sent without reading the document."""
    row = visible_plot(plot_id, session_user())
    number = request.args.get("version", type=int) or int(row["latest"])
    view = _view()

    def read() -> Document:
        _, doc = load_document(plot_id, number)
        _view(doc)  # on a miss only: the hidden names must be yields of the document
        return doc

    try:
        data = cached_image(
            Path(current_app.config["RENDER_CACHE"]), plot_id, number, view, read,
            image_format=suffix, max_bytes=int(current_app.config["RENDER_CACHE_MAX_BYTES"]),
        )  # fmt: skip
    except HistfmtError as error:
        abort(400, error.message)
    inline = suffix != "pdf" and "download" not in request.args
    name = download_name(row["title"], suffix, version=number)
    public = row["visibility"] == "public"
    return _download(data, MIMETYPES[suffix], name, inline=inline, public=public)


def _download(
    data: bytes, mimetype: str, filename: str, *, inline: bool = False, public: bool = True
) -> Response:
    response = Response(data, mimetype=mimetype)
    kind = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{kind}; filename="{filename}"'
    # a versioned URL never changes; a private one must not sit in shared caches
    response.headers["Cache-Control"] = f"{'public' if public else 'private'}, max-age=300"
    return response


def require_session_user() -> User:
    """The signed-in user; otherwise a redirect to the sign-in page (then back here)."""
    user = session_user()
    if user is None:
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?")), 303))
    return user


def _upload_form(user: User, errors: list[dict[str, str]], status: int = 200) -> Any:
    collections = [c for c in storage().list_collections(user) if owns(user, c)]
    page = render_template(
        "upload.html", errors=errors, visibilities=VISIBILITIES, collections=collections,
        chosen=request.values.get("collection", ""),
    )  # fmt: skip
    return page, status


def _uploaded_document() -> Document:
    """The document of the form's ``file`` field; :class:`Refused` when missing or bad."""
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        raise Refused([{"path": "file", "message": "choose a file to upload"}])
    return parse_upload(upload_file.read(), upload_file.filename)


def _placement(user: User) -> tuple[str, int | None]:
    """The form's visibility and collection (one of ``user``'s own, or none)."""
    visibility = request.form.get("visibility", "public")
    if visibility not in VISIBILITIES:
        raise Refused([{"path": "visibility", "message": "choose public or private"}])
    chosen = request.form.get("collection", "")
    if not chosen:
        return visibility, None
    collection = storage().get_collection(int(chosen)) if chosen.isdigit() else None
    if collection is None or not owns(user, collection):
        raise Refused([{"path": "collection", "message": "choose one of your collections"}])
    return visibility, int(collection["id"])


@bp.route("/upload", methods=["GET", "POST"])
def upload() -> Any:
    """The upload form (signed-in users): a file, its visibility and collection."""
    user = require_session_user()
    if request.method == "GET":
        return _upload_form(user, [])
    try:
        visibility, collection_id = _placement(user)
        doc = _uploaded_document()
    except Refused as error:
        return _upload_form(user, error.errors, 400)
    plot_id = storage().create_plot(
        user, plot_info(doc, owner=user.name), stored_text(doc),
        visibility=visibility, collection_id=collection_id,
    )  # fmt: skip
    return redirect(url_for("pages.plot", plot_id=plot_id), 303)


@bp.post("/plots/<plot_id>/versions")
def new_version(plot_id: str) -> Any:
    """Upload a new version of a plot (owner only); older versions stay downloadable."""
    user = require_session_user()
    owned_plot(plot_id, user)
    try:
        doc = _uploaded_document()
    except Refused as error:
        back = url_for("pages.plot", plot_id=plot_id)
        return render_template("refused.html", errors=error.errors, back=back), 400
    number = storage().add_version(plot_id, plot_info(doc, owner=user.name), stored_text(doc))
    return redirect(url_for("pages.plot", plot_id=plot_id, version=number), 303)


@bp.post("/plots/<plot_id>/delete")
def delete(plot_id: str) -> Any:
    """Delete a plot with all its versions and cached images (owner only)."""
    owned_plot(plot_id, require_session_user())
    storage().delete_plot(plot_id)
    drop_cached(Path(current_app.config["RENDER_CACHE"]), plot_id)
    return redirect(url_for("pages.index"), 303)
