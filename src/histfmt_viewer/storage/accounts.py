"""Accounts and their API tokens; only hashes of tokens are stored.

A token is known by its id, the first ``TOKEN_ID_LENGTH`` hex digits of its hash: what
``histfmt token list`` shows and ``histfmt token delete`` takes, which tells nothing of
the token itself.

A new user is inserted with ``ON CONFLICT DO NOTHING`` (``INSERT OR IGNORE``) and then
selected, so concurrent first tokens of one name all get the one row.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from histfmt.errors import HistfmtError
from histfmt_viewer.storage.rows import NotFound, Row, User
from histfmt_viewer.storage.tables import Database, now, tokens, users

__all__ = ["MIN_TOKEN_ID_LENGTH", "TOKEN_ID_LENGTH", "Accounts", "TokenInfo", "hash_token"]

TOKEN_ID_LENGTH = 12
"""Hex digits of a token's hash that name it."""
MIN_TOKEN_ID_LENGTH = 6
"""The shortest start of an id that ``delete_token`` takes."""
_HEX = frozenset("0123456789abcdef")
# built once: every API request and every signed-in page looks its caller up
_USER_BY_TOKEN_HASH = (
    sa.select(users.c.id, users.c.name)
    .join(tokens, tokens.c.user_id == users.c.id)
    .where(tokens.c.hash == sa.bindparam("digest"))
)


@dataclasses.dataclass(frozen=True, slots=True)
class TokenInfo(Row):
    """A token as listed: its id, its user and when it was made (never the token)."""

    id: str
    user: str
    created: datetime


def hash_token(token: str) -> str:
    """The SHA-256 hex digest of a token: what the database and a session keep."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts(Database):
    """Users and tokens."""

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
                tokens.insert().values(hash=hash_token(token), user_id=user_id, created=now())
            )
        return token

    def user_for_token(self, token: str) -> User | None:
        """The owner of ``token``; None for an unknown token."""
        return self.user_for_token_hash(hash_token(token))

    def user_for_token_hash(self, digest: str) -> User | None:
        """The owner of a token known by its hash (what a signed-in session keeps)."""
        with self.reader.connect() as conn:
            row = conn.execute(_USER_BY_TOKEN_HASH, {"digest": digest}).first()
        return None if row is None else User.from_row(row)

    def list_tokens(self, user_name: str | None = None) -> list[TokenInfo]:
        """The tokens of ``user_name`` (of every user when None), oldest first."""
        query = (
            sa.select(
                sa.func.substr(tokens.c.hash, 1, TOKEN_ID_LENGTH).label("id"),
                users.c.name.label("user"),
                tokens.c.created,
            )
            .join(users, users.c.id == tokens.c.user_id)
            .order_by(tokens.c.created, tokens.c.hash)
        )
        if user_name is not None:
            query = query.where(users.c.name == user_name)
        with self.engine.connect() as conn:
            return [TokenInfo.from_row(row) for row in conn.execute(query)]

    def delete_token(self, token_id: str) -> TokenInfo:
        """Delete the one token whose id starts with ``token_id`` (at least
        ``MIN_TOKEN_ID_LENGTH`` hex digits) and return what it was; the browser sessions
        it signed in end with it. :class:`NotFound` when no token has that id,
        :class:`HistfmtError` when it is too short or names several."""
        wanted = token_id.strip().lower()
        if len(wanted) < MIN_TOKEN_ID_LENGTH or not set(wanted) <= _HEX or len(wanted) > 64:
            raise HistfmtError(
                f"a token id is {MIN_TOKEN_ID_LENGTH} to 64 hex digits, as 'histfmt token "
                f"list' shows them; got {token_id[:80]!r}"
            )
        query = (
            sa.select(tokens.c.hash, users.c.name.label("user"), tokens.c.created)
            .join(users, users.c.id == tokens.c.user_id)
            .where(sa.func.substr(tokens.c.hash, 1, len(wanted)) == wanted)
            .limit(2)
        )
        with self.engine.begin() as conn:
            found = conn.execute(query).all()
            if not found:
                raise NotFound("token", wanted)
            if len(found) > 1:
                raise HistfmtError(f"several tokens have an id starting {wanted!r}: give more")
            row = found[0]
            conn.execute(tokens.delete().where(tokens.c.hash == row.hash))
        fields = {"id": row.hash[:TOKEN_ID_LENGTH], "user": row.user, "created": row.created}
        return TokenInfo.from_mapping(fields)


def _insert_ignoring_conflicts(conn: sa.Connection, table: sa.Table) -> Any:
    """``INSERT`` that does nothing where a unique constraint would fail."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"unsupported database: {conn.dialect.name}")
