"""Write :mod:`~histfmt.convert.yoda.objects` as YODA text: YODA 2 (``_V3``) or YODA 1 (``_V2``)."""

from __future__ import annotations

import gzip
import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import numpy as np

from histfmt.errors import HistfmtError
from histfmt.io import atomic_write

from .objects import (
    Axis,
    ContinuousAxis,
    Counter,
    Estimate,
    Histo1D,
    Histo2D,
    Profile1D,
    Scatter,
    YodaError,
    YodaObject,
)

__all__ = ["write", "write_path"]

_HEADERS = {
    5: ["sumW", "sumW2", "sumW(A1)", "sumW2(A1)", "numEntries"],
    8: [
        "sumW",
        "sumW2",
        "sumW(A1)",
        "sumW2(A1)",
        "sumW(A2)",
        "sumW2(A2)",
        "sumW(A1,A2)",
        "numEntries",
    ],
}


def write(objects: Iterable[YodaObject], /, *, version: Literal[1, 2] = 2) -> str:
    """The objects as YODA text: YODA 2 (``_V3`` blocks) by default, YODA 1 (``_V2``) on request.

    Numbers are written with every digit (``repr``), so the text reads back equal.
    YODA 2 keeps no ``Total`` row (it is dropped) and no gaps (gap bins are written as empty
    bins); YODA 1 cannot hold estimates,
    discrete axes, 2-D flow bins or a profile's ``sumwxy`` (refused when non-zero).
    """
    chunks: list[str] = []
    for obj in objects:
        try:
            chunks.append(_block(obj, version))
        except HistfmtError as exc:
            if isinstance(exc, YodaError):
                raise
            raise YodaError(exc.message, object_path=obj.path) from None
    return "".join(chunks)


def write_path(
    objects: Iterable[YodaObject],
    path: str | os.PathLike[str],
    /,
    *,
    version: Literal[1, 2] = 2,
) -> None:
    """Write the objects to ``path`` atomically; gzip-compressed when it ends in ``.gz``."""
    target = Path(path)
    try:
        text = write(objects, version=version)
    except HistfmtError as exc:
        exc.filename = str(target)
        raise
    data = text.encode("utf-8")
    if target.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    atomic_write(target, data)


def _number(value: float) -> str:
    value = float(value)
    if math.isnan(value):
        return "nan"
    return repr(value)


def _row(values: Iterable[float]) -> str:
    return "\t".join(_number(value) for value in values) + "\n"


def _annotation_value(value: str) -> str:
    if value != value.strip() or value[:1] in ("'", '"') or not value.isprintable():
        return json.dumps(value, ensure_ascii=False)
    return value


def _header(obj: YodaObject, tag: str) -> str:
    if not obj.path or any(char.isspace() for char in obj.path):
        raise HistfmtError(f"a YODA path must be non-empty and without spaces: {obj.path!r}")
    annotations = dict(obj.annotations)
    annotations["Path"] = obj.path
    annotations["Type"] = obj.type
    lines = [f"BEGIN {tag} {obj.path}\n"]
    for key in sorted(annotations):
        if (
            not key
            or key != key.strip()
            or ": " in key
            or key.endswith(":")
            or key.startswith("#")
            or key == "---"
            or not key.isprintable()
        ):
            raise HistfmtError(f"annotation key {key!r} cannot be written")
        lines.append(f"{key}: {_annotation_value(annotations[key])}\n")
    lines.append("---\n")
    return "".join(lines)


def _tag(obj: YodaObject, family: str, axes: tuple[Axis, ...], version: int) -> str:
    if all(axis.kind == "d" for axis in axes):
        name = f"YODA_{family}{len(axes)}D"
    elif version == 1:
        raise HistfmtError("YODA 1 has no discrete axes")
    else:
        name = f"YODA_BINNED{family}<{','.join(axis.kind.upper() for axis in axes)}>"
    return f"{name}_V{version + 1}"


def _edges(axes: tuple[Axis, ...]) -> str:
    lines = []
    for index, axis in enumerate(axes, start=1):
        if isinstance(axis, ContinuousAxis):
            text = ", ".join(_number(edge) for edge in axis.edges)
        else:
            text = ", ".join(json.dumps(value, ensure_ascii=False) for value in axis.values)
        lines.append(f"Edges(A{index}): [{text}]\n")
    return "".join(lines)


def _flat(array: np.ndarray) -> np.ndarray:
    return array.reshape(-1, order="F")


