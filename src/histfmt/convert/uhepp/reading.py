"""uhepp -> histfmt: parsed uhepp data as a validated document, errors on uhepp key paths."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import numpy as np

from histfmt.convert.uhepp.checks import (
    as_list,
    as_number,
    as_numbers,
    as_object,
    copy_key,
    enum_of,
    items_of,
    yield_refs,
)
from histfmt.convert.uhepp.common import (
    ERRORS_IN,
    TYPES_IN,
    Where,
    kind_of,
    old_version,
    problem,
    tag_list,
)
from histfmt.errors import HistfmtError, Issue, ValidationError
from histfmt.io import from_builtins
from histfmt.model import FORMAT_VERSION, Document

__all__ = ["from_uhepp"]

_STYLE_TYPOS = {"maker": "marker", "makersize": "markersize"}


def from_uhepp(data: Any, /, *, filename: str | None = None) -> Document:
    """Convert parsed uhepp data (as from ``json.load``) into a validated document.

    Errors name ``filename`` and the uhepp key path of the problem.
    """
    try:
        converted = _document(data)
        try:
            return from_builtins(converted)
        except ValidationError as exc:
            raise ValidationError(
                [Issue(_uhepp_path(issue.path), issue.message) for issue in exc.issues]
            ) from None
    except HistfmtError as exc:
        exc.filename = exc.filename or filename
        raise


def _document(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise problem((), f"expected a uhepp object at the top level, got {kind_of(data)}")
    if data.get("type") != "histogram":
        raise problem(("type",), f"expected 'histogram', got {data.get('type')!r}")
    if not old_version(data.get("version")):
        version = data.get("version")
        raise problem(("version",), f"expected a uhepp version below 1, got {version!r}")
    variable = as_object(data.get("variable"), ("variable",))
    x, view = _binning(variable, as_object(data.get("bins"), ("bins",)))
    n_values = len(x["edges"]) + 1
    doc: dict[str, Any] = {"histfmt": FORMAT_VERSION, "x": x, "view": view}
    doc["yields"] = {
        name: _yield(item, ("yields", name), n_values)
        for name, item in as_object(data.get("yields"), ("yields",)).items()
    }
    doc["stacks"] = [_stack(stack, ("stacks", i)) for i, stack in items_of(data, "stacks")]
    doc["ratio"] = [_ratio_item(item, ("ratio", i)) for i, item in items_of(data, "ratio")]
    doc["metadata"] = _metadata(as_object(data.get("metadata"), ("metadata",)))
    badge = as_object(data.get("badge"), ("badge",))
    if any(badge.get(key) is not None for key in ("brand", "label", "subtext")):
        doc["badge"] = {"brand": badge.get("brand")}
        for key in ("label", "subtext"):
            copy_key(badge, doc["badge"], key)
    doc["y_axis"] = _axis(as_object(data.get("y_axis"), ("y_axis",)), ("y_axis",), "append_unit")
    ratio_axis = as_object(data.get("ratio_axis"), ("ratio_axis",))
    doc["ratio_axis"] = _axis(ratio_axis, ("ratio_axis",))
    diff = ratio_axis.get("diff")
    if diff is not None and not isinstance(diff, bool):
        raise problem(("ratio_axis", "diff"), f"expected a boolean, got {kind_of(diff)}")
    doc["ratio_axis"]["kind"] = "difference" if diff else "ratio"
    layout = as_object(data.get("layout"), ("layout",))
    doc["layout"] = {}
    if layout.get("size") is not None:
        doc["layout"]["size"] = as_numbers(layout["size"], ("layout", "size")).tolist()
    if layout.get("ratio_fraction") is not None:
        where = ("layout", "ratio_fraction")
        doc["layout"]["ratio_fraction"] = as_number(layout["ratio_fraction"], where)
    doc["v_lines"] = [_line(line, ("v_lines", i), "x") for i, line in items_of(data, "v_lines")]
    doc["h_lines"] = [_line(line, ("h_lines", i), "y") for i, line in items_of(data, "h_lines")]
    doc["graphs"] = [_graph(graph, ("graphs", i)) for i, graph in items_of(data, "graphs")]
    return doc


def _binning(variable: dict[str, Any], bins: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """The histfmt ``x`` and ``view`` from uhepp's ``variable`` and ``bins``."""
    if bins.get("edges") is None:
        raise problem(("bins", "edges"), "required key missing")
    edges = as_numbers(bins["edges"], ("bins", "edges"))
    with np.errstate(over="ignore", invalid="ignore"):  # huge edges are checked later
        widths = np.diff(edges)
        regular = widths.size > 0 and bool(np.allclose(widths, widths[0], rtol=1e-9, atol=0))
    x: dict[str, Any] = {"edges": edges.tolist(), "kind": "regular" if regular else "variable"}
    x.update(underflow=True, overflow=True)  # uhepp arrays always hold both flow bins
    if variable.get("symbol") != "":
        copy_key(variable, x, "symbol")
    copy_key(variable, x, "name", "label")
    for key in ("unit", "unit_in_brackets", "log"):
        copy_key(variable, x, key)
    view: dict[str, Any] = {}
    if bins.get("rebin"):  # uhepp: empty or null means no rebinning
        view["rebin"] = as_numbers(bins["rebin"], ("bins", "rebin")).tolist()
    for key in ("include_underflow", "include_overflow"):
        copy_key(bins, view, key)
    if bins.get("density_width"):  # 0 or null: off
        view["density_width"] = as_number(bins["density_width"], ("bins", "density_width"))
    return x, view


