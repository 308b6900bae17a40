"""HTML pages: the list, a plot, the upload form, and downloads of documents and images."""

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
from histfmt_viewer.documents import Refused, numbers_table, parse_upload, plot_info, stored_text
from histfmt_viewer.images import MIMETYPES, cached_image, download_name, image_request
from histfmt_viewer.storage import VISIBILITIES
from histfmt_viewer.web import load_document, storage, visible_plot

__all__ = ["bp"]

bp = Blueprint("pages", __name__)
PER_PAGE_CHOICES = (10, 20, 50, 100)


def _page_args() -> tuple[int, int]:
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = int(request.args.get("per_page", current_app.config["PER_PAGE"]))
    except ValueError:
        abort(400, "page and per_page must be integers")
    return page, max(1, min(100, per_page))


@bp.get("/")
def index() -> Any:
    """Public plots, newest first, with search, tag and author filters and pages."""
    page, per_page = _page_args()
    query = {k: request.args.get(k, "") for k in ("q", "tag", "author", "sort")}
    rows, total = storage().search(
        None, q=query["q"], tag=query["tag"] or None, author=query["author"] or None,
        sort=query["sort"] or "updated", page=page, per_page=per_page,
    )  # fmt: skip
    pages = max(1, math.ceil(total / per_page))

    def page_url(number: int) -> str:
        args: dict[str, Any] = {k: v for k, v in query.items() if v}
        return url_for("pages.index", page=number, per_page=per_page, **args)

    return render_template(
        "index.html", plots=rows, total=total, page=page, pages=pages, query=query,
        page_url=page_url,
    )  # fmt: skip


@bp.get("/plots/<plot_id>")
def plot(plot_id: str) -> Any:
    row = visible_plot(plot_id, None)
    number = request.args.get("version", type=int)
    version, doc = load_document(plot_id, number)
    view = {k: request.args[k] for k in ("logy", "rebin") if request.args.get(k)}
    image_args = {**view, "version": version}
    return render_template(
        "plot.html", plot=row, version=version, doc=doc, table=numbers_table(doc),
        image_args=image_args, versions=storage().list_versions(plot_id),
    )  # fmt: skip


@bp.get("/plots/<plot_id>/document.<any(json, yaml):suffix>")
def document(plot_id: str, suffix: str) -> Response:
    row = visible_plot(plot_id, None)
    _, doc = load_document(plot_id, request.args.get("version", type=int))
    data = histfmt.dumps(doc, format="yaml" if suffix == "yaml" else "json", indent=2)
    mimetype = "application/yaml" if suffix == "yaml" else "application/json"
    return _download(data, mimetype, download_name(row["title"], suffix))


@bp.get("/plots/<plot_id>/image.<any(png, svg, pdf):suffix>")
def image(plot_id: str, suffix: str) -> Response:
    row = visible_plot(plot_id, None)
    version, doc = load_document(plot_id, request.args.get("version", type=int))
    try:
        wanted = image_request(suffix, dict(request.args))
        data = cached_image(Path(current_app.config["RENDER_CACHE"]), plot_id, version, doc, wanted)
    except HistfmtError as error:
        abort(400, error.message)
    inline = suffix != "pdf" and "download" not in request.args
    return _download(data, MIMETYPES[suffix], download_name(row["title"], suffix), inline=inline)


def _download(data: bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    response = Response(data, mimetype=mimetype)
    kind = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{kind}; filename="{filename}"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/upload", methods=["GET", "POST"])
def upload() -> Any:
    """The upload form: a file, the uploader's API token, and the visibility."""
    if request.method == "GET":
        return render_template("upload.html", errors=[], visibilities=VISIBILITIES)
    user = storage().user_for_token(request.form.get("token", "").strip())
    if user is None:
        errors = [{"path": "token", "message": "unknown API token (see: histfmt token create)"}]
        return _refuse(errors, 401)
    visibility = request.form.get("visibility", "public")
    if visibility not in VISIBILITIES:
        return _refuse([{"path": "visibility", "message": "choose public or private"}], 400)
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return _refuse([{"path": "file", "message": "choose a file to upload"}], 400)
    try:
        doc = parse_upload(upload_file.read(), upload_file.filename)
    except Refused as error:
        return _refuse(error.errors, 400)
    plot_id = storage().create_plot(
        user, plot_info(doc, owner=user.name), stored_text(doc), visibility=visibility
    )
    return redirect(url_for("pages.plot", plot_id=plot_id), 303)


def _refuse(errors: list[dict[str, str]], status: int) -> Any:
    page = render_template("upload.html", errors=errors, visibilities=VISIBILITIES)
    return page, status
