"""Converters between histfmt and its neighbours, one module each.

Every file-format module (``uhepp``, ``uhi_file``, ``hepdata``, ``root``) provides:

``sniff(head: bytes, path: Path) -> bool``
    whether the input is of this kind, judged from its first bytes (the content),
    using the file name only to break ties;
``read(path: Path) -> Document``
    the input as a validated histfmt document;
``write(doc: Document, path: Path) -> None``
    the document in this format (atomically where the output is one file).

Each module imports its third-party library inside the functions and raises
:class:`~histfmt.HistfmtError` naming the extra to install when it is missing.
:mod:`histfmt.convert.registry` detects kinds and dispatches.
"""
