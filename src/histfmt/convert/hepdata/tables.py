"""A HEPData data table as a document: the yields, how they are drawn, and the metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast, get_args

import numpy as np
from msgspec import UNSET, UnsetType

from histfmt.convert.hepdata.axis import (
    Variable,
    read_axis,
    read_grid_axis,
    read_points,
    read_variable,
)
from histfmt.convert.hepdata.columns import read_column
from histfmt.convert.hepdata.common import (
    NUMBERS_NOTE,
    SCALAR,
    Checker,
    Where,
    as_float,
    kind_of,
    unique,
)
from histfmt.convert.hepdata.graphs import read_graph
from histfmt.io import validate
from histfmt.model import (
    FORMAT_VERSION,
    Document,
    Energy,
    ErrorSpec,
    Luminosity,
    Stack,
    StackItem,
)

__all__ = ["from_table"]

_STACK_TYPES = ("filled", "step", "points", "band", "map")
_STACK_VALUE = re.compile(r"^(\d+) \((\w+), error ([a-z+]+)(, cell text)?(, correlated)?\)$")
_CELL_TEXT_CELLS = 100
"""A map of at most this many cells, all within [-1, 1], is drawn with its values written in."""
_DATA = re.compile(r"\b(data|observed)\b", re.IGNORECASE)


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
class _Dependent:
    """One dependent variable, its header and values checked."""

    path: Where
    title: str
    units: str
    qualifiers: list[Any]
    points: list[Any]


class _TableReader(Checker):
    """Reads one table: the axes by :mod:`.axis`, yields by :mod:`.columns`, graphs by
    :mod:`.graphs`."""

    def document(self, data: Any, entry: dict[str, Any]) -> Document:
        independents = self.get(data, "independent_variables", (), list)
        dependents = self.get(data, "dependent_variables", (), list)
        if not 1 <= len(independents) <= 2:
            raise self.unsupported(
                ("independent_variables",),
                "histfmt holds tables of one or two independent variables; this one has "
                f"{len(independents)}",
            )
        if not dependents:
            raise self.fail(("dependent_variables",), "no dependent variables")
        variables = [
            read_variable(self, variable, ("independent_variables", k))
            for k, variable in enumerate(independents)
        ]
        rows = len(variables[0].points)
        for k, variable in enumerate(variables[1:], 1):
            if len(variable.points) != rows:
                raise self.fail(
                    ("independent_variables", k, "values"),
                    f"expected {rows} values (as many as independent_variables[0]), "
                    f"got {len(variable.points)}",
                )
        columns = [self.dependent(variable, i, rows) for i, variable in enumerate(dependents)]
        if len(variables) == 1 and variables[0].kind == "points":
            doc = self.graphs(variables[0], columns)
        else:
            doc = self.histogram(variables, columns)
        self.metadata(doc, entry)
        return validate(doc, filename=self.filename)

    def dependent(self, variable: Any, i: int, rows: int) -> _Dependent:
        path: Where = ("dependent_variables", i)
        header = self.get(variable, "header", path, dict)
        title = str(self.get(header, "name", (*path, "header"), SCALAR))
        qualifiers = variable.get("qualifiers", []) or []
        if not isinstance(qualifiers, list):
            raise self.fail((*path, "qualifiers"), f"expected a list, got {kind_of(qualifiers)}")
        points = self.get(variable, "values", path, list)
        if len(points) != rows:
            raise self.fail(
                (*path, "values"),
                f"expected {rows} values (one per independent value), got {len(points)}",
            )
        units = header.get("units")
        units = units.strip() if isinstance(units, str) else ""
        return _Dependent(path, title, units, qualifiers, points)

    def grid(self, variables: list[Variable]) -> tuple[Document, list[int | None]]:
        """A 2-D document on the two variables' bins and the table row behind every cell
        (x-major, as the flattened per-bin arrays; None: a cell the table does not list)."""
        x, xbins = read_grid_axis(self, variables[0], "x")
        y, ybins = read_grid_axis(self, variables[1], "y")
        doc = Document(histfmt=FORMAT_VERSION, x=x, y=y, yields={})
        ny = doc.shape[1]
        order: list[int | None] = [None] * (doc.shape[0] * ny)
        for row, (i, j) in enumerate(zip(xbins, ybins, strict=True)):
            before = order[i * ny + j]
            if before is not None:
                cell = ", ".join(_bin_text(v.points[row]) for v in variables)
                raise self.unsupported(
                    ("independent_variables", 1, "values", row),
                    f"the bins do not form a grid: the cell ({cell}) is listed again "
                    f"(first in row {before})",
                )
            order[i * ny + j] = row
        return doc, order

    def histogram(self, variables: list[Variable], columns: list[_Dependent]) -> Document:
        """A 1-D (one variable) or 2-D (two) document: one yield per dependent variable."""
        shape: tuple[int, ...] | None = None
        if len(variables) == 2:
            doc, order = self.grid(variables)
            shape = doc.shape
        else:
            x, order = read_axis(self, variables[0])
            doc = Document(histfmt=FORMAT_VERSION, x=x, yields={})
        names: set[str] = set()
        stacks: dict[tuple[int, str, str, bool, bool], list[StackItem]] = {}
        undrawn: list[tuple[str, str]] = []
        for column in columns:
            path = column.path
            known, extra, refs, stack = self.qualifiers(
                doc, column.qualifiers, (*path, "qualifiers")
            )
            item = read_column(self, column.points, order, (*path, "values"), shape)
            base = refs if refs and "/" not in refs and " + " not in refs else column.title
            name = _unique_name(base, names)
            names.add(name)
            info: dict[str, Any] = {}
            if column.units:
                info["units"] = column.units
            if extra:
                info["qualifiers"] = extra
            label = column.title[:4096]
            item.label = label
            item.writer_info = {"hepdata": info} if info else {}
            doc.yields[name] = item
            if stack is not None and (stack[1] == "map") == (shape is not None):
                stacks.setdefault(stack, []).append(StackItem(yields=[name], label=label))
            elif stack is not None:
                info.setdefault("qualifiers", []).append(
                    next(q for q in column.qualifiers if _is_stack(q))
                )
                item.writer_info = {"hepdata": info}
            elif not known:
                undrawn.append((name, label))
        if stacks:
            doc.stacks = [
                Stack(
                    content=items,
                    type=cast(Any, kind),
                    error=cast(Any, error),
                    cell_text=cell_text,
                    correlated=correlated,
                )
                for (_, kind, error, cell_text, correlated), items in sorted(stacks.items())
            ]
        elif shape is not None and undrawn:
            self.draw_map(doc, undrawn[0])
        if shape is not None and doc.stacks:  # the colour bar: the map's header and units
            layer = doc.stacks[0].content[0]
            column = columns[list(doc.yields).index(layer.yields[0])]
            units = f" [{column.units}]" if column.units else ""
            doc.z_axis.label = (column.title.strip() + units)[:4096] or UNSET
        elif undrawn:
            data_like = [StackItem(yields=[n], label=t) for n, t in undrawn if _DATA.search(t)]
            doc.stacks = [
                Stack(content=[StackItem(yields=[n], label=t)], type="step", error="stat+syst+env")
                for n, t in undrawn
                if not _DATA.search(t)
            ]
            if data_like:
                doc.stacks.append(Stack(content=data_like, type="points", error="stat+syst+env"))
        return doc

    def draw_map(self, doc: Document, drawn: tuple[str, str]) -> None:
        """The first dependent variable as the map; values of a small table within
        [-1, 1] (efficiencies, fractions, correlations) written in the cells."""
        name, label = drawn
        values = np.asarray(doc.yields[name].values, dtype=np.float64)
        finite = values[np.isfinite(values)]
        small = values.size <= _CELL_TEXT_CELLS and finite.size > 0
        cell_text = bool(small and np.all(np.abs(finite) <= 1))
        layer = StackItem(yields=[name], label=label)
        doc.stacks = [
            Stack(content=[layer], type="map", error="stat+syst+env", cell_text=cell_text)
        ]

    def graphs(self, variable: Variable, columns: list[_Dependent]) -> Document:
        """A document of graphs alone: one per dependent variable, at the points' x."""
        x, xs = read_points(variable)
        doc = Document(histfmt=FORMAT_VERSION, x=x, yields={})
        infos: list[dict[str, Any]] = []
        for column in columns:
            _, extra, _, _ = self.qualifiers(doc, column.qualifiers, (*column.path, "qualifiers"))
            doc.graphs.append(
                read_graph(self, xs, column.points, column.title, (*column.path, "values"))
            )
            info: dict[str, Any] = {"units": column.units} if column.units else {}
            if extra:
                info["qualifiers"] = extra
            infos.append(info)
        if any(infos):
            doc.writer_info = {"hepdata": {"graphs": infos}}
        headers = {(c.title.strip(), c.units) for c in columns}
        if len(headers) == 1:
            title, units = headers.pop()
            doc.y_axis.label = (title + (f" [{units}]" if units else ""))[:4096] or UNSET
        return doc

    def metadata(self, doc: Document, entry: dict[str, Any]) -> None:
        """The submission's entry for the table: its name as the title, its description, its
        keywords (``phrases``: tags; ``cmenergies``: √s; the others in
        ``metadata.extra["keywords"]``) and ``location`` (``metadata.extra["location"]``)."""
        meta = doc.metadata
        if isinstance(entry.get("name"), str) and entry["name"].strip():
            meta.title = entry["name"].strip()[:4096]
        description = entry.get("description")
        if isinstance(description, str) and NUMBERS_NOTE.sub("", description).strip():
            meta.description = NUMBERS_NOTE.sub("", description).strip()[:65536]
        for keyword in entry.get("keywords") or []:
            if not isinstance(keyword, dict) or not isinstance(keyword.get("values"), list):
                continue
            values = keyword["values"]
            if keyword.get("name") == "phrases":
                meta.tags = unique(str(v).strip()[:256] for v in values)
            elif keyword.get("name") == "cmenergies":
                numbers = [as_float(value) for value in values]
                one = numbers[0] if len(numbers) == 1 else None
                if one is not None and one > 0 and isinstance(meta.sqrt_s, UnsetType):
                    meta.sqrt_s = _energy(one, "GeV")
            elif isinstance(keyword.get("name"), str) and keyword["name"].strip():
                kept = [v for v in values if isinstance(v, SCALAR) and not isinstance(v, bool)]
                meta.extra.setdefault("keywords", {})[keyword["name"].strip()] = kept
        if isinstance(entry.get("location"), str) and entry["location"].strip():
            meta.extra["location"] = entry["location"].strip()

    def qualifiers(
        self, doc: Document, qualifiers: list[Any], path: Where
    ) -> tuple[bool, list[Any], str, tuple[int, str, str, bool, bool] | None]:
        """Fill metadata from SQRT(S)/LUMINOSITY; return (histfmt's own?, others, YIELDS, STACK)."""
        extra: list[Any] = []
        refs, stack, known = "", None, False
        meta = doc.metadata
        for k, qualifier in enumerate(qualifiers):
            name = str(self.get(qualifier, "name", (*path, k), SCALAR)).strip()
            value = self.get(qualifier, "value", (*path, k), SCALAR)
            units = str(qualifier.get("units", "")).strip()
            number = as_float(value)
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
                number_, kind, error, cell_text, correlated = match.groups()
                if kind in _STACK_TYPES and error in get_args(ErrorSpec):
                    stack = (int(number_), kind, error, cell_text is not None, bool(correlated))
                else:
                    extra.append(dict(qualifier))
            else:
                extra.append(dict(qualifier))
        return known, extra, refs, stack


def _is_stack(qualifier: Any) -> bool:
    return isinstance(qualifier, dict) and str(qualifier.get("name", "")).strip().upper() == "STACK"


def _bin_text(point: dict[str, Any]) -> str:
    if "low" in point or "high" in point:
        return f"[{point.get('low')}, {point.get('high')}]"
    return repr(point.get("value"))


def _unique_name(base: str, taken: set[str]) -> str:
    name = re.sub(r"\s+", " ", base.replace("/", "_")).strip()[:240] or "yield"
    candidate, k = name, 1
    while candidate in taken:
        k += 1
        candidate = f"{name} {k}"
    return candidate


def _energy(value: float, unit: str) -> Energy:
    if unit == "GeV" and value >= 1000:
        return Energy(value=float(Decimal(repr(value)) / 1000), unit="TeV")
    return Energy(value=value, unit="TeV" if unit == "TeV" else "GeV")


def _lumi_unit(units: str) -> str | None:
    text = re.sub(r"[\s${}^()]", "", units).lower()
    match = re.fullmatch(r"(?:1/([npfa])b|([npfa])b-1)", text)
    return f"{match.group(1) or match.group(2)}b-1" if match else None
