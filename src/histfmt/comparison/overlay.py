"""The overlay of a comparison as a histfmt document: each input's quantity with its band,
and a ratio panel against the reference.

Each input is one yield, its band kept as ``stat`` and ``syst`` (added in quadrature by
the stacks' ``error: stat+syst``): data as points with error bars, other quantities as
a line over a band of its colour. The ratio panel divides each other input by the
reference, whose own band is drawn around 1 once. 2-D inputs give one map per input and
one ratio map per other input. The statistics are in the legend and, in full, in
``metadata.extra["comparison"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any, Literal

import numpy as np
from msgspec import UNSET

from histfmt.comparison.quantity import Measured
from histfmt.comparison.statistics import chi2_text
from histfmt.model import (
    FORMAT_VERSION,
    Asymmetric,
    Axis,
    Document,
    Metadata,
    RatioAxis,
    RatioItem,
    Stack,
    StackItem,
    Style,
    YAxis,
    Yield,
)

__all__ = ["COLORS", "REFERENCE_COLOR", "overlay", "yield_names"]

REFERENCE_COLOR = "#000000"
COLORS = ("#3f90da", "#ffa90e", "#bd1f01", "#832db6", "#94a4a2", "#a96b59", "#e76300",
          "#b9ac70", "#717581", "#92dadd")  # fmt: skip
"""The other inputs' colours in turn (the Petroff ten-colour cycle mplhep uses)."""

_MAX_NAME = 256


def yield_names(names: Sequence[str]) -> list[str]:
    """A valid, distinct yield name for each input: its last path part, numbered on repeats.

    >>> yield_names(["v1/mll.json", "v2/mll.json", "other"])
    ['mll.json', 'mll.json (2)', 'other']
    """
    chosen: list[str] = []
    for name in names:
        base = (PurePath(name.replace("\\", "/")).name or name.replace("/", "_") or "input")[
            : _MAX_NAME - 8
        ]
        candidate, number = base, 1
        while candidate in chosen:
            number += 1
            candidate = f"{base} ({number})"
        chosen.append(candidate)
    return chosen


def _uncertainty(up: Any, down: Any) -> Any:
    if np.array_equal(up, down, equal_nan=True):
        return up
    return Asymmetric(up=up, down=down)


def _yield(measured: Measured, label: str) -> Yield:
    kind: Any = measured.kind if measured.kind in ("count", "mean", "efficiency") else "count"
    syst_zero = not np.any(np.nan_to_num(measured.syst_up)) and not np.any(
        np.nan_to_num(measured.syst_down)
    )
    return Yield(
        values=measured.values,
        kind=kind,
        stat=_uncertainty(measured.stat_up, measured.stat_down),
        syst=UNSET if syst_zero else _uncertainty(measured.syst_up, measured.syst_down),
        label=label,
    )


def _legend(measured: Measured, pair: dict[str, Any] | None) -> str:
    if pair is None:
        return f"{measured.name} (reference)"
    chi2 = chi2_text(pair["chi2"])
    return f"{measured.name}: $\\chi^2$/ndf = {chi2}/{pair['ndf']}, p = {pair['p_value']:.3g}"


def overlay(
    measured: Sequence[Measured],
    reference: int,
    pairs: Sequence[dict[str, Any]],
    *,
    x: Axis,
    y: Axis | None,
    source: Document,
    statistics: dict[str, Any],
) -> Document:
    """The overlay document of ``measured`` (the reference at index ``reference``); ``pairs``
    are the statistics of the others in order, ``source`` the reference document (its
    badge, y axis and luminosity are kept) and ``statistics`` goes into the metadata."""
    names = yield_names([m.name for m in measured])
    others = iter(pairs)
    stats = [None if i == reference else next(others) for i in range(len(measured))]
    yields = {
        name: _yield(m, _legend(m, stat))
        for name, m, stat in zip(names, measured, stats, strict=True)
    }
    colors = iter(COLORS * (len(measured) // len(COLORS) + 1))
    color = [REFERENCE_COLOR if i == reference else next(colors) for i in range(len(measured))]
    order = [reference] + [i for i in range(len(measured)) if i != reference]
    if y is not None:
        stacks = [_stack([names[i]], yields[names[i]].label, "map", color[i]) for i in order]
        ratio = [RatioItem(numerator=[names[i]], denominator=[names[reference]]) for i in order[1:]]
    else:
        stacks, ratio = _lines(measured, names, yields, order, color)
    kept = source.y_axis
    plain = not (source.view.density or source.view.density_width)
    metadata = Metadata(
        title=f"{measured[reference].choice.quantity} compared with {measured[reference].name}",
        luminosity=source.metadata.luminosity,
        sqrt_s=source.metadata.sqrt_s,
        extra={"comparison": statistics},
    )
    return Document(
        histfmt=FORMAT_VERSION,
        x=x,
        y=UNSET if y is None else y,
        yields=yields,
        stacks=stacks,
        ratio=ratio,
        metadata=metadata,
        badge=source.badge,
        y_axis=kept if plain else YAxis(log=kept.log),
        ratio_axis=RatioAxis(label="Ratio to reference"),
        z_axis=source.z_axis,
    )


def _stack(
    names: list[str],
    label: Any,
    kind: Literal["filled", "step", "points", "band", "map"],
    color: str,
    error: Any = "stat+syst",
) -> Stack:
    return Stack(
        content=[StackItem(yields=names, label=label, style=Style(color=color))],
        type=kind,
        error=error,
    )


def _lines(
    measured: Sequence[Measured],
    names: list[str],
    yields: dict[str, Yield],
    order: list[int],
    color: list[str],
) -> tuple[list[Stack], list[RatioItem]]:
    """1-D: bands then lines then points (so that no band hides a line), and the ratios."""
    bands, lines, points = [], [], []
    for i in order:
        name, label = names[i], yields[names[i]].label
        if measured[i].choice.points:
            points.append(_stack([name], label, "points", color[i]))
        else:
            bands.append(_stack([name], None, "band", color[i]))
            lines.append(_stack([name], label, "step", color[i], error="none"))
    reference = names[order[0]]
    ratio: list[RatioItem] = []
    for position, i in enumerate(order[1:]):
        den_error: Any = "stat+syst" if position == 0 else "none"
        style = Style(color=color[i])
        pair: dict[str, Any] = {
            "numerator": [names[i]], "denominator": [reference], "style": style
        }  # fmt: skip
        if measured[i].choice.points:
            ratio.append(RatioItem(**pair, error="stat+syst", den_error=den_error))
            continue
        ratio.append(RatioItem(**pair, type="band", error="stat+syst", den_error=den_error))
        ratio.append(RatioItem(**pair, type="step", error="none", den_error="none"))
    return [*bands, *lines, *points], ratio
