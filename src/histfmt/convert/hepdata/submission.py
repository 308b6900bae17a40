"""The converter interface: recognise, read (bytes or a path) and write a submission."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePath
from typing import Any

from histfmt.convert.hepdata.common import SUBMISSION
from histfmt.convert.hepdata.export import to_files
from histfmt.convert.hepdata.files import (
    Archive,
    Folder,
    Lone,
    tar_gz,
    write_folder,
    yaml_documents,
)
from histfmt.convert.hepdata.tables import from_table
from histfmt.convert.interface import Source, one_plot_book, only_plot, source_name
from histfmt.errors import HistfmtError, ValidationError
from histfmt.io import atomic_write
from histfmt.model import Book, Document

__all__ = ["from_submission", "read", "read_book", "sniff", "write", "write_book"]


def sniff(head: bytes, name: str) -> bool:
    """A HEPData table (YAML/JSON), a ``submission.yaml``, or a folder/archive holding one.

    A folder has no head: only then is ``name`` looked up, as a submission folder.
    """
    if not head:
        try:
            return Path(name).is_dir() and (Path(name) / SUBMISSION).is_file()
        except OSError:
            return False
    if head[:2] == b"\x1f\x8b":
        import zlib

        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 1 << 16)
        except zlib.error:
            return False
    if head[:4] == b"PK\x03\x04" or (len(head) > 262 and head[257:262] == b"ustar"):
        return SUBMISSION.encode() in head  # an archive: its first member names it
    text = head.decode("utf-8", errors="replace")
    if re.search(r"^(in)?dependent_variables\s*:", text, re.MULTILINE):
        return True  # a YAML table
    if text.lstrip().startswith("{") and re.search(r'"(in)?dependent_variables"\s*:', text):
        return True  # a JSON table
    if re.search(r"^histfmt\s*:", text, re.MULTILINE):
        return False
    has_table = re.search(r"^data_file\s*:", text, re.MULTILINE) is not None
    is_submission = PurePath(name).name == SUBMISSION
    return has_table or (is_submission and text.lstrip().startswith(("---", "comment")))


def read(source: Source, /, *, name: str | None = None, table: str | None = None) -> Document:
    """A HEPData table, ``submission.yaml``, submission folder or archive as a document.

    From bytes, an archive is read in memory; a lone ``submission.yaml`` can only
    hold its tables inline (the files it names are not there).
    """
    label = name or ("<bytes>" if isinstance(source, bytes) else os.fspath(source))
    if not isinstance(source, bytes) and Path(source).is_dir():
        return from_submission(Folder(Path(source)), SUBMISSION, table)
    if label.lower().endswith((".tar.gz", ".tgz", ".tar", ".zip")):
        with Archive(source, label) as archive:
            return from_submission(archive, archive.submission, table)
    files: Folder | Lone
    if isinstance(source, bytes):
        files, file_name = Lone(label, source), label
    else:
        files, file_name = Folder(Path(source).parent), Path(source).name
    docs = yaml_documents(files.read(file_name), label)
    first = docs[0] if len(docs) == 1 else None
    keys = set(first) if isinstance(first, dict) else set()
    if keys & {"independent_variables", "dependent_variables"} and not keys & {"name", "data_file"}:
        return from_table(first, filename=label)
    return from_submission(files, file_name, table, docs)


def from_submission(
    files: Folder | Archive | Lone, name: str, table: str | None, docs: list[Any] | None = None
) -> Document:
    """The chosen (or first) table of the submission file ``name``; ``docs``: it, parsed."""
    label = files.label(name)
    if docs is None:
        docs = yaml_documents(files.read(name), label)
    tables = [
        (i, doc)
        for i, doc in enumerate(docs)
        if isinstance(doc, dict) and ("data_file" in doc or "independent_variables" in doc)
    ]
    if not tables:
        raise HistfmtError("no HEPData table here (no document with 'data_file')", filename=label)
    if table is not None:
        chosen = [(i, doc) for i, doc in tables if doc.get("name") == table]
        if not chosen:
            names = ", ".join(repr(doc.get("name")) for _, doc in tables)
            raise HistfmtError(f"no table named {table!r} (have: {names})", filename=label)
        tables = chosen
    index, entry = tables[0]
    if "independent_variables" in entry:  # single-file submission: the table is inline
        return from_table(entry, filename=label, entry=entry, where=(index,))
    data_file = entry["data_file"]
    if (
        not isinstance(data_file, str)
        or not data_file
        or data_file.startswith("/")
        or ".." in Path(data_file).parts
    ):
        raise ValidationError.at(
            (index, "data_file"), f"expected a file name, got {data_file!r}", filename=label
        )
    target = files.label(data_file)
    content = yaml_documents(files.read(data_file), target)
    if len(content) != 1:
        raise HistfmtError(f"expected one YAML document, got {len(content)}", filename=target)
    return from_table(content[0], filename=target, entry=entry)


def write(
    doc: Document, path: str | os.PathLike[str], /, *, flow: bool = False, raw: bool = False
) -> None:
    """Write ``doc`` as a HEPData submission: a folder, or a ``.tar.gz``/``.tgz`` archive."""
    path = Path(path)
    name = path.name.lower()
    archive = name.endswith((".tar.gz", ".tgz"))
    if not archive and name.endswith((".zip", ".tar", ".gz", ".yaml", ".yml", ".json")):
        raise HistfmtError(
            "a HEPData submission is written as a folder or a .tar.gz/.tgz archive",
            filename=str(path),
        )
    files = to_files(doc, flow=flow, raw=raw, filename=str(path))
    if archive:
        atomic_write(path, tar_gz(files))
    else:
        write_folder(path, files)


def read_book(source: Source, /, *, name: str | None = None) -> Book:
    """The input as a book of one plot."""
    return one_plot_book(read(source, name=name), source_name(source, name))


def write_book(book: Book, path: str | os.PathLike[str], /) -> None:
    """A book of one plot, written as by :func:`write`; several plots are refused."""
    write(only_plot(book, os.fspath(path)), path)
