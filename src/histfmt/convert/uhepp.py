"""uhepp 0.4 files (written by uhepp 0.5.2) <-> histfmt documents.

Import (:func:`read`, :func:`from_uhepp`) takes every key uhepp reads:

============================================  ==============================================
uhepp 0.4                                     histfmt 1.0
============================================  ==============================================
``metadata.filename``, ``date``, ``author``,  the same keys (a ``date`` that is not ISO 8601
``producer``, ``code_revision``,              goes to ``metadata.extra["uhepp_date"]``)
``event_selection``
``metadata.tags`` (object str -> str)         ``metadata.tags`` as ``"key=value"`` (``"key"``
                                              for an empty value); the object itself in
                                              ``metadata.extra["uhepp_tags"]``
``metadata.lumi_ifb``, ``metadata.Ecm_TeV``   ``metadata.luminosity`` (fb-1), ``sqrt_s`` (TeV)
``badge.brand``/``label``/``subtext``         ``badge`` (none when all three are empty)
``variable.symbol``/``unit``/``log``,         ``x.symbol``/``unit``/``log``, ``x.label``,
``variable.name``, ``unit_in_brackets``       ``x.unit_in_brackets``
``bins.edges`` (arrays hold n + 2 bins)       ``x.edges``, ``x.underflow = x.overflow = true``
``bins.rebin``, ``include_*``,                ``view.rebin``, ``view.include_*``,
``density_width`` (0 or null: off)            ``view.density_width`` (absent: off)
``yields.N.base``/``stat``/``syst``           ``yields.N.values``/``stat``/``syst``
``yields.N.var_up.V``, ``var_down.V``         ``yields.N.variations.V.up``/``down`` (a missing
                                              side stays missing: both formats mirror it)
``stacks[].type`` stepfilled/step/points      ``filled``/``step``/``points``
``error`` ("no" is ``"none"``),               the same; ``content[].yield`` is
``x_errorbar``, ``keep_zero``, ``content[]``  ``content[].yields`` (a bare string is one name)
``ratio[]`` (no ``denominator``: unity)       ``ratio[]`` (``denominator: []``)
``ratio_axis.diff``                           ``ratio_axis.kind: "difference"``
``y_axis``, ``ratio_axis``, ``layout``,       the same keys; a graph ``type`` other than
``v_lines``, ``h_lines``, ``graphs``          ``points`` becomes ``line`` (uhepp draws a line)
============================================  ==============================================

Leniency: JSON may hold bare ``NaN`` (uhepp writes it; it becomes a missing value);
numeric strings in numeric fields are numbers (YAML 1.1 reads ``1e3`` as a string);
YAML dates stay strings; the style typos ``maker``/``makersize`` mean ``marker``/
``markersize``, and ``marker`` (which uhepp wrongly refuses) is kept.  Keys uhepp
ignores are ignored.  Infinities and yield or variation names with ``/`` are errors.

Export (:func:`write`, :func:`to_uhepp`) writes uhepp 0.4 that uhepp 0.5.2 loads and
renders; JSON keeps NaN as bare ``NaN`` (as uhepp does), YAML as ``.nan``.  What uhepp
cannot say: missing flow bins are written as zeros; an asymmetric ``stat``/``syst``/
graph error becomes its larger side; ``variances`` become ``stat = sqrt(variances)``;
error ``poisson`` becomes ``stat`` (a yield it draws that has no ``stat`` gets
``sqrt(values)``); type ``band`` becomes ``step``; an empty denominator becomes a
synthetic yield ``unity`` that is 1 (0 for a difference) in every drawn bin, and a
variation reference in an item whose error has ``env`` (uhepp crashes there) a copy of
the variation; ``view.rebin`` is snapped onto the exact edges; ``x.name`` is
``variable.name`` when there is neither a label nor a symbol.  Dropped: ``marker`` on
stack and ratio items (uhepp refuses it), ``markersize`` on graphs (likewise),
``hatch``, ``alpha``, labels of lines and ratio items, ``x.kind``/``circular``/``min``/
``max``, ``view.density``, ``badge.show_luminosity``, yield ``label``/``storage``/
``writer_info``, metadata other than the keys above, and flags that are false (uhepp
reads absent as false).  A categorical axis, a ``pull`` panel and colours matplotlib
cannot read have no uhepp form: they are errors.  Missing ``metadata.filename``/``date``
become ``"unnamed"``/the current time, as in uhepp.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from msgspec import UnsetType

from histfmt.errors import HistfmtError, Issue, ValidationError, format_path
from histfmt.io import MAX_BYTES, atomic_write, from_builtins, validate
from histfmt.model import (
    FORMAT_VERSION,
    Asymmetric,
    Document,
    Graph,
    HLine,
    RatioAxis,
    RatioItem,
    Stack,
    Style,
    VLine,
    YAxis,
    Yield,
)

__all__ = ["from_uhepp", "read", "sniff", "to_uhepp", "write"]

Where = tuple[str | int, ...]

_TYPES_IN = {"stepfilled": "filled", "step": "step", "points": "points"}
_TYPES_OUT = {"filled": "stepfilled", "step": "step", "points": "points", "band": "step"}
_ERRORS = ("stat", "syst", "env", "stat+syst", "stat+env", "syst+env", "stat+syst+env")
_ERRORS_IN = {"no": "none", **{e: e for e in _ERRORS}}
_ERRORS_OUT = {"none": "no", "poisson": "stat", **{e: e for e in _ERRORS}}
_STYLE_TYPOS = {"maker": "marker", "makersize": "markersize"}
_ITEM_STYLE = ("color", "edgecolor", "linestyle", "linewidth", "markersize")
_LINE_STYLE = ("color", "edgecolor", "linestyle", "linewidth")
_GRAPH_STYLE = ("color", "edgecolor", "linestyle", "linewidth", "marker")
_TOP_KEYS = {
    "version", "type", "metadata", "badge", "variable", "bins", "yields", "stacks",
    "ratio", "y_axis", "ratio_axis", "layout", "v_lines", "h_lines", "graphs",
}  # fmt: skip
_HEAD = 65536


def _problem(where: Where, message: str) -> ValidationError:
    return ValidationError([Issue(format_path(where), message)])


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


# -- sniffing ---------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')
_JSON_VALUE = re.compile(r'\s*:\s*("(?:[^"\\]|\\.)*"|[-+0-9.eE]+)?')
_YAML_KEY = re.compile(r"^([A-Za-z_]\w*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$", re.MULTILINE)


def sniff(head: bytes, path: Path) -> bool:
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
        complete = len(head) < _HEAD
    if "histfmt" in keys or keys.get("type", "histogram") != "histogram":
        return False
    if "version" in keys:
        return _old_version(keys["version"]) and ("type" in keys or not complete)
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
                    keys[json.loads(token.group())] = json.loads(raw) if raw else None
                except ValueError:
                    keys[json.loads(token.group())] = None
    return keys, False


def _old_version(version: Any) -> bool:
    try:
        return not isinstance(version, bool) and float(version) < 1
    except (TypeError, ValueError):
        return False


# -- reading ----------------------------------------------------------------------------------


def read(path: Path) -> Document:
    """Read a uhepp JSON or YAML file as a validated histfmt document."""
    filename = str(path)
    try:
        if Path(path).stat().st_size > MAX_BYTES:
            raise HistfmtError(f"file is larger than {MAX_BYTES} bytes", filename=filename)
        raw = Path(path).read_bytes()
        if raw[:2] == b"\x1f\x8b":  # gzip, which the format detection looks into too
            import gzip

            raw = gzip.decompress(raw)
        text = raw.decode("utf-8-sig")
    except (OSError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise HistfmtError(f"cannot read file: {reason}", filename=filename) from None
    except UnicodeDecodeError as exc:
        raise HistfmtError(f"not valid UTF-8 (byte {exc.start})", filename=filename) from None
    is_yaml = Path(path).suffix.lower() in (".yaml", ".yml")
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
        raise _problem((), f"expected a uhepp object at the top level, got {_kind(data)}")
    if data.get("type") != "histogram":
        raise _problem(("type",), f"expected 'histogram', got {data.get('type')!r}")
    if not _old_version(data.get("version")):
        version = data.get("version")
        raise _problem(("version",), f"expected a uhepp version below 1, got {version!r}")
    x, view = _binning(_obj(data.get("variable"), ("variable",)), _obj(data.get("bins"), ("bins",)))
    n_values = len(x["edges"]) + 1
    doc: dict[str, Any] = {"histfmt": FORMAT_VERSION, "x": x, "view": view}
    doc["yields"] = {
        name: _yield(item, ("yields", name), n_values)
        for name, item in _obj(data.get("yields"), ("yields",)).items()
    }
    doc["stacks"] = [_stack(stack, ("stacks", i)) for i, stack in _items(data, "stacks")]
    doc["ratio"] = [_ratio_item(item, ("ratio", i)) for i, item in _items(data, "ratio")]
    doc["metadata"] = _metadata(_obj(data.get("metadata"), ("metadata",)))
    badge = _obj(data.get("badge"), ("badge",))
    if any(badge.get(key) is not None for key in ("brand", "label", "subtext")):
        doc["badge"] = {"brand": badge.get("brand")}
        for key in ("label", "subtext"):
            _copy(badge, doc["badge"], key)
    doc["y_axis"] = _axis(_obj(data.get("y_axis"), ("y_axis",)), ("y_axis",), "append_unit")
    ratio_axis = _obj(data.get("ratio_axis"), ("ratio_axis",))
    doc["ratio_axis"] = _axis(ratio_axis, ("ratio_axis",))
    diff = ratio_axis.get("diff")
    if diff is not None and not isinstance(diff, bool):
        raise _problem(("ratio_axis", "diff"), f"expected a boolean, got {_kind(diff)}")
    doc["ratio_axis"]["kind"] = "difference" if diff else "ratio"
    layout = _obj(data.get("layout"), ("layout",))
    doc["layout"] = {}
    if layout.get("size") is not None:
        doc["layout"]["size"] = _numbers(layout["size"], ("layout", "size")).tolist()
    if layout.get("ratio_fraction") is not None:
        where = ("layout", "ratio_fraction")
        doc["layout"]["ratio_fraction"] = _number(layout["ratio_fraction"], where)
    doc["v_lines"] = [_line(line, ("v_lines", i), "x") for i, line in _items(data, "v_lines")]
    doc["h_lines"] = [_line(line, ("h_lines", i), "y") for i, line in _items(data, "h_lines")]
    doc["graphs"] = [_graph(graph, ("graphs", i)) for i, graph in _items(data, "graphs")]
    return doc


def _binning(variable: dict[str, Any], bins: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """The histfmt ``x`` and ``view`` from uhepp's ``variable`` and ``bins``."""
    if bins.get("edges") is None:
        raise _problem(("bins", "edges"), "required key missing")
    edges = _numbers(bins["edges"], ("bins", "edges"))
    with np.errstate(over="ignore", invalid="ignore"):  # huge edges are checked later
        widths = np.diff(edges)
        regular = widths.size > 0 and bool(np.allclose(widths, widths[0], rtol=1e-9, atol=0))
    x: dict[str, Any] = {"edges": edges.tolist(), "kind": "regular" if regular else "variable"}
    x.update(underflow=True, overflow=True)  # uhepp arrays always hold both flow bins
    if variable.get("symbol") != "":
        _copy(variable, x, "symbol")
    _copy(variable, x, "name", "label")
    for key in ("unit", "unit_in_brackets", "log"):
        _copy(variable, x, key)
    view: dict[str, Any] = {}
    if bins.get("rebin"):  # uhepp: empty or null means no rebinning
        view["rebin"] = _numbers(bins["rebin"], ("bins", "rebin")).tolist()
    for key in ("include_underflow", "include_overflow"):
        _copy(bins, view, key)
    if bins.get("density_width"):  # 0 or null: off
        view["density_width"] = _number(bins["density_width"], ("bins", "density_width"))
    return x, view


