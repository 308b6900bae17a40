"""Storage of users, tokens, collections, plots and their versions (SQLAlchemy Core).

The backend comes from the database URL: ``sqlite:///path`` (the default, a file in
the instance folder) or ``postgresql://...`` (run with psycopg 3). Every write is one
transaction. A new version bumps ``plots.latest`` with an ``UPDATE`` first, which locks
the plot row (PostgreSQL) or the database (SQLite) until commit, so concurrent updates
get consecutive numbers; the primary key ``(plot_id, number)`` guards it too. A new user
is inserted with ``ON CONFLICT DO NOTHING`` (``INSERT OR IGNORE``) and then selected, so
concurrent first tokens of one name all get the one row.

Search (``q``): every word of the query must match, case-insensitively, in the plot's
search text (title, author, tags, description, selection, axis and yield names and
labels; see ``documents.plot_info``).

* SQLite: the word occurs anywhere in the text (``LIKE '%word%'``, wildcards literal).
* PostgreSQL: full-text search on ``plots.search_vector`` (a stored generated
  ``tsvector`` with a GIN index, see ``schema.py``). Each word is split into lexemes by
  PostgreSQL's own parser (the same one that made the documents' vectors: ``m_ll`` is
  ``m`` and ``ll``, ``b-tag`` is ``b-tag``, ``b`` and ``tag``), and every lexeme must be
  the prefix of a lexeme of the plot (``'lexeme':*``), so "tt" finds "ttbar" as one
  expects of a search box. The query is assembled from quoted lexemes and cast to
  ``tsquery``: user input is never parsed as tsquery syntax, so no input can make a
  syntax error. A word without lexemes (only punctuation, such as ``%``) falls back to
  ``LIKE`` as on SQLite.

  The configuration is ``simple`` (lowercase, no stemming, no stop words), not
  ``english``: plot titles are physics names (ttbar, Zjets, m_ll, MET, pT) rather than
  prose; stemming would mangle them ("jets" and "jet" merge, but so do unrelated
  abbreviations) and would make the prefix matching unpredictable (the stem of "tagging"
  is "tag", so "taggi" would not find it), and English stop words drop real names
  ("a", "in", "on", "at"). With ``simple`` a PostgreSQL match is a word-prefix match, a
  subset of SQLite's substring match: ordinary words and word beginnings find the same
  plots on both backends; only the middle or the end of a word ("bar" in "ttbar") is
  found by SQLite alone.

Results keep the requested sort order (no relevance ranking). ``Storage.init_schema``
creates missing tables, and on databases made by an earlier version also the indexes
and (PostgreSQL) the ``search_vector`` column added since: adding the stored column
rewrites ``plots`` once, under a lock, at start-up.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex

from histfmt_viewer.schema import (
    SEARCH_CONFIG,
    collections,
    metadata,
    plot_tags,
    plots,
    plots_search_vector,
    postgresql_search_ddl,
    tokens,
    users,
    versions,
)

__all__ = ["PlotInfo", "Storage", "User", "engine_url", "hash_token"]

VISIBILITIES = ("public", "private")
SCHEMA_ATTEMPTS = 5
SCHEMA_LOCK = 0x68697374  # PostgreSQL advisory lock key of schema creation ("hist")
# The tie-breaker ``id`` runs in the direction of the sort, so that each order is one
# index of ``plots`` read forwards or backwards (see schema.py).
SORTS = {
    "updated": (plots.c.updated.desc(), plots.c.id.desc()),
    "created": (plots.c.created.desc(), plots.c.id.desc()),
    "oldest": (plots.c.created.asc(), plots.c.id.asc()),
    "title": (plots.c.title.asc(), plots.c.id.asc()),
}
MAX_INLINE_WORDS = 32  # more words than this: one LIKE over a JSON list (SQLite's depth limit)


@dataclass(frozen=True)
class User:
    id: int
    name: str


@dataclass(frozen=True)
class PlotInfo:
    """What the database keeps beside a document, for listing and searching."""

    title: str
    author: str
    tags: tuple[str, ...]
    search: str


def engine_url(url: str) -> str:
    """``postgresql://`` (and ``postgres://``) run on psycopg 3; other URLs as given."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _row(row: Any) -> dict[str, Any]:
    """A result row as a dict; datetimes in UTC (SQLite returns them naive)."""
    result = dict(row._mapping)
    for key, value in result.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            result[key] = value.replace(tzinfo=timezone.utc)
    if isinstance(result.get("tags"), str):
        result["tags"] = json.loads(result["tags"])
    return result


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _words(q: str) -> list[str]:
    """The distinct lowercased words of a query (NUL is a separator: PostgreSQL text
    cannot hold it)."""
    return list(dict.fromkeys(q.replace("\x00", " ").lower().split()))


