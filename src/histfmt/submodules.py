"""Submodules imported on first attribute access, so that a package's import stays light.

``__getattr__, __dir__ = lazy_submodules(__name__, names)`` in a package's ``__init__``
makes ``package.name`` import ``package.name`` when first used (PEP 562).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["lazy_submodules"]


def lazy_submodules(
    package: str, names: Iterable[str], /
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of ``package`` for ``names``."""
    submodules = frozenset(names)
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*namespace, *submodules})

    return __getattr__, __dir__
