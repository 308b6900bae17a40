"""The database tables, in SQLAlchemy Core: the same definitions serve SQLite and PostgreSQL."""

from __future__ import annotations

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

__all__ = ["collections", "metadata", "plot_tags", "plots", "tokens", "users", "versions"]

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
)

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
