"""All database access of the viewer (SQLAlchemy Core, on SQLite or PostgreSQL).

One :class:`Storage` object does it all; it is made of one part per concern, each in
its own module and each usable alone on the same URL:

========================  ===============================================================
``tables.py``             the tables, their creation and upgrade, the engine (``Database``)
``accounts.py``           users and their API tokens (``Accounts``)
``collections.py``        collections of plots (``Collections``)
``plots.py``              plots and their versions (``Plots``)
``books.py``              many plots stored at once, with their collection (``Books``)
``search.py``             filters, sort orders, pages; the text search of each database
``rows.py``               the typed rows handed out (``Plot``, ``Version``, ...), ``NotFound``
``recent.py``             a per-process memory of rows read in the last seconds (``Recent``)
========================  ===============================================================
"""

from __future__ import annotations

from histfmt_viewer.storage.accounts import Accounts, hash_token
from histfmt_viewer.storage.books import Books
from histfmt_viewer.storage.rows import (
    VISIBILITIES,
    Collection,
    NotFound,
    Plot,
    PlotInfo,
    User,
    Version,
    VersionDocument,
)
from histfmt_viewer.storage.search import SORTS, Search
from histfmt_viewer.storage.tables import engine_url

__all__ = [
    "SORTS",
    "VISIBILITIES",
    "Collection",
    "NotFound",
    "Plot",
    "PlotInfo",
    "Storage",
    "User",
    "Version",
    "VersionDocument",
    "engine_url",
    "hash_token",
]


class Storage(Accounts, Books, Search):
    """The viewer's database: ``Storage(url)``, then ``init_schema()`` once per process.

    Every part shares the one engine (see the parts for their methods).
    """
