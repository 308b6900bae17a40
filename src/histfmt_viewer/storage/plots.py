"""Plots and their versions: every upload is a new version, and old ones stay readable.

Every write is one transaction. A new version bumps ``plots.latest`` with an ``UPDATE``
first, which locks the plot row (PostgreSQL) or the database (SQLite) until commit, so
concurrent updates get consecutive numbers; the primary key ``(plot_id, number)`` guards
it too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from histfmt_viewer.storage.recent import Recent
from histfmt_viewer.storage.rows import NotFound, Plot, PlotInfo, User, Version, VersionDocument
from histfmt_viewer.storage.tables import Database, now, plot_tags, plots, users, versions

__all__ = ["Plots", "insert_plots", "select_plots"]


def select_plots() -> sa.Select[Any]:
    """The columns of :class:`Plot`: a plot with its owner's name (not its search text)."""
    columns = [c for c in plots.c if c.name != "search"]
    return sa.select(*columns, users.c.name.label("owner")).join(
        users, users.c.id == plots.c.owner_id
    )


def insert_plots(
    conn: sa.Connection,
    owner: User,
    entries: Sequence[tuple[PlotInfo, str]],
    *,
    visibility: str,
    collection_id: int | None,
    written: list[dict[str, Any]] | None = None,
) -> list[str]:
    """Insert each ``(info, document)`` as version 1 of a new plot, in ``conn``'s
    transaction; returns the new ids in the order given (and the ``plots`` rows in
    ``written`` when given).

    The first plot is the newest, each next one a microsecond older: the newest-first
    lists (the default everywhere) show them in the order given.
    """
    created = now()
    rows, tag_rows, version_rows = [], [], []
    for index, (info, document) in enumerate(entries):
        plot_id = str(uuid.uuid4())
        moment = created - timedelta(microseconds=index)
        rows.append({
            "id": plot_id, "owner_id": owner.id, "collection_id": collection_id,
            "visibility": visibility, "created": moment, "updated": moment, "latest": 1,
            **_fields(info),
        })  # fmt: skip
        tag_rows += [{"plot_id": plot_id, "tag": tag} for tag in dict.fromkeys(info.tags)]
        version_rows.append(
            {"plot_id": plot_id, "number": 1, "document": document, "created": moment}
        )
    if len(rows) == 1:  # one row: a plain execute (a list is an executemany: on
        conn.execute(_INSERT_PLOT, rows[0])  # PostgreSQL a pipeline, more round trips)
        conn.execute(_INSERT_VERSION, version_rows[0])
    elif rows:
        conn.execute(_INSERT_PLOT, rows)
        conn.execute(_INSERT_VERSION, version_rows)
    if tag_rows and conn.dialect.name == "postgresql":  # one statement, one round trip
        plot_ids, tags = [row["plot_id"] for row in tag_rows], [row["tag"] for row in tag_rows]
        conn.execute(_INSERT_TAGS_POSTGRESQL, {"plot_ids": plot_ids, "tags": tags})
    elif tag_rows:  # SQLite's executemany is one C loop
        conn.execute(_INSERT_TAG, tag_rows)
    if written is not None:
        written += rows
    return [row["id"] for row in rows]


# built once: the plot lookup runs on every page and image request, the inserts on
# every upload (building a statement cost as much as running it)
_PLOT_BY_ID = select_plots().where(plots.c.id == sa.bindparam("plot_id"))
_INSERT_PLOT = plots.insert()
_INSERT_VERSION = versions.insert()
_INSERT_TAG = plot_tags.insert()
# psycopg runs an executemany as a pipeline (several round trips and much Python), and
# SQLAlchemy compiles an INSERT of many VALUES anew each time: two arrays, unnested
_INSERT_TAGS_POSTGRESQL = sa.text(
    "INSERT INTO plot_tags (plot_id, tag) "
    "SELECT * FROM unnest(CAST(:plot_ids AS text[]), CAST(:tags AS text[]))"
)


