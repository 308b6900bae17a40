"""A HEPData data table as a document: the yields, how they are drawn, and the metadata."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, cast, get_args

from msgspec import UnsetType

from histfmt.convert.hepdata.axis import read_axis
from histfmt.convert.hepdata.columns import read_column
from histfmt.convert.hepdata.common import SCALAR, Checker, Where, as_float, kind_of, unique
from histfmt.io import validate
from histfmt.model import Document, Energy, ErrorSpec, Luminosity, Stack, StackItem

__all__ = ["from_table"]

_STACK_TYPES = ("filled", "step", "points", "band")
_STACK_VALUE = re.compile(r"^(\d+) \((\w+), error ([a-z+]+)\)$")
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


class _TableReader(Checker):
    """Reads one table; the x axis and the columns are read by :mod:`.axis` and :mod:`.columns`."""

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
        doc, order = read_axis(self, independents[0], ("independent_variables", 0))
        rows = len(independents[0]["values"])
        names: set[str] = set()
        stacks: dict[tuple[int, str, str], list[StackItem]] = {}
        undrawn: list[tuple[str, str]] = []
        for i, variable in enumerate(dependents):
            path: Where = ("dependent_variables", i)
            header = self.get(variable, "header", path, dict)
            title = str(self.get(header, "name", (*path, "header"), SCALAR))
            qualifiers = variable.get("qualifiers", []) or []
            if not isinstance(qualifiers, list):
                raise self.fail(
                    (*path, "qualifiers"), f"expected a list, got {kind_of(qualifiers)}"
                )
            known, extra, refs, stack = self.qualifiers(doc, qualifiers, (*path, "qualifiers"))
            points = self.get(variable, "values", path, list)
            if len(points) != rows:
                raise self.fail(
                    (*path, "values"),
                    f"expected {rows} values (one per independent value), got {len(points)}",
                )
            item = read_column(self, points, order, (*path, "values"))
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
                meta.tags = unique(str(v).strip()[:256] for v in values)
            elif keyword.get("name") == "cmenergies" and isinstance(meta.sqrt_s, UnsetType):
                numbers = [as_float(value) for value in values]
                if len(numbers) == 1 and numbers[0] is not None and numbers[0] > 0:
                    meta.sqrt_s = _energy(numbers[0], "GeV")

    def qualifiers(
        self, doc: Document, qualifiers: list[Any], path: Where
    ) -> tuple[bool, list[Any], str, tuple[int, str, str] | None]:
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
                number_, kind, error = match.groups()
                if kind in _STACK_TYPES and error in get_args(ErrorSpec):
                    stack = (int(number_), kind, error)
                else:
                    extra.append(dict(qualifier))
            else:
                extra.append(dict(qualifier))
        return known, extra, refs, stack


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
