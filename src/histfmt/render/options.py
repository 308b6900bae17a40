"""What may be chosen at render time, apart from the document: style, scales, size, format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from histfmt.model import Projection

__all__ = ["FORMATS", "ImageFormat", "RenderOptions"]

ImageFormat = Literal["png", "svg", "pdf"]
FORMATS: tuple[ImageFormat, ...] = ("png", "svg", "pdf")
"""The image formats, in the order they are offered."""


@dataclass(frozen=True)
class RenderOptions:
    """Choices made at render time; ``None`` means: as the document says."""

    style: str | None = None
    logy: bool | None = None
    rebin: Any = None
    size: tuple[float, float] | None = None
    dpi: float = 100.0
    ratio: bool | None = None
    hide: frozenset[str] = field(default_factory=frozenset)
    strict_labels: bool = False
    project: Projection | Literal["none"] | None = None
    """A 2-D document drawn as this projection or slice (``"none"``: as maps)."""
