"""The database tables, in SQLAlchemy Core: the same definitions serve SQLite and PostgreSQL.

PostgreSQL only: ``plots.search_vector``, a stored generated ``tsvector`` column
(``to_tsvector('simple', search)``) with the GIN index ``ix_plots_search_vector``. It is
not part of the ``plots`` Table (SQLite has no ``to_tsvector``): ``metadata.create_all``
adds both with DDL run right after ``CREATE TABLE plots`` on PostgreSQL, and
:func:`postgresql_search_ddl` gives the same statements (``IF NOT EXISTS``) for a
database made before they existed. Queries refer to it as :data:`plots_search_vector`.

The indexes of ``plots`` follow the queries of ``Storage.search``: one per sort order,
ending with ``id`` (the tie-breaker), so a page is read in order from an index and the
visibility test ("public", or "public or mine") filters it on the way; ``owner_id``;
``collection_id`` with the creation order for a collection's plots. The sort indexes do
not start with ``visibility``: measured on 10,000 plots, SQLite (which has no statistics
unless ANALYZE is run) then chose the two-valued ``visibility`` prefix over the
collection index and over the order, and neither backend could use it for "public or
mine". The author filter is a substring ``LIKE``, which no B-tree index serves.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

__all__ = [
    "SEARCH_CONFIG",
    "collections",
    "metadata",
    "plot_tags",
    "plots",
    "plots_search_vector",
    "postgresql_search_ddl",
    "tokens",
    "users",
    "versions",
]

SEARCH_CONFIG = "simple"  # the text search configuration; see storage.py for the choice

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
)

tokens = Table(
    "tokens",
    metadata,
    Column("hash", String(64), primary_key=True),  # sha256 hex digest; never the token itself
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
)

collections = Table(
    "collections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("owner_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("visibility", String(16), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
)

plots = Table(
    "plots",
    metadata,
    Column("id", String(36), primary_key=True),  # a UUID
    Column("owner_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("collection_id", Integer, ForeignKey("collections.id"), nullable=True),
    Column("visibility", String(16), nullable=False),
    Column("title", String(300), nullable=False),
    Column("author", String(300), nullable=False),
    Column("tags", Text, nullable=False),  # JSON list, for display; filtering uses plot_tags
    Column("created", DateTime(timezone=True), nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
    Column("search", Text, nullable=False),  # lowercased text for LIKE search
    Column("latest", Integer, nullable=False),  # number of the newest version
    Index("ix_plots_updated", "updated", "id"),
    Index("ix_plots_created", "created", "id"),
    Index("ix_plots_title", "title", "id"),
    Index("ix_plots_owner_id", "owner_id"),
    Index("ix_plots_collection_created", "collection_id", "created", "id"),
)

plots_search_vector = sa.literal_column("plots.search_vector", TSVECTOR)
"""The full-text column of ``plots``; PostgreSQL only (it does not exist on SQLite)."""


def postgresql_search_ddl() -> list[str]:
    """The statements that add ``plots.search_vector`` and its GIN index (idempotent)."""
    return [
        "ALTER TABLE plots ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS "
        f"(to_tsvector('{SEARCH_CONFIG}'::regconfig, search)) STORED",
        "CREATE INDEX IF NOT EXISTS ix_plots_search_vector ON plots USING gin (search_vector)",
    ]


@sa.event.listens_for(plots, "after_create")
def _add_search_vector(target: Table, connection: sa.Connection, **kw: Any) -> None:
    if connection.dialect.name == "postgresql":
        for statement in postgresql_search_ddl():
            connection.execute(sa.text(statement))


plot_tags = Table(
    "plot_tags",
    metadata,
    Column("plot_id", String(36), ForeignKey("plots.id"), nullable=False),
    Column("tag", String(256), nullable=False),
    PrimaryKeyConstraint("plot_id", "tag"),
    Index("ix_plot_tags_tag", "tag"),
)

versions = Table(
    "versions",
    metadata,
    Column("plot_id", String(36), ForeignKey("plots.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("document", Text, nullable=False),  # as written by histfmt.dumps
    Column("created", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("plot_id", "number"),  # version numbers are unique per plot
)
