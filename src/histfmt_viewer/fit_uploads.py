"""Uploads of fit models: a pyhf workspace becomes one plot per channel, with an optional
plot description (its bin edges, labels, colours) and, when asked, post-fit.

The web form has a ``description`` file field and a ``fit`` checkbox; the API takes the
workspace as the body (``?fit=1`` for post-fit) or, with a description, as a
``multipart/form-data`` body of the fields ``file`` and ``description``. A post-fit upload
runs a MINUIT fit while the request waits, so it is bounded: models of at most
``PYHF_FIT_MAX_PARAMETERS`` parameters (default 200), at most ``PYHF_FIT_MAXITER`` function
calls (default 20000; a fit that needs more is refused as not converged). Reading
workspaces needs the ``fit`` extra (pyhf); without it the upload is a 400 naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from flask import current_app, request

from histfmt.errors import HistfmtError, Issue
from histfmt.model import Book
from histfmt_viewer.documents import CheckedBook, Refused, parse_book_upload
from histfmt_viewer.web import request_body, upload_limits

__all__ = ["FitChoice", "api_book", "form_book", "reader"]

DEFAULT_MAX_PARAMETERS = 200
DEFAULT_MAXITER = 20_000
_DESCRIPTION = "description.json"


@dataclass(frozen=True)
class FitChoice:
    """What an upload asks of a fit model: a plot description (JSON bytes) and post-fit."""

    description: bytes | None = None
    fit: bool = False

    @property
    def plain(self) -> bool:
        """Nothing asked: the upload is read as any other."""
        return self.description is None and not self.fit


def reader(choice: FitChoice) -> Callable[..., Book]:
    """``registry.read_book`` for an upload, a pyhf workspace read with ``choice``;
    a description or ``fit`` given with another kind of file is refused."""
    from histfmt.convert import registry

    def read_book(data: bytes, kind: str, *, name: str) -> Book:
        if kind != "pyhf":
            if not choice.plain:
                field = "description" if choice.description is not None else "fit"
                raise Refused(
                    [Issue(field, f"only a pyhf workspace takes a {field}; this is {kind}")]
                )
            return registry.read_book(data, cast("registry.Kind", kind), name=name)
        return _workspace(data, name, choice)

    return read_book


def _workspace(data: bytes, name: str, choice: FitChoice) -> Book:
    from histfmt.convert import pyhf
    from histfmt.convert.pyhf.description import Description, parse_description
    from histfmt.convert.pyhf.workspace import load_workspace

    described: Description | None = None
    if choice.description is not None:
        described = parse_description(choice.description, _DESCRIPTION)
    config = current_app.config
    workspace = load_workspace(data, name=name)  # read once: checked here, drawn below
    if choice.fit:
        limit = int(config.get("PYHF_FIT_MAX_PARAMETERS", DEFAULT_MAX_PARAMETERS))
        size = len(workspace.model.config.par_names)
        if size > limit:
            raise HistfmtError(
                f"a post-fit upload fits at most {limit} parameters "
                f"(PYHF_FIT_MAX_PARAMETERS); this model has {size}: convert it with "
                "`histfmt convert --fit` and upload the result",
                filename=name,
            )
    maxiter = int(config.get("PYHF_FIT_MAXITER", DEFAULT_MAXITER))
    return pyhf.read_book(workspace, description=described, fit=choice.fit, maxiter=maxiter)


def _checked_fit(value: Any, field: str) -> bool:
    if value in (None, "", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise Refused([Issue(field, "expected 1 or 0 (post-fit or pre-fit)")])


def _description_field() -> bytes | None:
    found = request.files.get("description")
    if found is None or not found.filename:
        return None
    data = found.read()
    return data if data.strip() else None


def form_book(data: bytes, filename: str) -> CheckedBook:
    """Every plot of the upload form's file, with its ``description`` and ``fit`` fields."""
    choice = FitChoice(_description_field(), _checked_fit(request.form.get("fit"), "fit"))
    return parse_book_upload(data, filename, limits=upload_limits(), read_book=reader(choice))


def api_book(filename: str) -> CheckedBook:
    """Every plot of an API upload: the body, or a multipart body's ``file`` (with an
    optional ``description``); ``?fit=1`` for post-fit."""
    fit = _checked_fit(request.args.get("fit"), "fit")
    if request.mimetype != "multipart/form-data":
        choice = FitChoice(None, fit)
        return parse_book_upload(
            request_body(), filename, limits=upload_limits(), read_book=reader(choice)
        )
    upload = request.files.get("file")
    if upload is None:
        raise Refused([Issue("file", "a multipart upload needs the field 'file'")])
    choice = FitChoice(_description_field(), fit)
    return parse_book_upload(
        upload.read(), filename, limits=upload_limits(), read_book=reader(choice)
    )
