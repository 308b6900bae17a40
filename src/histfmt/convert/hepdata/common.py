"""What export and import share: HEPData's names, error labels, small parsers, checked access."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from typing import Any

from histfmt import errors
from histfmt.errors import ValidationError

__all__ = [
    "NUMBERS_NOTE",
    "OVERFLOW_CATEGORY",
    "SCALAR",
    "STAT",
    "SUBMISSION",
    "SYST",
    "Checker",
    "Unsupported",
    "Where",
    "as_float",
    "kind_of",
    "unique",
]

OVERFLOW_CATEGORY = "__UNDETERMINED__"
SUBMISSION = "submission.yaml"
STAT = re.compile(r"^stat", re.IGNORECASE)
SYST = re.compile(r"^sys(t|tematics?)?\.?$", re.IGNORECASE)

Where = tuple[str | int, ...]
NUMBERS_NOTE = re.compile(
    r"\s*Numbers as (?:stored, bin by bin|the figure draws them) \([^()]*\)\.\s*$"
)
"""The sentence an export adds to a table's description to say which numbers it holds
(as stored, or as drawn); an import leaves it out of the document's description."""
SCALAR = (str, int, float)
_NOUNS = {str: "a string", int: "a number", float: "a number", list: "a list", dict: "a mapping"}


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value[:128] for value in values if value))


def as_float(value: Any) -> float | None:
    """A finite number from a number or numeric string; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


kind_of = functools.partial(errors.kind_of, vocabulary="yaml")
"""What a value is, in YAML's words: ``a list``, ``a mapping``, ``a number``..."""


class Unsupported(ValidationError):
    """A well-formed table that histfmt cannot hold (three independent variables, bins
    that do not form a grid): :func:`read` refuses it, a book lists it as skipped."""


class Checker:
    """Errors that name the file and the path inside the parsed table."""

    def __init__(self, filename: str | None, where: Where) -> None:
        self.filename = filename
        self.where = where

    def fail(self, path: Where, message: str) -> ValidationError:
        """The problem at ``path`` (below this table's place in its file)."""
        return ValidationError.at(self.where + path, message, filename=self.filename)

    def unsupported(self, path: Where, message: str) -> Unsupported:
        """A table histfmt cannot hold, at ``path``: skipped in a book, refused alone."""
        issue = errors.Issue(errors.format_path(self.where + path), message)
        return Unsupported([issue], filename=self.filename)

    def get(self, mapping: Any, key: str, path: Where, kind: type | tuple[type, ...]) -> Any:
        if not isinstance(mapping, dict):
            raise self.fail(path, f"expected a mapping, got {kind_of(mapping)}")
        if key not in mapping:
            raise self.fail(path, f"missing key {key!r}")
        value = mapping[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            expected = " or ".join(dict.fromkeys(_NOUNS[k] for k in kinds))
            raise self.fail((*path, key), f"expected {expected}, got {kind_of(value)}")
        return value
