"""UHI serialization files (uhi 1.x JSON): one histogram, or a dict of named histograms.

Reading accepts what boost-histogram / hist / uhi write, including sparse storages
(read as the dense histogram they stand for) and the bare ``NaN`` / ``-Infinity``
tokens of mean storages (Python's lenient JSON parser); undefined variances become
missing values (``null``) in histfmt. A file whose histograms share their binning is
one document (:func:`read`); otherwise it is a book of one plot per histogram, keyed by
its name in the file (:func:`read_book`). A histogram of no axes is one bin (a category
named after it); those of more than two axes are left out of a book and listed in its
``metadata.extra.skipped``.

Writing produces strict JSON that ``uhi validate`` accepts: a profile's undefined
variances are written as 0 (boost-histogram's ``variances()`` shows them as NaN either
way), and a yield with missing values cannot be written (UHI has no missing values).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from histfmt.convert.interface import Source, one_plot_book, only_plot, source_bytes, source_name
from histfmt.errors import HistfmtError, Issue, ValidationError, format_path
from histfmt.io import validate
from histfmt.limits import default_limits
from histfmt.model import Book, Document
from histfmt.prescan import check_json

__all__ = ["read", "read_book", "sniff", "to_uhi_file", "write", "write_book"]

_HISTFMT = "histfmt"  # writer_info corner of a book's histograms: plot and yield names


def sniff(head: bytes, name: str) -> bool:
    """A JSON object with a ``uhi_schema`` key (at the top, or one level down)."""
    return head.lstrip()[:1] == b"{" and b'"uhi_schema"' in head


def _histograms(source: Source, name: str | None) -> tuple[dict[str, Any], str]:
    """The file's histograms by name (``histogram`` for a file of one), and its name."""
    raw, filename = source_bytes(source, name)
    check_json(raw, default_limits(), filename=filename)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise HistfmtError(f"cannot read UHI JSON: {error}", filename=filename) from None
    if not isinstance(data, dict):
        raise HistfmtError("expected a JSON object", filename=filename)
    histograms = {"histogram": data} if "uhi_schema" in data else data
    bad = [key for key, value in histograms.items() if not _is_uhi(value)]
    if bad:
        raise HistfmtError(f"not a UHI histogram: {bad[0]!r}", filename=filename)
    return histograms, filename


def _is_uhi(value: Any) -> bool:
    return isinstance(value, dict) and "uhi_schema" in value and "storage" in value


def _named(error: HistfmtError, filename: str) -> HistfmtError:
    error.filename = filename
    return error


def read(source: Source, /, *, name: str | None = None) -> Document:
    """The file (bytes or a path) as one document: every histogram a yield, all sharing
    their binning. A file of differently binned histograms is refused: read it as a book."""
    histograms, filename = _histograms(source, name)
    if len(histograms) > 1 and _several_plots(histograms):
        return only_plot(read_book(source, name=name), filename)
    return _document(histograms, filename)


def _several_plots(histograms: dict[str, Any]) -> bool:
    """Whether the histograms are more than one plot: names with ``/`` (a book's paths)
    or axes that differ (the same binning: ``bins``/``edges``/``categories`` per axis)."""
    if any("/" in key for key in histograms):
        return True
    binnings = {json.dumps(_binning(value), sort_keys=True) for value in histograms.values()}
    return len(binnings) > 1


def _binning(histogram: dict[str, Any]) -> Any:
    keys = ("type", "lower", "upper", "bins", "edges", "categories", "underflow", "overflow",
            "flow")  # fmt: skip
    axes = histogram.get("axes")
    if not isinstance(axes, list):
        return None
    return [
        {key: axis.get(key) for key in keys} if isinstance(axis, dict) else None for axis in axes
    ]


def _document(histograms: dict[str, Any], filename: str) -> Document:
    from histfmt.convert.uhi import from_hist

    try:
        return validate(from_hist(histograms), filename=filename)
    except HistfmtError as error:
        raise _named(error, filename) from None
    except (KeyError, TypeError, ValueError) as error:
        raise HistfmtError(f"malformed UHI histogram: {error!r}", filename=filename) from None


