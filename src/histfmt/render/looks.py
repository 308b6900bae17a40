"""Each experiment's look: where its label goes, in what fonts, and how it writes units.

The numbers are those of mplhep's label functions (``mplhep.cms.label``,
``mplhep.atlas.label``, ``mplhep.lhcb.label``, ``mplhep.alice.label``, all through
``mplhep.label.exp_text``), reproduced here so that placing a label costs no figure
draw (mplhep draws the whole figure to measure, which costs more than the plot).
``tests/test_looks.py`` checks each label against mplhep's own within a few pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from msgspec import UnsetType

from histfmt.model import Document
from histfmt.render.decorations import canvas_renderer

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.text import Text

    from histfmt.render.painter import Painter

__all__ = [
    "EXPERIMENTS",
    "LOOKS",
    "Look",
    "brand_for",
    "experiment_label",
    "look_for",
    "lumi_text",
    "room_above",
]

EXPERIMENTS = ("ATLAS", "CMS", "LHCb", "ALICE")
"""The brands that name an experiment: a style replaces them with its own."""


@dataclass(frozen=True)
class Look:
    """How one style labels a plot, after the experiment's mplhep label function."""

    brand: str | None
    """The experiment drawn by this style (None: the document's brand, neutral look)."""
    loc: Literal[0, 1, 4] = 1
    """mplhep's ``loc``: 0 above the frame (lumi right), 1 in the frame's top left corner
    (lumi above the frame, right), 4 in the frame with the lumi line below (ATLAS)."""
    sizes: tuple[float, float, float, float] = (18.2, 14.0, 12.7, 12.7)
    """Points of (brand, label, lumi, subtext) at the style's own figure width. The
    subtext (selection lines) takes the lumi line's size: mplhep's smaller fourth size
    is for its 'Supplementary' note."""
    weights: tuple[str, str, str, str] = ("bold", "normal", "normal", "normal")
    styles: tuple[str, str, str, str] = ("normal", "italic", "normal", "normal")
    fontname: str | None = None
    lumi: Literal["cms", "atlas"] = "cms"
    """How √s and luminosity read: '140 fb⁻¹ (13 TeV)' or '√s = 13 TeV, 140 fb⁻¹'."""
    lumi_below: bool = False
    """The lumi line below the label in the frame (ALICE) rather than above it."""
    units: Literal["[]", "()"] = "[]"
    """The axis titles' unit: ``m [GeV]`` or ``m (GeV)``."""


_CMS_SIZE = 26.0  # the styles' font.size at their own width (CMS 10 in, ATLAS 8 in)
_ATLAS_SIZE = 14.0
_LHCB_SIZE = 28.0  # mplhep.lhcb.label and mplhep.alice.label: 28 pt at 12 in

LOOKS: dict[str, Look] = {
    "default": Look(brand=None),
    "ROOT": Look(brand=None),
    "CMS": Look(
        brand="CMS",
        loc=0,
        sizes=(_CMS_SIZE * 1.3, _CMS_SIZE, _CMS_SIZE / 1.1, _CMS_SIZE / 1.1),
        units="()",
    ),
    "ATLAS": Look(
        brand="ATLAS",
        loc=4,
        sizes=(_ATLAS_SIZE * 1.3, _ATLAS_SIZE * 1.2, _ATLAS_SIZE, _ATLAS_SIZE),
        styles=("italic", "normal", "italic", "normal"),
        lumi="atlas",
    ),
    "LHCb": Look(
        brand="LHCb",
        sizes=(_LHCB_SIZE * 1.3, _LHCB_SIZE, _LHCB_SIZE * 0.95, _LHCB_SIZE * 0.95),
        weights=("normal", "normal", "normal", "normal"),
        styles=("normal", "normal", "normal", "normal"),
        fontname="Tex Gyre Termes",
    ),
    "ALICE": Look(
        brand="ALICE",
        sizes=(_LHCB_SIZE * 1.3, _LHCB_SIZE, _LHCB_SIZE / 1.1, _LHCB_SIZE / 1.1),
        styles=("normal", "normal", "normal", "normal"),
        lumi="atlas",
        lumi_below=True,
        units="()",
    ),
}


def room_above(doc: Document, look: Look, scale: float) -> float:
    """Points a label above the frame needs (0: none goes there)."""
    if isinstance(doc.badge, UnsetType):
        return 0.0
    if look.loc == 0:
        return 1.25 * look.sizes[0] * scale
    lumi = doc.badge.show_luminosity and lumi_text(doc, look.lumi)
    if look.brand is not None and lumi and not (look.loc == 4 or look.lumi_below):
        return 1.25 * look.sizes[2] * scale
    return 0.0


