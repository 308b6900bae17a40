"""Opening a ROOT file with uproot, walking its directory tree, naming its errors."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from histfmt.convert.interface import Source, source_name
from histfmt.errors import HistfmtError, ValidationError

__all__ = [
    "Entry",
    "Unsupported",
    "entries",
    "fresh_classes",
    "get_object",
    "json_string",
    "open_file",
    "sniff",
    "uproot_module",
]


def sniff(head: bytes, name: str) -> bool:
    """A ROOT file starts with the bytes ``root``."""
    return head.startswith(b"root")


def uproot_module() -> Any:
    """uproot, or an error naming the extra to install."""
    try:
        import uproot
    except ImportError:
        raise HistfmtError(
            "ROOT files need uproot installed: pip install 'histfmt[root]'"
        ) from None
    return uproot


_SHORT = re.compile(r"expected Chunk of length (\d+), received (\d+) bytes")


def _describe(error: BaseException) -> str:
    """uproot's error in one line; a file cut short said in words."""
    text = " ".join(str(error).split())
    short = _SHORT.search(text)
    if short:
        return (
            f"the file is cut short (truncated or damaged): a record of {short[1]} bytes "
            f"has only {short[2]}"
        )
    return f"{type(error).__name__}: {text}"


def fresh_classes(uproot: Any) -> dict[str, Any]:
    """uproot's predefined classes without those it made from other files' streamers.

    uproot keeps the classes it builds from a file's streamers (a ``TEfficiency``, say)
    in one global table, and a later file of another ROOT version is then read with
    the first file's layout; a file opened with these classes reads as in a fresh
    process.
    """
    return {
        name: cls
        for name, cls in uproot.classes.items()
        if getattr(cls, "__module__", "") != "uproot.dynamic"
    }


@contextmanager
def open_file(source: Source, name: str | None = None) -> Iterator[tuple[Any, str]]:
    """The open uproot file and the name errors give it; uproot's own errors (a damaged
    file) become a :class:`HistfmtError` naming the file."""
    uproot = uproot_module()
    filename = source_name(source, name)
    opened: io.BytesIO | Path
    if isinstance(source, bytes):
        head, opened = source[:4], io.BytesIO(source)
    else:
        opened = Path(source)
        try:
            with opened.open("rb") as stream:
                head = stream.read(4)
        except OSError as error:
            reason = error.strerror or error
            raise HistfmtError(f"cannot read: {reason}", filename=filename) from None
    if not sniff(head, filename):
        raise HistfmtError("not a ROOT file (it does not start with 'root')", filename=filename)
    try:
        with uproot.open(opened, custom_classes=fresh_classes(uproot)) as file:
            yield file, filename
    except HistfmtError as error:
        error.filename = error.filename or filename
        raise
    except Exception as error:  # uproot raises many kinds on a damaged file
        raise HistfmtError(
            f"cannot read the ROOT file: {_describe(error)}", filename=filename
        ) from None


@dataclass(frozen=True)
class Entry:
    """One key of a directory: its name (cycle dropped), its class, its path in the file."""

    name: str
    classname: str
    path: str


def entries(folder: Any, prefix: str) -> list[Entry]:
    """The keys of one directory in file order, each name once (its highest cycle)."""
    latest: dict[str, tuple[int, str]] = {}
    for key, classname in folder.classnames(recursive=False, cycle=True).items():
        name, _, cycle = key.rpartition(";")
        number = int(cycle) if cycle.isdigit() else 0
        if name not in latest or number > latest[name][0]:
            latest[name] = (number, classname)
    return [
        Entry(name, classname, f"{prefix}/{name}" if prefix else name)
        for name, (_, classname) in latest.items()
    ]


class Unsupported(ValidationError):
    """An object uproot does not know how to read (its ``NotImplementedError``)."""


def get_object(folder: Any, entry: Entry, filename: str) -> Any:
    """The object of ``entry``; what uproot cannot read is an error naming its path
    (:class:`Unsupported` when uproot does not implement it, a damaged object else)."""
    try:
        return folder[entry.name]
    except NotImplementedError as error:
        raise Unsupported.at(
            [entry.path],
            f"uproot cannot read this {entry.classname}: {_describe(error)}",
            filename=filename,
        ) from None
    except Exception as error:
        raise ValidationError.at(
            [entry.path],
            f"cannot read this {entry.classname}: {_describe(error)}",
            filename=filename,
        ) from None


def json_string(folder: Any, name: str) -> dict[str, str]:
    """A ``TObjString`` holding a JSON object of strings (histfmt's own notes), or ``{}``."""
    try:
        data = json.loads(str(folder[name]))
    except Exception:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