def _obj(value: Any, where: Where) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _problem(where, f"expected an object, got {_kind(value)}")
    return value


def _list(value: Any, where: Where) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _problem(where, f"expected a list, got {_kind(value)}")
    return value


def _items(data: dict[str, Any], key: str) -> Iterable[tuple[int, dict[str, Any]]]:
    for i, item in enumerate(_list(data.get(key), (key,))):
        yield i, _obj(item, (key, i))


def _copy(source: Mapping[str, Any], target: dict[str, Any], key: str, to: str = "") -> None:
    """Copy ``source[key]`` to ``target[to or key]`` unless it is missing or null."""
    if source.get(key) is not None:
        target[to or key] = source[key]


def _numbers(value: Any, where: Where) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A list of numbers (numeric strings and NaN accepted, null is NaN) as a float array."""
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            array = None
        if array is not None and array.ndim == 1:
            infinite = np.flatnonzero(np.isinf(array))
            if infinite.size:
                raise _problem((*where, int(infinite[0])), "infinite values cannot be stored")
            return array
        for i, item in enumerate(value):
            if item is not None:
                _number(item, (*where, i), allow_nan=True)
    raise _problem(where, f"expected a list of numbers, got {_kind(value)}")


def _number(value: Any, where: Where, *, allow_nan: bool = False) -> float:
    """One number; a numeric string (YAML 1.1 reads ``1e3`` as one) counts as a number."""
    number: float | None = None
    if isinstance(value, bool):
        pass  # a boolean is not a number here
    elif isinstance(value, (numbers.Real, str)):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or math.isinf(number) or (math.isnan(number) and not allow_nan):
        raise _problem(where, f"expected a finite number, got {value!r}")
    return int(value) if isinstance(value, numbers.Integral) else number


def _yield(item: Any, where: Where, n_values: int) -> dict[str, Any]:
    name = str(where[-1])
    if "/" in name:
        raise _problem(
            where,
            "a yield name cannot contain '/' (uhepp reads 'name/variation/up' as a "
            "variation reference and fails to draw it); rename the yield",
        )
    item = _obj(item, where)
    if item.get("base") is None:
        raise _problem((*where, "base"), "required key missing")

    def array(value: Any, at: Where) -> list[float]:
        numbers = _numbers(value, at)
        if numbers.size != n_values:
            raise _problem(
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
        for source, values in _obj(item.get(key), (*where, key)).items():
            if "/" in source:
                raise _problem((*where, key, source), "a variation name cannot contain '/'")
            variations.setdefault(source, {})[side] = array(values, (*where, key, source))
    if variations:
        result["variations"] = variations
    return result


def _refs(value: Any, where: Where, *, required: bool = True) -> list[Any]:
    """Yield names: a list, or a bare string meaning one name (uhepp splits it)."""
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list):
        return value
    if not value and not required:
        return []
    if value is None:
        raise _problem(where, "required key missing")
    raise _problem(where, f"expected a list of yield names, got {_kind(value)}")


def _enum(value: Any, mapping: Mapping[str, str], where: Where, what: str) -> str:
    if isinstance(value, str) and value in mapping:
        return mapping[value]
    raise _problem(where, f"{value!r} is not a uhepp {what} ({', '.join(mapping)})")


def _style(value: Any, where: Where) -> dict[str, Any]:
    style = {_STYLE_TYPOS.get(key, key): item for key, item in _obj(value, where).items()}
    for key in ("linewidth", "markersize"):
        if isinstance(style.get(key), str):
            style[key] = _number(style[key], (*where, key))
    return style


def _drawn(item: dict[str, Any], where: Where, default_type: str) -> dict[str, Any]:
    """Keys shared by stacks and ratio items."""
    result = {
        "type": _enum(item.get("type", default_type), _TYPES_IN, (*where, "type"), "type"),
        "error": _enum(item.get("error", "stat"), _ERRORS_IN, (*where, "error"), "error"),
    }
    for key in ("x_errorbar", "keep_zero"):
        _copy(item, result, key)
    return result


def _stack(stack: dict[str, Any], where: Where) -> dict[str, Any]:
    content = []
    for j, entry in enumerate(_list(stack.get("content"), (*where, "content"))):
        at = (*where, "content", j)
        layer = _obj(entry, at)
        item: dict[str, Any] = {"yields": _refs(layer.get("yield"), (*at, "yield"))}
        if "label" in layer:
            item["label"] = layer["label"]
        item["style"] = _style(layer.get("style"), (*at, "style"))
        content.append(item)
    return {"content": content, **_drawn(stack, where, "stepfilled")}


def _ratio_item(item: dict[str, Any], where: Where) -> dict[str, Any]:
    result = {
        "numerator": _refs(item.get("numerator"), (*where, "numerator")),
        "denominator": _refs(item.get("denominator"), (*where, "denominator"), required=False),
        **_drawn(item, where, "step"),
        "style": _style(item.get("style"), (*where, "style")),
    }
    if item.get("den_error") is not None:
        at = (*where, "den_error")
        result["den_error"] = _enum(item["den_error"], _ERRORS_IN, at, "error")
    return result


def _axis(axis: dict[str, Any], where: Where, *flags: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key in ("label", "log", *flags):
        _copy(axis, result, key)
    for key in ("min", "max"):
        if axis.get(key) is not None:
            result[key] = _number(axis[key], (*where, key))
    return result


def _line(line: dict[str, Any], where: Where, position: str) -> dict[str, Any]:
    if line.get(position) is None:
        raise _problem((*where, position), "required key missing")
    result: dict[str, Any] = {position: _number(line[position], (*where, position))}
    if line.get("range"):
        result["range"] = _numbers(line["range"], (*where, "range")).tolist()
    result["style"] = _style(line.get("style"), (*where, "style"))
    return result


def _graph(graph: dict[str, Any], where: Where) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key in ("x", "y", "x_errors", "y_errors"):
        if graph.get(key) is not None or key in ("x", "y"):
            if graph.get(key) is None:
                raise _problem((*where, key), "required key missing")
            result[key] = _numbers(graph[key], (*where, key)).tolist()
    _copy(graph, result, "label")
    result["type"] = "points" if graph.get("type") == "points" else "line"
    result["style"] = _style(graph.get("style"), (*where, "style"))
    return result


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _metadata(meta: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key in ("filename", "author", "producer", "code_revision", "event_selection"):
        _copy(meta, result, key)
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
        tags = _obj(tags, ("metadata", "tags"))
        result["tags"] = _tag_list(tags)
        extra["uhepp_tags"] = dict(tags) if isinstance(meta["tags"], dict) else meta["tags"]
    if meta.get("lumi_ifb") is not None:
        value = _number(meta["lumi_ifb"], ("metadata", "lumi_ifb"))
        result["luminosity"] = {"value": value, "unit": "fb-1"}
    if meta.get("Ecm_TeV") is not None:
        value = _number(meta["Ecm_TeV"], ("metadata", "Ecm_TeV"))
        result["sqrt_s"] = {"value": value, "unit": "TeV"}
    if extra:
        result["extra"] = extra
    return result


def _tag_list(tags: Mapping[str, Any]) -> list[str]:
    """uhepp tags as histfmt keywords: ``key=value``, or ``key`` for an empty value."""
    found = (
        f"{key}={value}" if value not in (None, "") else str(key) for key, value in tags.items()
    )
    return [tag for tag in found if 0 < len(tag) <= 256]


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


# -- writing ----------------------------------------------------------------------------------


def write(doc: Document, path: Path) -> None:
    """Write ``doc`` as uhepp 0.4 JSON (YAML for ``.yaml``/``.yml``), atomically."""
    path = Path(path)
    try:
        export = _export(doc)
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


def to_uhepp(doc: Document, /) -> dict[str, Any]:
    """The document as uhepp 0.4 data (plain dicts and lists) that uhepp 0.5.2 renders."""
    return _export(doc).data


def _export(doc: Document) -> _Export:
    validate(doc)
    if isinstance(doc.x.edges, UnsetType):
        raise HistfmtError("x: uhepp has numeric bin edges only, not categories")
    if doc.ratio_axis.kind == "pull":
        raise HistfmtError("ratio_axis.kind: uhepp draws ratios and differences, not pulls")
    export = _Export(doc)
    export.data = export.convert()
    return export


class _Export:
    """One conversion to uhepp: yields made up for uhepp's gaps are added as it goes."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.nan = False  # whether some number is NaN
        self.data: dict[str, Any] = {}
        self.edges = np.asarray(doc.x.edges, dtype=np.float64)
        self.yields = {name: self.yield_(item) for name, item in doc.yields.items()}
        self.copies: dict[str, str] = {}
        self.poisson: set[str] = set()
        self.unity = ""
        self.rebin = None
        if not isinstance(doc.view.rebin, UnsetType):  # snapped onto the nearest edges
            wanted, last = np.asarray(doc.view.rebin, dtype=np.float64), self.edges.size - 1
            right = np.clip(np.searchsorted(self.edges, wanted), 0, last)
            left = np.clip(right - 1, 0, last)
            closer = np.abs(self.edges[right] - wanted) <= np.abs(self.edges[left] - wanted)
            self.rebin = self.edges[np.where(closer, right, left)]

    def plain(self, values: Any) -> list[float]:
        array = np.asarray(values, dtype=np.float64)
        self.nan = self.nan or bool(np.isnan(array).any())
        return list(array.tolist())

    def full(self, values: Any) -> list[float]:
        """An array with both flow bins, zero where the document has none."""
        x = self.doc.x
        under, over = np.zeros(int(not x.underflow)), np.zeros(int(not x.overflow))
        return self.plain(np.concatenate([under, np.asarray(values, dtype=np.float64), over]))

    def yield_(self, item: Yield) -> dict[str, Any]:
        result: dict[str, Any] = {"base": self.full(item.values)}
        stat = _symmetric(item.stat)
        if stat is None and not isinstance(item.variances, UnsetType):
            stat = np.sqrt(np.asarray(item.variances))
        for key, value in (("stat", stat), ("syst", _symmetric(item.syst))):
            if value is not None:
                result[key] = self.full(value)
        for side in ("up", "down"):
            varied = {
                source: self.full(getattr(variation, side))
                for source, variation in item.variations.items()
                if not isinstance(getattr(variation, side), UnsetType)
            }
            if varied:
                result[f"var_{side}"] = varied
        return result

    def names(self, refs: list[str], error: str) -> list[str]:
        """References uhepp draws: under ``env`` (a uhepp crash) variations become copies."""
        if error == "poisson":
            self.poisson.update(refs)
        if "env" not in error:
            return list(refs)
        for ref in refs:
            if "/" in ref and ref not in self.copies:
                name, source, side = ref.split("/")
                self.copies[ref] = _fresh(f"{name}_{source}_{side}", self.yields)
                item = self.doc.yields[name]
                variation = item.variations[source]
                this, other = (
                    (variation.up, variation.down)
                    if side == "up"
                    else (variation.down, variation.up)
                )
                if isinstance(this, UnsetType):
                    this = 2 * np.asarray(item.values) - np.asarray(other)
                self.yields[self.copies[ref]] = {"base": self.full(this)}
        return [self.copies.get(ref, ref) for ref in refs]

    def unity_name(self) -> str:
        """A yield that is 1 (0 for a difference) in every drawn bin, for 'compare with unity'."""
        if not self.unity:
            self.unity = _fresh("unity", self.yields)
            drawn = np.zeros(self.edges.size + 1)
            if self.doc.ratio_axis.kind == "ratio":  # 1 in the first bin of every drawn bin
                starts = np.arange(self.edges.size - 1)
                if self.rebin is not None:
                    starts = np.searchsorted(self.edges, self.rebin[:-1])
                drawn[1 + starts] = 1.0
            self.yields[self.unity] = {"base": drawn.tolist()}
        return self.unity

    def stacks(self) -> list[dict[str, Any]]:
        result = []
        for stack in self.doc.stacks:
            content = []
            for layer in stack.content:
                item: dict[str, Any] = {
                    "label": _text(layer.label),
                    "yield": self.names(layer.yields, stack.error),
                }
                _style_out(item, layer.style, _ITEM_STYLE)
                content.append(item)
            result.append({**_drawn_out(stack), "content": content})
        return result

    def ratio(self) -> list[dict[str, Any]]:
        result = []
        for entry in self.doc.ratio:
            den_error = entry.error if isinstance(entry.den_error, UnsetType) else entry.den_error
            item = _drawn_out(entry)
            item["numerator"] = self.names(entry.numerator, entry.error)
            # uhepp 0.5.2 crashes without a denominator: divide by an explicit 1
            item["denominator"] = self.names(entry.denominator, den_error) or [self.unity_name()]
            if _ERRORS_OUT[den_error] != item["error"]:
                item["den_error"] = _ERRORS_OUT[den_error]
            _style_out(item, entry.style, _ITEM_STYLE)
            result.append(item)
        return result

    def convert(self) -> dict[str, Any]:
        doc, x = self.doc, self.doc.x
        stacks, ratio = self.stacks(), self.ratio()
        for name in self.poisson & set(doc.yields):  # Poisson: sqrt(N) where no stat is known
            if "stat" not in self.yields[name]:
                values = np.clip(doc.yields[name].values, 0, None)
                self.yields[name]["stat"] = self.full(np.sqrt(values))
        variable: dict[str, Any] = {"symbol": _text(x.symbol) or ""}
        label = _text(x.label) or (None if _text(x.symbol) else _text(x.name))
        _put(variable, name=label, unit=_text(x.unit))
        _put(variable, unit_in_brackets=x.unit_in_brackets or None, log=x.log or None)
        view = doc.view
        bins: dict[str, Any] = {"edges": self.edges.tolist()}
        _put(bins, rebin=None if self.rebin is None else self.rebin.tolist())
        _put(bins, density_width=_num(view.density_width))
        _put(bins, include_underflow=view.include_underflow or None)
        _put(bins, include_overflow=view.include_overflow or None)
        result: dict[str, Any] = {
            "version": "0.4",
            "type": "histogram",
            "metadata": _metadata_out(doc),
            "badge": {"brand": None},
            "variable": variable,
            "bins": bins,
            "yields": self.yields,
            "stacks": stacks,
            "ratio": ratio,
            "y_axis": _limits(
                doc.y_axis, append_unit=doc.y_axis.append_unit or None, log=doc.y_axis.log or None
            ),
            "ratio_axis": _limits(
                doc.ratio_axis, diff=doc.ratio_axis.kind == "difference", log=doc.ratio_axis.log
            ),
        }
        if not isinstance(doc.badge, UnsetType):
            result["badge"]["brand"] = _text(doc.badge.brand)
            _put(result["badge"], label=_text(doc.badge.label), subtext=_text(doc.badge.subtext))
        size = doc.layout.size
        layout: dict[str, Any] = {}
        _put(layout, size=None if isinstance(size, UnsetType) else list(size))
        _put(layout, ratio_fraction=_num(doc.layout.ratio_fraction))
        _put(result, layout=layout or None)
        _put(result, v_lines=_lines(doc.v_lines, "x"), h_lines=_lines(doc.h_lines, "y"))
        _put(result, graphs=[self.graph(graph) for graph in doc.graphs] or None)
        return result

    def graph(self, graph: Graph) -> dict[str, Any]:
        out: dict[str, Any] = {"x": self.plain(graph.x), "y": self.plain(graph.y)}
        for key in ("x_errors", "y_errors"):
            errors = _symmetric(getattr(graph, key))
            if errors is not None and errors.size:
                out[key] = self.plain(errors)
        _put(out, label=_text(graph.label) or None)
        out["type"] = graph.type
        _style_out(out, graph.style, _GRAPH_STYLE)
        return out


