"""ROOT files <-> histfmt, through uproot (no PyROOT needed).

Reading: every 1-D histogram (``TH1C/S/I/L/F/D``) of the file's top directory, of
``directory``, or only the keys in ``names``, becomes a yield named after its key.
The numbers are taken straight from the stored arrays (``fArray``, ``fSumw2``,
``fXaxis``) rather than through ``to_hist()``, so nothing is converted twice and
nothing is lost: the flow bins are kept (``x.underflow`` and ``x.overflow`` are
always true), fixed binning gives ``kind: "regular"`` with the edges
``numpy.linspace(fXmin, fXmax, n + 1)`` (what uproot and ROOT compute), variable
binning the stored ``fXbins`` exactly; ``fSumw2`` gives ``variances`` and storage
``weight``; without ``fSumw2`` an integer histogram has storage ``int`` and a
floating-point one storage ``double`` with variances equal to the values (ROOT's
``sqrt(N)`` errors).  The histogram title is the yield ``label``, the x-axis title
``x.label``.  A histogram with a label on every bin becomes a categorical axis (its
underflow bin must be empty; the overflow bin is kept).  All histograms must share
the binning.  Other objects, sub-directories, profiles and 2-D/3-D histograms are
skipped and listed in ``metadata.extra["root_skipped"]`` (key: reason).  The
document stacks every yield (filled), except a yield named like data (``data``,
``Data``, ``data_obs``), drawn as points over it with a data / prediction ratio.

Writing: every yield becomes a ``TH1D`` whose key is the yield name with the
characters ROOT keys cannot safely hold (whitespace, control characters,
``/ ; : \\``) replaced by ``_`` (``_2``, ``_3``... added if two names clash); the
title is the yield label, the x-axis title ``x.label``, and ``fSumw2`` holds
``variances`` (else ``stat`` squared, the larger side of an asymmetric one; a
``double`` yield whose variances equal its values, and a yield without either,
is written without ``fSumw2``, as ROOT does for unweighted fills).  Declared flow
bins go into ROOT's flow bins, undeclared ones are 0.  A categorical axis becomes
bins 0..n with bin labels (integer categories as text).  Each side of a variation
``VAR`` of yield ``name`` is written as ``name__VAR__up`` / ``name__VAR__down``
(values only), the naming the reader recognises.  When the keys alone would not
read back as the same names, a ``TObjString`` ``histfmt_names`` holds the mapping
as JSON, ``{key: "name"}`` or ``{key: "name/VAR/up"}``.  Stacks, styles and the
other drawing information have no ROOT counterpart and are not written.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Literal

import numpy as np
from msgspec import UNSET, UnsetType

from histfmt.convert.interface import Source, one_plot_book, only_plot, source_name
from histfmt.errors import HistfmtError
from histfmt.model import FORMAT_VERSION, Axis, Book, Document, Metadata, Variation, Yield

__all__ = ["NAMES_KEY", "read", "read_book", "sniff", "write", "write_book"]

NAMES_KEY = "histfmt_names"
"""Key of the ``TObjString`` mapping ROOT keys to yield names, when one is needed."""

_DATA_NAMES = ("data", "data_obs")  # compared case-insensitively
_TH1 = re.compile(r"TH1[CSILFD]")
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f/;:\\]")
_SIDES = ("up", "down")
Role = tuple[str, str | None, str | None]  # (yield, variation, side)


def sniff(head: bytes, name: str) -> bool:
    """A ROOT file starts with the bytes ``root``."""
    return head.startswith(b"root")


def _uproot() -> Any:
    try:
        import uproot
    except ImportError:
        raise HistfmtError(
            "ROOT files need uproot installed: pip install 'histfmt[root]'"
        ) from None
    return uproot


# -- reading -----------------------------------------------------------------------


def read(
    source: Source,
    /,
    *,
    name: str | None = None,
    names: list[str] | None = None,
    directory: str | None = None,
) -> Document:
    """The 1-D histograms of a ROOT file (or of ``directory``, or ``names``) as yields.

    From bytes, uproot reads an in-memory buffer.
    """
    uproot = _uproot()
    filename = name or ("<bytes>" if isinstance(source, bytes) else os.fspath(source))
    opened: io.BytesIO | Path
    if isinstance(source, bytes):
        head, opened = source[:4], io.BytesIO(source)
    else:
        opened = Path(source)
        try:
            with opened.open("rb") as stream:
                head = stream.read(4)
        except OSError as error:
            reason = error.strerror or error
            raise HistfmtError(f"cannot read: {reason}", filename=filename) from None
    if not sniff(head, filename):
        raise HistfmtError("not a ROOT file (it does not start with 'root')", filename=filename)
    try:
        with uproot.open(opened) as file:
            folder = file
            if directory:
                folder = file.get(directory.strip("/"))  # None when missing
                if not isinstance(folder, uproot.ReadOnlyDirectory):
                    raise HistfmtError(f"no directory {directory!r} in the file")
            doc = _read_folder(folder, names, (directory or "").strip("/"))
    except HistfmtError as error:
        error.filename = error.filename or filename
        raise
    except Exception as error:  # uproot raises many kinds on a damaged file
        raise HistfmtError(
            f"cannot read the ROOT file: {type(error).__name__}: {' '.join(str(error).split())}",
            filename=filename,
        ) from None
    from histfmt.io import validate

    return validate(doc, filename=filename)


def _read_folder(folder: Any, names: list[str] | None, where: str) -> Document:
    latest: dict[str, tuple[int, str]] = {}  # name -> (cycle, class), highest cycle wins
    for key, classname in folder.classnames(recursive=False, cycle=True).items():
        name, _, cycle = key.rpartition(";")
        if name not in latest or int(cycle) > latest[name][0]:
            latest[name] = (int(cycle), classname)
    classes = {name: classname for name, (_, classname) in latest.items()}
    mapping: dict[str, str] = {}
    if classes.get(NAMES_KEY) == "TObjString":
        mapping = _parse_mapping(str(folder[NAMES_KEY]))
        del classes[NAMES_KEY]
    histograms = [name for name, classname in classes.items() if _TH1.fullmatch(classname)]
    for name in names or []:
        if name not in classes:
            raise HistfmtError(f"no object {name!r} here (have: {', '.join(classes) or 'none'})")
        if name not in histograms:
            raise HistfmtError(f"{name!r} is a {classes[name]}, not a 1-D histogram")
    skipped = {
        name: _skip_reason(classname, f"{where}/{name}".lstrip("/"))
        for name, classname in classes.items()
        if name not in histograms and (names is None or name in names)
    }
    roles = _interpret(histograms, mapping)
    chosen = [key for key in histograms if names is None or key in names]
    bases = {roles[key][0]: key for key in chosen if roles[key][1] is None}
    yields: dict[str, Yield] = {}
    axis: Axis | None = None
    first = ""
    for key in chosen:
        name, variation, _ = roles[key]
        if variation is not None and name in bases:
            continue  # read with its yield below
        if variation is not None:
            name = key  # a variation histogram asked for without its nominal one
        this_axis, yields[name] = _th1(folder[key], key)
        if axis is None:
            axis, first = this_axis, key
        elif not axis.same_binning(this_axis, flow=False):
            raise HistfmtError(f"histogram {key!r} has a different binning from {first!r}")
    if axis is None:
        listed = "; ".join(f"{name}: {reason}" for name, reason in skipped.items())
        raise HistfmtError(f"no 1-D histogram to read ({listed or 'the directory is empty'})")
    for key in histograms:
        name, variation, side = roles[key]
        if variation is None or side is None or name not in bases:
            continue
        varied_axis, varied = _th1(folder[key], key)
        if not axis.same_binning(varied_axis, flow=False):
            raise HistfmtError(f"histogram {key!r} has a different binning from {first!r}")
        entry = yields[name].variations.setdefault(variation, Variation())
        setattr(entry, side, varied.values)
    return _draw(Document(histfmt=FORMAT_VERSION, x=axis, yields=yields), skipped)


def _skip_reason(classname: str, path: str) -> str:
    if classname.startswith(("TH2", "TH3")):
        return f"{classname}: a {classname[2]}-D histogram; only 1-D histograms become yields"
    if classname.startswith("TProfile"):
        return f"{classname}: a profile, not a histogram of counts"
    if classname.startswith("TDirectory"):
        return f"{classname}: a directory; read it with directory={path!r}"
    return f"{classname}: not a 1-D histogram"


def _parse_mapping(text: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _interpret(keys: list[str], mapping: dict[str, str]) -> dict[str, Role]:
    """What each histogram key stands for: a yield, or one side of a variation of one."""
    roles: dict[str, Role] = {}
    pending = []
    for key in keys:
        parts = mapping.get(key, "").split("/")
        if len(parts) == 1 and parts[0]:
            roles[key] = (parts[0], None, None)
        elif len(parts) == 3 and all(parts) and parts[2] in _SIDES:
            roles[key] = (parts[0], parts[1], parts[2])
        elif key.endswith(("__up", "__down")):
            pending.append(key)
        else:
            roles[key] = (key, None, None)
    nominal = {key for key, role in roles.items() if role[1] is None}
    for key in pending:
        rest, _, side = key.rpartition("__")
        splits = [m.start() for m in re.finditer("(?=__)", rest)]
        found = [i for i in splits if rest[:i] in nominal and len(rest) > i + 2]
        if found:
            i = max(found)  # the longest matching base name
            roles[key] = (roles[rest[:i]][0], rest[i + 2 :], side)
        else:
            roles[key] = (key, None, None)
    return roles


def _th1(histogram: Any, key: str) -> tuple[Axis, Yield]:
    """One TH1 as an axis and a yield, from its stored arrays."""
    raw = np.asarray(histogram.values(flow=True))
    values = raw.astype(np.float64)
    sumw2 = histogram.member("fSumw2", none_if_missing=True)
    variances: Any = UNSET
    storage: Literal["int", "double", "weight"]
    if sumw2 is not None and len(sumw2) == len(values):
        variances, storage = np.asarray(sumw2, dtype=np.float64), "weight"
    elif raw.dtype.kind in "iu":
        storage = "int"
    else:  # ROOT: the error is sqrt(|content|)
        variances = np.abs(values)
        same = np.array_equal(variances, values, equal_nan=True)
        storage = "double" if same else "weight"
    taxis = histogram.member("fXaxis")
    title = str(taxis.member("fTitle"))
    common: dict[str, Any] = {"overflow": True, "label": title or UNSET}
    categories = _categories(taxis)
    if categories is not None:
        if values[0] != 0 or (not isinstance(variances, UnsetType) and variances[0] != 0):
            raise HistfmtError(
                f"histogram {key!r} has bin labels and a non-empty underflow bin, "
                "which a categorical axis cannot hold"
            )
        values = values[1:]
        variances = variances if isinstance(variances, UnsetType) else variances[1:]
        axis = Axis(categories=list(categories), kind="category", **common)
    else:
        kind: Literal["regular", "variable"]
        n, fxbins = int(taxis.member("fNbins")), taxis.member("fXbins")
        if len(fxbins) == n + 1:
            edges, kind = np.asarray(fxbins, dtype=np.float64), "variable"
        else:
            xmin, xmax = float(taxis.member("fXmin")), float(taxis.member("fXmax"))
            edges, kind = np.linspace(xmin, xmax, n + 1), "regular"
        axis = Axis(edges=edges, kind=kind, underflow=True, **common)
    label = str(histogram.member("fTitle"))
    item = Yield(values=values, variances=variances, storage=storage, label=label or UNSET)
    return axis, item


def _categories(taxis: Any) -> list[str] | None:
    """Bin labels in bin order, when every bin has one (ROOT keeps the bin in fUniqueID)."""
    labels = taxis.member("fLabels", none_if_missing=True)
    n = int(taxis.member("fNbins"))
    if labels is None or len(labels) != n:
        return None
    by_bin = {int(label.member("@fUniqueID")): str(label) for label in labels}
    if sorted(by_bin) == list(range(1, n + 1)):
        return [by_bin[i] for i in range(1, n + 1)]
    return [str(label) for label in labels]  # written without bin numbers: list order


def _draw(doc: Document, skipped: dict[str, str]) -> Document:
    """The default drawing: a filled stack, data as points with a ratio."""
    data = next((name for name in doc.yields if name.lower() in _DATA_NAMES), None)
    model = [name for name in doc.yields if name != data]
    varied = any(doc.yields[name].variations for name in model)
    band: Literal["stat+env", "stat"] = "stat+env" if varied else "stat"
    if model:
        doc.add_stack([*model], error=band)
    if data is not None:
        item = doc.yields[data]
        values = np.asarray(item.values)
        counts = bool(np.array_equal(values, np.round(values))) and (
            isinstance(item.variances, UnsetType) or np.array_equal(item.variances, values)
        )
        error: Literal["poisson", "stat"] = "poisson" if counts else "stat"
        label = item.label if isinstance(item.label, str) else "Data"
        doc.add_stack([(data, label)], type="points", error=error)
        if model:
            doc.add_ratio(data, model, error=error, den_error=band)
    if skipped:
        doc.metadata = Metadata(extra={"root_skipped": skipped})
    return doc


# -- writing -----------------------------------------------------------------------


def write(doc: Document, path: str | os.PathLike[str], /) -> None:
    """Every yield (and each side of its variations) as a TH1D, atomically."""
    uproot = _uproot()
    from histfmt.io import validate

    path = Path(path)
    validate(doc)
    taken = {NAMES_KEY}
    refs: dict[str, str] = {}  # key -> "name" or "name/VAR/up"
    objects: dict[str, Any] = {}
    for name, item in doc.yields.items():
        title = item.label if isinstance(item.label, str) else ""
        key = _unique_key(name, taken)
        refs[key] = name
        objects[key] = _to_th1(doc.x, title, item.values, _sumw2(item))
    for name, item in doc.yields.items():
        base = next(key for key, ref in refs.items() if ref == name)
        for variation, entry in item.variations.items():
            for side in _SIDES:
                varied = getattr(entry, side)
                if isinstance(varied, UnsetType):
                    continue
                key = _unique_key(f"{base}__{variation}__{side}", taken)
                refs[key] = f"{name}/{variation}/{side}"
                title = f"{item.label if isinstance(item.label, str) else name}: {variation} {side}"
                objects[key] = _to_th1(doc.x, title, varied, None)
    expected = {
        key: "/".join(p for p in role if p) for key, role in _interpret(list(refs), {}).items()
    }
    if expected != refs:
        objects[NAMES_KEY] = json.dumps(refs, ensure_ascii=True)
    _atomic_root(uproot, path, objects)


def _unique_key(text: str, taken: set[str]) -> str:
    key = candidate = _UNSAFE.sub("_", text)
    number = 1
    while candidate in taken:
        number += 1
        candidate = f"{key}_{number}"
    taken.add(candidate)
    return candidate


def _sumw2(item: Yield) -> Any:
    """fSumw2 for a yield, or None where ROOT's default sqrt(N) says the same."""
    if not isinstance(item.variances, UnsetType):
        variances = np.asarray(item.variances, dtype=np.float64)
        if item.storage == "double" and np.array_equal(variances, item.values, equal_nan=True):
            return None
        return variances
    stat = item.stat
    if isinstance(stat, UnsetType):
        return None
    if not isinstance(stat, np.ndarray):  # asymmetric: ROOT keeps one error; the larger side
        stat = np.maximum(np.asarray(stat.up), np.asarray(stat.down))
    return np.square(np.asarray(stat, dtype=np.float64))