def look_for(style: str) -> Look:
    """The look of a style name (as returned by ``style_named``)."""
    return LOOKS.get(style, LOOKS["default"])


def brand_for(doc: Document, look: Look) -> str | None:
    """The brand drawn: the style's experiment, unless the document names no experiment
    (a free-text brand, or ``null`` for none), which is kept."""
    badge = doc.badge
    given = None if isinstance(badge, UnsetType) else badge.brand
    if look.brand is None:
        return given if isinstance(given, str) else None
    if isinstance(given, UnsetType) or given in EXPERIMENTS:
        return look.brand
    return given


def lumi_text(doc: Document, kind: Literal["cms", "atlas"]) -> str | None:
    """√s and luminosity as the experiment writes them (mplhep's ``_lumi_line`` and
    ``_lumi_line_atlas``), or None when the document has neither."""
    metadata = doc.metadata
    energy = None
    if not isinstance(metadata.sqrt_s, UnsetType):
        energy = f"{metadata.sqrt_s.value:g} {metadata.sqrt_s.unit}"
    lumi = None
    if not isinstance(metadata.luminosity, UnsetType):
        unit = metadata.luminosity.unit
        lumi = f"{metadata.luminosity.value:g} $\\mathrm{{{unit[:-2]}^{{-1}}}}$"
    if kind == "atlas":  # the radical is drawn from the fallback font, as under mplhep
        spaced = energy.replace(" ", "\\ ") if energy else None
        root_s = f"$\\sqrt{{s}} = \\mathrm{{{spaced}}}$" if spaced else None
        return ", ".join(part for part in (root_s, lumi) if part) or None
    if lumi and energy:
        return f"{lumi} ({energy})"
    return lumi or (f"({energy})" if energy else None)


def experiment_label(ax: Axes, doc: Document, painter: Painter, look: Look, scale: float) -> Any:
    """Draw the experiment label of ``look`` on ``ax``; return the placed label.

    ``scale`` shrinks the experiment's sizes as the style's fonts were shrunk for a
    figure narrower than the style's own. The result's ``inside`` artists sit in the
    frame (the headroom makes room for them); ``place_above`` draws the rest once the
    y range is known (mplhep moves a label above the frame right of the 'x10^n')."""
    return _Placer(ax, doc, painter, look, scale)


