"""Plot styles: the histfmt default and the experiments' mplhep styles."""

from __future__ import annotations

import functools
from typing import Any

from histfmt.errors import HistfmtError

__all__ = ["PALETTE", "STYLES", "rc_for", "style_named", "text_scale"]

# Petroff (2021) 10-colour sequence: distinguishable under the common colour-vision
# deficiencies, the default of the HEP plotting recommendations and matplotlib's
# "petroff10" style.
PALETTE = [
    "#3f90da",
    "#ffa90e",
    "#bd1f01",
    "#94a4a2",
    "#832db6",
    "#a96b59",
    "#e76300",
    "#b9ac70",
    "#717581",
    "#92dadd",
]

STYLES = ("default", "ATLAS", "CMS", "LHCb", "ALICE", "ROOT")


def style_named(name: str) -> str:
    """The style called ``name``, in any case (``atlas`` is ``ATLAS``); HistfmtError if none."""
    for style in STYLES:
        if style.lower() == name.lower():
            return style
    raise HistfmtError(f"unknown style {name!r}; choose one of {', '.join(STYLES)}")


_DEFAULT: dict[str, Any] = {
    "figure.figsize": (6.0, 6.0),
    "font.size": 12,
    "axes.labelsize": 13,
    "axes.linewidth": 1.0,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.top": True,
    "ytick.right": True,
    "xtick.minor.visible": True,
    "ytick.minor.visible": True,
    "xtick.major.size": 6,
    "ytick.major.size": 6,
    "xtick.minor.size": 3,
    "ytick.minor.size": 3,
    "xaxis.labellocation": "right",
    "yaxis.labellocation": "top",
    "legend.frameon": False,
    "legend.fontsize": 12,
    "legend.handlelength": 1.5,
    "hatch.linewidth": 0.6,
    "axes.formatter.use_mathtext": True,
    "axes.formatter.limits": (-3, 4),
    "svg.hashsalt": "histfmt",
    "pdf.compression": 6,
}


# TrueType (Type 42) fonts in PDF and PostScript, as journals ask, not Type 3 bitmaps-as-
# procedures: text stays text (searchable, sharp at any zoom).
_EMBEDDED_FONTS = {"pdf.fonttype": 42, "ps.fonttype": 42}

_SMALLEST_TEXT = 9.0  # points: scaled-down styles stay readable
_SCALED = (
    "font.size",
    "axes.labelpad",
    "axes.labelsize",
    "axes.titlesize",
    "xtick.labelsize",
    "ytick.labelsize",
    "legend.fontsize",
    "xtick.major.size",
    "xtick.minor.size",
    "ytick.major.size",
    "ytick.minor.size",
)


# mplhep style module and the mplhep-data font folder each experiment style needs
_MPLHEP_STYLE_FILES = {
    "ATLAS": ("atlas", "texgyreheros"),
    "CMS": ("cms", "texgyreheros"),
    "ROOT": ("cms", "texgyreheros"),
    "ALICE": ("alice", "texgyreheros"),
}


@functools.cache
def experiment_style(style: str) -> dict[str, Any]:
    """mplhep's rcParams for an experiment.

    ``import mplhep`` costs a quarter of a second (pyplot, every font, every helper),
    more than drawing a plot; a style is a plain dict in one module of mplhep's and
    needs one font family. Those two are loaded directly; anything unexpected falls
    back to the full import, which ``tests/test_render.py`` checks gives the same dict.
    """
    try:
        return _style_module_alone(style)
    except Exception:
        pass
    try:
        import mplhep.styles  # type: ignore[import-untyped]
    except ImportError:
        raise HistfmtError(f"style {style!r} needs mplhep: pip install 'histfmt[plot]'") from None
    return dict(getattr(mplhep.styles, style))


def _style_module_alone(style: str) -> dict[str, Any]:
    import importlib.util
    from pathlib import Path

    from matplotlib import font_manager

    module_name, font_folder = _MPLHEP_STYLE_FILES[style]
    package = importlib.util.find_spec("mplhep")
    fonts = importlib.util.find_spec("mplhep_data")
    if package is None or package.origin is None or fonts is None or fonts.origin is None:
        raise ImportError("mplhep")
    path = Path(package.origin).parent / "styles" / f"{module_name}.py"
    spec = importlib.util.spec_from_file_location(f"_histfmt_mplhep_{module_name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = Path(fonts.origin).parent / "fonts" / font_folder
    for font in font_manager.findSystemFonts(fontpaths=[str(folder)]):
        font_manager.fontManager.addfont(font)
    return dict(getattr(module, style))


def _matplotlib_cycle() -> Any:
    """matplotlib's own colour cycle (not the one in effect)."""
    import matplotlib

    return matplotlib.rcParamsDefault["axes.prop_cycle"]


def rc_for(style: str, width: float | None = None) -> dict[str, Any]:
    """The rcParams of a named style (experiment styles come from mplhep).

    With ``width`` (inches) smaller than the style's own figure width, text and
    tick sizes shrink in proportion, so the plot keeps the style's look.
    """
    style = style_named(style)
    from cycler import cycler

    rc = dict(_DEFAULT)
    if style == "default":
        rc["axes.prop_cycle"] = cycler(color=PALETTE)
    else:
        # each experiment's own colours for yields without one, as mplhep draws them;
        # a style without a cycle (ALICE) draws in matplotlib's, as it does under mplhep
        rc["axes.prop_cycle"] = _matplotlib_cycle()
        rc.update(experiment_style(style))
    rc["svg.hashsalt"] = "histfmt"
    rc.update(_EMBEDDED_FONTS)
    for key in [k for k in rc if k.startswith("savefig.")]:
        del rc[key]  # a figure saved outside the style's context looks the same
    rc.pop("figure.autolayout", None)  # the margins are histfmt's
    scale = text_scale(style, width)
    if scale < 1:
        for key in _SCALED:
            if isinstance(rc.get(key), (int, float)):
                smallest = 0 if key.endswith(".size") and "tick" in key else _SMALLEST_TEXT
                rc[key] = max(rc[key] * scale, smallest)
    return rc


def text_scale(style: str, width: float | None) -> float:
    """How much a figure ``width`` inches wide shrinks the style's text (1: not at all):
    experiment styles are made for figures 8 to 12 inches wide."""
    style = style_named(style)
    rc = _DEFAULT if style == "default" else experiment_style(style)
    native = float(rc.get("figure.figsize", _DEFAULT["figure.figsize"])[0])
    return 1.0 if width is None or width >= native else width / native
