"""Checked access to parsed uhepp data: objects, lists, numbers, yield names, enumerations.

Each helper takes the uhepp key path of the value, so its error names where the problem is.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from histfmt.convert.uhepp.common import Where, kind_of, problem

__all__ = [
    "as_list",
    "as_number",
    "as_numbers",
    "as_object",
    "copy_key",
    "enum_of",
    "items_of",
    "yield_refs",
]


def as_object(value: Any, where: Where) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise problem(where, f"expected an object, got {kind_of(value)}")
    return value


def as_list(value: Any, where: Where) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise problem(where, f"expected a list, got {kind_of(value)}")
    return value


def items_of(data: dict[str, Any], key: str) -> Iterable[tuple[int, dict[str, Any]]]:
    for i, item in enumerate(as_list(data.get(key), (key,))):
        yield i, as_object(item, (key, i))


def copy_key(source: Mapping[str, Any], target: dict[str, Any], key: str, to: str = "") -> None:
    """Copy ``source[key]`` to ``target[to or key]`` unless it is missing or null."""
    if source.get(key) is not None:
        target[to or key] = source[key]


def as_numbers(value: Any, where: Where) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A list of numbers (numeric strings and NaN accepted, null is NaN) as a float array."""
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            array = None
        if array is not None and array.ndim == 1:
            infinite = np.flatnonzero(np.isinf(array))
            if infinite.size:
                raise problem((*where, int(infinite[0])), "infinite values cannot be stored")
            return array
        for i, item in enumerate(value):
            if item is not None:
                as_number(item, (*where, i), allow_nan=True)
    raise problem(where, f"expected a list of numbers, got {kind_of(value)}")


def as_number(value: Any, where: Where, *, allow_nan: bool = False) -> float:
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
        raise problem(where, f"expected a finite number, got {value!r}")
    return int(value) if isinstance(value, numbers.Integral) else number


def yield_refs(value: Any, where: Where, *, required: bool = True) -> list[Any]:
    """Yield names: a list, or a bare string meaning one name (uhepp splits it)."""
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list):
        return value
    if not value and not required:
        return []
    if value is None:
        raise problem(where, "required key missing")
    raise problem(where, f"expected a list of yield names, got {kind_of(value)}")


def enum_of(value: Any, mapping: Mapping[str, str], where: Where, what: str) -> str:
    if isinstance(value, str) and value in mapping:
        return mapping[value]
    raise problem(where, f"{value!r} is not a uhepp {what} ({', '.join(mapping)})")