class Plots(Database):
    """Plots, their versions and tags."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.recent_plots: Recent[str, Plot] = Recent()

    def create_plot(
        self,
        owner: User,
        info: PlotInfo,
        document: str,
        *,
        visibility: str = "public",
        collection_id: int | None = None,
    ) -> str:
        """Store ``document`` as version 1 of a new plot; returns the plot's id."""
        written: list[dict[str, Any]] = []
        with self.engine.begin() as conn:
            (plot_id,) = insert_plots(
                conn, owner, [(info, document)], visibility=visibility,
                collection_id=collection_id, written=written,
            )  # fmt: skip
        # committed: the row as read back, without reading it (the upload's answer shows it)
        self.recent_plots.put(plot_id, Plot.from_mapping({**written[0], "owner": owner.name}))
        return plot_id

    def add_version(self, plot_id: str, info: PlotInfo, document: str) -> int:
        """Store ``document`` as the next version of ``plot_id``; returns its number.

        Raises :class:`NotFound` when there is no such plot.
        """
        updated = now()
        with self.engine.begin() as conn:
            conn.execute(  # first: takes the lock that serialises concurrent updates
                plots.update()
                .where(plots.c.id == plot_id)
                .values(latest=plots.c.latest + 1, updated=updated, **_fields(info))
            )
            number = conn.scalar(sa.select(plots.c.latest).where(plots.c.id == plot_id))
            if number is None:
                raise NotFound("plot", plot_id)
            _set_tags(conn, plot_id, info.tags)
            conn.execute(
                versions.insert().values(
                    plot_id=plot_id, number=number, document=document, created=updated
                )
            )
        self.recent_plots.forget(plot_id)
        return int(number)

    def delete_plot(self, plot_id: str) -> None:
        """Remove a plot with all its versions and tags."""
        with self.engine.begin() as conn:
            conn.execute(versions.delete().where(versions.c.plot_id == plot_id))
            conn.execute(plot_tags.delete().where(plot_tags.c.plot_id == plot_id))
            conn.execute(plots.delete().where(plots.c.id == plot_id))
        self.recent_plots.forget(plot_id)

    def get_plot(self, plot_id: str) -> Plot | None:
        """The plot; None when there is none of that id."""
        with self.reader.connect() as conn:
            row = conn.execute(_PLOT_BY_ID, {"plot_id": plot_id}).first()
        return None if row is None else Plot.from_row(row)

    def recent_plot(self, plot_id: str) -> Plot | None:
        """The plot as this process read it at most ``recent_plots.max_age`` seconds ago
        (see ``recent.py``: its owner and visibility are current, its title and newest
        version number may be that old); None when there is none of that id."""
        row = self.recent_plots.get(plot_id)
        if row is None:
            row = self.get_plot(plot_id)
            if row is not None:
                self.recent_plots.put(plot_id, row)
        return row

    def get_version(self, plot_id: str, number: int | None = None) -> VersionDocument | None:
        """One version (the newest when ``number`` is None) with its document text."""
        query = sa.select(versions).where(versions.c.plot_id == plot_id)
        if number is None:
            query = query.order_by(versions.c.number.desc()).limit(1)
        else:
            query = query.where(versions.c.number == number)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else VersionDocument.from_row(row)

    def list_versions(self, plot_id: str) -> list[Version]:
        """The versions of a plot, oldest first, without their documents."""
        query = (
            sa.select(versions.c.number, versions.c.created)
            .where(versions.c.plot_id == plot_id)
            .order_by(versions.c.number)
        )
        with self.engine.connect() as conn:
            return [Version.from_row(row) for row in conn.execute(query)]


def _fields(info: PlotInfo) -> dict[str, Any]:
    return {
        "title": info.title[:300],
        "author": info.author[:300],
        "tags": json.dumps(list(info.tags)),
        "search": info.search.lower(),
    }


def _set_tags(conn: sa.Connection, plot_id: str, tags: tuple[str, ...]) -> None:
    conn.execute(plot_tags.delete().where(plot_tags.c.plot_id == plot_id))
    unique = list(dict.fromkeys(tags))
    if unique:
        conn.execute(plot_tags.insert(), [{"plot_id": plot_id, "tag": t} for t in unique])
