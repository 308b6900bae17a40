"""Signing in to the pages with an API token, and signing out.

Accounts are made by an administrator (``histfmt token create USER``); the token
is the password. The session cookie (signed, HttpOnly, SameSite=Lax) keeps only
the token's hash, so deleting a token ends every session opened with it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for

from histfmt_viewer.storage import hash_token
from histfmt_viewer.web import storage

__all__ = ["bp", "safe_next"]

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, else the front page."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The sign-in form; a good token opens a session and returns to ``next``."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", next=target, error=None)
    token = request.form.get("token", "").strip()
    user = storage().user_for_token(token) if token else None
    if user is None:
        error = "Unknown token. An administrator makes one with: histfmt token create USER"
        return render_template("login.html", next=target, error=error), 401
    session.clear()
    session["token_hash"] = hash_token(token)
    session.permanent = True
    return redirect(target, 303)


@bp.post("/logout")
def logout() -> Any:
    session.clear()
    return redirect(url_for("pages.index"), 303)
