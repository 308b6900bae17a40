"""Reading and writing documents: JSON, gzipped JSON and YAML. I/O only.

Reading is a fast gate (msgspec decodes straight into the typed model and
checks every value in C) followed by the semantic checks.  Only when the gate
refuses a document is it parsed again and checked against the JSON Schema, so
that *every* problem is reported with its JSON path.  Writing validates first
and replaces the target atomically, so a failed write never leaves a
half-written file.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import IO, Any, Literal, overload

import msgspec

from histfmt.codec import encode, skeleton
from histfmt.errors import HistfmtError, Issue, LimitError, ValidationError, format_path, kind_of
from histfmt.limits import Limits, resolve
from histfmt.model import FORMAT_VERSION, Book, Document
from histfmt.prescan import check_json, check_yaml, first_problem, too_deep

__all__ = [
    "atomic_write",
    "detect_format",
    "dump",
    "dumps",
    "from_builtins",
    "gunzip",
    "load",
    "load_book",
    "load_yaml",
    "loads",
    "loads_book",
    "read_file",
    "regular_file",
    "to_builtins",
    "validate",
]

Format = Literal["json", "json.gz", "yaml"]
MAX_BYTES = 2 * 1024**3
"""Largest input accepted (2 GiB); bigger files are refused before parsing. The limits
on what a file holds are :class:`histfmt.limits.Limits`."""


def detect_format(path: str | os.PathLike[str]) -> Format:
    """The format implied by a file name: ``.json``, ``.json.gz``/``.gz`` or ``.yaml``/``.yml``."""
    name = os.fspath(path).lower()
    if name.endswith((".json.gz", ".gz")):
        return "json.gz"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    return "json"


# -- reading ---------------------------------------------------------------------


def loads(
    data: str | bytes,
    /,
    *,
    filename: str | None = None,
    format: Format = "json",
    limits: Limits | None = None,
) -> Document:
    """Parse and validate a document from text or bytes.

    Raises :class:`~histfmt.HistfmtError` naming ``filename`` and the JSON path of
    every problem (and, for a book, saying to use :func:`loads_book`); beyond
    ``limits`` (default :func:`histfmt.limits.default_limits`), a ``LimitError``.
    """
    found = _loads(data, filename=filename, format=format, limits=resolve(limits))
    return _one_document(found, filename)


def loads_book(
    data: str | bytes,
    /,
    *,
    filename: str | None = None,
    format: Format = "json",
    limits: Limits | None = None,
) -> Book:
    """Parse and validate a book from text or bytes; a single document becomes a book
    of one plot, keyed by the file's stem (``plot`` without a file name)."""
    found = _loads(data, filename=filename, format=format, limits=resolve(limits))
    return _as_book(found, filename)


def _one_document(found: Document | Book, filename: str | None) -> Document:
    if isinstance(found, Book):
        raise HistfmtError(
            f"this is a book of {len(found.plots)} plots, not one document; read it with "
            "histfmt.load_book() (and pick a plot from its .plots)",
            filename=filename,
        )
    return found


def _as_book(found: Document | Book, filename: str | None) -> Book:
    if isinstance(found, Book):
        return found
    stem = Path(filename).name.split(".")[0] if filename else ""
    return Book.new({stem or "plot": found})


