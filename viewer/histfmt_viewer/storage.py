"""Storage of users, tokens, collections, plots and their versions (SQLAlchemy Core).

The backend comes from the database URL: ``sqlite:///path`` (the default, a file in
the instance folder) or ``postgresql://...`` (run with psycopg 3). Every write is one
transaction. A new version bumps ``plots.latest`` with an ``UPDATE`` first, which locks
the plot row (PostgreSQL) or the database (SQLite) until commit, so concurrent updates
get consecutive numbers; the primary key ``(plot_id, number)`` guards it too.

Search is a portable ``LIKE`` over a lowercased text column (every word must occur);
PostgreSQL full-text search (tsvector + GIN index) is a later step.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from histfmt_viewer.schema import collections, metadata, plot_tags, plots, tokens, users, versions

__all__ = ["PlotInfo", "Storage", "User", "engine_url", "hash_token"]

VISIBILITIES = ("public", "private")
SORTS = {
    "updated": plots.c.updated.desc(),
    "created": plots.c.created.desc(),
    "oldest": plots.c.created.asc(),
    "title": plots.c.title.asc(),
}


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


class Storage:
    """All database access of the viewer."""

    def __init__(self, url: str) -> None:
        url = engine_url(url)
        options: dict[str, Any] = {}
        if url.startswith("sqlite"):
            options["connect_args"] = {"timeout": 30, "check_same_thread": False}
        self.engine: Engine = sa.create_engine(url, **options)
        self.url = url

    def init_schema(self) -> None:
        """Create the tables that do not exist yet."""
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def create_token(self, user_name: str) -> str:
        """A new API token for ``user_name`` (created if new). Only its hash is stored."""
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            user_id = conn.scalar(sa.select(users.c.id).where(users.c.name == user_name))
            if user_id is None:
                inserted = conn.execute(users.insert().values(name=user_name))
                user_id = inserted.inserted_primary_key[0]  # type: ignore[index]
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
            row = conn.execute(self._plots().where(plots.c.id == plot_id)).first()
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
        where += [plots.c.search.like(_like(word), escape="\\") for word in q.lower().split()]
        if tag:
            tagged = sa.select(plot_tags.c.plot_id).where(plot_tags.c.tag == tag)
            where.append(plots.c.id.in_(tagged))
        if author:
            where.append(sa.func.lower(plots.c.author).like(_like(author.lower()), escape="\\"))
        if collection_id is not None:
            where.append(plots.c.collection_id == collection_id)
        order = SORTS.get(sort, SORTS["updated"])
        query = self._plots().where(*where).order_by(order, plots.c.id)
        query = query.limit(per_page).offset((page - 1) * per_page)
        count = sa.select(sa.func.count()).select_from(plots).where(*where)
        with self.engine.connect() as conn:
            total = int(conn.scalar(count) or 0)
            return [_row(row) for row in conn.execute(query)], total


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
