"""Uploaded bytes to checked histfmt documents (one plot, or a book of many), and what
the database keeps of each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Any, TypeVar

import histfmt
from histfmt.errors import HistfmtError, Issue, ValidationError, format_path
from histfmt.model import Axis, Book, Document
from histfmt_viewer.storage import PlotInfo

__all__ = [
    "ACCEPTED",
    "DEFAULT_MAX_PLOTS",
    "Refused",
    "TooManyPlots",
    "book_title",
    "parse_book_upload",
    "parse_upload",
    "plot_info",
    "stored_text",
]

T = TypeVar("T")

ACCEPTED = ("histfmt", "uhepp", "uhi", "hepdata", "yoda")
"""Kinds of upload converted on arrival; ROOT files are not read on the server."""

DEFAULT_MAX_PLOTS = 1000
"""Plots one upload may hold (config ``MAX_PLOTS_PER_UPLOAD``)."""


class Refused(ValidationError):
    """An upload that is not stored: every problem as an :class:`~histfmt.errors.Issue`,
    at its JSON path in the document (``$`` for the whole upload) or at the form field
    at fault (``file``, ``visibility``, ``collection``)."""

    @classmethod
    def of(cls, error: HistfmtError) -> Refused:
        """The refusal of an upload that raised ``error``, with every issue of it."""
        if isinstance(error, Refused):
            return error
        return cls([Issue(d["path"], d["message"]) for d in error.as_dicts()])


class TooManyPlots(Refused):
    """An upload holding more plots than one upload may (HTTP 413)."""


def _name(filename: str) -> str:
    return PurePath(filename).name or "upload.json"  # a name, never a path on the server


def parse_upload(data: bytes, filename: str = "upload.json") -> Document:
    """The one document in ``data`` (histfmt, uhepp, UHI, HEPData, ...), checked to draw.

    Raises :class:`Refused` listing every validation problem and every label
    matplotlib could not draw.
    """
    from histfmt.convert import registry
    from histfmt.render.labels import drawing_issues

    doc = _read_upload(data, filename, registry.read)
    problems = drawing_issues(doc)
    if problems:
        raise Refused(problems)
    return doc


def _read_upload(data: bytes, filename: str, read: Callable[..., T]) -> T:
    """``read(data, kind, name=...)`` of an upload of an accepted kind; every failure a
    :class:`Refused`."""
    from histfmt.convert import registry

    if not data.strip():
        raise Refused([Issue("$", "the upload is empty")])
    name = _name(filename)
    try:
        kind = registry.detect(data, name=name)
        if kind not in ACCEPTED:
            raise Refused([Issue("$", f"{kind} files are not accepted here")])
        return read(data, kind, name=name)
    except HistfmtError as error:
        raise Refused.of(error) from None


def parse_book_upload(
    data: bytes, filename: str = "upload.json", *, max_plots: int = DEFAULT_MAX_PLOTS
) -> Book:
    """Every plot in ``data`` (a histfmt book or document, a UHI file of many histograms,
    a HEPData submission, ...), each checked to draw; all of them or none.

    Raises :class:`Refused` listing every problem, each at its plot's path first
    (``plots["jets/pt"].yields.data.label``; a lone plot's problems at their own
    paths, as :func:`parse_upload` gives them), and :class:`TooManyPlots` beyond
    ``max_plots``.
    """
    from histfmt.convert import registry
    from histfmt.render.labels import drawing_issues

    book = _read_upload(data, filename, registry.read_book)
    if not book.plots:
        skipped = "; ".join(f"{path}: {why}" for path, why in list(book.skipped.items())[:5])
        message = "holds no plot the viewer can show" + (f" ({skipped})" if skipped else "")
        raise Refused([Issue("$", message)])
    if len(book.plots) > max_plots:
        limit = f"one upload may hold at most {max_plots} (MAX_PLOTS_PER_UPLOAD)"
        raise TooManyPlots([Issue("$", f"holds {len(book.plots)} plots; {limit}")])
    many = len(book.plots) > 1
    problems = [
        Issue(_within(("plots", path), issue.path) if many else issue.path, issue.message)
        for path, doc in book.plots.items()
        for issue in drawing_issues(doc)
    ]
    if problems:
        raise Refused(problems)
    return book


def _within(parts: tuple[str, ...], path: str) -> str:
    """The JSON path ``path`` of a plot, under that plot's own path ``parts``."""
    prefix = format_path(parts)
    if path == "$":
        return prefix
    return prefix + (path if path.startswith("[") else "." + path)


def book_title(book: Book, filename: str) -> str:
    """The title of a book's collection: its ``metadata.title``, else the file's stem."""
    from histfmt.convert.registry import stem

    title = _text(book.metadata.title).strip()
    return (title or stem(_name(filename)) or "Upload")[:300]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def plot_info(doc: Document, *, owner: str, path: str = "") -> PlotInfo:
    """Title, author, tags and the search text of ``doc``; ``path`` is its path in a
    book, its title when the document has none."""
    meta = doc.metadata
    title = _text(meta.title) or path or _text(meta.filename) or "Untitled plot"
    author = _text(meta.author) or owner
    words = [title, path, author, *meta.tags]
    words += [_text(meta.description), _text(meta.event_selection)]
    for axis in (doc.x, doc.y):
        if isinstance(axis, Axis):
            words += [_text(axis.label), _text(axis.symbol), _text(axis.name)]
    for name, item in doc.yields.items():
        words += [name, _text(item.label)]
    return PlotInfo(title, author, tuple(meta.tags), "\n".join(w for w in words if w))


def stored_text(doc: Document) -> str:
    return histfmt.dumps(doc).decode("utf-8")
