"""Which kind of input is this, and which converter module reads or writes it.

Inputs are bytes or paths (:data:`~histfmt.convert.interface.Source`); every kind is
one module satisfying :class:`~histfmt.convert.interface.Converter`, imported when
first needed (a missing optional library only hides its kind).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from histfmt.convert.interface import HEAD_BYTES, Converter, Source
from histfmt.errors import HistfmtError
from histfmt.io import regular_file

if TYPE_CHECKING:
    from histfmt.convert import hepdata, native, root, uhepp, uhi_file
    from histfmt.convert import pyhf as pyhf_workspace
    from histfmt.convert.yoda import documents as yoda
    from histfmt.model import Book, Document

    # every converter module satisfies the interface (checked by mypy)
    _CHECKED: tuple[Converter, ...] = (native, uhepp, uhi_file, hepdata, root, yoda)
    _CHECKED_PYHF: Converter = pyhf_workspace

__all__ = [
    "KINDS",
    "Kind",
    "convert",
    "converter",
    "detect",
    "output_kind",
    "output_name",
    "read",
    "read_book",
    "stem",
    "write",
    "write_book",
]

Kind = Literal["histfmt", "uhepp", "uhi", "hepdata", "root", "yoda", "pyhf"]
KINDS: tuple[Kind, ...] = ("histfmt", "uhepp", "uhi", "hepdata", "root", "yoda", "pyhf")
_MODULES: dict[Kind, str] = {
    "histfmt": "histfmt.convert.native",
    "uhepp": "histfmt.convert.uhepp",
    "uhi": "histfmt.convert.uhi_file",
    "hepdata": "histfmt.convert.hepdata",
    "root": "histfmt.convert.root",
    "yoda": "histfmt.convert.yoda.documents",
    "pyhf": "histfmt.convert.pyhf",  # a pyhf workspace (read only)
}
_SNIFF_ORDER: tuple[Kind, ...] = ("root", "yoda", "uhi", "uhepp", "hepdata", "pyhf")
_EXPECTED = (
    "a histfmt document (.json, .json.gz, .yaml), a uhepp file, a UHI histogram file, "
    "a HEPData table or submission, a ROOT file, a YODA file (.yoda, .yoda.gz), "
    "or a pyhf workspace"
)


def converter(kind: Kind) -> Converter:
    """The module that reads and writes ``kind``."""
    return cast(Converter, importlib.import_module(_MODULES[kind]))


def _head(source: Source, name: str) -> bytes:
    """The first bytes of an input (gzip opened); nothing for a folder."""
    if isinstance(source, bytes):
        head = source[:HEAD_BYTES]
    else:
        path = Path(source)
        try:
            if regular_file(path, filename=name, folder_ok=True).st_mode & 0o40000:
                return b""  # a folder
            with path.open("rb") as stream:
                head = stream.read(HEAD_BYTES)
        except FileNotFoundError:
            raise HistfmtError("no such file or folder", filename=name) from None
        except (OSError, ValueError) as error:  # ValueError: a NUL in the name
            reason = getattr(error, "strerror", None) or error
            raise HistfmtError(f"cannot read: {reason}", filename=name) from None
    if head[:2] == b"\x1f\x8b":  # gzip: look inside
        import zlib

        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, HEAD_BYTES)
        except zlib.error:
            return b""
    return head


def _name(source: Source, name: str | None) -> str:
    if name:
        return name
    return "<bytes>" if isinstance(source, bytes) else os.fspath(source)


def detect(source: Source, /, *, name: str | None = None) -> Kind:
    """The kind of an input (bytes or a path), from its content; the name only breaks ties."""
    name = _name(source, name)
    head = _head(source, name)
    if not head and isinstance(source, bytes):  # only a folder may have no head
        raise HistfmtError(f"cannot tell what this is; expected {_EXPECTED}", filename=name)
    from histfmt.convert import native

    if native.sniff(head, name):
        return "histfmt"
    for kind in _SNIFF_ORDER:
        try:
            module = converter(kind)
        except ImportError:
            continue
        if module.sniff(head, name):
            return kind
    if native.sniff_loosely(head):
        return "histfmt"
    raise HistfmtError(f"cannot tell what this is; expected {_EXPECTED}", filename=name)


def read(source: Source, /, kind: Kind | None = None, *, name: str | None = None) -> Document:
    """Read any supported input, bytes or a path, as a histfmt document.

    ``name`` is the file name of bytes, for errors and as a hint (``.yaml``, ``.tgz``).
    Every failure is a :class:`~histfmt.HistfmtError` naming the input (see :func:`_reading`).
    """
    with _reading(source, name, kind) as chosen:
        return converter(chosen).read(source, name=name)


def read_book(source: Source, /, kind: Kind | None = None, *, name: str | None = None) -> Book:
    """Read every plot of any supported input, bytes or a path, as a book."""
    with _reading(source, name, kind) as chosen:
        return converter(chosen).read_book(source, name=name)


@contextmanager
def _reading(source: Source, name: str | None, kind: Kind | None) -> Iterator[Kind]:
    """The one place where reading an input fails only with a HistfmtError: what a
    converter or its third-party library raises on a malformed input (a ``KeyError`` in
    a truncated ROOT file, a ``zlib.error``, ...) becomes one naming the file and the
    kind, the original kept as its ``__cause__`` (shown with ``HISTFMT_DEBUG=1``)."""
    chosen = kind
    try:
        chosen = kind or detect(source, name=name)
        yield chosen
    except HistfmtError:
        raise
    except (ImportError, MemoryError):  # a missing extra, or a machine out of memory
        raise
    except Exception as error:
        what = f"this {chosen} input" if chosen else "this input"
        raise HistfmtError(
            f"cannot read {what} ({type(error).__name__}: {error})".splitlines()[0],
            filename=_name(source, name),
        ) from error


def output_kind(target: str | Path, to: Kind | None = None) -> Kind:
    """The output kind: ``to``, else from the suffix (.root, .tar.gz, .yoda, .yoda.gz;
    .json/.yaml: histfmt)."""
    if to is not None:
        return to
    name = str(target).lower()
    if name.endswith(".root"):
        return "root"
    if name.endswith((".yoda", ".yoda.gz")):
        return "yoda"
    if name.endswith((".tar.gz", ".tgz")):
        return "hepdata"
    if name.endswith((".json", ".json.gz", ".yaml", ".yml", ".gz")):
        return "histfmt"
    raise HistfmtError(
        f"cannot tell the output kind from {Path(target).name!r}; use --to ({', '.join(KINDS)})"
    )


_SUFFIX = {
    "histfmt": ".json",
    "uhepp": ".json",
    "uhi": ".json",
    "root": ".root",
    "hepdata": "",
    "yoda": ".yoda",
    "pyhf": ".json",
}


def stem(source: str | Path) -> str:
    """The file name of ``source`` without the suffix of any kind it may be."""
    name = Path(source).name
    suffixes = (".json.gz", ".tar.gz", ".yoda.gz", ".json", ".yaml", ".yml", ".root", ".tgz",
                ".yoda", ".gz")  # fmt: skip
    for suffix in suffixes:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def output_name(source: str | Path, kind: Kind) -> str:
    """The file name an input gets in an output folder."""
    return stem(source) + _SUFFIX[kind]


def write(doc: Document, target: str | Path, kind: Kind) -> None:
    """Write ``doc`` as ``kind`` to ``target``."""
    converter(kind).write(doc, Path(target))


def write_book(book: Book, target: str | Path, kind: Kind) -> None:
    """Write every plot of ``book`` as ``kind`` to ``target``."""
    converter(kind).write_book(book, Path(target))


def convert(source: str | Path, target: str | Path, *, to: Kind | None = None) -> Kind:
    """Read ``source`` (any kind) and write it to ``target``; returns the kind written."""
    kind = output_kind(target, to)
    write(read(source), target, kind)
    return kind
