"""The view of a plot as it appears in a URL: log y, rebin, hidden samples, ratio, style.

Every control of the plot page is a query parameter, so a view is a permalink and
the image URL of a view is the page's own parameters plus ``dpi``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from histfmt.errors import HistfmtError
from histfmt.render.options import RenderOptions
from histfmt.render.style import STYLES
from histfmt.shown import parse_edges

__all__ = ["DPI_RANGE", "View", "parse_view"]

DPI_RANGE = (10.0, 300.0)
DEFAULT_DPI = 100.0
MAX_HIDDEN = 200
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class View:
    """Render choices of one view; ``None`` means: as the document says."""

    logy: bool | None = None
    rebin: tuple[float, ...] | None = None
    hide: tuple[str, ...] = ()
    ratio: bool | None = None
    style: str | None = None
    dpi: float = DEFAULT_DPI

    def key(self, image_format: str) -> str:
        """A short stable digest of the view and format, for cache file names."""
        fields = [image_format, self.dpi, self.logy, self.rebin, self.hide, self.ratio, self.style]
        return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:32]

    def options(self) -> RenderOptions:
        return RenderOptions(
            logy=self.logy,
            rebin=list(self.rebin) if self.rebin else None,
            hide=frozenset(self.hide),
            ratio=self.ratio,
            style=self.style,
            dpi=self.dpi,
        )

    def query(self) -> dict[str, str | list[str]]:
        """The view as URL parameters (without ``dpi``): what ``parse_view`` reads back."""
        args: dict[str, str | list[str]] = {}
        if self.logy is not None:
            args["logy"] = "1" if self.logy else "0"
        if self.rebin:
            args["rebin"] = ",".join(f"{edge:g}" for edge in self.rebin)
        if self.hide:
            args["hide"] = list(self.hide)
        if self.ratio is not None:
            args["ratio"] = "1" if self.ratio else "0"
        if self.style:
            args["style"] = self.style
        return args


def _flag(args: Mapping[str, str], name: str) -> bool | None:
    text = args.get(name, "").strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise HistfmtError(f"{name}: expected 1 or 0; got {text[:40]!r}")


def parse_view(args: MultiDict[str, str], *, names: tuple[str, ...] = ()) -> View:
    """Read a view from query parameters; HistfmtError naming the parameter when wrong.

    ``names`` are the document's yields: a hidden name must be one of them (when given).
    """
    try:
        dpi = float(args.get("dpi") or DEFAULT_DPI)
    except ValueError:
        raise HistfmtError(f"dpi: expected a number; got {args['dpi'][:40]!r}") from None
    if not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise HistfmtError(f"dpi: must be between {DPI_RANGE[0]:g} and {DPI_RANGE[1]:g}")
    style = args.get("style") or None
    if style is not None and style not in STYLES:
        raise HistfmtError(f"style: expected one of {', '.join(STYLES)}; got {style[:40]!r}")
    hide = tuple(dict.fromkeys(name for name in args.getlist("hide") if name))
    if len(hide) > MAX_HIDDEN:
        raise HistfmtError(f"hide: at most {MAX_HIDDEN} names")
    unknown = [name for name in hide if names and name not in names]
    if unknown:
        raise HistfmtError(f"hide: no yield named {unknown[0][:80]!r}")
    rebin = parse_edges(args["rebin"]) if args.get("rebin") else None
    return View(
        logy=_flag(args, "logy"),
        rebin=rebin,
        hide=hide,
        ratio=_flag(args, "ratio"),
        style=style,
        dpi=dpi,
    )
