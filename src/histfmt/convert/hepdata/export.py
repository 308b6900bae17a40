"""A document as HEPData data: the submission's files, and the table as plain Python data."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from msgspec import UNSET, Struct, UnsetType
from msgspec.structs import replace

from histfmt.convert.hepdata.common import OVERFLOW_CATEGORY, SCALAR, STAT, SUBMISSION, SYST, unique
from histfmt.errors import HistfmtError, Issue, ValidationError, format_path
from histfmt.io import validate
from histfmt.model import Asymmetric, Axis, Book, Document, Energy, Graph, View
from histfmt.shown import Binning, Shown

__all__ = ["MAX_DATA_FILE", "book_to_files", "to_files", "to_table"]

MAX_DATA_FILE = 10 * 1024 * 1024
"""HEPData refuses data files above 10 MiB (schema 1.1)."""
_LUMI_UNITS = {"nb-1": "nb$^{-1}$", "pb-1": "pb$^{-1}$", "fb-1": "fb$^{-1}$", "ab-1": "ab$^{-1}$"}
_RANGE = re.compile(r"^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?\s*-\s*[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$")


def to_files(
    doc: Document,
    *,
    flow: bool = False,
    raw: bool = False,
    drawn: bool = False,
    filename: str | None = None,
) -> dict[str, bytes]:
    """The submission's files by name: ``submission.yaml`` and the table's data file;
    with ``drawn``, the numbers as the figure draws them (see :func:`to_table`)."""
    validate(doc, filename=filename)
    meta = doc.metadata
    title = _text(meta.title)
    name = title if 0 < len(title) <= 64 else _text(meta.filename)
    if not 0 < len(name) <= 64:
        name = (title[:63] + "…") if title else "Table 1"
    record = {"comment": _text(meta.description) or title}
    return _submission(
        record, [(name, doc, ())], flow=flow, raw=raw, drawn=drawn, filename=filename
    )


def book_to_files(
    book: Book,
    *,
    flow: bool = False,
    raw: bool = False,
    drawn: bool = False,
    filename: str | None = None,
) -> dict[str, bytes]:
    """A book's submission files: one table per plot, named by the plot's path (cut to
    HEPData's 64 characters, kept unique), in the book's order."""
    validate(book, filename=filename)
    if not book.plots:
        raise HistfmtError("nothing to export: the book has no plots", filename=filename)
    tables: list[tuple[str, Document, tuple[str, ...]]] = []
    taken: set[str] = set()
    for path, doc in book.plots.items():
        base = path if len(path) <= 64 else path[:63] + "…"
        name, k = base, 1
        while name in taken:
            k += 1
            suffix = f" ({k})"
            name = base[: 64 - len(suffix)] + suffix
        taken.add(name)
        tables.append((name, doc, ("plots", path)))
    meta = book.metadata
    record = {"comment": _text(meta.description) or _text(meta.title) or "Exported by histfmt."}
    from histfmt.convert.hepdata.covariance import correlation_table

    found = correlation_table(book)
    extra = [] if found is None else [("Fit: parameter correlations", "fit_correlation", *found)]
    return _submission(
        record, tables, flow=flow, raw=raw, drawn=drawn, filename=filename, extra=extra
    )


def _submission(
    record: dict[str, Any],
    tables: list[tuple[str, Document, tuple[str, ...]]],
    *,
    flow: bool,
    raw: bool,
    drawn: bool,
    filename: str | None,
    extra: list[tuple[str, str, dict[str, Any], str]] | None = None,
) -> dict[str, bytes]:
    """``submission.yaml`` (``record``, then one entry per table) and the data files;
    ``tables`` holds (name, document, where the document is, for messages); after each
    document's table come its covariance tables, and last the ``extra`` tables (name,
    file stem, content, description)."""
    import yaml

    from histfmt.convert.hepdata.covariance import covariance_tables

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    options: dict[str, Any] = {"Dumper": dumper, "sort_keys": False, "allow_unicode": True}
    entries: list[dict[str, Any]] = []
    files: dict[str, bytes] = {}
    names = {name for name, _, _ in tables}
    for name, doc, where in tables:

        def refuse(message: str, where: tuple[str, ...] = where) -> HistfmtError:
            if where:
                return ValidationError.at(where, message, filename=filename)
            return HistfmtError(message, filename=filename)

        if not doc.yields and not doc.graphs:
            raise refuse("nothing to export: the document has no yields or graphs")
        cells = _cell_count(doc, raw, flow and not drawn)
        if cells * 16 > _max_data_file():  # at least "- {value: 1.0}\n" each: refuse early
            raise refuse(_too_large(f"at least {cells * 16}"))
        meta = doc.metadata
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", _text(meta.filename) or name).strip("._")
        stem = "table" if not stem or stem.lower() == "submission" else stem
        data_file, k = stem + ".yaml", 1
        while data_file in files or data_file == SUBMISSION:
            k += 1
            data_file = f"{stem}_{k}.yaml"
        entry = _entry(name, doc, data_file, drawn)
        entries.append(entry)
        try:
            content = to_table(doc, flow=flow, raw=raw, drawn=drawn)
        except ValidationError as exc:  # a place in the document: under the plot's path
            prefix = format_path(where) if where else ""
            issues = [Issue(_joined(prefix, issue.path), issue.message) for issue in exc.issues]
            raise ValidationError(issues, filename=filename) from None
        table = yaml.dump(content, default_flow_style=None, **options)
        data = table.encode("utf-8")
        if len(data) > _max_data_file():
            raise refuse(_too_large(str(len(data))))
        files[data_file] = data
        for found in covariance_tables(doc, name, flow=flow, drawn=drawn):
            more = f" covariance {found.stack}" if found.stack > 1 else " covariance"
            cov_name = _unique(name[: 64 - len(more)] + more, names)
            cov_file = _unique_file(data_file.removesuffix(".yaml") + "_covariance", files)
            cov_data = yaml.dump(found.content, default_flow_style=None, **options)
            if len(cov_data.encode("utf-8")) > _max_data_file():
                entry["description"] = _sentence(entry["description"]) + (
                    f" The covariance of stack {found.stack} is left out: its table would "
                    "be larger than HEPData accepts."
                )
                continue
            files[cov_file] = cov_data.encode("utf-8")
            entry["description"] = _sentence(entry["description"]) + (
                f" The covariance between bins of the total of stack {found.stack} "
                f"is table '{cov_name}'."
            )
            entries.append(_extra_entry(cov_name, found.description, cov_file))
    for name, stem, content, description in extra or []:
        extra_file = _unique_file(stem, files)
        files[extra_file] = yaml.dump(content, default_flow_style=None, **options).encode()
        entries.append(_extra_entry(_unique(name, names), description, extra_file))
    submission = yaml.dump_all([record, *entries], explicit_start=True, **options)
    return {SUBMISSION: submission.encode("utf-8"), **files}


def _unique(name: str, taken: set[str]) -> str:
    """``name`` (at most 64 characters), or with `` (2)``... when taken; now taken."""
    base, k = name if len(name) <= 64 else name[:63] + "…", 1
    found = base
    while found in taken:
        k += 1
        suffix = f" ({k})"
        found = base[: 64 - len(suffix)] + suffix
    taken.add(found)
    return found


def _unique_file(stem: str, files: dict[str, bytes]) -> str:
    """A data file name ``stem.yaml`` (``stem_2.yaml``...) not yet among ``files``."""
    found, k = stem + ".yaml", 1
    while found in files or found == SUBMISSION:
        k += 1
        found = f"{stem}_{k}.yaml"
    return found


def _sentence(text: str) -> str:
    """``text`` ending as a sentence, so that another can follow it."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _extra_entry(name: str, description: str, data_file: str) -> dict[str, Any]:
    """The submission entry of a covariance or correlation table."""
    return {"name": name, "description": description, "keywords": [], "data_file": data_file}


