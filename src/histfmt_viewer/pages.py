"""HTML pages of plots: the list, a plot with its view controls, uploads, downloads."""

from __future__ import annotations

import dataclasses
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
from histfmt.errors import HistfmtError, Issue
from histfmt.model import Axis, Document
from histfmt.render.style import STYLES
from histfmt_viewer.documents import Checked, Refused, TooLarge, checked_plots
from histfmt_viewer.fit_uploads import form_book
from histfmt_viewer.images import MIMETYPES, cached_image, download_name
from histfmt_viewer.numbers import numbers_tables, yield_names
from histfmt_viewer.storage import VISIBILITIES, Plot, User
from histfmt_viewer.view import PAGE_DPI, View, form_values, parse_view, read_view
from histfmt_viewer.web import (
    MAX_FILENAME,
    browse,
    delete_owned_plot,
    int_arg,
    load_document,
    owned_plot,
    owns,
    parse_document,
    parse_int,
    require_session_user,
    session_user,
    storage,
    store_book,
    store_plot,
    store_version,
    user_text_problem,
    visible_plot,
)

__all__ = ["bp"]

bp = Blueprint("pages", __name__)
_PAGE_TYPES = ["text/html", "application/json"]


@bp.get("/")
def index() -> Any:
    """Plots, newest first, with search, tag and author filters and pages."""
    return render_template("index.html", **browse("pages.index"))


def _view(doc: Document | None = None) -> View:
    """The view of an image's query string (400 when wrong); hidden names, projection
    and z scale checked against ``doc`` when given."""
    try:
        view = parse_view(request.args, names=tuple(doc.yields) if doc is not None else ())
        if doc is not None:
            view.apply(doc)  # a projection or z scale needs a 2-D document
    except HistfmtError as error:
        abort(400, error.message)
    return view


_IMAGE_VIEWS: dict[bytes, View] = {}
MAX_IMAGE_VIEWS = 1024


def _image_view() -> View:
    """:func:`_view` of an image's query string, remembered by the query string (the
    parse and its checks depend on nothing else; only views that parsed are kept)."""
    query = request.query_string
    view = _IMAGE_VIEWS.get(query)
    if view is None:
        view = _view()
        if len(_IMAGE_VIEWS) >= MAX_IMAGE_VIEWS:
            _IMAGE_VIEWS.clear()
        _IMAGE_VIEWS[query] = view
    return view


@bp.get("/plots/<plot_id>")
def plot(plot_id: str) -> Any:
    """The plot, its view controls (all in the URL), downloads, history and numbers.

    A wrong control is left out of the drawn view and named in an alert beside the
    form, which keeps what was typed (400)."""
    viewer = session_user()
    row = visible_plot(plot_id, viewer)
    version, doc = load_document(plot_id, int_arg("version", None) or row.latest)
    view, issues = read_view(request.args, names=tuple(doc.yields))
    view, more = view.checked(doc)
    issues += more
    if issues and request.accept_mimetypes.best_match(_PAGE_TYPES) == "application/json":
        abort(400, "; ".join(f"{issue.path}: {issue.message}" for issue in issues))
    collection = storage().get_collection(row.collection_id) if row.collection_id else None
    two_d = isinstance(doc.y, Axis)
    undrawable = _undrawable(plot_id, version, view, doc) if two_d else ""
    page = render_template(
        "plot.html", plot=row, version=version, doc=doc, view=view, two_d=two_d,
        image_args={**view.query(), "version": version}, tables=numbers_tables(doc),
        versions=storage().list_versions(plot_id), styles=STYLES, collection=collection,
        owner=owns(viewer, row), undrawable=undrawable, view_issues=issues,
        form=form_values(request.args),
        description=doc.metadata.description if isinstance(doc.metadata.description, str) else "",
        names=yield_names(doc), page_dpi=PAGE_DPI,
    )  # fmt: skip
    return page, 400 if issues else 200


def _undrawable(plot_id: str, version: int, view: View, doc: Document) -> str:
    """Why the image of a 2-D view cannot be drawn (empty when it can: it is drawn
    now, into the cache the page's image is then read from)."""
    try:
        cached_image(
            Path(current_app.config["RENDER_CACHE"]), plot_id, version,
            dataclasses.replace(view, dpi=PAGE_DPI), lambda: doc,
            max_bytes=int(current_app.config["RENDER_CACHE_MAX_BYTES"]),
        )  # fmt: skip
    except HistfmtError as error:
        return error.message
    return ""


@bp.get("/plots/<plot_id>/document.<any(json, yaml):suffix>")
def document(plot_id: str, suffix: str) -> Response:
    row = visible_plot(plot_id, session_user())
    version, doc = load_document(plot_id, int_arg("version", None))
    data = histfmt.dumps(doc, format="yaml" if suffix == "yaml" else "json", indent=2)
    mimetype = "application/yaml" if suffix == "yaml" else "application/json"
    name = download_name(row.title, suffix, version=version)
    return _download(data, mimetype, name, public=row.visibility == "public")


