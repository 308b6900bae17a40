"""What may be chosen at render time, apart from the document: style, scales, size, format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from histfmt.model import Projection

__all__ = ["DEFAULT_DPI", "FORMATS", "ImageFormat", "RenderOptions"]

ImageFormat = Literal["png", "svg", "pdf"]
FORMATS: tuple[ImageFormat, ...] = ("png", "svg", "pdf")
"""The image formats, in the order they are offered."""

DEFAULT_DPI = 150.0
"""The resolution of an image file (PNG) unless one is asked for: the library's, the
command line's and the viewer's downloads."""


@dataclass(frozen=True)
class RenderOptions:
    """Choices made at render time; ``None`` means: as the document says."""

    style: str | None = None
    logy: bool | None = None
    rebin: Any = None
    size: tuple[float, float] | None = None
    dpi: float = DEFAULT_DPI
    ratio: bool | None = None
    hide: frozenset[str] = field(default_factory=frozenset)
    strict_labels: bool = False
    project: Projection | Literal["none"] | None = None
    """A 2-D document drawn as this projection or slice (``"none"``: as maps)."""