def _no_nul(text: str | None) -> str | None:
    """``text`` without NUL characters, which PostgreSQL text cannot hold."""
    return None if text is None else text.replace("\x00", "")


def _tsquery_operand(lexeme: str) -> str:
    """A lexeme as a quoted prefix operand of tsquery input syntax."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "':*"


def _contains_all(column: Any, words: list[str], dialect: str) -> list[Any]:
    """Conditions: ``column`` contains every word (a substring; LIKE wildcards literal)."""
    if len(words) <= MAX_INLINE_WORDS or dialect != "sqlite":
        return [column.like(_like(word), escape="\\") for word in words]
    # SQLite parses ``a AND b AND ...`` into a tree as deep as the list, and refuses a
    # depth over 1000: many words are one NOT EXISTS over a JSON array instead.
    patterns = sa.func.json_each(json.dumps([_like(word) for word in words])).table_valued("value")
    missing = sa.select(1).select_from(patterns).where(~column.like(patterns.c.value, "\\"))
    return [~sa.exists(missing)]


class Storage:
    """All database access of the viewer."""

    def __init__(self, url: str) -> None:
        url = engine_url(url)
        options: dict[str, Any] = {}
        if url.startswith("sqlite"):
            options["connect_args"] = {"timeout": 30, "check_same_thread": False}
        self.engine: Engine = sa.create_engine(url, **options)
        self.url = url
        # built once: the plot lookup runs on every page and image request
        self._plot_by_id = self._plots().where(plots.c.id == sa.bindparam("plot_id"))

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
        self.engine.dispose()

    def create_token(self, user_name: str) -> str:
        """A new API token for ``user_name`` (created if new). Only its hash is stored."""
        token = secrets.token_urlsafe(32)
        query = sa.select(users.c.id).where(users.c.name == user_name)
        with self.engine.begin() as conn:
            user_id = conn.scalar(query)
            if user_id is None:
                # A concurrent first token of the same name may insert it first: ignore
                # the conflict (waiting for that transaction) and read the row.
                conn.execute(_insert_ignoring_conflicts(conn, users).values(name=user_name))
                user_id = conn.scalar(query)
            conn.execute(
                tokens.insert().values(hash=hash_token(token), user_id=user_id, created=_now())
            )
        return token

    def user_for_token(self, token: str) -> User | None:
        return self.user_for_token_hash(hash_token(token))

    def user_for_token_hash(self, digest: str) -> User | None:
        """The owner of a token known by its hash (what a signed-in session keeps)."""
        query = (
            sa.select(users.c.id, users.c.name)
            .join(tokens, tokens.c.user_id == users.c.id)
            .where(tokens.c.hash == digest)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else User(row.id, row.name)

    def create_collection(self, owner: User, title: str, description: str, visibility: str) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                collections.insert().values(
                    owner_id=owner.id,
                    title=title,
                    description=description,
                    visibility=visibility,
                    created=_now(),
                )
            )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def _collections(self) -> sa.Select[Any]:
        count = (
            sa.select(sa.func.count())
            .where(plots.c.collection_id == collections.c.id, plots.c.visibility == "public")
            .scalar_subquery()
            .label("plot_count")
        )
        return sa.select(collections, users.c.name.label("owner"), count).join(
            users, users.c.id == collections.c.owner_id
        )

    def delete_collection(self, collection_id: int) -> None:
        """Remove a collection; its plots stay, outside any collection."""
        with self.engine.begin() as conn:
            conn.execute(
                plots.update()
                .where(plots.c.collection_id == collection_id)
                .values(collection_id=None)
            )
            conn.execute(collections.delete().where(collections.c.id == collection_id))

    def get_collection(self, collection_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(self._collections().where(collections.c.id == collection_id)).first()
        return None if row is None else _row(row)

    def list_collections(self, viewer: User | None) -> list[dict[str, Any]]:
        visible = collections.c.visibility == "public"
        if viewer is not None:
            visible = visible | (collections.c.owner_id == viewer.id)
        query = self._collections().where(visible).order_by(collections.c.id)
        with self.engine.connect() as conn:
            return [_row(row) for row in conn.execute(query)]

    def create_plot(
        self,
        owner: User,
        info: PlotInfo,
        document: str,
        *,
        visibility: str = "public",
        collection_id: int | None = None,
    ) -> str:
        plot_id = str(uuid.uuid4())
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(
                plots.insert().values(
                    id=plot_id,
                    owner_id=owner.id,
                    collection_id=collection_id,
                    visibility=visibility,
                    created=now,
                    updated=now,
                    latest=1,
                    **_fields(info),
                )
            )
            _set_tags(conn, plot_id, info.tags)
            conn.execute(
                versions.insert().values(plot_id=plot_id, number=1, document=document, created=now)
            )
        return plot_id

    def add_version(self, plot_id: str, info: PlotInfo, document: str) -> int:
        """Store ``document`` as the next version of ``plot_id``; returns its number."""
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(  # first: takes the lock that serialises concurrent updates
                plots.update()
                .where(plots.c.id == plot_id)
                .values(latest=plots.c.latest + 1, updated=now, **_fields(info))
            )
            number = conn.scalar(sa.select(plots.c.latest).where(plots.c.id == plot_id))
            if number is None:
                raise KeyError(plot_id)
            _set_tags(conn, plot_id, info.tags)
            conn.execute(
                versions.insert().values(
                    plot_id=plot_id, number=number, document=document, created=now
                )
            )
        return int(number)

    def delete_plot(self, plot_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(versions.delete().where(versions.c.plot_id == plot_id))
            conn.execute(plot_tags.delete().where(plot_tags.c.plot_id == plot_id))
            conn.execute(plots.delete().where(plots.c.id == plot_id))

    def _plots(self) -> sa.Select[Any]:
        columns = [c for c in plots.c if c.name != "search"]
        return sa.select(*columns, users.c.name.label("owner")).join(
            users, users.c.id == plots.c.owner_id
        )

    def get_plot(self, plot_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(self._plot_by_id, {"plot_id": plot_id}).first()
        return None if row is None else _row(row)

    def get_version(self, plot_id: str, number: int | None = None) -> dict[str, Any] | None:
        """One version (the newest when ``number`` is None) with its document text."""
        query = sa.select(versions).where(versions.c.plot_id == plot_id)
        if number is None:
            query = query.order_by(versions.c.number.desc()).limit(1)
        else:
            query = query.where(versions.c.number == number)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _row(row)

    def list_versions(self, plot_id: str) -> list[dict[str, Any]]:
        query = (
            sa.select(versions.c.number, versions.c.created)
            .where(versions.c.plot_id == plot_id)
            .order_by(versions.c.number)
        )
        with self.engine.connect() as conn:
            return [_row(row) for row in conn.execute(query)]

    def search(
        self,
        viewer: User | None,
        *,
        q: str = "",
        tag: str | None = None,
        author: str | None = None,
        collection_id: int | None = None,
        sort: str = "updated",
        page: int = 1,
        per_page: int = 20,
    ) -> tuple[list[dict[str, Any]], int]:
        """Plots ``viewer`` may see matching every filter: one page, and the total count."""
        where: list[Any] = [
            plots.c.visibility == "public"
            if viewer is None
            else (plots.c.visibility == "public") | (plots.c.owner_id == viewer.id)
        ]
        tag, author = _no_nul(tag), _no_nul(author)
        if tag:
            tagged = sa.select(plot_tags.c.plot_id).where(plot_tags.c.tag == tag)
            where.append(plots.c.id.in_(tagged))
        if author:
            where.append(sa.func.lower(plots.c.author).like(_like(author.lower()), escape="\\"))
        if collection_id is not None:
            where.append(plots.c.collection_id == collection_id)
        order = SORTS.get(sort, SORTS["updated"])
        with self.engine.connect() as conn:
            where += self._text_conditions(conn, _words(q))
            query = self._plots().where(*where).order_by(*order)
            query = query.limit(per_page).offset((page - 1) * per_page)
            count = sa.select(sa.func.count()).select_from(plots).where(*where)
            total = int(conn.scalar(count) or 0)
            return [_row(row) for row in conn.execute(query)], total

    def _text_conditions(self, conn: sa.Connection, words: list[str]) -> list[Any]:
        """Conditions: every word matches the search text (see the module docstring)."""
        if not words or conn.dialect.name != "postgresql":
            return _contains_all(plots.c.search, words, conn.dialect.name)
        split = sa.text(
            "SELECT tsvector_to_array(to_tsvector(CAST(:config AS regconfig), w.word)) "
            "FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS w(word, number) "
            "ORDER BY w.number"
        )
        rows = conn.execute(split, {"config": SEARCH_CONFIG, "words": words}).scalars().all()
        lexemes: dict[str, None] = {}
        unsplit: list[str] = []
        for word, found in zip(words, rows, strict=True):
            if found:
                lexemes.update(dict.fromkeys(found))
            else:
                unsplit.append(word)
        conditions = _contains_all(plots.c.search, unsplit, conn.dialect.name)
        if lexemes:
            text = " & ".join(_tsquery_operand(lexeme) for lexeme in lexemes)
            tsquery = sa.cast(sa.literal(text, sa.Text), postgresql.TSQUERY)
            conditions.append(plots_search_vector.bool_op("@@")(tsquery))
        return conditions


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


def _insert_ignoring_conflicts(conn: sa.Connection, table: sa.Table) -> Any:
    """``INSERT`` that does nothing where a unique constraint would fail."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"unsupported database: {conn.dialect.name}")