def _drawn_out(item: Stack | RatioItem) -> dict[str, Any]:
    return {
        "type": _TYPES_OUT[item.type],
        "error": _ERRORS_OUT[item.error],
        "x_errorbar": item.x_errorbar,
        "keep_zero": item.keep_zero,
    }


def _limits(axis: YAxis | RatioAxis, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    _put(result, label=_text(axis.label), min=_num(axis.min), max=_num(axis.max), **extra)
    return result


def _lines(lines: list[VLine] | list[HLine], position: str) -> list[dict[str, Any]] | None:
    result = []
    for line in lines:
        out: dict[str, Any] = {position: getattr(line, position)}
        _put(out, range=None if isinstance(line.range, UnsetType) else list(line.range))
        _style_out(out, line.style, _LINE_STYLE)
        result.append(out)
    return result or None


def _text(value: str | UnsetType | None) -> str | None:
    return value if isinstance(value, str) else None


def _num(value: float | UnsetType) -> float | None:
    return None if isinstance(value, UnsetType) else value


def _put(target: dict[str, Any], **values: Any) -> None:
    """Set the keys whose value is not None."""
    target.update({key: value for key, value in values.items() if value is not None})


def _fresh(name: str, taken: Mapping[str, Any]) -> str:
    """``name``, or ``name_2``, ``name_3``, ... if taken."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}_{number}"
    return candidate


def _symmetric(value: Any) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    """A symmetric uncertainty; the larger side of an asymmetric one."""
    if isinstance(value, UnsetType) or value is None:
        return None
    if isinstance(value, Asymmetric):
        return np.fmax(np.asarray(value.up), np.asarray(value.down))
    return np.asarray(value, dtype=np.float64)


def _style_out(target: dict[str, Any], style: Style, keys: tuple[str, ...]) -> None:
    """The style keys uhepp accepts for this kind of item; colours it cannot read are errors."""
    result = {key: getattr(style, key) for key in keys}
    result = {key: value for key, value in result.items() if not isinstance(value, UnsetType)}
    for key in ("color", "edgecolor"):
        if key in result and not _is_color(result[key]):
            raise HistfmtError(f"style.{key}: uhepp cannot read the colour {result[key]!r}")
    if result:
        target["style"] = result


def _is_color(value: str) -> bool:
    try:
        from matplotlib.colors import is_color_like
    except ImportError:  # pragma: no cover - uhepp itself needs matplotlib
        return True
    return bool(is_color_like(value))


_LUMI_IN_IFB = {"ab-1": (1000.0, 1.0), "fb-1": (1.0, 1.0), "pb-1": (1.0, 1e3), "nb-1": (1.0, 1e6)}


def _metadata_out(doc: Document) -> dict[str, Any]:
    meta = doc.metadata
    extra = meta.extra
    when = _text(meta.date) or extra.get("uhepp_date")
    result: dict[str, Any] = {
        "filename": _text(meta.filename) or "unnamed",
        "date": when if isinstance(when, str) else datetime.now().astimezone().isoformat(),
    }
    _put(result, author=_text(meta.author), producer=_text(meta.producer))
    _put(result, code_revision=_text(meta.code_revision))
    _put(result, event_selection=_text(meta.event_selection))
    original = extra.get("uhepp_tags")
    as_object = {original: ""} if isinstance(original, str) else original
    if isinstance(as_object, dict) and _tag_list(as_object) == meta.tags:
        result["tags"] = original  # exactly as read
    else:
        pairs = (tag.partition("=") for tag in meta.tags)
        result["tags"] = {key: value for key, _, value in pairs}
    if not isinstance(meta.luminosity, UnsetType):
        times, per = _LUMI_IN_IFB[meta.luminosity.unit]
        result["lumi_ifb"] = meta.luminosity.value * times / per
    if not isinstance(meta.sqrt_s, UnsetType):
        energy = meta.sqrt_s
        result["Ecm_TeV"] = energy.value / 1000 if energy.unit == "GeV" else energy.value
    return result
