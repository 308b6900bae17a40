"""Writing documents and books as ROOT files (uproot), atomically."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from msgspec import UnsetType

from histfmt.convert.root.files import uproot_module
from histfmt.convert.root.reading import (
    NAMES_KEY,
    NOTES,
    PATHS_KEY,
    PLOT_KEY,
    SIDES,
    SKIPPED_KEY,
    interpret,
)
from histfmt.errors import HistfmtError
from histfmt.model import Axis, Book, Document, Yield

__all__ = ["write", "write_book"]

_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f/;:\\]")  # yield names as keys
_UNSAFE_PATH = re.compile(r"[\x00-\x1f\x7f;:\\]")  # parts of plot paths (spaces are fine)


def _unique(text: str, taken: set[str], pattern: re.Pattern[str] = _UNSAFE) -> str:
    key = candidate = pattern.sub("_", text) or "_"
    number = 1
    while candidate in taken:
        number += 1
        candidate = f"{key}_{number}"
    taken.add(candidate)
    return candidate


class _Folder:
    """The objects of one directory of the file being written, and its names mapping."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.taken: set[str] = set(NOTES)
        self.objects: dict[str, Any] = {}
        self.refs: dict[str, str] = {}  # key of a histogram -> "name" or "name/VAR/up"
        self.folders: dict[str, _Folder] = {}

    def folder(self, name: str) -> tuple[str, _Folder]:
        """The sub-directory ``name`` (made unique among this directory's keys)."""
        for key, sub in self.folders.items():
            if sub.name == name:
                return key, sub
        key = _unique(name, self.taken, _UNSAFE_PATH)
        sub = self.folders[key] = _Folder(name)
        return key, sub

    def flat(self, prefix: str = "") -> dict[str, Any]:
        """Every object with its path in the file, names mappings included."""
        out = {f"{prefix}{key}": value for key, value in self.objects.items()}
        expected = {
            key: "/".join(p for p in role if p)
            for key, role in interpret(list(self.refs), {}).items()
        }
        if expected != self.refs:
            out[f"{prefix}{NAMES_KEY}"] = json.dumps(self.refs, ensure_ascii=True)
        for key, sub in self.folders.items():
            out.update(sub.flat(f"{prefix}{key}/"))
        return out


def _add_yields(
    folder: _Folder, doc: Document, names: dict[str, str], where: str, skipped: dict[str, str]
) -> None:
    """Each yield of ``doc`` under the key ``names[yield]`` (asked for) in ``folder``,
    each side of its variations beside it; what ROOT cannot hold goes to ``skipped``."""
    keys: dict[str, str] = {}
    for name, item in doc.yields.items():
        here = f"{where}/{name}" if where else name
        if item.kind == "efficiency":
            skipped[here] = "an efficiency: histfmt does not write TEfficiency"
            continue
        key = _unique(names.get(name, name), folder.taken)
        keys[name] = key
        folder.refs[key] = name
        title = item.label if isinstance(item.label, str) else ""
        folder.objects[key] = _histogram(doc, item, item.values, title, full=True)
    for name, key in keys.items():
        item = doc.yields[name]
        for variation, entry in item.variations.items():
            for side in SIDES:
                varied = getattr(entry, side)
                if isinstance(varied, UnsetType):
                    continue
                side_key = _unique(f"{key}__{variation}__{side}", folder.taken)
                folder.refs[side_key] = f"{name}/{variation}/{side}"
                title = f"{_title(item, name)}: {variation} {side}"
                folder.objects[side_key] = _histogram(doc, item, varied, title, full=False)
    if doc.graphs:
        skipped[where or "graphs"] = (
            f"{len(doc.graphs)} graph(s) not written: uproot cannot write TGraphAsymmErrors"
        )


def _title(item: Yield, name: str) -> str:
    return item.label if isinstance(item.label, str) else name


