"""HEPData submissions <-> histfmt: one plot is one HEPData table.

**Export** (:func:`write`, :func:`to_table`): the x axis is the one independent
variable (``{low, high}`` bins, ``{value: ...}`` for categories; with ``flow=True``
the declared flow bins too, as ``low: -.inf`` / ``high: .inf``, and a categorical
overflow bin as ``__UNDETERMINED__`` like hepdata_lib). Every drawn stack layer is
one dependent variable, in stack order, summed as histfmt sums it
(:class:`~histfmt.render.prepare.View`): header = the layer's label, errors =
``stat`` (quadrature over the yields, ``symerror`` or ``asymerror``), ``syst``
(likewise, when a yield has one) and one labelled ``asymerror`` per named
variation (``plus = up - nominal``, ``minus = down - nominal``, signs kept;
same-named variations add linearly across the layer's yields). Yields that no
layer draws follow as their own dependent variables; ``raw=True`` also adds every
yield that is not a layer by itself (e.g. the parts of a merged layer).
Uncertainties are the stored ones (a ``poisson`` error bar is drawn, not stored,
so it is not exported). Qualifiers: ``SQRT(S)`` (GeV), ``LUMINOSITY``, ``YIELDS``
(the summed references) and ``STACK`` (``"2 (points, error poisson)"``). Numbers
are written with ``repr`` (exact float64 round trip); a missing value is ``'-'``.
A missing (NaN) uncertainty of a point is left out, and a point whose
uncertainties are all zero gets none (the validator refuses all-zero errors).
Styles, the ratio panel, lines and graphs have no HEPData counterpart.

**Import** (:func:`read`, :func:`from_table`): a table file, a ``submission.yaml``,
a submission folder or archive (first table, or ``table=NAME``). Bins must be
one-dimensional; gaps between bins become bins of missing values, ``±inf`` edge
bins become flow bins, string (or integer) ``value`` bins a categorical axis.
Each dependent variable becomes a yield: errors labelled ``stat...`` add in
quadrature into ``stat``, ``sys``/``syst``/``systematic(s)`` into ``syst``
(magnitudes ``|plus|``, ``|minus|``), any other label (unlabelled:
``uncertainty``) becomes a variation ``up = value + plus``, ``down = value +
minus``; ``"5%"`` is relative to ``|value|``; a non-numeric value (``'-'``,
``'<0.1'``) is missing. Drawing: with histfmt's ``STACK`` qualifiers the stacks
come back as exported; otherwise a dependent variable whose header mentions
data is drawn as points, every other one as its own ``step`` line (HEPData
columns are usually alternatives, not parts of a sum), all with
``stat+syst+env`` errors.
"""

from __future__ import annotations

import io
import math
import re
import tarfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, cast, get_args

import numpy as np
from msgspec import UNSET, UnsetType
from msgspec.structs import replace

from histfmt.errors import HistfmtError, format_path
from histfmt.io import MAX_BYTES, _atomic_write, validate
from histfmt.model import (
    Asymmetric,
    Axis,
    Document,
    Energy,
    ErrorSpec,
    Luminosity,
    Stack,
    StackItem,
    Variation,
    Yield,
)
from histfmt.model import View as ViewOptions
from histfmt.render.prepare import View

__all__ = ["from_table", "read", "sniff", "to_files", "to_table", "write"]

MAX_DATA_FILE = 10 * 1024 * 1024
"""HEPData refuses data files above 10 MiB (schema 1.1)."""
OVERFLOW_CATEGORY = "__UNDETERMINED__"
SUBMISSION = "submission.yaml"
_LUMI_UNITS = {"nb-1": "nb$^{-1}$", "pb-1": "pb$^{-1}$", "fb-1": "fb$^{-1}$", "ab-1": "ab$^{-1}$"}
_STACK_TYPES = ("filled", "step", "points", "band")
_STACK_VALUE = re.compile(r"^(\d+) \((\w+), error ([a-z+]+)\)$")
_STAT = re.compile(r"^stat", re.IGNORECASE)
_SYST = re.compile(r"^sys(t|tematics?)?\.?$", re.IGNORECASE)
_RANGE = re.compile(r"^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?\s*-\s*[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$")
_DATA = re.compile(r"\b(data|observed)\b", re.IGNORECASE)

