"""Read YODA text (YODA 1 and 2, plain or gzip) into :mod:`~histfmt.convert.yoda.objects`."""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np

from histfmt.errors import HistfmtError

from .objects import (
    Axis,
    ContinuousAxis,
    Counter,
    DiscreteAxis,
    Estimate,
    Histo1D,
    Histo2D,
    Profile1D,
    Scatter,
    YodaError,
    YodaObject,
)

__all__ = ["DEFAULT_MAX_BYTES", "Contents", "Skipped", "read", "read_contents"]

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_TAG = re.compile(
    r"^YODA_(?P<name>[A-Z]+?)(?P<dim>[0-3]D)?(?:<(?P<kinds>[A-Za-z,]*)>)?(?:_V(?P<version>\d+))?$"
)
_EDGES = re.compile(r"^Edges\(A(?P<axis>\d+)\):\s*(?P<list>.*)$")


@dataclass(frozen=True)
class Skipped:
    """A block of a type this reader does not hold: its path, YODA type tag and line."""

    path: str
    tag: str
    line: int


@dataclass(frozen=True)
class Contents:
    """Everything in a YODA file: the objects in file order and the blocks skipped."""

    objects: list[YodaObject]
    skipped: list[Skipped]


def read(
    source: bytes | str | os.PathLike[str],
    /,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[YodaObject]:
    """The objects of a YODA file (``.yoda`` or ``.yoda.gz``; bytes or a path), in order.

    A block of a type this reader does not hold (e.g. ``YODA_PROFILE2D``) is refused;
    :func:`read_contents` skips such blocks and lists them instead.  ``name`` names the
    input in errors (default: the path).  More than ``max_bytes`` of (decompressed)
    text is refused.
    """
    contents = read_contents(source, name=name, max_bytes=max_bytes)
    if contents.skipped:
        first = contents.skipped[0]
        raise YodaError(
            f"unsupported YODA type {first.tag}",
            object_path=first.path,
            line=first.line,
            filename=_filename(source, name),
        )
    return contents.objects


def read_contents(
    source: bytes | str | os.PathLike[str],
    /,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Contents:
    """Like :func:`read`, but blocks of unsupported types are skipped and listed."""
    filename = _filename(source, name)
    text = _text(_load(source, filename, max_bytes), filename)
    objects: list[YodaObject] = []
    skipped: list[Skipped] = []
    for block in _blocks(text, filename):
        try:
            parsed = _parse(block)
        except YodaError as exc:
            exc.filename = filename
            raise
        if isinstance(parsed, Skipped):
            skipped.append(parsed)
        else:
            objects.append(parsed)
    return Contents(objects, skipped)


# ---------------------------------------------------------------------------- bytes


def _filename(source: bytes | str | os.PathLike[str], name: str | None) -> str | None:
    if name is not None:
        return name
    return None if isinstance(source, bytes) else os.fspath(source)


def _load(source: bytes | str | os.PathLike[str], filename: str | None, max_bytes: int) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        try:
            with Path(source).open("rb") as stream:
                data = stream.read(max_bytes + 1)
        except OSError as exc:
            raise HistfmtError(f"cannot read: {exc.strerror or exc}", filename=filename) from None
    if data.startswith(_GZIP_MAGIC):
        try:
            with gzip.GzipFile(fileobj=BytesIO(data)) as stream:
                data = stream.read(max_bytes + 1)
        except EOFError:
            raise HistfmtError("truncated gzip file", filename=filename) from None
        except (OSError, zlib.error) as exc:
            raise HistfmtError(f"not a valid gzip file: {exc}", filename=filename) from None
    if len(data) > max_bytes:
        raise HistfmtError(
            f"larger than the limit of {max_bytes} bytes (max_bytes)", filename=filename
        )
    return data


def _text(data: bytes, filename: str | None) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise YodaError("not UTF-8 text", line=line, filename=filename) from None


# ---------------------------------------------------------------------------- blocks


@dataclass
class _Block:
    tag: str
    path: str
    line: int
    lines: list[tuple[int, str]]


def _strip_hashes(text: str) -> str:
    return text.lstrip("#").strip() if text.startswith("#") else text


def _blocks(text: str, filename: str | None) -> Iterator[_Block]:
    block: _Block | None = None
    number = 0
    for number, raw in enumerate(text.split("\n"), start=1):  # only \n ends a line
        raw = raw.removesuffix("\r")  # noqa: PLW2901
        line = raw.strip()
        word = _strip_hashes(line)
        if block is None:
            if not line or (line.startswith("#") and not word.startswith("BEGIN ")):
                continue
            parts = word.split(maxsplit=2)
            if len(parts) < 2 or parts[0] != "BEGIN":
                raise YodaError(
                    f"expected a BEGIN line, got {_show(line)}", line=number, filename=filename
                )
            block = _Block(parts[1], parts[2].strip() if len(parts) > 2 else "", number, [])
        elif word.startswith("BEGIN "):
            raise YodaError(
                f"BEGIN before the END of the block opened at line {block.line}",
                object_path=block.path,
                line=number,
                filename=filename,
            )
        elif word == "END" or word.startswith("END "):
            block.lines.append((number, ""))
            yield block
            block = None
        else:
            block.lines.append((number, raw))
    if block is not None:
        raise YodaError(
            f"BEGIN {block.tag} has no END (truncated file?)",
            object_path=block.path,
            line=block.line,
            filename=filename,
        )


def _show(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


# ---------------------------------------------------------------------------- parsing


@dataclass
class _Body:
    """One block split into annotations, structure lines (YODA 2) and data rows."""

    path: str
    annotations: dict[str, str]
    structure: list[tuple[int, str]]
    rows: list[tuple[int, list[str]]]
    end: int


def _error(block: _Block, line: int, message: str) -> YodaError:
    return YodaError(message, object_path=block.path, line=line)


def _parse(block: _Block) -> YodaObject | Skipped:
    match = _TAG.match(block.tag)
    if match is None:
        return Skipped(block.path, block.tag, block.line)
    name, dim, kinds_text = match["name"], match["dim"], match["kinds"]
    version = int(match["version"] or 1)
    body = _split(block, version)
    if kinds_text is not None:
        kinds = [kind.lower() for kind in kinds_text.split(",")] if kinds_text else []
    else:
        kinds = ["d"] * int(dim[0]) if dim else []
    binned = name.startswith("BINNED")
    shaped = kinds_text is not None if binned else (dim is not None) == (name != "COUNTER")
    valid = shaped and (binned or kinds_text is None) and not (binned and dim)
    reader = _READERS.get((name.removeprefix("BINNED"), len(kinds), version >= 3))
    if reader is None or not valid or any(kind not in ("d", "i", "s") for kind in kinds):
        return Skipped(block.path, block.tag, block.line)
    try:
        return reader(block, body, kinds)
    except HistfmtError as exc:
        if isinstance(exc, YodaError):
            raise
        raise _error(block, block.line, exc.message) from None


def _split(block: _Block, version: int) -> _Body:
    annotations: dict[str, str] = {}
    structure: list[tuple[int, str]] = []
    rows: list[tuple[int, list[str]]] = []
    in_header = version >= 2
    last_key: str | None = None
    for number, raw in block.lines[:-1]:
        if in_header:
            if raw.strip() == "---":
                in_header = False
            elif raw.strip():
                last_key = _annotation(block, number, raw, annotations, last_key)
            continue
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if version >= 3 and (line.startswith(("Edges(", "ErrorLabels:", "MaskedBins:"))):
            structure.append((number, line))
        elif version == 1 and ("=" in line or ":" in line):
            key, _, value = line.replace("=", ": ", 1).partition(":")
            annotations[key.strip()] = _unquote(value.strip())
        else:
            rows.append((number, line.split()))
    end = block.lines[-1][0]
    if in_header:
        raise _error(block, end, "no '---' line after the annotations")
    path = annotations.pop("Path", block.path)
    annotations.pop("Type", None)
    return _Body(path, annotations, structure, rows, end)


def _annotation(
    block: _Block, number: int, raw: str, annotations: dict[str, str], last_key: str | None
) -> str | None:
    if raw[:1].isspace():
        if last_key is None:
            raise _error(block, number, f"annotation continues nothing: {_show(raw.strip())}")
        annotations[last_key] = f"{annotations[last_key]} {raw.strip()}".strip()
        return last_key
    line = raw.rstrip()
    if line.startswith("#"):
        return last_key
    key, colon, value = line.partition(": ")
    if not colon:
        if not line.endswith(":"):
            message = (
                f"expected 'key: value' or the '---' ending the annotations, got {_show(line)}"
            )
            raise _error(block, number, message)
        key, value = line[:-1], ""
    annotations[key.strip()] = _unquote(value.strip())
    return key.strip()


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return decoded if isinstance(decoded, str) else value
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def _number(block: _Block, line: int, token: str) -> float:
    if token == "---":
        return math.nan
    try:
        if "_" in token:
            raise ValueError(token)
        return float(token)
    except ValueError:
        raise _error(block, line, f"expected a number, got {_show(token)}") from None


def _table(block: _Block, body: _Body, columns: int, count: int | None) -> np.ndarray:
    values: list[list[float]] = []
    for line, tokens in body.rows:
        if len(tokens) != columns:
            raise _error(block, line, f"expected {columns} columns, got {len(tokens)}")
        values.append([_number(block, line, token) for token in tokens])
    if count is not None and len(values) != count:
        raise _error(block, body.end, f"expected {count} rows, got {len(values)}")
    return np.array(values, dtype=np.float64).reshape(len(values), columns)


def _yoda2_axes(block: _Block, body: _Body, kinds: list[str]) -> list[Axis]:
    found: dict[int, tuple[int, str]] = {}
    for line, text in body.structure:
        match = _EDGES.match(text)
        if match:
            found[int(match["axis"])] = (line, match["list"])
    axes: list[Axis] = []
    for index, kind in enumerate(kinds, start=1):
        if index not in found:
            raise _error(block, body.end, f"no Edges(A{index}) line")
        line, text = found[index]
        try:
            values = json.loads(text)
        except ValueError:
            values = None
        if not isinstance(values, list):
            raise _error(block, line, f"Edges(A{index}): expected a [...] list")
        try:
            if kind == "d":
                if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                    raise HistfmtError("expected numbers")
                axes.append(ContinuousAxis(np.array(values, dtype=np.float64)))
            elif kind == "i":
                if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                    raise HistfmtError("expected integers")
                axes.append(DiscreteAxis(tuple(values)))
            else:
                if not all(isinstance(v, str) for v in values):
                    raise HistfmtError("expected strings")
                axes.append(DiscreteAxis(tuple(values)))
        except HistfmtError as exc:
            raise _error(block, line, f"Edges(A{index}): {exc.message}") from None
    return axes


def _labels(block: _Block, body: _Body) -> list[str]:
    for line, text in body.structure:
        if text.startswith("ErrorLabels:"):
            try:
                labels = json.loads(text.partition(":")[2])
            except ValueError:
                labels = None
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                raise _error(block, line, "ErrorLabels: expected a list of strings")
            return labels
    return []


def _flat(column: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return column.reshape(shape, order="F")


# --------------------------------------------------------------------- object types


_DBN_YODA2 = {1: 5, 2: 8}


def _histo_yoda2(block: _Block, body: _Body, kinds: list[str], profile: bool) -> YodaObject:
    axes = _yoda2_axes(block, body, kinds)
    shape = tuple(axis.size for axis in axes)
    columns = _DBN_YODA2[len(axes) + profile]
    table = _table(block, body, columns, int(np.prod(shape)))
    columns_of = [_flat(table[:, i], shape) for i in range(columns)]
    kind = Profile1D if profile else Histo1D if len(axes) == 1 else Histo2D
    arrays: dict[str, Any] = dict(zip(kind.COLUMNS, columns_of, strict=True))
    if kind is Histo2D:
        arrays.update(xaxis=axes[0], yaxis=axes[1])
    else:
        arrays["axis"] = axes[0]
    result: YodaObject = kind(path=body.path, annotations=body.annotations, **arrays)
    return result


def _edges_1d(
    block: _Block, bins: list[tuple[int, float, float]], label: str, *, gaps: bool = False
) -> tuple[np.ndarray, list[int]]:
    """Edges of sorted bins; with ``gaps``, a gap becomes a bin and its index is listed."""
    edges = [bins[0][1]]
    found: list[int] = []
    for line, low, high in bins:
        if not low < high:
            raise _error(block, line, f"{label} bin edges must increase: {low} to {high}")
        if low < edges[-1]:
            raise _error(
                block, line, f"{label} bins overlap: {low} to {high} starts before {edges[-1]}"
            )
        if low > edges[-1]:
            if not gaps:
                raise _error(block, line, f"{label} bins leave a gap from {edges[-1]} to {low}")
            found.append(len(edges))  # bin index counting the underflow bin as 0
            edges.append(low)
        edges.append(high)
    return np.array(edges), found


def _histo_yoda1(block: _Block, body: _Body, profile: bool) -> YodaObject:
    kind = Profile1D if profile else Histo1D
    columns = 7 if profile else 5
    flows: dict[str, list[float]] = {}
    bins: list[tuple[int, float, float]] = []
    sums: list[list[float]] = []
    for line, tokens in body.rows:
        if len(tokens) != columns + 2:
            raise _error(block, line, f"expected {columns + 2} columns, got {len(tokens)}")
        if tokens[0] in ("Total", "Underflow", "Overflow"):
            if tokens[1] != tokens[0] or tokens[0] in flows:
                raise _error(block, line, f"unexpected {tokens[0]} row")
            flows[tokens[0]] = [_number(block, line, token) for token in tokens[2:]]
            continue
        low, high = (_number(block, line, token) for token in tokens[:2])
        bins.append((line, low, high))
        sums.append([_number(block, line, token) for token in tokens[2:]])
    if not bins:
        raise _error(block, body.end, "no bins")
    order = sorted(range(len(bins)), key=lambda i: bins[i][1])
    edges, gaps = _edges_1d(block, [bins[i] for i in order], "x", gaps=True)
    zero = [0.0] * columns
    inner = [sums[i] for i in order]
    for index in gaps:
        inner.insert(index - 1, zero)
    table = np.array([flows.get("Underflow", zero), *inner, flows.get("Overflow", zero)])
    if profile:
        table = np.insert(table, 6, 0.0, axis=1)  # YODA 1 keeps no sumwxy
    total = flows.get("Total")
    if total is not None and profile:
        total = [*total[:6], 0.0, total[6]]
    arrays = dict(zip(kind.COLUMNS, table.T, strict=True))
    return kind(
        path=body.path,
        axis=ContinuousAxis(edges),
        annotations=body.annotations,
        total=None if total is None else np.array(total),
        gaps=tuple(gaps),
        **arrays,
    )


def _histo2d_yoda1(block: _Block, body: _Body) -> YodaObject:
    total: list[float] | None = None
    cells: list[tuple[int, list[float]]] = []
    for line, tokens in body.rows:
        if tokens[:2] == ["Total", "Total"]:
            if len(tokens) != 10:
                raise _error(block, line, f"expected 10 columns, got {len(tokens)}")
            total = [_number(block, line, token) for token in tokens[2:]]
        elif len(tokens) != 12:
            raise _error(block, line, f"expected 12 columns, got {len(tokens)}")
        else:
            cells.append((line, [_number(block, line, token) for token in tokens]))
    if not cells:
        raise _error(block, body.end, "no bins")
    xs = sorted({(row[0], row[1]) for _, row in cells})
    ys = sorted({(row[2], row[3]) for _, row in cells})
    xedges, _ = _edges_1d(block, [(cells[0][0], lo, hi) for lo, hi in xs], "x")
    yedges, _ = _edges_1d(block, [(cells[0][0], lo, hi) for lo, hi in ys], "y")
    if len(cells) != len(xs) * len(ys):
        raise _error(block, body.end, f"bins do not fill the {len(xs)} x {len(ys)} grid")
    table = np.zeros((len(xs) + 2, len(ys) + 2, 8))
    xindex = {pair: i + 1 for i, pair in enumerate(xs)}
    yindex = {pair: i + 1 for i, pair in enumerate(ys)}
    seen: set[tuple[int, int]] = set()
    for line, row in cells:
        cell = (xindex[row[0], row[1]], yindex[row[2], row[3]])
        if cell in seen:
            raise _error(block, line, "a bin appears twice")
        seen.add(cell)
        table[cell] = row[4:]
    arrays = dict(zip(Histo2D.COLUMNS, np.moveaxis(table, 2, 0), strict=True))
    return Histo2D(
        path=body.path,
        xaxis=ContinuousAxis(xedges),
        yaxis=ContinuousAxis(yedges),
        annotations=body.annotations,
        total=None if total is None else np.array(total),
        **arrays,
    )


def _histo(block: _Block, body: _Body, kinds: list[str], *, yoda2: bool) -> YodaObject:
    if yoda2:
        return _histo_yoda2(block, body, kinds, profile=False)
    return _histo_yoda1(block, body, False) if len(kinds) == 1 else _histo2d_yoda1(block, body)


def _profile(block: _Block, body: _Body, kinds: list[str], *, yoda2: bool) -> YodaObject:
    if yoda2:
        return _histo_yoda2(block, body, kinds, profile=True)
    return _histo_yoda1(block, body, True)


def _counter(block: _Block, body: _Body, kinds: list[str], *, yoda2: bool) -> YodaObject:
    row = _table(block, body, 3, 1)[0]
    return Counter(body.path, float(row[0]), float(row[1]), float(row[2]), body.annotations)


def _scatter(block: _Block, body: _Body, kinds: list[str], *, yoda2: bool) -> YodaObject:
    dimension = len(kinds)
    table = _table(block, body, 3 * dimension, None)
    return Scatter(body.path, table[:, 0::3], table[:, 1::3], table[:, 2::3], body.annotations)


def _estimate(block: _Block, body: _Body, kinds: list[str], *, yoda2: bool) -> YodaObject:
    axes = _yoda2_axes(block, body, kinds)
    labels = _labels(block, body)
    shape = tuple(axis.size for axis in axes)
    table = _table(block, body, 1 + 2 * len(labels), int(np.prod(shape, dtype=np.int64)))
    errors = (*shape, len(labels))
    return Estimate(
        path=body.path,
        axes=tuple(axes),
        values=_flat(table[:, 0], shape),
        error_labels=tuple(labels),
        err_down=table[:, 1::2].reshape(errors, order="F"),
        err_up=table[:, 2::2].reshape(errors, order="F"),
        annotations=body.annotations,
    )


_Reader = Callable[[_Block, _Body, list[str]], YodaObject]


def _bind(function: Callable[..., YodaObject], yoda2: bool) -> _Reader:
    return lambda block, body, kinds: function(block, body, kinds, yoda2=yoda2)


_READERS: dict[tuple[str, int, bool], _Reader] = {
    **{("COUNTER", 0, v2): _bind(_counter, v2) for v2 in (False, True)},
    **{("HISTO", n, v2): _bind(_histo, v2) for n in (1, 2) for v2 in (False, True)},
    **{("PROFILE", 1, v2): _bind(_profile, v2) for v2 in (False, True)},
    **{("SCATTER", n, v2): _bind(_scatter, v2) for n in (1, 2, 3) for v2 in (False, True)},
    **{("ESTIMATE", n, True): _bind(_estimate, True) for n in (0, 1, 2)},
}
