"""Drawing documents: images with matplotlib + mplhep, text for the terminal.

The modules load on first use: ``histfmt.render.mpl.figure(doc)`` works after
``import histfmt`` alone, and importing this package loads no matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULES = frozenset(
    {
        "artists", "decorations", "interactive", "labels", "lock", "looks", "maps", "mpl",
        "notebook", "options", "painter", "plot", "style", "styled", "text",
    }
)  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBMODULES})