def _entry(name: str, doc: Document, data_file: str, drawn: bool) -> dict[str, Any]:
    """The table's document in ``submission.yaml``: name, description, keywords (√s, tags,
    observables, and those an import kept in ``metadata.extra["keywords"]``), location."""
    meta = doc.metadata
    title = _text(meta.title)
    keywords: dict[str, list[Any]] = {
        "observables": unique([_text(doc.x.name), _text(doc.x.label)]),
        "cmenergies": [] if isinstance(meta.sqrt_s, UnsetType) else [_gev(meta.sqrt_s)],
        "phrases": unique(meta.tags),
    }
    stored = meta.extra.get("keywords")
    for key, values in (stored if isinstance(stored, dict) else {}).items():
        if (
            isinstance(key, str)
            and key not in ("cmenergies", "phrases")
            and isinstance(values, list)
        ):
            keywords[key] = [v for v in values if isinstance(v, SCALAR) and not isinstance(v, bool)]
    entry: dict[str, Any] = {
        "name": name,
        "description": " ".join(
            part
            for part in (
                _text(meta.description) or title or _default_description(doc),
                _numbers_note(doc, drawn),
            )
            if part
        ),
        "keywords": [{"name": key, "values": values} for key, values in keywords.items() if values],
        "data_file": data_file,
    }
    if _text(meta.extra.get("location")):
        entry["location"] = _text(meta.extra["location"])
    return entry


