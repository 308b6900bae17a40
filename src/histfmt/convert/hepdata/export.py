"""A document as HEPData data: the submission's files, and the table as plain Python data."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from msgspec import UnsetType
from msgspec.structs import replace

from histfmt.convert.hepdata.common import OVERFLOW_CATEGORY, SCALAR, STAT, SUBMISSION, SYST, unique
from histfmt.errors import HistfmtError
from histfmt.io import validate
from histfmt.model import Axis, Document, Energy, View
from histfmt.shown import Shown

__all__ = ["MAX_DATA_FILE", "to_files", "to_table"]

MAX_DATA_FILE = 10 * 1024 * 1024
"""HEPData refuses data files above 10 MiB (schema 1.1)."""
_LUMI_UNITS = {"nb-1": "nb$^{-1}$", "pb-1": "pb$^{-1}$", "fb-1": "fb$^{-1}$", "ab-1": "ab$^{-1}$"}
_RANGE = re.compile(r"^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?\s*-\s*[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$")


def to_files(
    doc: Document, *, flow: bool = False, raw: bool = False, filename: str | None = None
) -> dict[str, bytes]:
    """The submission's files by name: ``submission.yaml`` and the table's data file."""
    import yaml

    validate(doc, filename=filename)
    if not doc.yields:
        raise HistfmtError("nothing to export: the document has no yields", filename=filename)
    columns = len(_series(doc, raw)) * len(_rows(doc.x, flow))
    if columns * 16 > _max_data_file():  # at least "- {value: 1.0}\n" each: refuse before building
        raise HistfmtError(_too_large(f"at least {columns * 16}"), filename=filename)
    meta = doc.metadata
    title = _text(meta.title)
    name = title if 0 < len(title) <= 64 else _text(meta.filename)
    if not 0 < len(name) <= 64:
        name = (title[:63] + "…") if title else "Table 1"
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", _text(meta.filename) or name).strip("._") or "table"
    data_file = ("table" if stem.lower() == "submission" else stem) + ".yaml"
    keywords: list[dict[str, Any]] = [
        {"name": "observables", "values": unique([_text(doc.x.name), _text(doc.x.label)])},
        {
            "name": "cmenergies",
            "values": [] if isinstance(meta.sqrt_s, UnsetType) else [_gev(meta.sqrt_s)],
        },
        {"name": "phrases", "values": unique(meta.tags)},
    ]
    record = {"comment": _text(meta.description) or title}
    entry = {
        "name": name,
        "description": _text(meta.description) or title or f"Yields in bins of {_x_header(doc.x)}.",
        "keywords": [keyword for keyword in keywords if keyword["values"]],
        "data_file": data_file,
    }
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    options: dict[str, Any] = {"Dumper": dumper, "sort_keys": False, "allow_unicode": True}
    submission = yaml.dump_all([record, entry], explicit_start=True, **options)
    table = yaml.dump(to_table(doc, flow=flow, raw=raw), default_flow_style=None, **options)
    data = table.encode("utf-8")
    if len(data) > _max_data_file():
        raise HistfmtError(_too_large(str(len(data))), filename=filename)
    return {SUBMISSION: submission.encode("utf-8"), data_file: data}


def _max_data_file() -> int:
    """``histfmt.convert.hepdata.MAX_DATA_FILE`` as it is now (callers may lower it)."""
    from histfmt.convert import hepdata

    return hepdata.MAX_DATA_FILE


def _too_large(size: str) -> str:
    return (
        f"the HEPData table would be {size} bytes; HEPData accepts at most "
        f"{_max_data_file()} bytes per data file (rebin, or export fewer yields)"
    )


def to_table(doc: Document, *, flow: bool = False, raw: bool = False) -> dict[str, Any]:
    """The plot as one HEPData data table (plain Python data, as written to YAML)."""
    rows = _rows(doc.x, flow)
    index = np.array([position for position, _ in rows], dtype=np.intp)
    # Every stored bin shown: the flow bins as ordinary bins, no rebinning.
    flat = replace(doc, x=Axis(edges=np.arange(doc.x.n_values + 1.0)), view=View())
    shown = Shown(flat)
    common = _metadata_qualifiers(doc)
    dependents = [_dependent(doc, shown, series, index, common) for series in _series(doc, raw)]
    independent: dict[str, Any] = {"header": {"name": _x_header(doc.x)}}
    if _text(doc.x.unit) and isinstance(doc.x.categories, UnsetType):
        independent["header"]["units"] = _text(doc.x.unit)
    independent["values"] = [value for _, value in rows]
    return {"independent_variables": [independent], "dependent_variables": dependents}


@dataclass
class _Series:
    header: str
    refs: list[str]
    stack: tuple[int, str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _series(doc: Document, raw: bool) -> list[_Series]:
    """Drawn layers in stack order, then the yields exported on their own."""
    result: list[_Series] = []
    drawn: set[str] = set()
    alone: set[str] = set()
    for number, stack in enumerate(doc.stacks, 1):
        for item in stack.content:
            header = _text(item.label) or " + ".join(item.yields)
            extra = _hepdata_info(doc, item.yields)
            result.append(
                _Series(header, list(item.yields), (number, stack.type, stack.error), extra)
            )
            drawn.update(ref.partition("/")[0] for ref in item.yields)
            if len(item.yields) == 1:
                alone.add(item.yields[0])
    for name, value in doc.yields.items():
        if name not in (alone if raw else drawn):
            result.append(
                _Series(_text(value.label) or name, [name], None, _hepdata_info(doc, [name]))
            )
    return result


def _hepdata_info(doc: Document, refs: list[str]) -> dict[str, Any]:
    """What an import kept of a HEPData column (units, other qualifiers), for one yield."""
    if len(refs) != 1 or refs[0] not in doc.yields:
        return {}
    info = doc.yields[refs[0]].writer_info.get("hepdata", {})
    return info if isinstance(info, dict) else {}


def _rows(x: Axis, flow: bool) -> list[tuple[int, dict[str, Any]]]:
    """(index into the stored per-bin arrays, independent-variable value) per exported bin."""
    under, last = int(x.underflow), x.n_values - 1
    rows: list[tuple[int, dict[str, Any]]] = []
    if not isinstance(x.categories, UnsetType):
        for i, category in enumerate(x.categories):
            value = category
            if isinstance(category, str) and _RANGE.match(category):  # HEPData refuses "1-2"
                value = category.replace("-", "\N{EN DASH}")
            rows.append((under + i, {"value": value}))
        if flow and x.overflow:
            rows.append((last, {"value": OVERFLOW_CATEGORY}))
        return rows
    edges = [float(edge) for edge in np.asarray(x.edges, dtype=np.float64)]
    if flow and x.underflow:
        rows.append((0, {"low": -math.inf, "high": edges[0]}))
    rows += [(under + i, {"low": edges[i], "high": edges[i + 1]}) for i in range(len(edges) - 1)]
    if flow and x.overflow:
        rows.append((last, {"low": edges[-1], "high": math.inf}))
    return rows


def _metadata_qualifiers(doc: Document) -> list[dict[str, Any]]:
    meta = doc.metadata
    qualifiers: list[dict[str, Any]] = []
    if not isinstance(meta.sqrt_s, UnsetType):
        qualifiers.append({"name": "SQRT(S)", "value": _gev(meta.sqrt_s), "units": "GeV"})
    if not isinstance(meta.luminosity, UnsetType):
        lumi = meta.luminosity
        qualifiers.append(
            {"name": "LUMINOSITY", "value": float(lumi.value), "units": _LUMI_UNITS[lumi.unit]}
        )
    return qualifiers


def _dependent(
    doc: Document, shown: Shown, series: _Series, index: Any, common: list[dict[str, Any]]
) -> dict[str, Any]:
    parts = shown.components(series.refs)
    plain = [doc.yields[ref] for ref in series.refs if "/" not in ref]
    has_stat = any(
        not isinstance(y.stat, UnsetType) or not isinstance(y.variances, UnsetType) for y in plain
    )
    has_syst = any(not isinstance(y.syst, UnsetType) for y in plain)
    columns: list[tuple[str, list[float], list[float], bool]] = []
    for label, up2, down2, present in (
        ("stat", parts.stat_up2, parts.stat_down2, has_stat),
        ("syst", parts.syst_up2, parts.syst_down2, has_syst),
    ):
        if present:
            columns.append(
                (label, np.sqrt(up2[index]).tolist(), np.sqrt(down2[index]).tolist(), True)
            )
    for source, (up, down) in parts.shifts.items():
        label = f"sys,{source}" if STAT.match(source) or SYST.match(source) else source
        columns.append((label, up[index].tolist(), down[index].tolist(), False))
    values = []
    for j, value in enumerate(parts.values[index].tolist()):
        values.append(
            _point(value, [(label, up[j], down[j], size) for label, up, down, size in columns])
        )
    header: dict[str, Any] = {"name": series.header}
    if isinstance(series.extra.get("units"), str):
        header["units"] = series.extra["units"]
    qualifiers = [dict(q) for q in common]  # copies: no YAML anchors in the output
    qualifiers.append({"name": "YIELDS", "value": " + ".join(series.refs)})
    if series.stack is not None:
        number, kind, error = series.stack
        qualifiers.append({"name": "STACK", "value": f"{number} ({kind}, error {error})"})
    qualifiers += [q for q in series.extra.get("qualifiers", []) if _is_qualifier(q)]
    return {"header": header, "qualifiers": qualifiers, "values": values}


def _point(value: float, errors: list[tuple[str, float, float, bool]]) -> dict[str, Any]:
    """One dependent value; ``errors`` holds (label, up, down, is a magnitude) per column."""
    if math.isnan(value):
        return {"value": "-"}
    entries: list[dict[str, Any]] = []
    nonzero = False
    for label, up, down, magnitude in errors:
        if math.isnan(up) or math.isnan(down):
            continue
        nonzero = nonzero or up != 0 or down != 0
        if magnitude and up == down:
            entries.append({"symerror": up, "label": label})
        elif magnitude:
            entries.append({"asymerror": {"plus": up, "minus": 0.0 - down}, "label": label})
        else:
            plus, minus = _shortest(up, value), _shortest(down, value)
            entries.append({"asymerror": {"plus": plus, "minus": minus}, "label": label})
    return {"value": value, "errors": entries} if nonzero else {"value": value}


def _shortest(shift: float, nominal: float) -> float:
    """The shortest decimal ``d`` with ``nominal + d == nominal + shift``.

    A reader rebuilds the varied yield as ``nominal + d``: exactly the float64 it gets
    from ``shift``, while the table shows ``-5.66``, not ``-5.659999999999997``.
    """
    target = nominal + shift
    for digits in range(1, 17):
        candidate = float(f"{shift:.{digits}g}")
        if nominal + candidate == target:
            return candidate
    return shift


def _is_qualifier(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("name"), str)
        and isinstance(value.get("value"), SCALAR)
        and not isinstance(value.get("value"), bool)
        and set(value) <= {"name", "value", "units"}
    )


def _x_header(x: Axis) -> str:
    return _text(x.symbol) or _text(x.label) or _text(x.name) or "x"


def _gev(energy: Energy) -> float:
    if energy.unit == "GeV":
        return float(energy.value)
    return float(Decimal(repr(float(energy.value))) * 1000)  # 13.6 TeV -> 13600.0, not ...002


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