def _yield(item: Any, where: Where, n_values: int) -> dict[str, Any]:
    name = str(where[-1])
    if "/" in name:
        raise problem(
            where,
            "a yield name cannot contain '/' (uhepp reads 'name/variation/up' as a "
            "variation reference and fails to draw it); rename the yield",
        )
    item = as_object(item, where)
    if item.get("base") is None:
        raise problem((*where, "base"), "required key missing")

    def array(value: Any, at: Where) -> list[float]:
        numbers = as_numbers(value, at)
        if numbers.size != n_values:
            raise problem(
                at,
                f"expected {n_values} values (the bins plus underflow and overflow), "
                f"got {numbers.size}",
            )
        return list(numbers.tolist())

    result: dict[str, Any] = {"values": array(item["base"], (*where, "base"))}
    for key in ("stat", "syst"):
        if item.get(key) is not None:
            result[key] = array(item[key], (*where, key))
    variations: dict[str, dict[str, Any]] = {}
    for side in ("up", "down"):
        key = f"var_{side}"
        for source, values in as_object(item.get(key), (*where, key)).items():
            if "/" in source:
                raise problem((*where, key, source), "a variation name cannot contain '/'")
            variations.setdefault(source, {})[side] = array(values, (*where, key, source))
    if variations:
        result["variations"] = variations
    return result


def _style(value: Any, where: Where) -> dict[str, Any]:
    style = {_STYLE_TYPOS.get(key, key): item for key, item in as_object(value, where).items()}
    for key in ("linewidth", "markersize"):
        if isinstance(style.get(key), str):
            style[key] = as_number(style[key], (*where, key))
    return style


def _drawn(item: dict[str, Any], where: Where, default_type: str) -> dict[str, Any]:
    """Keys shared by stacks and ratio items."""
    result = {
        "type": enum_of(item.get("type", default_type), TYPES_IN, (*where, "type"), "type"),
        "error": enum_of(item.get("error", "stat"), ERRORS_IN, (*where, "error"), "error"),
    }
    for key in ("x_errorbar", "keep_zero"):
        copy_key(item, result, key)
    return result


def _stack(stack: dict[str, Any], where: Where) -> dict[str, Any]:
    content = []
    for j, entry in enumerate(as_list(stack.get("content"), (*where, "content"))):
        at = (*where, "content", j)
        layer = as_object(entry, at)
        item: dict[str, Any] = {"yields": yield_refs(layer.get("yield"), (*at, "yield"))}
        if "label" in layer:
            item["label"] = layer["label"]
        item["style"] = _style(layer.get("style"), (*at, "style"))
        content.append(item)
    return {"content": content, **_drawn(stack, where, "stepfilled")}


