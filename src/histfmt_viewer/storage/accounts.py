"""Accounts and their API tokens; only hashes of tokens are stored.

A new user is inserted with ``ON CONFLICT DO NOTHING`` (``INSERT OR IGNORE``) and then
selected, so concurrent first tokens of one name all get the one row.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from histfmt_viewer.storage.rows import User
from histfmt_viewer.storage.tables import Database, now, tokens, users

__all__ = ["Accounts", "hash_token"]


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
        query = (
            sa.select(users.c.id, users.c.name)
            .join(tokens, tokens.c.user_id == users.c.id)
            .where(tokens.c.hash == digest)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else User.from_row(row)


def _insert_ignoring_conflicts(conn: sa.Connection, table: sa.Table) -> Any:
    """``INSERT`` that does nothing where a unique constraint would fail."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"unsupported database: {conn.dialect.name}")