def _loads(
    data: str | bytes, /, *, filename: str | None, format: Format, limits: Limits
) -> Document | Book:
    """A document or a book from text or bytes, validated."""
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            code = f"U+{ord(exc.object[exc.start]):04X}"
            raise HistfmtError(
                f"not valid text: a lone surrogate ({code}) at character {exc.start}, "
                "which UTF-8 cannot hold",
                filename=filename,
            ) from None
    if format == "json.gz":
        data = gunzip(data, filename=filename, limit=limits.decompressed_bytes)
        format = "json"
    if format == "yaml":
        return _from_builtins(load_yaml(data, filename=filename, limits=limits), filename, limits)
    check_json(data, limits, filename=filename)
    found: Document | Book
    try:
        try:
            found = _decoder(Document).decode(data)
        except msgspec.ValidationError as exc:
            if not _IS_BOOK.search(str(exc)):
                raise
            found = _decoder(Book).decode(data)
    except msgspec.ValidationError as exc:  # a subclass of DecodeError: test it first
        obj = _parse_json(data, filename)
        raise _structure_error(obj, exc, filename, limits) from None
    except msgspec.DecodeError as exc:
        raise HistfmtError(_describe_decode_error(exc, data), filename=filename) from None
    except UnicodeDecodeError as exc:
        raise HistfmtError(_describe_unicode_error(exc, data), filename=filename) from None
    except RecursionError:  # arrays nested past the parser's stack (objects are scanned)
        raise too_deep((), limits, filename=filename) from None
    return _checked(found, filename, limits, strict_json=True)


# A book: the document decoder meets its `plots` key at the top level
_IS_BOOK = re.compile(r"unknown field `plots`( - at `\$`)?$")


def load(
    source: str | os.PathLike[str] | IO[bytes],
    /,
    *,
    format: Format | None = None,
    limits: Limits | None = None,
) -> Document:
    """Read and validate a document from a path or a binary file object.

    The format comes from ``format`` or else the file name (``.json``,
    ``.json.gz``, ``.yaml``); a gzip stream is recognised by its content too.
    """
    found = _load(source, format=format, limits=resolve(limits))
    return _one_document(found, _source_name(source))


def load_book(
    source: str | os.PathLike[str] | IO[bytes],
    /,
    *,
    format: Format | None = None,
    limits: Limits | None = None,
) -> Book:
    """Read and validate a book (or a single document, as a book of one plot)."""
    return _as_book(_load(source, format=format, limits=resolve(limits)), _source_name(source))


def _source_name(source: str | os.PathLike[str] | IO[bytes]) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


def _load(
    source: str | os.PathLike[str] | IO[bytes], /, *, format: Format | None, limits: Limits
) -> Document | Book:
    if isinstance(source, (str, os.PathLike)):
        filename = os.fspath(source)
        data = read_file(filename)
    else:
        filename = str(getattr(source, "name", "<stream>"))
        data = source.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise HistfmtError(f"input exceeds the limit of {MAX_BYTES} bytes", filename=filename)
    chosen = format or detect_format(filename)
    if data[:2] == b"\x1f\x8b":
        chosen = "json.gz"
    return _loads(data, filename=filename, format=chosen, limits=limits)


def read_file(path: str | os.PathLike[str], /, *, filename: str | None = None) -> bytes:
    """The bytes of a regular file, up to ``MAX_BYTES``; a HistfmtError naming ``filename``
    (the path). A folder, a device such as ``/dev/zero`` or a named pipe is refused before
    reading: it could be read for ever."""
    filename = filename or os.fspath(path)
    try:
        status = regular_file(path, filename=filename)
        if status.st_size > MAX_BYTES:
            raise HistfmtError(
                f"file is {status.st_size} bytes; the limit is {MAX_BYTES}", filename=filename
            )
        with Path(path).open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise HistfmtError(f"cannot read file: {exc.strerror or exc}", filename=filename) from None
    if len(data) > MAX_BYTES:  # grew while being read
        raise HistfmtError(f"file exceeds the limit of {MAX_BYTES} bytes", filename=filename)
    return data


def regular_file(
    path: str | os.PathLike[str], /, *, filename: str | None = None, folder_ok: bool = False
) -> os.stat_result:
    """The status of ``path`` if it is a regular file (or, with ``folder_ok``, a folder);
    a device such as ``/dev/zero``, a named pipe or a socket is refused: reading one
    may never end."""
    import stat

    status = Path(path).stat()
    if stat.S_ISDIR(status.st_mode):
        if folder_ok:
            return status
        raise HistfmtError("is a folder, not a file", filename=filename or os.fspath(path))
    if not stat.S_ISREG(status.st_mode):
        raise HistfmtError(
            "not a regular file (a device, a named pipe or a socket)",
            filename=filename or os.fspath(path),
        )
    return status


