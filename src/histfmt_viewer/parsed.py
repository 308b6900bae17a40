"""A per-process memory of the documents read lately, by plot id and version number.

A stored version never changes (a change is a new version, and plot ids are never
reused), so a version read and parsed once can be served again without reading its text
from the database and parsing it: for a 10^5-bin plot that is 0.3 s of every page view.
The caller checks that the visitor may see the plot first, as for any read. Bounded by
the size of the stored texts (``DOCUMENT_MEMORY_BYTES``, 0 turns it off); the least
recently used go first; each caller gets its own copy, so nothing it changes is kept.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict

from histfmt.model import Document

__all__ = ["DEFAULT_MAX_BYTES", "EXTENSION", "ParsedDocuments"]

EXTENSION = "histfmt_parsed"
"""The key of the app's :class:`ParsedDocuments` in ``app.extensions``."""
DEFAULT_MAX_BYTES = 64 << 20
"""Stored text of the documents remembered per process (their arrays take about half)."""


class ParsedDocuments:
    """Documents by ``(plot id, version number)``, within ``max_bytes`` of their texts.
    Thread-safe."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, int], tuple[int, Document]] = OrderedDict()
        self._size = 0

    def get(self, plot_id: str, number: int) -> Document | None:
        """A copy of the remembered document, or ``None``."""
        with self._lock:
            entry = self._entries.get((plot_id, number))
            if entry is None:
                return None
            self._entries.move_to_end((plot_id, number))
        return copy.deepcopy(entry[1])

    def put(self, plot_id: str, number: int, doc: Document, size: int) -> None:
        """Remember a copy of ``doc``, whose stored text has ``size`` bytes (not when that
        is over the whole budget)."""
        if size > self.max_bytes:
            return
        kept = copy.deepcopy(doc)
        with self._lock:
            old = self._entries.pop((plot_id, number), None)
            if old is not None:
                self._size -= old[0]
            self._entries[(plot_id, number)] = (size, kept)
            self._size += size
            while self._size > self.max_bytes:
                _, (dropped, _) = self._entries.popitem(last=False)
                self._size -= dropped
