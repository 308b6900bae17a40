"""HTML pages of collections: the list, one collection's plots, creating and deleting."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from histfmt.errors import Issue
from histfmt_viewer.storage import VISIBILITIES
from histfmt_viewer.web import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    browse,
    owned_collection,
    owns,
    require_session_user,
    session_user,
    storage,
    user_text_problem,
    visible_collection,
)

__all__ = ["bp"]

bp = Blueprint("collections", __name__, url_prefix="/collections")


@bp.get("/")
def index() -> Any:
    """Public collections and the visitor's own, with their plot counts."""
    rows = storage().list_collections(session_user())
    return render_template("collections.html", collections=rows)


@bp.route("/new", methods=["GET", "POST"])
def new() -> Any:
    """Create a collection (signed-in users)."""
    user = require_session_user()
    form = {k: request.form.get(k, "").strip() for k in ("title", "description", "visibility")}
    if request.method == "GET":
        return render_template(
            "collection_new.html", form=form, errors=[], visibilities=VISIBILITIES
        )
    errors = [
        Issue(name, problem)
        for name, limit in (("title", MAX_TITLE), ("description", MAX_DESCRIPTION))
        if (problem := user_text_problem(form[name], max_length=limit, required=name == "title"))
    ]
    if form["visibility"] not in VISIBILITIES:
        errors.append(Issue("visibility", "choose public or private"))
    if errors:
        page = render_template(
            "collection_new.html", form=form, errors=errors, visibilities=VISIBILITIES
        )
        return page, 400
    collection_id = storage().create_collection(
        user, form["title"], form["description"], form["visibility"]
    )
    return redirect(url_for("collections.show", collection_id=collection_id), 303)


@bp.get("/<int:collection_id>")
def show(collection_id: int) -> Any:
    """A collection: its description and its plots, searchable like the front page."""
    viewer = session_user()
    row = visible_collection(collection_id, viewer)
    grid = browse("collections.show", in_collection=collection_id, collection_id=collection_id)
    owner = owns(viewer, row)
    return render_template("collection.html", collection=row, owner=owner, **grid)


@bp.post("/<int:collection_id>/delete")
def delete(collection_id: int) -> Any:
    """Delete a collection (owner only); its plots stay, outside any collection."""
    owned_collection(collection_id, require_session_user())
    storage().delete_collection(collection_id)
    return redirect(url_for("collections.index"), 303)
