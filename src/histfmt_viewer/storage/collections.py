"""Collections of plots: create, read, list, delete."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from histfmt_viewer.storage.rows import Collection, User
from histfmt_viewer.storage.tables import Database, collections, now, plots, users

__all__ = ["Collections", "insert_collection"]


def insert_collection(
    conn: sa.Connection, owner: User, title: str, description: str, visibility: str
) -> int:
    """Insert a collection of ``owner`` in ``conn``'s transaction; returns its id."""
    result = conn.execute(
        collections.insert().values(
            owner_id=owner.id,
            title=title,
            description=description,
            visibility=visibility,
            created=now(),
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def _select(viewer: User | None = None) -> sa.Select[Any]:
    """Collections with their owner's name and their count of the plots ``viewer`` may
    see: the public ones and ``viewer``'s own."""
    seen = plots.c.visibility == "public"
    if viewer is not None:
        seen = seen | (plots.c.owner_id == viewer.id)
    count = (
        sa.select(sa.func.count())
        .where(plots.c.collection_id == collections.c.id, seen)
        .scalar_subquery()
        .label("plot_count")
    )
    return sa.select(collections, users.c.name.label("owner"), count).join(
        users, users.c.id == collections.c.owner_id
    )


class Collections(Database):
    """Collections of plots."""

    def create_collection(self, owner: User, title: str, description: str, visibility: str) -> int:
        """A new collection of ``owner``; returns its id."""
        with self.engine.begin() as conn:
            return insert_collection(conn, owner, title, description, visibility)

    def delete_collection(self, collection_id: int) -> None:
        """Remove a collection; its plots stay, outside any collection."""
        with self.engine.begin() as conn:
            conn.execute(
                plots.update()
                .where(plots.c.collection_id == collection_id)
                .values(collection_id=None)
            )
            conn.execute(collections.delete().where(collections.c.id == collection_id))

    def get_collection(self, collection_id: int) -> Collection | None:
        """The collection; None when there is none of that id."""
        with self.engine.connect() as conn:
            row = conn.execute(_select().where(collections.c.id == collection_id)).first()
        return None if row is None else Collection.from_row(row)

    def list_collections(self, viewer: User | None) -> list[Collection]:
        """The public collections and ``viewer``'s own, oldest first, each with the count
        of the plots ``viewer`` may see in it."""
        visible = collections.c.visibility == "public"
        if viewer is not None:
            visible = visible | (collections.c.owner_id == viewer.id)
        query = _select(viewer).where(visible).order_by(collections.c.id)
        with self.engine.connect() as conn:
            return [Collection.from_row(row) for row in conn.execute(query)]
