"""What a book holds, one line per plot: ``histfmt info`` on a file of many plots."""

from __future__ import annotations

from typing import Any

from msgspec import UnsetType

from histfmt.model import Axis, Book, Document

__all__ = ["format_contents", "plot_line", "summarize_book"]


def _binning(axis: Axis) -> str:
    if not isinstance(axis.categories, UnsetType):
        return f"{len(axis.categories)} categories"
    if isinstance(axis.edges, UnsetType):
        return "no bins"
    return f"{axis.n_bins} bins {axis.edges[0]:g}..{axis.edges[-1]:g}"


def plot_line(path: str, doc: Document) -> dict[str, Any]:
    """One plot as plain data: its path, binning, yields (with their kinds) and graphs."""
    binning = _binning(doc.x) if doc.x.binned or not doc.graphs else "graphs only"
    if not isinstance(doc.y, UnsetType):
        binning += f" by {_binning(doc.y)}"
    title = doc.metadata.title
    return {
        "path": path,
        "dimensions": 2 if not isinstance(doc.y, UnsetType) else 1,
        "binning": binning,
        "yields": {name: item.kind for name, item in doc.yields.items()},
        "graphs": len(doc.graphs),
        "title": title if isinstance(title, str) else None,
    }


def summarize_book(book: Book) -> dict[str, Any]:
    """The book as plain data (JSON-ready): format, title, every plot, what was skipped."""
    title = book.metadata.title
    return {
        "format": book.histfmt,
        "title": title if isinstance(title, str) else None,
        "plots": [plot_line(path, doc) for path, doc in book.plots.items()],
        "skipped": book.skipped,
    }


def format_contents(summary: dict[str, Any], *, name: str) -> str:
    """The book summary as text: a header, one line per plot, then what was skipped."""
    plots = summary["plots"]
    lines = [f"{name}  (histfmt {summary['format']}): a book of {len(plots)} plots"]
    if summary["title"]:
        lines.append(f"  title  {summary['title']}")
    width = max((len(plot["path"]) for plot in plots), default=0)
    for plot in plots:
        kinds = sorted(set(plot["yields"].values()) - {"count"})
        names = ", ".join(list(plot["yields"])[:4]) + (", ..." if len(plot["yields"]) > 4 else "")
        what = [plot["binning"]]
        if plot["yields"]:
            what.append(f"yields: {names}" + (f" ({', '.join(kinds)})" if kinds else ""))
        if plot["graphs"]:
            what.append(f"{plot['graphs']} graph" + ("s" if plot["graphs"] > 1 else ""))
        lines.append(f"  {plot['path']:<{width}}  " + "; ".join(what))
    skipped = summary["skipped"]
    if skipped:
        lines.append(f"skipped ({len(skipped)})")
        lines += [f"  {path}: {reason}" for path, reason in skipped.items()]
    return "\n".join(lines) + "\n"
