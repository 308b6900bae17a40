"""Comparison pages: several plots (or versions) overlaid with their statistics, and
what changed between two versions of one plot. Every page is a permalink.

``/compare?plots=ID,ID@2,...`` (``@N``: version N, else the newest; the first is the
reference) draws :func:`histfmt.compare`'s overlay with the viewer's image rendering and
lists χ²/ndf, p-value and KS distance per pair. ``/plots/ID/changes?from=A&to=B`` lists,
per yield, the bins whose values differ and by how much.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from flask import Blueprint, Response, abort, render_template, request, url_for

from histfmt.errors import HistfmtError
from histfmt.model import Document
from histfmt_viewer.web import int_arg, load_document, parse_int, session_user, visible_plot

__all__ = ["bp"]

bp = Blueprint("compare", __name__)

MAX_COMPARED = 8
MAX_LISTED_BINS = 50
IMAGE_FORMATS = {"png": "image/png", "svg": "image/svg+xml"}


def _chosen() -> list[tuple[str, str, int, Document]]:
    """The ``plots`` parameter as (name, plot id, version, document); 400 when wrong."""
    text = request.args.get("plots", "")
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if len(ids) < 2:
        abort(400, "plots: choose two or more plots, as ID,ID (ID@N for version N)")
    if len(ids) > MAX_COMPARED:
        abort(400, f"plots: at most {MAX_COMPARED} plots at once")
    chosen: list[tuple[str, str, int, Document]] = []
    viewer = session_user()
    for part in ids:
        plot_id, _, number_text = part.partition("@")
        number = parse_int(number_text) if number_text else None
        if number_text and number is None:
            abort(400, f"plots: {part[:60]!r}: expected ID or ID@VERSION")
        row = visible_plot(plot_id, viewer)
        version, doc = load_document(plot_id, number)
        name = f"{row.title} v{version}"
        names = [c[0] for c in chosen]
        if name in names:
            name = f"{name} ({len(names) + 1})"
        chosen.append((name, plot_id, version, doc))
    return chosen


def _comparison() -> tuple[list[tuple[str, str, int, Document]], Any]:
    import histfmt

    chosen = _chosen()
    try:
        result = histfmt.compare({name: doc for name, _, _, doc in chosen})
    except HistfmtError as error:
        abort(400, error.message)
    return chosen, result


@bp.get("/compare")
def compare() -> Any:
    """The overlay of the chosen plots against the first, and the statistics table;
    without ``plots``, the form asking for them."""
    if not request.args.get("plots", "").strip():
        return render_template("compare.html", result=None, plots="")
    chosen, result = _comparison()
    plots = request.args.get("plots", "")
    return render_template(
        "compare.html", chosen=chosen, result=result, plots=plots,
        image=url_for("compare.image", suffix="png", plots=plots),
        svg=url_for("compare.image", suffix="svg", plots=plots),
    )  # fmt: skip


@bp.get("/compare/image.<any(png, svg):suffix>")
def image(suffix: str) -> Response:
    """The overlay image of a comparison (drawn by the same renderer as plot images)."""
    from histfmt.render.mpl import render

    _, result = _comparison()
    try:
        data = render(result.overlay, format=suffix)  # type: ignore[arg-type]
    except HistfmtError as error:
        abort(400, error.message)
    response = Response(data, mimetype=IMAGE_FORMATS[suffix])
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _changes(old: Document, new: Document) -> list[dict[str, Any]]:
    """Per yield: added, removed, rebinned, or the bins whose values differ."""
    rows: list[dict[str, Any]] = []
    for name in dict.fromkeys([*old.yields, *new.yields]):
        before, after = old.yields.get(name), new.yields.get(name)
        if before is None or after is None:
            rows.append({"name": name, "status": "added" if before is None else "removed"})
            continue
        a = np.asarray(before.values, dtype=np.float64)
        b = np.asarray(after.values, dtype=np.float64)
        if a.shape != b.shape:
            rows.append({"name": name, "status": f"bins changed ({a.size} -> {b.size})"})
            continue
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        changed = np.argwhere(~same)
        if not changed.size:
            rows.append({"name": name, "status": "unchanged"})
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(a != 0, (b - a) / np.abs(a), np.nan)
        bins = [
            {"bin": ",".join(str(int(i)) for i in index), "old": float(a[tuple(index)]),
             "new": float(b[tuple(index)]), "delta": float(b[tuple(index)] - a[tuple(index)]),
             "relative": float(relative[tuple(index)])}
            for index in changed[:MAX_LISTED_BINS]
        ]  # fmt: skip
        rows.append({
            "name": name, "status": f"{len(changed)} of {a.size} bins changed",
            "sum_old": float(np.nansum(a)), "sum_new": float(np.nansum(b)),
            "max_delta": float(np.nanmax(np.abs(b - a))), "bins": bins,
            "more": max(0, len(changed) - MAX_LISTED_BINS),
        })  # fmt: skip
    return rows


@bp.get("/plots/<plot_id>/changes")
def changes(plot_id: str) -> Any:
    """What changed between versions ``from`` and ``to`` (default: the last two)."""
    row = visible_plot(plot_id, session_user())
    to = int_arg("to", None) or row.latest
    start = int_arg("from", None) or max(1, to - 1)
    old_number, old = load_document(plot_id, start)
    new_number, new = load_document(plot_id, to)
    plots = f"{plot_id}@{old_number},{plot_id}@{new_number}"
    return render_template(
        "changes.html", plot=row, old=old_number, new=new_number, rows=_changes(old, new),
        compare_url=url_for("compare.compare", plots=plots),
    )  # fmt: skip