def gunzip(data: bytes, /, *, filename: str | None = None, limit: int | None = None) -> bytes:
    """The content of gzip ``data``, decompressed in steps and refused as soon as it
    exceeds ``limit`` bytes (default: the ``decompressed_bytes`` limit; a zip bomb), or
    when it is not gzip after all."""
    import zlib

    limit = resolve(None).decompressed_bytes if limit is None else limit
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    parts, size, pending = [], 0, data
    try:
        while pending:
            chunk = inflater.decompress(pending, 16 * 1024**2)
            size += len(chunk)
            if size > limit:
                raise LimitError.at(
                    (),
                    f"the gzip content exceeds the limit of {limit} bytes once decompressed "
                    "(limit decompressed_bytes)",
                    filename=filename,
                    limit="decompressed_bytes",
                )
            parts.append(chunk)
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error as exc:
        raise HistfmtError(f"not a valid gzip file ({exc})", filename=filename) from None
    if not inflater.eof:
        raise HistfmtError("not a valid gzip file (it ends too early)", filename=filename)
    return b"".join(parts)


def from_builtins(
    obj: Any, /, *, filename: str | None = None, limits: Limits | None = None
) -> Document:
    """Validate plain Python data (as from ``json.load``) and build the document."""
    return _one_document(_from_builtins(obj, filename, resolve(limits)), filename)


def _from_builtins(obj: Any, filename: str | None, limits: Limits) -> Document | Book:
    kind: type[Document | Book] = (
        Book if isinstance(obj, dict) and "plots" in obj and "x" not in obj else Document
    )
    try:
        _decoder(kind)  # the type information, made safely
        found: Document | Book = msgspec.convert(obj, kind)
    except msgspec.ValidationError as exc:
        raise _structure_error(obj, exc, filename, limits) from None
    except RecursionError:
        raise _too_deep(obj, limits, filename) from None
    return _checked(found, filename, limits)


@overload
def validate(
    doc: Book, /, *, filename: str | None = None, limits: Limits | None = None
) -> Book: ...
@overload
def validate(
    doc: Document | Any, /, *, filename: str | None = None, limits: Limits | None = None
) -> Document: ...
def validate(doc: Any, /, *, filename: str | None = None, limits: Limits | None = None) -> Any:
    """Check a document or a book (or plain data) and return it; raise on any problem."""
    limits = resolve(limits)
    if not isinstance(doc, (Document, Book)):
        return from_builtins(doc, filename=filename, limits=limits)
    from histfmt.semantics import non_finite_issues, text_issues

    # before encoding, which would turn non-finite numbers into null and fail on
    # surrogates; the text first: it refuses what is nested too deep to walk
    try:
        issues = text_issues(doc, limits=limits)
    except LimitError as error:
        raise error.named(filename) from None
    issues = non_finite_issues(doc) + issues
    if issues:
        raise ValidationError(issues, filename=filename)
    # Types, enums and keys as a reader would see them; the arrays are left out
    # (the semantic checks cover them) so that this costs microseconds, not a copy.
    try:
        skeleton_json = skeleton(doc)
    except TypeError as exc:
        raise HistfmtError(f"cannot be written as JSON: {exc}", filename=filename) from None
    try:
        _decoder(type(doc)).decode(skeleton_json)
    except msgspec.ValidationError as exc:
        obj = msgspec.json.decode(skeleton_json)
        raise _structure_error(obj, exc, filename, limits) from None
    return _checked(doc, filename, limits, strict_json=True)


def _checked(
    found: Document | Book, filename: str | None, limits: Limits, *, strict_json: bool = False
) -> Document | Book:
    from histfmt.semantics import book_issues, semantic_issues

    try:
        if isinstance(found, Book):
            issues = book_issues(found, check_scalars=not strict_json, limits=limits)
        else:
            issues = semantic_issues(found, check_scalars=not strict_json, limits=limits)
    except LimitError as error:
        raise error.named(filename) from None
    if issues:
        raise ValidationError(issues, filename=filename)
    return found


