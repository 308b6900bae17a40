"""Signing in to the pages with an API token, and signing out.

Accounts are made by an administrator (``histfmt token create USER``); the token
is the password. The session cookie (signed, HttpOnly, SameSite=Lax) keeps only
the token's hash, so deleting a token ends every session opened with it.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for

from histfmt_viewer.storage import hash_token
from histfmt_viewer.web import storage

__all__ = ["bp", "safe_next"]

bp = Blueprint("auth", __name__)


_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, else the front page.

    The target is read as a browser reads a URL (the WHATWG URL standard): tabs and
    newlines anywhere are dropped and leading or trailing controls and spaces ignored, so
    ``/\\t/evil.example`` is the off-site ``//evil.example`` it would become, and refused.
    """
    if target:
        cleaned = _TAB_OR_NEWLINE.sub("", target).strip(_C0_AND_SPACE)
        on_site = (
            cleaned.startswith("/")
            and not cleaned.startswith("//")
            and "\\" not in cleaned
            and not _CONTROL.search(cleaned)
        )
        if on_site:
            return cleaned
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
