"""A small per-process memory of rows read recently: bounded in size and in age.

What it is for: a cached image is a file read, while the database lookup that says
whether the visitor may see it cost as much again (SQLAlchemy building, running and
converting the query on every hit). :meth:`~histfmt_viewer.storage.plots.Plots.recent_plot`
answers from here instead, for rows at most ``max_age`` seconds old.

What keeps it correct: a plot's owner and visibility are never changed once it is
stored, so a remembered row can never show a private plot to someone else. What may be
stale, for at most ``max_age`` seconds and only in *other* processes (this process
forgets a plot as soon as it changes or deletes it): the title, the newest version
number and whether the plot still exists. Anything that ever changes a plot's owner or
visibility must not rely on this memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar

__all__ = ["DEFAULT_MAX_AGE", "DEFAULT_MAX_ENTRIES", "Recent"]

K = TypeVar("K")
V = TypeVar("V")

DEFAULT_MAX_AGE = 5.0  # seconds
DEFAULT_MAX_ENTRIES = 10_000


class Recent(Generic[K, V]):
    """Values by key, each forgotten ``max_age`` seconds after it was stored; the least
    recently stored go first beyond ``max_entries``. Thread-safe."""

    def __init__(
        self, *, max_age: float = DEFAULT_MAX_AGE, max_entries: int = DEFAULT_MAX_ENTRIES
    ) -> None:
        self.max_age = max_age
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The value stored for ``key`` less than ``max_age`` seconds ago, else None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry[0] >= self.max_age:
            self.forget(key)
            return None
        return entry[1]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