class _Placer:
    """mplhep's ``exp_text`` without the figure draws: positions in axes fractions."""

    def __init__(self, ax: Axes, doc: Document, painter: Painter, look: Look, scale: float):
        self.ax, self.look = ax, look
        self.renderer = canvas_renderer(ax)
        fig = ax.get_figure(root=True)
        assert fig is not None
        position = ax.get_position()
        width, height = fig.get_size_inches()
        self.width_in, self.height_in = position.width * width, position.height * height
        self.dpi = fig.dpi
        self.sizes = [size * scale for size in look.sizes]
        settings = doc.badge
        assert not isinstance(settings, UnsetType)
        self.brand = painter.text(brand_for(doc, look)) or ""
        self.label = painter.text(settings.label) or ""
        lumi = lumi_text(doc, look.lumi) if settings.show_luminosity else None
        self.lumi = painter.text(lumi) or ""
        self.subtext = painter.text(settings.subtext) or ""
        self.inside: list[Any] = []
        self.above: list[Any] = []
        if look.loc != 0:
            self._in_frame()
        elif self.subtext:  # CMS: a label above the frame, any further text in it
            self.inside.append(self._add(self.subtext, 3, self._corner(self.sizes[0])))

    # -- mplhep's geometry ----------------------------------------------------------------

    def _padding(self, percent: float) -> tuple[float, float]:
        """``_calculate_dynamic_padding``: the pad along the shorter side, scaled down
        along the longer."""
        base = percent / 100
        longer, shorter = max(self.width_in, self.height_in), min(self.width_in, self.height_in)
        if self.width_in > self.height_in:
            return base / (longer / shorter), base
        return base, base / (longer / shorter)

    def _corner(self, brand_size: float) -> tuple[float, float, str, str]:
        pad = max(5.0, brand_size / self.height_in)  # mplhep's _inside_pad
        x, y = self._padding(pad)
        return x, 1 - y, "left", "top"

    def _add(self, text: str, role: int, where: tuple[float, float, str, str]) -> Text:
        x, y, ha, va = where
        look = self.look
        extra: dict[str, Any] = {"fontname": look.fontname} if look.fontname else {}
        return self.ax.text(
            x, y, text, transform=self.ax.transAxes, ha=ha, va=va,
            fontsize=self.sizes[role], fontweight=look.weights[role],
            fontstyle=look.styles[role], **extra,
        )  # fmt: skip

    def _metrics(self, text: Text) -> tuple[float, float, float]:
        """Width, height and descent of ``text`` in axes fractions."""
        layout = text._get_layout(self.renderer)  # type: ignore[attr-defined]
        box, lines = layout[0], layout[1]
        descent = float(lines[0][1][2]) if lines else 0.0
        return (
            box.width / self.width_in / self.dpi,
            box.height / self.height_in / self.dpi,
            descent / self.height_in / self.dpi,
        )

    def _append(self, text: str, role: int, reference: Text, where: str) -> Text:
        """``append_text``: right of the reference on its baseline, or below it."""
        size = self.sizes[role]
        width, height, descent = self._metrics(reference)
        x, y = reference.get_position()
        va = reference.get_verticalalignment()
        if where == "right":
            left = x + width + size / 72 / (3 * 100 / 72) / self.width_in
            base = y + descent if va == "bottom" else y + descent - height
            return self._add(text, role, (left, base, "left", "baseline"))
        bottom = y if va == "bottom" else y + descent - height
        below = bottom - descent - size / 72 / (10 * 100 / 72) / self.height_in
        return self._add(text, role, (x, below, "left", "top"))

    # -- the layouts ------------------------------------------------------------------------

    def _in_frame(self) -> None:
        look = self.look
        brand = self._add(self.brand, 0, self._corner(self.sizes[0])) if self.brand else None
        first = brand
        if self.label:
            if brand is not None:
                label = self._append(self.label, 1, brand, "right")
            else:
                label = self._add(self.label, 1, self._corner(self.sizes[0]))
                first = label
        lowest = first
        self.inside += [t for t in (brand, label if self.label else None) if t is not None]
        if self.lumi and (look.loc == 4 or look.lumi_below):
            lumi = (
                self._append(self.lumi, 2, lowest, "below")
                if lowest is not None
                else self._add(self.lumi, 2, self._corner(self.sizes[0]))
            )
            self.inside.append(lumi)
            lowest = lumi
        for line in self.subtext.split("\n") if self.subtext else []:
            sub = (
                self._append(line, 3, lowest, "below")
                if lowest is not None
                else self._add(line, 3, self._corner(self.sizes[0]))
            )
            self.inside.append(sub)
            lowest = sub

    def place_above(self) -> list[Any]:
        """The texts above the frame, once the y range (and its 'x10^n') is set."""
        look = self.look
        if self.lumi and not (look.loc == 4 or look.lumi_below):
            self.above.append(self._add(self.lumi, 2, (1.0, 1.0, "right", "bottom")))
        if look.loc == 0:
            left = _multiplier_left_of_the_frame(self.ax, self.sizes[2])
            brand = self._add(self.brand, 0, (left, 1.0, "left", "bottom")) if self.brand else None
            if brand is not None:
                self.above.append(brand)
                if self.label:
                    self.above.append(self._append(self.label, 1, brand, "right"))
            elif self.label:
                self.above.append(self._add(self.label, 1, (left, 1.0, "left", "bottom")))
        return self.above

    @property
    def artists(self) -> list[Any]:
        return self.inside + self.above


def _multiplier_left_of_the_frame(ax: Axes, size: float) -> float:
    """Move the y axis' 'x10^n' over the tick labels, ending a third of ``size`` (points)
    left of the frame, as ROOT draws CMS's exponent; return where a label above the frame
    starts (axes fraction): at the frame's corner, clear of it, as mplhep's label with no
    multiplier. (mplhep starts its label right of the multiplier, 10% of its width
    away, which crowds a small 'x10^5' against the large brand.)"""
    from matplotlib.transforms import (
        IdentityTransform,
        ScaledTranslation,
        blended_transform_factory,
    )

    fig: Any = ax.get_figure(root=True)
    text = ax.yaxis.offsetText
    text.set_horizontalalignment("right")
    shift = ScaledTranslation(-size / 3 / 72, 0, fig.dpi_scale_trans)
    text.set_transform(blended_transform_factory(ax.transAxes + shift, IdentityTransform()))
    return 0.0
