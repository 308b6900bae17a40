"""The chart's numbers of a plot page: ``/plots/ID/chart.bin`` (see :mod:`.chart`)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request

from histfmt.errors import HistfmtError
from histfmt.model import Document
from histfmt_viewer.chart import cached_chart
from histfmt_viewer.view import parse_view
from histfmt_viewer.web import int_arg, load_document, session_user, visible_plot

__all__ = ["bp"]

bp = Blueprint("charts", __name__)


@bp.get("/plots/<plot_id>/chart.bin")
def chart(plot_id: str) -> Response:
    """The numbers the browser draws for the view of the query string (the image's),
    packed (:func:`histfmt.render.interactive.pack`); a refused view is JSON with the
    message (400). A cached chart is sent without reading the document."""
    row = visible_plot(plot_id, session_user())
    number = int_arg("version", None) or row.latest

    def read() -> Document:
        _, doc = load_document(plot_id, number)
        parse_view(request.args, names=tuple(doc.yields))  # the hidden names are yields
        return doc

    try:
        view = parse_view(request.args)
        data = cached_chart(
            Path(current_app.config["RENDER_CACHE"]), plot_id, number, view, read,
            max_bytes=int(current_app.config["RENDER_CACHE_MAX_BYTES"]),
        )  # fmt: skip
    except HistfmtError as error:  # the script shows the message: always JSON
        response = jsonify(error=error.message)
        response.status_code = 400
        return response
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Cache-Control"] = (
        f"{'public' if row.visibility == 'public' else 'private'}, max-age=300"
    )
    return response