def _notes(out: dict[str, Any], skipped: dict[str, str], paths: dict[str, str]) -> None:
    if skipped:
        out[SKIPPED_KEY] = json.dumps(skipped, ensure_ascii=True)
    if paths:
        out[PATHS_KEY] = json.dumps(paths, ensure_ascii=True)


def write(doc: Document, path: str | os.PathLike[str], /) -> None:
    """Every yield (and each side of its variations) as a histogram in the top
    directory, atomically: TH1D, TH2D, TProfile or TProfile2D; several yields are
    marked ``histfmt_plot``, so that the file reads back as one plot."""
    uproot = uproot_module()
    from histfmt.io import validate

    validate(doc)
    folder = _Folder()
    skipped: dict[str, str] = {}
    if len(doc.yields) > 1:  # read back as one plot, not a book of one per histogram
        folder.objects[PLOT_KEY] = "histfmt: one plot of several yields"
    _add_yields(folder, doc, {}, "", skipped)
    out = folder.flat()
    _notes(out, skipped, {})
    _atomic_root(uproot, Path(path), out)


def write_book(book: Book, path: str | os.PathLike[str], /) -> None:
    """Every plot of ``book`` at its path (``dir/sub/name``: directories, then the key),
    atomically: a plot of one yield as one histogram (its variations beside it); a plot
    of several yields as a directory of them, marked ``histfmt_plot``."""
    uproot = uproot_module()
    from histfmt.io import validate

    validate(book)
    top = _Folder()
    skipped: dict[str, str] = {}
    paths: dict[str, str] = {}
    for plot_path, doc in book.plots.items():
        parts = plot_path.split("/")
        folder, written = top, []
        for part in parts[:-1]:
            key, folder = folder.folder(part)
            written.append(key)
        last = parts[-1]
        if len(doc.yields) == 1:
            (name,) = doc.yields
            before = set(folder.objects)
            _add_yields(folder, doc, {name: last}, plot_path, skipped)
            added = [key for key in folder.objects if key not in before]
            if added:
                written.append(added[0])
        elif doc.yields:
            key, sub = folder.folder(last)
            written.append(key)
            sub.objects[PLOT_KEY] = "histfmt: one plot of several yields"
            _add_yields(sub, doc, {}, plot_path, skipped)
        else:
            skipped[plot_path] = (
                f"{len(doc.graphs)} graph(s) not written: uproot cannot write TGraphAsymmErrors"
                if doc.graphs
                else "an empty plot"
            )
            continue
        root_path = "/".join(written)
        if len(written) == len(parts) and root_path != plot_path:
            paths[root_path] = plot_path
    out = top.flat()
    _notes(out, skipped, paths)
    _atomic_root(uproot, Path(path), out)


# -- histograms ----------------------------------------------------------------------------


def _sumw2(item: Yield) -> Any:
    """fSumw2 for a count yield, or None where ROOT's default sqrt(N) says the same."""
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


def _full(axes: list[Axis], array: Any) -> Any:
    """``array`` with every ROOT flow bin (0 where the document declares none), NaN as 0."""
    shape = tuple(axis.n_bins + 2 for axis in axes)
    out = np.zeros(shape, dtype=np.float64)
    where = tuple(
        slice(0 if axis.underflow else 1, (0 if axis.underflow else 1) + axis.n_values)
        for axis in axes
    )
    out[where] = np.nan_to_num(np.asarray(array, dtype=np.float64), nan=0.0)
    return out


