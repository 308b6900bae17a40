"""histfmt's own documents (JSON, gzipped JSON, YAML) behind the converter interface, via io."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from histfmt.io import detect_format, dump, load, load_book, loads, loads_book

if TYPE_CHECKING:
    from histfmt.convert.interface import Source
    from histfmt.model import Book, Document

__all__ = ["read", "read_book", "sniff", "sniff_loosely", "write", "write_book"]

_FIRST_JSON = re.compile(rb'^\s*\{\s*("\$schema"\s*:\s*"[^"]*"\s*,\s*)?"histfmt"\s*:')
_FIRST_YAML = re.compile(rb"^(\$schema:.*\n)?histfmt:")


def sniff(head: bytes, name: str) -> bool:
    """The version key first (after ``$schema``), as writers put it."""
    return bool(_FIRST_JSON.match(head) or _FIRST_YAML.match(head.lstrip()))


def sniff_loosely(head: bytes) -> bool:
    """A ``histfmt`` key anywhere: a hand-written document, keys in another order."""
    return b'"histfmt"' in head or b"\nhistfmt:" in head


def read(source: Source, /, *, name: str | None = None) -> Document:
    """Read and validate a document; the format from the name, gzip from the content."""
    if not isinstance(source, bytes):
        return load(source)
    filename = name or "<bytes>"
    chosen = "json.gz" if source[:2] == b"\x1f\x8b" else detect_format(filename)
    return loads(source, filename=filename, format=chosen)


def read_book(source: Source, /, *, name: str | None = None) -> Book:
    """Read and validate a book (a single document becomes a book of one plot)."""
    if not isinstance(source, bytes):
        return load_book(source)
    filename = name or "<bytes>"
    chosen = "json.gz" if source[:2] == b"\x1f\x8b" else detect_format(filename)
    return loads_book(source, filename=filename, format=chosen)


def write(doc: Document, path: str | os.PathLike[str], /) -> None:
    """Validate and write ``doc`` (compact; YAML or gzip by the suffix), atomically."""
    dump(doc, path, indent=None)


def write_book(book: Book, path: str | os.PathLike[str], /) -> None:
    """Validate and write ``book`` (compact; YAML or gzip by the suffix), atomically."""
    dump(book, path, indent=None)
