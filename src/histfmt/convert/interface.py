"""The interface every file-format converter satisfies: a module with three functions.

A converter module (``native``, ``uhepp``, ``uhi_file``, ``hepdata``, ``root``)
provides, checked by mypy against :class:`Converter`:

``sniff(head, name)``
    whether the input is of this kind, judged from its first bytes (gzip already
    opened), with the file name only to break ties;
``read(source, /, *, name=None)``
    the input, bytes or a path, as a validated document; errors name ``name``
    (for bytes) or the path;
``write(doc, path)``
    the document in this format (atomically where the output is one file).

A module imports its third-party library inside the functions and raises
:class:`~histfmt.HistfmtError` naming the extra to install when it is missing.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol, TypeAlias

from histfmt.io import read_file

if TYPE_CHECKING:
    from histfmt.model import Document

__all__ = ["HEAD_BYTES", "Converter", "Source", "source_bytes"]

Source: TypeAlias = bytes | str | os.PathLike[str]
"""An input: its bytes, or the path of a file (or of a folder, for a HEPData submission)."""

HEAD_BYTES = 65536
"""How much of an input ``sniff`` is shown."""


class Converter(Protocol):
    """What the registry needs of a converter module."""

    def sniff(self, head: bytes, name: str, /) -> bool:
        """Whether ``head`` (the first bytes of an input called ``name``) is of this kind."""
        ...

    def read(self, source: Source, /, *, name: str | None = None) -> Document:
        """The input as a validated document."""
        ...

    def write(self, doc: Document, path: str | os.PathLike[str], /) -> None:
        """Write ``doc`` in this format to ``path``."""
        ...


def source_bytes(source: Source, name: str | None = None) -> tuple[bytes, str]:
    """The bytes of ``source`` and the name its errors give: ``name``, the path, or ``<bytes>``."""
    if isinstance(source, bytes):
        return source, name or "<bytes>"
    filename = name or os.fspath(source)
    return read_file(source, filename=filename), filename
