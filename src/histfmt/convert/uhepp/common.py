"""What import and export share: key paths, errors, the type and error tables, versions, tags."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from histfmt import errors
from histfmt.errors import ValidationError

__all__ = [
    "ERRORS_IN",
    "ERRORS_OUT",
    "TYPES_IN",
    "TYPES_OUT",
    "Where",
    "kind_of",
    "old_version",
    "problem",
    "tag_list",
]

Where = tuple[str | int, ...]
TYPES_IN = {"stepfilled": "filled", "step": "step", "points": "points"}
TYPES_OUT = {"filled": "stepfilled", "step": "step", "points": "points", "band": "step"}
_ERRORS = ("stat", "syst", "env", "stat+syst", "stat+env", "syst+env", "stat+syst+env")
ERRORS_IN = {"no": "none", **{e: e for e in _ERRORS}}
ERRORS_OUT = {"none": "no", "poisson": "stat", **{e: e for e in _ERRORS}}


def problem(where: Where, message: str) -> ValidationError:
    return ValidationError.at(where, message)


kind_of = functools.partial(errors.kind_of, vocabulary="python")
"""What a value is, by its type's name (``list``, ``dict``), as uhepp's own messages say."""


def old_version(version: Any) -> bool:
    try:
        return not isinstance(version, bool) and float(version) < 1
    except (TypeError, ValueError):
        return False


def tag_list(tags: Mapping[str, Any]) -> list[str]:
    """uhepp tags as histfmt keywords: ``key=value``, or ``key`` for an empty value."""
    found = (
        f"{key}={value}" if value not in (None, "") else str(key) for key, value in tags.items()
    )
    return [tag for tag in found if 0 < len(tag) <= 256]
