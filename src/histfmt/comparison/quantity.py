"""Which quantity of a document is compared, and its numbers with the document's own band.

The quantity is ``"data"``: the total of the document's first stack of points, or
``"prediction"``: the total of its first other stack (filled, step, band or map), each
with that stack's ``error`` (the band the renderer draws for that total); or the name
of a yield, with the ``error`` of the first stack holding it alone in a layer, else
``stat+syst``. By default: data if there is a stack of points, else the prediction,
else the document's only yield. A yield named ``data`` or ``prediction`` is taken by
that name when the document has no such stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from histfmt.errors import HistfmtError
from histfmt.model import Document, Stack
from histfmt.shown import Shown

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]

__all__ = ["DATA", "PREDICTION", "Choice", "Measured", "choose", "measure"]

DATA = "data"
PREDICTION = "prediction"
FALLBACK_ERROR = "stat+syst"
"""The band of a yield that no stack draws: the document does not say, so both parts."""

_STAT_PARTS = ("stat", "poisson")


@dataclass(frozen=True)
class Choice:
    """What is compared of one document: references summed, the band, how it is drawn."""

    quantity: str
    refs: list[str]
    error: str
    points: bool


@dataclass(frozen=True)
class Measured:
    """One document's quantity in the common bins: values with their statistical and
    systematic parts of the band (upward and downward magnitudes, added in quadrature
    they make the band)."""

    name: str
    choice: Choice
    kind: str
    values: Array
    stat_up: Array
    stat_down: Array
    syst_up: Array
    syst_down: Array

    @property
    def up(self) -> Array:
        return np.hypot(self.stat_up, self.syst_up)

    @property
    def down(self) -> Array:
        return np.hypot(self.stat_down, self.syst_down)


def _total(stack: Stack, quantity: str) -> Choice:
    refs = [ref for layer in stack.content for ref in layer.yields]
    return Choice(quantity, refs, stack.error, stack.type == "points")


def _yield(doc: Document, name: str) -> Choice:
    for stack in doc.stacks:
        if any(layer.yields == [name] for layer in stack.content):
            return Choice(name, [name], stack.error, stack.type == "points")
    return Choice(name, [name], FALLBACK_ERROR, False)


def choose(doc: Document, quantity: str | None) -> Choice:
    """The quantity of ``doc`` to compare (see the module's rule)."""
    points = next((s for s in doc.stacks if s.type == "points"), None)
    other = next((s for s in doc.stacks if s.type != "points"), None)
    if quantity is None:
        if points is not None:
            return _total(points, DATA)
        if other is not None:
            return _total(other, PREDICTION)
        if len(doc.yields) == 1:
            return _yield(doc, next(iter(doc.yields)))
        raise HistfmtError(
            f"nothing to compare by default: no stacks and {len(doc.yields)} yields; "
            f"name one ({_names(doc)})"
        )
    keyword = {DATA: points, PREDICTION: other}
    if quantity in keyword:
        stack = keyword[quantity]
        if stack is not None:
            return _total(stack, quantity)
        if quantity not in doc.yields:
            what = "a stack of points" if quantity == DATA else "a stack other than points"
            raise HistfmtError(f"no {quantity} to compare: the document has no {what}")
    if quantity not in doc.yields:
        raise HistfmtError(f"no yield {quantity!r} to compare; the yields are {_names(doc)}")
    return _yield(doc, quantity)


def _names(doc: Document) -> str:
    names = list(doc.yields)
    return ", ".join(map(repr, names[:8])) + (", ..." if len(names) > 8 else "")


def measure(name: str, doc: Document, choice: Choice) -> Measured:
    """The chosen quantity of ``doc``, a document already in the common bins."""
    shown = Shown(doc)
    components = shown.components(choice.refs)
    parts = [] if choice.error == "none" else choice.error.split("+")
    stat = shown.series(components, "+".join(p for p in parts if p in _STAT_PARTS) or "none")
    syst = shown.series(components, "+".join(p for p in parts if p not in _STAT_PARTS) or "none")
    return Measured(
        name=name,
        choice=choice,
        kind=shown.kind(choice.refs),
        values=stat.values,
        stat_up=stat.up,
        stat_down=stat.down,
        syst_up=syst.up,
        syst_down=syst.down,
    )