Where = tuple[str | int, ...]
_SCALAR = (str, int, float)
_NOUNS = {str: "a string", int: "a number", float: "a number", list: "a list", dict: "a mapping"}


# == export =========================================================================


def write(doc: Document, path: Path, *, flow: bool = False, raw: bool = False) -> None:
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
        _atomic_write(path, _tar_gz(files))
    else:
        _write_folder(path, files)


def to_files(
    doc: Document, *, flow: bool = False, raw: bool = False, filename: str | None = None
) -> dict[str, bytes]:
    """The submission's files by name: ``submission.yaml`` and the table's data file."""
    import yaml

    validate(doc, filename=filename)
    if not doc.yields:
        raise HistfmtError("nothing to export: the document has no yields", filename=filename)
    columns = len(_series(doc, raw)) * len(_rows(doc.x, flow))
    if columns * 16 > MAX_DATA_FILE:  # at least "- {value: 1.0}\n" each: refuse before building
        raise HistfmtError(_too_large(f"at least {columns * 16}"), filename=filename)
    meta = doc.metadata
    title = _text(meta.title)
    name = title if 0 < len(title) <= 64 else _text(meta.filename)
    if not 0 < len(name) <= 64:
        name = (title[:63] + "…") if title else "Table 1"
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", _text(meta.filename) or name).strip("._") or "table"
    data_file = ("table" if stem.lower() == "submission" else stem) + ".yaml"
    keywords: list[dict[str, Any]] = [
        {"name": "observables", "values": _unique([_text(doc.x.name), _text(doc.x.label)])},
        {
            "name": "cmenergies",
            "values": [] if isinstance(meta.sqrt_s, UnsetType) else [_gev(meta.sqrt_s)],
        },
        {"name": "phrases", "values": _unique(meta.tags)},
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
    if len(data) > MAX_DATA_FILE:
        raise HistfmtError(_too_large(str(len(data))), filename=filename)
    return {SUBMISSION: submission.encode("utf-8"), data_file: data}


def _too_large(size: str) -> str:
    return (
        f"the HEPData table would be {size} bytes; HEPData accepts at most "
        f"{MAX_DATA_FILE} bytes per data file (rebin, or export fewer yields)"
    )


def to_table(doc: Document, *, flow: bool = False, raw: bool = False) -> dict[str, Any]:
    """The plot as one HEPData data table (plain Python data, as written to YAML)."""
    rows = _rows(doc.x, flow)
    index = np.array([position for position, _ in rows], dtype=np.intp)
    # A view over every stored bin: the flow bins as ordinary bins, no rebinning.
    flat = replace(doc, x=Axis(edges=np.arange(doc.x.n_values + 1.0)), view=ViewOptions())
    view = View(flat)
    common = _metadata_qualifiers(doc)
    dependents = [_dependent(doc, view, series, index, common) for series in _series(doc, raw)]
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
    doc: Document, view: View, series: _Series, index: Any, common: list[dict[str, Any]]
) -> dict[str, Any]:
    parts = view.components(series.refs)
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
        label = f"sys,{source}" if _STAT.match(source) or _SYST.match(source) else source
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
        and isinstance(value.get("value"), _SCALAR)
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


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value[:128] for value in values if value))


