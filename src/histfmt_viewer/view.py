"""The view of a plot as it appears in a URL: log y, rebin, hidden samples, ratio, style,
and for a 2-D document its projection or slice (``project=x``, ``project=y:0:3``) and
log z (``logz=1``).

Every control of the plot page is a query parameter, so a view is a permalink and
the image URL of a view is the page's own parameters plus ``dpi``. The page's form
sends a slice as ``project=y&slice=0:3``; both spellings read the same.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeAlias

import msgspec
from werkzeug.datastructures import MultiDict

from histfmt.errors import HistfmtError, Issue
from histfmt.model import Axis, Document, Projection
from histfmt.render.options import DEFAULT_DPI, RenderOptions
from histfmt.render.style import STYLES
from histfmt.shown import parse_edges

__all__ = [
    "DPI_RANGE",
    "PAGE_DPI",
    "ProjectSpec",
    "View",
    "form_values",
    "parse_project",
    "parse_view",
    "read_view",
]

DPI_RANGE = (10.0, 300.0)
PAGE_DPI = 100.0
"""The plot page's own image (twice that on a high-density screen)."""
MAX_HIDDEN = 200
MAX_LISTED_EDGES = 12  # edges named in a rebin problem
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_TEXTS = ("logy", "rebin", "ratio", "style", "project", "slice", "logz")
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
        return _key(self, image_format)

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

    def checked(self, doc: Document) -> tuple[View, list[Issue]]:
        """This view with what ``doc`` cannot take left out, and why, at the parameter's
        name: a projection or z scale of a 1-D document, a slice beyond the other axis,
        rebin edges that are not edges of the drawn x axis."""
        view, issues = self, []
        try:
            self.apply(doc)
        except HistfmtError as error:
            parameter, _, message = error.message.partition(": ")
            issues.append(Issue(parameter, message))
            view = replace(view, project=None, logz=None)
        if view.rebin:
            from histfmt.shown import Shown

            drawn = view.apply(doc)
            try:
                Shown(drawn, rebin=list(view.rebin))
            except HistfmtError as error:
                edges = [float(e) for e in Shown(drawn).binning.edges]
                issues.append(Issue("rebin", _rebin_problem(view.rebin, edges, error.message)))
                view = replace(view, rebin=None)
        return view, issues

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


def _rebin_problem(rebin: tuple[float, ...], edges: list[float], fallback: str) -> str:
    """Which rebin edges are not edges of the drawn x axis, and what its edges are."""
    tolerance = 1e-9 * min((b - a for a, b in itertools.pairwise(edges)), default=1.0)
    missing = [e for e in rebin if not any(abs(e - edge) <= tolerance for edge in edges)]
    if not missing:
        return fallback
    listed = [f"{edge:g}" for edge in edges]
    if len(listed) > MAX_LISTED_EDGES:
        listed = [*listed[:6], "\N{HORIZONTAL ELLIPSIS}", *listed[-2:]]
    which = ", ".join(f"{edge:g}" for edge in missing[:5])
    verb = "is not an edge" if len(missing) == 1 else "are not edges"
    return f"{which} {verb} of the x axis; rebin with some of its edges: {', '.join(listed)}"


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


@functools.lru_cache(maxsize=1024)  # every cached image asks; a view is immutable
def _key(view: View, image_format: str) -> str:
    fields = [image_format, view.dpi, view.logy, view.rebin, view.hide, view.ratio, view.style]
    if view.project is not None or view.logz is not None:  # 1-D keys stay as they were
        fields += [view.project, view.logz]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:32]


def parse_view(args: MultiDict[str, str], *, names: tuple[str, ...] = ()) -> View:
    """Read a view from query parameters; HistfmtError naming the parameter when wrong.

    ``names`` are the document's yields: a hidden name must be one of them (when given).
    """
    view, issues = read_view(args, names=names)
    if issues:
        raise HistfmtError(f"{issues[0].path}: {issues[0].message}")
    return view


def read_view(
    args: MultiDict[str, str], *, names: tuple[str, ...] = ()
) -> tuple[View, list[Issue]]:
    """The view of the query parameters with every wrong one left out (as the document
    says), and what is wrong with each, at the parameter's name."""
    fields: dict[str, Any] = {}
    issues: list[Issue] = []
    for name, parse in _PARSERS:
        try:
            fields[name] = parse(args, names)
        except HistfmtError as error:
            parameter, _, message = error.message.partition(": ")
            issues.append(Issue(parameter, message) if message else Issue(name, parameter))
    return View(**fields), issues


def _dpi(args: MultiDict[str, str], names: tuple[str, ...]) -> float:
    try:
        dpi = float(args.get("dpi") or DEFAULT_DPI)
    except ValueError:
        raise HistfmtError(f"dpi: expected a number; got {args['dpi'][:40]!r}") from None
    if not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise HistfmtError(f"dpi: must be between {DPI_RANGE[0]:g} and {DPI_RANGE[1]:g}")
    return dpi


def _style(args: MultiDict[str, str], names: tuple[str, ...]) -> str | None:
    style = args.get("style") or None
    if style is not None and style not in STYLES:
        raise HistfmtError(f"style: expected one of {', '.join(STYLES)}; got {style[:40]!r}")
    return style


def _hide(args: MultiDict[str, str], names: tuple[str, ...]) -> tuple[str, ...]:
    hide = tuple(dict.fromkeys(name for name in args.getlist("hide") if name))
    if len(hide) > MAX_HIDDEN:
        raise HistfmtError(f"hide: at most {MAX_HIDDEN} names")
    unknown = [name for name in hide if names and name not in names]
    if unknown:
        raise HistfmtError(f"hide: no yield named {unknown[0][:80]!r}")
    return hide


def _rebin(args: MultiDict[str, str], names: tuple[str, ...]) -> tuple[float, ...] | None:
    return parse_edges(args["rebin"]) if args.get("rebin") else None


_PARSERS: tuple[tuple[str, Callable[[MultiDict[str, str], tuple[str, ...]], Any]], ...] = (
    ("logy", lambda args, _: _flag(args, "logy")),
    ("rebin", _rebin),
    ("hide", _hide),
    ("ratio", lambda args, _: _flag(args, "ratio")),
    ("style", _style),
    ("dpi", _dpi),
    ("project", lambda args, _: parse_project(args.get("project", ""), args.get("slice", ""))),
    ("logz", lambda args, _: _flag(args, "logz")),
)
"""Each field of a :class:`View` and how it is read, in the order of the form."""


def form_values(args: MultiDict[str, str]) -> dict[str, Any]:
    """What the plot page's form shows for the query ``args``, valid or not: each control
    as typed, a flag as ``"1"`` or ``"0"`` when it reads as one, a projection split into
    its axis and slice."""
    values: dict[str, Any] = {name: args.get(name, "").strip() for name in _TEXTS}
    for name in ("logy", "ratio", "logz"):
        text = values[name].lower()
        values[name] = "1" if text in _TRUE else "0" if text in _FALSE else text
    onto, _, bounds = values["project"].partition(":")
    values["project"] = onto.lower()
    values["slice"] = values["slice"] or bounds
    values["hide"] = [name for name in args.getlist("hide") if name]
    return values
