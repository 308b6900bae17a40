"""What a document holds, in a few lines: the data behind ``histfmt info``.

:func:`summarize` turns a document into plain data (dicts, lists, strings,
numbers, ``None``), ready for :func:`json.dumps`; :func:`format_summary` turns
that data into aligned text. Totals are sums over the drawn bins, i.e. after
the document's ``view`` (rebinning and flow bins added to the edge bins),
in events, not divided by bin widths; a 2-D document is summed over its drawn
cells (its maps, whatever ``view.project`` says). Means and efficiencies have
no total: their ``overall`` value is recomputed over the drawn bins from their
``profile`` / ``efficiency`` blocks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from msgspec import UnsetType

from histfmt.combine import combine_yield
from histfmt.errors import HistfmtError
from histfmt.model import Asymmetric, Axis, Document, Yield
from histfmt.shown import Shown

__all__ = ["format_summary", "summarize"]

MAX_SHOWN = 12  # categories, rebin edges listed in the text
MAX_LABEL = 32  # characters of a label in a table


def _value(value: Any) -> Any:
    """``value`` without msgspec's UNSET (None instead)."""
    return None if isinstance(value, UnsetType) else value


def _number(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _kind(value: Any) -> str | None:
    if isinstance(value, UnsetType):
        return None
    return "asymmetric" if isinstance(value, Asymmetric) else "symmetric"


def _flow_mask(doc: Document) -> Any:
    """True for the stored cells of a 2-D document that lie in a flow row or column."""
    mask = np.zeros(doc.shape, dtype=bool)
    for axis_index, axis in enumerate((doc.x, doc.y)):
        if isinstance(axis, UnsetType):
            continue
        index: list[Any] = [slice(None), slice(None)]
        if axis.underflow:
            index[axis_index] = 0
            mask[tuple(index)] = True
        if axis.overflow:
            index[axis_index] = -1
            mask[tuple(index)] = True
    return mask


def _overall(name: str, item: Yield, shown: Shown) -> float | None:
    """A mean or efficiency over every drawn bin (recomputed from its block), if it can be."""

    def everything(array: Any) -> Any:
        return np.atleast_1d(np.sum(shown.fold(array)))

    try:
        combined = combine_yield(item, everything, name)
    except HistfmtError:
        return None
    return _number(np.asarray(combined.values, dtype=np.float64)[0])


def _yield(name: str, item: Yield, shown: Shown, doc: Document) -> dict[str, Any]:
    values = np.asarray(item.values, dtype=np.float64)
    counted = item.kind == "count"
    two_d = values.ndim == 2
    return {
        "name": name,
        "label": _value(item.label),
        "kind": item.kind,
        "total": _number(np.nansum(shown.fold(values))) if counted else None,
        "overall": None if counted else _overall(name, item, shown),
        "underflow": _number(values[0]) if doc.x.underflow and not two_d else None,
        "overflow": _number(values[-1]) if doc.x.overflow and not two_d else None,
        "flow": _number(np.nansum(values[_flow_mask(doc)])) if two_d and counted else None,
        "missing": int(np.isnan(values).sum()),
        "stat": _kind(item.stat),
        "variances": not isinstance(item.variances, UnsetType),
        "syst": _kind(item.syst),
        "variations": list(item.variations),
        "storage": _value(item.storage),
    }


def _total(shown: Shown, refs: list[str]) -> float | None:
    if shown.kind(refs) != "count":
        return None  # means and efficiencies are not summed
    return _number(np.nansum(shown.components(refs).values))


def _axis_summary(axis: Axis, binning: Any) -> dict[str, Any]:
    categories = None if isinstance(axis.categories, UnsetType) else list(axis.categories)
    edges = None if categories is not None or not axis.binned else np.asarray(axis.edges)
    return {
        "kind": axis.kind,
        "bins": axis.n_bins,
        "range": None if edges is None else [float(edges[0]), float(edges[-1])],
        "categories": categories,
        "labels": None if isinstance(axis.labels, UnsetType) else list(axis.labels),
        "underflow": axis.underflow,
        "overflow": axis.overflow,
        "name": _value(axis.name),
        "label": _value(axis.label),
        "symbol": _value(axis.symbol),
        "unit": _value(axis.unit),
        "drawn_bins": binning.n,
    }


def summarize(doc: Document) -> dict[str, Any]:
    """The facts ``histfmt info`` shows, as plain data (JSON-ready).

    Examples
    --------
    >>> doc = Document.new([0, 1, 2], symbol="x").add_yield("a", [3.0, 4.0])
    >>> summarize(doc)["yields"][0]["total"]
    7.0
    """
    two_d = not isinstance(doc.y, UnsetType)
    shown = Shown(doc, project="none") if two_d else Shown(doc)
    x, meta = doc.x, doc.metadata
    rebin = None if isinstance(doc.view.rebin, UnsetType) else doc.view.rebin.tolist()
    project = doc.view.project
    stacks = []
    for stack in doc.stacks:
        layers = [
            {
                "label": _value(item.label),
                "yields": list(item.yields),
                "total": _total(shown, item.yields),
            }
            for item in stack.content
        ]
        refs = [ref for item in stack.content for ref in item.yields]
        stacks.append(
            {
                "type": stack.type,
                "error": stack.error,
                "total": _total(shown, refs),
                "layers": layers,
            }
        )
    ratio = []
    for item in doc.ratio:
        num = _total(shown, item.numerator)
        den = _total(shown, item.denominator) if item.denominator else None
        ratio.append(
            {
                "label": _value(item.label),
                "numerator": list(item.numerator),
                "denominator": list(item.denominator),
                "type": item.type,
                "error": item.error,
                "den_error": _value(item.den_error),
                "numerator_total": num,
                "denominator_total": den,
                "ratio": num / den if num is not None and den else None,
            }
        )
    return {
        "format": doc.histfmt,
        "metadata": {
            "title": _value(meta.title),
            "author": _value(meta.author),
            "date": _value(meta.date),
            "tags": list(meta.tags),
            "luminosity": None
            if isinstance(meta.luminosity, UnsetType)
            else {"value": meta.luminosity.value, "unit": meta.luminosity.unit},
            "sqrt_s": None
            if isinstance(meta.sqrt_s, UnsetType)
            else {"value": meta.sqrt_s.value, "unit": meta.sqrt_s.unit},
        },
        "x": {
            **_axis_summary(x, shown.binning),
            "view": {
                "drawn_bins": shown.binning.n,
                "rebin": rebin,
                "include_underflow": shown.include_underflow,
                "include_overflow": shown.include_overflow,
                "density_width": shown.density_width,
                "density": shown.density,
                "project": None
                if isinstance(project, UnsetType)
                else {"onto": project.onto, "bins": _value(project.bins)},
            },
        },
        "y": None
        if isinstance(doc.y, UnsetType) or shown.y_binning is None
        else _axis_summary(doc.y, shown.y_binning),
        "yields": [_yield(name, item, shown, doc) for name, item in doc.yields.items()],
        "stacks": stacks,
        "ratio": ratio,
        "graphs": [
            {"label": _value(graph.label), "points": len(graph.x), "type": graph.type}
            for graph in doc.graphs
        ],
    }


# -- text -------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    """A number for people: ``1,234,567``, ``12.35``, ``1.2e-05``; ``-`` when absent."""
    if value is None:
        return "-"
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{value:,.0f}"
    if abs(value) >= 1e9 or abs(value) < 1e-2:
        return f"{value:.4g}"
    return f"{value:,.2f}"


def _short(value: Any, limit: int = MAX_LABEL) -> str:
    text = "-" if value is None else " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _listed(items: list[Any]) -> str:
    shown = ", ".join(_fmt(i) if isinstance(i, float) else str(i) for i in items[:MAX_SHOWN])
    return shown + (f", … ({len(items)} in all)" if len(items) > MAX_SHOWN else "")


def _table(rows: list[list[str]], right: set[int], indent: str = "  ") -> list[str]:
    """Rows as aligned columns (numbers in the columns ``right`` flush right)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        indent
        + "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def _fields(pairs: list[tuple[str, Any]]) -> list[str]:
    shown = [(key, str(value)) for key, value in pairs if value not in (None, "", [])]
    return _table([[key, value] for key, value in shown], set()) if shown else []


def _quantity(value: dict[str, Any] | None) -> str | None:
    return None if value is None else f"{_fmt(value['value'])} {value['unit']}"


def _axis(x: dict[str, Any], name: str = "x", view: dict[str, Any] | None = None) -> list[str]:
    unit = f" {x['unit']}" if x["unit"] else ""
    if x["categories"] is not None:
        binning = f"{_plural(x['bins'], 'category', 'categories')}: {_listed(x['categories'])}"
    elif x["range"] is None:
        binning = f"no bins (graphs only){unit}"
    else:
        low, high = x["range"]
        binning = f"{x['kind']}, {_plural(x['bins'], 'bin')} from {_fmt(low)} to {_fmt(high)}{unit}"
    flow = [side for side in ("underflow", "overflow") if x[side]]
    drawn = []
    if view is not None:
        if view["rebin"] is not None:
            drawn.append(
                f"rebinned to {_plural(view['drawn_bins'], 'bin')}: {_listed(view['rebin'])}"
            )
        for side, where in (("underflow", "first"), ("overflow", "last")):
            if view[f"include_{side}"] and x[side]:
                drawn.append(f"{side} added to the {where} bin")
        if view["density_width"]:
            drawn.append(f"per {_fmt(view['density_width'])}{unit}")
        if view["density"]:
            drawn.append("normalised to unit area")
        project = view.get("project")
        if project is not None:
            bins = project["bins"]
            part = (
                "all bins"
                if bins is None
                else f"bin {bins[0]}"
                if bins[1] - bins[0] == 1
                else f"bins {bins[0]} to {bins[1] - 1}"
            )
            drawn.append(
                f"drawn as its projection onto {project['onto']} ({part} of the other axis)"
            )
    names = [x[key] for key in ("name", "label", "symbol") if x[key]]
    return [
        f"{name} axis" + (f"  {' · '.join(names)}" if names else ""),
        *_fields(
            [
                ("binning", binning),
                ("bin labels", _listed(x["labels"]) if x.get("labels") else None),
                ("flow bins", ", ".join(flow) or "none"),
                ("view", None if view is None else "; ".join(drawn) or "stored bins as they are"),
            ]
        ),
    ]


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def _yields(yields: list[dict[str, Any]], x: dict[str, Any], two_d: bool = False) -> list[str]:
    """One row per yield; the flow columns only for the flow bins the axes have."""
    flows = ["flow"] if two_d else [side for side in ("underflow", "overflow") if x[side]]
    kinds = {"symmetric": "sym", "asymmetric": "asym"}
    uncounted = any(item.get("kind", "count") != "count" for item in yields)
    rows = [["name", *(["kind"] if uncounted else []), "total", *flows,
             "stat", "syst", "storage", "variations"]]  # fmt: skip
    for item in yields:
        stat = "variances" if item["variances"] else kinds.get(item["stat"], "-")
        total = item["total"]
        if total is None and item.get("overall") is not None:
            total = f"{item['overall']:.4g} overall"
        rows.append(
            [
                _short(item["name"]),
                *([item.get("kind", "count")] if uncounted else []),
                total if isinstance(total, str) else _fmt(total),
                *(_fmt(item[side]) for side in flows),
                stat,
                kinds.get(item["syst"], "-"),
                item["storage"] or "-",
                ", ".join(item["variations"]) or "-",
            ]
        )
    first = 2 if uncounted else 1
    what = "cells" if two_d else "bins"
    lines = [
        f"yields ({len(yields)}): totals over the drawn {what}; flow {what} as stored",
        *_table(rows, set(range(first, first + 1 + len(flows)))),
    ]
    lines += [
        f"  {item['name']}: {_plural(item['missing'], 'missing (null) value')}"
        for item in yields
        if item["missing"]
    ]
    return lines


def _stacks(stacks: list[dict[str, Any]]) -> list[str]:
    lines = [f"stacks ({len(stacks)}), bottom layer first"]
    for i, stack in enumerate(stacks):
        lines.append(
            f"  [{i}] {stack['type']}, error {stack['error']}, total {_fmt(stack['total'])}"
        )
        rows = [
            [_short(layer["label"]), _short(" + ".join(layer["yields"]), 48), _fmt(layer["total"])]
            for layer in stack["layers"]
        ]
        lines += _table(rows, {2}, indent="      ") if rows else []
    return lines


def _ratio(items: list[dict[str, Any]]) -> list[str]:
    lines = [f"ratio ({len(items)})"]
    for i, item in enumerate(items):
        num = " + ".join(item["numerator"])
        den = " + ".join(item["denominator"]) or "1"
        errors = f"error {item['error']}" + (
            f", den_error {item['den_error']}" if item["den_error"] else ""
        )
        label = f" {_short(item['label'])!r}" if item["label"] else ""
        lines.append(f"  [{i}]{label} {num} / {den}: {item['type']}, {errors}")
        if item["denominator"]:
            value = "-" if item["ratio"] is None else f"{item['ratio']:.4g}"
            totals = f"{_fmt(item['numerator_total'])} / {_fmt(item['denominator_total'])}"
            lines.append(f"      {value} = {totals}")
    return lines


def format_summary(summary: dict[str, Any], *, color: bool = False) -> str:
    """The summary as aligned text; ``color`` makes the headings bold (for a terminal)."""
    import click

    def heading(text: str) -> str:
        return click.style(text, bold=True) if color else text

    meta = summary["metadata"]
    first = summary.get("file")
    top = f"{first}  (histfmt {summary['format']})" if first else f"histfmt {summary['format']}"
    blocks = [
        [
            top,
            *_fields(
                [
                    ("title", meta["title"]),
                    ("author", meta["author"]),
                    ("date", meta["date"]),
                    ("tags", ", ".join(meta["tags"])),
                    ("luminosity", _quantity(meta["luminosity"])),
                    ("√s", _quantity(meta["sqrt_s"])),
                ]
            ),
        ],
        _axis(summary["x"], "x", summary["x"]["view"]),
        *([_axis(summary["y"], "y")] if summary.get("y") else []),
        _yields(summary["yields"], summary["x"], bool(summary.get("y")))
        if summary["yields"]
        else ["yields: none"],
        _stacks(summary["stacks"]) if summary["stacks"] else ["stacks: none (nothing drawn)"],
    ]
    if summary["ratio"]:
        blocks.append(_ratio(summary["ratio"]))
    if summary["graphs"]:
        rows = [
            [
                f"  {i}",
                _short(graph["label"] or "-"),
                graph["type"],
                _plural(graph["points"], "point"),
            ]
            for i, graph in enumerate(summary["graphs"])
        ]
        blocks.append([f"graphs ({len(rows)})", *_table(rows, {3}, indent="")])
    text = "\n\n".join("\n".join([heading(block[0]), *block[1:]]) for block in blocks)
    return text + "\n"