def _joined(prefix: str, path: str) -> str:
    """The JSON path ``path`` of a plot, below the plot's own path ``prefix``."""
    if not prefix or path == "$":
        return prefix or path
    return prefix + (path if path.startswith("[") else "." + path)


def _default_description(doc: Document) -> str:
    if not doc.yields:
        return f"Points as a function of {_x_header(doc.x)}."
    if not isinstance(doc.y, UnsetType):
        return f"Yields in bins of {_x_header(doc.x)} and {_x_header(doc.y)}."
    return f"Yields in bins of {_x_header(doc.x)}."


def _numbers_note(doc: Document, drawn: bool) -> str:
    """What the table's numbers are when the figure draws them differently: as drawn
    (``drawn``), or as stored; nothing when the two are the same."""
    view, x = doc.view, doc.x
    choices = []
    if not isinstance(view.rebin, UnsetType):
        choices.append(f"merged into {len(view.rebin) - 1} bins")
    folded = [
        name
        for name, declared, included in (
            ("underflow", x.underflow, view.include_underflow),
            ("overflow", x.overflow, view.include_overflow),
        )
        if declared and included and isinstance(x.categories, UnsetType)
    ]
    if folded:
        choices.append(f"with the {' and '.join(folded)} in the edge bins")
    if view.density and isinstance(doc.y, UnsetType):
        choices.append("normalised to unit area")
    elif not isinstance(view.density_width, UnsetType) and isinstance(doc.y, UnsetType):
        unit = _text(x.unit)
        choices.append(
            f"per {view.density_width:g} {unit}" if unit else f"per {view.density_width:g} in x"
        )
    if not choices or not doc.yields:
        return ""
    said = ", ".join(choices)
    if drawn:
        return f"Numbers as the figure draws them ({said})."
    return f"Numbers as stored, bin by bin (the figure draws them {said})."


def _cell_count(doc: Document, raw: bool, flow: bool) -> int:
    """How many dependent values the table will hold."""
    if not doc.yields:
        return len(doc.graphs) * len({float(x) for g in doc.graphs for x in g.x})
    rows = len(_rows(doc.x, flow))
    if not isinstance(doc.y, UnsetType):
        rows *= len(_rows(doc.y, flow))
    return len(_series(doc, raw)) * rows


def _max_data_file() -> int:
    """``histfmt.convert.hepdata.MAX_DATA_FILE`` as it is now (callers may lower it)."""
    from histfmt.convert import hepdata

    return hepdata.MAX_DATA_FILE


def _too_large(size: str) -> str:
    return (
        f"the HEPData table would be {size} bytes; HEPData accepts at most "
        f"{_max_data_file()} bytes per data file (rebin, or export fewer yields)"
    )


