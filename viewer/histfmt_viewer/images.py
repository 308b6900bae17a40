"""Plot images with a file cache in the instance folder, and download file names.

A cached image is keyed by (plot, version, view parameters, format, dpi): a new
version never serves an old picture, and nothing is ever invalidated in place.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from histfmt.errors import HistfmtError
from histfmt.model import Document
from histfmt.render.mpl import RenderOptions, render
from histfmt.render.prepare import parse_edges

__all__ = ["MIMETYPES", "ImageRequest", "cached_image", "download_name", "image_request"]

MIMETYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
DPI_RANGE = (10.0, 300.0)
DEFAULT_DPI = 100.0


@dataclass(frozen=True)
class ImageRequest:
    """The view parameters of an image, as they appear in its URL."""

    format: str
    dpi: float
    logy: bool | None
    rebin: tuple[float, ...] | None

    def key(self) -> str:
        text = json.dumps([self.format, self.dpi, self.logy, self.rebin])
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def image_request(image_format: str, args: dict[str, str]) -> ImageRequest:
    """Parse ``dpi``, ``logy`` and ``rebin`` query parameters; HistfmtError when wrong."""
    if image_format not in MIMETYPES:
        raise HistfmtError(f"unknown image format {image_format!r}")
    try:
        dpi = float(args.get("dpi", DEFAULT_DPI))
    except ValueError:
        raise HistfmtError(f"dpi: expected a number; got {args['dpi']!r}") from None
    if not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise HistfmtError(f"dpi: must be between {DPI_RANGE[0]:g} and {DPI_RANGE[1]:g}")
    logy_text = args.get("logy")
    logy = None if logy_text in (None, "") else logy_text.lower() in ("1", "true", "yes", "on")
    rebin = parse_edges(args["rebin"]) if args.get("rebin") else None
    return ImageRequest(image_format, dpi, logy, rebin)


def cached_image(
    cache: Path, plot_id: str, version: int, doc: Document, request: ImageRequest
) -> bytes:
    """The image bytes, drawn once and then read from ``cache``."""
    if not re.fullmatch(r"[0-9a-f-]{36}", plot_id):
        raise ValueError(f"not a plot id: {plot_id!r}")
    target = cache / plot_id / f"v{version}-{request.key()}.{request.format}"
    if target.is_file():
        return target.read_bytes()
    options = RenderOptions(
        logy=request.logy, rebin=list(request.rebin) if request.rebin else None, dpi=request.dpi
    )
    data = render(doc, format=request.format, options=options)  # type: ignore[arg-type]
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{target.suffix}.tmp{id(data)}")
    temporary.write_bytes(data)
    temporary.replace(target)  # atomic: a concurrent reader sees all of it or nothing
    return data


def download_name(title: str, suffix: str) -> str:
    """A safe file name from a plot title: ASCII letters, digits, ``-`` and ``_``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "_", ascii_title).strip("_")[:80] or "plot"
    return f"{stem}.{suffix}"
