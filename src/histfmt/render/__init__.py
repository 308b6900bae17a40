"""Drawing documents: images with matplotlib + mplhep, text for the terminal.

The modules load on first use: ``histfmt.render.mpl.figure(doc)`` works after
``import histfmt`` alone, and importing this package loads no matplotlib.
"""

from __future__ import annotations

from histfmt.submodules import lazy_submodules

_SUBMODULES = frozenset(
    {
        "artists", "decorations", "interactive", "labels", "lock", "looks", "maps", "mpl",
        "notebook", "options", "painter", "plot", "style", "styled", "text",
    }
)  # fmt: skip

__getattr__, __dir__ = lazy_submodules(__name__, _SUBMODULES)
