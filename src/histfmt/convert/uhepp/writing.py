"""histfmt -> uhepp: a document as uhepp 0.4 data, with made-up yields where uhepp has gaps."""

from __future__ import annotations

from typing import Any

import numpy as np
from msgspec import UnsetType

from histfmt.convert.uhepp.common import ERRORS_OUT
from histfmt.convert.uhepp.fields import (
    drawn_out,
    fresh,
    limits,
    lines_out,
    metadata_out,
    num,
    put,
    style_out,
    symmetric,
    text,
)
from histfmt.errors import ValidationError
from histfmt.io import validate
from histfmt.model import Document, Graph, Yield

__all__ = ["Export", "export_document", "to_uhepp"]

_ITEM_STYLE = ("color", "edgecolor", "linestyle", "linewidth", "markersize")
_GRAPH_STYLE = ("color", "edgecolor", "linestyle", "linewidth", "marker")


def to_uhepp(doc: Document, /) -> dict[str, Any]:
    """The document as uhepp 0.4 data (plain dicts and lists) that uhepp 0.5.2 renders."""
    return export_document(doc).data


def export_document(doc: Document) -> Export:
    validate(doc)
    if not isinstance(doc.y, UnsetType):
        raise ValidationError.at(("y",), "uhepp holds 1-D histograms only, not 2-D maps")
    if not doc.x.binned:
        raise ValidationError.at(("x",), "uhepp needs bins; a plot of graphs alone has none")
    if isinstance(doc.x.edges, UnsetType):
        raise ValidationError.at(("x",), "uhepp has numeric bin edges only, not categories")
    if doc.ratio_axis.kind == "pull":
        raise ValidationError.at(
            ("ratio_axis", "kind"), "uhepp draws ratios and differences, not pulls"
        )
    export = Export(doc)
    export.data = export.convert()
    return export


class Export:
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
        stat = symmetric(item.stat)
        if stat is None and not isinstance(item.variances, UnsetType):
            stat = np.sqrt(np.asarray(item.variances))
        for key, value in (("stat", stat), ("syst", symmetric(item.syst))):
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
                self.copies[ref] = fresh(f"{name}_{source}_{side}", self.yields)
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
            self.unity = fresh("unity", self.yields)
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
                    "label": text(layer.label),
                    "yield": self.names(layer.yields, stack.error),
                }
                style_out(item, layer.style, _ITEM_STYLE)
                content.append(item)
            result.append({**drawn_out(stack), "content": content})
        return result

    def ratio(self) -> list[dict[str, Any]]:
        result = []
        for entry in self.doc.ratio:
            den_error = entry.error if isinstance(entry.den_error, UnsetType) else entry.den_error
            item = drawn_out(entry)
            item["numerator"] = self.names(entry.numerator, entry.error)
            # uhepp 0.5.2 crashes without a denominator: divide by an explicit 1
            item["denominator"] = self.names(entry.denominator, den_error) or [self.unity_name()]
            if ERRORS_OUT[den_error] != item["error"]:
                item["den_error"] = ERRORS_OUT[den_error]
            style_out(item, entry.style, _ITEM_STYLE)
            result.append(item)
        return result

    def convert(self) -> dict[str, Any]:
        doc, x = self.doc, self.doc.x
        stacks, ratio = self.stacks(), self.ratio()
        for name in self.poisson & set(doc.yields):  # Poisson: sqrt(N) where no stat is known
            if "stat" not in self.yields[name]:
                values = np.clip(doc.yields[name].values, 0, None)
                self.yields[name]["stat"] = self.full(np.sqrt(values))
        variable: dict[str, Any] = {"symbol": text(x.symbol) or ""}
        label = text(x.label) or (None if text(x.symbol) else text(x.name))
        put(variable, name=label, unit=text(x.unit))
        put(variable, unit_in_brackets=x.unit_in_brackets or None, log=x.log or None)
        view = doc.view
        bins: dict[str, Any] = {"edges": self.edges.tolist()}
        put(bins, rebin=None if self.rebin is None else self.rebin.tolist())
        put(bins, density_width=num(view.density_width))
        put(bins, include_underflow=view.include_underflow or None)
        put(bins, include_overflow=view.include_overflow or None)
        result: dict[str, Any] = {
            "version": "0.4",
            "type": "histogram",
            "metadata": metadata_out(doc),
            "badge": {"brand": None},
            "variable": variable,
            "bins": bins,
            "yields": self.yields,
            "stacks": stacks,
            "ratio": ratio,
            "y_axis": limits(
                doc.y_axis, append_unit=doc.y_axis.append_unit or None, log=doc.y_axis.log or None
            ),
            "ratio_axis": limits(
                doc.ratio_axis, diff=doc.ratio_axis.kind == "difference", log=doc.ratio_axis.log
            ),
        }
        if not isinstance(doc.badge, UnsetType):
            result["badge"]["brand"] = text(doc.badge.brand)
            put(result["badge"], label=text(doc.badge.label), subtext=text(doc.badge.subtext))
        size = doc.layout.size
        layout: dict[str, Any] = {}
        put(layout, size=None if isinstance(size, UnsetType) else list(size))
        put(layout, ratio_fraction=num(doc.layout.ratio_fraction))
        put(result, layout=layout or None)
        put(result, v_lines=lines_out(doc.v_lines, "x"), h_lines=lines_out(doc.h_lines, "y"))
        put(result, graphs=[self.graph(graph) for graph in doc.graphs] or None)
        return result

    def graph(self, graph: Graph) -> dict[str, Any]:
        out: dict[str, Any] = {"x": self.plain(graph.x), "y": self.plain(graph.y)}
        for key in ("x_errors", "y_errors"):
            errors = symmetric(getattr(graph, key))
            if errors is not None and errors.size:
                out[key] = self.plain(errors)
        put(out, label=text(graph.label) or None)
        out["type"] = graph.type
        style_out(out, graph.style, _GRAPH_STYLE)
        return out
