"""The histfmt errors: every failure names the file and, where it has one, the JSON path."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "HistfmtError",
    "Issue",
    "LimitError",
    "ValidationError",
    "Vocabulary",
    "format_path",
    "kind_of",
]

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def format_path(parts: Iterable[str | int]) -> str:
    """Render a JSON path: ``yields.ttbar.stat[3]``, ``yields["a.b"]``, ``$`` for the root."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.match(part):
            text += f".{part}" if text else part
        else:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"')
            text += f'["{escaped}"]'
    return text or "$"


Vocabulary = Literal["json", "yaml", "python"]
_CONTAINERS = {"json": ("an array", "an object"), "yaml": ("a list", "a mapping")}


def kind_of(value: Any, /, *, vocabulary: Vocabulary = "json") -> str:
    """What ``value`` is, for a message such as ``expected a string, got a number``.

    In the words of the format being read: ``json`` (an array, an object), ``yaml``
    (a list, a mapping) or ``python`` (the type's name: ``list``, ``dict``).
    """
    if value is None:
        return "null"
    if vocabulary == "python":
        return type(value).__name__
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    array, mapping = _CONTAINERS[vocabulary]
    if isinstance(value, list):
        return array
    if isinstance(value, dict) or vocabulary == "json":
        return mapping  # JSON has nothing else
    return type(value).__name__


@dataclass(frozen=True)
class Issue:
    """One problem in a document: where it is and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        """``{"path": ..., "message": ...}``, for JSON reports."""
        return {"path": self.path, "message": self.message}


class HistfmtError(ValueError):
    """Base class of every error histfmt raises on bad input."""

    def __init__(self, message: str, *, filename: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.filename = filename

    def __str__(self) -> str:
        return f"{self.filename}: {self.message}" if self.filename else self.message

    def as_dicts(self) -> list[dict[str, str]]:
        """Every problem as ``{"path", "message"}``; an error without a place is at ``$``."""
        return [{"path": "$", "message": self.message}]


class ValidationError(HistfmtError):
    """A document broke the schema or a semantic rule; ``issues`` lists every problem."""

    def __init__(self, issues: Sequence[Issue], *, filename: str | None = None) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(map(str, self.issues)), filename=filename)

    @classmethod
    def at(
        cls, parts: Iterable[str | int], message: str, /, *, filename: str | None = None
    ) -> ValidationError:
        """One problem at the JSON path made of ``parts`` (see :func:`format_path`)."""
        return cls([Issue(format_path(parts), message)], filename=filename)

    def __str__(self) -> str:
        prefix = f"{self.filename}: " if self.filename else ""
        return "\n".join(prefix + str(issue) for issue in self.issues)

    def as_dicts(self) -> list[dict[str, str]]:
        return [issue.as_dict() for issue in self.issues]


class LimitError(ValidationError):
    """An input beyond one of the reader's limits (:class:`histfmt.limits.Limits`);
    ``limit`` is the name of that limit (``depth``, ``bins``, ...)."""

    def __init__(
        self, issues: Sequence[Issue], *, filename: str | None = None, limit: str = ""
    ) -> None:
        super().__init__(issues, filename=filename)
        self.limit = limit

    @classmethod
    def at(
        cls,
        parts: Iterable[str | int],
        message: str,
        /,
        *,
        filename: str | None = None,
        limit: str = "",
    ) -> LimitError:
        """One limit exceeded at the JSON path made of ``parts``."""
        return cls([Issue(format_path(parts), message)], filename=filename, limit=limit)

    def named(self, filename: str | None) -> LimitError:
        """The same refusal, naming ``filename``."""
        return LimitError(self.issues, filename=filename, limit=self.limit)