def to_table(
    doc: Document, *, flow: bool = False, raw: bool = False, drawn: bool = False
) -> dict[str, Any]:
    """The plot as one HEPData data table (plain Python data, as written to YAML).

    A 1-D document has one independent variable; a 2-D one two, listing every cell
    (x-major: the y bins of the first x bin, then of the second...); a document of graphs
    alone one of point-like values. By default every stored bin is a row (flow bins too
    with ``flow``); with ``drawn``, the bins and numbers the figure draws: rebinned, flow
    bins folded and normalised as the document's ``view`` says (``flow`` is then unused).
    """
    if not doc.yields:
        return _graphs_table(doc)
    common = _metadata_qualifiers(doc)
    axes = doc
    if drawn:
        shown = Shown(doc)
        axes = shown.doc  # a projection's axes, when the view projects a map
        xrows = _drawn_rows(shown.binning)
        yrows = None if shown.y_binning is None else _drawn_rows(shown.y_binning)
        index = np.arange(len(xrows) * (1 if yrows is None else len(yrows)))
    else:
        xrows = _rows(doc.x, flow)
        yrows = None if isinstance(doc.y, UnsetType) else _rows(doc.y, flow)
        if isinstance(doc.y, UnsetType):
            # Every stored bin shown: the flow bins as ordinary bins, no rebinning.
            flat = replace(doc, x=Axis(edges=np.arange(doc.x.n_values + 1.0)), view=View())
            index = np.array([position for position, _ in xrows], dtype=np.intp)
        else:
            ny = doc.y.n_values
            flat = _flattened(doc)
            index = np.array([i * ny + j for i, _ in xrows for j, _ in yrows or []], dtype=np.intp)
        shown = Shown(flat)
    if yrows is None or isinstance(axes.y, UnsetType):
        independents = [_independent(axes.x, [value for _, value in xrows])]
    else:
        independents = [  # copies: no YAML anchors in the output
            _independent(axes.x, [dict(x) for _, x in xrows for _ in yrows]),
            _independent(axes.y, [dict(y) for _ in xrows for _, y in yrows]),
        ]
    dependents = [_dependent(doc, shown, series, index, common) for series in _series(doc, raw)]
    return {"independent_variables": independents, "dependent_variables": dependents}


def _drawn_rows(binning: Binning) -> list[tuple[int, dict[str, Any]]]:
    """(drawn bin, independent-variable value) per drawn bin."""
    if binning.labels is not None:
        return [(i, {"value": label}) for i, label in enumerate(binning.labels)]
    edges = [float(edge) for edge in np.asarray(binning.edges, dtype=np.float64)]
    return [(i, {"low": edges[i], "high": edges[i + 1]}) for i in range(len(edges) - 1)]


def _independent(axis: Axis, values: list[dict[str, Any]]) -> dict[str, Any]:
    variable: dict[str, Any] = {"header": {"name": _x_header(axis)}}
    if _text(axis.unit) and isinstance(axis.categories, UnsetType):
        variable["header"]["units"] = _text(axis.unit)
    variable["values"] = values
    return variable


