"""What the storage hands out: typed, immutable rows, and the error for a missing one.

A row reads by attribute (``plot.title``) and, like the dict rows it replaces, as a
read-only mapping of its fields (``plot["title"]``, ``set(plot)``), so templates and
scripts written for either keep working. Times are aware datetimes in UTC (SQLite gives
them back naive).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any, TypeVar

from histfmt.errors import HistfmtError

__all__ = [
    "VISIBILITIES",
    "Collection",
    "NotFound",
    "Plot",
    "PlotInfo",
    "User",
    "Version",
    "VersionDocument",
]

VISIBILITIES = ("public", "private")
"""Who sees a plot or a collection: everyone, or its owner alone."""

R = TypeVar("R", bound="Row")


class NotFound(HistfmtError, LookupError):
    """A plot, version, collection or user that does not exist.

    A :class:`~histfmt.errors.HistfmtError`, as every failure of histfmt is (one
    ``except`` and one reporter for all), and a :class:`LookupError`, which is what it
    is: code that caught the ``KeyError`` of earlier versions with ``LookupError``
    still does.
    """

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"no such {kind}: {key!r}")
        self.kind = kind
        self.key = key


class Row:
    """Base of the rows: attributes, plus a read-only mapping face over the fields."""

    __slots__ = ()

    def __getitem__(self, name: str) -> Any:
        if name not in _field_names(type(self)):
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(_field_names(type(self)))

    def keys(self) -> tuple[str, ...]:
        """The field names (so that ``dict(row)`` works)."""
        return _field_names(type(self))

    @classmethod
    def from_row(cls: type[R], row: Any) -> R:
        """The row of a SQLAlchemy result: its columns named as the fields."""
        return cls.from_mapping(row._mapping)

    @classmethod
    def from_mapping(cls: type[R], mapping: Mapping[str, Any]) -> R:
        """The row of column values by name (as written or as read)."""
        make: Any = cls
        result: R = make(**{name: _value(name, mapping[name]) for name in _field_names(cls)})
        return result


def _field_names(cls: type[Row]) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))  # type: ignore[arg-type]


def _value(name: str, value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    if name == "tags" and isinstance(value, str):  # a JSON list in plots.tags
        return tuple(json.loads(value))
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class User(Row):
    """An account: tokens sign it in, and it owns plots and collections."""

    id: int
    name: str


@dataclasses.dataclass(frozen=True, slots=True)
class Plot(Row):
    """A plot as listed and searched: its newest version's metadata, without the document."""

    id: str
    owner_id: int
    collection_id: int | None
    visibility: str
    title: str
    author: str
    tags: tuple[str, ...]
    created: datetime
    updated: datetime
    latest: int  # the number of the newest version
    owner: str  # the owner's name


@dataclasses.dataclass(frozen=True, slots=True)
class Version(Row):
    """One version of a plot, as listed in its history."""

    number: int
    created: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class VersionDocument(Version):
    """One version of a plot with its document (the text ``histfmt.dumps`` wrote)."""

    plot_id: str
    document: str


@dataclasses.dataclass(frozen=True, slots=True)
class Collection(Row):
    """A collection of plots; ``plot_count`` counts its public plots (in a list, the
    plots its reader may see)."""

    id: int
    owner_id: int
    title: str
    description: str
    visibility: str
    created: datetime
    owner: str  # the owner's name
    plot_count: int


@dataclasses.dataclass(frozen=True)
class PlotInfo:
    """What the database keeps beside a document, for listing and searching."""

    title: str
    author: str
    tags: tuple[str, ...]
    search: str
