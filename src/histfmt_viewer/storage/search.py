"""Finding plots: filters, sort orders, pages, and the text search of each database.

Search (``q``): every word of the query must match, case-insensitively, in the plot's
search text (title, author, tags, description, selection, axis and yield names and
labels; see ``documents.plot_info``). The two databases differ here, and only here:

* SQLite: the word occurs anywhere in the text (``LIKE '%word%'``, wildcards literal).
* PostgreSQL: full-text search on ``plots.search_vector`` (a stored generated
  ``tsvector`` with a GIN index, see ``tables.py``). Each word is split into lexemes by
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

Results keep the requested sort order (no relevance ranking).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from histfmt_viewer.storage.plots import select_plots
from histfmt_viewer.storage.rows import Plot, User
from histfmt_viewer.storage.tables import (
    SEARCH_CONFIG,
    Database,
    plot_tags,
    plots,
    plots_search_vector,
)

__all__ = ["SORTS", "Search"]

# The tie-breaker ``id`` runs in the direction of the sort, so that each order is one
# index of ``plots`` read forwards or backwards (see tables.py).
SORTS = {
    "updated": (plots.c.updated.desc(), plots.c.id.desc()),
    "created": (plots.c.created.desc(), plots.c.id.desc()),
    "oldest": (plots.c.created.asc(), plots.c.id.asc()),
    "title": (plots.c.title.asc(), plots.c.id.asc()),
}
MAX_INLINE_WORDS = 32  # more words than this: one LIKE over a JSON list (SQLite's depth limit)


class Search(Database):
    """The plots a visitor may see, filtered, sorted and in pages."""

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
    ) -> tuple[list[Plot], int]:
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
            where += _text_conditions(conn, _words(q))
            query = select_plots().where(*where).order_by(*order)
            query = query.limit(per_page).offset((page - 1) * per_page)
            count = sa.select(sa.func.count()).select_from(plots).where(*where)
            total = int(conn.scalar(count) or 0)
            return [Plot.from_row(row) for row in conn.execute(query)], total


def _text_conditions(conn: sa.Connection, words: list[str]) -> list[Any]:
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