def _block(obj: YodaObject, version: int) -> str:
    if isinstance(obj, Counter):
        tag = f"YODA_COUNTER_V{version + 1}"
        body = "# sumW\tsumW2\tnumEntries\n" + _row([obj.sumw, obj.sumw2, obj.numentries])
    elif isinstance(obj, Scatter):
        tag = f"YODA_SCATTER{obj.dimension}D_V{version + 1}"
        names = [
            f"val{i}\terr{i}-\terr{i}+" if version == 2 else f"{c}val\t{c}err-\t{c}err+"
            for i, c in zip(range(1, obj.dimension + 1), "xyz", strict=False)
        ]
        table = np.stack([obj.values, obj.err_minus, obj.err_plus], axis=2)
        body = "# " + "\t".join(names) + "\n"
        body += "".join(_row(point.reshape(-1)) for point in table)
    elif isinstance(obj, Estimate):
        if version == 1:
            raise HistfmtError("YODA 1 has no Estimate objects; write YODA 2")
        tag = _tag(obj, "ESTIMATE", obj.axes, version)
        body = _edges(obj.axes)
        if obj.error_labels:
            labels = ", ".join(json.dumps(label, ensure_ascii=False) for label in obj.error_labels)
            body += f"ErrorLabels: [{labels}]\n"
        names = ["value"]
        for i in range(1, len(obj.error_labels) + 1):
            names += [f"errDn({i})", f"errUp({i})"]
        body += "# " + "\t".join(names) + "\n"
        values = _flat(obj.values)
        count = values.size
        down = obj.err_down.reshape(count, -1, order="F")
        up = obj.err_up.reshape(count, -1, order="F")
        for i in range(count):
            cells = [_number(values[i])]
            for dn, upper in zip(down[i], up[i], strict=True):
                cells += [_error_cell(dn), _error_cell(upper)]
            body += "\t".join(cells) + "\n"
    else:
        family = "PROFILE" if isinstance(obj, Profile1D) else "HISTO"
        tag = _tag(obj, family, obj.axes, version)
        body = _binned_yoda2(obj) if version == 2 else _binned_yoda1(obj)
    return _header(obj, tag) + body + f"END {tag}\n\n"


def _error_cell(value: float) -> str:
    return "---" if math.isnan(value) else _number(value)


def _binned_yoda2(obj: Histo1D | Profile1D | Histo2D) -> str:
    columns = np.stack([_flat(getattr(obj, name)) for name in obj.COLUMNS], axis=1)
    body = _edges(obj.axes) + "# " + "\t".join(_HEADERS[len(obj.COLUMNS)]) + "\n"
    return body + "".join(_row(row) for row in columns)


def _binned_yoda1(obj: Histo1D | Profile1D | Histo2D) -> str:
    names = [name if name != "numentries" else "numEntries" for name in obj.COLUMNS]
    if isinstance(obj, Profile1D):
        if np.any(obj.sumwxy != 0) or (obj.total is not None and obj.total[6] != 0):
            raise HistfmtError("YODA 1 keeps no sumwxy of a profile; write YODA 2")
        names.remove("sumwxy")
    columns = np.stack([_flat(getattr(obj, name)) for name in obj.COLUMNS], axis=1)
    total = obj.total
    if isinstance(obj, Profile1D):
        columns = np.delete(columns, 6, axis=1)
        total = None if total is None else np.delete(total, 6)
    body = "# ID\tID\t" + "\t".join(names) + "\n"
    if total is not None:
        body += "Total\tTotal\t" + _row(total)
    if isinstance(obj, Histo2D):
        inner = np.zeros((obj.xaxis.size, obj.yaxis.size), dtype=bool)
        inner[1:-1, 1:-1] = True
        if np.any(columns[~_flat(inner)] != 0):
            raise HistfmtError("YODA 1 cannot hold 2-D flow bins; write YODA 2")
        assert isinstance(obj.xaxis, ContinuousAxis)
        assert isinstance(obj.yaxis, ContinuousAxis)
        body += "# xlow\txhigh\tylow\tyhigh\t" + "\t".join(names) + "\n"
        xe, ye = obj.xaxis.edges, obj.yaxis.edges
        for ix in range(1, obj.xaxis.size - 1):
            for iy in range(1, obj.yaxis.size - 1):
                row = columns[ix + iy * obj.xaxis.size]
                body += _row([xe[ix - 1], xe[ix], ye[iy - 1], ye[iy], *row])
        return body
    assert isinstance(obj.axis, ContinuousAxis)
    body += "Underflow\tUnderflow\t" + _row(columns[0])
    body += "Overflow\tOverflow\t" + _row(columns[-1])
    body += "# xlow\txhigh\t" + "\t".join(names) + "\n"
    edges = obj.axis.edges
    for i in range(1, obj.axis.size - 1):
        if i not in obj.gaps:
            body += _row([edges[i - 1], edges[i], *columns[i]])
    return body
