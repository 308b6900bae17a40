"""The dependent variables of a HEPData table as yields: values, uncertainties, variations."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from msgspec import UNSET

from histfmt.convert.hepdata.common import SCALAR, STAT, SYST, Checker, Where, as_float, kind_of
from histfmt.model import Asymmetric, Variation, Yield

__all__ = ["point_error", "point_value", "read_column"]


@dataclass
class _Column:
    """One dependent variable, read: per-point values and uncertainty ingredients."""

    values: Any
    stat: list[Any] = field(default_factory=list)  # [up2, down2, asymmetric?] when present
    syst: list[Any] = field(default_factory=list)
    shifts: dict[str, list[Any]] = field(default_factory=dict)  # name -> [plus, minus]

    def add(self, j: int, label: str, plus: float, minus: float, seen: dict[str, int]) -> None:
        """Point ``j``'s error ``label``; ``seen`` counts the point's labels (repeats get " 2")."""
        n = len(self.values)
        if STAT.match(label) or SYST.match(label):
            parts = self.stat if STAT.match(label) else self.syst
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
        shift = self.shifts.setdefault(name, [np.zeros(n), np.zeros(n)])
        shift[0][j], shift[1][j] = plus, minus


def read_column(
    check: Checker,
    points: list[Any],
    order: list[int | None],
    path: Where,
    shape: tuple[int, ...] | None = None,
) -> Yield:
    """The dependent variable's ``points`` as a yield: ``order`` gives the table row behind
    every stored bin (None: missing), in the order of the flattened arrays of ``shape``."""
    n = len(points)
    column = _Column(values=np.full(n, np.nan))
    for j, point in enumerate(points):
        column.values[j] = point_value(check, point, (*path, j))
        errors = point.get("errors", []) if isinstance(point, dict) else []
        if errors is None:
            errors = []
        if not isinstance(errors, list):
            raise check.fail((*path, j, "errors"), f"expected a list, got {kind_of(errors)}")
        seen: dict[str, int] = {}
        for k, error in enumerate(errors):
            where = (*path, j, "errors", k)
            label, plus, minus = point_error(check, error, float(column.values[j]), where)
            column.add(j, label, plus, minus, seen)
    return _yield(column, order, shape)


def point_value(check: Checker, point: Any, path: Where) -> float:
    if not isinstance(point, dict):
        raise check.fail(path, f"expected a mapping, got {kind_of(point)}")
    if "value" not in point:
        raise check.fail(path, "missing key 'value'")
    raw = point["value"]
    if raw is None or isinstance(raw, str):
        number = as_float(raw)
        return math.nan if number is None else number  # '-', '<0.1': missing
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if math.isinf(raw):
            raise check.fail((*path, "value"), "infinite values cannot be stored")
        return float(raw)
    raise check.fail((*path, "value"), f"expected a number or a string, got {kind_of(raw)}")


def point_error(check: Checker, error: Any, value: float, path: Where) -> tuple[str, float, float]:
    """One entry of a point's ``errors``: its label, ``plus`` and ``minus``."""
    if not isinstance(error, dict):
        raise check.fail(path, f"expected a mapping, got {kind_of(error)}")
    if ("symerror" in error) == ("asymerror" in error):
        raise check.fail(path, "expected exactly one of 'symerror' and 'asymerror'")
    if "symerror" in error:
        size = _amount(check, error["symerror"], value, (*path, "symerror"))
        plus, minus = size, -size
    else:
        pair = check.get(error, "asymerror", path, dict)
        where = (*path, "asymerror")
        plus = _amount(check, check.get(pair, "plus", where, SCALAR), value, (*where, "plus"))
        minus = _amount(check, check.get(pair, "minus", where, SCALAR), value, (*where, "minus"))
    return str(error.get("label", "") or "").strip(), plus, minus


def _amount(check: Checker, raw: Any, value: float, path: Where) -> float:
    """An uncertainty: a number, a numeric string, or a percentage of ``|value|``."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if not math.isfinite(raw):
            raise check.fail(path, f"expected a finite number, got {raw}")
        return float(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return 0.0
        number = as_float(text[:-1] if text.endswith("%") else text)
        if number is not None:
            return number * abs(value) / 100 if text.endswith("%") else number
    raise check.fail(path, f"expected a number or a percentage like '5%', got {raw!r}")


def _yield(column: _Column, order: list[int | None], shape: tuple[int, ...] | None) -> Yield:
    """The column's arrays in bin order (gaps: missing), in ``shape``; NaN values carry NaN
    uncertainties."""
    picks = np.array([-1 if row is None else row for row in order], dtype=np.intp)

    def arrange(array: Any) -> Any:
        result = np.asarray(array, dtype=np.float64)[picks]
        result[picks < 0] = np.nan
        return result if shape is None else result.reshape(shape)

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
