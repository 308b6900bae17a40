"""The histfmt web viewer: share, browse and download histogram plots (a Flask app)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from histfmt import __version__
from histfmt.errors import HistfmtError
from histfmt_viewer import parsed
from histfmt_viewer.documents import UploadLimits
from histfmt_viewer.images import DEFAULT_CACHE_MAX_BYTES
from histfmt_viewer.storage import Storage

__all__ = ["STORAGE_EXTENSION", "create_app", "storage_of"]

DEFAULT_MAX_CONTENT_LENGTH = 64 * 1024 * 1024
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
STORAGE_EXTENSION = "histfmt_storage"
"""The key of the app's :class:`Storage` in ``app.extensions``; read it with :func:`storage_of`."""
csrf = CSRFProtect()


def storage_of(app: Flask) -> Storage:
    """The storage of an app made by :func:`create_app`."""
    result: Storage = app.extensions[STORAGE_EXTENSION]
    return result


def _secret_key(instance: Path) -> str:
    """A random key kept in the instance folder, made on first start."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(
    test_config: dict[str, Any] | None = None, *, database_url: str | None = None
) -> Flask:
    """The application: config from the instance folder's ``config.py`` and ``HISTFMT_*``
    variables (``HISTFMT_DATABASE_URL``), or ``test_config`` alone; ``database_url``
    overrides both. The default database is a SQLite file in the instance folder
    (``$HISTFMT_INSTANCE_PATH``, else Flask's default)."""
    instance_path = os.environ.get("HISTFMT_INSTANCE_PATH") or None
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{instance / 'histfmt.sqlite'}",
        MAX_CONTENT_LENGTH=DEFAULT_MAX_CONTENT_LENGTH,
        RENDER_CACHE=str(instance / "render-cache"),
        RENDER_CACHE_MAX_BYTES=DEFAULT_CACHE_MAX_BYTES,
        DOCUMENT_MEMORY_BYTES=parsed.DEFAULT_MAX_BYTES,
        PER_PAGE=20,
        MAX_PLOTS_PER_UPLOAD=UploadLimits.max_plots_per_upload,
        MAX_BINS_PER_UPLOAD=UploadLimits.max_bins_per_upload,
        MAX_YIELDS_PER_PLOT=UploadLimits.max_yields_per_plot,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(days=30),
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("HISTFMT")
    else:
        app.config.from_mapping(test_config)
    if database_url:
        app.config["DATABASE_URL"] = database_url
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)

    storage = Storage(str(app.config["DATABASE_URL"]))
    storage.init_schema()
    app.extensions[STORAGE_EXTENSION] = storage
    app.extensions[parsed.EXTENSION] = parsed.ParsedDocuments(
        int(app.config["DOCUMENT_MEMORY_BYTES"])
    )

    from histfmt_viewer import api, auth, charts, collection_pages, compare_pages, pages, uhepp_api
    from histfmt_viewer.web import session_user

    csrf.init_app(app)
    csrf.exempt(api.bp)  # token-authenticated, no cookies: not exposed to CSRF
    csrf.exempt(uhepp_api.bp)  # likewise
    app.register_blueprint(api.bp)
    app.register_blueprint(uhepp_api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(collection_pages.bp)
    app.register_blueprint(charts.bp)
    app.register_blueprint(compare_pages.bp)
    app.context_processor(lambda: {"current_user": session_user(), "histfmt_version": __version__})
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(HistfmtError, _refused)
    app.after_request(_security_headers)
    return app


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _http_error(error: HTTPException) -> Any:
    code = error.code or 500
    message = error.description or error.name
    if isinstance(error, RequestEntityTooLarge):
        from flask import current_app

        limit = int(current_app.config["MAX_CONTENT_LENGTH"])
        message = (
            f"The upload is too large: the limit is {limit} bytes ({limit / 1024 / 1024:g} MiB)."
        )
    if _wants_json():
        return jsonify(error=message), code
    return render_template("error.html", code=code, name=error.name, message=message), code


def _refused(error: HistfmtError) -> Any:
    """A library refusal no route caught: the client's input was at fault (400; 404 for
    a row that is not there), never a 500."""
    from histfmt_viewer.storage import NotFound

    code = 404 if isinstance(error, NotFound) else 400
    name = "Not Found" if code == 404 else "Bad Request"
    if _wants_json():
        return jsonify(error=error.message), code
    return render_template("error.html", code=code, name=name, message=error.message), code


def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