def read_book(source: Source, /, *, name: str | None = None) -> Book:
    """Every histogram of the file as a plot keyed by its name (a file whose histograms
    share their binning: one plot holding them all, as :func:`read` gives it).

    Histograms written by :func:`write_book` (``plot/yield`` names) come back as the
    plots they were. Histograms of more than two axes are skipped and listed in
    ``metadata.extra.skipped``; a file where nothing is left is refused.
    """
    from histfmt.convert.uhi import NotHeld, from_hist

    histograms, filename = _histograms(source, name)
    if len(histograms) == 1 or not _several_plots(histograms):
        return one_plot_book(_document(histograms, filename), source_name(source, name))
    groups = _groups(histograms)
    plots: dict[str, Document] = {}
    skipped: dict[str, str] = {}
    for path, members in groups.items():
        try:
            plots[path] = from_hist(members)
        except NotHeld as error:
            if len(members) > 1:
                raise _named(error, filename) from None
            skipped[path] = error.issues[0].message
            continue
        except HistfmtError as error:
            raise _named(error, filename) from None
        except (KeyError, TypeError, ValueError) as error:
            raise HistfmtError(
                f"malformed UHI histogram {path!r}: {error!r}", filename=filename
            ) from None
    if not plots:
        first, reason = next(iter(skipped.items()))
        raise ValidationError.at((first, "axes"), reason, filename=filename)
    book = Book.new(plots)
    if skipped:
        book.metadata.extra["skipped"] = skipped
    return validate(book, filename=filename)


def _groups(histograms: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Plot path -> {yield name: histogram}: ``plot/yield`` names marked by
    :func:`write_book` gather into their plot; any other histogram is a plot of its own,
    its yield named after the last part of its name."""
    groups: dict[str, dict[str, Any]] = {}
    for key, histogram in histograms.items():
        mark = (histogram.get("writer_info") or {}).get(_HISTFMT, {})
        plot, item = mark.get("plot"), mark.get("yield")
        if isinstance(plot, str) and isinstance(item, str) and key == f"{plot}/{item}":
            kept = {k: v for k, v in histogram["writer_info"].items() if k != _HISTFMT}
            histogram = {**histogram, "writer_info": kept}  # noqa: PLW2901
        else:
            plot, item = key, key.rsplit("/", 1)[-1] or "histogram"
        groups.setdefault(plot, {})[item] = histogram
    return groups


def to_uhi_file(doc: Document) -> dict[str, Any]:
    """The yields as a UHI file object: one histogram, or ``{name: histogram}``."""
    histograms = _histograms_of(doc, ())
    if len(histograms) == 1:
        return next(iter(histograms.values()))
    return histograms


def _histograms_of(doc: Document, where: tuple[str, ...]) -> dict[str, Any]:
    """Every yield of ``doc`` as a strict-JSON UHI histogram; ``where``: the plot's path."""
    from histfmt.convert.uhi import yield_to_uhi

    if not doc.yields:
        raise ValidationError.at(
            (*where, "yields"),
            "UHI holds histograms; this plot has no yields"
            + (" (only graphs)" if doc.graphs else ""),
        )
    histograms = {}
    for name, item in doc.yields.items():
        values = np.asarray(item.values, dtype=np.float64)
        missing = np.argwhere(np.isnan(values))
        if missing.size and item.kind != "mean":
            raise ValidationError.at(
                (*where, "yields", name, "values", *(int(i) for i in missing[0])),
                "is missing (null); UHI has no missing values",
            )
        try:
            histograms[name] = _strict(yield_to_uhi(doc, name))
        except ValidationError as error:
            raise ValidationError(
                [Issue(_join(where, issue.path), issue.message) for issue in error.issues]
            ) from None
    return histograms


def _join(where: tuple[str, ...], path: str) -> str:
    return path if not where else f"{format_path(where)}.{path}"


def _strict(value: Any) -> Any:
    """Plain JSON data with every NaN replaced by 0 (undefined variances of means)."""
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(item) for item in value]
    if isinstance(value, np.ndarray):
        return _strict(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return 0.0
    return value


def write(doc: Document, path: str | os.PathLike[str], /) -> None:
    """Write the yields as a UHI JSON file (strict JSON, atomically)."""
    try:
        content = to_uhi_file(doc)
    except HistfmtError as error:
        raise _named(error, os.fspath(path)) from None
    _write_json(content, path)


def _write_json(content: Any, path: str | os.PathLike[str]) -> None:
    from histfmt.io import atomic_write

    data = json.dumps(content, allow_nan=False).encode("utf-8")
    atomic_write(Path(path), data)


def write_book(book: Book, path: str | os.PathLike[str], /) -> None:
    """Every yield of every plot as one UHI file: a book of one plot as :func:`write`
    writes it, else histograms named ``plot/yield`` (which :func:`read_book` gathers
    back into their plots). A plot without yields (graphs only) is refused."""
    if len(book.plots) == 1:
        write(next(iter(book.plots.values())), path)
        return
    histograms: dict[str, Any] = {}
    try:
        for plot, doc in book.plots.items():
            for name, histogram in _histograms_of(doc, ("plots", plot)).items():
                histogram.setdefault("writer_info", {})[_HISTFMT] = {"plot": plot, "yield": name}
                histograms[f"{plot}/{name}"] = histogram
    except HistfmtError as error:
        raise _named(error, os.fspath(path)) from None
    if not histograms:
        raise HistfmtError(
            "the book holds no plots; UHI has nothing to write", filename=os.fspath(path)
        )
    _write_json(histograms, path)
