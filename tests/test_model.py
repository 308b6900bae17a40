"""The model's own helpers: comparing binnings, with and without the flow bins."""

from __future__ import annotations

import pytest

from histfmt.model import Axis


@pytest.mark.parametrize(
    ("a", "b", "with_flow", "without_flow"),
    [
        (Axis(edges=[0, 1, 2]), Axis(edges=[0.0, 1.0, 2.0]), True, True),
        (Axis(edges=[0, 1, 2]), Axis(edges=[0, 1, 3]), False, False),
        (Axis(edges=[0, 1, 2], underflow=True), Axis(edges=[0, 1, 2]), False, True),
        (Axis(edges=[0, 1, 2], overflow=True), Axis(edges=[0, 1, 2], overflow=True), True, True),
        (
            Axis(edges=[0, 1, 2], underflow=True),
            Axis(edges=[0, 1, 2], overflow=True),
            False,
            True,
        ),
        (Axis(categories=["a", "b"]), Axis(categories=["a", "b"], overflow=True), False, True),
        (Axis(categories=["a", "b"]), Axis(categories=["b", "a"]), False, False),
        (Axis(categories=["a"]), Axis(edges=[0, 1]), False, False),
    ],
)
def test_same_binning_with_and_without_flow(
    a: Axis, b: Axis, with_flow: bool, without_flow: bool
) -> None:
    assert a.same_binning(b, flow=True) is with_flow
    assert b.same_binning(a, flow=True) is with_flow
    assert a.same_binning(b, flow=False) is without_flow
    assert b.same_binning(a, flow=False) is without_flow