@bp.get("/plots/<plot_id>/image.<any(png, svg, pdf):suffix>")
def image(plot_id: str, suffix: str) -> Response:
    """The image of a view; a cached one is sent without reading the document."""
    number = int_arg("version", None)
    row = _image_plot(plot_id) if number else visible_plot(plot_id, session_user())
    number = number or row.latest
    view = _image_view()

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
    name = download_name(row.title, suffix, version=number)
    public = row.visibility == "public"
    return _download(data, MIMETYPES[suffix], name, inline=inline, public=public)


def _image_plot(plot_id: str) -> Plot:
    """The plot of a versioned image, or 404 as :func:`visible_plot` gives it, from the
    storage's memory of recent rows (owner and visibility are always current); the
    signed-in user is looked up only for a plot that is not public."""
    row = storage().recent_plot(plot_id) if len(plot_id) <= 36 else None
    if row is None or (row.visibility != "public" and not owns(session_user(), row)):
        abort(404, "No such plot.")
    return row


def _download(
    data: bytes, mimetype: str, filename: str, *, inline: bool = False, public: bool = True
) -> Response:
    response = Response(data, mimetype=mimetype)
    kind = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{kind}; filename="{filename}"'
    # a versioned URL never changes; a private one must not sit in shared caches
    response.headers["Cache-Control"] = f"{'public' if public else 'private'}, max-age=300"
    return response


def _upload_form(user: User, errors: list[Issue], status: int = 200) -> Any:
    collections = [c for c in storage().list_collections(user) if owns(user, c)]
    page = render_template(
        "upload.html", errors=errors, visibilities=VISIBILITIES, collections=collections,
        chosen=request.values.get("collection", ""),
    )  # fmt: skip
    return page, status


def _uploaded_file() -> tuple[bytes, str]:
    """The bytes and name of the form's ``file`` field; :class:`Refused` when missing."""
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        raise Refused([Issue("file", "choose a file to upload")])
    problem = user_text_problem(upload_file.filename, max_length=MAX_FILENAME)
    if problem is not None:
        raise Refused([Issue("file", f"the file's name: {problem}")])
    return upload_file.read(), upload_file.filename


def _uploaded_document() -> Checked:
    """The one document of the form's ``file`` field; :class:`Refused` when missing or bad."""
    return parse_document(*_uploaded_file())


def _placement(user: User) -> tuple[str, int | None]:
    """The form's visibility and collection (one of ``user``'s own, or none)."""
    visibility = request.form.get("visibility", "public")
    if visibility not in VISIBILITIES:
        raise Refused([Issue("visibility", "choose public or private")])
    chosen = request.form.get("collection", "")
    if not chosen:
        return visibility, None
    number = parse_int(chosen)
    collection = storage().get_collection(number) if number is not None else None
    if collection is None or not owns(user, collection):
        raise Refused([Issue("collection", "choose one of your collections")])
    return visibility, collection.id


@bp.route("/upload", methods=["GET", "POST"])
def upload() -> Any:
    """The upload form (signed-in users): a file, its visibility and collection.

    A file of many plots (a book) is stored all or nothing as a collection (or into
    the chosen one), and the answer leads to that collection.
    """
    user = require_session_user()
    if request.method == "GET":
        return _upload_form(user, [])
    try:
        visibility, collection_id = _placement(user)
        data, filename = _uploaded_file()
        book = form_book(data, filename)
    except TooLarge as error:
        return _upload_form(user, error.issues, 413)
    except Refused as error:
        return _upload_form(user, error.issues, 400)
    if len(book.plots) == 1:
        ((_, doc),) = checked_plots(book)
        plot_id = store_plot(user, doc, visibility=visibility, collection_id=collection_id)
        return redirect(url_for("pages.plot", plot_id=plot_id), 303)
    collection, _ = store_book(
        user, book, filename=filename, visibility=visibility, collection_id=collection_id
    )
    return redirect(url_for("collections.show", collection_id=collection.id), 303)


@bp.post("/plots/<plot_id>/versions")
def new_version(plot_id: str) -> Any:
    """Upload a new version of a plot (owner only); older versions stay downloadable."""
    user = require_session_user()
    owned_plot(plot_id, user)
    try:
        doc = _uploaded_document()
    except Refused as error:
        back = url_for("pages.plot", plot_id=plot_id)
        status = 413 if isinstance(error, TooLarge) else 400
        return render_template("refused.html", errors=error.issues, back=back), status
    number = store_version(plot_id, user, doc)
    return redirect(url_for("pages.plot", plot_id=plot_id, version=number), 303)


@bp.post("/plots/<plot_id>/delete")
def delete(plot_id: str) -> Any:
    """Delete a plot with all its versions and cached images (owner only)."""
    delete_owned_plot(plot_id, require_session_user())
    return redirect(url_for("pages.index"), 303)
