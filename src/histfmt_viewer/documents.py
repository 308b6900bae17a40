"""Uploaded bytes to checked histfmt documents (one plot, or a book of many), and what
the database keeps of each."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, TypeVar, cast

import histfmt
from histfmt.errors import HistfmtError, Issue, ValidationError, format_path
from histfmt.model import Axis, Book, Document
from histfmt_viewer.storage import PlotInfo

__all__ = [
    "ACCEPTED",
    "Checked",
    "CheckedBook",
    "Refused",
    "TooLarge",
    "UploadLimits",
    "book_title",
    "checked",
    "checked_plots",
    "checked_text",
    "parse_book_upload",
    "parse_upload",
    "plot_info",
    "stored_text",
    "text_problem",
]

if TYPE_CHECKING:  # marks for the type checker; at run time the same classes

    class Checked(Document):
        """A document as :func:`parse_upload` and :func:`checked` return it: validated by
        histfmt (every reader and converter validates what it returns) and checked to
        store and draw. Its stored text is encoded without validating it a second time
        (:func:`checked_text`); nothing may change it in between."""

    class CheckedBook(Book):
        """A book as :func:`parse_book_upload` returns it: every plot a :class:`Checked`
        document (see :func:`checked_plots`)."""

else:
    Checked = Document
    CheckedBook = Book

T = TypeVar("T")

ACCEPTED = ("histfmt", "uhepp", "uhi", "hepdata", "yoda", "pyhf")
"""Kinds of upload converted on arrival; ROOT files are not read on the server."""

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class UploadLimits:
    """What one upload may hold, so that every page and image of it answers in bounded
    time (the app's config of the same names, upper case)."""

    max_plots_per_upload: int = 1000
    """Plots in one upload (a book)."""
    max_bins_per_upload: int = 1_500_000
    """Cells over every yield of every plot (a 2-D yield counts x bins times y bins, flow
    bins included) and every graph point: a 1000 x 1000 map with flow bins is 1,004,004."""
    max_yields_per_plot: int = 200
    """Yields and graphs of one plot (each is drawn, listed and stacked separately)."""


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


class TooLarge(Refused):
    """An upload beyond one of its :class:`UploadLimits` (HTTP 413): the message names the limit."""


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (None: it can): NUL, which PostgreSQL text cannot
    hold, or a lone surrogate, which is no character UTF-8 can encode."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains NUL (\\u0000), which cannot be stored"
    return f"contains a lone surrogate (\\u{ord(found.group()):04x}), which is not a character"


def _name(filename: str) -> str:
    return PurePath(filename).name or "upload.json"  # a name, never a path on the server


def parse_upload(
    data: bytes, filename: str = "upload.json", *, limits: UploadLimits = UploadLimits()
) -> Checked:
    """The one document in ``data`` (histfmt, uhepp, UHI, HEPData, ...), checked to store
    and draw (:func:`checked`).

    Raises :class:`Refused` listing every problem, :class:`TooLarge` beyond ``limits``.
    """
    from histfmt.convert import registry

    doc, kind = _read_upload(data, filename, registry.read)
    if kind != "histfmt":
        _title(doc, "", filename)
    return checked(doc, limits=limits)


def checked(doc: Document, *, limits: UploadLimits = UploadLimits()) -> Checked:
    """``doc``, a document as a histfmt reader or converter returns it (validated), when
    the viewer can store and draw it, else :class:`TooLarge` (beyond ``limits``) or
    :class:`Refused` listing every text that cannot be stored and every label matplotlib
    could not draw."""
    _check_size({"": doc}, limits)
    problems = _problems(doc)
    if problems:
        raise Refused(problems)
    return cast("Checked", doc)


def checked_plots(book: CheckedBook) -> list[tuple[str, Checked]]:
    """The plots of a checked book, by path, in its order."""
    return [(path, cast("Checked", doc)) for path, doc in book.plots.items()]


def _problems(doc: Document) -> list[Issue]:
    from histfmt.render.labels import drawing_issues

    unstorable = [
        Issue(format_path(parts), problem)
        for parts, text in _texts(doc)
        if (problem := text_problem(text)) is not None
    ]
    return unstorable + drawing_issues(doc)


def _check_size(plots: dict[str, Document], limits: UploadLimits) -> None:
    """:class:`TooLarge` when ``plots`` hold more than ``limits`` allow."""
    if len(plots) > limits.max_plots_per_upload:
        limit = f"one upload may hold at most {limits.max_plots_per_upload} (MAX_PLOTS_PER_UPLOAD)"
        raise TooLarge([Issue("$", f"holds {len(plots)} plots; {limit}")])
    many = len(plots) > 1
    for path, doc in plots.items():
        series = len(doc.yields) + len(doc.graphs)
        if series > limits.max_yields_per_plot:
            where = format_path(("plots", path)) if many else "$"
            limit = f"a plot may hold at most {limits.max_yields_per_plot} (MAX_YIELDS_PER_PLOT)"
            raise TooLarge([Issue(where, f"holds {series} yields and graphs; {limit}")])
    cells = sum(_cells(doc) for doc in plots.values())
    if cells > limits.max_bins_per_upload:
        limit = f"one upload may hold at most {limits.max_bins_per_upload:,} (MAX_BINS_PER_UPLOAD)"
        raise TooLarge([Issue("$", f"holds {cells:,} bins over all yields and graphs; {limit}")])


def _cells(doc: Document) -> int:
    """The bins of every yield (x times y bins for a 2-D one) and the points of every graph."""
    return sum(int(item.values.size) for item in doc.yields.values()) + sum(
        int(graph.x.size) for graph in doc.graphs
    )


def _read_upload(data: bytes, filename: str, read: Callable[..., T]) -> tuple[T, str]:
    """``read(data, kind, name=...)`` of an upload of an accepted kind, and the kind;
    every failure a :class:`Refused`."""
    from histfmt.convert import registry

    if not data.strip():
        raise Refused([Issue("$", "the upload is empty")])
    name = _name(filename)
    try:
        kind = registry.detect(data, name=name)
        if kind not in ACCEPTED:
            raise Refused([Issue("$", f"{kind} files are not accepted here")])
        return read(data, kind, name=name), kind
    except HistfmtError as error:
        raise Refused.of(error) from None


def parse_book_upload(
    data: bytes,
    filename: str = "upload.json",
    *,
    limits: UploadLimits = UploadLimits(),
    read_book: Callable[..., Book] | None = None,
) -> CheckedBook:
    """Every plot in ``data`` (a histfmt book or document, a UHI file of many histograms,
    a HEPData submission, ...), each checked to store and draw; all of them or none.

    Raises :class:`Refused` listing every problem, each at its plot's path first
    (``plots["jets/pt"].yields.data.label``; a lone plot's problems at their own
    paths, as :func:`parse_upload` gives them), and :class:`TooLarge` beyond ``limits``.
    ``read_book(data, kind, name=...)`` reads it (default ``registry.read_book``).
    """
    from histfmt.convert import registry

    book, kind = _read_upload(data, filename, read_book or registry.read_book)
    if kind != "histfmt" and len(book.plots) == 1:
        for path, doc in book.plots.items():
            _title(doc, path, filename)
    if not book.plots:
        skipped = "; ".join(f"{path}: {why}" for path, why in list(book.skipped.items())[:5])
        message = "holds no plot the viewer can show" + (f" ({skipped})" if skipped else "")
        raise Refused([Issue("$", message)])
    _check_size(book.plots, limits)
    many = len(book.plots) > 1
    problems = [
        Issue(_within(("plots", path), issue.path) if many else issue.path, issue.message)
        for path, doc in book.plots.items()
        for issue in _problems(doc)
    ]
    if many:
        problems += [
            Issue(format_path(("plots", path)), f"the path {problem}")
            for path in book.plots
            if (problem := text_problem(path)) is not None
        ]
        problems += [
            Issue(format_path(("metadata", key)), problem)
            for key in ("title", "description")
            if (problem := text_problem(_text(getattr(book.metadata, key)))) is not None
        ]
    if problems:
        raise Refused(problems)
    return cast("CheckedBook", book)


def _within(parts: tuple[str, ...], path: str) -> str:
    """The JSON path ``path`` of a plot, under that plot's own path ``parts``."""
    prefix = format_path(parts)
    if path == "$":
        return prefix
    return prefix + (path if path.startswith("[") else "." + path)


def _title(doc: Document, path: str, filename: str) -> None:
    """Give a converted plot without a title one: its path in the file (a HEPData
    table's or a UHI histogram's name), else the file name's stem."""
    from histfmt.convert.registry import stem

    if not _text(doc.metadata.title).strip():
        title = path.strip() or stem(_name(filename)).strip()
        if title:
            doc.metadata.title = title[:300]


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


def _texts(doc: Document) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every text of ``doc`` that :func:`plot_info` gives the database, with its JSON path."""
    meta = doc.metadata
    for key in ("title", "author", "filename", "description", "event_selection"):
        yield ("metadata", key), _text(getattr(meta, key))
    for i, tag in enumerate(meta.tags):
        yield ("metadata", "tags", i), tag
    for name, axis in (("x", doc.x), ("y", doc.y)):
        if isinstance(axis, Axis):
            for key in ("label", "symbol", "name"):
                yield (name, key), _text(getattr(axis, key))
    for name, item in doc.yields.items():
        yield ("yields", name), name
        yield ("yields", name, "label"), _text(item.label)


def stored_text(doc: Document) -> str:
    """The text the database keeps of ``doc``: what ``histfmt.dumps`` writes (it
    validates ``doc`` first; for a :data:`Checked` document use :func:`checked_text`)."""
    return histfmt.dumps(doc).decode("utf-8")


def checked_text(doc: Checked) -> str:
    """:func:`stored_text` of a :data:`Checked` document, which was validated when it
    was read: the same bytes, encoded without a second validation (that cost more than
    the reading's own checks)."""
    from histfmt.codec import encode

    return encode(doc).decode("utf-8")