def _tar_gz(files: dict[str, bytes]) -> bytes:
    import gzip
    import time

    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as stream,
        tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _write_folder(path: Path, files: dict[str, bytes]) -> None:
    """Build the folder beside ``path``, then move it into place (replacing an old export)."""
    import os
    import shutil
    import tempfile

    target = str(path)
    if path.exists() and not path.is_dir():
        raise HistfmtError("exists and is not a folder", filename=target)
    if path.is_dir() and any(path.iterdir()) and not _is_submission_folder(path):
        raise HistfmtError(
            "the folder is not empty and holds no HEPData submission; refusing to overwrite it",
            filename=target,
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    except OSError as exc:
        raise HistfmtError(f"cannot write: {exc.strerror or exc}", filename=target) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        build.chmod(0o777 & ~umask)
        for name, data in files.items():
            (build / name).write_bytes(data)
        if not path.exists():
            build.replace(path)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
        path.replace(old / "previous")
        try:
            build.replace(path)
        except OSError:
            (old / "previous").replace(path)
            raise
        finally:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise HistfmtError(f"cannot write: {exc.strerror or exc}", filename=target) from None
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)


def _is_submission_folder(path: Path) -> bool:
    """Only ``submission.yaml`` and the files it names: a previous export, safe to replace."""
    import yaml

    try:
        names = {entry.name for entry in path.iterdir() if entry.is_file()}
        if SUBMISSION not in names or len(names) != len(list(path.iterdir())):
            return False
        docs = list(yaml.safe_load_all((path / SUBMISSION).read_bytes()))
    except (OSError, yaml.YAMLError):
        return False
    known = {SUBMISSION}
    for doc in docs:
        if isinstance(doc, dict):
            known.add(str(doc.get("data_file", SUBMISSION)))
            for resource in doc.get("additional_resources") or []:
                if isinstance(resource, dict):
                    known.add(str(resource.get("location", SUBMISSION)))
    return names <= known


# == import =========================================================================


def sniff(head: bytes, path: Path) -> bool:
    """A HEPData table (YAML/JSON), a ``submission.yaml``, or a folder/archive holding one."""
    path = Path(path)
    try:
        if path.is_dir():
            return (path / SUBMISSION).is_file()
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
    return has_table or (path.name == SUBMISSION and text.lstrip().startswith(("---", "comment")))


def read(path: Path, *, table: str | None = None) -> Document:
    """A HEPData table file, ``submission.yaml``, submission folder or archive as a document."""
    path = Path(path)
    if path.is_dir():
        return _from_submission(_Folder(path), SUBMISSION, table)
    if path.name.lower().endswith((".tar.gz", ".tgz", ".tar", ".zip")):
        with _Archive(path) as archive:
            return _from_submission(archive, archive.submission, table)
    folder = _Folder(path.parent)
    docs = _yaml_documents(folder.read(path.name), str(path))
    first = docs[0] if len(docs) == 1 else None
    keys = set(first) if isinstance(first, dict) else set()
    if keys & {"independent_variables", "dependent_variables"} and not keys & {"name", "data_file"}:
        return from_table(first, filename=str(path))
    return _from_submission(folder, path.name, table, docs)


class _Folder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def label(self, name: str) -> str:
        return str(self.root / name)

    def read(self, name: str) -> bytes:
        target = self.root / name
        try:
            size = target.stat().st_size
            if size > MAX_BYTES:
                raise HistfmtError(
                    f"file is {size} bytes; the limit is {MAX_BYTES}", filename=str(target)
                )
            return target.read_bytes()
        except OSError as exc:
            raise HistfmtError(
                f"cannot read: {exc.strerror or exc}", filename=str(target)
            ) from None