def _taxis(axis: Axis, name: str) -> Any:
    from uproot.writing.identify import to_TAxis, to_THashList, to_TObjString

    n = axis.n_bins
    labels = None
    texts = axis.categories if not isinstance(axis.categories, UnsetType) else axis.labels
    if not isinstance(axis.categories, UnsetType):
        edges = np.arange(n + 1, dtype=np.float64)
        fxbins = None
    else:
        edges = np.asarray(axis.edges, dtype=np.float64)
        regular = np.array_equal(edges, np.linspace(edges[0], edges[-1], n + 1))
        fxbins = None if regular else edges
    if not isinstance(texts, UnsetType):
        labels = to_THashList([to_TObjString(str(text)) for text in texts])
        for number, label in enumerate(labels, start=1):
            label._bases[0]._members["@fUniqueID"] = number  # the bin, as TAxis::SetBinLabel
    return to_TAxis(
        fName=name,
        fTitle=axis.label if isinstance(axis.label, str) else "",
        fNbins=n,
        fXmin=float(edges[0]),
        fXmax=float(edges[-1]),
        fXbins=fxbins,
        fLabels=labels,
    )


def _centres(axis: Axis) -> Any:
    if not isinstance(axis.categories, UnsetType):
        return np.arange(axis.n_bins, dtype=np.float64) + 0.5
    edges = np.asarray(axis.edges, dtype=np.float64)
    return (edges[:-1] + edges[1:]) / 2


def _flat(array: Any) -> Any:
    """A ``[x][y]`` array in ROOT's order (x fastest)."""
    return np.ascontiguousarray(np.asarray(array).T).reshape(-1)


def _histogram(doc: Document, item: Yield, values: Any, title: str, *, full: bool) -> Any:
    """One yield (or one side of a variation, values only) as a ROOT histogram."""
    axes = [doc.x] if isinstance(doc.y, UnsetType) else [doc.x, doc.y]
    if item.kind == "mean" and full:
        return _profile(axes, item, title)
    data = _full(axes, values)
    sumw2 = _sumw2(item) if full else None
    squares = data if sumw2 is None else _full(axes, sumw2)
    taxes = [_taxis(axis, name) for axis, name in zip(axes, ("xaxis", "yaxis"), strict=False)]
    inner = data[(slice(1, -1),) * len(axes)]
    inner_squares = squares[(slice(1, -1),) * len(axes)]
    cx = _centres(axes[0])
    if len(axes) == 1:
        from uproot.writing.identify import to_TH1x

        return to_TH1x(
            fName=None,
            fTitle=title,
            data=data,
            fEntries=float(np.sum(data)),
            fTsumw=float(np.sum(inner)),
            fTsumw2=float(np.sum(inner_squares)),
            fTsumwx=float(np.sum(inner * cx)),
            fTsumwx2=float(np.sum(inner * cx**2)),
            fSumw2=None if sumw2 is None else squares,
            fXaxis=taxes[0],
        )
    from uproot.writing.identify import to_TH2x

    cy = _centres(axes[1])
    return to_TH2x(
        fName=None,
        fTitle=title,
        data=_flat(data),
        fEntries=float(np.sum(data)),
        fTsumw=float(np.sum(inner)),
        fTsumw2=float(np.sum(inner_squares)),
        fTsumwx=float(np.sum(inner * cx[:, None])),
        fTsumwx2=float(np.sum(inner * cx[:, None] ** 2)),
        fTsumwy=float(np.sum(inner * cy[None, :])),
        fTsumwy2=float(np.sum(inner * cy[None, :] ** 2)),
        fTsumwxy=float(np.sum(inner * cx[:, None] * cy[None, :])),
        fSumw2=None if sumw2 is None else _flat(squares),
        fXaxis=taxes[0],
        fYaxis=taxes[1],
    )


