"""The interface every file-format converter satisfies: a module with three functions.

A converter module (``native``, ``uhepp``, ``uhi_file``, ``hepdata``, ``root``)
provides, checked by mypy against :class:`Converter`:

``sniff(head, name)``
    whether the input is of this kind, judged from its first bytes (gzip already
    opened), with the file name only to break ties;
``read(source, /, *, name=None)``
    the input, bytes or a path, as a validated document; errors name ``name``
    (for bytes) or the path; an input holding several plots is refused with a
    message saying so (:func:`only_plot`);
``read_book(source, /, *, name=None)``
    every plot of the input as a validated :class:`~histfmt.model.Book`, keyed by its
    path inside the input (a ROOT object path, a UHI key, a HEPData table name, a
    YODA path); never a refusal because the plots' binnings differ;
``write(doc, path)``
    the document in this format (atomically where the output is one file);
``write_book(book, path)``
    every plot of the book in this format, or a :class:`~histfmt.HistfmtError`
    saying why this format cannot hold it.

A module imports its third-party library inside the functions and raises
:class:`~histfmt.HistfmtError` naming the extra to install when it is missing.
"""

from __future__ import annotations

import os
from pathlib import PurePath
from typing import TYPE_CHECKING, Protocol, TypeAlias

from histfmt.errors import HistfmtError
from histfmt.io import read_file

if TYPE_CHECKING:
    from histfmt.model import Book, Document

__all__ = [
    "DATA_NAMES",
    "HEAD_BYTES",
    "Converter",
    "Source",
    "is_data",
    "one_plot_book",
    "only_plot",
    "source_bytes",
    "source_name",
    "stem_of",
]

Source: TypeAlias = bytes | str | os.PathLike[str]
"""An input: its bytes, or the path of a file (or of a folder, for a HEPData submission)."""

HEAD_BYTES = 65536
"""How much of an input ``sniff`` is shown."""

DATA_NAMES = ("data", "data_obs")
"""Names that mark a histogram as observed data in every converter (any case): drawn
as points over the stack, with a data / prediction ratio. (YODA's Rivet reference
objects, ``/REF/...``, are data by their path.)"""


def is_data(name: str) -> bool:
    """Whether a histogram called ``name`` (its last path part) is observed data."""
    return name.rsplit("/", 1)[-1].lower() in DATA_NAMES


class Converter(Protocol):
    """What the registry needs of a converter module."""

    def sniff(self, head: bytes, name: str, /) -> bool:
        """Whether ``head`` (the first bytes of an input called ``name``) is of this kind."""
        ...

    def read(self, source: Source, /, *, name: str | None = None) -> Document:
        """The input as a validated document."""
        ...

    def read_book(self, source: Source, /, *, name: str | None = None) -> Book:
        """Every plot of the input, as a validated book."""
        ...

    def write(self, doc: Document, path: str | os.PathLike[str], /) -> None:
        """Write ``doc`` in this format to ``path``."""
        ...

    def write_book(self, book: Book, path: str | os.PathLike[str], /) -> None:
        """Write every plot of ``book`` in this format to ``path``."""
        ...


def only_plot(book: Book, name: str) -> Document:
    """The one plot of ``book``; an input of several plots is refused, saying what to do."""
    if len(book.plots) == 1:
        return next(iter(book.plots.values()))
    listed = ", ".join(repr(path) for path in list(book.plots)[:5])
    more = ", ..." if len(book.plots) > 5 else ""
    raise HistfmtError(
        f"holds {len(book.plots)} plots ({listed}{more}), not one: read it as a book "
        "(histfmt convert FILE book.json, or FILE folder/ for one file per plot)"
        if book.plots
        else "holds no plot that histfmt can read",
        filename=name,
    )


def source_name(source: Source, name: str | None = None) -> str:
    """The name errors give an input: ``name``, the path, or ``<bytes>``."""
    if name:
        return name
    return "<bytes>" if isinstance(source, bytes) else os.fspath(source)


def one_plot_book(doc: Document, name: str) -> Book:
    """A book holding ``doc`` alone, keyed by the input's stem (a format of one plot)."""
    from histfmt.model import Book

    return Book.new({stem_of(name): doc})


def stem_of(name: str) -> str:
    """A file's name without folders and without every suffix: the key of its plot in a
    book of one plot."""
    return PurePath(name).name.split(".")[0] or "plot"


def source_bytes(source: Source, name: str | None = None) -> tuple[bytes, str]:
    """The bytes of ``source`` and the name its errors give: ``name``, the path, or ``<bytes>``."""
    filename = source_name(source, name)
    if isinstance(source, bytes):
        return source, filename
    return read_file(source, filename=filename), filename
