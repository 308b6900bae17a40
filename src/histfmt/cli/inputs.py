"""What the document commands read: any input the converters know, as a book of plots.

A histfmt document is a book of one plot; a ROOT file, a UHI file of many histograms,
a HEPData submission or a YODA file is a book of many. ``--select`` keeps the plots
whose path matches a pattern; ``--plot`` picks one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from histfmt.errors import HistfmtError

if TYPE_CHECKING:
    from histfmt.model import Book, Document

__all__ = ["only", "plot_option", "read_input", "select_option", "selected"]

F = TypeVar("F", bound=Callable[..., Any])


def read_input(name: str, *, histfmt_only: bool = False) -> Book:
    """Every plot of the input ``name`` (``-``: standard input), validated.

    ``histfmt_only`` reads histfmt documents and books alone (``validate``); otherwise the
    kind is detected from the content, as ``histfmt convert`` does.
    """
    from histfmt.convert import registry
    from histfmt.io import MAX_BYTES, load_book, loads_book

    if name == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise HistfmtError(f"input exceeds the limit of {MAX_BYTES} bytes", filename=name)
        if histfmt_only:
            return loads_book(data, filename="-", format="json")
        return registry.read_book(data, name="-")
    if histfmt_only:
        return load_book(name)
    return registry.read_book(name)


def select_option(command: F) -> F:
    """``--select PATTERN`` (repeatable): only the plots whose path matches."""
    option = click.option(
        "--select", "patterns", metavar="PATTERN", multiple=True,
        help="Only the plots of a book (a ROOT file, a HEPData submission, ...) whose path "
        "matches this shell pattern, e.g. 'jets/*'; repeatable.",
    )  # fmt: skip
    return option(command)


def plot_option(command: F) -> F:
    """``--plot PATH``: one plot of a book."""
    option = click.option(
        "--plot", "plot", metavar="PATH", default=None,
        help="The plot of a book to use, by its path (see histfmt info FILE).",
    )  # fmt: skip
    return option(command)


def selected(book: Book, patterns: tuple[str, ...], name: str) -> Book:
    """The plots matching ``patterns``; none matching is an error naming the paths."""
    chosen = book.select(*patterns)
    if patterns and not chosen.plots:
        raise HistfmtError(
            f"no plot matches {', '.join(map(repr, patterns))}; the paths are "
            + _listed(list(book.plots)),
            filename=name,
        )
    return chosen


def only(book: Book, plot: str | None, name: str) -> Document:
    """The plot ``plot`` of ``book``, or its only plot."""
    if plot is not None:
        if plot not in book.plots:
            raise HistfmtError(
                f"no plot {plot!r}; the paths are {_listed(list(book.plots))}", filename=name
            )
        return book.plots[plot]
    if len(book.plots) != 1:
        raise HistfmtError(
            f"a book of {len(book.plots)} plots: pick one with --plot PATH "
            f"({_listed(list(book.plots))})"
            if book.plots
            else "no plot left to show",
            filename=name,
        )
    return next(iter(book.plots.values()))


def _listed(paths: list[str], limit: int = 8) -> str:
    shown = ", ".join(repr(path) for path in paths[:limit])
    return shown + (f", ... ({len(paths)} in all)" if len(paths) > limit else "")