def _profile(axes: list[Axis], item: Yield, title: str) -> Any:
    """A yield of kind mean as a TProfile (TProfile2D): ``fBinEntries`` from the sums of
    weights (or the entries), the sums of y and y² rebuilt from the means and from
    ``stat`` (the error of each mean) or else the profile's sample variance."""
    block = item.profile
    if isinstance(block, UnsetType):
        raise HistfmtError(
            "a yield of kind 'mean' needs its 'profile' (the entries) to be written as a TProfile"
        )
    entries = np.nan_to_num(np.asarray(block.entries, dtype=np.float64))
    weighted = not isinstance(block.sum_of_weights, UnsetType)
    sumw = (
        np.nan_to_num(np.asarray(block.sum_of_weights, dtype=np.float64)) if weighted else entries
    )
    means = np.nan_to_num(np.asarray(item.values, dtype=np.float64))
    stat = item.stat
    if not isinstance(stat, (UnsetType, np.ndarray)):
        stat = np.maximum(np.asarray(stat.up), np.asarray(stat.down))
    if not isinstance(stat, UnsetType):
        spread2 = np.square(np.nan_to_num(np.asarray(stat, dtype=np.float64))) * entries
        deviations = spread2 * sumw
    elif not isinstance(block.variance, UnsetType):
        if weighted and not isinstance(block.sum_of_weights_squared, UnsetType):
            sumw2 = np.asarray(block.sum_of_weights_squared, dtype=np.float64)
            with np.errstate(divide="ignore", invalid="ignore"):
                dof = np.where(sumw > 0, sumw - sumw2 / np.where(sumw > 0, sumw, 1), 0.0)
        else:
            dof = entries - 1
        deviations = np.nan_to_num(np.asarray(block.variance, dtype=np.float64)) * np.maximum(
            dof, 0.0
        )
    else:
        deviations = np.zeros_like(means)
    binsumw2: Any = np.zeros(0)
    if weighted and not isinstance(block.sum_of_weights_squared, UnsetType):
        binsumw2 = _full(axes, block.sum_of_weights_squared)
    fbinentries = _full(axes, sumw)
    data = _full(axes, sumw * means)
    fsumw2 = _full(axes, deviations + sumw * means**2)
    taxes = [_taxis(axis, name) for axis, name in zip(axes, ("xaxis", "yaxis"), strict=False)]
    inner = (slice(1, -1),) * len(axes)
    w = fbinentries[inner]
    cx = _centres(axes[0])
    total_w = float(np.sum(w))
    common = {
        "fName": None,
        "fTitle": title,
        "fEntries": float(np.sum(entries)),
        "fTsumw": total_w,
        "fTsumw2": float(np.sum(binsumw2[inner])) if binsumw2.size else total_w,
    }
    if len(axes) == 1:
        from uproot.writing.identify import to_TProfile

        return to_TProfile(
            data=data,
            fTsumwx=float(np.sum(w * cx)),
            fTsumwx2=float(np.sum(w * cx**2)),
            fTsumwy=float(np.sum(data[inner])),
            fTsumwy2=float(np.sum(fsumw2[inner])),
            fSumw2=fsumw2,
            fBinEntries=fbinentries,
            fBinSumw2=binsumw2,
            fXaxis=taxes[0],
            **common,
        )
    from uproot.writing.identify import to_TProfile2D

    cy = _centres(axes[1])
    return to_TProfile2D(
        data=_flat(data),
        fTsumwx=float(np.sum(w * cx[:, None])),
        fTsumwx2=float(np.sum(w * cx[:, None] ** 2)),
        fTsumwy=float(np.sum(w * cy[None, :])),
        fTsumwy2=float(np.sum(w * cy[None, :] ** 2)),
        fTsumwxy=float(np.sum(w * cx[:, None] * cy[None, :])),
        fTsumwz=float(np.sum(data[inner])),
        fTsumwz2=float(np.sum(fsumw2[inner])),
        fSumw2=_flat(fsumw2),
        fBinEntries=_flat(fbinentries),
        fBinSumw2=_flat(binsumw2) if binsumw2.size else binsumw2,
        fXaxis=taxes[0],
        fYaxis=taxes[1],
        **common,
    )


# -- the file ------------------------------------------------------------------------------


def _atomic_root(uproot: Any, path: Path, objects: dict[str, Any]) -> None:
    """Write ``objects`` (path in the file -> object) to a temporary ROOT file beside
    ``path``, then rename it over ``path``."""
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