class _Archive:
    """The files of a .tar(.gz)/.zip archive, read in memory (never extracted)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        try:
            if zipfile.is_zipfile(path):
                self._zip = zipfile.ZipFile(path)
                names = [info.filename for info in self._zip.infolist() if not info.is_dir()]
            else:
                self._tar = tarfile.open(path, "r:*")  # noqa: SIM115 (closed by __exit__)
                names = [member.name for member in self._tar.getmembers() if member.isfile()]
        except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile) as exc:
            self.close()
            raise HistfmtError(f"not a readable archive ({exc})", filename=str(path)) from None
        self.names = set(names)
        found = [name for name in names if PurePosixPath(name).name == SUBMISSION]
        if not found:
            self.close()
            raise HistfmtError(f"no {SUBMISSION} in the archive", filename=str(path))
        self.submission = min(found, key=lambda name: name.count("/"))

    def __enter__(self) -> _Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for handle in (self._zip, self._tar):
            if handle is not None:
                handle.close()

    def label(self, name: str) -> str:
        return f"{self.path}:{name}"

    def read(self, name: str) -> bytes:
        key = name
        if name != self.submission:
            key = (PurePosixPath(self.submission).parent / name).as_posix()
            key = key if key in self.names else f"./{key}"
        if key not in self.names:
            raise HistfmtError("no such file in the archive", filename=self.label(name))
        try:
            if self._zip is not None:
                size = self._zip.getinfo(key).file_size
                if size > MAX_BYTES:
                    raise HistfmtError(f"too large ({size} bytes)", filename=self.label(name))
                return self._zip.read(key)
            assert self._tar is not None
            member = self._tar.getmember(key)
            if member.size > MAX_BYTES:
                raise HistfmtError(f"too large ({member.size} bytes)", filename=self.label(name))
            stream = self._tar.extractfile(member)
            return stream.read() if stream is not None else b""
        except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile) as exc:
            raise HistfmtError(f"cannot read ({exc})", filename=self.label(name)) from None


def _yaml_documents(data: bytes, filename: str) -> list[Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return list(yaml.load_all(data, Loader=loader))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        position = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise HistfmtError(f"not valid YAML{position}: {problem}", filename=filename) from None


def _from_submission(
    files: _Folder | _Archive, name: str, table: str | None, docs: list[Any] | None = None
) -> Document:
    label = files.label(name)
    if docs is None:
        docs = _yaml_documents(files.read(name), label)
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
        raise HistfmtError(
            f"[{index}].data_file: expected a file name, got {data_file!r}", filename=label
        )
    target = files.label(data_file)
    content = _yaml_documents(files.read(data_file), target)
    if len(content) != 1:
        raise HistfmtError(f"expected one YAML document, got {len(content)}", filename=target)
    return from_table(content[0], filename=target, entry=entry)


def from_table(
    data: Any,
    *,
    filename: str | None = None,
    entry: dict[str, Any] | None = None,
    where: Where = (),
) -> Document:
    """A HEPData data table (parsed YAML) as a validated document.

    ``entry`` is the table's document from ``submission.yaml`` (name, description,
    keywords), ``where`` the table's path inside the parsed file (for messages).
    """
    return _TableReader(filename, where).document(data, entry or {})


@dataclass
class _Column:
    """One dependent variable, read: per-point values and uncertainty ingredients."""

    values: Any
    stat: list[Any] = field(default_factory=list)  # [up2, down2, asymmetric?] when present
    syst: list[Any] = field(default_factory=list)
    shifts: dict[str, list[Any]] = field(default_factory=dict)  # name -> [plus, minus]


class _TableReader:
    def __init__(self, filename: str | None, where: Where) -> None:
        self.filename = filename
        self.where = where

    def fail(self, path: Where, message: str) -> HistfmtError:
        return HistfmtError(f"{format_path(self.where + path)}: {message}", filename=self.filename)

    def get(self, mapping: Any, key: str, path: Where, kind: type | tuple[type, ...]) -> Any:
        if not isinstance(mapping, dict):
            raise self.fail(path, f"expected a mapping, got {_kind_of(mapping)}")
        if key not in mapping:
            raise self.fail(path, f"missing key {key!r}")
        value = mapping[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            expected = " or ".join(dict.fromkeys(_NOUNS[k] for k in kinds))
            raise self.fail((*path, key), f"expected {expected}, got {_kind_of(value)}")
        return value

    # -- the whole table ---------------------------------------------------------------

    def document(self, data: Any, entry: dict[str, Any]) -> Document:
        independents = self.get(data, "independent_variables", (), list)
        dependents = self.get(data, "dependent_variables", (), list)
        if len(independents) != 1:
            raise self.fail(
                ("independent_variables",),
                f"histfmt holds 1-D tables; this one has {len(independents)} independent variables",
            )
        if not dependents:
            raise self.fail(("dependent_variables",), "no dependent variables")
        doc, order = self.axis(independents[0], ("independent_variables", 0))
        rows = len(independents[0]["values"])
        names: set[str] = set()
        stacks: dict[tuple[int, str, str], list[StackItem]] = {}
        undrawn: list[tuple[str, str]] = []
        for i, variable in enumerate(dependents):
            path: Where = ("dependent_variables", i)
            header = self.get(variable, "header", path, dict)
            title = str(self.get(header, "name", (*path, "header"), _SCALAR))
            qualifiers = variable.get("qualifiers", []) or []
            if not isinstance(qualifiers, list):
                raise self.fail(
                    (*path, "qualifiers"), f"expected a list, got {_kind_of(qualifiers)}"
                )
            known, extra, refs, stack = self.qualifiers(doc, qualifiers, (*path, "qualifiers"))
            points = self.get(variable, "values", path, list)
            if len(points) != rows:
                raise self.fail(
                    (*path, "values"),
                    f"expected {rows} values (one per independent value), got {len(points)}",
                )
            item = self.column(points, order, (*path, "values"))
            base = refs if refs and "/" not in refs and " + " not in refs else title
            name = _unique_name(base, names)
            names.add(name)
            info: dict[str, Any] = {}
            if isinstance(header.get("units"), str) and header["units"]:
                info["units"] = header["units"]
            if extra:
                info["qualifiers"] = extra
            item.label = title[:4096]
            item.writer_info = {"hepdata": info} if info else {}
            doc.yields[name] = item
            if stack is not None:
                stacks.setdefault(stack, []).append(StackItem(yields=[name], label=title[:4096]))
            elif not known:
                undrawn.append((name, title[:4096]))
        if stacks:
            doc.stacks = [
                Stack(content=items, type=cast(Any, kind), error=cast(Any, error))
                for (_, kind, error), items in sorted(stacks.items())
            ]
        elif undrawn:
            data_like = [StackItem(yields=[n], label=t) for n, t in undrawn if _DATA.search(t)]
            doc.stacks = [
                Stack(content=[StackItem(yields=[n], label=t)], type="step", error="stat+syst+env")
                for n, t in undrawn
                if not _DATA.search(t)
            ]
            if data_like:
                doc.stacks.append(Stack(content=data_like, type="points", error="stat+syst+env"))
        self.metadata(doc, entry)
        return validate(doc, filename=self.filename)

    def metadata(self, doc: Document, entry: dict[str, Any]) -> None:
        meta = doc.metadata
        if isinstance(entry.get("name"), str) and entry["name"].strip():
            meta.title = entry["name"].strip()[:4096]
        if isinstance(entry.get("description"), str) and entry["description"].strip():
            meta.description = entry["description"].strip()[:65536]
        for keyword in entry.get("keywords") or []:
            if not isinstance(keyword, dict) or not isinstance(keyword.get("values"), list):
                continue
            values = keyword["values"]
            if keyword.get("name") == "phrases":
                meta.tags = _unique(str(v).strip()[:256] for v in values)
            elif keyword.get("name") == "cmenergies" and isinstance(meta.sqrt_s, UnsetType):
                numbers = [_float(value) for value in values]
                if len(numbers) == 1 and numbers[0] is not None and numbers[0] > 0:
                    meta.sqrt_s = _energy(numbers[0], "GeV")

    # -- the x axis ----------------------------------------------------------------------

    def axis(self, variable: Any, path: Where) -> tuple[Document, list[int | None]]:
        """The document's x axis, and for each stored bin the table row it comes from."""
        header = self.get(variable, "header", path, dict)
        title = str(self.get(header, "name", (*path, "header"), _SCALAR)).strip()
        unit = header.get("units") if isinstance(header.get("units"), str) else None
        points = self.get(variable, "values", path, list)
        if not points:
            raise self.fail((*path, "values"), "no bins")
        for j, point in enumerate(points):
            if not isinstance(point, dict):
                raise self.fail((*path, "values", j), f"expected a mapping, got {_kind_of(point)}")
        symbol = title[:4096] if "$" in title else None
        label = title[:4096] if title and symbol is None else None
        if all("low" in p or "high" in p for p in points):
            edges, under, over, order = self.bins(points, (*path, "values"))
            doc = Document.new(
                edges, underflow=under, overflow=over, unit=unit or None, symbol=symbol, label=label
            )
            return doc, order
        if any("low" in p or "high" in p for p in points):
            raise self.fail((*path, "values"), "mixes binned (low/high) and unbinned values")
        labels = [p.get("value") for p in points]
        overflow = len(labels) > 1 and labels[-1] == OVERFLOW_CATEGORY
        labels = labels[:-1] if overflow else labels
        categories: list[Any]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in labels):
            categories = labels
        elif any(isinstance(v, str) for v in labels):
            categories = [str(v) if isinstance(v, _SCALAR) else None for v in labels]
        else:
            raise self.fail(
                (*path, "values"),
                "numeric values without low/high are points, not bins; histfmt needs bins",
            )
        for j, category in enumerate(categories):
            if category is None or category in categories[:j]:
                problem = "not a string or number" if category is None else f"repeats {category!r}"
                raise self.fail((*path, "values", j, "value"), f"category {problem}")
        doc = Document.new(categories=categories, overflow=overflow, symbol=symbol, label=label)
        return doc, list(range(len(points)))

    def bins(
        self, points: list[dict[str, Any]], path: Where
    ) -> tuple[list[float], bool, bool, list[int | None]]:
        """Edges, flow flags and the row behind each bin (None: a gap, missing values)."""
        rows: list[tuple[float, float, int]] = []
        flows: dict[str, tuple[float, int]] = {}  # "under"/"over" -> (finite edge, row)
        for j, point in enumerate(points):
            low = self.number(point, "low", (*path, j))
            high = self.number(point, "high", (*path, j))
            if not low < high or (math.isinf(low) and math.isinf(high)):
                raise self.fail(
                    (*path, j),
                    f"expected low < high, not both infinite; got low {low}, high {high}",
                )
            if math.isinf(low) or math.isinf(high):
                side, edge = ("under", high) if math.isinf(low) else ("over", low)
                if side in flows:
                    raise self.fail((*path, j), f"a second {side}flow bin (an infinite edge)")
                flows[side] = (edge, j)
            else:
                rows.append((low, high, j))
        if not rows:
            raise self.fail(path, "no bins with finite edges")
        rows.sort()
        edges = [rows[0][0]]
        order: list[int | None] = []
        for low, high, j in rows:
            if low < edges[-1]:
                raise self.fail((*path, j), f"bin [{low}, {high}] overlaps the bin before it")
            if low > edges[-1]:  # a gap: a bin of missing values
                edges.append(low)
                order.append(None)
            edges.append(high)
            order.append(j)
        if "under" in flows:
            high, j = flows["under"]
            if high > edges[0]:
                raise self.fail((*path, j), "the underflow bin overlaps the first bin")
            if high < edges[0]:
                edges.insert(0, high)
                order.insert(0, None)
            order.insert(0, j)
        if "over" in flows:
            low, j = flows["over"]
            if low < edges[-1]:
                raise self.fail((*path, j), "the overflow bin overlaps the last bin")
            if low > edges[-1]:
                edges.append(low)
                order.append(None)
            order.append(j)
        return edges, "under" in flows, "over" in flows, order

    def number(self, point: dict[str, Any], key: str, path: Where) -> float:
        value = point.get(key)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if math.isnan(value):
                raise self.fail((*path, key), "expected a number, got NaN")
            return float(value)
        if key not in point:
            raise self.fail(path, f"missing key {key!r}")
        raise self.fail((*path, key), f"expected a number, got {_kind_of(value)}")

    # -- one dependent variable --------------------------------------------------------------

    def qualifiers(
        self, doc: Document, qualifiers: list[Any], path: Where
    ) -> tuple[bool, list[Any], str, tuple[int, str, str] | None]:
        """Fill metadata from SQRT(S)/LUMINOSITY; return (histfmt's own?, others, YIELDS, STACK)."""
        extra: list[Any] = []
        refs, stack, known = "", None, False
        meta = doc.metadata
        for k, qualifier in enumerate(qualifiers):
            name = str(self.get(qualifier, "name", (*path, k), _SCALAR)).strip()
            value = self.get(qualifier, "value", (*path, k), _SCALAR)
            units = str(qualifier.get("units", "")).strip()
            number = _float(value)
            key = name.upper()
            lumi_unit = _lumi_unit(units)
            if key == "SQRT(S)" and number is not None and number > 0:
                energy = _energy(number, "TeV" if units.lower() == "tev" else "GeV")
                if isinstance(meta.sqrt_s, UnsetType):
                    meta.sqrt_s = energy
                elif meta.sqrt_s != energy:
                    extra.append(dict(qualifier))
            elif key == "LUMINOSITY" and number is not None and number >= 0 and lumi_unit:
                lumi = Luminosity(value=number, unit=cast(Any, lumi_unit))
                if isinstance(meta.luminosity, UnsetType):
                    meta.luminosity = lumi
                elif meta.luminosity != lumi:
                    extra.append(dict(qualifier))
            elif key == "YIELDS" and isinstance(value, str):
                refs, known = value.strip(), True
            elif key == "STACK" and isinstance(value, str) and _STACK_VALUE.match(value.strip()):
                match = _STACK_VALUE.match(value.strip())
                assert match is not None
                number_, kind, error = match.groups()
                if kind in _STACK_TYPES and error in get_args(ErrorSpec):
                    stack = (int(number_), kind, error)
                else:
                    extra.append(dict(qualifier))
            else:
                extra.append(dict(qualifier))
        return known, extra, refs, stack

    def column(self, points: list[Any], order: list[int | None], path: Where) -> Yield:
        n = len(points)
        column = _Column(values=np.full(n, np.nan))
        for j, point in enumerate(points):
            column.values[j] = self.value(point, (*path, j))
            errors = point.get("errors", []) if isinstance(point, dict) else []
            if errors is None:
                errors = []
            if not isinstance(errors, list):
                raise self.fail((*path, j, "errors"), f"expected a list, got {_kind_of(errors)}")
            seen: dict[str, int] = {}
            for k, error in enumerate(errors):
                self.error(column, j, error, seen, (*path, j, "errors", k))
        return _yield(column, order)

    def value(self, point: Any, path: Where) -> float:
        if not isinstance(point, dict):
            raise self.fail(path, f"expected a mapping, got {_kind_of(point)}")
        if "value" not in point:
            raise self.fail(path, "missing key 'value'")
        raw = point["value"]
        if raw is None or isinstance(raw, str):
            number = _float(raw)
            return math.nan if number is None else number  # '-', '<0.1': missing
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            if math.isinf(raw):
                raise self.fail((*path, "value"), "infinite values cannot be stored")
            return float(raw)
        raise self.fail((*path, "value"), f"expected a number or a string, got {_kind_of(raw)}")

    def error(self, column: _Column, j: int, error: Any, seen: dict[str, int], path: Where) -> None:
        n = len(column.values)
        if not isinstance(error, dict):
            raise self.fail(path, f"expected a mapping, got {_kind_of(error)}")
        value = float(column.values[j])
        if ("symerror" in error) == ("asymerror" in error):
            raise self.fail(path, "expected exactly one of 'symerror' and 'asymerror'")
        if "symerror" in error:
            size = self.amount(error["symerror"], value, (*path, "symerror"))
            plus, minus = size, -size
        else:
            pair = self.get(error, "asymerror", path, dict)
            where = (*path, "asymerror")
            plus = self.amount(self.get(pair, "plus", where, _SCALAR), value, (*where, "plus"))
            minus = self.amount(self.get(pair, "minus", where, _SCALAR), value, (*where, "minus"))
        label = str(error.get("label", "") or "").strip()
        if _STAT.match(label) or _SYST.match(label):
            parts = column.stat if _STAT.match(label) else column.syst
            if not parts:
                parts += [np.zeros(n), np.zeros(n), False]
            parts[0][j] += plus * plus
            parts[1][j] += minus * minus
            parts[2] = parts[2] or abs(plus) != abs(minus)
            return
        name = re.sub(r"\s+", " ", label.replace("/", "_"))[:240] or "uncertainty"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} {seen[name]}"
        shift = column.shifts.setdefault(name, [np.zeros(n), np.zeros(n)])
        shift[0][j], shift[1][j] = plus, minus

    def amount(self, raw: Any, value: float, path: Where) -> float:
        """An uncertainty: a number, a numeric string, or a percentage of ``|value|``."""
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            if not math.isfinite(raw):
                raise self.fail(path, f"expected a finite number, got {raw}")
            return float(raw)
        if isinstance(raw, str):
            text = raw.strip()
            if not text:
                return 0.0
            number = _float(text[:-1] if text.endswith("%") else text)
            if number is not None:
                return number * abs(value) / 100 if text.endswith("%") else number
        raise self.fail(path, f"expected a number or a percentage like '5%', got {raw!r}")