def _flattened(doc: Document) -> Document:
    """A 2-D document as a 1-D one of ``nx * ny`` stored bins (x-major), every per-bin
    array flattened, so that the 1-D machinery (:class:`Shown`) sums and folds it."""

    def flat(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return value.reshape(-1)
        if isinstance(value, Struct):
            return replace(
                value, **{key: flat(getattr(value, key)) for key in value.__struct_fields__}
            )
        if isinstance(value, dict):
            return {key: flat(item) for key, item in value.items()}
        return value

    n = doc.x.n_values * (1 if isinstance(doc.y, UnsetType) else doc.y.n_values)
    return replace(
        doc,
        x=Axis(edges=np.arange(n + 1.0)),
        y=UNSET,
        yields={name: flat(item) for name, item in doc.yields.items()},
        view=View(),
    )


def _graphs_table(doc: Document) -> dict[str, Any]:
    """A document of graphs alone: one point-like independent variable (the union of the
    graphs' x, sorted) and one dependent variable per graph; ``y_sources`` are labelled
    errors (``y_errors`` alone: one unlabelled error). x errors have no counterpart
    (HEPData's ``low``/``high`` would make the points bins)."""
    xs = sorted({float(x) for graph in doc.graphs for x in graph.x if math.isfinite(x)})
    row = {x: k for k, x in enumerate(xs)}
    common = _metadata_qualifiers(doc)
    info = doc.writer_info.get("hepdata", {})
    extras = info.get("graphs", []) if isinstance(info, dict) else []
    dependents = []
    for g, graph in enumerate(doc.graphs):
        extra = extras[g] if g < len(extras) and isinstance(extras[g], dict) else {}
        points: list[dict[str, Any]] = [{"value": "-"} for _ in xs]
        errors = _graph_errors(graph)
        seen: set[float] = set()
        for j, x in enumerate(np.asarray(graph.x, dtype=np.float64).tolist()):
            if not math.isfinite(x):
                continue  # a missing point
            if x in seen:
                raise ValidationError.at(
                    ("graphs", g, "x", j),
                    f"a second point at x = {x:g}: a HEPData table has one value per x",
                )
            seen.add(x)
            sizes = [(label, up[j], down[j], True) for label, up, down in errors]
            points[row[x]] = _point(float(graph.y[j]), sizes)
        header: dict[str, Any] = {"name": _text(graph.label) or f"graph {g + 1}"}
        if isinstance(extra.get("units"), str) and extra["units"]:
            header["units"] = extra["units"]
        qualifiers = [dict(q) for q in common]
        qualifiers += [q for q in extra.get("qualifiers", []) if _is_qualifier(q)]
        dependents.append({"header": header, "qualifiers": qualifiers, "values": points})
    independent = _independent(doc.x, [{"value": x} for x in xs])
    return {"independent_variables": [independent], "dependent_variables": dependents}


def _graph_errors(graph: Graph) -> list[tuple[str, list[float], list[float]]]:
    """(label, up, down) per error source of a graph; ``y_errors`` alone has no label."""
    sources: dict[str, Any] = dict(graph.y_sources)
    if not sources and not isinstance(graph.y_errors, UnsetType):
        sources = {"": graph.y_errors}
    result = []
    for label, size in sources.items():
        if isinstance(size, Asymmetric):
            up, down = (
                np.asarray(size.up, dtype=np.float64),
                np.asarray(size.down, dtype=np.float64),
            )
        else:
            up = down = np.asarray(size, dtype=np.float64)
        result.append((label, up.tolist(), down.tolist()))
    return result


@dataclass
class _Series:
    header: str
    refs: list[str]
    stack: str | None = None  # the STACK qualifier's value
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
            qualifier = f"{number} ({stack.type}, error {stack.error}"
            qualifier += ", cell text" if stack.cell_text else ""
            qualifier += ", correlated)" if stack.correlated else ")"
            result.append(_Series(header, list(item.yields), qualifier, extra))
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
    scale = np.broadcast_to(shown.normalisation(parts.values, series.refs), parts.values.shape)

    def cut(array: Any) -> Any:
        """The exported cells of a drawn array (x-major), as drawn on the y axis."""
        return (np.asarray(array) * scale).reshape(-1)[index]

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
            columns.append((label, cut(np.sqrt(up2)).tolist(), cut(np.sqrt(down2)).tolist(), True))
    for source, (up, down) in parts.shifts.items():
        label = f"sys,{source}" if STAT.match(source) or SYST.match(source) else source
        columns.append((label, cut(up).tolist(), cut(down).tolist(), False))
    values = []
    for j, value in enumerate(cut(parts.values).tolist()):
        values.append(
            _point(value, [(label, up[j], down[j], size) for label, up, down, size in columns])
        )
    header: dict[str, Any] = {"name": series.header}
    if isinstance(series.extra.get("units"), str):
        header["units"] = series.extra["units"]
    qualifiers = [dict(q) for q in common]  # copies: no YAML anchors in the output
    qualifiers.append({"name": "YIELDS", "value": " + ".join(series.refs)})
    if series.stack is not None:
        qualifiers.append({"name": "STACK", "value": series.stack})
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
        entry: dict[str, Any]
        if magnitude and up == down:
            entry = {"symerror": up}
        elif magnitude:
            entry = {"asymerror": {"plus": up, "minus": 0.0 - down}}
        else:
            plus, minus = _shortest(up, value), _shortest(down, value)
            entry = {"asymerror": {"plus": plus, "minus": minus}}
        entries.append({**entry, "label": label} if label else entry)
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
