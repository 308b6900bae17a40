"""Which kind of file is this, and which module reads or writes it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any, Literal

from histfmt.errors import HistfmtError
from histfmt.model import Document

__all__ = [
    "KINDS",
    "Kind",
    "convert",
    "detect",
    "output_kind",
    "output_name",
    "read",
    "stem",
    "write",
]

Kind = Literal["histfmt", "uhepp", "uhi", "hepdata", "root"]
KINDS: tuple[Kind, ...] = ("histfmt", "uhepp", "uhi", "hepdata", "root")
_MODULES = {
    "uhepp": "histfmt.convert.uhepp",
    "uhi": "histfmt.convert.uhi_file",
    "hepdata": "histfmt.convert.hepdata",
    "root": "histfmt.convert.root",
}
_HEAD = 65536
_EXPECTED = (
    "a histfmt document (.json, .json.gz, .yaml), a uhepp file, a UHI histogram file, "
    "a HEPData table or submission, or a ROOT file"
)


def _module(kind: str) -> Any:
    return importlib.import_module(_MODULES[kind])


def _head(path: Path) -> bytes:
    if path.is_dir():
        return b""
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD)
    except OSError as error:
        raise HistfmtError(f"cannot read: {error.strerror or error}", filename=str(path)) from None
    if head[:2] == b"\x1f\x8b":  # gzip: look inside
        import zlib

        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, _HEAD)
        except zlib.error:
            return b""
    return head


_HISTFMT_FIRST = re.compile(rb'^\s*\{\s*("\$schema"\s*:\s*"[^"]*"\s*,\s*)?"histfmt"\s*:')
_HISTFMT_YAML = re.compile(rb"^(\$schema:.*\n)?histfmt:")


def _is_histfmt(head: bytes, *, anywhere: bool = False) -> bool:
    """A histfmt document: its version key first (as writers put it), or anywhere at all."""
    if _HISTFMT_FIRST.match(head) or _HISTFMT_YAML.match(head.lstrip()):
        return True
    return anywhere and (b'"histfmt"' in head or b"\nhistfmt:" in head)


def detect(path: str | Path) -> Kind:
    """The kind of ``path``, from its content (the name only breaks ties)."""
    path = Path(path)
    if not path.exists():
        raise HistfmtError("no such file or folder", filename=str(path))
    head = _head(path)
    if _is_histfmt(head):
        return "histfmt"
    for kind in ("root", "uhi", "uhepp", "hepdata"):
        try:
            module = _module(kind)
        except ImportError:
            continue
        if module.sniff(head, path):
            return kind
    if _is_histfmt(head, anywhere=True):  # hand-written, keys in another order
        return "histfmt"
    raise HistfmtError(f"cannot tell what this is; expected {_EXPECTED}", filename=str(path))


def read(path: str | Path, kind: Kind | None = None) -> Document:
    """Read any supported input as a histfmt document."""
    path = Path(path)
    kind = kind or detect(path)
    if kind == "histfmt":
        from histfmt.io import load

        return load(path)
    document: Document = _module(kind).read(path)
    return document


def output_kind(target: str | Path, to: Kind | None = None) -> Kind:
    """The output kind: ``to``, else from the suffix (.root, .tar.gz; .json/.yaml: histfmt)."""
    if to is not None:
        return to
    name = str(target).lower()
    if name.endswith(".root"):
        return "root"
    if name.endswith((".tar.gz", ".tgz")):
        return "hepdata"
    if name.endswith((".json", ".json.gz", ".yaml", ".yml", ".gz")):
        return "histfmt"
    raise HistfmtError(
        f"cannot tell the output kind from {Path(target).name!r}; use --to ({', '.join(KINDS)})"
    )


_SUFFIX = {"histfmt": ".json", "uhepp": ".json", "uhi": ".json", "root": ".root", "hepdata": ""}


def stem(source: str | Path) -> str:
    """The file name of ``source`` without the suffix of any kind it may be."""
    name = Path(source).name
    for suffix in (".json.gz", ".tar.gz", ".json", ".yaml", ".yml", ".root", ".tgz", ".gz"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def output_name(source: str | Path, kind: Kind) -> str:
    """The file name an input gets in an output folder."""
    return stem(source) + _SUFFIX[kind]


def write(doc: Document, target: str | Path, kind: Kind) -> None:
    """Write ``doc`` as ``kind`` to ``target``."""
    target = Path(target)
    if kind == "histfmt":
        from histfmt.io import dump

        dump(doc, target, indent=None)
        return
    _module(kind).write(doc, target)


def convert(source: str | Path, target: str | Path, *, to: Kind | None = None) -> Kind:
    """Read ``source`` (any kind) and write it to ``target``; returns the kind written."""
    kind = output_kind(target, to)
    write(read(source), target, kind)
    return kind
