"""The view of a plot as it appears in a URL: log y, rebin, hidden samples, ratio, style,
and for a 2-D document its projection or slice (``project=x``, ``project=y:0:3``) and
log z (``logz=1``).

Every control of the plot page is a query parameter, so a view is a permalink and
the image URL of a view is the page's own parameters plus ``dpi``. The page's form
sends a slice as ``project=y&slice=0:3``; both spellings read the same.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

import msgspec
from werkzeug.datastructures import MultiDict

from histfmt.errors import HistfmtError
from histfmt.model import Axis, Document, Projection
from histfmt.render.options import RenderOptions
from histfmt.render.style import STYLES
from histfmt.shown import parse_edges

__all__ = ["DPI_RANGE", "ProjectSpec", "View", "parse_project", "parse_view"]

DPI_RANGE = (10.0, 300.0)
DEFAULT_DPI = 100.0
MAX_HIDDEN = 200
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
ProjectSpec: TypeAlias = tuple[Literal["x", "y"], int, int] | tuple[Literal["x", "y"]]
"""The axis a 2-D document is projected onto, with the ``[start, stop)`` bins of the
other axis for a slice."""
_PROJECT = re.compile(r"([xy])(?::(\d{1,9}):(\d{1,9}))?")
_SLICE = re.compile(r"(\d{1,9}):(\d{1,9})")


@dataclass(frozen=True)
class View:
    """Render choices of one view; ``None`` means: as the document says."""

    logy: bool | None = None
    rebin: tuple[float, ...] | None = None
    hide: tuple[str, ...] = ()
    ratio: bool | None = None
    style: str | None = None
    dpi: float = DEFAULT_DPI
    project: ProjectSpec | None = None
    logz: bool | None = None

    def key(self, image_format: str) -> str:
        """A short stable digest of the view and format, for cache file names."""
        fields = [image_format, self.dpi, self.logy, self.rebin, self.hide, self.ratio, self.style]
        if self.project is not None or self.logz is not None:  # 1-D keys stay as they were
            fields += [self.project, self.logz]
        return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:32]

    def apply(self, doc: Document) -> Document:
        """``doc`` with this view's projection and z scale (a copy; ``doc`` is unchanged).

        Raises :class:`~histfmt.HistfmtError` naming the parameter when the document
        cannot take them (not 2-D, or a slice beyond the other axis).
        """
        if self.project is None and self.logz is None:
            return doc
        if not isinstance(doc.y, Axis):
            name = "project" if self.project is not None else "logz"
            raise HistfmtError(f"{name}: only for a 2-D document (this one is 1-D)")
        changes: dict[str, object] = {}
        if self.project is not None:
            onto = self.project[0]
            if len(self.project) == 3:
                start, stop = self.project[1], self.project[2]
                other = doc.y if onto == "x" else doc.x
                if stop > other.n_bins:
                    raise HistfmtError(
                        f"project: the slice {start}:{stop} goes beyond the "
                        f"{other.n_bins} bins of {'y' if onto == 'x' else 'x'}"
                    )
                projection = Projection(onto=onto, bins=(start, stop))
            else:
                projection = Projection(onto=onto)
            changes["view"] = msgspec.structs.replace(doc.view, project=projection)
        if self.logz is not None:
            changes["z_axis"] = msgspec.structs.replace(doc.z_axis, log=self.logz)
        return msgspec.structs.replace(doc, **changes)

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
        if self.project is not None:
            args["project"] = ":".join(str(part) for part in self.project)
        if self.logz is not None:
            args["logz"] = "1" if self.logz else "0"
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


def parse_project(text: str, slice_text: str = "") -> ProjectSpec | None:
    """``x``, ``y``, ``y:0:3`` (with ``slice_text`` ``0:3`` the same as ``y:0:3``):
    the axis kept, and the ``[start, stop)`` regular bins of the other axis summed;
    empty: no projection (whatever the slice). HistfmtError naming the parameter when
    wrong."""
    text, slice_text = text.strip().lower(), slice_text.strip()
    if not text:  # the map: a slice left in the form means nothing
        return None
    found = _PROJECT.fullmatch(text)
    if found is None:
        raise HistfmtError(
            f"project: expected x, y, x:START:STOP or y:START:STOP; got {text[:40]!r}"
        )
    onto: Literal["x", "y"] = "x" if found[1] == "x" else "y"
    bounds = (found[2], found[3]) if found[2] is not None else None
    if slice_text:
        sliced = _SLICE.fullmatch(slice_text)
        if sliced is None or bounds is not None:
            raise HistfmtError(f"slice: expected START:STOP such as 0:3; got {slice_text[:40]!r}")
        bounds = (sliced[1], sliced[2])
    if bounds is None:
        return (onto,)
    start, stop = int(bounds[0]), int(bounds[1])
    if not start < stop:
        raise HistfmtError(f"project: the slice {start}:{stop} is empty (START must be below STOP)")
    return (onto, start, stop)


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
        project=parse_project(args.get("project", ""), args.get("slice", "")),
        logz=_flag(args, "logz"),
    )
