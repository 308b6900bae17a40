"""UHI serialization files (uhi 1.x JSON): one histogram, or a dict of named histograms.

Reading accepts what boost-histogram / hist / uhi write, including the bare ``NaN``
tokens of mean storages (Python's lenient JSON parser); those become missing values
(``null``) in histfmt. Writing produces strict JSON that ``uhi validate`` accepts:
a mean storage's undefined variances (bins with fewer than two entries) are written
as 0, and a yield with missing values cannot be written (UHI has no missing values).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from histfmt.convert.interface import Source, one_plot_book, only_plot, source_bytes, source_name
from histfmt.errors import HistfmtError
from histfmt.model import Book, Document

__all__ = ["read", "read_book", "sniff", "write", "write_book"]


def sniff(head: bytes, name: str) -> bool:
    """A JSON object with a ``uhi_schema`` key (at the top, or one level down)."""
    return head.lstrip()[:1] == b"{" and b'"uhi_schema"' in head


def read(source: Source, /, *, name: str | None = None) -> Document:
    """Every histogram of the file (bytes or a path) as a yield; the document stacks them."""
    from histfmt.convert.uhi import from_hist

    raw, filename = source_bytes(source, name)
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise HistfmtError(f"cannot read UHI JSON: {error}", filename=filename) from None
    if not isinstance(data, dict):
        raise HistfmtError("expected a JSON object", filename=filename)
    histograms = {"histogram": data} if "uhi_schema" in data else data
    bad = [key for key, value in histograms.items() if not _is_uhi(value)]
    if bad:
        raise HistfmtError(f"not a UHI histogram: {bad[0]!r}", filename=filename)
    try:
        return from_hist(histograms)
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, HistfmtError):
            error.filename = filename
            raise
        raise HistfmtError(f"malformed UHI histogram: {error!r}", filename=filename) from None


def _is_uhi(value: Any) -> bool:
    return isinstance(value, dict) and "uhi_schema" in value and "storage" in value


def to_uhi_file(doc: Document) -> dict[str, Any]:
    """The yields as a UHI file object: one histogram, or ``{name: histogram}``."""
    from histfmt.convert.uhi import yield_to_uhi

    histograms = {}
    for name, item in doc.yields.items():
        missing = np.flatnonzero(np.isnan(np.asarray(item.values, dtype=np.float64)))
        if missing.size and not _is_mean(item.writer_info):
            raise HistfmtError(
                f"yields.{name}.values[{missing[0]}] is missing (null); UHI has no missing values"
            )
        histograms[name] = _strict(yield_to_uhi(doc, name))
    if len(histograms) == 1:
        return next(iter(histograms.values()))
    return histograms


def _is_mean(writer_info: dict[str, Any]) -> bool:
    kept = writer_info.get("uhi", {}).get("storage", {})
    return isinstance(kept, dict) and kept.get("type") in ("mean", "weighted_mean")


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
    from histfmt.io import atomic_write

    data = json.dumps(to_uhi_file(doc), allow_nan=False).encode("utf-8")
    atomic_write(Path(path), data)


def read_book(source: Source, /, *, name: str | None = None) -> Book:
    """The input as a book of one plot."""
    return one_plot_book(read(source, name=name), source_name(source, name))


def write_book(book: Book, path: str | os.PathLike[str], /) -> None:
    """A book of one plot, written as by :func:`write`; several plots are refused."""
    write(only_plot(book, os.fspath(path)), path)