def _ratio_item(item: dict[str, Any], where: Where) -> dict[str, Any]:
    result = {
        "numerator": yield_refs(item.get("numerator"), (*where, "numerator")),
        "denominator": yield_refs(item.get("denominator"), (*where, "denominator"), required=False),
        **_drawn(item, where, "step"),
        "style": _style(item.get("style"), (*where, "style")),
    }
    if item.get("den_error") is not None:
        at = (*where, "den_error")
        result["den_error"] = enum_of(item["den_error"], ERRORS_IN, at, "error")
    return result


def _axis(axis: dict[str, Any], where: Where, *flags: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key in ("label", "log", *flags):
        copy_key(axis, result, key)
    for key in ("min", "max"):
        if axis.get(key) is not None:
            result[key] = as_number(axis[key], (*where, key))
    return result


def _line(line: dict[str, Any], where: Where, position: str) -> dict[str, Any]:
    if line.get(position) is None:
        raise problem((*where, position), "required key missing")
    result: dict[str, Any] = {position: as_number(line[position], (*where, position))}
    if line.get("range"):
        result["range"] = as_numbers(line["range"], (*where, "range")).tolist()
    result["style"] = _style(line.get("style"), (*where, "style"))
    return result


def _graph(graph: dict[str, Any], where: Where) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key in ("x", "y", "x_errors", "y_errors"):
        if graph.get(key) is not None or key in ("x", "y"):
            if graph.get(key) is None:
                raise problem((*where, key), "required key missing")
            result[key] = as_numbers(graph[key], (*where, key)).tolist()
    copy_key(graph, result, "label")
    result["type"] = "points" if graph.get("type") == "points" else "line"
    result["style"] = _style(graph.get("style"), (*where, "style"))
    return result


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _metadata(meta: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key in ("filename", "author", "producer", "code_revision", "event_selection"):
        copy_key(meta, result, key)
    extra: dict[str, Any] = {}
    when = meta.get("date")
    if isinstance(when, (date, datetime)):
        when = when.isoformat()
    if isinstance(when, str) and _ISO_DATE.match(when):
        result["date"] = when
    elif when is not None:
        extra["uhepp_date"] = when
    tags = meta.get("tags")
    if isinstance(tags, str):  # uhepp does not check the type; a string is one tag
        tags = {tags: ""}
    if tags:
        tags = as_object(tags, ("metadata", "tags"))
        result["tags"] = tag_list(tags)
        extra["uhepp_tags"] = dict(tags) if isinstance(meta["tags"], dict) else meta["tags"]
    if meta.get("lumi_ifb") is not None:
        value = as_number(meta["lumi_ifb"], ("metadata", "lumi_ifb"))
        result["luminosity"] = {"value": value, "unit": "fb-1"}
    if meta.get("Ecm_TeV") is not None:
        value = as_number(meta["Ecm_TeV"], ("metadata", "Ecm_TeV"))
        result["sqrt_s"] = {"value": value, "unit": "TeV"}
    if extra:
        result["extra"] = extra
    return result


_SEGMENT = r'(?:\.[A-Za-z_$][\w$]*|\["(?:[^"\\]|\\.)*"\])'
_PATHS = [
    (re.compile(r"^x\.edges"), "bins.edges"),
    (re.compile(r"^x\.label"), "variable.name"),
    (re.compile(r"^x\.(symbol|unit|log)"), r"variable.\1"),
    (re.compile(r"^view\.(rebin|include_underflow|include_overflow|density_width)"), r"bins.\1"),
    (re.compile(rf"^(yields{_SEGMENT})\.values"), r"\1.base"),
    (re.compile(rf"^(yields{_SEGMENT})\.variations({_SEGMENT})\.(up|down)"), r"\1.var_\3\2"),
    (re.compile(r"^(stacks\[\d+\]\.content\[\d+\])\.yields"), r"\1.yield"),
    (re.compile(r"^metadata\.luminosity(\.value)?"), "metadata.lumi_ifb"),
    (re.compile(r"^metadata\.sqrt_s(\.value)?"), "metadata.Ecm_TeV"),
]


def _uhepp_path(path: str) -> str:
    """A histfmt JSON path as the uhepp key path it came from."""
    for pattern, replacement in _PATHS:
        if pattern.match(path):
            return pattern.sub(replacement, path, count=1)
    return path
