"""The converter interface: recognise, read (bytes or a path) and write uhepp (JSON, YAML)."""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path, PurePath
from typing import Any

import orjson

from histfmt.convert.interface import (
    HEAD_BYTES,
    Source,
    one_plot_book,
    only_plot,
    source_bytes,
    source_name,
)
from histfmt.convert.uhepp.common import old_version
from histfmt.convert.uhepp.reading import from_uhepp
from histfmt.convert.uhepp.writing import export_document
from histfmt.errors import HistfmtError
from histfmt.io import atomic_write
from histfmt.model import Book, Document

__all__ = ["read", "read_book", "sniff", "write", "write_book"]

_TOP_KEYS = {
    "version", "type", "metadata", "badge", "variable", "bins", "yields", "stacks",
    "ratio", "y_axis", "ratio_axis", "layout", "v_lines", "h_lines", "graphs",
}  # fmt: skip
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')
_JSON_VALUE = re.compile(r'\s*:\s*("(?:[^"\\]|\\.)*"|[-+0-9.eE]+)?')
_YAML_KEY = re.compile(r"^([A-Za-z_]\w*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$", re.MULTILINE)


def sniff(head: bytes, name: str) -> bool:
    """Whether ``head`` (the first bytes of a file) starts a uhepp file, JSON or YAML."""
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    keys: dict[str, Any]
    if text.startswith("{"):
        keys, complete = _json_top_keys(text)
    else:
        lines = [s for s in text.splitlines() if s.strip() and not s.startswith(("#", "---"))]
        if not lines or not _YAML_KEY.match(lines[0]):
            return False
        keys = {m[1]: (m[2] or "").strip("'\"") for m in _YAML_KEY.finditer(text)}
        complete = len(head) < HEAD_BYTES
    if "histfmt" in keys or keys.get("type", "histogram") != "histogram":
        return False
    if "version" in keys:
        return old_version(keys["version"]) and ("type" in keys or not complete)
    return not complete and bool(keys) and set(keys) <= _TOP_KEYS and "bins" in keys


def _json_top_keys(text: str) -> tuple[dict[str, Any], bool]:
    """Top-level keys of a JSON object (scalar values, else None); whether it ended."""
    keys: dict[str, Any] = {}
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        first = token.group()[0]
        if first in "{[":
            depth += 1
        elif first in "}]":
            depth -= 1
            if depth == 0:
                return keys, True
        elif depth == 1:
            value = _JSON_VALUE.match(text, token.end())
            if value:
                raw = value.group(1)
                try:
                    key = json.loads(token.group())
                except ValueError:  # a garbled key (a control character): not one of ours
                    continue
                try:
                    keys[key] = json.loads(raw) if raw else None
                except ValueError:
                    keys[key] = None
    return keys, False


def read(source: Source, /, *, name: str | None = None) -> Document:
    """Read a uhepp JSON or YAML file (bytes or a path) as a validated histfmt document."""
    raw, filename = source_bytes(source, name)
    try:
        if raw[:2] == b"\x1f\x8b":  # gzip, which the format detection looks into too
            import gzip

            raw = gzip.decompress(raw)
        text = raw.decode("utf-8-sig")
    except (OSError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise HistfmtError(f"cannot read file: {reason}", filename=filename) from None
    except UnicodeDecodeError as exc:
        raise HistfmtError(f"not valid UTF-8 (byte {exc.start})", filename=filename) from None
    is_yaml = PurePath(filename).suffix.lower() in (".yaml", ".yml")
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)  # Python's parser accepts the NaN that uhepp writes
        except json.JSONDecodeError as exc:
            if not is_yaml:
                raise HistfmtError(
                    f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                    filename=filename,
                ) from None
            data = _load_yaml(text, filename)
    else:
        data = _load_yaml(text, filename)
    return from_uhepp(data, filename=filename)


@functools.cache
def _yaml_loader() -> Any:
    """uhepp's YAML loader: safe, and dates stay strings."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolvers = {
        key: [r for r in value if r[0] != "tag:yaml.org,2002:timestamp"]
        for key, value in base.yaml_implicit_resolvers.items()
    }
    return type("UheppLoader", (base,), {"yaml_implicit_resolvers": resolvers})


def _load_yaml(text: str, filename: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_yaml_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise HistfmtError(f"not valid YAML{where}: {problem}", filename=filename) from None


def write(doc: Document, path: str | os.PathLike[str], /) -> None:
    """Write ``doc`` as uhepp 0.4 JSON (YAML for ``.yaml``/``.yml``), atomically."""
    path = Path(path)
    try:
        export = export_document(doc)
    except HistfmtError as exc:
        exc.filename = exc.filename or str(path)
        raise
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        text = yaml.dump(export.data, Dumper=dumper, sort_keys=False, allow_unicode=True)
        atomic_write(path, text.encode("utf-8"))
    elif export.nan:  # uhepp writes and reads NaN as a bare NaN, which orjson cannot write
        atomic_write(path, json.dumps(export.data, ensure_ascii=False).encode("utf-8"))
    else:
        atomic_write(path, orjson.dumps(export.data))  # the same numbers, 15x faster


def read_book(source: Source, /, *, name: str | None = None) -> Book:
    """The input as a book of one plot (a uhepp file holds one plot)."""
    return one_plot_book(read(source, name=name), source_name(source, name))


def write_book(book: Book, path: str | os.PathLike[str], /) -> None:
    """A book of one plot, written as by :func:`write`; several plots are refused."""
    write(only_plot(book, os.fspath(path)), path)