def _to_th1(x: Axis, title: str, values: Any, sumw2: Any) -> Any:
    from uproot.writing.identify import to_TAxis, to_TH1x, to_THashList, to_TObjString

    n = x.n_bins
    start = 0 if x.underflow else 1

    def full(array: Any) -> Any:
        out = np.zeros(n + 2, dtype=np.float64)
        out[start : start + x.n_values] = np.asarray(array, dtype=np.float64)
        return out

    data = full(values)
    labels = None
    if not isinstance(x.categories, UnsetType):
        edges = np.arange(n + 1, dtype=np.float64)
        fxbins = None
        labels = to_THashList([to_TObjString(str(c)) for c in x.categories])
        for number, label in enumerate(labels, start=1):
            label._bases[0]._members["@fUniqueID"] = number  # the bin, as TAxis::SetBinLabel
    else:
        edges = np.asarray(x.edges, dtype=np.float64)
        regular = np.array_equal(edges, np.linspace(edges[0], edges[-1], n + 1))
        fxbins = None if regular else edges
    taxis = to_TAxis(
        fName="xaxis",
        fTitle=x.label if isinstance(x.label, str) else "",
        fNbins=n,
        fXmin=float(edges[0]),
        fXmax=float(edges[-1]),
        fXbins=fxbins,
        fLabels=labels,
    )
    weights = data[1:-1]
    squares = weights if sumw2 is None else full(sumw2)[1:-1]
    centers = (edges[:-1] + edges[1:]) / 2
    return to_TH1x(
        fName=None,
        fTitle=title,
        data=data,
        fEntries=float(np.nansum(data)),
        fTsumw=float(np.nansum(weights)),
        fTsumw2=float(np.nansum(squares)),
        fTsumwx=float(np.nansum(weights * centers)),
        fTsumwx2=float(np.nansum(weights * centers**2)),
        fSumw2=None if sumw2 is None else full(sumw2),
        fXaxis=taxis,
    )


def _atomic_root(uproot: Any, path: Path, objects: dict[str, Any]) -> None:
    """Write ``objects`` to a temporary ROOT file beside ``path``, then rename it over."""
    directory = path.parent if str(path.parent) else Path()
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise HistfmtError(f"cannot write: {exc.strerror or exc}", filename=str(path)) from None
    os.close(handle)
    temporary = Path(name)
    try:
        with uproot.recreate(temporary) as out:
            for key, value in objects.items():
                out[key] = value
        with temporary.open("rb+") as stream:
            os.fsync(stream.fileno())
        if path.exists():
            temporary.chmod(path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            temporary.chmod(0o666 & ~umask)
        temporary.replace(path)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise HistfmtError(f"cannot write: {exc.strerror or exc}", filename=str(path)) from None
        raise


def read_book(source: Source, /, *, name: str | None = None) -> Book:
    """The input as a book of one plot."""
    return one_plot_book(read(source, name=name), source_name(source, name))


def write_book(book: Book, path: str | os.PathLike[str], /) -> None:
    """A book of one plot, written as by :func:`write`; several plots are refused."""
    write(only_plot(book, os.fspath(path)), path)