def _parse_json(data: bytes, filename: str | None) -> Any:
    try:
        return msgspec.json.decode(data)
    except RecursionError:
        raise HistfmtError(
            "not valid JSON: nested deeper than the parser can follow (limit depth)",
            filename=filename,
        ) from None
    except msgspec.DecodeError as exc:
        raise HistfmtError(_describe_decode_error(exc, data), filename=filename) from None
    except UnicodeDecodeError as exc:
        raise HistfmtError(_describe_unicode_error(exc, data), filename=filename) from None


def _describe_unicode_error(exc: UnicodeDecodeError, data: bytes) -> str:
    line = data.count(b"\n", 0, exc.start) + 1
    return f"not valid UTF-8 at line {line} (byte {exc.start}): JSON text must be UTF-8"


def load_yaml(data: bytes, /, *, filename: str | None = None, limits: Limits | None = None) -> Any:
    """YAML text as plain Python data, safely: aliases, duplicate keys, deep nesting and
    over-long scalars refused before anything is built (:func:`histfmt.prescan.check_yaml`);
    every failure a :class:`~histfmt.HistfmtError` naming ``filename``. Every YAML input
    (histfmt, uhepp, HEPData) is read through this."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        check_yaml(data, resolve(limits), filename=filename)
        return yaml.load(data, Loader=loader)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        position = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "nesting depth" in problem:  # libyaml's own limit, deeper than ours
            raise too_deep((), resolve(limits), filename=filename) from None
        raise HistfmtError(f"not valid YAML{position}: {problem}", filename=filename) from None
    except (ValueError, OverflowError, RecursionError) as exc:  # what the checks leave out
        if isinstance(exc, HistfmtError):
            raise
        raise HistfmtError(f"not valid YAML: {exc}", filename=filename) from None


def _too_deep(obj: Any, limits: Limits, filename: str | None) -> LimitError:
    found = first_problem(obj, limits)
    return too_deep(found[0] if found else (), limits, filename=filename)


def _describe_decode_error(exc: msgspec.DecodeError, data: bytes) -> str:
    text = str(exc)
    match = re.search(r"\(byte (\d+)\)", text)
    if not data.strip():
        return "not valid JSON: the file is empty"
    if "Integer value out of range" in text:
        return "not valid JSON: an integer is out of range (64 bits); write big numbers as 1e30"
    if "out of range" in text:
        return "not valid JSON: a number is too large for a double (infinity cannot be stored)"
    if "truncated" in text:
        return "not valid JSON: the file ends too early (truncated?)"
    if match:
        offset = int(match.group(1))
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        reason = text.split(" (byte", maxsplit=1)[0].removeprefix("JSON is malformed: ")
        if data[offset:].startswith((b"NaN", b"Infinity", b"-Infinity")):
            reason = "NaN and Infinity are not JSON; write null for a missing value"
        return f"not valid JSON at line {line}, column {column}: {reason}"
    return f"not valid JSON: {text}"


def _structure_error(
    obj: Any, exc: msgspec.ValidationError, filename: str | None, limits: Limits
) -> HistfmtError:
    """Explain why the fast gate refused ``obj``: the version first, then every schema error."""
    found = first_problem(obj, limits)  # the schema's checker recurses: nothing too deep
    if found is not None:
        return too_deep(found[0], limits, filename=filename)
    version_problem = _version_problem(obj)
    if version_problem:
        return HistfmtError(version_problem, filename=filename)
    from histfmt.schema import schema_errors

    issues = [Issue(format_path(path), message) for path, message in schema_errors(obj)]
    if not issues:  # the schema is generated from the model; they should agree
        message = str(exc)
        at = re.search(r" - at `\$(.*)`$", message)
        path = at.group(1).lstrip(".") if at else "$"
        issues = [Issue(path or "$", message.split(" - at ", maxsplit=1)[0])]
    return ValidationError(issues, filename=filename)


def _version_problem(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        found = kind_of(obj, vocabulary="python")
        return f"expected a JSON object at the top level, got {found}"
    if "histfmt" not in obj:
        if obj.get("type") == "histogram" and "version" in obj:
            return "this looks like a uhepp file (format 0.x), not a histfmt document"
        if "uhi_schema" in obj:
            return "this looks like a UHI histogram, not a histfmt document"
        return "not a histfmt document: the 'histfmt' version key is missing"
    version = obj["histfmt"]
    match = re.fullmatch(r"(\d+)\.(\d+)", version) if isinstance(version, str) else None
    if match is None:
        return f"histfmt: expected a version string like {FORMAT_VERSION!r}, got {version!r}"
    major = int(match.group(1))
    if major > int(FORMAT_VERSION.split(".")[0]):
        return (
            f"the file uses histfmt format {version}, newer than this reader "
            f"(format {FORMAT_VERSION}); upgrade histfmt to read it"
        )
    return None


_DECODER_LOCK = threading.Lock()
_DECODERS: dict[type[Any], msgspec.json.Decoder[Any]] = {}


def _decoder(kind: type[Document | Book] = Document) -> msgspec.json.Decoder[Any]:
    """The decoder of documents (or books), made once under a lock.

    msgspec builds a Struct's type information on first use, and two threads doing
    that at the same time crash the interpreter (msgspec 0.22, a segfault); made here,
    the information is cached on the classes, for ``msgspec.convert`` too. Not made at
    import: it costs ~17 ms that ``import histfmt`` need not pay.
    """
    found = _DECODERS.get(kind)
    if found is None:
        with _DECODER_LOCK:
            found = _DECODERS.setdefault(kind, msgspec.json.Decoder(kind))
    return found


# -- writing ---------------------------------------------------------------------


def to_builtins(doc: Document | Book, /) -> dict[str, Any]:
    """The document as plain Python data (lists, dicts; NaN becomes None)."""
    result: dict[str, Any] = msgspec.json.decode(encode(doc))
    return result


def dumps(
    doc: Document | Book,
    /,
    *,
    format: Format = "json",
    indent: int | None = None,
    limits: Limits | None = None,
) -> bytes:
    """Validate and serialize a document or a book (strict RFC 8259 JSON; NaN as null);
    what a reader with ``limits`` would refuse is not written."""
    validate(doc, limits=limits)
    if format == "yaml":
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        try:
            text: str = yaml.dump(
                to_builtins(doc), Dumper=dumper, sort_keys=False, allow_unicode=True
            )
        except RecursionError:  # PyYAML's writer recurses three frames a level
            raise HistfmtError(
                "nested too deep for the YAML writer (a few hundred levels); write it as JSON"
            ) from None
        return text.encode("utf-8")
    data = encode(doc)
    if indent is not None:
        data = msgspec.json.format(data, indent=indent)
    if format == "json.gz":
        import gzip

        return gzip.compress(data, compresslevel=6, mtime=0)
    return data


def dump(
    doc: Document | Book,
    target: str | os.PathLike[str] | IO[bytes],
    /,
    *,
    format: Format | None = None,
    indent: int | None = None,
    limits: Limits | None = None,
) -> None:
    """Validate and write a document or a book; a path is replaced atomically."""
    if not isinstance(target, (str, os.PathLike)):
        target.write(dumps(doc, format=format or "json", indent=indent, limits=limits))
        return
    path = Path(target)
    try:
        data = dumps(doc, format=format or detect_format(path), indent=indent, limits=limits)
    except HistfmtError as error:
        if error.filename is None:  # name the file that was not written
            error.filename = str(path)
        raise
    atomic_write(path, data)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically: a temporary file beside it, fsync, rename.

    A crash or a full disk leaves either the old file or the new one, never half of one.
    """
    import tempfile

    directory = path.parent if str(path.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise HistfmtError(f"cannot write: {exc.strerror or exc}", filename=str(path)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            Path(temporary).chmod(path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            Path(temporary).chmod(0o666 & ~umask)
        Path(temporary).replace(path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise HistfmtError(f"cannot write: {exc.strerror or exc}", filename=str(path)) from None
        raise
