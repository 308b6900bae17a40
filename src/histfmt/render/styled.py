"""Figures and axes that draw in their style wherever they are saved.

A style's rcParams are read twice: when an artist is made (sizes, tick directions)
and when it is drawn (the fonts behind 'sans-serif', the mathtext fonts, tick labels
made on demand). A figure drawn only inside ``matplotlib.rc_context`` therefore
looks different when a user saves it afterwards: DejaVu instead of the style's font,
a legend past the frame, ``findfont: 'cursive'`` warnings from the custom mathtext
fonts. Here the drawing itself runs in the style, so ``fig.savefig`` gives the image
``render`` gives.

mathtext's ``\\sqrt`` in the experiments' custom fontset (TeX Gyre) draws its radical
from the fallback font, as it does under mplhep, and logs ``No TeX to Unicode mapping
for '\\__radicalbig__'`` each time it is laid out: that message is dropped while a
figure draws in its style.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from histfmt.render.lock import MATPLOTLIB_LOCK

__all__ = ["StyledFigure", "draw_in_style", "in_style"]


class _QuietRadicals(logging.Filter):
    """Drops mathtext's missing-radical message while ``depth`` draws are in style."""

    depth = 0  # in_style depth (under MATPLOTLIB_LOCK)

    def filter(self, record: logging.LogRecord) -> bool:
        return not (self.depth and "__radical" in record.getMessage())


_QUIET = _QuietRadicals()
logging.getLogger("matplotlib.mathtext").addFilter(_QUIET)


@contextmanager
def in_style(rc: dict[str, Any]) -> Iterator[None]:
    """``rc`` in effect (under the one matplotlib lock)."""
    with MATPLOTLIB_LOCK, matplotlib.rc_context(rc):  # type: ignore[arg-type]
        _QUIET.depth += 1
        try:
            yield
        finally:
            _QUIET.depth -= 1


class StyledFigure(Figure):
    """A :class:`~matplotlib.figure.Figure` that draws itself in its style's rcParams."""

    def __init__(self, *args: Any, rc: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.histfmt_rc = rc

    def draw(self, renderer: Any) -> None:
        with in_style(self.histfmt_rc):
            super().draw(renderer)


def _draw_axes(ax: Axes, rc: dict[str, Any], renderer: Any) -> None:
    with in_style(rc):
        type(ax).draw(ax, renderer)


def draw_in_style(ax: Axes, rc: dict[str, Any]) -> None:
    """Make a user's ``ax`` draw in ``rc`` (its figure and other axes keep theirs)."""
    ax.draw = functools.partial(_draw_axes, ax, rc)  # type: ignore[method-assign]