def _yield(column: _Column, order: list[int | None]) -> Yield:
    """The column's arrays in bin order (gaps: missing); NaN values carry NaN uncertainties."""
    picks = np.array([-1 if row is None else row for row in order], dtype=np.intp)

    def arrange(array: Any) -> Any:
        result = np.asarray(array, dtype=np.float64)[picks]
        result[picks < 0] = np.nan
        return result

    values = arrange(column.values)
    missing = np.isnan(values)

    def uncertainty(parts: list[Any]) -> Any:
        if not parts:
            return UNSET
        up, down = np.sqrt(arrange(parts[0])), np.sqrt(arrange(parts[1]))
        up[missing], down[missing] = np.nan, np.nan
        return Asymmetric(up=up, down=down) if parts[2] else up

    variations = {
        name: Variation(up=values + arrange(plus), down=values + arrange(minus))
        for name, (plus, minus) in column.shifts.items()
    }
    return Yield(
        values=values,
        stat=uncertainty(column.stat),
        syst=uncertainty(column.syst),
        variations=variations,
    )


def _unique_name(base: str, taken: set[str]) -> str:
    name = re.sub(r"\s+", " ", base.replace("/", "_")).strip()[:240] or "yield"
    candidate, k = name, 1
    while candidate in taken:
        k += 1
        candidate = f"{name} {k}"
    return candidate


def _float(value: Any) -> float | None:
    """A finite number from a number or numeric string; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _energy(value: float, unit: str) -> Energy:
    if unit == "GeV" and value >= 1000:
        return Energy(value=float(Decimal(repr(value)) / 1000), unit="TeV")
    return Energy(value=value, unit="TeV" if unit == "TeV" else "GeV")


def _lumi_unit(units: str) -> str | None:
    text = re.sub(r"[\s${}^()]", "", units).lower()
    match = re.fullmatch(r"(?:1/([npfa])b|([npfa])b-1)", text)
    return f"{match.group(1) or match.group(2)}b-1" if match else None


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", str: "a string", list: "a list", dict: "a mapping"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )
