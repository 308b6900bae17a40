"""The database tables, in SQLAlchemy Core: the same definitions serve SQLite and PostgreSQL;
their creation and upgrade; and :class:`Database`, the engine every part of the storage
shares.

The backend comes from the database URL: ``sqlite:///path`` (the default, a file in
the instance folder; opened in WAL mode with ``synchronous=NORMAL``, see
:func:`_sqlite_pragmas`) or ``postgresql://...`` (run with psycopg 3).
:meth:`Database.init_schema` creates missing tables, and on databases made by an earlier
version also the indexes and (PostgreSQL) the ``search_vector`` column added since:
adding the stored column rewrites ``plots`` once, under a lock, at start-up.

PostgreSQL only: ``plots.search_vector``, a stored generated ``tsvector`` column
(``to_tsvector('simple', search)``) with the GIN index ``ix_plots_search_vector``. It is
not part of the ``plots`` Table (SQLite has no ``to_tsvector``): ``metadata.create_all``
adds both with DDL run right after ``CREATE TABLE plots`` on PostgreSQL, and
:func:`postgresql_search_ddl` gives the same statements (``IF NOT EXISTS``) for a
database made before they existed. Queries refer to it as :data:`plots_search_vector`.

The indexes of ``plots`` follow the queries of ``search.py``: one per sort order,
ending with ``id`` (the tie-breaker), so a page is read in order from an index and the
visibility test ("public", or "public or mine") filters it on the way; ``owner_id``;
``collection_id`` with the creation order for a collection's plots. The sort indexes do
not start with ``visibility``: measured on 10,000 plots, SQLite (which has no statistics
unless ANALYZE is run) then chose the two-valued ``visibility`` prefix over the
collection index and over the order, and neither backend could use it for "public or
mine". The author filter is a substring ``LIKE``, which no B-tree index serves.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
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
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex

__all__ = [
    "SEARCH_CONFIG",
    "Database",
    "collections",
    "engine_url",
    "metadata",
    "now",
    "plot_tags",
    "plots",
    "plots_search_vector",
    "postgresql_search_ddl",
    "tokens",
    "users",
    "versions",
]

SEARCH_CONFIG = "simple"  # the text search configuration; see search.py for the choice
SCHEMA_ATTEMPTS = 5
SCHEMA_LOCK = 0x68697374  # PostgreSQL advisory lock key of schema creation ("hist")

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


def engine_url(url: str) -> str:
    """``postgresql://`` (and ``postgres://``) run on psycopg 3; other URLs as given."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def now() -> datetime:
    """The time of a write, in UTC."""
    return datetime.now(timezone.utc)


class Database:
    """A connection pool to a database of these tables; the base of every storage part."""

    def __init__(self, url: str) -> None:
        url = engine_url(url)
        options: dict[str, Any] = {}
        if url.startswith("sqlite"):
            options["connect_args"] = {"timeout": 30, "check_same_thread": False}
        self.engine: Engine = sa.create_engine(url, **options)
        if url.startswith("sqlite"):
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self.reader: Engine = self.engine
        """The engine of lookups of a single ``SELECT`` (same pool): on PostgreSQL in
        autocommit, one round trip instead of three (``BEGIN``, the query, ``ROLLBACK``);
        a single statement sees one snapshot either way."""
        if not url.startswith("sqlite"):
            self.reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.url = url

    def init_schema(self) -> None:
        """Create the tables that do not exist yet, and in a database made by an earlier
        version the indexes (and PostgreSQL's ``plots.search_vector``) it lacks.

        Several processes may start at once (gunicorn workers): on PostgreSQL an
        advisory lock lets one create while the others wait; on SQLite a losing
        process retries after the winner's commit.
        """
        for attempt in range(SCHEMA_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(SCHEMA_LOCK)))
                    _create_schema(conn)
                return
            except sa.exc.DBAPIError:
                if attempt == SCHEMA_ATTEMPTS - 1:
                    raise
                time.sleep(0.1 * (attempt + 1))

    def close(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Write-ahead log and ``synchronous=NORMAL`` on every new SQLite connection.

    In WAL mode a commit appends to the log without waiting for the disk; the log is
    synced at checkpoints. A committed transaction survives a crash of the process
    (gunicorn killed with ``-9``); a power cut or an OS crash can lose the last few
    commits, never corrupt the database. With the default rollback journal every
    commit waited for two syncs (~16 ms here). An in-memory database stays as it is.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _create_schema(conn: sa.Connection) -> None:
    metadata.create_all(conn)
    inspector = sa.inspect(conn)
    for table in metadata.sorted_tables:
        present = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in present:
                conn.execute(CreateIndex(index, if_not_exists=True))
    if conn.dialect.name == "postgresql":
        columns = {column["name"] for column in inspector.get_columns("plots")}
        indexes = {index["name"] for index in inspector.get_indexes("plots")}
        if "search_vector" not in columns or "ix_plots_search_vector" not in indexes:
            for statement in postgresql_search_ddl():
                conn.execute(sa.text(statement))
