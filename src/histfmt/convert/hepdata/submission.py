"""The converter interface: recognise, read (bytes or a path) and write a submission."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import Any

from histfmt.convert.hepdata.common import SUBMISSION, Unsupported
from histfmt.convert.hepdata.export import book_to_files, to_files
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
from histfmt.io import atomic_write, validate
from histfmt.model import Book, Document

__all__ = ["book_of", "from_submission", "read", "read_book", "sniff", "write", "write_book"]


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
    """A HEPData table, or one table of a ``submission.yaml``, submission folder or archive,
    as a document: the one named ``table``, or the only one; a submission of several tables
    is refused unless ``table`` names one (read it whole with :func:`read_book`).

    From bytes, an archive is read in memory; a lone ``submission.yaml`` can only
    hold its tables inline (the files it names are not there).
    """
    label = source_name(source, name)
    with _opened(source, label) as (files, file_name, docs, lone):
        if lone is not None:
            return from_table(lone, filename=label)
        return from_submission(files, file_name, table, docs)


def read_book(source: Source, /, *, name: str | None = None) -> Book:
    """Every table of a submission (folder, archive or ``submission.yaml``) as a book, keyed
    by the tables' names in the submission's order; a lone table file is a book of one plot.

    A table histfmt cannot hold (three independent variables, bins that do not form a
    grid) is skipped: ``metadata.extra["skipped"]`` maps its name to the reason. Any other
    problem (a missing table file, a malformed table) is an error.
    """
    label = source_name(source, name)
    with _opened(source, label) as (files, file_name, docs, lone):
        if lone is not None:
            return one_plot_book(from_table(lone, filename=label), label)
        return book_of(files, file_name, docs)


def from_submission(
    files: Folder | Archive | Lone, name: str, table: str | None, docs: list[Any] | None = None
) -> Document:
    """The table ``table`` (or the only one) of the submission file ``name``; ``docs``: it,
    parsed."""
    label = files.label(name)
    if docs is None:
        docs = yaml_documents(files.read(name), label)
    tables = _tables(docs, label)
    if table is not None:
        chosen = [(i, doc) for i, doc in tables if doc.get("name") == table]
        if not chosen:
            names = ", ".join(repr(doc.get("name")) for _, doc in tables)
            raise HistfmtError(f"no table named {table!r} (have: {names})", filename=label)
        return _table(files, label, *chosen[0])
    if len(tables) == 1:
        return _table(files, label, *tables[0])
    return only_plot(book_of(files, name, docs), label)


def book_of(files: Folder | Archive | Lone, name: str, docs: list[Any] | None = None) -> Book:
    """Every table of the submission file ``name`` (``docs``: it, parsed) as a book."""
    label = files.label(name)
    if docs is None:
        docs = yaml_documents(files.read(name), label)
    plots: dict[str, Document] = {}
    skipped: dict[str, str] = {}
    for index, entry in _tables(docs, label):
        key = _key(entry, index, plots.keys() | skipped.keys())
        try:
            plots[key] = _table(files, label, index, entry)
        except Unsupported as exc:
            skipped[key] = str(exc)
    book = Book.new(plots)
    record = next((doc for doc in docs if isinstance(doc, dict) and "comment" in doc), {})
    if isinstance(record.get("comment"), str) and record["comment"].strip():
        book.metadata.description = record["comment"].strip()[:65536]
    if skipped:
        book.metadata.extra["skipped"] = skipped
    return validate(book, filename=label)


def _key(entry: dict[str, Any], index: int, taken: set[str]) -> str:
    """The table's name (else its data file, else its place), unique in the book."""
    raw = entry.get("name")
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool) or not str(raw).strip():
        raw = entry.get("data_file") if isinstance(entry.get("data_file"), str) else ""
    base = str(raw).strip()[:1000] or f"table {index}"
    key, k = base, 1
    while key in taken:
        k += 1
        key = f"{base} ({k})"
    return key


def _tables(docs: list[Any], label: str) -> list[tuple[int, dict[str, Any]]]:
    """The submission's tables: (index of the YAML document, the document)."""
    tables = [
        (i, doc)
        for i, doc in enumerate(docs)
        if isinstance(doc, dict) and ("data_file" in doc or "independent_variables" in doc)
    ]
    if not tables:
        raise HistfmtError("no HEPData table here (no document with 'data_file')", filename=label)
    return tables


def _table(
    files: Folder | Archive | Lone, label: str, index: int, entry: dict[str, Any]
) -> Document:
    """The table of the submission document ``entry`` (``index``: its place in ``label``)."""
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


@contextmanager
def _opened(
    source: Source, label: str
) -> Iterator[tuple[Folder | Archive | Lone, str, list[Any] | None, Any]]:
    """The input's files, the name of its submission (or table) file, that file parsed
    (None: not read yet) and, for a lone table file, the table."""
    if not isinstance(source, bytes) and Path(source).is_dir():
        yield Folder(Path(source)), SUBMISSION, None, None
        return
    if label.lower().endswith((".tar.gz", ".tgz", ".tar", ".zip")):
        with Archive(source, label) as archive:
            yield archive, archive.submission, None, None
        return
    files: Folder | Lone
    if isinstance(source, bytes):
        files, file_name = Lone(label, source), label
    else:
        files, file_name = Folder(Path(source).parent), Path(source).name
    docs = yaml_documents(files.read(file_name), label)
    first = docs[0] if len(docs) == 1 else None
    keys = set(first) if isinstance(first, dict) else set()
    if keys & {"independent_variables", "dependent_variables"} and not keys & {"name", "data_file"}:
        yield files, file_name, docs, first
        return
    yield files, file_name, docs, None


def write(
    doc: Document,
    path: str | os.PathLike[str],
    /,
    *,
    flow: bool = False,
    raw: bool = False,
    drawn: bool = False,
) -> None:
    """Write ``doc`` as a HEPData submission: a folder, or a ``.tar.gz``/``.tgz`` archive;
    the stored bins, or with ``drawn`` the numbers as the figure draws them."""
    target = _target(path)
    _put(target, to_files(doc, flow=flow, raw=raw, drawn=drawn, filename=str(target)))


def write_book(
    book: Book,
    path: str | os.PathLike[str],
    /,
    *,
    flow: bool = False,
    raw: bool = False,
    drawn: bool = False,
) -> None:
    """Write ``book`` as one HEPData submission (a folder or a ``.tar.gz``/``.tgz``
    archive), one table per plot, each written as by :func:`write`."""
    target = _target(path)
    _put(target, book_to_files(book, flow=flow, raw=raw, drawn=drawn, filename=str(target)))


def _target(path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    name = target.name.lower()
    archive = name.endswith((".tar.gz", ".tgz"))
    if not archive and name.endswith((".zip", ".tar", ".gz", ".yaml", ".yml", ".json")):
        raise HistfmtError(
            "a HEPData submission is written as a folder or a .tar.gz/.tgz archive",
            filename=str(target),
        )
    return target


def _put(target: Path, files: dict[str, bytes]) -> None:
    if target.name.lower().endswith((".tar.gz", ".tgz")):
        atomic_write(target, tar_gz(files))
    else:
        write_folder(target, files)
