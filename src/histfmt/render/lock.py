"""The one lock around matplotlib in this process.

matplotlib's rcParams and its mathtext parser (one pyparsing grammar per process,
with state of its own during a parse) are not thread-safe: two threads parsing at
once make valid labels such as ``$t\\bar{t}$`` fail. Every use of matplotlib that
parses text or changes rcParams holds this lock: drawing a figure and checking a
label alike. Threaded servers therefore draw one figure at a time; processes scale
out instead.
"""

from __future__ import annotations

import threading

__all__ = ["MATPLOTLIB_LOCK"]

MATPLOTLIB_LOCK = threading.RLock()
