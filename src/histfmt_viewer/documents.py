"""Uploaded bytes to a checked histfmt document, and what the database keeps of it."""

from __future__ import annotations

import itertools
from pathlib import PurePath
from typing import Any

from msgspec import UnsetType

import histfmt
from histfmt.errors import HistfmtError, Issue, ValidationError
from histfmt.model import Document
from histfmt_viewer.storage import PlotInfo

__all__ = ["ACCEPTED", "Refused", "numbers_table", "parse_upload", "plot_info"]

ACCEPTED = ("histfmt", "uhepp", "uhi", "hepdata", "yoda")
"""Kinds of upload converted on arrival; ROOT files are not read on the server."""


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


def parse_upload(data: bytes, filename: str = "upload.json") -> Document:
    """The document in ``data`` (histfmt, uhepp, UHI or HEPData), checked to draw.

    Raises :class:`Refused` listing every validation problem and every label
    matplotlib could not draw.
    """
    from histfmt.convert import registry
    from histfmt.render.labels import drawing_issues

    if not data.strip():
        raise Refused([Issue("$", "the upload is empty")])
    name = PurePath(filename).name or "upload.json"  # a name, never a path on the server
    try:
        kind = registry.detect(data, name=name)
        if kind not in ACCEPTED:
            raise Refused([Issue("$", f"{kind} files are not accepted here")])
        doc = registry.read(data, kind, name=name)
    except HistfmtError as error:
        raise Refused.of(error) from None
    problems = drawing_issues(doc)
    if problems:
        raise Refused(problems)
    return doc


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def plot_info(doc: Document, *, owner: str) -> PlotInfo:
    """Title, author, tags and the search text of ``doc``."""
    meta = doc.metadata
    title = _text(meta.title) or _text(meta.filename) or "Untitled plot"
    author = _text(meta.author) or owner
    words = [title, author, *meta.tags, _text(meta.description), _text(meta.event_selection)]
    words += [_text(doc.x.label), _text(doc.x.symbol), _text(doc.x.name)]
    for name, item in doc.yields.items():
        words += [name, _text(item.label)]
    return PlotInfo(title, author, tuple(meta.tags), "\n".join(w for w in words if w))


def stored_text(doc: Document) -> str:
    return histfmt.dumps(doc).decode("utf-8")


def _bin_names(doc: Document) -> list[str]:
    x = doc.x
    if not isinstance(x.categories, UnsetType):
        names = [str(c) for c in x.categories]
    elif isinstance(x.edges, UnsetType):
        names = []
    else:
        edges = [float(e) for e in x.edges]
        names = [f"[{a:g}, {b:g})" for a, b in itertools.pairwise(edges)]
    if x.underflow:
        names.insert(0, "underflow")
    if x.overflow:
        names.append("overflow" if isinstance(x.categories, UnsetType) else "other")
    return names


def _spread(up: Any, down: Any) -> str:
    """``±u``, or ``+u -d`` (a true minus sign) when asymmetric; empty when zero."""
    if not (up or down):
        return ""
    if f"{up:.3g}" == f"{down:.3g}":
        return f"±{up:.3g}"
    return f"+{up:.3g} \N{MINUS SIGN}{down:.3g}"


def numbers_table(doc: Document) -> dict[str, Any]:
    """Rows of (bin, value and uncertainties per yield) for the plot page, flow bins included."""
    import numpy as np

    from histfmt.shown import uncertainty_variances

    names = list(doc.yields)
    columns = []
    for name in names:
        item = doc.yields[name]
        spreads = {}
        for which in ("stat", "syst"):
            up2, down2 = uncertainty_variances(item, which)
            spreads[which] = (np.sqrt(up2).tolist(), np.sqrt(down2).tolist())
        columns.append((np.asarray(item.values, dtype=float).tolist(), spreads))
    rows = [
        {
            "bin": label,
            "cells": [
                {
                    "value": f"{values[i]:.6g}",
                    "stat": _spread(spreads["stat"][0][i], spreads["stat"][1][i]),
                    "syst": _spread(spreads["syst"][0][i], spreads["syst"][1][i]),
                }
                for values, spreads in columns
            ],
        }
        for i, label in enumerate(_bin_names(doc))
    ]
    labels = [_text(doc.yields[n].label) for n in names]
    return {"yields": names, "labels": labels, "rows": rows}
