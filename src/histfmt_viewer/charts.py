"""The chart's numbers of a plot page: ``/plots/ID/chart.json`` (see :mod:`.chart`)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from histfmt.errors import HistfmtError
from histfmt_viewer.chart import chart_json
from histfmt_viewer.view import parse_view
from histfmt_viewer.web import int_arg, load_document, session_user, visible_plot

__all__ = ["bp"]

bp = Blueprint("charts", __name__)


@bp.get("/plots/<plot_id>/chart.json")
def chart(plot_id: str) -> Response:
    """The numbers the browser draws for the view of the query string (the image's)."""
    row = visible_plot(plot_id, session_user())
    _, doc = load_document(plot_id, int_arg("version", None))
    try:
        view = parse_view(request.args, names=tuple(doc.yields))
        data = chart_json(doc, view)
    except HistfmtError as error:  # the script shows the message: always JSON
        response = jsonify(error=error.message)
        response.status_code = 400
        return response
    response = Response(data, mimetype="application/json")
    response.headers["Cache-Control"] = (
        f"{'public' if row.visibility == 'public' else 'private'}, max-age=300"
    )
    return response
